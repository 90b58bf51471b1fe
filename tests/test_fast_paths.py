"""Each fast path in ``minitorch/ops/_fast.py`` equals its plain version bit for bit, and the ops that use it
agree with torch where the trick matters (a NaN or inf gradient in the kept and dropped positions)."""
import numpy as np
import pytest
import torch
from hypothesis import example, given, strategies as st

import minitorch as mt
from minitorch.ops._fast import keep_where, keep_where_plain, channel_sum, channel_sum_plain, relu, relu_plain, \
    RELU_MIN_SIZE, select, select_plain, SELECT_MIN_SIZE, broadcast_view, broadcast_view_plain

from strategies import broadcast_pairs

SPECIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-40, -3.5, 7.0])


def gradients(shape, dtype, seed):
    """Values with NaN, infinities, signed zeros and subnormals among ordinary numbers."""
    r = np.random.default_rng(seed)
    g = r.standard_normal(shape).astype(dtype)
    pick = r.random(shape) < 0.4
    g[pick] = r.choice(SPECIAL, size=int(pick.sum())).astype(dtype)
    return g


def same_bits(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes(), (a, b)


@given(broadcast_pairs(), st.sampled_from([np.float32, np.float64, np.float16, np.int64]),
       st.integers(0, 2**16), st.booleans())
def test_keep_where_equals_the_plain_version(shapes, dtype, seed, strided):
    gs, ks = shapes
    if np.broadcast_shapes(gs, ks) != gs:              # the gradient has the result's shape in every caller
        gs = np.broadcast_shapes(gs, ks)
    g = gradients(gs, dtype, seed)
    if strided and g.ndim:                             # a non-contiguous gradient
        g = np.repeat(g, 2, axis=-1)[..., ::2]
    keep = np.random.default_rng(seed + 1).random(ks) < 0.5
    same_bits(keep_where(np, g, keep), keep_where_plain(np, g, keep))


@given(st.sampled_from([np.float32, np.float64]), st.integers(0, 2**16))
def test_keep_where_into_out_equals_the_plain_version(dtype, seed):
    g = gradients((3, 4, 5), dtype, seed)
    keep = np.random.default_rng(seed).random((3, 4, 5)) < 0.5
    out_fast, out_plain = np.full_like(g, 9), np.full_like(g, 9)
    assert keep_where(np, g, keep, out=out_fast) is out_fast
    keep_where_plain(np, g, keep, out=out_plain)
    same_bits(out_fast, out_plain)


@given(st.sampled_from([0, 1, 5, RELU_MIN_SIZE - 1, RELU_MIN_SIZE, 3 * RELU_MIN_SIZE + 7, 40000]),
       st.sampled_from([np.float32, np.float64, np.float16, np.int64]), st.integers(0, 2**16),
       st.sampled_from(["flat", "4d", "strided"]))
def test_relu_equals_the_plain_version(size, dtype, seed, layout):
    """Below and above RELU_MIN_SIZE; NaN (both signs), infinities, signed zeros; a non-contiguous input."""
    x = gradients((size,), dtype, seed) if dtype != np.int64 else np.random.default_rng(seed).integers(-5, 5, size)
    if dtype != np.int64:
        x[::7] = np.copysign(np.nan, -1.0)                 # a NaN with its sign bit set keeps it
    if layout == "4d" and size % 4 == 0:
        x = x.reshape(2, 2, 1, size // 4)
    elif layout == "strided":
        x = np.repeat(x, 2)[::2]
    same_bits(relu(np, x), relu_plain(np, x))


OPERAND = st.sampled_from(["array", "row", "scalar", "python"])


@given(st.sampled_from([(3, 5), (2, 3, SELECT_MIN_SIZE // 2 + 1)]), st.sampled_from(["full", "row"]), OPERAND, OPERAND,
       st.sampled_from([np.float32, np.float64, np.float16, np.int32, np.uint8, np.bool_]), st.integers(0, 2**16),
       st.booleans())
def test_select_equals_the_plain_version(shape, cond_shape, a_kind, b_kind, dtype, seed, strided):
    """Below and above SELECT_MIN_SIZE; a condition, operands broadcast from a row or a 0-d array, Python numbers;
    NaN, infinities, signed zeros; a non-contiguous operand; the result's dtype and bits as numpy's where."""
    r = np.random.default_rng(seed)

    def operand(kind, k):
        if kind == "python":
            return [1.5, -0.0, 3, float("nan")][k % 4] if dtype not in (np.int32, np.uint8, np.bool_) else k % 2
        full = gradients(shape, dtype, seed + k) if np.dtype(dtype).kind == "f" else \
            r.integers(0, 2, shape).astype(dtype)
        if strided:
            full = np.repeat(full, 2, axis=-1)[..., ::2]
        return {"array": full, "row": full[(0,) * (len(shape) - 1)], "scalar": full[(0,) * len(shape)]}[kind]

    cond = r.random(shape if cond_shape == "full" else shape[-1:]) < 0.5
    a, b = operand(a_kind, 1), operand(b_kind, 2)
    same_bits(np.asarray(select(np, cond, a, b)), np.asarray(select_plain(np, cond, a, b)))


@given(st.lists(st.integers(0, 7), min_size=2, max_size=4), st.sampled_from([np.float32, np.float64]),
       st.integers(0, 2**16), st.booleans())
def test_channel_sum_agrees_with_the_plain_version(shape, dtype, seed, strided):
    """A different summation order: both within the worst-case bound n*eps*sum|a| of the exact sums."""
    r = np.random.default_rng(seed)
    a = (r.standard_normal(shape) * 10 + r.standard_normal(shape[1:2] + [1] * (len(shape) - 2)) * 100).astype(dtype)
    if strided:                                        # a non-contiguous input
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    exact = channel_sum_plain(np, a.astype(np.float64))
    n = a.size // a.shape[1] if a.shape[1] else 0
    bound = n * np.finfo(dtype).eps * channel_sum_plain(np, np.abs(a).astype(np.float64))
    for fast in (channel_sum(np, a), channel_sum_plain(np, a)):
        assert fast.shape == exact.shape and fast.dtype == a.dtype
        assert np.all(np.abs(fast - exact) <= bound)


@pytest.mark.parametrize("op", ["relu", "max_pool2d", "hardtanh"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_gradients_flow_as_in_torch(op, dtype):
    """An inf or NaN upstream gradient lands where torch puts it (a product with a 0/1 mask would spread NaN)."""
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(dtype)
    fn = {"relu": lambda F, t: F.relu(t), "max_pool2d": lambda F, t: F.max_pool2d(t, 2),
          "hardtanh": lambda F, t: F.hardtanh(t, -0.5, 0.5)}[op]
    grads = {}
    for lib in (mt, torch):
        t = lib.tensor(x, requires_grad=True)
        y = fn(lib.nn.functional, t)
        g = gradients(tuple(y.shape), dtype, 1)
        y.backward(lib.tensor(g))
        grads[lib.__name__] = np.asarray(t.grad.detach().numpy())
    np.testing.assert_array_equal(grads["minitorch"], grads["torch"])



SECOND_OF_EQUAL_ZEROS = bool(np.signbit(np.maximum(np.full(33, 0.0, np.float32), np.full(33, -0.0, np.float32))).all())


@pytest.mark.skipif(not SECOND_OF_EQUAL_ZEROS, reason="this numpy's maximum does not return the second of two "
                                                      "equal zeros (a (-0., +0.) pool window gives +0. here)")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_of_equal_zeros_is_the_first_as_torch(dtype):
    """A 2x2 max-pool window of equal zeros gives its first one (-0. where it comes first), as torch's."""
    windows = np.array([[[[-0.0, 0.0], [-1.0, 0.0]], [[0.0, -0.0], [-0.0, -0.0]], [[-1., -0.0], [0.0, -2.0]]]] * 8,
                       dtype=dtype)                                           # enough windows for numpy's SIMD loops
    same_bits(mt.nn.functional.max_pool2d(mt.tensor(windows), 2).numpy(),
              torch.nn.functional.max_pool2d(torch.tensor(windows), 2).numpy())


def _same_values(ours, theirs):
    """Bit for bit, but for the sign and payload of NaN (torch's and numpy's NaN results differ there)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    nan = np.isnan(theirs)
    assert np.array_equal(np.isnan(ours), nan)
    same_bits(np.where(nan, 0, ours), np.where(nan, 0, theirs))


@pytest.mark.parametrize("size", [6, 3 * RELU_MIN_SIZE + 6])            # the plain path and the fast one
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_signed_zeros_and_nan_as_torch(size, dtype):
    """relu and clamp with number bounds: of two equal values torch returns x (relu(-0.) = -0., clamp(-0.,
    min=0.) = -0.), numpy's maximum its second operand; ours as torch's. (Not checked: torch.maximum and a clamp
    with tensor bounds, where torch's own vectorized loop and its scalar tail disagree on equal zeros.)"""
    base = np.array([-0.0, 0.0, np.nan, -1.5, 2.5, -np.inf], dtype=dtype)
    x = np.resize(base, size)
    cases = {
        "relu": lambda L, a: L.relu(a),
        "F.relu": lambda L, a: L.nn.functional.relu(a),
        "relu_": lambda L, a: a.clone().relu_(),
        "clamp min": lambda L, a: L.clamp(a, min=0.0),
        "clamp max": lambda L, a: L.clamp(a, max=-0.0),
        "clamp both": lambda L, a: L.clamp(a, -0.0, 0.0),
    }
    for name, fn in cases.items():
        _same_values(fn(mt, mt.tensor(x)).numpy(), fn(torch, torch.tensor(x)).numpy())


@given(broadcast_pairs(), st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
       st.sampled_from(["contiguous", "strided", "0-d"]))
@example(((2, 3), (2, 3)), np.float32, "contiguous")
@example(((3, 1), (2, 3, 4)), np.float64, "contiguous")
@example(((1, 4), (3, 4)), np.float32, "contiguous")
@example(((2, 2), (2, 2, 2)), np.int64, "contiguous")
@example(((0, 3), (2, 0, 3)), np.float32, "contiguous")
@example(((3, 2), (3, 2)), np.float32, "strided")
def test_broadcast_view_equals_the_plain_version(shapes, dtype, layout):
    """broadcast_view is numpy's broadcast_to: same values, strides and dtype, read-only, sharing a's memory;
    a non-contiguous array takes numpy's own path. Shapes that do not broadcast raise numpy's ValueError."""
    a_shape, b_shape = shapes
    if layout == "0-d":
        a_shape = ()
    out_shape = np.broadcast_shapes(a_shape, b_shape)
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(a_shape) * 3).astype(dtype) if dtype is not np.bool_ else rng.random(a_shape) > 0.5
    a = np.asarray(a)
    if layout == "strided" and a.ndim:
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    v, r = broadcast_view(np, a, out_shape), broadcast_view_plain(np, a, out_shape)
    assert v.shape == r.shape and v.dtype == r.dtype and v.strides == r.strides
    np.testing.assert_array_equal(v, r)
    assert not v.flags.writeable
    if a.size and v.size:
        assert np.shares_memory(v, a)
    with pytest.raises(ValueError):
        broadcast_view(np, np.ones((2, 3)), (4, 3))
    with pytest.raises(ValueError):
        broadcast_view(np, np.ones((2, 3)), (3,))


def test_sum_and_expand_use_the_view():
    """Sum's gradient and expand's result are broadcast views of one element (no copy), read-only as numpy's."""
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    e = mt.tensor([5.0]).expand(3, 2)
    assert e._data.strides == (0, 0) and not e._data.flags.writeable
    x.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]] and x.grad._data.flags.writeable   # .grad: a copy
    x.grad.add_(1)                                                                       # ours to edit
    assert x.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
