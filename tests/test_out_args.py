"""``out=`` and "no argument accepted and ignored", checked against torch.

1. Every public function that takes ``out=`` in torch takes it here (minitorch/ops/_out.py): the value lands in
   ``out``, ``out`` itself is returned, its version counter moves; torch's dtype rule, resize rule (and warning),
   refusal when autograd is needed, and errors — all compared with torch, case by case (``CASES``).
2. A coverage test: a public function whose torch twin has ``out`` (an ``aten::*.out`` schema or a Python
   signature with ``out``) must be in ``CASES``, where it is tested, or torch must refuse ``out`` for it too.
3. An AST guard over the public API: every named parameter is used in the body, refused by a decorator
   (``out_arg``, ``defaults_only``), or listed in ``ALLOWED`` with the reason torch also ignores it.
"""
import ast
import inspect
import sys
import textwrap
import types
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as F
from harness import assert_same, tol_for

sys.path.insert(0, __file__.rsplit("/", 1)[0])

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((3, 4)).astype(np.float32)
P = (np.abs(A) + 0.5).astype(np.float32)
M = rng.standard_normal((4, 2)).astype(np.float32)
V = rng.standard_normal(4).astype(np.float32)
BA = rng.standard_normal((2, 3, 4)).astype(np.float32)
BB = rng.standard_normal((2, 4, 2)).astype(np.float32)
I = rng.integers(-5, 5, (3, 4)).astype(np.int64)
IP = rng.integers(1, 5, (3, 4)).astype(np.int64)
MASK = A > 0
IDX = np.array([2, 0], dtype=np.int64)
GIDX = rng.integers(0, 4, (3, 2)).astype(np.int64)


def T(lib, a):
    return lib.tensor(a)


# name -> f(lib) giving (args, kwargs) for one call; the function is lib.<name without the _suffix>
CASES = {}
_POSITIVE = ("log", "log10", "log2", "sqrt", "rsqrt", "log1p")
for _n in ["abs", "absolute", "acos", "arccos", "asin", "arcsin", "atan", "arctan", "ceil", "cos", "cosh", "exp",
           "exp2", "expm1", "floor", "frac", "log", "log10", "log1p", "log2", "neg", "negative", "reciprocal", "round",
           "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc", "erf", "erfc",
           "signbit", "logical_not"]:
    CASES[_n] = lambda lib, n=_n: ((T(lib, P if n in _POSITIVE else A * 0.5),), {})
for _n in ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "remainder",
           "fmod", "maximum", "minimum", "pow", "eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt",
           "greater", "ge", "greater_equal", "logical_and", "logical_or", "logical_xor"]:
    CASES[_n] = lambda lib: ((T(lib, A), T(lib, P)), {})
CASES.update({
    "add_alpha": lambda lib: ((T(lib, A), T(lib, B)), {"alpha": 2}),
    "sub_scalar": lambda lib: ((T(lib, A), 2.5), {}),
    "bitwise_and": lambda lib: ((T(lib, I), T(lib, IP)), {}),
    "bitwise_or": lambda lib: ((T(lib, I), T(lib, IP)), {}),
    "bitwise_xor": lambda lib: ((T(lib, I), T(lib, IP)), {}),
    "bitwise_not": lambda lib: ((T(lib, I),), {}),
    "clamp": lambda lib: ((T(lib, A), -0.5, 0.5), {}),
    "clip": lambda lib: ((T(lib, A), -0.5, 0.5), {}),
    "clamp_min": lambda lib: ((T(lib, A), -0.5), {}),
    "clamp_max": lambda lib: ((T(lib, A), -0.5), {}),
    "lerp": lambda lib: ((T(lib, A), T(lib, B), 0.3), {}),
    "where": lambda lib: ((T(lib, MASK), T(lib, A), T(lib, B)), {}),
    "sum": lambda lib: ((T(lib, A), 1), {}),
    "mean": lambda lib: ((T(lib, A), 1), {}),
    "prod": lambda lib: ((T(lib, A), 1), {}),
    "var": lambda lib: ((T(lib, A), 1), {}),
    "std": lambda lib: ((T(lib, A), 1), {}),
    "amax": lambda lib: ((T(lib, A), 1), {}),
    "amin": lambda lib: ((T(lib, A), 1), {}),
    "argmax": lambda lib: ((T(lib, A), 1), {}),
    "argmin": lambda lib: ((T(lib, A), 1), {}),
    "logsumexp": lambda lib: ((T(lib, A), 1), {}),
    "cumsum": lambda lib: ((T(lib, A), 1), {}),
    "cumprod": lambda lib: ((T(lib, A), 1), {}),
    "tril": lambda lib: ((T(lib, A), 1), {}),
    "triu": lambda lib: ((T(lib, A), -1), {}),
    "diag": lambda lib: ((T(lib, A),), {}),
    "atan2": lambda lib: ((T(lib, A), T(lib, B)), {}),
    "arctan2": lambda lib: ((T(lib, A), T(lib, P)), {}),
    "addcmul": lambda lib: ((T(lib, A), T(lib, B), T(lib, P)), {"value": 0.5}),
    "addcdiv": lambda lib: ((T(lib, A), T(lib, B), T(lib, P)), {"value": 0.5}),
    "norm": lambda lib: ((T(lib, A),), {"dim": 1}),
    "all": lambda lib: ((T(lib, MASK), 1), {}),
    "any": lambda lib: ((T(lib, MASK), 1), {}),
    "max_all": lambda lib: ((T(lib, A),), {}),
    "min_all": lambda lib: ((T(lib, A),), {}),
    "max_dim": lambda lib: ((T(lib, A), 1), {}),
    "min_dim": lambda lib: ((T(lib, A), 1), {}),
    "max_other": lambda lib: ((T(lib, A), T(lib, B)), {}),
    "min_other": lambda lib: ((T(lib, A), T(lib, B)), {}),
    "sort": lambda lib: ((T(lib, A), 1), {}),
    "topk": lambda lib: ((T(lib, A), 2), {}),
    "cat": lambda lib: (([T(lib, A), T(lib, B)], 1), {}),
    "concat": lambda lib: (([T(lib, A), T(lib, B)], 1), {}),
    "concatenate": lambda lib: (([T(lib, A), T(lib, B)], 1), {}),
    "stack": lambda lib: (([T(lib, A), T(lib, B)], 1), {}),
    "hstack": lambda lib: (([T(lib, A), T(lib, B)],), {}),
    "vstack": lambda lib: (([T(lib, A), T(lib, B)],), {}),
    "index_select": lambda lib: ((T(lib, A), 1, T(lib, IDX)), {}),
    "masked_select": lambda lib: ((T(lib, A), T(lib, MASK)), {}),
    "gather": lambda lib: ((T(lib, A), 1, T(lib, GIDX)), {}),
    "take": lambda lib: ((T(lib, A), T(lib, IDX)), {}),
    "nonzero": lambda lib: ((T(lib, MASK),), {}),
    "scatter": lambda lib: ((T(lib, A), 1, T(lib, GIDX), T(lib, B[:, :2])), {}),
    "scatter_add": lambda lib: ((T(lib, A), 1, T(lib, GIDX), T(lib, B[:, :2])), {}),
    "matmul": lambda lib: ((T(lib, A), T(lib, M)), {}),
    "mm": lambda lib: ((T(lib, A), T(lib, M)), {}),
    "bmm": lambda lib: ((T(lib, BA), T(lib, BB)), {}),
    "dot": lambda lib: ((T(lib, V), T(lib, V)), {}),
    "inner": lambda lib: ((T(lib, A), T(lib, B)), {}),
    "mv": lambda lib: ((T(lib, A), T(lib, V)), {}),
    "outer": lambda lib: ((T(lib, V), T(lib, V)), {}),
    "ger": lambda lib: ((T(lib, V), T(lib, V)), {}),
    "addmm": lambda lib: ((T(lib, A[:, :2]), T(lib, A), T(lib, M)), {}),
    "baddbmm": lambda lib: ((T(lib, BA[:, :, :2]), T(lib, BA), T(lib, BB)), {}),
    "softmax": lambda lib: ((T(lib, A), 1), {}),
    "log_softmax": lambda lib: ((T(lib, A), 1), {}),
    "zeros": lambda lib: ((3, 4), {}),
    "ones": lambda lib: ((3, 4), {}),
    "empty": lambda lib: ((3, 4), {}),
    "rand": lambda lib: ((3, 4), {}),
    "randn": lambda lib: ((3, 4), {}),
    "full": lambda lib: (((3, 4), 2.5), {}),
    "arange": lambda lib: ((0, 12), {}),
    "range": lambda lib: ((0, 11), {}),
    "linspace": lambda lib: ((0, 1, 12), {}),
    "logspace": lambda lib: ((0, 1, 12), {}),
    "eye": lambda lib: ((3, 4), {}),
    "randint": lambda lib: ((0, 5, (3, 4)), {}),
    "randperm": lambda lib: ((12,), {}),
    "normal": lambda lib: ((T(lib, A), 1.0), {}),
    "normal_numbers": lambda lib: ((0.0, 1.0, (3, 4)), {}),
    "bernoulli": lambda lib: ((T(lib, np.abs(A) / 3),), {}),
    "multinomial": lambda lib: ((T(lib, P), 2), {}),
    "F.normalize": lambda lib: ((T(lib, A),), {}),
})
RANDOM = {"empty", "rand", "randn", "randint", "randperm", "normal", "normal_numbers", "bernoulli", "multinomial"}
# torch lets these through with inputs that require grad (out gets a grad_fn of NotImplemented / CopyBackwards);
# minitorch refuses, as for every other differentiable op
GRAD_REFUSED_HERE_ONLY = {"softmax", "log_softmax", "inner"}
# public minitorch functions whose aten op has an out overload that torch's Python API does not take: torch
# raises TypeError for out=, and so does minitorch (tested in test_out_refused_as_in_torch)
NO_OUT_IN_TORCH = {
    "relu": lambda lib: ((T(lib, A),), {}),
    "isnan": lambda lib: ((T(lib, A),), {}),
    "isinf": lambda lib: ((T(lib, A),), {}),
    "isfinite": lambda lib: ((T(lib, A),), {}),
    "flip": lambda lib: ((T(lib, A), (0,)), {}),
    "roll": lambda lib: ((T(lib, A), 1, 0), {}),
    "clone": lambda lib: ((T(lib, A),), {}),
    "argsort": lambda lib: ((T(lib, A), 1), {}),
    "count_nonzero": lambda lib: ((T(lib, A), 1), {}),
    "var_mean": lambda lib: ((T(lib, A), 1), {}),
    "std_mean": lambda lib: ((T(lib, A), 1), {}),
    "masked_fill": lambda lib: ((T(lib, A), T(lib, MASK), 0.0), {}),
    "index_put": lambda lib: ((T(lib, A), (T(lib, IDX),), T(lib, np.float32(1))), {}),
    "repeat_interleave": lambda lib: ((T(lib, A), 2), {}),
    "zeros_like": lambda lib: ((T(lib, A),), {}),
    "ones_like": lambda lib: ((T(lib, A),), {}),
    "empty_like": lambda lib: ((T(lib, A),), {}),
    "full_like": lambda lib: ((T(lib, A), 2.0), {}),
    "rand_like": lambda lib: ((T(lib, A),), {}),
    "randn_like": lambda lib: ((T(lib, A),), {}),
    "randint_like": lambda lib: ((T(lib, A), 5), {}),
    "tensor": lambda lib: (([1.0, 2.0],), {}),
    "einsum": lambda lib: (("ij,jk->ik", T(lib, A), T(lib, M)), {}),
    "select": lambda lib: ((T(lib, A), 1, 0), {}),
    "narrow": lambda lib: ((T(lib, A), 1, 0, 2), {}),
    "tile": lambda lib: ((T(lib, A), (2,)), {}),
    "argwhere": lambda lib: ((T(lib, MASK),), {}),
    "mean_no_dim": None,
}
del NO_OUT_IN_TORCH["mean_no_dim"]


def fn(lib, name):
    base = name.split("_")[0] if name.endswith(("_alpha", "_all", "_dim", "_other", "_numbers", "_scalar")) else name
    if base.startswith("F."):
        return getattr(torch.nn.functional if lib is torch else F, base[2:])
    return getattr(lib, base)


def empty_like_result(lib, ref, shape=None, dtype=None):
    """A fresh ``out`` for ``ref`` (a torch result or a tuple of them), in ``lib``."""
    if isinstance(ref, tuple):
        return tuple(empty_like_result(lib, r, shape, dtype) for r in ref)
    dt = getattr(lib, str(dtype or ref.dtype).split(".")[1])
    return lib.empty(tuple(ref.shape) if shape is None else shape, dtype=dt)


def run(lib, name, out, grad=False):
    args, kwargs = CASES[name](lib)
    if grad:
        args = [a.detach().requires_grad_() if isinstance(a, lib.Tensor) and a.is_floating_point() else a for a in args]
        if isinstance(args[0], list):
            args[0] = [a.detach().requires_grad_() for a in args[0]]
    return fn(lib, name)(*args, **kwargs, out=out)


def reference(name):
    args, kwargs = CASES[name](torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(torch, name)(*args, **kwargs)


def outcome(lib, name, out, grad=False):
    """('ok', result, warnings) or ('error', type name, message)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = run(lib, name, out, grad)
        except Exception as e:                # noqa: BLE001  (compared with torch's)
            return ("error", type(e).__name__, str(e).split("\n")[0])
    msgs = [str(x.message).split(" (Triggered internally")[0] for x in w if issubclass(x.category, UserWarning)
            and "deprecated" in str(x.message) and "resized" in str(x.message)]
    return ("ok", r, msgs)


def same_values(name, ours, theirs, natural=None):
    if name in RANDOM:                         # another generator: shape and dtype only
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        for o, t in zip(ours, theirs):
            assert tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)
        return
    tol = None
    if natural is not None:
        first = natural[0] if isinstance(natural, tuple) else natural
        wide = (ours[0] if isinstance(ours, tuple) else ours).dtype
        if first.dtype.is_floating_point and wide.is_floating_point and wide.itemsize > first.element_size():
            tol = tol_for(np.float32 if first.dtype == torch.float32 else np.float16)
    assert_same(ours, theirs, tol)


def compare(name, make_out):
    """The same call with out= in both libraries: same error, or same warnings and values. Values are compared
    at the tolerance of the op's own result dtype: torch computes in it and casts (a float32 exp written into a
    float64 out carries float32 rounding), except the reductions that reduce in out's dtype (exact tests below)."""
    theirs = outcome(torch, name, make_out(torch))
    ours_out = make_out(mt)
    ours = outcome(mt, name, ours_out)
    assert ours[0] == theirs[0], f"torch: {theirs}, minitorch: {ours}"
    if ours[0] == "error":
        assert ours[1:] == theirs[1:]
        return None
    assert ours[2] == theirs[2], "resize warnings differ"
    same_values(name, ours[1], theirs[1], reference(name))
    return ours[1], ours_out


# ---------------------------------------------------------------- 1. the value lands in out, out is returned
@pytest.mark.parametrize("name", sorted(CASES))
def test_out_value_and_identity(name):
    ref = reference(name)
    ours_out = empty_like_result(mt, ref)
    outs = ours_out if isinstance(ours_out, tuple) else (ours_out,)
    versions = [o._version for o in outs]
    r = run(mt, name, ours_out)
    rs = tuple(r) if isinstance(r, tuple) else (r,)
    assert len(rs) == len(outs) and all(a is b for a, b in zip(rs, outs)), "the result must be out itself"
    assert [o._version for o in outs] == [v + 1 for v in versions], "out's version counter must move once"
    if isinstance(ref, tuple):
        assert type(r).__name__ == type(ref).__name__ and r.values is outs[0] and r.indices is outs[1]   # (values, indices)
    same_values(name, r, ref)
    assert not any(o.requires_grad for o in outs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_dtype_rule(name):
    """An out of another dtype: torch's cast rule (or its exact-dtype error), message for message."""
    ref = reference(name)
    first = ref[0] if isinstance(ref, tuple) else ref
    tried = [torch.int64 if first.dtype.is_floating_point else torch.bool, torch.float64, torch.float32, torch.int32]
    for dt in tried:
        if dt == first.dtype:
            continue
        compare(name, lambda lib: empty_like_result(lib, ref, dtype=dt) if not isinstance(ref, tuple) else
                tuple(empty_like_result(lib, r, dtype=dt if i == 0 else None) for i, r in enumerate(ref)))


# torch.normal(tensor, out=wrong shape) raises a broadcast error; minitorch resizes (a known difference)
@pytest.mark.parametrize("name", sorted(set(CASES) - {"normal"}))
@pytest.mark.parametrize("n", [0, 7])
def test_out_resize(name, n):
    """An out of the wrong shape is resized; torch warns when it had elements (not for factories)."""
    ref = reference(name)
    res = compare(name, lambda lib: empty_like_result(lib, ref, shape=(n,)))
    if res is not None:
        r, out = res
        outs = out if isinstance(out, tuple) else (out,)
        refs = ref if isinstance(ref, tuple) else (ref,)
        assert all(tuple(o.shape) == tuple(t.shape) for o, t in zip(outs, refs))


WITH_TENSOR_INPUTS = sorted(n for n in CASES if any(isinstance(a, (torch.Tensor, list)) for a in CASES[n](torch)[0]))
FLOAT_RESULTS = sorted(n for n in CASES if (lambda r: (r[0] if isinstance(r, tuple) else r).dtype.is_floating_point)(
    reference(n)))


@pytest.mark.parametrize("name", WITH_TENSOR_INPUTS)
def test_out_refuses_autograd(name):
    """Inputs that require grad: torch's RuntimeError naming the op (non-differentiable ops go through)."""
    ref = reference(name)
    theirs = outcome(torch, name, empty_like_result(torch, ref), grad=True)
    ours = outcome(mt, name, empty_like_result(mt, ref), grad=True)
    if name in GRAD_REFUSED_HERE_ONLY:
        assert theirs[0] == "ok" and ours[0] == "error"
        assert "functions with out=... arguments don't support automatic differentiation" in ours[2]
        return
    assert ours[0] == theirs[0], f"torch: {theirs}, minitorch: {ours}"
    if ours[0] == "error":
        assert ours[1:] == theirs[1:]
    else:
        outs = ours[1] if isinstance(ours[1], tuple) else (ours[1],)
        assert not any(o.requires_grad for o in outs)


@pytest.mark.parametrize("name", FLOAT_RESULTS)          # (an integer or bool out cannot require grad)
def test_out_that_requires_grad_is_refused(name):
    ref = reference(name)
    out = empty_like_result(mt, ref)
    (out[0] if isinstance(out, tuple) else out).requires_grad_()
    with pytest.raises(RuntimeError, match=r"functions with out=\.\.\. arguments don't support automatic"):
        run(mt, name, out)
    with mt.no_grad():                          # outside grad mode it is a plain write, as in torch
        r = run(mt, name, out)
    same_values(name, r, ref)


@pytest.mark.parametrize("name", ["add", "exp", "sum", "matmul", "cat", "max_dim", "where", "gather"])
def test_no_grad_mode_allows_inputs_that_require_grad(name):
    ref = reference(name)
    out = empty_like_result(mt, ref)
    with mt.no_grad():
        r = run(mt, name, out, grad=True)
    same_values(name, r, ref)
    assert not any(o.requires_grad for o in (r if isinstance(r, tuple) else (r,)))


@pytest.mark.parametrize("name", ["add", "exp", "mul", "matmul", "sum_2d", "clamp"])
def test_out_is_a_strided_view(name):
    """out may be a non-contiguous view: the values land in its base's memory, as in torch."""
    def go(lib):
        x, y = T(lib, A), T(lib, B)
        base = lib.zeros(4, 3) if name != "matmul" else lib.zeros(2, 3)
        out = base.t()
        call = {"add": lambda: lib.add(x, y, out=out), "exp": lambda: lib.exp(x, out=out),
                "mul": lambda: lib.mul(x, 2.0, out=out), "clamp": lambda: lib.clamp(x, -0.1, 0.1, out=out),
                "matmul": lambda: lib.matmul(x, T(lib, M), out=out),
                "sum_2d": lambda: lib.sum(T(lib, BA.transpose(1, 2, 0)), 2, out=out)}[name]
        assert call() is out
        return base
    assert_same(go(mt), go(torch))


def test_out_aliasing_an_input():
    """out is one of the inputs (the whole of it): computed first, then written, as in torch. (A partial overlap,
    add(x, x[0], out=x), is torch's RuntimeError; minitorch computes first and gives the right answer.)"""
    results = []
    for lib in (torch, mt):
        x, y, z = T(lib, A), T(lib, A), T(lib, A)
        lib.add(x, T(lib, B), out=x)
        lib.exp(y, out=y)
        lib.cumsum(z, 1, out=z)
        results.append([x, y, z])
    assert_same(results[1], results[0])


def test_out_must_be_a_tensor():
    x = T(mt, A)
    with pytest.raises(TypeError, match=r"add\(\): argument 'out' must be Tensor, not tuple"):
        mt.add(x, x, out=(mt.empty(3, 4),))
    with pytest.raises(TypeError, match=r"exp\(\): argument 'out' must be Tensor, not list"):
        mt.exp(x, out=[mt.empty(3, 4)])
    with pytest.raises(TypeError, match="must be Tensor, not int"):
        mt.add(x, x, out=3)
    with pytest.raises(TypeError, match="expected tuple of 2 elements but got 1"):
        mt.max(x, 1, out=(mt.empty(3),))
    with pytest.raises(TypeError, match="tuple of Tensors"):
        mt.max(x, 1, out=mt.empty(3))
    r = mt.max(x, 1, out=[mt.empty(3), mt.empty(3, dtype=mt.long)])     # a list works, as in torch
    assert r.values.shape == (3,)


def test_out_device_mismatch():
    fake_cupy = pytest.importorskip("fake_cupy")
    fake_cupy.install(device_count=1)
    try:
        x = mt.ones(3, device="cuda")
        with pytest.raises(RuntimeError, match="Expected out tensor to have device cuda:0, but got cpu instead"):
            mt.add(x, x, out=mt.empty(3))
        with pytest.raises(RuntimeError, match="Expected out tensor to have device cpu, but got cuda:0 instead"):
            mt.exp(mt.ones(3), out=x)
        o = mt.empty(0, device="cuda")
        assert mt.zeros(2, 2, out=o) is o and o.device.type == "cuda" and o.shape == (2, 2)
        assert mt.add(x, x, out=o) is o and o.shape == (3,) and o.tolist() == [2.0, 2.0, 2.0]
    finally:
        fake_cupy.uninstall()


def test_factories_take_out_dtype():
    for lib in (torch, mt):
        assert lib.zeros(3, out=lib.empty(3, dtype=lib.int64)).dtype == lib.int64
        with pytest.raises(RuntimeError, match=r"dtype Float does not match dtype of out parameter \(Long\)"):
            lib.zeros(3, dtype=lib.float32, out=lib.empty(3, dtype=lib.int64))
    ours = [mt.arange(3, out=mt.empty(3, dtype=mt.float64)), mt.full((3,), 1.5, out=mt.empty(3, dtype=mt.int64)),
            mt.linspace(0, 4, 3, out=mt.empty(3, dtype=mt.int64)), mt.eye(2, 3, out=mt.empty(0, dtype=mt.int32))]
    theirs = [torch.arange(3, out=torch.empty(3, dtype=torch.float64)),
              torch.full((3,), 1.5, out=torch.empty(3, dtype=torch.int64)),
              torch.linspace(0, 4, 3, out=torch.empty(3, dtype=torch.int64)),
              torch.eye(2, 3, out=torch.empty(0, dtype=torch.int32))]
    assert_same(ours, theirs)
    o = mt.zeros(3, requires_grad=True, out=mt.empty(3))          # torch sets requires_grad on out
    t = torch.zeros(3, requires_grad=True, out=torch.empty(3))
    assert o.requires_grad and t.requires_grad and o.is_leaf and t.is_leaf
    with pytest.raises(RuntimeError, match=r"aten::zeros\(\): functions with out=\.\.\. arguments"):
        mt.zeros(3, out=mt.empty(3, requires_grad=True))


def test_sum_and_mean_compute_in_outs_dtype():
    """torch reduces in out's dtype: sum of 0.6s into int64 is 0 (each element cast first); float64 accumulates."""
    x = np.full((1, 3), 0.6, np.float32)
    y = np.full((1, 7), 0.1, np.float32)
    for name in ("sum", "cumsum", "prod", "mean"):
        ours, theirs = [], []
        for lib, acc in ((mt, ours), (torch, theirs)):
            f = getattr(lib, name)
            acc.append(f(T(lib, y), 1, out=lib.empty(0, dtype=lib.float64)))
            if name != "mean":
                acc.append(f(T(lib, x), 1, out=lib.empty(0, dtype=lib.int64)))
        assert_same(ours, theirs, tol=dict(rtol=0, atol=0))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        mt.mean(T(mt, x), 1, out=mt.empty(1, dtype=mt.int64))


def test_normalize_positional_out():
    ours, theirs = mt.empty(3, 4), torch.empty(3, 4)
    assert F.normalize(T(mt, A), 2.0, 1, 1e-12, ours) is ours
    torch.nn.functional.normalize(T(torch, A), 2.0, 1, 1e-12, theirs)
    assert_same(ours, theirs)
    with pytest.raises(RuntimeError, match=r"div\(\): functions with out=\.\.\. arguments"):
        F.normalize(T(mt, A).requires_grad_(), out=mt.empty(3, 4))


def test_out_in_signatures():
    assert "out" in inspect.signature(mt.add).parameters
    assert inspect.signature(mt.add).parameters["out"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(F.normalize).parameters) == ["input", "p", "dim", "eps", "out"]
    assert list(inspect.signature(mt.norm).parameters)[:6] == ["input", "p", "dim", "keepdim", "out", "dtype"]
    assert "out" not in inspect.signature(mt.relu).parameters


@pytest.mark.parametrize("name", sorted(NO_OUT_IN_TORCH))
def test_out_refused_as_in_torch(name):
    for lib in (torch, mt):
        args, kwargs = NO_OUT_IN_TORCH[name](lib)
        f = getattr(lib, name)
        with pytest.raises(TypeError):
            f(*args, **kwargs, out=lib.empty(0))


# ---------------------------------------------------------------- 2. coverage: no public function forgotten
def _aten_has_out(name):
    try:
        schemas = torch._C._jit_get_schemas_for_operator("aten::" + name)
    except RuntimeError:
        return False
    return any("Tensor(a!) out" in str(s) for s in schemas)


def _torch_python_has_out(f):
    try:
        return "out" in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


def _public_functions():
    for n in dir(mt):
        obj = getattr(mt, n)
        if not n.startswith("_") and callable(obj) and not inspect.isclass(obj) and hasattr(torch, n):
            yield n, obj, getattr(torch, n)
    for n in dir(F):
        obj = getattr(F, n)
        if not n.startswith("_") and callable(obj) and not inspect.isclass(obj) and hasattr(torch.nn.functional, n):
            yield "F." + n, obj, getattr(torch.nn.functional, n)


def _takes_out(f):
    try:
        return "out" in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


def test_every_function_with_out_in_torch_is_covered():
    tested = {n.split("_")[0] if n.endswith(("_alpha", "_all", "_dim", "_other", "_numbers", "_scalar")) else n
              for n in CASES}
    missing, extra = [], []
    for name, ours, theirs in _public_functions():
        base = name[2:] if name.startswith("F.") else name
        in_torch = _torch_python_has_out(theirs) or (not name.startswith("F.") and _aten_has_out(base))
        if in_torch and name not in tested and name not in NO_OUT_IN_TORCH:
            missing.append(name)
        if _takes_out(ours) and (name not in tested or name in NO_OUT_IN_TORCH):
            extra.append(name)
    assert not missing, f"torch takes out= for these; test them in CASES (or NO_OUT_IN_TORCH): {missing}"
    assert not extra, f"these take out= but are not tested against torch: {extra}"


# ---------------------------------------------------------------- 3. the AST guard: nothing accepted and ignored
# (qualified name, parameter) -> why it may go unused. Only arguments torch itself treats as a hint or ignores.
ALLOWED = {
    ("Tensor.__init__", "args"): "the constructor's arguments are read by __new__ (as torch's Tensor does)",
    ("Tensor.__init__", "kwargs"): "the constructor's arguments are read by __new__",
    ("Tensor.__reduce_ex__", "protocol"): "pickle's protocol: one reduction for every protocol, as in torch",
    ("Tensor.copy_", "non_blocking"): "a transfer hint: the copy is synchronous, the values are the same",
    ("Tensor.cuda", "non_blocking"): "a transfer hint: the copy is synchronous, the values are the same",
    ("Tensor.type", "non_blocking"): "a transfer hint: the copy is synchronous, the values are the same",
    ("minitorch.sort", "stable"): "the sort is always stable; stable=False allows any order of ties, this is one",
    ("minitorch.topk", "sorted"): "results always come sorted; sorted=False allows any order, this is one",
    ("minitorch.unique", "sorted"): "results always come sorted, as torch's CPU unique returns them either way",
    ("minitorch.save", "_disable_byteorder_record"): "torch-private; minitorch writes no byteorder record",
    ("nn.Identity.__init__", "args"): "torch: 'any argument (unused)', the module is argument-insensitive",
    ("nn.Identity.__init__", "kwargs"): "torch: 'any argument (unused)'",
    ("nn.Parameter.__init__", "data"): "read by __new__",
    ("nn.Parameter.__init__", "requires_grad"): "read by __new__",
}
for _f in ("zeros", "ones", "empty", "rand", "randn", "randperm", "tensor"):
    ALLOWED[(f"minitorch.{_f}", "pin_memory")] = "a transfer hint (page-locked host memory): the values are the same"


def _api():
    """(qualified name, object) for the public API: minitorch, minitorch.nn.functional, Tensor methods, the
    methods (constructors included) of nn modules, optimizers and schedulers."""
    out = {}

    def add(qual, f):
        if isinstance(f, (staticmethod, classmethod)):
            f = f.__func__
        if isinstance(f, property):
            for g in (f.fget, f.fset):
                if g is not None:
                    add(qual, g)
            return
        if callable(f) and getattr(inspect.unwrap(f), "__module__", "") and \
                isinstance(inspect.unwrap(f), types.FunctionType) and \
                inspect.unwrap(f).__module__.startswith("minitorch"):
            out.setdefault(inspect.unwrap(f), (qual, f))
    for n in dir(mt):
        obj = getattr(mt, n)
        if not n.startswith("_") and not inspect.isclass(obj):
            add(f"minitorch.{n}", obj)
    for n in dir(F):
        if not n.startswith("_"):
            add(f"F.{n}", getattr(F, n))
    for n, v in vars(mt.Tensor).items():
        if not n.startswith("_") or (n.startswith("__") and n.endswith("__")):
            add(f"Tensor.{n}", v)
    for mod, pre in ((mt.nn, "nn"), (mt.optim, "optim"), (mt.optim.lr_scheduler, "lr_scheduler")):
        for n in dir(mod):
            c = getattr(mod, n)
            if inspect.isclass(c) and c.__module__.startswith("minitorch"):
                for k, v in vars(c).items():
                    if not k.startswith("_") or k in ("__init__", "__new__", "__call__"):
                        add(f"{pre}.{n}.{k}", v)
    return list(out.values())


def _refused_by_decorators(f):
    names = set()
    while f is not None:
        names.update(getattr(f, "_defaults_only", ()))
        f = getattr(f, "__wrapped__", None)
    return names


def unused_parameters(f):
    """Named parameters of ``f``'s def that its body never mentions (None when there is no source)."""
    inner = inspect.unwrap(f)
    try:
        src = textwrap.dedent(inspect.getsource(inner))
    except (OSError, TypeError):
        return None
    node = next(n for n in ast.walk(ast.parse(src)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                         ast.Lambda)))
    a = node.args
    params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    params += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    body = [node.body] if isinstance(node, ast.Lambda) else node.body
    stmts = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(stmts) == 1 and isinstance(stmts[0], ast.Raise):
        return []                              # the body refuses the call outright: nothing is ignored
    used = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name)}
    return [p for p in params if p not in used and p not in ("self", "cls") and p not in _refused_by_decorators(f)]


def test_no_argument_is_accepted_and_ignored():
    api = _api()
    assert len(api) > 400, "the walk over the public API found too little"
    bad = []
    for qual, f in api:
        for p in unused_parameters(f) or ():
            if (qual, p) not in ALLOWED:
                bad.append(f"{qual}({p})")
    assert not bad, "accepted and ignored (use it, refuse non-defaults, or justify in ALLOWED): " + ", ".join(bad)


def test_the_guard_catches_an_ignored_argument():
    def op(input, scale=1.0, *, mode=None):
        return input * scale
    assert unused_parameters(op) == ["mode"]
    assert unused_parameters(lambda x, y: x) == ["y"]


def test_allowed_entries_are_still_needed():
    """Each ALLOWED entry names a parameter that exists and is still unused (stale entries go)."""
    unused = {(q, p) for q, f in _api() for p in (unused_parameters(f) or ())}
    assert set(ALLOWED) <= unused, f"stale: {set(ALLOWED) - unused}"


@pytest.mark.parametrize("call", [
    lambda: mt.zeros(2, layout="torch.sparse_coo"),
    lambda: mt.ones_like(mt.ones(2), memory_format="torch.channels_last"),
    lambda: mt.ones(2).float(memory_format="torch.channels_last"),
    lambda: mt.ones(2).contiguous("torch.channels_last"),
    lambda: mt.ones(2).is_contiguous(memory_format="torch.channels_last"),
    lambda: mt.gather(mt.ones(2), 0, mt.zeros(1, dtype=mt.long), sparse_grad=True),
    lambda: F.embedding(mt.zeros(1, dtype=mt.long), mt.ones(2, 2), sparse=True),
    lambda: mt.Tensor(2, requires_grad=True),
    lambda: mt.ones(2).type(mt.float64, bogus=1),
])
def test_unsupported_values_are_refused(call):
    with pytest.raises(TypeError):
        call()


def test_supported_values_pass():
    assert mt.zeros(2, layout=torch.strided).shape == (2,)
    assert mt.ones(2).float(memory_format=torch.preserve_format).dtype == mt.float32
    assert mt.ones(2, 3).contiguous(torch.contiguous_format).is_contiguous(memory_format=torch.contiguous_format)
    x = mt.ones(2)
    assert np.asarray(x, copy=True) is not x._data and np.shares_memory(np.asarray(x), x._data)
    assert mt.randint_like(mt.ones(2), 5, requires_grad=True).requires_grad


METHOD_ARGS = {"add": ("x",), "mul": ("x",), "sub": ("x",), "div": ("x",), "pow": (2,), "tanh": (), "exp": (),
               "relu": (), "sum": (), "mean": (), "max": (0,), "clamp": (0.1,), "argmax": (), "matmul": ("xt",),
               "lt": ("x",), "isnan": (), "logical_and": ("x",), "cumsum": (0,), "sort": (), "erf": ()}


@pytest.mark.parametrize("name", sorted(METHOD_ARGS))
def test_tensor_methods_take_no_out_as_torch(name):
    """torch's Tensor methods have no ``out=`` (the torch.* functions do): a TypeError, and nothing written."""
    for lib in (mt, torch):
        x = lib.ones(2, 3)
        args = [x if a == "x" else x.t() if a == "xt" else a for a in METHOD_ARGS[name]]
        out = lib.full((2, 3), 7.0)
        with pytest.raises(TypeError):
            getattr(x, name)(*args, out=out)
        assert (out == 7).all()
    assert getattr(mt.ones(2, 3), name) is not None
