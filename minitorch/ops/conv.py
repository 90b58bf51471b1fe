"""Convolution layers on arrays: ``conv2d`` (and ``conv1d``), with hand-written backward (the dense layer,
``linear``, is in ``linear.py``).

Convolution as a matrix product (im2col)
-----------------------------------------
A 2-D convolution (cross-correlation, as in torch) of ``x`` (N, C, H, W) with a
weight ``w`` (O, C, kh, kw) computes, for every output position (n, oy, ox),

    y[n, o, oy, ox] = sum over c, i, j of  w[o, c, i, j] * xp[n, c, oy*sh + i*dh, ox*sw + j*dw]

where ``xp`` is ``x`` zero-padded. Lay every receptive field out as one column
of a matrix ``cols`` with rows indexed by (c, i, j) and columns by (n, oy, ox):

    cols[(c, i, j), (n, oy, ox)] = xp[n, c, oy*sh + i*dh, ox*sw + j*dw]       ("image to columns")

and the convolution is ONE matrix product, ``y = w.reshape(O, C*kh*kw) @ cols``,
which BLAS does fast. ``cols`` is built without a Python loop: it is a strided
*view* of ``xp`` (``as_strided`` with shape (C, kh, kw, N, Ho, Wo) — moving one
step in i moves dh rows of the image, one step in oy moves sh rows), copied once
into a contiguous array. This (C*kh*kw, N*Ho*Wo) layout makes the product one
wide GEMM, about twice as fast here as the transposed (N*Ho*Wo, C*kh*kw) one.
With ``groups`` the channels split into independent blocks: cols has a leading
group axis and the product is batched over it.

That is the plain formulation, kept as the reference (``conv_forward_im2col``
and friends). With stride 1 the layer code usually runs the same GEMM on
*padded rows* instead: each padded plane flattened on its padded width Wp, so a
kernel offset is a plain shift and every row of cols is one contiguous run,
and for thin layers (LeNet's first) it computes several output rows from one
column, against a taller weight matrix ("tall blocks"); see "choosing the
formulation" below, where one dispatcher decides.

The three products of a convolution layer
-----------------------------------------
    forward        y  = W @ cols(x)
    weight grad    dW = dY @ cols(x)^T                (dY laid out as (O, N*Ho*Wo))
    input grad     dX = col2im(W^T @ dY)              (adjoint of im2col: add each column back)

The input gradient is computed as a loop over the kh*kw kernel offsets: each
offset is a small GEMM (C x O) @ (O x N*Ho*Wo) whose result is added into a
shifted, strided slice of the padded gradient. It never materialises the big
column matrix and beats ``np.add.at`` scatters by far.

Each of the three is a ``Function`` whose backward is made of the other two:
the convolution is bilinear in (x, w), so the derivative of the input-grad map
with respect to dY is the forward convolution, and so on. That closes the loop
and gives gradients of any order (``create_graph=True`` works).

All array code reaches numpy or cupy through ``ctx.xp`` (``xp.lib.stride_tricks``
exists in both).
"""
from .. import _kernels
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._fast import channel_sum

_T = Tensor._from_array


# ---------------------------------------------------------------- geometry
class Geometry(tuple):
    """(stride (sh, sw), padding (top, bottom, left, right), dilation (dh, dw), groups) of a 2-D convolution."""
    __slots__ = ()

    def __new__(cls, stride, pads, dilation, groups):
        return tuple.__new__(cls, (tuple(stride), tuple(pads), tuple(dilation), int(groups)))

    @property
    def stride(self):
        return self[0]

    @property
    def pads(self):
        return self[1]

    @property
    def dilation(self):
        return self[2]

    @property
    def groups(self):
        return self[3]

    def out_size(self, h, w, kh, kw):
        (sh, sw), (pt, pb, pl, pr), (dh, dw) = self[0], self[1], self[2]
        return (h + pt + pb - dh * (kh - 1) - 1) // sh + 1, (w + pl + pr - dw * (kw - 1) - 1) // sw + 1


def _as4d(a):
    """(N, C, L) arrays (conv1d) are treated as (N, C, 1, L)."""
    return a if a.ndim == 4 else a.reshape(a.shape[:2] + (1,) + a.shape[2:])


def _strided(xp, arr, shape, strides):
    return xp.lib.stride_tricks.as_strided(arr, shape=shape, strides=strides)


# Work on the batch in chunks of images whose column matrix fits in about this many bytes: the columns
# are then written and read back by the GEMM while still in cache, and no large temporary is allocated
# (fresh large arrays cost a page fault per 4 KiB page on every call). But give each GEMM at least
# CHUNK_MIN_FLOPS of work: many tiny multi-threaded BLAS calls cost more in thread hand-offs than they
# save (and stall badly when another process holds a core). Except for thin products: with at most
# THIN_ROWS output channels per group (LeNet's first layer has 6), each column element takes part in only
# 2 * rows flops, the GEMM is bound by reading the columns, and keeping them in cache (THIN_CHUNK_BYTES)
# wins over large GEMMs (LeNet's conv1 forward: 3.0 ms -> 1.7 ms on 2 cores). On a GPU: one chunk.
CHUNK_BYTES = 2 << 20
CHUNK_MIN_FLOPS = 128e6
THIN_ROWS = 8
THIN_CHUNK_BYTES = 512 << 10


def _chunk(xp, n, per_image_bytes, per_image_flops, rows):
    """Images per chunk for a product of ``rows`` output rows (output channels per group)."""
    if xp.__name__ != "numpy":
        return n
    if rows <= THIN_ROWS:
        return max(1, min(n, THIN_CHUNK_BYTES // max(per_image_bytes, 1)))
    by_cache = CHUNK_BYTES // max(per_image_bytes, 1)
    by_work = int(-(-CHUNK_MIN_FLOPS // max(per_image_flops, 1)))
    return max(1, min(n, max(by_cache, by_work)))


class _Padded:
    """A reusable zero-bordered buffer (nb, C, H + pt + pb, W + pl + pr) for chunks of the input.

    The border is written once; each chunk only overwrites the interior. Without padding the
    chunk of x is used directly (no copy).
    """

    def __init__(self, xp, x, nb, pads):
        self.x, self.pads = x, pads
        n, c, h, w = x.shape
        pt, pb, pl, pr = pads
        self.any = bool(pt or pb or pl or pr)
        if self.any:
            self.buf = xp.zeros((nb, c, h + pt + pb, w + pl + pr), dtype=x.dtype)

    def get(self, n0, nc):
        if not self.any:
            return self.x[n0:n0 + nc]
        pt, _, pl, _ = self.pads
        h, w = self.x.shape[2:]
        b = self.buf[:nc]
        b[:, :, pt:pt + h, pl:pl + w] = self.x[n0:n0 + nc]
        return b


def _cols_view(xp, xpd, kh, kw, geo, ho, wo):
    """The strided view (C, kh, kw, n, Ho, Wo) of a padded chunk: element (c, i, j, n, oy, ox) is
    xpd[n, c, oy*sh + i*dh, ox*sw + j*dw]. Copying it gives the column matrix."""
    (sh, sw), _, (dh, dw), _ = geo
    n, c = xpd.shape[:2]
    s_n, s_c, s_h, s_w = xpd.strides
    return _strided(xp, xpd, (c, kh, kw, n, ho, wo), (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw))


def im2col(xp, x, kh, kw, geo):
    """The column matrix of all of ``x`` (N, C, H, W): shape (groups, C/groups * kh * kw, N * Ho * Wo).

    ``cols[g, (c, i, j), (n, oy, ox)] = xpad[n, g*C/groups + c, oy*sh + i*dh, ox*sw + j*dw]``.
    (The layer code builds it chunk by chunk instead; this whole-batch form is for reference and tests.)
    """
    n, c, h, w = x.shape
    ho, wo = geo.out_size(h, w, kh, kw)
    xpd = _Padded(xp, x, n, geo.pads).get(0, n)
    cols = xp.empty((c, kh, kw, n, ho, wo), dtype=x.dtype)
    cols[...] = _cols_view(xp, xpd, kh, kw, geo, ho, wo)
    return cols.reshape(geo.groups, (c // geo.groups) * kh * kw, n * ho * wo)


def _mm(xp, a, b, out=None):
    """Product batched over the group axis (a plain 2-D GEMM when there is one group)."""
    if a.shape[0] == 1:
        if out is not None:
            xp.matmul(a[0], b[0], out=out[0])
            return out
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b, out=out)


# ---------------------------------------------------------------- choosing the formulation
# Each of the three products (forward, weight gradient, input gradient) has these array formulations here:
#
#   "im2col"  the plain one (the reference the tests compare with): columns (C*kh*kw, n*Ho*Wo) copied from a
#             strided view whose innermost run is one output row (Wo elements, or single elements with
#             stride > 1), then one GEMM per chunk of images.
#   "rows"    stride 1 only: the same GEMM on *padded rows*. Each image is flattened on its padded width Wp,
#             so kernel offset (i, j) is a plain shift by i*dh*Wp + j*dw and every column row is ONE
#             contiguous run of Ho*Wp elements: the copy runs at memcpy speed instead of Wo-element pieces.
#             The price: the GEMM also computes the Wp - Wo border columns of each output row (discarded),
#             Wp/Wo times the work.
#   "tall"    stride 1, one group, few output channels: padded rows again, but R output rows of each block
#             from one column, against a weight of O*R rows (see "tall blocks" below: LeNet's conv1).
#
# Measured (AMD EPYC Zen 5, 1 thread, numpy 2.4 / OpenBLAS 0.3.31, float32, best of 21 interleaved runs on a
# shared, loaded machine; ms):
#
#   shape                                  product      im2col   rows    Wp/Wo
#   LeNet conv1 N=64, 3->6,  32x32, k=5    forward       2.04    1.60    1.14
#   LeNet conv2 N=64, 6->16, 14x14, k=5    forward       0.81    0.72    1.40
#   ResNet      N=32, 64->64, 32x32, k=3   forward, dW   (both at 80-90% of the bare GEMM's rate)
#
#   LeNet conv2 input gradient as a flipped "rows" forward        2.87 against 1.01 for _input_grad_rows
#
# Rule (``_formulation``, the one place the choice is made, for the forward pass and the weight gradient):
# stride 1 and a border waste Wp/Wo of at most ROWS_MAX_WASTE (``_use_rows``), then "tall" where
# ``_tall_block`` finds a block height (thin products), else "rows"; otherwise "im2col". The input gradient
# (conv_input_grad) chooses among its own: with stride 1 and more than THIN_ROWS input channels per group it
# is a forward convolution of dY with the flipped kernel (so it takes the rule above); with stride 1 and few
# channels "tall" where ``_formulation`` says so, else the row-shift col2im (_input_grad_rows); else the
# plain col2im. On a GPU (cupy) the plain forms run: there the copy is not the bottleneck.
ROWS_MAX_WASTE = 1.45
# Within "rows": products with at most FEW_CHANNELS output channels per group (LeNet's 6 and 16) write the
# forward GEMMs into one whole-batch buffer and run the weight gradient transposed (dW^T = cols @ dY^T);
# wider ones (ResNet's 64) keep each chunk's work in cache. Measured (2 threads, ms, old -> new): LeNet
# conv1 forward 1.11 -> 0.99 (own kernel) / 1.80 -> 1.72 (Haswell); conv2 weight gradient 0.65 -> 0.41 /
# 0.54 -> 0.48; ResNet forward with the whole-batch buffer 9.1 -> 12.3 (hence the limit).
FEW_CHANNELS = 16


def _use_rows(xp, x_shape, kh, kw, geo):
    if xp.__name__ != "numpy" or geo.stride != (1, 1):
        return False
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    wp = x_shape[3] + pl + pr
    wo = wp - dw * (kw - 1)
    return wo > 0 and wp <= ROWS_MAX_WASTE * wo


class _PaddedRows:
    """A reusable zero-bordered buffer for chunks of the input, each (image, channel) plane flattened on its
    padded width with a zero tail of (kw-1)*dw elements, so the last row's shifted runs stay in the plane."""

    def __init__(self, xp, x, nb, pads, tail):
        n, c, h, w = x.shape
        pt, pb, pl, pr = pads
        self.x, self.pads, self.hp, self.wp = x, pads, h + pt + pb, w + pl + pr
        self.buf = xp.zeros((nb, c, self.hp * self.wp + tail), dtype=x.dtype)

    def get(self, n0, nc):
        pt, _, pl, _ = self.pads
        h, w = self.x.shape[2:]
        b = self.buf[:nc]
        b[:, :, :self.hp * self.wp].reshape(b.shape[:2] + (self.hp, self.wp))[:, :, pt:pt + h, pl:pl + w] = \
            self.x[n0:n0 + nc]
        return b


def _rows_view(xp, buf, kh, kw, dh, dw, wp, lr):
    """(C, kh, kw, n, Ho*Wp) view of a _PaddedRows chunk: element (c, i, j, n, r) is plane[n, c][r + i*dh*Wp + j*dw]."""
    n, c = buf.shape[:2]
    s_n, s_c, s = buf.strides
    return _strided(xp, buf, (c, kh, kw, n, lr), (s_c, s * dh * wp, s * dw, s_n, s))


def _forward_rows(xp, x, w, b, geo):
    """The forward convolution on padded rows (stride 1; see "choosing the formulation").

    With few output channels (at most FEW_CHANNELS per group) the chunks are small (THIN_CHUNK_BYTES: one
    image for LeNet's conv1), so each chunk's GEMM writes straight into its slice of one (groups, O/groups,
    N*Ho*Wp) buffer, and the border columns are dropped, the layout turned to NCHW and the bias added in ONE
    pass at the end, not in a small pass per chunk (conv1: 1.11 -> 0.99 ms). With many channels that big
    buffer leaves the cache: there each chunk's result goes into place while it is still in cache
    (ResNet's 64 channels: 9.1 ms per chunk, 12.3 ms with the one final pass)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    g = geo.groups
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    ho, wo = geo.out_size(h, wd, kh, kw)
    wp = wd + pl + pr
    k, lr = cg * kh * kw, ho * wp
    nb = _chunk(xp, n, c * kh * kw * lr * x.itemsize, 2 * o * k * lr, o // g)
    src = _PaddedRows(xp, x, nb, geo.pads, (kw - 1) * dw)
    cols = xp.empty((c, kh, kw, nb, lr), dtype=x.dtype)
    wm = w.reshape(g, o // g, k)
    out = xp.empty((n, o, ho, wo), dtype=x.dtype)
    bias = b.reshape(1, o, 1, 1) if b is not None else None
    few = o // g <= FEW_CHANNELS
    full = xp.empty((g, o // g, n * lr), dtype=x.dtype) if few else None
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        cb = cols[:, :, :, :nc]
        cb[...] = _rows_view(xp, src.get(n0, nc), kh, kw, dh, dw, wp, lr)
        if few:
            _mm(xp, wm, cb.reshape(g, k, nc * lr), out=full[:, :, n0 * lr:(n0 + nc) * lr])
            continue
        y = _mm(xp, wm, cb.reshape(g, k, nc * lr)).reshape(o, nc, ho, wp)[:, :, :, :wo].transpose(1, 0, 2, 3)
        _epilogue(xp, y, bias, out[n0:n0 + nc])
    if few:
        _epilogue(xp, full.reshape(o, n, ho, wp)[:, :, :, :wo].transpose(1, 0, 2, 3), bias, out)
    return out


def _epilogue(xp, y, bias, out):
    """out = y (+ bias): the border-free NCHW view of a GEMM result copied into place, the bias added on the way."""
    if bias is not None:
        xp.add(y, bias, out=out)
    else:
        out[...] = y


def _weight_grad_rows(xp, x, gy, w_shape, geo):
    """dW on padded rows (stride 1): dY is laid out once, for the whole batch, on the padded width with zeros
    in the border columns (so the garbage border columns of the shifted runs are multiplied by zero); each
    chunk's GEMM reads its slice of it in place.

    With few output channels (at most FEW_CHANNELS per group) the product is computed transposed,
    dW^T = cols @ dY^T (shape (C/groups*kh*kw, O/groups)), then turned: the same flops, but OpenBLAS runs
    this orientation of a long reduction with few output rows faster (LeNet's conv2, 16 channels:
    0.65 -> 0.41 ms on its own kernel, 0.54 -> 0.48 on Haswell). Many channels: _weight_grad_rows_wide."""
    o, g = w_shape[0], geo.groups
    if o // g > FEW_CHANNELS:
        return _weight_grad_rows_wide(xp, x, gy, w_shape, geo)
    n, (ho, wo) = x.shape[0], gy.shape[2:]
    k, lr, wp, nb, chunks = _weight_grad_chunks(xp, x, gy, w_shape, geo)
    rows = xp.zeros((o, n, ho, wp), dtype=x.dtype)
    rows[:, :, :, :wo] = gy.transpose(1, 0, 2, 3)
    rows = rows.reshape(g, o // g, n * lr)
    gwt = xp.zeros((g, k, o // g), dtype=x.dtype)
    part = xp.empty((g, k, o // g), dtype=x.dtype)
    for n0, nc, cb in chunks:
        _mm(xp, cb.reshape(g, k, nc * lr), rows[:, :, n0 * lr:(n0 + nc) * lr].transpose(0, 2, 1), out=part)
        gwt += part
    return xp.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(w_shape)


def _weight_grad_rows_wide(xp, x, gy, w_shape, geo):
    """dW on padded rows for many output channels (ResNet's 64): dY laid out per chunk (it stays in cache).

    The GEMM takes the longer of its two output sides as its rows: dW^T = cols @ dY^T when a weight row
    (k = C/groups*kh*kw values) is at least as long as the O/groups channels, else dW = dY @ cols^T.
    Measured (2 threads, median of 15 interleaved pairs, transposed / not; own kernel, Haswell forced):
    N=32 64->64 32x32 0.86, 0.93; N=64 32->32 16x16 0.78, 0.89; N=16 128->128 16x16 0.90, 0.98; but a
    3->64 stem (k = 27) 1.14 either way, hence the rule."""
    o, g = w_shape[0], geo.groups
    ho, wo = gy.shape[2:]
    k, lr, wp, nb, chunks = _weight_grad_chunks(xp, x, gy, w_shape, geo)
    turned = k >= o // g
    rows = xp.zeros((o, nb, ho, wp), dtype=x.dtype)
    gw = xp.zeros((g, k, o // g) if turned else (g, o // g, k), dtype=x.dtype)
    part = xp.empty(gw.shape, dtype=x.dtype)
    for n0, nc, cb in chunks:
        r = rows[:, :nc]
        r[:, :, :, :wo] = gy[n0:n0 + nc].transpose(1, 0, 2, 3)
        dy, cols = r.reshape(g, o // g, nc * lr), cb.reshape(g, k, nc * lr)
        if turned:
            _mm(xp, cols, dy.transpose(0, 2, 1), out=part)
        else:
            _mm(xp, dy, cols.transpose(0, 2, 1), out=part)
        gw += part
    if turned:
        gw = xp.ascontiguousarray(gw.transpose(0, 2, 1))
    return gw.reshape(w_shape)


def _weight_grad_chunks(xp, x, gy, w_shape, geo):
    """What both dW variants on padded rows share: the sizes (k = C/groups*kh*kw column rows, lr = Ho*Wp
    positions per image, the padded width Wp, nb images per chunk) and the chunks themselves, each
    ``(n0, nc, cols)`` with cols the (C, kh, kw, nc, lr) columns of images n0 .. n0+nc-1."""
    o, cg, kh, kw = w_shape
    n, c, h, wd = x.shape
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    wp = wd + pl + pr
    k, lr = cg * kh * kw, gy.shape[2] * wp
    nb = _chunk(xp, n, c * kh * kw * lr * x.itemsize, 2 * o * k * lr, o // geo.groups)
    src = _PaddedRows(xp, x, nb, geo.pads, (kw - 1) * dw)
    cols = xp.empty((c, kh, kw, nb, lr), dtype=x.dtype)

    def chunks():
        for n0 in range(0, n, nb):
            nc = min(nb, n - n0)
            cb = cols[:, :, :, :nc]
            cb[...] = _rows_view(xp, src.get(n0, nc), kh, kw, dh, dw, wp, lr)
            yield n0, nc, cb
    return k, lr, wp, nb, chunks()


# ---------------------------------------------------------------- tall blocks (thin stride-1 layers)
# A thin product (few output channels: LeNet's conv1 has 6) is bound by reading its columns: each column
# element is used in only 2*O flops. "Tall blocks" compute R output rows of every block of R rows from ONE
# column, so the GEMM has O*R rows and each column element is used 2*O*R times:
#
#   cols_t[(c, u, j), (n, b, ox)] = xpad[n, c, b*R + u, ox + j*dw]      u < U = R + (kh-1)*dh   (padded rows)
#   W_t[(o, t), (c, u, j)]        = w[o, c, i, j] where u = t + i*dh, else 0
#   y[n, o, b*R + t, ox]          = (W_t @ cols_t)[(o, t), (n, b, ox)]
#
# The columns are U*kw*C / (R*kh*kw*C) = U / (R*kh) times the size of the plain ones (LeNet's conv1 with
# R = 4: 0.4x), the flops U/kh times (1.6x, the zeros of W_t). The weight gradient is the same product
# transposed, dW_t^T = cols_t @ dY_t^T, folded back: dW[o, c, i, j] = sum over t of dW_t[(o, t), (c, t + i*dh, j)].
# R is the largest divisor of Ho with O*R <= TALL_ROWS (so blocks tile the output exactly); groups = 1.
# Applies to at most TALL_MAX_CHANNELS output channels and kernels at least TALL_MIN_KH high: the smaller kh,
# the less the columns shrink (U/(R*kh)) and the more flops are wasted (U/kh). A thin 3x3 layer (N=64, 3->8,
# 32x32, pad 1, R = 4) measured slower in tall blocks (1 thread, own kernel, ms: forward 0.76 -> 1.05, dW
# 0.83 -> 1.20, dX 1.24 -> 1.85), so only 5-row kernels and up (LeNet's) take them. Chunks hold
# TALL_CHUNK_BYTES of columns: fewer, larger GEMMs and adds. The LeNet step (batch 64), tall blocks on against
# off, median of 25 interleaved pairs, 2 threads (own kernel; Haswell forced): 512 KiB chunks 1.17; 0.88,
# 1 MiB 1.07; 0.80, 2 MiB 0.98; 0.76-0.78, 4 MiB 0.95; 0.75 (1 thread, own kernel: 0.95). The input gradient
# alone (1 thread, 1 / 2 / 4 MiB): 3.3 / 2.3 / 1.8 ms (own), 3.4 / 2.7 / 2.1 (Haswell).
TALL_ROWS = 32
TALL_MAX_CHANNELS = 8
TALL_MIN_KH = 5
TALL_CHUNK_BYTES = 4 << 20


def _tall_block(x_shape, w_shape, geo):
    """R (output rows per tall block) for a one-group product with at most TALL_MAX_CHANNELS output channels and
    a kernel at least TALL_MIN_KH high, or 0 when tall blocks do not apply (R would be 1, or the product is
    not thin). Stride 1 is checked by the caller (``_formulation``)."""
    o, _, kh, kw = w_shape
    if geo.groups != 1 or o > TALL_MAX_CHANNELS or o < 1 or kh < TALL_MIN_KH:
        return 0
    ho, _ = geo.out_size(x_shape[2], x_shape[3], kh, kw)
    best = 0
    for r in range(2, ho + 1):
        if ho % r == 0 and o * r <= TALL_ROWS:
            best = r
    return best


def _tall_weight(xp, w, r, dh):
    """W_t (O*R, C*U*kw): R copies of the kernel, copy t shifted down by t rows of the block."""
    o, c, kh, kw = w.shape
    u = r + (kh - 1) * dh
    wt = xp.zeros((o, r, c, u, kw), dtype=w.dtype)
    for t in range(r):
        wt[:, t, :, t:t + (kh - 1) * dh + 1:dh, :] = w
    return wt.reshape(o * r, c * u * kw)


class _TallCols:
    """The tall column matrix of chunks of x: a reusable (C*U*kw, nb*Hb*Wp) buffer filled from a _PaddedRows."""

    def __init__(self, xp, x, kh, kw, geo, r):
        n, c, h, wd = x.shape
        (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
        self.xp, self.r, self.kw, self.dw = xp, r, kw, dw
        self.wp = wd + pl + pr
        self.hb = geo.out_size(h, wd, kh, kw)[0] // r
        self.u = r + (kh - 1) * dh
        self.c = c
        self.k, self.lb = c * self.u * kw, self.hb * self.wp
        self.nb = max(1, min(n, TALL_CHUNK_BYTES // max(self.k * self.lb * x.itemsize, 1))) \
            if xp.__name__ == "numpy" else n
        self.src = _PaddedRows(xp, x, self.nb, geo.pads, (kw - 1) * dw)
        self.buf = xp.empty(self.k * self.nb * self.lb, dtype=x.dtype)

    def get(self, n0, nc):
        """(C*U*kw, nc*Hb*Wp) columns of images n0 .. n0+nc-1."""
        c, u, kw, r, hb, wp = self.c, self.u, self.kw, self.r, self.hb, self.wp
        plane = self.src.get(n0, nc)
        s_n, s_c, s = plane.strides
        view = _strided(self.xp, plane, (c, u, kw, nc, hb, wp), (s_c, s * wp, s * self.dw, s_n, s * r * wp, s))
        cb = self.buf[:self.k * nc * self.lb].reshape(c, u, kw, nc, hb, wp)
        cb[...] = view
        return cb.reshape(self.k, nc * self.lb)


def _forward_tall(xp, x, w, b, geo, r):
    """The forward convolution in tall blocks of ``r`` output rows (see above; stride 1, one group)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = geo.out_size(h, wd, kh, kw)
    cols = _TallCols(xp, x, kh, kw, geo, r)
    hb, wp, lb = cols.hb, cols.wp, cols.lb
    wt = _tall_weight(xp, w, r, geo.dilation[0])
    full = xp.empty((o * r, n * lb), dtype=x.dtype)
    for n0 in range(0, n, cols.nb):
        nc = min(cols.nb, n - n0)
        xp.matmul(wt, cols.get(n0, nc), out=full[:, n0 * lb:(n0 + nc) * lb])
    out = xp.empty((n, o, ho, wo), dtype=x.dtype)
    y = full.reshape(o, r, n, hb, wp)[..., :wo].transpose(2, 0, 3, 1, 4)          # (n, o, b, t, ox)
    _epilogue(xp, y, b.reshape(1, o, 1, 1, 1) if b is not None else None, out.reshape(n, o, hb, r, wo))
    return out


def _weight_grad_tall(xp, x, gy, w_shape, geo, r):
    """dW in tall blocks of ``r`` output rows: dW_t^T = cols_t @ dY_t^T per chunk, then folded (see above)."""
    o, c, kh, kw = w_shape
    n = x.shape[0]
    ho, wo = gy.shape[2], gy.shape[3]
    dh = geo.dilation[0]
    cols = _TallCols(xp, x, kh, kw, geo, r)
    hb, wp, lb, u = cols.hb, cols.wp, cols.lb, cols.u
    gyt = xp.zeros((o, r, n, hb, wp), dtype=x.dtype)                # dY on padded rows, zeros in the border
    gyt[..., :wo] = gy.reshape(n, o, hb, r, wo).transpose(1, 3, 0, 2, 4)
    g2 = gyt.reshape(o * r, n * lb)
    gwt = xp.zeros((cols.k, o * r), dtype=x.dtype)
    part = xp.empty((cols.k, o * r), dtype=x.dtype)
    for n0 in range(0, n, cols.nb):
        nc = min(cols.nb, n - n0)
        xp.matmul(cols.get(n0, nc), g2[:, n0 * lb:(n0 + nc) * lb].T, out=part)
        gwt += part
    gwt = gwt.T.reshape(o, r, c, u, kw)
    gw = xp.zeros(w_shape, dtype=x.dtype)
    for t in range(r):
        gw += gwt[:, t, :, t:t + (kh - 1) * dh + 1:dh, :]
    return gw


def _input_grad_tall(xp, gy, w, x_shape, geo, r):
    """dX in tall blocks of ``r`` output rows: dcols_t = W_t^T @ dY_t per chunk, then each (c, u, j) row of it
    added back at its shift u*Wp + j*dw of the flattened padded plane, one block row (Wp elements) per block.
    Against the row-shift col2im: 1/R as many adds of U/(kh) as many rows (LeNet's conv1: 40 adds of 7 block
    rows against 25 adds of 28 rows), and a GEMM result (U/(R*kh)) as large."""
    n, c, h, wd = x_shape
    o, _, kh, kw = w.shape
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    ho, wo = gy.shape[2], gy.shape[3]
    hp, wp = h + pt + pb, wd + pl + pr
    hb, u = ho // r, r + (kh - 1) * dh
    k, lb = c * u * kw, hb * wp
    nb = max(1, min(n, TALL_CHUNK_BYTES // max(k * lb * gy.itemsize, 1))) if xp.__name__ == "numpy" else n
    wtt = xp.ascontiguousarray(_tall_weight(xp, w, r, dh).T)                  # (C*U*kw, O*R)
    gyt = xp.zeros((o, r, nb, hb, wp), dtype=gy.dtype)                        # dY on padded rows, zero border
    acc = xp.empty((c, nb, hp * wp + (kw - 1) * dw), dtype=gy.dtype)
    gx = xp.empty(x_shape, dtype=gy.dtype)
    dbuf = xp.empty(k * nb * lb, dtype=gy.dtype)
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        g = gyt if nc == nb else xp.zeros((o, r, nc, hb, wp), dtype=gy.dtype)
        g[..., :wo] = gy[n0:n0 + nc].reshape(nc, o, hb, r, wo).transpose(1, 3, 0, 2, 4)
        dcols = dbuf[:k * nc * lb].reshape(k, nc * lb)
        xp.matmul(wtt, g.reshape(o * r, nc * lb), out=dcols)
        dcols = dcols.reshape(c, u, kw, nc, hb, wp)
        a = acc[:, :nc]
        a.fill(0)
        s_c, s_n, s = a.strides
        for uu in range(u):
            for j in range(kw):                   # the (hb, Wp) block rows of shift (uu, j), R*Wp apart
                view = _strided(xp, a[:, :, uu * wp + j * dw:], (c, nc, hb, wp), (s_c, s_n, s * r * wp, s))
                view += dcols[:, uu, j]
        img = a[:, :, :hp * wp].reshape(c, nc, hp, wp)
        gx[n0:n0 + nc] = img[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)
    return gx


# ---------------------------------------------------------------- the three array kernels
def _formulation(xp, x_shape, w_shape, geo):
    """The one choice of formulation for the forward pass and the weight gradient of a product:
    ("tall", R), ("rows", 0) or ("im2col", 0) (see "choosing the formulation" and "tall blocks")."""
    if not _use_rows(xp, x_shape, w_shape[2], w_shape[3], geo):
        return "im2col", 0
    r = _tall_block(x_shape, w_shape, geo)
    return ("tall", r) if r else ("rows", 0)


def conv_forward(xp, x, w, b, geo):
    """y = conv(x, w) + b on 4-D arrays: the formulation ``_formulation`` picks for the shape."""
    how, r = _formulation(xp, x.shape, w.shape, geo)
    if how == "tall":
        return _forward_tall(xp, x, w, b, geo, r)
    if how == "rows" and not (w.shape[2] == w.shape[3] == 1):     # 1x1: im2col's own no-copy path
        return _forward_rows(xp, x, w, b, geo)
    return conv_forward_im2col(xp, x, w, b, geo)


def conv_forward_im2col(xp, x, w, b, geo):
    """y = conv(x, w) + b on 4-D arrays: per chunk of images, columns + one GEMM (see the module docstring)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    g = geo.groups
    ho, wo = geo.out_size(h, wd, kh, kw)
    (sh, sw), pads = geo.stride, geo.pads
    if kh == kw == 1 and g == 1 and not any(pads):
        # 1x1 kernel: no columns to build, y[n] = W @ x[n] (a batch of GEMMs, output already NCHW)
        xs = x[:, :, ::sh, ::sw] if (sh, sw) != (1, 1) else x
        xs = xp.ascontiguousarray(xs).reshape(n, c, ho * wo)
        y = xp.matmul(w.reshape(o, c), xs)
        if b is not None:
            y += b.reshape(1, o, 1)
        return y.reshape(n, o, ho, wo)
    k = cg * kh * kw
    L = ho * wo
    nb = _chunk(xp, n, c * kh * kw * L * x.itemsize, 2 * o * cg * kh * kw * L, o // g)
    src = _Padded(xp, x, nb, pads)
    cols = xp.empty((c, kh, kw, nb, ho, wo), dtype=x.dtype)
    wm = w.reshape(g, o // g, k)
    out = xp.empty((n, o, ho, wo), dtype=x.dtype)
    bias = b.reshape(1, o, 1) if b is not None else None
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        cb = cols if nc == nb else xp.empty((c, kh, kw, nc, ho, wo), dtype=x.dtype)
        cb[...] = _cols_view(xp, src.get(n0, nc), kh, kw, geo, ho, wo)
        y = _mm(xp, wm, cb.reshape(g, k, nc * L))                       # (g, O/g, nc*L)
        dst = out[n0:n0 + nc].reshape(nc, o, L)
        y = y.reshape(o, nc, L).transpose(1, 0, 2)
        if bias is not None:
            xp.add(y, bias, out=dst)
        else:
            dst[...] = y
    return out


def _rows_chunk(xp, gy, n0, nc, g):
    """dY of images n0..n0+nc as (groups, O/groups, nc*Ho*Wo): the row layout the GEMMs want."""
    n, o, ho, wo = gy.shape
    part = gy[n0:n0 + nc]
    if nc == 1:
        return xp.ascontiguousarray(part).reshape(g, o // g, ho * wo)
    r = xp.empty((o, nc, ho, wo), dtype=gy.dtype)
    r[...] = part.transpose(1, 0, 2, 3)
    return r.reshape(g, o // g, nc * ho * wo)


def conv_weight_grad(xp, x, gy, w_shape, geo):
    """dW: the formulation ``_formulation`` picks for the shape."""
    how, r = _formulation(xp, x.shape, w_shape, geo)
    if how == "tall":
        return _weight_grad_tall(xp, x, gy, w_shape, geo, r)
    if how == "rows":
        return _weight_grad_rows(xp, x, gy, w_shape, geo)
    return conv_weight_grad_im2col(xp, x, gy, w_shape, geo)


def conv_weight_grad_im2col(xp, x, gy, w_shape, geo):
    """dW = sum over chunks of dY_chunk @ cols(x_chunk)^T, reshaped to the weight's (O, C/groups, kh, kw)."""
    o, cg, kh, kw = w_shape
    n, c, h, wd = x.shape
    g = geo.groups
    ho, wo = gy.shape[2], gy.shape[3]
    k, L = cg * kh * kw, ho * wo
    nb = _chunk(xp, n, c * kh * kw * L * x.itemsize, 2 * o * k * L, o // g)
    src = _Padded(xp, x, nb, geo.pads)
    cols = xp.empty((c, kh, kw, nb, ho, wo), dtype=x.dtype)
    gw = xp.zeros((g, o // g, k), dtype=x.dtype)
    part = xp.empty((g, o // g, k), dtype=x.dtype)
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        cb = cols if nc == nb else xp.empty((c, kh, kw, nc, ho, wo), dtype=x.dtype)
        cb[...] = _cols_view(xp, src.get(n0, nc), kh, kw, geo, ho, wo)
        rows = _rows_chunk(xp, gy, n0, nc, g)
        _mm(xp, rows, cb.reshape(g, k, nc * L).transpose(0, 2, 1), out=part)
        gw += part
    return gw.reshape(w_shape)


def conv_input_grad(xp, gy, w, x_shape, geo):
    """dX = col2im(W^T @ dY): per chunk, one GEMM gives the column gradients, and each kernel offset's
    slice of them is added into a shifted, strided window of the padded input gradient."""
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    g = geo.groups
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = geo.stride, geo.pads, geo.dilation
    ho, wo = gy.shape[2], gy.shape[3]
    k, L = cg * kh * kw, ho * wo
    wt = xp.ascontiguousarray(w.reshape(g, o // g, k).transpose(0, 2, 1))     # (g, C/g*kh*kw, O/g)
    if _kernels.available(xp, gy):
        # GPU: one GEMM for the whole batch, then one gather kernel instead of kh*kw strided adds
        dcols = _mm(xp, wt, _rows_chunk(xp, gy, 0, n, g))
        return _kernels.col2im(xp, dcols, x_shape, kh, kw, ho, wo, geo.stride, geo.pads, geo.dilation)
    full = ((kh - 1) * dh - pt, (kh - 1) * dh - pb, (kw - 1) * dw - pl, (kw - 1) * dw - pr)
    if (sh, sw) == (1, 1) and min(full) >= 0 and cg > THIN_ROWS:
        # stride 1: dX is the forward convolution of dY, padded to "full", with the kernel flipped in space and
        # its in/out channels swapped (per group): one im2col + one GEMM, as fast as the forward pass (ResNet's
        # 3x3 layers: 28 -> 20 ms). Not for few input channels: that GEMM would be thin (see THIN_ROWS), and the
        # row-shift path below is faster there (LeNet's conv2: 1.4 ms against 2.8)
        wf = w.reshape(g, o // g, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
        wf = xp.ascontiguousarray(wf).reshape(g * cg, o // g, kh, kw)
        return conv_forward(xp, gy, wf, None, Geometry((1, 1), full, (dh, dw), g))
    if (sh, sw) == (1, 1):
        how, r = _formulation(xp, x_shape, w.shape, geo)
        if how == "tall":
            return _input_grad_tall(xp, gy, w, x_shape, geo, r)
    nb = _chunk(xp, n, c * kh * kw * L * gy.itemsize, 2 * o * k * L, o // g)
    if (sh, sw) == (1, 1):
        return _input_grad_rows(xp, gy, wt, x_shape, geo, kh, kw, nb)
    return _input_grad_col2im(xp, gy, wt, x_shape, geo, kh, kw, nb)


def conv_input_grad_im2col(xp, gy, w, x_shape, geo):
    """The plain input gradient (any stride): per chunk, dcols = W^T @ dY, added back offset by offset."""
    n, o, ho, wo = gy.shape
    g, (_, cg, kh, kw) = geo.groups, w.shape
    wt = xp.ascontiguousarray(w.reshape(g, o // g, cg * kh * kw).transpose(0, 2, 1))
    nb = _chunk(xp, n, x_shape[1] * kh * kw * ho * wo * gy.itemsize, 2 * o * cg * kh * kw * ho * wo, o // g)
    return _input_grad_col2im(xp, gy, wt, x_shape, geo, kh, kw, nb)


def _input_grad_col2im(xp, gy, wt, x_shape, geo, kh, kw, nb):
    n, c, h, wd = x_shape
    g = geo.groups
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = geo.stride, geo.pads, geo.dilation
    ho, wo = gy.shape[2], gy.shape[3]
    gxp = xp.empty((c, nb, h + pt + pb, wd + pl + pr), dtype=gy.dtype)
    gx = xp.empty(x_shape, dtype=gy.dtype)
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        dcols = _mm(xp, wt, _rows_chunk(xp, gy, n0, nc, g)).reshape(c, kh, kw, nc, ho, wo)
        acc = gxp[:, :nc]
        acc.fill(0)
        for i in range(kh):
            for j in range(kw):
                y0, x0 = i * dh, j * dw
                acc[:, :, y0:y0 + sh * (ho - 1) + 1:sh, x0:x0 + sw * (wo - 1) + 1:sw] += dcols[:, i, j]
        gx[n0:n0 + nc] = acc[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)
    return gx


def _input_grad_rows(xp, gy, wt, x_shape, geo, kh, kw, nb):
    """Stride-1 input gradient on whole padded rows, so that col2im adds long contiguous runs.

    dY is laid out on the padded width Wp (its extra Wp - Wo columns are zeros). Then kernel offset
    (i, j) is a plain shift by i*dh*Wp + j*dw in the flattened padded image: each add is one
    contiguous run per (channel, image) instead of Ho runs of Wo elements.
    """
    n, c, h, wd = x_shape
    g = geo.groups
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    o, ho, wo = gy.shape[1], gy.shape[2], gy.shape[3]
    hp, wp = h + pt + pb, wd + pl + pr
    lw = ho * wp                                                      # columns per image, on padded rows
    rows = xp.zeros((o, nb, ho, wp), dtype=gy.dtype)
    acc = xp.empty((c, nb, hp * wp + (kw - 1) * dw), dtype=gy.dtype)
    gx = xp.empty(x_shape, dtype=gy.dtype)
    kc = (c // g) * kh * kw
    dbuf = xp.empty(g * kc * nb * lw, dtype=gy.dtype)                   # the GEMM's result, reused by each chunk
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        r = rows[:, :nc] if nc == nb else xp.zeros((o, nc, ho, wp), dtype=gy.dtype)
        r[:, :, :, :wo] = gy[n0:n0 + nc].transpose(1, 0, 2, 3)
        dcols = dbuf[:g * kc * nc * lw].reshape(g, kc, nc * lw)
        _mm(xp, wt, r.reshape(g, o // g, nc * lw), out=dcols)
        dcols = dcols.reshape(c, kh, kw, nc, lw)
        a = acc[:, :nc]
        a.fill(0)
        for i in range(kh):
            for j in range(kw):
                off = i * dh * wp + j * dw
                a[:, :, off:off + lw] += dcols[:, i, j]
        img = a[:, :, :hp * wp].reshape(c, nc, hp, wp)
        gx[n0:n0 + nc] = img[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)
    return gx


# ---------------------------------------------------------------- Functions
class Convolution(Function):
    """y = conv(x, w) + b.   dX = ConvInputGrad(dY, w),  dW = ConvWeightGrad(x, dY),  db = sum of dY over (N, H, W)."""
    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geo):
        ctx.geo = geo
        ctx.save_for_backward(x, w)
        y = conv_forward(ctx.xp, _as4d(x), _as4d(w), b, geo)
        return y if x.ndim == 4 else y.reshape(y.shape[:2] + y.shape[3:])

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geo
        gx = ConvInputGrad.apply(grad, w, x._data.shape, geo) if need[0] else None
        gw = ConvWeightGrad.apply(x, grad, w._data.shape, geo) if need[1] else None
        gb = None
        if len(need) > 2 and need[2]:
            if grad_mode.is_grad_enabled():          # recorded (double backward): the Tensor op
                gb = grad.sum((0,) + tuple(range(2, grad._data.ndim)))
            else:
                gb = _T(channel_sum(ctx.xp, grad._data))
        return gx, gw, gb, None


class ConvInputGrad(Function):
    """dX = convT(dY, w) (the adjoint of the convolution in x).

    Bilinear in (dY, w), so with upstream G (shaped like x):
    d/d(dY) = conv(G, w),   d/dw = ConvWeightGrad(G, dY).
    """
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, gy, w, x_shape, geo):
        ctx.geo, ctx.x_shape = geo, x_shape
        ctx.save_for_backward(gy, w)
        x4 = x_shape if len(x_shape) == 4 else x_shape[:2] + (1,) + x_shape[2:]
        gx = conv_input_grad(ctx.xp, _as4d(gy), _as4d(w), x4, geo)
        return gx.reshape(x_shape)

    @staticmethod
    def backward(ctx, grad):
        gy, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_gy = Convolution.apply(grad, w, None, ctx.geo) if need[0] else None
        g_w = ConvWeightGrad.apply(grad, gy, w._data.shape, ctx.geo) if need[1] else None
        return g_gy, g_w, None, None


class ConvWeightGrad(Function):
    """dW = correlation of x with dY (the adjoint of the convolution in w).

    Bilinear in (x, dY), so with upstream G (shaped like w):
    d/dx = ConvInputGrad(dY, G),   d/d(dY) = conv(x, G).
    """
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, gy, w_shape, geo):
        ctx.geo = geo
        ctx.save_for_backward(x, gy)
        w4 = w_shape if len(w_shape) == 4 else w_shape[:2] + (1,) + w_shape[2:]
        return conv_weight_grad(ctx.xp, _as4d(x), _as4d(gy), w4, geo).reshape(w_shape)

    @staticmethod
    def backward(ctx, grad):
        x, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_x = ConvInputGrad.apply(gy, grad, x._data.shape, ctx.geo) if need[0] else None
        g_gy = Convolution.apply(x, grad, None, ctx.geo) if need[1] else None
        return g_x, g_gy, None, None


def convolution(input, weight, bias, stride, pads, dilation, groups):
    """The convolution op on checked arguments: 2-D (N, C, H, W) or 1-D (N, C, L) batched input.

    ``stride`` and ``dilation`` are (h, w) pairs, ``pads`` is (top, bottom, left, right).
    """
    return Convolution.apply(input, weight, bias, Geometry(stride, pads, dilation, groups))

