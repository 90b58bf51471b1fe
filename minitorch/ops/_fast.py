"""Fast paths that are pure array tricks, each named beside the plain version it must equal.

The plain version is the definition (what a reader should think the op does); the fast one is what runs,
and ``tests/test_fast_paths.py`` checks that the two agree bit for bit. Other fast paths are chosen in
one place each, beside their own plain reference: the convolution's formulation (``_formulation`` in
``ops/conv.py``; ``_use_rows`` and ``FEW_CHANNELS`` in ``ops/conv_fast.py``; compared with ``conv_*_im2col``;
docs chapter 7), an op's array backward (``Function.array_backward`` beside ``backward``, compared in
``tests/test_array_backward.py``) and the fused GPU kernels (``minitorch/_kernels.py``, each returning None
where the generic array code runs instead, compared in ``tests/test_gpu.py``).
"""
from .. import _backend

_np = _backend.numpy


def keep_where_plain(xp, g, keep, out=None):
    """``g`` where ``keep`` else +0: ReLU's and max-pool's backward, and every piecewise op's.

    A selection, not ``g * keep``: an inf or NaN gradient stays where it is kept (0 * inf would be NaN)."""
    r = xp.where(keep, g, 0).astype(g.dtype, copy=False)
    if out is None:
        return r
    out[...] = r
    return out


def keep_where(xp, g, keep, out=None):
    """``keep_where_plain``, without a branch per element: AND each float's bits with all ones (keep) or
    all zeros (+0). ``where`` over a half-random mask (every ReLU's) mispredicts a branch per element and
    is about 8x slower. Written into ``out`` when given."""
    if g.dtype.kind != "f" or g.itemsize not in (4, 8) or type(g) is not type(keep) or keep.dtype != bool:
        return keep_where_plain(xp, g, keep, out)
    bits = xp.int32 if g.itemsize == 4 else xp.int64
    # all ones where keep, else zeros: True (1) negated as an int8 is -1, all ones once the AND widens it
    # to the float's width (inside the one ufunc call: no widened mask array; a bool array widened
    # directly runs numpy's slower cast loop). 2M floats: 0.67 ms, against 0.75 with the mask widened first
    mask = xp.negative(keep.view(xp.int8))
    if out is not None:
        xp.bitwise_and(g.view(bits), mask, out=out.view(bits))
        return out
    g = xp.ascontiguousarray(g)
    return xp.bitwise_and(g.view(bits), mask).view(g.dtype)


def relu_plain(xp, x):
    """max(x, 0) as torch's relu: ``x`` where it is not below 0 (so -0. and NaN pass through), else 0.

    (Not numpy's ``maximum(x, 0)``: of two equal values it returns its second operand, +0. for -0.)"""
    return xp.where(x < 0, 0, x)


RELU_MIN_SIZE = 1024


def relu(xp, x):
    """``relu_plain`` through numpy's ``clip(x, 0, inf)``: clip with two bounds has a fast loop, ``maximum`` against
    a 0-d zero has none ((64, 6, 28, 28) float32: 44 against 98 us; (32, 64, 32, 32): 282 against 730), and clip
    returns x itself where x equals a bound or is NaN (-0. stays -0.), as ``relu_plain``. Float arrays of at
    least RELU_MIN_SIZE elements on the CPU (below that, clip's Python wrapper costs more than it saves)."""
    if xp.__name__ != "numpy" or x.dtype.kind != "f" or x.size < RELU_MIN_SIZE:
        return relu_plain(xp, x)
    return xp.clip(x, 0, xp.inf)


def select_plain(xp, cond, a, b):
    """``a`` where ``cond`` else ``b`` (numpy's ``where``): torch.where's forward and every two-branch activation's."""
    return xp.where(cond, a, b)


SELECT_MIN_SIZE = 4096
_BITS = {1: "int8", 2: "int16", 4: "int32", 8: "int64"}


def select(xp, cond, a, b):
    """``select_plain`` without a branch per element: ``b ^ ((a ^ b) & mask)`` on the values' bits, the mask all
    ones where ``cond`` (True as an int8 is 1; negated, -1: all ones once the AND widens it). numpy's ``where``
    branches on every element and over a half-random mask (an activation's) mispredicts half of them: 301,056
    float32 elements 1.25 ms, against 0.12 here. The same bits (NaN payloads included); the same result dtype
    (``a`` and ``b`` are arrays or Python numbers). Boolean ``cond`` on the CPU, at least SELECT_MIN_SIZE
    elements (below that, three more numpy calls cost more than the branches)."""
    if xp.__name__ != "numpy" or getattr(cond, "dtype", None) != bool or cond.size < SELECT_MIN_SIZE:
        return select_plain(xp, cond, a, b)
    dtype = xp.result_type(a, b)
    if dtype.kind not in "fiu" or dtype.itemsize not in _BITS:
        return select_plain(xp, cond, a, b)
    bits = _BITS[dtype.itemsize]
    a, b = xp.asarray(a, dtype=dtype).view(bits), xp.asarray(b, dtype=dtype).view(bits)
    d = xp.bitwise_xor(a, b)
    mask = xp.negative(cond.view(xp.int8))
    if d.shape == xp.broadcast_shapes(d.shape, cond.shape):
        xp.bitwise_and(d, mask, out=d)
    else:
        d = xp.bitwise_and(d, mask)                 # cond is the larger: the result takes its shape
    xp.bitwise_xor(d, b, out=d)
    return d.view(dtype)


def channel_sum_plain(xp, a):
    """Σ of ``a`` per channel (dim 1) over every other dim: a bias's and batch norm's gradient sums."""
    return a.sum(axis=(0,) + tuple(range(2, a.ndim)))


def channel_sum(xp, a):
    """``channel_sum_plain`` through numpy's einsum: one pass in memory order, where numpy's sum over the
    non-adjacent axes (0, 2, 3) runs about 3x slower ((32, 64, 32, 32) float32: 0.09 against 0.28 ms;
    (64, 6, 28, 28): 14 against 45 us). A different summation order, as accurate here (float32 against
    float64: 2.9e-7 against 2.3e-7 relative); on a GPU the plain sum."""
    if xp.__name__ != "numpy" or a.dtype.kind != "f" or a.dtype.itemsize < 4 or a.ndim < 2:
        return channel_sum_plain(xp, a)
    sub = "abcdefgh"[:a.ndim]
    return xp.einsum(f"{sub}->b", a)


def broadcast_view_plain(xp, a, shape):
    """``a`` broadcast to ``shape``: a read-only view, stride 0 along the broadcast dims (numpy's broadcast_to)."""
    return xp.broadcast_to(a, shape)


def broadcast_view(xp, a, shape):
    """``broadcast_view_plain``, built directly for a C-contiguous numpy array: numpy's ``broadcast_to`` checks
    its arguments in Python, about 2.6 µs a call, more than the 4-element op it feeds (a sum's gradient spread
    back: ``(x * w).sum().backward()`` spends it once), against about 0.7 µs here. The same view (strides,
    read-only, its base keeps ``a`` alive); any other case (a GPU array, a non-contiguous one, shapes that do
    not broadcast: numpy's error) goes to numpy."""
    if type(a) is not _np.ndarray or not a.flags.c_contiguous or len(shape) < a.ndim:
        return broadcast_view_plain(xp, a, shape)
    lead = len(shape) - a.ndim
    strides = [0] * lead
    for n, m, s in zip(shape[lead:], a.shape, a.strides):
        if m == 1:
            strides.append(0)                       # (numpy's too where n is 1 as well)
        elif m == n:
            strides.append(s)
        else:
            return broadcast_view_plain(xp, a, shape)
    v = _np.ndarray(shape, a.dtype, a, 0, strides)
    v.setflags(write=False)
    return v
