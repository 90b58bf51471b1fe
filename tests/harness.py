"""The parity harness: run one function in minitorch and in torch on the same numpy data and compare.

    compare(lambda x, y: x * y, [a, b])

checks, against torch, the forward value (shape, dtype, numbers), the gradient of
every input for a random upstream gradient, and the double backward (the
gradient of <grad, v> for a random v with respect to the inputs and to the
upstream gradient: Hessian-vector products). The same lambda usually runs in
both libraries since minitorch has torch's API; pass ``torch_fn`` when not.
"""
import os

import numpy as np
import torch

import minitorch as mt

# tolerances per dtype: tight, but above the rounding noise of different summation orders
TOL = {
    np.dtype(np.float32): dict(rtol=2e-5, atol=2e-6),
    np.dtype(np.float64): dict(rtol=1e-10, atol=1e-12),
}
EXACT = dict(rtol=0, atol=0)

# MINITORCH_FAKE_CUDA=1: the ``cuda`` device of the parity suites is tests/fake_cupy.py (numpy behind cupy's
# interface) and torch runs on the CPU. It checks that a test puts every tensor on its device (a mix-up
# raises as on a GPU) on a machine without one; it is not a GPU test.
FAKE_CUDA = os.environ.get("MINITORCH_FAKE_CUDA") == "1"


def torch_device(device):
    """The device torch uses for a test on ``device`` (the CPU when CUDA is the fake one)."""
    return "cpu" if FAKE_CUDA and str(device).startswith("cuda") else device


def tol_for(dtype, scale=1.0):
    t = TOL.get(np.dtype(dtype), EXACT)
    return dict(rtol=t["rtol"] * scale, atol=t["atol"] * scale)


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():           # torch's double backward may return a ZeroTensor (e.g. through abs)
            return np.zeros(tuple(t.shape), dtype=torch.empty((), dtype=t.dtype).numpy().dtype)
        return t.detach().cpu().numpy()
    if isinstance(t, mt.Tensor):
        return mt._backend.to_numpy(t.detach()._data)
    return np.asarray(t)


def assert_same(ours, theirs, tol=None, what="value"):
    """Same shape, same dtype name, values equal within ``tol`` (default: per dtype)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{what}: structure differs"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_same(o, t, tol, f"{what}[{i}]")
        return
    if theirs is None or ours is None:
        assert ours is None and theirs is None, f"{what}: one side is None (ours={ours is None}, torch={theirs is None})"
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs, f"{what}: {ours!r} != {theirs!r}"
        return
    assert isinstance(ours, mt.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != {theirs.dtype}"
    a, b = to_numpy(ours), to_numpy(theirs)
    t = tol if tol is not None else tol_for(a.dtype)
    np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **t)


def make_inputs(arrays, requires_grad, noncontiguous=False, device="cpu"):
    """The same data as minitorch and torch tensors on ``device`` (optionally as non-contiguous views).

    A non-contiguous input is a view with a gap between elements of the last dim, sliced on the device
    itself (moving a strided CPU array to a GPU would make it contiguous).
    """
    ours, theirs = [], []
    tdev = torch_device(device)
    for a, rg in zip(arrays, requires_grad):
        if not isinstance(a, np.ndarray):
            ours.append(a)
            theirs.append(a)
            continue
        if (noncontiguous and a.ndim >= 1 and a.size > 1) or not a.flags.c_contiguous:
            big = np.zeros(a.shape[:-1] + (a.shape[-1] * 2,), a.dtype)
            big[..., ::2] = a
            m = mt.from_numpy(big).to(device)[..., ::2]
            t = torch.from_numpy(big.copy()).to(tdev)[..., ::2]
        else:
            m = mt.from_numpy(a.copy()).to(device)
            t = torch.from_numpy(a.copy()).to(tdev)
        if rg and a.dtype.kind == "f":
            m.requires_grad_(True)
            t.requires_grad_(True)
        ours.append(m)
        theirs.append(t)
    return ours, theirs


def _strided_copy(a):
    """A fresh non-contiguous view with the same values and strides pattern as ``a``."""
    big = np.empty(a.shape[:-1] + (a.shape[-1] * 2,), a.dtype)
    view = big[..., ::2]
    view[...] = a
    return view


def make_noncontiguous(a):
    """The same values, held by a view with a gap between elements of the last dim."""
    return _strided_copy(a)


def _random_like(rng, t):
    return rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype)


def compare(fn, arrays, torch_fn=None, *, requires_grad=None, grad=True, gradgrad=True, tol=None,
            noncontiguous=False, device="cpu", seed=0, grad_tol=None, gradgrad_tol=None):
    """Run ``fn`` in both engines on ``arrays`` and assert forward, backward and double backward agree."""
    torch_fn = torch_fn or fn
    if requires_grad is None:
        requires_grad = [True] * len(arrays)
    ours_in, theirs_in = make_inputs(arrays, requires_grad, noncontiguous, device)
    out_m = fn(*ours_in)
    out_t = torch_fn(*theirs_in)
    assert_same(out_m, out_t, tol, "forward")
    outs_m = out_m if isinstance(out_m, (tuple, list)) else (out_m,)
    outs_t = out_t if isinstance(out_t, (tuple, list)) else (out_t,)
    pairs = [(o, t) for o, t in zip(outs_m, outs_t) if isinstance(t, torch.Tensor) and t.requires_grad]
    diff_m = [x for x in ours_in if isinstance(x, mt.Tensor) and x.requires_grad]
    diff_t = [x for x in theirs_in if isinstance(x, torch.Tensor) and x.requires_grad]
    if not grad or not pairs or not diff_t:
        return out_m, out_t
    rng = np.random.default_rng(seed)
    ups = [_random_like(rng, t) for _, t in pairs]
    up_m = [mt.from_numpy(u.copy()).to(device).requires_grad_(gradgrad) for u in ups]
    up_t = [torch.from_numpy(u.copy()).to(torch_device(device)).requires_grad_(gradgrad) for u in ups]
    g_m = mt.autograd.grad([o for o, _ in pairs], diff_m, up_m, create_graph=gradgrad, allow_unused=True)
    g_t = torch.autograd.grad([t for _, t in pairs], diff_t, up_t, create_graph=gradgrad, allow_unused=True)
    g_t = [g if g is not None else torch.zeros_like(x) for g, x in zip(g_t, diff_t)]
    g_m = [g if g is not None else mt.zeros_like(x) for g, x in zip(g_m, diff_m)]
    assert_same(list(g_m), list(g_t), grad_tol or tol, "grad")
    if not gradgrad:
        return out_m, out_t
    usable = [(gm, gt) for gm, gt in zip(g_m, g_t) if gt.requires_grad]
    if not usable:
        # the gradient does not depend on anything differentiable (e.g. linear ops): nothing more to check
        for gm, gt in zip(g_m, g_t):
            assert not gm.requires_grad or gt.requires_grad or True
        return out_m, out_t
    vs = [_random_like(rng, gt) for _, gt in usable]
    s_m = sum((gm * mt.from_numpy(v.copy()).to(device)).sum() for (gm, _), v in zip(usable, vs))
    s_t = sum((gt * torch.from_numpy(v.copy()).to(torch_device(device))).sum() for (_, gt), v in zip(usable, vs))
    gg_m = mt.autograd.grad(s_m, diff_m + up_m, allow_unused=True)
    gg_t = torch.autograd.grad(s_t, diff_t + up_t, allow_unused=True)
    gg_t = [g if g is not None else torch.zeros_like(x) for g, x in zip(gg_t, diff_t + up_t)]
    gg_m = [g if g is not None else mt.zeros_like(x) for g, x in zip(gg_m, diff_m + up_m)]
    assert_same(list(gg_m), list(gg_t), gradgrad_tol or grad_tol or tol, "double backward")
    return out_m, out_t
