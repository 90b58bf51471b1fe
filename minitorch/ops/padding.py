"""Padding (``nn.functional.pad``): the constant mode is a Function; reflect, replicate and circular are an
``index_select`` of the source positions ``pad_index`` computes."""
from ..autograd.function import Function
from .index import IndexAddIntoZeros, Slice


class ConstantPad(Function):
    """y = x surrounded by ``value`` (negative pads crop).   dL/dx = dL/dy cut back to x's region."""
    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pairs, value):
        xp = ctx.xp
        nd = len(pairs)
        lead = x.ndim - nd
        src, dst, shape = [], [], list(x.shape[:lead])
        for (a, b), n in zip(pairs, x.shape[lead:]):
            size = n + a + b
            if size < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {a} and {b} resulted in a negative "
                                   f"output size, which is invalid. Check dimension {lead} of your input.")
            shape.append(size)
            src.append(slice(max(-a, 0), n - max(-b, 0)))
            dst.append(slice(max(a, 0), max(a, 0) + max(n - max(-a, 0) - max(-b, 0), 0)))
        out = xp.full(shape, value, dtype=x.dtype)
        key_dst = (slice(None),) * lead + tuple(dst)
        key_src = (slice(None),) * lead + tuple(src)
        out[key_dst] = x[key_src]
        ctx.key_dst, ctx.key_src, ctx.in_shape = key_dst, key_src, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        part = Slice.apply(grad, ctx.key_dst)
        return IndexAddIntoZeros.apply(part, ctx.key_src, ctx.in_shape, True), None, None


def pad_index(xp, n, a, b, mode):
    """Source positions for each output position of one dim padded by (a, b) in ``mode``."""
    pos = xp.arange(-a, n + b)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        pos = xp.abs(pos) % period
        pos = xp.where(pos >= n, period - pos, pos)
    elif mode == "replicate":
        pos = xp.clip(pos, 0, n - 1)
    elif mode == "circular":
        pos = pos % n
    return pos


