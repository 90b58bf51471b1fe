"""oneDNN convolutions (minitorch/_onednn.py, the ``onednn`` extra) against the plain im2col and torch.

The three products (forward, input gradient, weight gradient) run in oneDNN for float32 CPU arrays while
``backends.mkldnn.enabled``; each is compared with the plain im2col reference on the same float32 data, both
measured against a float64 answer with the float32 rounding bound of a sum of K products: |err| <= 2 K eps
(|w| * |x|), K = C/groups * kh * kw terms (for the gradients the same with the terms they sum). hypothesis draws
the geometry (stride, asymmetric padding, dilation, groups) and the layout of the inputs (transposed, sliced).
Without oneDNN (not installed, another platform) the tests that need it skip and say why; the switch and
fallback tests run everywhere.
"""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, assume, strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from minitorch import _onednn
from minitorch.ops import conv as C

needs_onednn = pytest.mark.skipif(not _onednn.is_available(), reason=f"oneDNN not available: {_onednn.why_not()}")
EPS32 = float(np.finfo(np.float32).eps)


def data(shape, seed, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def strided(a, how):
    """The same values in another layout: 0 contiguous, 1 a transposed copy seen back through a transpose
    (non-contiguous, positive strides), 2 every other element of a twice-wide array."""
    if how == 1:
        return np.ascontiguousarray(a.transpose(3, 2, 1, 0)).transpose(3, 2, 1, 0)
    if how == 2:
        wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        wide[..., ::2] = a
        return wide[..., ::2]
    return a


@st.composite
def geometries(draw):
    g = draw(st.sampled_from([1, 1, 2, 3]))
    cg, og = draw(st.sampled_from([1, 3, 8])), draw(st.sampled_from([1, 4, 16]))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dil = (draw(st.sampled_from([1, 1, 2, 3])), draw(st.sampled_from([1, 1, 2])))
    pads = tuple(draw(st.integers(0, 3)) for _ in range(4))
    n, h, w = draw(st.integers(1, 5)), draw(st.integers(1, 14)), draw(st.integers(1, 14))
    assume(h + pads[0] + pads[1] >= dil[0] * (kh - 1) + 1 and w + pads[2] + pads[3] >= dil[1] * (kw - 1) + 1)
    return (n, g * cg, h, w), (g * og, cg, kh, kw), C.Geometry(stride, pads, dil, g)


def _three(x, w, b, gy, geo):
    """forward, input grad, weight grad through the dispatcher (oneDNN while it is on)."""
    return (C.conv_forward(np, x, w, b, geo), C.conv_input_grad(np, gy, w, x.shape, geo),
            C.conv_weight_grad(np, x, gy, w.shape, geo))


def _plain(x, w, b, gy, geo):
    return (C.conv_forward_im2col(np, x, w, b, geo), C.conv_input_grad_im2col(np, gy, w, x.shape, geo),
            C.conv_weight_grad_im2col(np, x, gy, w.shape, geo))


@needs_onednn
@given(geometries(), st.integers(0, 2 ** 31 - 1), st.sampled_from([0, 1, 2]), st.sampled_from([0, 1, 2]),
       st.booleans())
def test_onednn_products_match_the_plain_im2col(case, seed, x_layout, w_layout, bias):
    x_shape, w_shape, geo = case
    ho, wo = geo.out_size(x_shape[2], x_shape[3], w_shape[2], w_shape[3])
    x, w = data(x_shape, seed), data(w_shape, seed + 1)
    b = data((w_shape[0],), seed + 2) if bias else None
    gy = data((x_shape[0], w_shape[0], ho, wo), seed + 3)
    before = len(_onednn._plans)
    ours = _three(strided(x, x_layout), strided(w, w_layout), b, strided(gy, x_layout), geo)
    plans = [p for p in list(_onednn._plans.values())[before:]]
    assert all(isinstance(p, _onednn._Plan) for p in plans), plans     # none fell back (no plan was refused)
    plain = _plain(x, w, b, gy, geo)
    f64 = [a.astype(np.float64) for a in (x, w, gy)]
    b64 = None if b is None else b.astype(np.float64)
    exact = _plain(f64[0], f64[1], b64, f64[2], geo)
    absolute = _plain(np.abs(f64[0]), np.abs(f64[1]), None if b is None else np.abs(b64), np.abs(f64[2]), geo)
    k = (w_shape[1] * w_shape[2] * w_shape[3], w_shape[0] // geo.groups * w_shape[2] * w_shape[3],
         x_shape[0] * ho * wo)                                     # terms per output of each product
    for what, o, p, e, a, kk in zip(("forward", "input grad", "weight grad"), ours, plain, exact, absolute, k):
        assert o.shape == e.shape and o.dtype == np.float32, what
        bound = 2 * (kk + 1) * EPS32 * a + 1e-30
        assert np.all(np.abs(o - e) <= bound), (what, float(np.max(np.abs(o - e) / bound)))
        assert np.all(np.abs(p - e) <= bound), what                # the reference within the same bound


@needs_onednn
def test_onednn_runs_the_benchmark_shapes_bit_for_bit_as_torch():
    """torch's CPU convolutions are oneDNN's too: on LeNet's and ResNet's layers the forward pass gives the same
    bits (a different summation order would show as a few-ulp difference), and so do the gradients of a 64-channel
    layer. (A thin layer's input gradient runs numpy's code, and a small product's weight gradient runs on one
    thread where torch's splits its sum over two: those are held to the float32 bound of the test above.)"""
    for x_shape, w_shape, pad, grads in (((8, 3, 32, 32), (6, 3, 5, 5), 0, False),
                                          ((8, 6, 14, 14), (16, 6, 5, 5), 0, False),
                                          ((4, 64, 16, 16), (64, 64, 3, 3), 1, True)):
        x, w, b = data(x_shape, 1), data(w_shape, 2) * 0.1, data(w_shape[:1], 3)
        xm, wm, bm = (mt.tensor(a, requires_grad=True) for a in (x, w, b))
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        ym, yt = F.conv2d(xm, wm, bm, padding=pad), TF.conv2d(xt, wt, bt, padding=pad)
        np.testing.assert_array_equal(ym.detach().numpy(), yt.detach().numpy())
        if grads:
            g = data(tuple(yt.shape), 4)
            ym.backward(mt.tensor(g))
            yt.backward(torch.tensor(g))
            np.testing.assert_array_equal(xm.grad.numpy(), xt.grad.numpy())
            np.testing.assert_array_equal(wm.grad.numpy(), wt.grad.numpy())


@needs_onednn
def test_onednn_is_used_and_switched_off_by_the_flag(monkeypatch):
    x, w = data((2, 8, 8, 8), 1), data((4, 8, 3, 3), 2)
    calls = []
    real = _onednn._run
    monkeypatch.setattr(_onednn, "_run", lambda *a: calls.append(a[0][0]) or real(*a))
    xm, wm = mt.tensor(x, requires_grad=True), mt.tensor(w, requires_grad=True)
    F.conv2d(xm, wm).sum().backward()
    assert calls == ["fwd", "data", "weights"]
    calls.clear()
    with mt.backends.mkldnn.flags(enabled=False):
        assert mt.backends.mkldnn.enabled is False
        y = F.conv2d(mt.tensor(x), mt.tensor(w))
    assert mt.backends.mkldnn.enabled is True and calls == []
    np.testing.assert_allclose(y.numpy(), TF.conv2d(torch.tensor(x), torch.tensor(w)).numpy(), rtol=1e-5, atol=1e-5)
    F.conv2d(mt.tensor(x.astype(np.float64)), mt.tensor(w.astype(np.float64)))     # float64: numpy's code
    assert calls == []
    xm3 = mt.tensor(x[:, :3], requires_grad=True)                 # 3 input channels: dX is numpy's (see below)
    F.conv2d(xm3, mt.tensor(w[:, :3], requires_grad=True)).sum().backward()
    assert calls == ["fwd", "weights"]


@needs_onednn
def test_small_products_run_on_the_calling_thread_big_ones_on_the_pool(monkeypatch):
    """Below POOL_MIN_FLOPS a plan is made and run with one OpenMP thread (no pool to wake or to spin beside
    numpy's BLAS threads); above it with the pool's threads; set_num_threads makes plans again."""
    monkeypatch.setattr(_onednn, "_plans", type(_onednn._plans)())
    threads = _onednn._state["threads"]
    small = F.conv2d(mt.randn(2, 8, 8, 8), mt.randn(4, 8, 3, 3))                    # 0.1 MFLOP
    big = F.conv2d(mt.randn(8, 64, 32, 32), mt.randn(64, 64, 3, 3), padding=1)     # 604 MFLOP
    assert small.shape == (2, 4, 6, 6) and big.shape == (8, 64, 32, 32)
    assert [p.threads for p in _onednn._plans.values()] == [1, threads]
    try:
        _onednn.set_num_threads(threads + 1)
        assert len(_onednn._plans) == 0
        F.conv2d(mt.randn(8, 64, 32, 32), mt.randn(64, 64, 3, 3), padding=1)
        assert [p.threads for p in _onednn._plans.values()] == [threads + 1]
    finally:
        _onednn.set_num_threads(threads)


def test_flags_api_as_torch():
    assert mt.backends.mkldnn.enabled is torch.backends.mkldnn.enabled is True
    old = mt.backends.mkldnn.set_flags(False)
    assert old[0] is True and mt.backends.mkldnn.enabled is False
    mt.backends.mkldnn.set_flags(*old)
    assert mt.backends.mkldnn.enabled is True
    with pytest.raises(ValueError, match="full float32"):
        with mt.backends.mkldnn.flags(enabled=True, fp32_precision="tf32"):
            pass
    assert mt.backends.mkldnn.is_available() == _onednn.is_available()


def test_a_plan_oneDNN_refuses_falls_back_to_numpy(monkeypatch):
    """A geometry oneDNN cannot do (or only with its reference loops) runs the numpy code, with the same result."""
    def refuse(*a, **k):
        raise _onednn._Unsupported("test")
    monkeypatch.setattr(_onednn, "_plans", type(_onednn._plans)())
    monkeypatch.setattr(_onednn, "_Plan", refuse)
    x, w = data((2, 8, 7, 9), 1), data((5, 8, 3, 2), 2)
    xm, wm = mt.tensor(x, requires_grad=True), mt.tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    F.conv2d(xm, wm, stride=2, padding=1).sum().backward()
    TF.conv2d(xt, wt, stride=2, padding=1).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(wm.grad.numpy(), wt.grad.numpy(), rtol=1e-5, atol=1e-4)
    assert all(isinstance(p, str) for p in _onednn._plans.values()) and len(_onednn._plans) == 3


def _child(code, **env):
    e = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_environment_switches():
    code = ("import minitorch as mt, numpy as np; from minitorch import _onednn; "
            "import minitorch.nn.functional as F; "
            "F.conv2d(mt.ones(1, 2, 5, 5), mt.ones(3, 2, 3, 3)); "
            "print(mt.backends.mkldnn.enabled, mt.backends.mkldnn.is_available(), len(_onednn._plans), "
            "_onednn.why_not())")
    off = _child(code, MINITORCH_MKLDNN="0")
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[:1] == ["False"] and off.stdout.split()[2] == "0"
    missing = _child(code, MINITORCH_ONEDNN_LIBRARY="/nonexistent/libdnnl.so.3")
    assert missing.returncode == 0, missing.stderr
    assert missing.stdout.split()[:3] == ["True", "False", "0"]
    assert "could not be loaded" in missing.stdout or "not installed" in missing.stdout


@needs_onednn
def test_onednn_from_two_threads():
    """Calls from two Python threads at once (a data loader thread, a second model) give each its own answer."""
    cases = [(data((4, 3, 12, 12), s), data((5, 3, 3, 3), s + 1)) for s in range(2)]
    want = [TF.conv2d(torch.tensor(x), torch.tensor(w)).numpy() for x, w in cases]
    errors = []

    def work(i):
        x, w = mt.tensor(cases[i][0]), mt.tensor(cases[i][1])
        for _ in range(30):
            got = F.conv2d(x, w).numpy()
            if not np.allclose(got, want[i], rtol=1e-5, atol=1e-5):
                errors.append(i)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@needs_onednn
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_process_forked_after_onednn_ran_uses_numpy():
    """oneDNN's OpenMP threads do not survive a fork: a forked child (a DataLoader worker) that convolves runs
    numpy's code instead of waiting forever for them (run in a child process, with a timeout)."""
    code = ("import os, numpy as np, minitorch as mt, minitorch.nn.functional as F; from minitorch import _onednn\n"
            "x, w = mt.randn(8, 3, 16, 16), mt.randn(6, 3, 5, 5)\n"
            "y = F.conv2d(x, w).numpy()\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    ok = np.allclose(F.conv2d(x, w).numpy(), y, rtol=1e-5, atol=1e-5)\n"
            "    print('child', ok, _onednn.is_available(), flush=True); os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
            "print('parent', np.array_equal(F.conv2d(x, w).numpy(), y), _onednn.is_available())\n")
    out = _child(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["child True False", "parent True True"], out.stdout


@needs_onednn
def test_the_callers_openmp_setting_is_left_as_it_was():
    """A small product runs with one OpenMP thread, set around the call only: the setting is the calling thread's
    in the process's one libgomp, which torch shares (left at 1, torch's convolutions ran on one thread)."""
    was = _onednn._omp("omp_get_max_threads")
    _onednn._omp("omp_set_num_threads", 2)         # (whatever the environment or an earlier test left: 2 here)
    try:
        x = mt.randn(2, 8, 8, 8, requires_grad=True)
        F.conv2d(x, mt.randn(4, 8, 3, 3, requires_grad=True)).sum().backward()
        assert [p.threads for p in _onednn._plans.values()][-1] == 1
        assert _onednn._omp("omp_get_max_threads") == 2             # (torch.get_num_threads() reads this too)
    finally:
        _onednn._omp("omp_set_num_threads", was)
