"""The memory layout (``.stride()``) of indexing results is torch's: index_select, gather, take, masked_select
and advanced indexing (``x[idx]``, ``x[:, idx]``, ``x[mask]``, several index tensors), over random shapes,
source layouts (permuted) and index layouts (transposed, strided). A following ``.view`` then works exactly
where torch's works.

Strides of size-1 dims are not compared: they do not address memory (torch itself fills them in several
ways), so neither ``view`` nor any value depends on them.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import minitorch as mt


def _same_layout(ours, theirs, what):
    assert tuple(ours.shape) == tuple(theirs.shape), what
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=what)
    if theirs.numel() == 0:
        # no elements: torch's strides of an empty index result are whatever its kernel left ((1, 0, 0) for
        # shape (0, 2, 1)); what can be observed is that it is contiguous
        assert ours.is_contiguous() and theirs.is_contiguous(), what
    else:
        for d, (a, b, n) in enumerate(zip(ours.stride(), theirs.stride(), theirs.shape)):
            assert n == 1 or a == b, f"{what}: stride of dim {d} is {a}, torch {b} (strides {ours.stride()} " \
                                     f"vs {theirs.stride()}, shape {tuple(theirs.shape)})"
    for shape in ((-1,), tuple(theirs.shape[::-1])):
        try:
            theirs.view(shape)
            ok = True
        except RuntimeError:
            ok = False
        if ok:
            ours.view(shape)
        else:
            with pytest.raises(RuntimeError):
                ours.view(shape)


@st.composite
def _source(draw):
    nd = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    perm = tuple(draw(st.permutations(range(nd))))
    data = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return data, perm


def _build(lib, data, perm):
    """``data`` as a tensor whose memory is in the order ``perm`` (a permuted view of a contiguous tensor)."""
    inv = tuple(np.argsort(perm))
    return lib.from_numpy(np.ascontiguousarray(data.transpose(perm))).permute(*inv)


@st.composite
def _index(draw, n):
    """An int64 index array for a dim of size ``n`` and how to lay it out ("plain", "t", "gap")."""
    nd = draw(st.integers(1, 2))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    vals = np.array(draw(st.lists(st.integers(0, n - 1), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape)))), dtype=np.int64).reshape(shape)
    return vals, draw(st.sampled_from(["plain", "t", "gap"]))


def _index_tensor(lib, vals, layout):
    if layout == "t" and vals.ndim == 2:
        return lib.from_numpy(np.ascontiguousarray(vals.T)).t()
    if layout == "gap":
        return lib.from_numpy(np.repeat(vals, 2, axis=-1))[..., ::2]
    return lib.from_numpy(vals.copy())


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_advanced_index_strides(data):
    arr, perm = data.draw(_source())
    nd = arr.ndim
    k = data.draw(st.integers(1, nd))                             # how many dims get an index tensor
    dims = sorted(data.draw(st.permutations(range(nd)))[:k])
    idx = {d: data.draw(_index(arr.shape[d])) for d in dims}
    # a 1-D index broadcasts with a 2-D one only when it fits: keep all index shapes equal to the first
    first = idx[dims[0]][0].shape
    idx = {d: (np.resize(v, first), lay) for d, (v, lay) in idx.items()}
    slices = {d: data.draw(st.sampled_from([slice(None), slice(1, None), slice(None, None, 2)]))
              for d in range(nd) if d not in idx}
    lead_none = data.draw(st.booleans())
    res = []
    for lib in (torch, mt):
        x = _build(lib, arr, perm)
        key = [_index_tensor(lib, *idx[d]) if d in idx else slices[d] for d in range(nd)]
        if lead_none:
            key = [None] + key
        res.append(x[tuple(key)])
    _same_layout(res[1], res[0], f"x[{[('idx' if d in idx else slices[d]) for d in range(nd)]}] perm {perm}")


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mask_index_strides(data):
    arr, perm = data.draw(_source())
    k = data.draw(st.integers(1, arr.ndim))
    start = data.draw(st.integers(0, arr.ndim - k))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(arr.shape[start:start + k])),
                                       max_size=int(np.prod(arr.shape[start:start + k]))))).reshape(
        arr.shape[start:start + k])
    res = []
    for lib in (torch, mt):
        x = _build(lib, arr, perm)
        res.append(x[(slice(None),) * start + (lib.from_numpy(mask.copy()),)])
    _same_layout(res[1], res[0], f"x[{':, ' * start}mask{mask.shape}] perm {perm}")


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_index_functions_strides(data):
    arr, perm = data.draw(_source())
    d = data.draw(st.integers(0, arr.ndim - 1))
    vals, lay = data.draw(_index(arr.shape[d]))
    vals1 = vals.reshape(-1)
    gshape = tuple(data.draw(st.integers(1, n)) if i != d else data.draw(st.integers(1, 3))
                   for i, n in enumerate(arr.shape))
    gidx = np.array(data.draw(st.lists(st.integers(0, arr.shape[d] - 1), min_size=int(np.prod(gshape)),
                                       max_size=int(np.prod(gshape)))), dtype=np.int64).reshape(gshape)
    tvals = np.array(data.draw(st.lists(st.integers(0, arr.size - 1), min_size=4, max_size=4))).reshape(2, 2)
    mask = (arr % 3 == 0)
    for name, fn in [("index_select", lambda T, x: T.index_select(x, d, _index_tensor(T, vals1, lay))),
                     ("gather", lambda T, x: T.gather(x, d, T.from_numpy(gidx.copy()))),
                     ("take", lambda T, x: T.take(x, _index_tensor(T, tvals, lay))),
                     ("masked_select", lambda T, x: T.masked_select(x, _build(T, mask, perm)))]:
        res = [fn(lib, _build(lib, arr, perm)) for lib in (torch, mt)]
        _same_layout(res[1], res[0], f"{name} dim {d} perm {perm}")


def test_index_select_dim1_is_contiguous_and_views():
    """The example of the issue: index_select along dim 1 gives a contiguous result, and ``view`` works."""
    x = mt.arange(12.).reshape(3, 4)
    y = mt.index_select(x, 1, mt.tensor([0, 2]))
    assert y.is_contiguous() and y.stride() == torch.index_select(
        torch.arange(12.).reshape(3, 4), 1, torch.tensor([0, 2])).stride()
    assert y.view(6).tolist() == [0., 2., 4., 6., 8., 10.]


@pytest.mark.parametrize("shape", [(64, 1, 28, 28), (5, 1, 3, 4), (3, 4, 5), (4, 3, 1, 2, 2)])
def test_advanced_index_values_on_every_source_layout(shape):
    """Regression: a source permuted in memory (any permutation, 3-cycles included) indexes to torch's values
    (the torch-order copy once transposed by the order itself instead of its inverse: wrong shape or values)."""
    import itertools
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(np.float32)
    for perm in itertools.permutations(range(len(shape))):
        src = np.ascontiguousarray(a.transpose(perm))
        inv = np.argsort(perm).tolist()
        ours, theirs = mt.from_numpy(src).permute(*inv), torch.from_numpy(src.copy()).permute(*inv)
        for key in ([0, 1, 0], (slice(None), [0, 0]), ([1, 0], slice(None), [0, 0])):
            key = key if isinstance(key, tuple) else (key,)
            km = tuple(mt.tensor(k) if isinstance(k, list) else k for k in key)
            kt = tuple(torch.tensor(k) if isinstance(k, list) else k for k in key)
            np.testing.assert_array_equal(ours[km].numpy(), theirs[kt].numpy(), err_msg=f"{shape} {perm} {key}")


@pytest.mark.parametrize("case", ["size-1 lead dim", "None in the key"])
def test_advanced_index_strides_found_by_the_thorough_profile(case):
    """Two layouts the thorough profile found: torch's TensorIterator keeps the strides of the size-1 dims its
    reshaped index tensors carry, and a None is an unsqueeze of the source (with that view's stride)."""
    if case == "size-1 lead dim":
        arr, perm = np.arange(4, dtype=np.float32).reshape(1, 2, 2), (2, 1, 0)
        keys = lambda L: (slice(None), L.tensor([0, 0]), slice(None))
    else:
        arr, perm = np.arange(2, dtype=np.float32).reshape(2, 1), (0, 1)
        keys = lambda L: (None, slice(None), L.tensor([[0, 0], [0, 0]]))
    res = [_build(L, arr, perm)[keys(L)] for L in (torch, mt)]
    _same_layout(res[1], res[0], case)
