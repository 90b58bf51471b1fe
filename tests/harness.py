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

# How results are compared (the README's Tests section states the same method).
#
# float32: torch's float32 result is not the truth either, so both engines are measured against torch run in
# float64 on the same inputs (the float32 values, upcast exactly). Our error must stay within a small factor of
# torch-float32's own error over the tensor, plus a few float32 ulps of the magnitudes involved:
#     |ours - ref| <= 8 * max|torch32 - ref| + 4 * eps32 * S + 8 * eps32 * |ref|        (elementwise)
# where S is the largest |ref| among the results compared together and those they were computed from: the
# outputs of the forward; the gradients (and the forward's outputs); the double-backward results (and the
# gradients and forward outputs).
# Torch's realised error carries what an error bound would (the length of the reductions, cancellation, the
# conditioning of the op) without the test having to know it; the eps terms cover tensors where torch happens to
# round exactly, and S the cancellation a formula may do inside (a second derivative near zero computed as a
# difference of terms of the size of the first derivatives and the outputs). A wrong formula, a missing term or a wrong dtype is off by far more than this.
# float64 (and float32 where no float64 reference can be run): ours against torch with the per-dtype tolerances
# below, whose absolute part scales with the tensor's magnitude (max |torch|, when above 1).
EPS32 = float(np.finfo(np.float32).eps)
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


def _max_abs(tensors):
    vals = [float(np.abs(x).max()) for x in (to_numpy(t) for t in tensors if isinstance(t, torch.Tensor))
            if x.size and x.dtype.kind == "f" and np.isfinite(x).all()]
    return max(vals, default=0.0)


def assert_same(ours, theirs, tol=None, what="value", ref=None, stage_scale=0.0, context=()):
    """Same shape, same dtype name, values equal within ``tol`` (default: per dtype, magnitude-scaled).

    ``ref``: torch's result on the same inputs in float64, with the structure of ``theirs`` (or None). A float32
    tensor with a reference is held to the error bound at the top of this file (``stage_scale`` is its S, taken
    over the list compared and over ``context``, the reference results of the stages before) and ``tol`` does
    not apply.
    """
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{what}: structure differs"
        refs = ref if isinstance(ref, (tuple, list)) and len(ref) == len(theirs) else [None] * len(theirs)
        for i, (o, t, r) in enumerate(zip(ours, theirs, refs)):
            assert_same(o, t, tol, f"{what}[{i}]", r, stage_scale=max(_max_abs(refs), _max_abs(context)))
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
    if a.dtype == np.float32 and isinstance(ref, torch.Tensor) and tuple(ref.shape) == a.shape:
        assert_within_float32_bound(a, b, to_numpy(ref).astype(np.float64), what, stage_scale)
        return
    t = tol if tol is not None else tol_for(a.dtype)
    finite = np.abs(b[np.isfinite(b)]) if b.dtype.kind in "fc" else np.zeros(0)
    scale = max(float(finite.max()), 1.0) if finite.size else 1.0
    np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, rtol=t["rtol"], atol=t["atol"] * scale)


def assert_within_float32_bound(ours, theirs, ref, what="value", stage_scale=0.0):
    """Our float32 result is as close to the float64 reference as torch's float32 result is (see the top)."""
    odd = ~np.isfinite(theirs) | ~np.isfinite(ref)      # nan/inf (or float32 overflow): must match torch exactly
    np.testing.assert_array_equal(ours[odd], theirs[odd], err_msg=f"{what}: non-finite values differ from torch's")
    if odd.all():
        return
    o, t, r = (x[~odd].astype(np.float64) for x in (ours, theirs, ref))
    torch_err = float(np.abs(t - r).max())
    scale = max(float(np.abs(r).max()), stage_scale)
    allowed = 8 * torch_err + 4 * EPS32 * scale + 8 * EPS32 * np.abs(r)
    err = np.abs(o - r)
    bad = ~(err <= allowed)
    if bad.any():
        i = int(np.argmax(np.where(bad, err - allowed, -np.inf)))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} float32 values outside the error bound; worst: ours "
            f"{o[i]!r}, torch {t[i]!r}, float64 reference {r[i]!r} (our error {err[i]:.3g}, allowed {allowed[i]:.3g}; "
            f"torch's largest error {torch_err:.3g})")


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


def reference_inputs(arrays, requires_grad, device="cpu"):
    """Torch tensors of ``arrays`` with float32 upcast to float64 (the reference run); None if nothing is float32."""
    if not any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in arrays):
        return None
    out = []
    for a, rg in zip(arrays, requires_grad):
        if not isinstance(a, np.ndarray):
            out.append(a)
            continue
        t = torch.from_numpy(a.astype(np.float64) if a.dtype == np.float32 else a.copy()).to(torch_device(device))
        out.append(t.requires_grad_(True) if rg and a.dtype.kind == "f" else t)
    return out


def _fits(theirs, ref):
    """``ref`` has ``theirs``'s structure and shapes, float64 where ``theirs`` is float32 (else None)."""
    if isinstance(theirs, (tuple, list)):
        return isinstance(ref, (tuple, list)) and len(ref) == len(theirs) and all(map(_fits, theirs, ref))
    if not isinstance(theirs, torch.Tensor):
        return True
    return isinstance(ref, torch.Tensor) and ref.shape == theirs.shape and \
        ref.dtype == (torch.float64 if theirs.dtype == torch.float32 else theirs.dtype)


def _grad_or_zeros(grads, inputs):
    """Unused inputs' gradients (None) as zeros, in each input's library."""
    return [g if g is not None else (torch if isinstance(x, torch.Tensor) else mt).zeros_like(x)
            for g, x in zip(grads, inputs)]


def compare(fn, arrays, torch_fn=None, *, requires_grad=None, grad=True, gradgrad=True, tol=None,
            noncontiguous=False, device="cpu", seed=0, grad_tol=None, gradgrad_tol=None, torch_ref_fn=None,
            forward_scale=0.0):
    """Run ``fn`` in both engines on ``arrays`` and assert forward, backward and double backward agree.

    When an input is float32, torch also runs on the inputs upcast to float64: that run is the reference
    float32 results are measured against (see the top of this file; ``tol`` then applies to float64 only).
    ``torch_ref_fn`` is the float64 twin of ``torch_fn`` when that is not ``torch_fn`` itself (a module with
    float32 weights or running statistics: pass a float64 copy, called once per comparison as torch_fn is).
    Random draws are replayed: the reference run sees torch's generator as ``torch_fn`` saw it.
    ``forward_scale``: S for the forward where its rounding scales with more than its outputs (an average
    of k values of size at most m, which may cancel: its float32 rounding is up to about (k - 1) eps m, so
    S = k m / 4).
    """
    torch_fn = torch_fn or fn
    if requires_grad is None:
        requires_grad = [True] * len(arrays)
    ours_in, theirs_in = make_inputs(arrays, requires_grad, noncontiguous, device)
    ref_in = reference_inputs(arrays, requires_grad, device)
    out_m = fn(*ours_in)
    rng_state = torch.get_rng_state()
    out_t = torch_fn(*theirs_in)
    out_r = None
    if ref_in is not None:
        after = torch.get_rng_state()
        torch.set_rng_state(rng_state)
        try:
            out_r = (torch_ref_fn or torch_fn)(*ref_in)
        except Exception:            # the function does not run in float64 (a dtype fixed inside it): no reference
            pass
        torch.set_rng_state(after)
        if not _fits(out_t, out_r):
            out_r = None
    assert_same(out_m, out_t, tol, "forward", out_r, stage_scale=forward_scale)
    listed = lambda o: o if isinstance(o, (tuple, list)) else (o,)
    outs_m, outs_t = listed(out_m), listed(out_t)
    idx = [i for i, t in enumerate(outs_t) if isinstance(t, torch.Tensor) and t.requires_grad]
    diff_m = [x for x in ours_in if isinstance(x, mt.Tensor) and x.requires_grad]
    diff_t = [x for x in theirs_in if isinstance(x, torch.Tensor) and x.requires_grad]
    if not grad or not idx or not diff_t:
        return out_m, out_t
    rng = np.random.default_rng(seed)
    ups = [_random_like(rng, outs_t[i]) for i in idx]
    up_m = [mt.from_numpy(u.copy()).to(device).requires_grad_(gradgrad) for u in ups]
    up_t = [torch.from_numpy(u.copy()).to(torch_device(device)).requires_grad_(gradgrad) for u in ups]
    g_m = mt.autograd.grad([outs_m[i] for i in idx], diff_m, up_m, create_graph=gradgrad, allow_unused=True)
    g_t = torch.autograd.grad([outs_t[i] for i in idx], diff_t, up_t, create_graph=gradgrad, allow_unused=True)
    g_t = _grad_or_zeros(g_t, diff_t)
    g_m = _grad_or_zeros(g_m, diff_m)
    g_r = diff_r = up_r = None
    if out_r is not None:
        outs_r = listed(out_r)
        diff_r = [x for x in ref_in if isinstance(x, torch.Tensor) and x.requires_grad]
        up_r = [torch.from_numpy(u.astype(np.float64) if u.dtype == np.float32 else u.copy())
                .to(torch_device(device)).requires_grad_(gradgrad) for u in ups]
        try:
            g_r = _grad_or_zeros(torch.autograd.grad([outs_r[i] for i in idx], diff_r, up_r,
                                                     create_graph=gradgrad, allow_unused=True), diff_r)
        except RuntimeError:
            g_r = None
    assert_same(list(g_m), list(g_t), grad_tol or tol, "grad", g_r, context=listed(out_r) if out_r is not None else ())
    if not gradgrad:
        return out_m, out_t
    usable = [k for k, gt in enumerate(g_t) if gt.requires_grad]
    if not usable:
        # the gradient does not depend on anything differentiable (e.g. linear ops): ours must not either
        # (a gradient that requires grad where torch's does not would build a graph torch never builds). Not
        # asked where nothing flows: an empty gradient or upstream gradient is constant zero, and torch's
        # backward of cat / repeat then returns it with or without a graph depending on the op
        if all(u.size for u in ups):
            for gm in g_m:
                assert not gm.requires_grad or gm.numel() == 0, "grad: requires grad in minitorch but not in torch"
        return out_m, out_t
    vs = [_random_like(rng, g_t[k]) for k in usable]
    v_dev = lambda v, dt=None: torch.from_numpy(v.astype(dt) if dt else v.copy()).to(torch_device(device))
    s_m = sum((g_m[k] * mt.from_numpy(v.copy()).to(device)).sum() for k, v in zip(usable, vs))
    s_t = sum((g_t[k] * v_dev(v)).sum() for k, v in zip(usable, vs))
    gg_m = mt.autograd.grad(s_m, diff_m + up_m, allow_unused=True)
    gg_t = _grad_or_zeros(torch.autograd.grad(s_t, diff_t + up_t, allow_unused=True), diff_t + up_t)
    gg_m = _grad_or_zeros(gg_m, diff_m + up_m)
    gg_r = None
    if g_r is not None and all(g_r[k].requires_grad for k in usable):
        s_r = sum((g_r[k] * v_dev(v, np.float64 if v.dtype == np.float32 else None)).sum() for k, v in zip(usable, vs))
        gg_r = _grad_or_zeros(torch.autograd.grad(s_r, diff_r + up_r, allow_unused=True), diff_r + up_r)
    assert_same(list(gg_m), list(gg_t), gradgrad_tol or grad_tol or tol, "double backward", gg_r,
                context=list(listed(out_r)) + list(g_r) if gg_r is not None else ())
    return out_m, out_t
