"""Indexing against torch: x[key] and x[key] = v (ints, slices with steps, None, ..., index tensors, masks,
lists), autograd through both, index_select, masked_select/fill, gather, scatter, take, nonzero."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
from harness import torch_device
from strategies import FEW, check, check_or_raises, dtypes, rand, seeds, shapes


@st.composite
def keys(draw, shape, advanced=True, unique=False):
    """An index key for ``shape``: per dim an int, a slice (with a step), an index tensor or list, or nothing;
    ``None`` and one ``...`` mixed in; sometimes a bool mask over the leading dims. ``unique``: no position
    repeats in an index list (-1 and n - 1 count as the same)."""
    key, dims = [], list(shape)
    if advanced and dims and draw(st.integers(0, 5)) == 0:
        k = draw(st.integers(1, len(dims)))
        mask = np.random.default_rng(draw(st.integers(0, 99))).random(dims[:k]) < 0.5
        key.append(mask)
        dims = dims[k:]
    ellipsis_at = draw(st.integers(0, len(dims))) if draw(st.booleans()) else None
    n_adv = 0
    for i, n in enumerate(dims):
        if i == ellipsis_at:
            key.append(Ellipsis)
            break
        kind = draw(st.sampled_from(["int", "slice", "slice", "full", "tensor", "list", "none"] if advanced
                                    else ["int", "slice", "slice", "full", "none"]))
        if kind == "int" and n:
            key.append(draw(st.integers(-n, n - 1)))
        elif kind in ("tensor", "list") and n and n_adv < 2:
            n_adv += 1
            idx = draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=4,
                                unique_by=(lambda i, n=n: i % n) if unique else None))
            key.append(np.array(idx, np.int64) if kind == "tensor" else idx)
        elif kind == "none":
            key.append(None)
            key.append(slice(None))
        elif kind == "full":
            key.append(slice(None))
        else:
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            key.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    return key


def _split_key(key):
    """Index arrays and masks become inputs of the lambda (tensors in both libraries); the rest stays."""
    arrays = [k for k in key if isinstance(k, np.ndarray)]
    def build(ts):
        it = iter(ts)
        return tuple(next(it) if isinstance(k, np.ndarray) else k for k in key)
    return arrays, build


@given(data=st.data(), shape=shapes(1, 4, 0, 4), dtype=dtypes, seed=seeds, nc=st.booleans(),
       single=st.booleans())
def test_getitem(data, shape, dtype, seed, nc, single, device):
    key = data.draw(keys(shape))
    arrays, build = _split_key(key)
    x = rand(shape, dtype, seed=seed)
    if single and len(key) == 1:
        check_or_raises(lambda T, x, *ks: x[build(ks)[0]], [x] + arrays, noncontiguous=nc, device=device)
    else:
        check_or_raises(lambda T, x, *ks: x[build(ks)], [x] + arrays, noncontiguous=nc, device=device)


@given(data=st.data(), shape=shapes(1, 4, 1, 4), dtype=dtypes, seed=seeds, vshape=st.integers(0, 2))
def test_setitem(data, shape, dtype, seed, vshape, device):
    """x[key] = v: the values, and the gradients of both x (zero where overwritten) and v (summed over
    broadcasting), through a clone of x (a leaf that requires grad cannot be written in place).

    On CUDA, which of several values written to one position wins is undefined (torch's and cupy's kernels
    alike): there the index lists have no repeats."""
    key = data.draw(keys(shape, unique=device != "cpu"))
    arrays, build = _split_key(key)
    x = rand(shape, dtype, seed=seed)
    try:
        target = np.empty(shape)[tuple(k if not isinstance(k, list) else np.array(k, np.int64) for k in key)].shape
    except IndexError:
        target = ()                                  # a bad key: both libraries must refuse it
    vs = [target, target[-1:], ()][vshape] if target else ()
    v = rand(vs, dtype, seed=seed + 1)

    def f(T, x, v, *ks):
        y = x * 1
        y[build(ks)] = v
        return y

    check_or_raises(f, [x, v] + arrays, device=device)
    def g(T, x, *ks):                   # a number, without autograd
        y = x.clone()
        y[build(ks)] = 1.5
        return y

    check_or_raises(g, [x] + arrays, requires_grad=[False] * (1 + len(arrays)), device=device)


@given(shape=shapes(1, 3, 1, 4), seed=seeds)
def test_setitem_writes_in_place(shape, seed):
    """Writing through a key changes the tensor itself, views of it, and the numpy array it shares."""
    a = rand(shape, np.float64, seed=seed)
    for T in (mt, torch):
        arr = a.copy()
        x = T.from_numpy(arr)
        row = x[0]
        x[0] = 7.0
        x[(slice(None),) * (x.dim() - 1) + (-1,)] = T.tensor(-1.0, dtype=x.dtype)
        x[x > 1.5] = 0.25
        assert np.array_equal(arr, x.numpy()) and np.array_equal(row.numpy(), x[0].numpy())
        if T is mt:
            ours = arr.copy()
    assert np.array_equal(ours, arr)


def _idx(x, dim, n, seed, lo=0):
    """An int64 index tensor with ``n`` positions along ``dim`` of ``x`` (repeats allowed)."""
    return np.random.default_rng(seed).integers(lo, x.shape[dim], n) if x.shape[dim] else np.zeros(0, np.int64)


def _gather_index(x, dim, seed, larger=False):
    rng = np.random.default_rng(seed)
    shape = list(x.shape)
    shape[dim] = rng.integers(0, 4)
    if not larger:
        shape = [min(s, rng.integers(0, s + 1)) if i != dim else s for i, s in enumerate(shape)]
    return rng.integers(0, max(x.shape[dim], 1), shape) if x.shape[dim] else np.zeros(shape, np.int64)


def _on(T, x, a, **kw):
    """An index (or mask) tensor made from ``a`` on ``x``'s device."""
    return T.tensor(a, device=x.device, **kw)


# name: f(T, x, d, seed); index tensors live on x's device
INDEX_OPS = {
    "index_select": lambda T, x, d, s: T.index_select(x, d, _on(T, x, _idx(x, d, 3, s))),
    "index_select_m": lambda T, x, d, s: x.index_select(d, _on(T, x, _idx(x, d, 5, s), dtype=T.int32)),
    "masked_select": lambda T, x, d, s: T.masked_select(x, x > 0),
    "masked_select_bc": lambda T, x, d, s: x.masked_select(_on(T, x, rand(x.shape[-1:], np.bool_, seed=s))),
    "masked_fill": lambda T, x, d, s: x.masked_fill(x > 0.5, -1.0),
    # a 0-dim value on the CPU: torch takes it (as a number) for a tensor on any device
    "masked_fill_t": lambda T, x, d, s: T.masked_fill(x, x < 0, T.tensor(2.0)),
    "gather": lambda T, x, d, s: T.gather(x, d, _on(T, x, _gather_index(x, d, s))),
    "gather_m": lambda T, x, d, s: x.gather(d, _on(T, x, _gather_index(x, d, s))),
    "scatter": lambda T, x, d, s: x.scatter(d, i := _on(T, x, _gather_index(x, d, s)), x.gather(d, i) * 3),
    "scatter_value": lambda T, x, d, s: T.scatter(x, d, _on(T, x, _gather_index(x, d, s)), 2.5),
    "scatter_add": lambda T, x, d, s: x.scatter_add(d, i := _on(T, x, _gather_index(x, d, s)),
                                                    x.gather(d, i).exp()),
    "scatter_add_fn": lambda T, x, d, s: T.scatter_add(x * 0, d, i := _on(T, x, _gather_index(x, d, s)),
                                                       x.gather(d, i)),
    "take": lambda T, x, d, s: T.take(x, _on(T, x, _idx(x.reshape(-1), 0, 4, s))),
    "take_m": lambda T, x, d, s: x.take(_on(T, x, _idx(x.reshape(-1), 0, 3, s).reshape(3, 1))),
    "nonzero": lambda T, x, d, s: T.nonzero(x > 0),
    "nonzero_tuple": lambda T, x, d, s: (x > 0).nonzero(as_tuple=True),
    "argwhere": lambda T, x, d, s: T.argwhere(x),
    "where_1arg": lambda T, x, d, s: T.where(x > 0),
    "index_put": lambda T, x, d, s: x.index_put((_on(T, x, _idx(x, 0, 2, s)),), _on(T, x, 1.5, dtype=x.dtype)),
    "index_put_acc": lambda T, x, d, s: T.index_put(x, (_on(T, x, _idx(x, 0, 3, s)),), x[0] * 2, accumulate=True),
}


@FEW
@pytest.mark.parametrize("name", INDEX_OPS)
@given(data=st.data(), shape=shapes(1, 3, 0, 4), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_index_ops(name, data, shape, dtype, seed, nc, device):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    if name == "index_put_acc" and not all(shape):
        return                            # (the source is x[0])
    check_or_raises(lambda T, x: INDEX_OPS[name](T, x, d, seed), [rand(shape, dtype, seed=seed)],
                    noncontiguous=nc, device=device)


def test_scatter_gather_shapes(device):
    """gather/scatter with an index smaller than the input in other dims, scatter's src larger than index."""
    x, src = rand((3, 4)), rand((4, 5), seed=1)
    idx = np.array([[0, 2], [1, 0]])
    check(lambda T, x, s, i: T.gather(x, 1, i), [x, src, idx], device=device)
    # a source larger than the index: forward only (torch's own backward refuses the gradient's shape)
    check(lambda T, x, s, i: T.scatter(x, 0, i, s), [x, src, idx], grad=False, device=device)
    check(lambda T, x, s, i: x.scatter_add(1, i, s), [x, src, idx], grad=False, device=device)
    check(lambda T, x, s, i: x.scatter_add(1, i, s[:2, :2]), [x, src, idx], device=device)
    check(lambda T, x, s, i: x.scatter(1, i, 7.0), [x, src, idx], device=device)


@pytest.mark.parametrize("f", [
    lambda T, x: x[3], lambda T, x: x[0, 5], lambda T, x: x[-4], lambda T, x: x[0, 0, 0],
    lambda T, x: x[::-1], lambda T, x: x[_on(T, x, [0.0])], lambda T, x: x[_on(T, x, [True, False])],
    lambda T, x: x["a"], lambda T, x: x[1.5], lambda T, x: x.sum()[0],
    lambda T, x: x.index_select(0, _on(T, x, [[0]])), lambda T, x: x.index_select(0, _on(T, x, [0.0])),
    lambda T, x: x.gather(0, _on(T, x, [0])), lambda T, x: x.gather(0, _on(T, x, [[0.0]])),
    lambda T, x: x.masked_select(x), lambda T, x: x.masked_fill(x, 1.0), lambda T, x: T.where(x, x, x),
    lambda T, x: x.select(2, 0), lambda T, x: x.select(1, 9),
])
def test_index_errors(f, device):
    """Bad keys and index arguments raise torch's kind of error (checked before any kernel runs)."""
    check_or_raises(f, [rand((3, 4))], requires_grad=[False], device=device)


@pytest.mark.parametrize("f", [lambda T, x: x[T.tensor([0, 3])], lambda T, x: x.index_select(0, T.tensor([5]))])
def test_index_out_of_range(f):
    """An index tensor out of range raises IndexError / RuntimeError. CPU only: torch's CUDA kernels check the
    bounds with a device-side assert, which is no catchable error and leaves the CUDA context unusable."""
    check_or_raises(f, [rand((3, 4))], requires_grad=[False])


@pytest.mark.parametrize("shape", [(3,), (4, 2), (3, 1, 2)])
def test_cpu_index_into_device_tensor(shape, device):
    """What torch allows across devices: CPU index tensors and masks as keys of a tensor on any device
    (read and write, with autograd), and a 0-dim CPU tensor as the value written."""
    idx = _idx(rand(shape), 0, 4, seed=1)
    mask = rand(shape[:1], np.bool_, seed=2)

    def f(T, x):
        y = x * 1
        y[T.tensor(idx)] = T.tensor(1.5, dtype=x.dtype)
        y[T.tensor(mask)] = y[T.tensor(mask)] * 2
        return x[T.tensor(idx)] + y[T.tensor(idx)] + y[T.tensor(mask)].sum()

    for dtype in (np.float32, np.float64):
        check(f, [rand(shape, dtype, seed=3)], device=device)


def test_setitem_errors_and_autograd_rules(device):
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        x = T.ones(3, requires_grad=True, device=dev)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            x[0] = 2.0
        with T.no_grad():
            x[0] = 2.0                       # allowed without recording
        assert x[0].item() == 2.0 and x.is_leaf
        y = T.zeros(3, device=dev)
        w = T.ones(1, requires_grad=True, device=dev)
        y[1] = (w * 3).squeeze()             # a plain tensor becomes part of the graph
        assert y.requires_grad and not y.is_leaf and type(y.grad_fn).__name__ == "CopySlices"
        y.sum().backward()
        assert w.grad.tolist() == [3.0]
        z = T.zeros(3, 2, device=dev)
        z[T.tensor([0, 2], device=dev)] = w * 2          # advanced key: index_put
        assert type(z.grad_fn).__name__ == "IndexPutBackward0"
        with pytest.raises(RuntimeError):
            z[0] = T.ones(3, device=dev)     # shape mismatch
        with pytest.raises(IndexError):
            z[5] = 1.0
