"""Pooling on arrays: max, average and adaptive average pooling over the last two dims, with hand-written backward.

Every pool here is a loop over the kh*kw kernel offsets, never over pixels:
for offset (i, j) the strided slice ``xpad[..., i*dh : : sh, j*dw : : sw]``
holds, for every output position at once, the input element at that offset
of its window. A max is then a running elementwise maximum over kh*kw slices,
an average a running sum. For the common 2x2 / stride 2 max pool that is just
four strided slices and three ``maximum`` calls, much faster than building
windows.

Backward is the same loop run the other way: the gradient of each output
goes back to one slice position per offset. Max pooling sends it to the
*first* maximal element of each window (row-major order), as torch does; the
argmax is kept as a small per-output offset code. The backward ops are
Functions too (linear maps whose adjoints are each other), so double
backward works.

Arrays may be (N, C, H, W), or (N, C, L) for the 1-D pools (handled as H = 1).
"""
from .. import _kernels
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled as _grad_enabled
from ..tensor import Tensor
from ._fast import keep_where
from .gather import scatter_add
from .unary import depends_on
from .linalg import matmul

_T = Tensor._from_array


def _as4d(a):
    return a if a.ndim == 4 else a.reshape(a.shape[:2] + (1,) + a.shape[2:])


def pool_out_size(size, k, s, p, d, ceil_mode):
    """Output length of a pooling window sweep (torch's formula, including the ceil_mode rule that the
    last window must start inside the input or its left padding)."""
    num = size + 2 * p - d * (k - 1) - 1
    out = (num + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


class PoolGeometry(tuple):
    """(kernel (kh, kw), stride (sh, sw), padding (ph, pw), dilation (dh, dw), output (Ho, Wo)) of a pool."""
    __slots__ = ()

    def __new__(cls, kernel, stride, padding, dilation, out):
        return tuple.__new__(cls, (tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), tuple(out)))

    def padded_shape(self, h, w):
        """Padded extent that covers every window (ceil_mode windows may hang past the right padding)."""
        (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = self
        return (max(h + 2 * ph, (ho - 1) * sh + dh * (kh - 1) + 1),
                max(w + 2 * pw, (wo - 1) * sw + dw * (kw - 1) + 1))

    def slices(self):
        """(k, (row slice, col slice)) for every kernel offset k = i*kw + j, into the padded plane."""
        (kh, kw), (sh, sw), _, (dh, dw), (ho, wo) = self
        for i in range(kh):
            for j in range(kw):
                yield i * kw + j, (slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                                   slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))

    @property
    def overlapping(self):
        """True when windows share input elements (then backward must add, not assign)."""
        (kh, kw), (sh, sw), _, (dh, dw), _ = self
        return dh * (kh - 1) + 1 > sh or dw * (kw - 1) + 1 > sw

    @property
    def is_2x2(self):
        return self == ((2, 2), (2, 2), (0, 0), (1, 1), self[4])


def _padded(xp, x, geo, fill):
    """x (N, C, H, W) in a larger array filled with ``fill`` (the padding), or x itself when none is needed."""
    n, c, h, w = x.shape
    hp, wp = geo.padded_shape(h, w)
    ph, pw = geo[2]
    if (hp, wp) == (h, w):
        return x
    out = xp.full((n, c, hp, wp), fill, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _unpad(xp, gxp, geo, shape):
    ph, pw = geo[2]
    h, w = shape[2], shape[3]
    if gxp.shape[2:] == (h, w):
        return gxp
    return xp.ascontiguousarray(gxp[:, :, ph:ph + h, pw:pw + w])


# ---------------------------------------------------------------- max pooling
def _max_2x2(xp, x, geo):
    """2x2 / stride 2 max pool: four strided slices, three maximums.

    Tried and dropped (2026-12-04, LeNet's pools, N=64): the maximum of each horizontal pair as ONE 1-D pass
    (``x.reshape(-1, 2)[:, 0]`` against ``[:, 1]``), then of the two rows; and a backward in the same two steps
    (top/bottom row by ``pair max == y``, left/right by ``left == pair max``, the gradient split with bit masks).
    numpy runs stride-2 loops without SIMD, about 75 us per pass over 150k pairs against 15 us contiguous, so
    the forward pass stayed at 0.12 ms and the backward went 0.28 -> 0.40 ms (6x28x28 planes).
    """
    ho, wo = geo[4]
    a, b = x[:, :, 0:2 * ho:2, 0:2 * wo:2], x[:, :, 0:2 * ho:2, 1:2 * wo:2]
    c, d = x[:, :, 1:2 * ho:2, 0:2 * wo:2], x[:, :, 1:2 * ho:2, 1:2 * wo:2]
    y = xp.maximum(b, a)             # the earlier element second: of two equal values (-0., +0.) numpy returns the
    xp.maximum(c, y, out=y)          # second, so the first maximum of the window is the result, as torch's
    xp.maximum(d, y, out=y)
    return y


def _argmax_2x2(xp, x, y, geo):
    """Offset code 0..3 of the first maximum of each 2x2 window (row-major: (0,0), (0,1), (1,0), (1,1)).

    As in the general loop (torch's ``val > max or isnan(val)``), a NaN wins, the last one if several.
    """
    ho, wo = geo[4]
    code = xp.full(y.shape, 3, dtype=xp.int16)
    parts = [x[:, :, k // 2:2 * ho:2, k % 2:2 * wo:2] for k in range(4)]
    for k in (2, 1, 0):                       # later offsets first, so the first match wins
        xp.copyto(code, k, where=parts[k] == y)
    if xp.isnan(y).any():
        for k in range(4):
            xp.copyto(code, k, where=xp.isnan(parts[k]))
    return code


def max_pool_forward(xp, x, geo):
    """(y, code): the window maxima and, per output, the offset code i*kw + j of the first maximum.

    torch's rule ``val > max or isnan(val)`` is followed: NaN propagates.
    """
    if geo.is_2x2 and 2 * geo[4][0] <= x.shape[2] and 2 * geo[4][1] <= x.shape[3]:
        y = _max_2x2(xp, x, geo)
        return y, None
    xpd = _padded(xp, x, geo, -xp.inf)
    y = code = None
    for k, (rs, cs) in geo.slices():
        v = xpd[:, :, rs, cs]
        if y is None:
            y = v.copy()
            code = xp.zeros(y.shape, dtype=xp.int16)
            continue
        upd = (v > y) | (v != v)
        xp.copyto(y, v, where=upd)
        xp.copyto(code, k, where=upd)
    return y, code


def max_indices(xp, code, geo, in_hw):
    """torch's ``return_indices``: flat positions h*W + w of each maximum in its (unpadded) input plane."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = geo
    code = code.astype(xp.int64)
    hh = xp.arange(ho, dtype=xp.int64).reshape(ho, 1) * sh - ph + (code // kw) * dh
    ww = xp.arange(wo, dtype=xp.int64) * sw - pw + (code % kw) * dw
    return hh * in_hw[1] + ww


class MaxPool2d(Function):
    """y = max over each window.   dL/dx: dL/dy routed to the first maximal element of its window."""
    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, geo, return_indices=False):
        xp = ctx.xp
        x4 = _as4d(x)
        y, code = max_pool_forward(xp, x4, geo)
        ctx.geo, ctx.in_shape, ctx.code = geo, x.shape, code
        if code is None and ctx.needs_input_grad:
            # the 2x2 path finds its argmax in backward, from x and a private copy of y (the returned
            # output may be edited in place later, e.g. by relu_, which torch allows)
            ctx.save_for_backward(x, y.copy())
        elif ctx.needs_input_grad:
            ctx.save_for_backward(x, None)
        out_shape = x.shape[:2] + y.shape[2:] if x.ndim == 4 else x.shape[:2] + y.shape[3:]
        if not return_indices:
            return y.reshape(out_shape)
        if code is None:
            code = ctx.code = _argmax_2x2(xp, x4, y, geo)
        idx = max_indices(xp, code, geo, x4.shape[2:]).reshape(out_shape)
        ctx.mark_non_differentiable(idx)
        return y.reshape(out_shape), idx

    @staticmethod
    def backward(ctx, grad, *_):
        code = ctx.code
        x, y = ctx.saved_tensors
        if code is None:
            code = FirstMax2x2(ctx.xp, _as4d(x._data), _as4d(y._data), ctx.geo)
        return MaxPoolScatter.apply(grad, code, ctx.geo, ctx.in_shape, *_src(x)), None, None


def _src(x):
    """``(x,)`` when the input of a pool must be recorded as an input (derivative 0) of its backward op, else ().

    torch's pool backward formulas read their input: a gradient taken with ``create_graph=True`` requires
    grad even for a constant upstream gradient, and the input gets a zero (not a missing) gradient from it.
    """
    return (x,) if x is not None and x.requires_grad and _grad_enabled() else ()


def _src_grad(ctx, grad):
    """The zero gradient of the recorded ``src`` input (None when there is none)."""
    return grad.new_zeros(ctx.src_shape) if ctx.src_shape is not None else None


class FirstMax2x2:
    """The argmax of a 2x2 / stride 2 max pool, kept as (x, y) and found only when needed.

    ``scatter`` routes a gradient straight to the first maximum of each window with four
    comparisons and four strided writes (no offset-code array, no boolean-mask indexing).
    """

    def __init__(self, xp, x, y, geo):
        self.xp, self.x, self.y, self.geo = xp, x, y, geo
        self._code = None
        self.shape = y.shape

    @property
    def code(self):
        if self._code is None:
            self._code = _argmax_2x2(self.xp, self.x, self.y, self.geo)
        return self._code

    def scatter(self, g4, in_hw):
        xp, x, y = self.xp, self.x, self.y
        n, c, ho, wo = y.shape
        h, w = in_hw
        gx = _kernels.maxpool2x2_backward(xp, x, g4)               # GPU: one kernel, no host sync
        if gx is not None:
            return gx
        if xp.isnan(y).any():
            return None                                       # NaN windows: the general code path
        if (2 * ho, 2 * wo) == (h, w):
            gx = xp.empty((n, c, ho, 2, wo, 2), dtype=g4.dtype)
            views = [gx[:, :, :, k // 2, :, k % 2] for k in range(4)]
            gx = gx.reshape(n, c, h, w)
        else:
            gx = xp.zeros((n, c, h, w), dtype=g4.dtype)
            views = [gx[:, :, k // 2:2 * ho:2, k % 2:2 * wo:2] for k in range(4)]
        rest = None
        for k in range(3):
            m = x[:, :, k // 2:2 * ho:2, k % 2:2 * wo:2] == y
            if rest is None:
                rest = ~m
            else:
                m &= rest
                rest ^= m
            keep_where(xp, g4, m, out=views[k])
        keep_where(xp, g4, rest, out=views[3])
        return gx


class MaxPoolScatter(Function):
    """gx = zeros like x; each gradient of an output added at its window's argmax (given by ``code``).

    Linear in the gradient; its adjoint (the backward) is ``MaxPoolGather``.
    """
    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, code, geo, in_shape, src=None):
        xp = ctx.xp
        ctx.code, ctx.geo, ctx.out_shape = code, geo, g.shape
        ctx.src_shape = None if src is None else src.shape
        g4 = g.reshape(code.shape)
        n, c = code.shape[:2]
        h, w = (in_shape[2], in_shape[3]) if len(in_shape) == 4 else (1, in_shape[2])
        if isinstance(code, FirstMax2x2):
            gx = code.scatter(g4, (h, w))
            if gx is not None:
                return gx.reshape(in_shape)
            code = code.code
        hp, wp = geo.padded_shape(h, w)
        gxp = xp.zeros((n, c, hp, wp), dtype=g.dtype)
        overlap = geo.overlapping
        for k, (rs, cs) in geo.slices():
            view = gxp[:, :, rs, cs]
            if overlap:
                view += keep_where(xp, g4, code == k)
            else:
                keep_where(xp, g4, code == k, out=view)
        return _unpad(xp, gxp, geo, (n, c, h, w)).reshape(in_shape)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolGather.apply(grad, ctx.code, ctx.geo, ctx.out_shape), None, None, None, _src_grad(ctx, grad)


class MaxPoolGather(Function):
    """g[out] = G[argmax of out's window]: the adjoint of ``MaxPoolScatter``."""
    node_name = "MaxPool2DWithIndicesBackwardBackward1"

    @staticmethod
    def forward(ctx, G, code, geo, out_shape):
        xp = ctx.xp
        if isinstance(code, FirstMax2x2):
            code = code.code
        ctx.code, ctx.geo, ctx.in_shape = code, geo, G.shape
        Gp = _padded(xp, _as4d(G), geo, 0)
        out = xp.zeros(code.shape, dtype=G.dtype)
        for k, (rs, cs) in geo.slices():
            m = code == k
            out[m] = Gp[:, :, rs, cs][m]
        return out.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, ctx.code, ctx.geo, ctx.in_shape), None, None, None


# ---------------------------------------------------------------- average pooling
def _axis_divisors(xp, size, k, s, p, out, count_include_pad):
    """Per-output window sizes along one axis (torch's rule: windows are clipped to the padded input,
    and also to the input itself when padding is not counted)."""
    starts = [o * s - p for o in range(out)]
    ends = [min(st + k, size + p) for st in starts]
    if count_include_pad:
        return [e - st for st, e in zip(starts, ends)]
    return [min(e, size) - max(st, 0) for st, e in zip(starts, ends)]


def avg_scale(xp, geo, in_hw, count_include_pad, divisor_override, dtype):
    """The (Ho, Wo) array of 1/divisor per output position."""
    (kh, kw), (sh, sw), (ph, pw), _, (ho, wo) = geo
    if divisor_override:
        return xp.full((ho, wo), 1.0 / divisor_override, dtype=dtype)
    dh = _axis_divisors(xp, in_hw[0], kh, sh, ph, ho, count_include_pad)
    dw = _axis_divisors(xp, in_hw[1], kw, sw, pw, wo, count_include_pad)
    d = xp.asarray(dh, dtype=xp.float64).reshape(ho, 1) * xp.asarray(dw, dtype=xp.float64)
    return (1.0 / d).astype(dtype)


class AvgPool2d(Function):
    """y = (sum over each window) / divisor.   dL/dx: dL/dy / divisor spread over the window (``AvgPoolSpread``)."""
    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, geo, scale):
        xp = ctx.xp
        ctx.geo, ctx.scale, ctx.in_shape = geo, scale, x.shape
        ctx.save_for_backward(x if ctx.needs_input_grad and ctx.needs_input_grad[0] else None)
        x4 = _as4d(x)
        xpd = _padded(xp, x4, geo, 0)
        y = None
        for _, (rs, cs) in geo.slices():
            if y is None:
                y = xpd[:, :, rs, cs].copy()
            else:
                y += xpd[:, :, rs, cs]
        y *= scale
        return y.reshape(x.shape[:2] + y.shape[2:] if x.ndim == 4 else x.shape[:2] + y.shape[3:])

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return AvgPoolSpread.apply(grad, ctx.geo, ctx.scale, ctx.in_shape, *_src(x)), None, None


class AvgPoolSpread(Function):
    """gx: every output gradient, times 1/divisor, added to each element of its window.

    Linear in the gradient; its adjoint (the backward) is the average pool itself.
    """
    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geo, scale, in_shape, src=None):
        xp = ctx.xp
        ctx.geo, ctx.scale = geo, scale
        ctx.src_shape = None if src is None else src.shape
        gs = _as4d(g) * scale
        n, c = gs.shape[:2]
        h, w = (in_shape[2], in_shape[3]) if len(in_shape) == 4 else (1, in_shape[2])
        hp, wp = geo.padded_shape(h, w)
        gxp = xp.zeros((n, c, hp, wp), dtype=g.dtype)
        overlap = geo.overlapping
        for _, (rs, cs) in geo.slices():
            if overlap:
                gxp[:, :, rs, cs] += gs
            else:
                gxp[:, :, rs, cs] = gs
        return _unpad(xp, gxp, geo, (n, c, h, w)).reshape(in_shape)

    @staticmethod
    def backward(ctx, grad):
        return AvgPool2d.apply(grad, ctx.geo, ctx.scale), None, None, None, _src_grad(ctx, grad)


# ---------------------------------------------------------------- adaptive average pooling
def adaptive_matrix(xp, size, out, dtype):
    """P (out, size): row o averages input positions floor(o*size/out) .. ceil((o+1)*size/out) - 1."""
    p = xp.zeros((out, size), dtype=dtype)
    for o in range(out):
        a = (o * size) // out
        b = -((-(o + 1) * size) // out)
        p[o, a:b] = 1.0 / (b - a)
    return p


class AdaptiveAvgPool2d(Function):
    """y = Ph @ x @ Pw^T over the last two dims (averaging matrices; windows may overlap or differ in size).

    dL/dx = Ph^T @ dL/dy @ Pw, written with Tensor matmuls (so it is differentiable again).
    """
    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, ph, pw):
        xp = ctx.xp
        ctx.ph, ctx.pw = ph, pw
        ctx.save_for_backward(x if ctx.needs_input_grad and ctx.needs_input_grad[0] else None)
        y = xp.matmul(ph, x) if ph is not None else x
        return xp.matmul(y, pw.T)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        g = matmul(grad, _T(ctx.pw))
        if ctx.ph is not None:
            g = matmul(_T(ctx.ph.T), g)
        return depends_on(g, x), None, None


# ---------------------------------------------------------------- adaptive max pooling
def adaptive_max_index(xp, x, spatial, out):
    """For x (..., h, w) pooled to ``out`` = (ho, wo): the flat position (row * w + col) of each window's maximum
    in the last two dims (windows as in adaptive average pooling; a NaN wins, as in torch)."""
    (h, w), (ho, wo) = spatial, out
    lead = x.shape[:-2]
    idx = xp.empty(lead + (ho, wo), dtype=xp.int64)
    for i in range(ho):
        a, b = (i * h) // ho, -((-(i + 1) * h) // ho)
        for j in range(wo):
            c, d = (j * w) // wo, -((-(j + 1) * w) // wo)
            win = x[..., a:b, c:d].reshape(lead + (-1,))
            k = win.argmax(axis=-1)
            if xp.isnan(win).any():                               # torch: a NaN wins
                nanpos = xp.isnan(win)
                k = xp.where(nanpos.any(-1), nanpos.argmax(-1), k)
            idx[..., i, j] = (a + k // (d - c)) * w + c + k % (d - c)
    return idx


class AdaptiveMaxGather(Function):
    """y = x[..., index] along the last dim (the window maxima).   dL/dx = zeros with dL/dy added at index.

    x is also an input of the backward (derivative 0), as in torch's formula, so a gradient taken with
    ``create_graph=True`` requires grad even for a constant upstream gradient.
    """
    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.index = index
        ctx.save_for_backward(x)
        return ctx.xp.take_along_axis(x, index, axis=-1)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        gx = scatter_add(grad.new_zeros(x.shape), -1, _T(ctx.index), grad)
        return depends_on(gx, x), None


