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
formulation" in ``conv_fast.py``, where those two live. One dispatcher, here
(``_formulation``), decides.

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

Where the code is
-----------------
``conv.py`` (this module): ``Geometry``; the plain im2col (``_Padded``,
``_cols_view``, ``im2col``) and its kernels ``conv_*_im2col``, the reference the
tests compare every faster path with; the one dispatcher (``_formulation``,
``conv_forward``, ``conv_weight_grad``, ``conv_input_grad``); the three
``Function``s and ``convolution``. ``conv_fast.py``: the stride-1 formulations
(padded rows, tall blocks) and their tuning constants. ``_conv_common.py``: what
both use (the chunk size per call with its constants, ``_strided``, ``_mm``).

All array code reaches numpy or cupy through ``ctx.xp`` (``xp.lib.stride_tricks``
exists in both).
"""
from .. import _kernels, _onednn
from ..autograd.function import Function
from . import _conv_common
from ._conv_common import _chunk, _mm, _strided
from .conv_fast import (_forward_rows, _forward_tall, _input_grad_rows, _input_grad_tall, _tall_block, _use_rows,
                        _weight_grad_rows, _weight_grad_tall)


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


# ---------------------------------------------------------------- the three array kernels
def _formulation(xp, x_shape, w_shape, geo):
    """The one choice of formulation for the forward pass and the weight gradient of a product:
    ("tall", R), ("rows", 0) or ("im2col", 0) (see "choosing the formulation" and "tall blocks"
    in conv_fast.py)."""
    if not _use_rows(xp, x_shape, w_shape[2], w_shape[3], geo):
        return "im2col", 0
    r = _tall_block(x_shape, w_shape, geo)
    return ("tall", r) if r else ("rows", 0)


def conv_forward(xp, x, w, b, geo):
    """y = conv(x, w) + b on 4-D arrays: oneDNN where it is installed (float32 on the CPU), else the
    formulation ``_formulation`` picks for the shape."""
    if _onednn.usable(xp, x, w, b):
        y = _onednn.conv_forward(x, w, b, geo)
        if y is not None:
            return y
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
    """dW: oneDNN where it is installed (float32 on the CPU), else the formulation ``_formulation`` picks."""
    if _onednn.usable(xp, x, gy):
        gw = _onednn.conv_weight_grad(x, gy, w_shape, geo)
        if gw is not None:
            return gw
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
    slice of them is added into a shifted, strided window of the padded input gradient (oneDNN instead
    where it is installed, for float32 on the CPU)."""
    if _onednn.usable(xp, gy, w):
        gx = _onednn.conv_input_grad(gy, w, x_shape, geo)
        if gx is not None:
            return gx
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
    if (sh, sw) == (1, 1) and min(full) >= 0 and cg > _conv_common.THIN_ROWS:
        # stride 1: dX is the forward convolution of dY, padded to "full", with the kernel flipped in space and
        # its in/out channels swapped (per group): one im2col + one GEMM, as fast as the forward pass (ResNet's
        # 3x3 layers: 28 -> 20 ms). Not for few input channels: that GEMM would be thin (see THIN_ROWS), and the
        # plane-shift path below is faster there (LeNet's conv2: 1.4 ms against 2.8)
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
            gb = grad.sum((0,) + tuple(range(2, grad._data.ndim)))
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

