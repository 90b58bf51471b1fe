"""The convolution's fast stride-1 formulations on arrays: *padded rows* (each padded image plane flattened
on its padded width, so a kernel offset is a plain shift and every row of the column matrix one contiguous
run) and, for thin layers, *tall blocks* (several output rows from one column, against a taller weight).

Which one runs is decided in one place, ``_formulation`` in ``conv.py`` (the dispatcher, beside the plain
im2col kernels ``conv_*_im2col`` that the tests compare these with); the rule and the measurements are the
comment "choosing the formulation" below, and docs chapter 7 walks through both layouts. The tuning
constants of this module (``ROWS_MAX_WASTE``, ``FEW_CHANNELS``, ``TALL_*``) are read from here; the chunk
sizes shared with the plain kernels are in ``_conv_common.py``.
"""
from ._conv_common import _chunk, _mm, _strided


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
# Rule (``_formulation`` in conv.py, the one place the choice is made, for the forward pass and the weight gradient):
# stride 1 and a border waste Wp/Wo of at most ROWS_MAX_WASTE (``_use_rows``), then "tall" where
# ``_tall_block`` finds a block height (thin products), else "rows"; otherwise "im2col". The input gradient
# (conv_input_grad, conv.py) chooses among its own: with stride 1 and more than THIN_ROWS input channels per group it
# is a forward convolution of dY with the flipped kernel (so it takes the rule above); with stride 1 and few
# channels "tall" where ``_formulation`` says so, else the plane-shift col2im (_input_grad_rows); else the
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


# The plane-shift input gradient's GEMM result (C*kh*kw rows of nb padded planes) is its largest temporary: at most
# this many bytes per chunk. LeNet's conv2 (N=64): 35 and 29 images instead of the whole batch (with 32: 705 against
# 692 us, median of 25 interleaved), and the LeNet training step's peak memory 14.2 -> 11.9 MB.
PLANES_CHUNK_BYTES = 4 << 20


def _input_grad_rows(xp, gy, wt, x_shape, geo, kh, kw, nb):
    """Stride-1 input gradient on whole padded *planes*, so that col2im adds one contiguous run per channel.

    dY is laid out on the padded plane (Hp x Wp per image, zeros outside its Ho x Wo corner) and the planes
    of a chunk's images follow one another, so kernel offset (i, j) is a plain shift by i*dh*Wp + j*dw of
    the whole chunk: each of the kh*kw adds is C runs of nb*Hp*Wp elements. A gradient at (y, x) lands at
    (y + i*dh, x + j*dw), inside its own image's plane; the zero border adds nothing. The GEMM also
    multiplies the Hp - Ho zero rows (Hp/Ho the work), but numpy adds long runs about 4x faster than the
    Ho-element-row pieces of one image at a time (LeNet's conv2, N=64 6->16 14x14 k=5: 614 -> 492 us,
    identical sums; the adds alone 425 -> ~150). A chunk's GEMM result is at most PLANES_CHUNK_BYTES.
    """
    n, c, h, wd = x_shape
    g = geo.groups
    (pt, pb, pl, pr), (dh, dw) = geo.pads, geo.dilation
    o, ho, wo = gy.shape[1], gy.shape[2], gy.shape[3]
    hp, wp = h + pt + pb, wd + pl + pr
    plane = hp * wp
    nb = max(1, min(nb, PLANES_CHUNK_BYTES // (c * kh * kw * plane * gy.itemsize)))
    tail = (kh - 1) * dh * wp + (kw - 1) * dw                         # the last plane's shifted runs stay inside
    planes = xp.zeros((o, nb, hp, wp), dtype=gy.dtype)
    acc = xp.empty((c, nb * plane + tail), dtype=gy.dtype)
    gx = xp.empty(x_shape, dtype=gy.dtype)
    kc = (c // g) * kh * kw
    dbuf = xp.empty(g * kc * nb * plane, dtype=gy.dtype)                # the GEMM's result, reused by each chunk
    for n0 in range(0, n, nb):
        nc = min(nb, n - n0)
        lw = nc * plane                                               # columns of this chunk
        p = planes[:, :nc]
        p[:, :, :ho, :wo] = gy[n0:n0 + nc].transpose(1, 0, 2, 3)
        dcols = dbuf[:g * kc * lw].reshape(g, kc, lw)
        _mm(xp, wt, p.reshape(g, o // g, lw), out=dcols)
        dcols = dcols.reshape(c, kh, kw, lw)
        a = acc[:, :lw + tail]
        a.fill(0)
        for i in range(kh):
            for j in range(kw):
                off = i * dh * wp + j * dw
                a[:, off:off + lw] += dcols[:, i, j]
        img = a[:, :lw].reshape(c, nc, hp, wp)
        gx[n0:n0 + nc] = img[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)
    return gx


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
    not thin). Stride 1 is checked by the caller (``_formulation``, conv.py)."""
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
    Against a col2im on rows: 1/R as many adds of U/(kh) as many rows (LeNet's conv1: 40 adds of 7 block
    rows against 25 adds of 28 rows), and a GEMM result (U/(R*kh)) as large. LeNet's conv1 shape (2 threads,
    own kernel): 1.5 ms here against 2.6 for the plane-shift col2im (_input_grad_rows) and 2.9 for its row form."""
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
