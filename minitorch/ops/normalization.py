"""Batch normalisation (``nn.functional.batch_norm``; layer_norm and group_norm are Tensor-op compositions
in ``nn/functional/_normalization.py``)."""
from .. import _kernels
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._fast import channel_sum

_T = Tensor._from_array


def _channel_dot(xp, a, b, axes):
    """Σ a·b per channel (dim 1) without making the a·b array: one fused GPU reduction, or einsum."""
    s = _kernels.sum_of_products(xp, a, b, axes)
    if s is None:
        sub = "abcdefgh"[:a.ndim]
        s = xp.einsum(f"{sub},{sub}->b", a, b)
    return s


class BatchNorm(Function):
    """Batch normalisation over every dim but the channel dim 1.

    Training: y = (x - mean) / sqrt(var + eps) * w + b with the batch mean and biased variance;
    eval: the running statistics instead. With xhat = (x - mean) * invstd and M values per channel,
    dL/db = sum g,  dL/dw = sum g * xhat,
    dL/dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat))      (training)
    dL/dx = w * invstd * g                                          (eval)
    When the backward is recorded (create_graph), it is computed from x with Tensor ops;
    otherwise from the statistics saved by forward, in a few array passes.
    """
    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, mean, invstd, training, eps, stats=None):
        """``mean``/``invstd`` are the running statistics' (eval) or None (training: batch statistics,
        reported back through the ``stats`` list for the running-average update)."""
        xp = ctx.xp
        c = x.shape[1]
        shape = (1, c) + (1,) * (x.ndim - 2)
        axes = (0,) + tuple(range(2, x.ndim))
        ctx.training, ctx.eps, ctx.shape, ctx.axes = training, eps, shape, axes
        if training:
            mean = channel_sum(xp, x) / (x.size // c if x.size else 1)
            y = x - mean.reshape(shape)
            var = _channel_dot(xp, y, y, axes) / (y.size // c if y.size else 1)
            invstd = 1.0 / xp.sqrt(var + eps)
            stats.append((mean, var))
        else:
            y = x - mean.reshape(shape)
        ctx.mean, ctx.invstd = mean, invstd
        ctx.save_for_backward(x, w)
        scale = invstd if w is None else invstd * w
        if b is not None and _kernels.channel_affine(xp, y, scale, b, out=y) is not None:
            return y                                               # GPU: y * scale + b in one pass
        y *= scale.reshape(shape)
        if b is not None:
            y += b.reshape(shape)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        axes, shape = ctx.axes, ctx.shape
        m = x._data.size // x._data.shape[1] if x._data.size else 1
        recording = grad_mode.is_grad_enabled()
        gx = gw = gb = None
        if ctx.training and recording:
            mean = x.mean(axes, keepdim=True)
            d = x - mean
            invstd = ((d * d).mean(axes, keepdim=True) + ctx.eps).rsqrt()
        else:
            mean = _T(ctx.mean.reshape(shape))
            invstd = _T(ctx.invstd.reshape(shape))
            d = None
        if not recording:
            # array fast path: dx = k1 g + k2 x + k3 per channel
            xp = ctx.xp
            g, xa = grad._data, x._data
            mu, inv = ctx.mean, ctx.invstd
            gsum = channel_sum(xp, g)
            gxs = _channel_dot(xp, g, xa, axes)
            gxhat = inv * (gxs - mu * gsum)                      # sum g * xhat per channel
            wa = w._data if w is not None else 1.0
            k1 = inv * wa
            if need[0]:
                out = None
                if ctx.training:
                    k2 = -k1 * inv * gxhat / m
                    k3 = -k1 * gsum / m - k2 * mu
                    if g.flags.c_contiguous and xa.flags.c_contiguous:
                        out = _kernels.channel_affine2(xp, g, xa, k1.astype(xa.dtype, copy=False),
                                                       k2.astype(xa.dtype, copy=False),
                                                       k3.astype(xa.dtype, copy=False))
                    if out is None:
                        out = g * k1.reshape(shape)
                        out += xa * k2.reshape(shape)
                        out += k3.reshape(shape)
                else:
                    out = g * k1.reshape(shape)
                gx = _T(out.astype(xa.dtype, copy=False))
            if w is not None and need[1]:
                gw = _T(gxhat.astype(xa.dtype, copy=False))
            if len(need) > 2 and need[2]:
                gb = _T(gsum.astype(xa.dtype, copy=False))
            return gx, gw, gb, None, None, None, None, None
        xhat = (d if d is not None else x - mean) * invstd
        gh = grad if w is None else grad * w.reshape(shape)
        if need[0]:
            if ctx.training:
                gx = invstd * (gh - gh.mean(axes, keepdim=True) - xhat * (gh * xhat).mean(axes, keepdim=True))
            else:
                gx = gh * invstd
        if w is not None and need[1]:
            gw = (grad * xhat).sum(axes)
        if len(need) > 2 and need[2]:
            gb = grad.sum(axes)
        return gx, gw, gb, None, None, None, None, None


