"""Nothing silently wrong (issue 11): numeric edge cases where a wrong number, not an error, would come back.

Each class is checked against torch: integer division by zero, gradients of piecewise ops at their
breakpoints and under inf / NaN upstream gradients, NaN handling of sign / max / min, dtype rules of lerp
and the losses, zero-size linear layers, the ``requires_grad`` of gradients taken with ``create_graph``,
and numpy's RuntimeWarnings (which must never reach a user, even one running with warnings as errors).
"""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import minitorch as mt
from tests.harness import assert_same, compare, to_numpy

NAN, INF = float("nan"), float("inf")
DTYPES = [np.float32, np.float64]


def _outcome(fn, lib):
    """(kind, value): the result as numpy, or the exception's type name and message."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            r = fn(lib)
    except Exception as e:                       # noqa: BLE001 - the exception is the thing compared
        return "error", (type(e).__name__, str(e))
    return "value", r


def _same_outcome(fn):
    kt, vt = _outcome(fn, torch)
    km, vm = _outcome(fn, mt)
    assert (kt, vt if kt == "error" else None) == (km, vm if km == "error" else None), (vt, vm)
    if kt == "value":
        assert_same(vm, vt, tol=dict(rtol=0, atol=0))


# ---------------------------------------------------------------- integer division by zero
_INT_DTYPES = ["int64", "int32", "uint8", "int8", "int16", "bool"]
_DIV_OPS = {
    "//": lambda a, b: a // b,
    "floor_divide": lambda a, b: a.floor_divide(b) if hasattr(a, "floor_divide") else NotImplemented,
    "remainder": lambda a, b: a.remainder(b) if hasattr(a, "remainder") else NotImplemented,
    "%": lambda a, b: a % b,
    "div_floor": lambda a, b: a.div(b, rounding_mode="floor") if hasattr(a, "div") else NotImplemented,
    "div_trunc": lambda a, b: a.div(b, rounding_mode="trunc") if hasattr(a, "div") else NotImplemented,
    "fmod": lambda a, b: a.fmod(b) if hasattr(a, "fmod") else NotImplemented,
    "div": lambda a, b: a / b,
}
_DIV_FORMS = {
    "tensor/tensor": lambda L, dt: (L.tensor([5, 3, 0], dtype=dt), L.tensor([0, 1, 1], dtype=dt)),
    "tensor/0": lambda L, dt: (L.tensor([5, 3, 0], dtype=dt), 0),
    "tensor/0-dim 0": lambda L, dt: (L.tensor([5, 3, 0], dtype=dt), L.tensor(0, dtype=dt)),
    "tensor/0.0": lambda L, dt: (L.tensor([5, 3, 0], dtype=dt), 0.0),
    "tensor/nonzero": lambda L, dt: (L.tensor([5, -3, 0], dtype=dt), L.tensor([2, 2, 1], dtype=dt)),
    "empty/0": lambda L, dt: (L.zeros((0, 3), dtype=dt), L.tensor([0, 1, 2], dtype=dt)),
}


@pytest.mark.parametrize("dt", _INT_DTYPES)
@pytest.mark.parametrize("op", list(_DIV_OPS))
@pytest.mark.parametrize("form", list(_DIV_FORMS))
def test_integer_division_by_zero(dt, op, form):
    """torch raises RuntimeError('ZeroDivisionError') in every integer division kernel on the CPU (numpy: 0)."""
    if dt == "uint8" and form == "tensor/nonzero":
        form_fn = lambda L, d: (L.tensor([5, 3, 0], dtype=d), L.tensor([2, 2, 1], dtype=d))  # noqa: E731
    else:
        form_fn = _DIV_FORMS[form]

    def run(L):
        a, b = form_fn(L, getattr(L, dt))
        return _DIV_OPS[op](a, b)
    _same_outcome(run)


@pytest.mark.parametrize("op", ["//", "%"])
def test_integer_division_by_zero_number_first(op):
    f = {"//": lambda a: 5 // a, "%": lambda a: 5 % a}[op]
    _same_outcome(lambda L: f(L.tensor([0, 1])))


def test_inplace_floor_divide_by_zero_raises_and_keeps_tensor():
    for L in (torch, mt):
        a = L.tensor([5, 6])
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            a //= 0
        assert a.tolist() == [5, 6]


# ---------------------------------------------------------------- gradients at breakpoints, inf/NaN upstream
def _piecewise(L):
    F = L.nn.functional
    return {
        "relu": L.relu, "relu6": F.relu6, "hardtanh": F.hardtanh, "hardtanh(-2,3)": lambda x: F.hardtanh(x, -2.0, 3.0),
        "clamp(0,1)": lambda x: L.clamp(x, 0, 1), "clamp_min": lambda x: L.clamp_min(x, 0.0),
        "clamp_max": lambda x: L.clamp_max(x, 0.0),
        "clamp(tensor)": lambda x: L.clamp(x, L.zeros_like(x), L.ones_like(x)),
        "leaky_relu": F.leaky_relu, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish, "abs": L.abs,
        "threshold": lambda x: F.threshold(x, 1.0, 5.0), "hardshrink": F.hardshrink, "softshrink": F.softshrink,
        "elu": F.elu, "selu": F.selu, "celu": lambda x: F.celu(x, 2.0),
        "prelu": lambda x: F.prelu(x, L.tensor([0.25], dtype=x.dtype)),
        "maximum": lambda x: L.maximum(x, L.zeros_like(x)), "minimum": lambda x: L.minimum(x, L.zeros_like(x)),
        "sign": L.sign, "max": lambda x: x.max(), "min": lambda x: x.min(), "amax": lambda x: L.amax(x, 0),
        "amin": lambda x: L.amin(x, 0), "max(dim)": lambda x: x.max(0)[0], "min(dim)": lambda x: x.min(0)[0],
        "where": lambda x: L.where(x > 0, x, L.zeros_like(x)),
        "max_pool1d": lambda x: F.max_pool1d(x.reshape(1, 1, -1), 2).reshape(-1),
        "max_pool1d(3,1)": lambda x: F.max_pool1d(x.reshape(1, 1, -1), 3, 1).reshape(-1),
        "adaptive_max_pool1d": lambda x: F.adaptive_max_pool1d(x.reshape(1, 1, -1), 4).reshape(-1),
        "relu6(x)^0.5": lambda x: F.relu6(x).sqrt(), "hardtanh(x)^0.5": lambda x: F.hardtanh(x).sqrt(),
        "clamp(x)^0.5": lambda x: L.clamp(x, 0, 1).sqrt(), "relu(x)^0.5": lambda x: L.relu(x).sqrt(),
        "hardsigmoid(x)^0.5": lambda x: F.hardsigmoid(x).sqrt(), "threshold(x)^0.5": lambda x: F.threshold(x, 1.0, 0.0).sqrt(),
    }


_PIECEWISE = list(_piecewise(torch))
_POINTS = {
    "breakpoints": [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, -0.5, 0.5, 2.0, -2.0],
    # one NaN, first: torch's SIMD body and scalar tail disagree on a NaN at the kinks of some kernels
    "nan": [NAN, 1.0, 0.0, -1.0, 3.0, 6.0, -3.0, 0.5, 2.0, -2.0],
    "inf": [INF, -INF, 0.0, 1.0, 6.0, -1.0, 3.0, -3.0, 2.0, 0.5],
}
_UPSTREAM = {"ones": 1.0, "inf": INF, "-inf": -INF, "nan": NAN, "random": None}


def _grad_at(L, fn, a, up):
    x = L.tensor(a, requires_grad=True)
    y = fn(x)
    g_up = L.full_like(y, up) if up is not None else L.tensor(
        np.random.default_rng(0).standard_normal(tuple(y.shape)).astype(a.dtype))
    g, = L.autograd.grad(y, x, g_up, allow_unused=True)
    return y, (g if g is not None else L.zeros_like(x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("points", list(_POINTS))
@pytest.mark.parametrize("up", list(_UPSTREAM))
@pytest.mark.parametrize("name", _PIECEWISE)
def test_piecewise_gradients_match_torch(name, up, points, dtype):
    """Values and gradients at the kinks, at NaN/inf inputs and for inf/NaN upstream gradients (a 0 * inf in a
    mask multiplication would give NaN where torch's selecting kernels give 0), with numpy warnings as errors."""
    a = np.array(_POINTS[points], dtype=dtype)
    yt, gt = _grad_at(torch, _piecewise(torch)[name], a, _UPSTREAM[up])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ym, gm = _grad_at(mt, _piecewise(mt)[name], a, _UPSTREAM[up])
    assert_same(ym, yt.detach(), what="forward")
    if points == "nan" and not _torch_consistent_at_nan(name, _UPSTREAM[up]):
        keep = ~np.isnan(a)                   # torch has no single answer there: compare the other elements
        gm, gt = mt.tensor(to_numpy(gm)[keep]), torch.tensor(to_numpy(gt)[keep])
    assert_same(gm, gt, what="grad")


def _torch_consistent_at_nan(name, up):
    """Whether torch's gradient at a NaN input is the same in its SIMD body and its scalar tail, in both
    float dtypes (for the kinks of hardtanh, hardshrink, ... it is not: then there is no torch answer)."""
    seen = set()
    for dtype in DTYPES:
        for pos in (0, 9):
            a = np.array(_POINTS["breakpoints"], dtype=dtype)
            a[pos] = NAN
            _, g = _grad_at(torch, _piecewise(torch)[name], a, 1.0 if up is None else up)
            seen.add(repr(float(g[pos])))
    return len(seen) == 1


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["relu6", "hardtanh", "hardsigmoid", "hardswish", "threshold", "hardshrink", "softshrink",
                        "leaky_relu", "clamp(0,1)", "elu", "celu", "selu", "abs", "prelu"]),
       st.sampled_from(DTYPES),
       st.lists(st.sampled_from([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 0.25, -4.5, 7.0]),
                min_size=1, max_size=8))
def test_piecewise_double_backward_at_breakpoints(name, dtype, values):
    """Forward, gradient and double backward on inputs made of breakpoints (harness.compare)."""
    fn_m, fn_t = _piecewise(mt)[name], _piecewise(torch)[name]
    if name == "hardsigmoid":                 # torch has no double backward for it: see the test below
        compare(fn_m, [np.array(values, dtype=dtype)], torch_fn=fn_t, gradgrad=False)
        return
    if name == "prelu" and 0.0 in values:     # torch's second derivative at exactly 0: see test_prelu_at_zero
        compare(fn_m, [np.array(values, dtype=dtype)], torch_fn=fn_t, gradgrad=False)
        values = [v for v in values if v != 0.0] or [1.0]
    compare(fn_m, [np.array(values, dtype=dtype)], torch_fn=fn_t)


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_at_zero(dtype):
    """At x = 0 torch's first derivative takes prelu's negative branch (a g, as ours) but its double backward
    the positive one (its mask there is x >= 0). Ours differentiates its own first derivative: at 0 its second
    derivatives are torch's just left of 0 (x = -1e-30, where torch is consistent)."""
    def second(L, x0):
        x = L.tensor(np.array([x0, -1.0, 2.0], dtype=dtype), requires_grad=True)
        a = L.tensor(np.array([0.25], dtype=dtype), requires_grad=True)
        up = L.tensor(np.array([0.7, -0.3, 1.1], dtype=dtype), requires_grad=True)
        gx, ga = L.autograd.grad(L.nn.functional.prelu(x, a), (x, a), up, create_graph=True)
        s = (gx * L.tensor(np.array([0.5, 0.2, -0.4], dtype=dtype))).sum() + ga.sum() * 1.3
        return [gx, ga] + list(L.autograd.grad(s, (x, a, up)))
    ours, left, at_zero = second(mt, 0.0), second(torch, -1e-30), second(torch, 0.0)
    assert_same(ours[0], at_zero[0].detach())                # the first derivative is torch's at 0
    assert_same(ours[1], at_zero[1].detach())
    for o, t in zip(ours[2:], left[2:]):                      # the second, torch's just left of 0
        assert_same(o, t)
    assert float(at_zero[4][0]) != float(ours[4][0])          # (and torch's own at 0 differs: the documented gap)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hardsigmoid_double_backward(dtype):
    """torch raises "derivative for aten::hardsigmoid_backward is not implemented" (a gap in torch, not a
    mistake of the user's); ours answers. Its gradient u * h'(x) is linear in u with slope h'(x), torch's first
    derivative (1/6 strictly inside (-3, 3), else 0), and its slope in x is 0: checked against torch's h'."""
    a = np.array([-4.5, -3.0, -1.0, 0.0, 0.5, 3.0, 6.0], dtype=dtype)
    up = np.linspace(-1.0, 2.0, a.size).astype(dtype)
    xt, ut = torch.tensor(a, requires_grad=True), torch.tensor(up, requires_grad=True)
    gt, = torch.autograd.grad(torch.nn.functional.hardsigmoid(xt), xt, ut, create_graph=True)
    with pytest.raises(RuntimeError, match="hardsigmoid_backward is not implemented"):
        torch.autograd.grad(gt.sum(), (xt, ut))
    xs = torch.tensor(a, requires_grad=True)
    slope, = torch.autograd.grad(torch.nn.functional.hardsigmoid(xs).sum(), xs)
    xm, um = mt.tensor(a, requires_grad=True), mt.tensor(up, requires_grad=True)
    gm, = mt.autograd.grad(mt.nn.functional.hardsigmoid(xm), xm, um, create_graph=True)
    assert_same(gm, gt.detach())
    gx, gu = mt.autograd.grad(gm.sum(), (xm, um), allow_unused=True)
    assert gx is None or not to_numpy(gx).any()
    assert_same(gu, slope)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn", ["elu", "selu", "celu"])
def test_elu_second_derivative_at_zero(fn, dtype):
    """torch's elu double backward keeps only x < 0: the second derivative at 0 is 0."""
    F_m, F_t = mt.nn.functional, torch.nn.functional
    compare(lambda x: getattr(F_m, fn)(x), [np.array([0.0, -0.0, -1.0, 1.0], dtype=dtype)],
            torch_fn=lambda x: getattr(F_t, fn)(x))


# ---------------------------------------------------------------- NaN handling
@pytest.mark.parametrize("dtype", DTYPES)
def test_sign_of_nan_and_signed_zero(dtype):
    a = np.array([NAN, -0.0, 0.0, -INF, INF, -2.0, 3.0], dtype=dtype)
    ym, yt = mt.sign(mt.tensor(a)), torch.sign(torch.tensor(a))
    assert_same(ym, yt)
    assert to_numpy(ym.signbit()).tolist() == yt.signbit().tolist()


@pytest.mark.parametrize("op", ["max", "min"])
def test_full_max_min_route_gradient_to_nan(op):
    a = np.array([1.0, NAN, 3.0, NAN, 3.0])
    for up in (2.0, INF):
        _, gt = _grad_at(torch, lambda x: getattr(x, op)(), a, up)
        _, gm = _grad_at(mt, lambda x: getattr(x, op)(), a, up)
        assert_same(gm, gt)


@pytest.mark.parametrize("name", ["clamp", "maximum", "minimum", "clamp_tensor"])
def test_nan_propagation_of_bounded_ops(name):
    a = np.array([NAN, 0.5, 3.0, -3.0])
    b = np.array([1.0, NAN, NAN, 0.0])
    fns = {"clamp": lambda L, x, y: L.clamp(x, 0, 1), "maximum": lambda L, x, y: L.maximum(x, y),
           "minimum": lambda L, x, y: L.minimum(x, y), "clamp_tensor": lambda L, x, y: L.clamp(x, y, y + 2)}
    compare(lambda x, y: fns[name](mt, x, y), [a, b], torch_fn=lambda x, y: fns[name](torch, x, y), gradgrad=False)


# ---------------------------------------------------------------- dtype and layout rules
@pytest.mark.parametrize("which", ["end", "weight"])
def test_lerp_refuses_mixed_dtypes(which):
    def run(L):
        x = L.tensor([1.0, 2.0])
        other = L.tensor([3.0, 4.0], dtype=L.float64)
        return L.lerp(x, other, 0.5) if which == "end" else L.lerp(x, L.tensor([3.0, 4.0]), other)
    _same_outcome(run)


_LOSSES = {
    "mse_loss": lambda F, a, b: F.mse_loss(a, b), "l1_loss": lambda F, a, b: F.l1_loss(a, b),
    "smooth_l1_loss": lambda F, a, b: F.smooth_l1_loss(a, b), "huber_loss": lambda F, a, b: F.huber_loss(a, b),
    "binary_cross_entropy": lambda F, a, b: F.binary_cross_entropy(a, b),
    "binary_cross_entropy_with_logits": lambda F, a, b: F.binary_cross_entropy_with_logits(a, b),
    "kl_div": lambda F, a, b: F.kl_div(a, b, reduction="batchmean"),
    "mse_loss(none)": lambda F, a, b: F.mse_loss(a, b, reduction="none"),
    "smooth_l1_loss(sum)": lambda F, a, b: F.smooth_l1_loss(a, b, reduction="sum"),
}


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32")])
@pytest.mark.parametrize("loss", list(_LOSSES))
def test_loss_of_mixed_float_dtypes(loss, dtypes):
    """torch promotes (mse, l1, smooth_l1, kl_div), keeps the target's dtype (bce with logits) or refuses (bce)."""
    def run(L):
        a = L.tensor([0.1, 0.2, 0.7], dtype=getattr(L, dtypes[0]))
        b = L.tensor([0.3, 0.9, 0.0], dtype=getattr(L, dtypes[1]))
        return _LOSSES[loss](L.nn.functional, a, b)
    kt, vt = _outcome(run, torch)
    km, vm = _outcome(run, mt)
    assert kt == km, (vt, vm)
    if kt == "error":
        assert vt == vm
    else:
        assert_same(vm, vt, tol=dict(rtol=1e-6, atol=1e-7))


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("shape", [(3, 0), (0, 0), (2, 4, 0)])
def test_linear_with_no_input_features(shape, create_graph):
    for bias in (True, False):
        ins = [np.zeros(shape), np.zeros((2, shape[-1]))] + ([np.arange(2.0)] if bias else [])
        compare(lambda *t: mt.nn.functional.linear(*t), ins, torch_fn=lambda *t: torch.nn.functional.linear(*t),
                gradgrad=create_graph)


# ---------------------------------------------------------------- create_graph: gradients that must require grad
def _create_graph_ops(L):
    F = L.nn.functional
    return {
        "max_pool2d": lambda x: F.max_pool2d(x, 2), "max_pool2d(3,1)": lambda x: F.max_pool2d(x, 3, 1),
        "max_pool2d(pad)": lambda x: F.max_pool2d(x, 3, 2, 1), "avg_pool2d": lambda x: F.avg_pool2d(x, 2),
        "avg_pool2d(3,1,1)": lambda x: F.avg_pool2d(x, 3, 1, 1),
        "adaptive_avg_pool2d(3)": lambda x: F.adaptive_avg_pool2d(x, 3),
        "adaptive_avg_pool2d(2)": lambda x: F.adaptive_avg_pool2d(x, 2),
        "adaptive_avg_pool2d(1)": lambda x: F.adaptive_avg_pool2d(x, 1),
        "adaptive_max_pool2d(3)": lambda x: F.adaptive_max_pool2d(x, 3),
        "max_pool1d": lambda x: F.max_pool1d(x.reshape(1, 1, 16), 2),
        "avg_pool1d": lambda x: F.avg_pool1d(x.reshape(1, 1, 16), 2),
        "adaptive_avg_pool1d": lambda x: F.adaptive_avg_pool1d(x.reshape(1, 1, 16), 3),
        "adaptive_max_pool1d": lambda x: F.adaptive_max_pool1d(x.reshape(1, 1, 16), 3),
        "relu": F.relu, "relu6": F.relu6, "hardtanh": F.hardtanh, "leaky_relu": F.leaky_relu, "abs": L.abs,
        "clamp": lambda x: x.clamp(0, 1), "threshold": lambda x: F.threshold(x, 0.1, 2.0),
        "hardshrink": F.hardshrink, "softshrink": F.softshrink,
        "prelu": lambda x: F.prelu(x, L.tensor([0.2])), "max": lambda x: x.max(), "amax": lambda x: x.amax(1),
        "max(dim)": lambda x: x.max(2)[0], "maximum": lambda x: L.maximum(x, L.zeros_like(x)),
        "mean": lambda x: x.mean(), "sum": lambda x: x.sum(), "mul": lambda x: x * 2,
        "index": lambda x: x[0, 0, [1, 2]], "pad": lambda x: F.pad(x, (1, 1)), "elu": F.elu,
    }


@pytest.mark.parametrize("name", list(_create_graph_ops(torch)))
def test_create_graph_gradient_requires_grad_as_in_torch(name):
    """A gradient taken with create_graph=True for a constant upstream gradient: requires_grad as torch's, and
    a backward through it gives the same (zero) input gradient, not a missing one."""
    a = np.random.default_rng(1).standard_normal((1, 1, 4, 4)).astype(np.float32)
    res = {}
    for L in (torch, mt):
        x = L.tensor(a, requires_grad=True)
        y = _create_graph_ops(L)[name](x)
        g, = L.autograd.grad(y, x, L.ones_like(y), create_graph=True)
        out = [g.requires_grad]
        if g.requires_grad:
            (g * L.tensor(np.arange(16.0, dtype=np.float32).reshape(1, 1, 4, 4))).sum().backward()
            out.append(None if x.grad is None else to_numpy(x.grad).tolist())
        res[L.__name__] = out
    assert res["minitorch"][0] == res["torch"][0]
    if res["torch"][0]:
        assert res["minitorch"][1] is not None
        np.testing.assert_allclose(res["minitorch"][1], res["torch"][1], rtol=2e-5, atol=1e-5)


# ---------------------------------------------------------------- numpy's warnings never reach the user
def _warning_cases(L):
    F = L.nn.functional
    e, z = L.zeros(0), L.tensor([0.0, -0.0, 1.0])
    inf = L.tensor([INF, -INF, 1.0, 0.0])
    big = L.tensor([1e30, -1e30, 3e38], dtype=L.float32)
    return {
        "mean(empty)": lambda: e.mean(), "mean(empty, dim)": lambda: L.zeros(2, 0).mean(1),
        "sum(empty)": lambda: e.sum(), "mse_loss(empty)": lambda: F.mse_loss(e, e),
        "l1_loss(empty)": lambda: F.l1_loss(e, e), "smooth_l1_loss(empty)": lambda: F.smooth_l1_loss(e, e),
        "huber_loss(empty)": lambda: F.huber_loss(e, e),
        "log(0)": lambda: L.log(z), "log2(0)": lambda: L.log2(z), "log10(0)": lambda: L.log10(z),
        "log1p(-1)": lambda: L.log1p(-z - 1), "1/0": lambda: 1 / z, "x/0": lambda: z / 0,
        "0/0": lambda: z / z, "reciprocal(0)": lambda: z.reciprocal(), "rsqrt(0)": lambda: z.rsqrt(),
        "sqrt(-1)": lambda: L.sqrt(z - 1), "pow(0,-1)": lambda: z ** -1.0, "exp(inf)": lambda: L.exp(inf),
        "inf-inf": lambda: inf - inf, "inf*0": lambda: inf * 0, "sin(inf)": lambda: L.sin(inf),
        "exp(big)": lambda: L.exp(big), "big*big": lambda: big * big, "sigmoid(-inf)": lambda: L.sigmoid(inf),
        "tanh(inf)": lambda: L.tanh(inf), "softmax(inf)": lambda: L.softmax(inf, 0),
        "log_softmax(inf)": lambda: L.log_softmax(inf, 0), "logsumexp(inf)": lambda: inf.logsumexp(0),
        "norm(inf)": lambda: inf.norm(), "prod(inf,0)": lambda: inf.prod(), "remainder(inf)": lambda: inf % 2.0,
        "fmod(x,0.)": lambda: L.fmod(z, 0.0), "remainder(x,0.)": lambda: L.remainder(z, 0.0),
        "float//0.": lambda: z // 0.0, "int//0.": lambda: L.tensor([1, 0]) // 0.0,
        "acos(2)": lambda: L.acos(z + 2), "atan(inf)": lambda: L.atan(inf), "cosh(big)": lambda: L.cosh(big),
        "erf(inf)": lambda: L.erf(inf), "softplus(inf)": lambda: F.softplus(inf), "elu(-inf)": lambda: F.elu(inf),
        "logsigmoid(inf)": lambda: F.logsigmoid(inf), "silu(inf)": lambda: F.silu(inf),
        "bce(0,1)": lambda: F.binary_cross_entropy(L.tensor([0.0, 1.0]), L.tensor([1.0, 0.0])),
        "bce_logits(inf)": lambda: F.binary_cross_entropy_with_logits(inf, L.tensor([1.0, 0.0, 1.0, 0.0])),
        "kl_div(0)": lambda: F.kl_div(z, L.tensor([0.0, 1.0, 0.0]), reduction="sum"),
        "normalize(0)": lambda: F.normalize(L.zeros(2, 3)), "cosine_similarity(0)": lambda: F.cosine_similarity(
            L.zeros(2, 3), L.zeros(2, 3)),
        "amax(inf)": lambda: inf.amax(), "clamp(inf)": lambda: inf.clamp(-1, 1), "sign(inf)": lambda: inf.sign(),
    }


@pytest.mark.parametrize("name", list(_warning_cases(torch)))
def test_no_numpy_warning_under_error_filter(name):
    """Each op on empty / zero / inf input gives torch's value and raises no warning under simplefilter('error')."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = _warning_cases(torch)[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ym = _warning_cases(mt)[name]()
    assert_same(ym, yt)


@pytest.mark.parametrize("case", ["var(empty)", "std(one)", "var_mean(one)", "std_mean(one)", "var(dim empty)"])
def test_var_degrees_of_freedom_warning_is_torchs(case):
    """torch warns (UserWarning, at the caller) when n - correction <= 0; numpy's RuntimeWarning must not leak."""
    fns = {"var(empty)": lambda L: L.zeros(0).var(), "std(one)": lambda L: L.tensor([1.0]).std(),
           "var_mean(one)": lambda L: L.var_mean(L.tensor([1.0])), "std_mean(one)": lambda L: L.std_mean(
               L.tensor([1.0])), "var(dim empty)": lambda L: L.zeros(2, 0).var(0)}
    got = {}
    for L in (torch, mt):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = fns[case](L)
        got[L.__name__] = (r, [(x.category, str(x.message).split(" (Triggered")[0], x.filename) for x in w])
    (rm, wm), (rt, wt) = got["minitorch"], got["torch"]
    assert_same(list(rm) if isinstance(rm, tuple) else rm, list(rt) if isinstance(rt, tuple) else rt)
    assert [(c, m) for c, m, _ in wm] == [(c, m) for c, m, _ in wt]
    assert all(f == __file__ for _, _, f in wm)
