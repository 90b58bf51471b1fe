"""Reductions against torch: dim = None / int / tuple / negative, keepdim, dtype; values and indices."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from harness import tol_for
from strategies import FEW, check, check_or_raises, distinct, dtypes, rand, seeds, shapes


@st.composite
def shape_dim(draw, min_dims=1, max_dims=4, min_side=0, tuple_dims=True):
    """A shape and a valid ``dim`` for it: an int (maybe negative) or, sometimes, a tuple of distinct dims."""
    shape = draw(shapes(min_dims, max_dims, min_side))
    n = len(shape)
    if tuple_dims and n and draw(st.booleans()):
        dims = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        return shape, tuple(d - n if draw(st.booleans()) else d for d in dims)
    return shape, draw(st.integers(-n, n - 1)) if n else 0


# name: f(T, x, dim, keepdim)   (dim: an int or a tuple)
REDUCE = {
    "sum": lambda T, x, d, k: T.sum(x, d, keepdim=k),
    "sum_m": lambda T, x, d, k: x.sum(dim=d, keepdim=k),
    "sum_all": lambda T, x, d, k: x.sum(),
    "sum_dtype": lambda T, x, d, k: T.sum(x, d, dtype=T.float64),
    "mean": lambda T, x, d, k: T.mean(x, d, k),
    "mean_m": lambda T, x, d, k: x.mean(dim=d, keepdim=k),
    "mean_all": lambda T, x, d, k: x.mean(),
    "var": lambda T, x, d, k: T.var(x, d, keepdim=k),
    "var_all": lambda T, x, d, k: x.var(),
    "var_biased": lambda T, x, d, k: x.var(d, unbiased=False, keepdim=k),
    "var_corr0": lambda T, x, d, k: T.var(x, dim=d, correction=0, keepdim=k),
    "var_corr2": lambda T, x, d, k: x.var(dim=d, correction=2),
    "var_all_biased": lambda T, x, d, k: x.var(unbiased=False),
    "std": lambda T, x, d, k: T.std(x, d, keepdim=k),
    "std_all": lambda T, x, d, k: x.std(),
    "std_corr0": lambda T, x, d, k: x.std(dim=d, correction=0, keepdim=k),
    "var_mean": lambda T, x, d, k: T.var_mean(x, d, keepdim=k),
    "std_mean": lambda T, x, d, k: T.std_mean(x, d, correction=0),
    "logsumexp": lambda T, x, d, k: T.logsumexp(x, d, keepdim=k),
    "logsumexp_m": lambda T, x, d, k: x.logsumexp(dim=d),
    "norm": lambda T, x, d, k: x.norm(dim=d, keepdim=k),
    "norm_all": lambda T, x, d, k: T.norm(x),
    "norm1": lambda T, x, d, k: x.norm(p=1, dim=d),
    "norm3": lambda T, x, d, k: T.norm(x, p=3, dim=d, keepdim=k),
}


@FEW
@pytest.mark.parametrize("name", REDUCE)
@given(sd=shape_dim(), keepdim=st.booleans(), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_reduce(name, sd, keepdim, dtype, seed, nc, device):
    shape, dim = sd
    # std's second derivative divides by std (small when few close values are reduced): float32 cancellation
    tol = tol_for(dtype, 10) if name.startswith("std") else None
    check_or_raises(lambda T, x: REDUCE[name](T, x, dim, keepdim), [rand(shape, dtype, 0.1, 2, seed)],
                    noncontiguous=nc, gradgrad_tol=tol, device=device)


# ops whose gradient picks elements: distinct values, so that there are no ties
PICK = {
    "max_all": lambda T, x, d, k: x.max(),
    "min_all": lambda T, x, d, k: T.min(x),
    "max_dim": lambda T, x, d, k: T.max(x, d, keepdim=k),
    "min_dim": lambda T, x, d, k: x.min(dim=d, keepdim=k),
    "max_dim_values": lambda T, x, d, k: x.max(d).values * 2,
    "max_dim_indices": lambda T, x, d, k: x.max(dim=d, keepdim=k).indices,
    "min_dim_tuple": lambda T, x, d, k: tuple(T.min(x, d)),
    "amax": lambda T, x, d, k: T.amax(x, d, keepdim=k),
    "amin": lambda T, x, d, k: x.amin(dim=d),
    "argmax": lambda T, x, d, k: T.argmax(x, d, keepdim=k),
    "argmin": lambda T, x, d, k: x.argmin(dim=d),
    "argmax_all": lambda T, x, d, k: x.argmax(),
    "argmin_all_kd": lambda T, x, d, k: T.argmin(x, keepdim=k) if x.dim() else T.argmin(x),
    "sort": lambda T, x, d, k: T.sort(x, d),
    "sort_desc": lambda T, x, d, k: x.sort(dim=d, descending=True),
    "argsort": lambda T, x, d, k: T.argsort(x, d),
    "topk": lambda T, x, d, k: T.topk(x, min(2, x.shape[d]), d),
    "topk_small": lambda T, x, d, k: x.topk(1, dim=d, largest=False),
    "cumsum": lambda T, x, d, k: T.cumsum(x, d),
    "cumsum_m": lambda T, x, d, k: x.cumsum(dim=d),
    "prod": lambda T, x, d, k: T.prod(x, d, keepdim=k),
    "prod_all": lambda T, x, d, k: x.prod(),
}


@FEW
@pytest.mark.parametrize("name", PICK)
@given(sd=shape_dim(tuple_dims=False), keepdim=st.booleans(), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_pick(name, sd, keepdim, dtype, seed, nc, device):
    shape, dim = sd
    if name.startswith(("prod", "cumsum")):
        x = rand(shape, dtype, 0.5, 1.5, seed)       # moderate products
    else:
        x = distinct(shape, dtype, seed)
    check_or_raises(lambda T, x: PICK[name](T, x, dim, keepdim), [x], noncontiguous=nc, device=device)


@given(shape=shapes(1, 3, 1), dtype=dtypes, seed=seeds, nz=st.integers(1, 3))
def test_prod_with_zeros(shape, dtype, seed, nz, device):
    x = rand(shape, dtype, 0.5, 1.5, seed)
    x.reshape(-1)[np.random.default_rng(seed).integers(0, x.size, nz)] = 0
    check(lambda T, x: T.prod(x), [x], device=device)
    for d in range(x.ndim):
        check(lambda T, x: x.prod(d), [x], device=device)
        check(lambda T, x: T.prod(x, d, keepdim=True), [x], device=device)


@given(shape=shapes(1, 3, 1, 3), seed=seeds)
def test_ties(shape, seed, device):
    """Ties: amax/amin/max() share the gradient evenly; max(dim) gives it to the index it returns."""
    x = np.asarray(np.round(rand(shape, np.float64, -1, 1, seed)))
    for f in (lambda T, x: x.max(), lambda T, x: T.amax(x, -1), lambda T, x: T.amin(x, 0, keepdim=True),
              lambda T, x: x.min(), lambda T, x: T.max(x, -1), lambda T, x: x.min(0), lambda T, x: x.argmax(),
              lambda T, x: T.argmin(x, -1), lambda T, x: T.maximum(x, x.flip(-1)), lambda T, x: x.norm(float("inf"))):
        check(f, [x], device=device)


INT_DT = [np.bool_, np.uint8, np.int32, np.int64]


@pytest.mark.parametrize("dt", INT_DT + [np.float32])
def test_integer_and_bool_inputs(dt, device):
    """Integer and bool sums/prods give int64; mean of integers refuses; all/any/count_nonzero."""
    x = rand((3, 4), dt, 0, 3)
    for f in (lambda T, x: x.sum(), lambda T, x: T.sum(x, 1), lambda T, x: x.prod(), lambda T, x: x.prod(0),
              lambda T, x: x.cumsum(0), lambda T, x: x.max(), lambda T, x: T.max(x, 1), lambda T, x: x.argmax(),
              lambda T, x: x.mean(), lambda T, x: x.mean(dtype=T.float64), lambda T, x: T.all(x),
              lambda T, x: x.any(1), lambda T, x: T.all(x, 0, keepdim=True), lambda T, x: T.count_nonzero(x),
              lambda T, x: T.count_nonzero(x, 1), lambda T, x: x.sum(dtype=T.float32), lambda T, x: x.amax(0),
              lambda T, x: x.float().var(), lambda T, x: x.sort(1).values, lambda T, x: x.topk(2).values):
        check_or_raises(f, [x], device=device)


@pytest.mark.parametrize("f", [
    lambda T, x: x.max(), lambda T, x: x.min(), lambda T, x: x.argmax(), lambda T, x: x.max(0),
    lambda T, x: x.max(1), lambda T, x: x.amax(1), lambda T, x: x.sum(0), lambda T, x: x.mean(0), lambda T, x: x.mean(),
    lambda T, x: x.prod(1), lambda T, x: x.logsumexp(1), lambda T, x: x.var(0), lambda T, x: x.std(),
    lambda T, x: x.argmin(1), lambda T, x: x.sum(5), lambda T, x: x.max(-3), lambda T, x: x.sum((0, 0)),
    lambda T, x: x.logsumexp(0), lambda T, x: x.cumsum(0)])
def test_empty_and_bad_dims(f, device):
    """Reductions over size-0 dims: identities where torch has them, torch's errors where it has none."""
    check_or_raises(f, [np.zeros((0, 3), np.float32)], device=device)


def test_scalar_tensor_reductions(device):
    x = np.asarray(np.float64(1.5))
    for f in (lambda T, x: x.sum(), lambda T, x: x.sum(0), lambda T, x: x.mean(-1), lambda T, x: x.max(0),
              lambda T, x: T.argmax(x, 0), lambda T, x: x.prod(0), lambda T, x: x.logsumexp(0), lambda T, x: x.amax(),
              lambda T, x: x.var(correction=0), lambda T, x: x.cumsum(0), lambda T, x: x.sort().values):
        check_or_raises(f, [x], device=device)


def test_inf_logsumexp_and_var_degenerate(device):
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [0.0, 1.0]], np.float64)
    check(lambda T, x: T.logsumexp(x, 1), [x], grad=False, device=device)
    check(lambda T, x: T.logsumexp(x[2:], 1), [x], device=device)
    check(lambda T, x: x[2:].var(1, correction=2), [x], gradgrad=False, device=device)
