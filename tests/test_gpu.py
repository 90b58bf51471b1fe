"""What only a real GPU can show: the fused kernels, no host round trips in a training step, deferred errors.

The parity suites (device fixture) compare every op, layer and optimizer with torch CUDA. These tests add:

- every fused kernel of ``minitorch/_kernels.py`` gives the generic array code's numbers (kernels on vs off),
  and torch's;
- a training step of each model of the zoo runs without one host-device synchronisation
  (``cupyx.allow_synchronize(False)`` raises at the first one);
- a class index out of range inside the fused cross-entropy kernel is raised at the next synchronising call.

They skip on a machine without a GPU (and in the fake-CUDA mode of tests/harness.py).
"""
import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import _kernels
import harness
from harness import assert_same
from conftest import CUDA

pytestmark = pytest.mark.skipif(not CUDA or harness.FAKE_CUDA,
                                reason="needs a real GPU (cupy with a CUDA device, and torch built with CUDA)")


@pytest.fixture
def generic():
    """Run the body with the fused kernels switched off (the generic array code)."""
    old = _kernels.ENABLED
    _kernels.ENABLED = False
    yield
    _kernels.ENABLED = old


def _both(fn):
    """fn() with the fused kernels on, then off; both results as numpy (lists of arrays)."""
    old = _kernels.ENABLED
    try:
        _kernels.ENABLED = True
        on = fn()
        _kernels.ENABLED = False
        off = fn()
    finally:
        _kernels.ENABLED = old
    assert not _kernels.BROKEN, f"a fused kernel could not be built: {_kernels.BROKEN}"
    return on, off


def _np(ts):
    return [harness.to_numpy(t) for t in ts]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore", [False, True])
def test_fused_cross_entropy_matches_generic_and_torch(dtype, reduction, ignore):
    r = np.random.default_rng(0)
    x = (r.standard_normal((37, 11)) * 3).astype(dtype)
    t = r.integers(0, 11, 37)
    if ignore:
        t[::5] = -100
    up = r.standard_normal(37 if reduction == "none" else ()).astype(dtype)

    def run():
        xm = mt.from_numpy(x.copy()).cuda().requires_grad_()
        loss = mt.nn.functional.cross_entropy(xm, mt.from_numpy(t).cuda(), reduction=reduction)
        loss.backward(mt.from_numpy(up.copy()).cuda())
        return _np([loss, xm.grad])

    on, off = _both(run)
    xt = torch.from_numpy(x.copy()).cuda().requires_grad_()
    lt = torch.nn.functional.cross_entropy(xt, torch.from_numpy(t).cuda(), reduction=reduction)
    lt.backward(torch.from_numpy(up.copy()).cuda())
    tol = harness.tol_for(dtype)
    for a, b, c in zip(on, off, _np([lt, xt.grad])):
        np.testing.assert_allclose(a, b, **tol)
        np.testing.assert_allclose(a, c, **tol)


def test_fused_cross_entropy_double_backward_matches_torch():
    """create_graph=True leaves the one-kernel backward for the Tensor-op formula; the fused forward feeds it."""
    r = np.random.default_rng(1)
    x = r.standard_normal((8, 5))
    t = r.integers(0, 5, 8)
    harness.compare(lambda a: mt.nn.functional.cross_entropy(a, mt.from_numpy(t).cuda()), [x],
                    lambda a: torch.nn.functional.cross_entropy(a, torch.from_numpy(t).cuda()), device="cuda")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_relu_backward_matches_generic(dtype):
    r = np.random.default_rng(2)
    x = r.standard_normal((64, 300)).astype(dtype)
    x[0, :3] = [0.0, -0.0, np.nan]
    g = r.standard_normal((64, 300)).astype(dtype)

    def run():
        xm = mt.from_numpy(x.copy()).cuda().requires_grad_()
        mt.relu(xm).backward(mt.from_numpy(g.copy()).cuda())
        return _np([xm.grad])

    on, off = _both(run)
    np.testing.assert_array_equal(on[0], off[0])


@pytest.mark.parametrize("options", [dict(momentum=0.9), dict(momentum=0.9, nesterov=True),
                                     dict(momentum=0.5, dampening=0.3, weight_decay=0.01),
                                     dict(momentum=0.9, maximize=True)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_sgd_matches_generic_and_torch(options, dtype):
    r = np.random.default_rng(3)
    p0 = r.standard_normal((20, 7)).astype(dtype)
    grads = [r.standard_normal((20, 7)).astype(dtype) for _ in range(4)]

    def run():
        p = mt.from_numpy(p0.copy()).cuda().requires_grad_()
        opt = mt.optim.SGD([p], lr=0.1, **options)
        for g in grads:
            p.grad = mt.from_numpy(g.copy()).cuda()
            opt.step()
        return _np([p, opt.state[p]["momentum_buffer"]])

    on, off = _both(run)
    pt = torch.from_numpy(p0.copy()).cuda().requires_grad_()
    opt = torch.optim.SGD([pt], lr=0.1, **options)
    for g in grads:
        pt.grad = torch.from_numpy(g.copy()).cuda()
        opt.step()
    theirs = _np([pt, opt.state[pt]["momentum_buffer"]])
    tol = harness.tol_for(dtype, 4.0)     # four steps; FMA contraction differs by an ulp per step
    for a, b, c in zip(on, off, theirs):
        np.testing.assert_allclose(a, b, **tol)
        np.testing.assert_allclose(a, c, **tol)


@pytest.mark.parametrize("geometry", [
    dict(stride=1, padding=1), dict(stride=2, padding=0), dict(stride=2, padding=2, dilation=2),
    dict(stride=(1, 3), padding=(2, 0), groups=2), dict(stride=3, padding=1, dilation=(1, 2)),
], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_conv_input_grad_matches_generic_and_torch(geometry, dtype):
    r = np.random.default_rng(4)
    x = r.standard_normal((3, 4, 11, 13)).astype(dtype)
    w = r.standard_normal((6, 4 // geometry.get("groups", 1), 3, 4)).astype(dtype)

    def run():
        xm = mt.from_numpy(x.copy()).cuda().requires_grad_()
        y = mt.nn.functional.conv2d(xm, mt.from_numpy(w.copy()).cuda(), **geometry)
        y.backward(mt.ones_like(y))
        return _np([xm.grad])

    on, off = _both(run)
    xt = torch.from_numpy(x.copy()).cuda().requires_grad_()
    y = torch.nn.functional.conv2d(xt, torch.from_numpy(w.copy()).cuda(), **geometry)
    y.backward(torch.ones_like(y))
    tol = harness.tol_for(dtype, 5.0)
    np.testing.assert_allclose(on[0], off[0], **tol)
    np.testing.assert_allclose(on[0], harness.to_numpy(xt.grad), **tol)


@pytest.mark.parametrize("hw", [(8, 10), (9, 7)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_maxpool_backward_matches_generic_and_torch(hw, dtype):
    """2x2/stride-2 windows, odd sizes (a row/column no window reads), ties and NaNs (torch's scan decides)."""
    r = np.random.default_rng(5)
    x = np.round(r.standard_normal((2, 3) + hw) * 2).astype(dtype)      # rounding makes ties
    x[0, 0, 0, 1] = np.nan
    g = r.standard_normal((2, 3, hw[0] // 2, hw[1] // 2)).astype(dtype)

    def run():
        xm = mt.from_numpy(x.copy()).cuda().requires_grad_()
        mt.nn.functional.max_pool2d(xm, 2).backward(mt.from_numpy(g.copy()).cuda())
        return _np([xm.grad])

    on, off = _both(run)
    xt = torch.from_numpy(x.copy()).cuda().requires_grad_()
    torch.nn.functional.max_pool2d(xt, 2).backward(torch.from_numpy(g.copy()).cuda())
    np.testing.assert_array_equal(on[0], harness.to_numpy(xt.grad))
    np.testing.assert_array_equal(on[0], off[0])


@pytest.mark.parametrize("model,shape", [("mlp", (1, 28, 28)), ("lenet", (3, 32, 32)), ("resnet", (3, 32, 32))])
def test_training_step_never_waits_for_the_gpu(model, shape):
    """zero_grad, forward, cross-entropy, backward, SGD-momentum step: no host-device synchronisation at all."""
    import cupyx
    from reference.models import build
    mt.manual_seed(0)
    net = build(model, mt).cuda()
    opt = mt.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = mt.randn((16,) + shape, device="cuda")
    y = mt.randint(0, 10, (16,), device="cuda")

    def step():
        opt.zero_grad()
        loss = mt.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    step()                                          # first step: momentum buffers, kernel compilation
    with cupyx.allow_synchronize(False):
        loss = step()
        step()
    assert np.isfinite(loss.item())


def test_cross_entropy_bad_target_is_raised_at_the_next_sync():
    """The fused kernel cannot stop the host; it records the bad class and item() raises torch's CPU message."""
    x = mt.randn(4, 10, device="cuda", requires_grad=True)
    loss = mt.nn.functional.cross_entropy(x, mt.tensor([1, 12, 3, 4], device="cuda"))
    with pytest.raises(IndexError, match="Target 12 is out of bounds."):
        loss.item()
    ok = mt.nn.functional.cross_entropy(x, mt.tensor([1, 2, 3, 4], device="cuda"))
    assert np.isfinite(ok.item())                   # the error is reported once, then cleared


def test_cross_entropy_bad_target_is_raised_at_once_without_fused_kernels(generic):
    x = mt.randn(4, 10, device="cuda")
    with pytest.raises(IndexError, match="Target 12 is out of bounds."):
        mt.nn.functional.cross_entropy(x, mt.tensor([1, 12, 3, 4], device="cuda"))
