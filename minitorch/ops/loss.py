"""Loss functions on arrays, with backward written in Tensor ops (so they can be differentiated twice).

``cross_entropy`` for class-index targets is ONE fused op: log-softmax and the
negative log-likelihood in a single pass over the logits, computed with the
log-sum-exp shift (``x - max``) so that logits of +-1e4 give finite losses and
gradients. Its gradient is the classic ``(softmax(x) - onehot(target)) / N``,
generalised to class weights, ``ignore_index`` and label smoothing:

    dL/dx[n, c] = u_n * (a_n * p[n, c] - b[n, c])

with p = softmax(x), u_n the upstream factor of sample n (1/denominator for
'mean'), a_n = (1-eps) w[t_n] + eps/C * sum(w), b[n, c] = (1-eps) w[t_n] [c = t_n]
+ eps/C * w[c], and a_n = b[n, :] = 0 for ignored samples. When the backward
itself is being recorded (``create_graph=True``) p is recomputed from x by the
``Softmax`` op, so the gradient stays connected to x.

The pointwise losses (mse, l1, smooth_l1, huber, binary cross-entropy with and
without logits) are Functions too, for torch's ``grad_fn`` names and fused
forwards; their backwards are short Tensor-op formulas.
"""
from .. import _backend, _kernels
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from .piecewise import sign, abs as _abs, clamp_min
from .unary import sigmoid, masked_grad
from .activation import Softplus
from .softmax import Softmax

_T = Tensor._from_array


# ---------------------------------------------------------------- class-index losses
def _rows(x, class_dim):
    """Logits as (rows, C) with classes last (a view for 1-D/2-D input, a copy otherwise)."""
    xp = _backend.array_module(x)
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    c = x.shape[class_dim]
    rows = 1
    for i, n in enumerate(x.shape):          # spelled out: a reshape of no elements cannot infer a -1
        if i != class_dim % x.ndim:
            rows *= n
    return xp.moveaxis(x, class_dim, -1).reshape(rows, c)


def _to_x_layout(arr2d, x_shape):
    """Inverse of ``_rows`` for a (rows, C) or (rows, 1) array."""
    xp = _backend.array_module(arr2d)
    if len(x_shape) == 1:
        return arr2d.reshape(-1) if arr2d.shape[1] != 1 else arr2d.reshape(1)
    if len(x_shape) == 2:
        return arr2d
    lead = (x_shape[0],) + tuple(x_shape[2:])
    return xp.moveaxis(arr2d.reshape(lead + (arr2d.shape[1],)), -1, 1)


def check_targets(xp, t, valid, n_classes):
    """Raise torch's IndexError for class indices outside [0, C) (ignored positions excepted)."""
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")


def _index_terms(xp, t, weight, ignore_index, n_classes, dtype):
    """(targets clipped to valid classes, validity mask, per-sample weight w[t_n] (0 where ignored))."""
    valid = t != ignore_index
    check_targets(xp, t, valid, n_classes)
    tc = xp.where(valid, t, 0)
    if weight is not None:
        wt = weight[tc] * valid
    else:
        wt = valid.astype(dtype)
    return tc, valid, wt


def _reduce(xp, per_sample, reduction, denom, target_shape):
    if reduction == "none":
        return per_sample.reshape(target_shape)
    s = per_sample.sum()
    if reduction == "sum":
        return xp.asarray(s, dtype=per_sample.dtype)
    if not denom:                       # every sample ignored: 0/0, as in torch
        return xp.asarray(float("nan"), dtype=per_sample.dtype)
    return xp.asarray(s / denom, dtype=per_sample.dtype)


class CrossEntropy(Function):
    """Fused log-softmax + negative log-likelihood with class-index targets (see the module docstring)."""
    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        xp = ctx.xp
        class_dim = 0 if x.ndim == 1 else 1
        c = x.shape[class_dim]
        x2 = _rows(x, class_dim)
        t = target.reshape(-1).astype(xp.int64, copy=False)
        ctx.weight, ctx.reduction, ctx.smoothing, ctx.c = weight, reduction, smoothing, c
        ctx.class_dim, ctx.target_shape = class_dim, target.shape
        ctx.save_for_backward(x)
        fused = None
        if weight is None and not smoothing and x.ndim <= 2 and x2.size:
            fused = _kernels.cross_entropy(xp, x2, t, ignore_index)     # one GPU kernel (None on the CPU)
        if fused is not None:
            lw, lse = fused                                      # rows: per-sample loss, per-sample weight
            ctx.lse, ctx.t, ctx.wt, ctx.p = lse, t, lw[1], None
            ctx.tc = ctx.valid = None                            # made in backward if the graph is recorded
            if reduction == "none":
                ctx.denom = None
                return lw[0].reshape(target.shape)
            sums = lw.sum(axis=1)
            ctx.denom = sums[1]
            return sums[0] if reduction == "sum" else sums[0] / sums[1]
        ctx.lse = None
        tc, valid, wt = _index_terms(xp, t, weight, ignore_index, c, x.dtype)
        z = x2 - x2.max(axis=1, keepdims=True) if x2.size else x2.copy()
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        lse = xp.log(s)
        logp_t = z[xp.arange(z.shape[0]), tc] - lse[:, 0]
        loss = -(wt * logp_t) if x.ndim > 1 else 0.0 - wt * logp_t    # 1-D: torch's kernel sums from +0
        if smoothing:
            # smooth term: -sum_c w_c log p_c = -(sum_c w_c z_c - lse * sum_c w_c)
            if weight is not None:
                sm = -(z @ weight - lse[:, 0] * weight.sum())
            else:
                sm = -(z.sum(axis=1) - lse[:, 0] * c)
            loss = (1 - smoothing) * loss + (smoothing / c if c else 0.0) * (sm * valid)   # (no classes: no rows)
        denom = wt.sum()
        e /= s                                                   # e is now softmax(x), kept for backward
        ctx.p = e
        ctx.tc, ctx.valid, ctx.wt, ctx.denom = tc, valid, wt, denom
        if smoothing and not c and reduction == "sum":         # torch adds the smooth term's sum / C = 0 / 0
            return xp.asarray(float("nan"), dtype=x.dtype)
        return _reduce(xp, loss, reduction, denom, target.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        xp = ctx.xp
        if ctx.lse is not None:
            if not grad_mode.is_grad_enabled():               # the fused forward's one-kernel backward
                gx = _kernels.cross_entropy_grad(xp, _rows(x._data, ctx.class_dim), ctx.lse, ctx.t, ctx.wt,
                                                 grad._data, ctx.denom, ctx.reduction)
                return _T(gx.reshape(x._data.shape)), None, None, None, None, None
            if ctx.tc is None:
                ctx.valid = ctx.wt != 0
                ctx.tc = xp.where(ctx.valid, ctx.t, 0)
        eps, c, wt, valid, w = ctx.smoothing, ctx.c, ctx.wt, ctx.valid, ctx.weight
        dtype = x._data.dtype
        rows = wt.shape[0]
        # b[n, c] of the module docstring; a_n = sum_c b[n, c] (torch's log_softmax backward sums the incoming
        # gradient: the gradient is exactly 0 with one class)
        b_target = ((1 - eps) * wt).astype(dtype)

        def dense_b():
            b = xp.zeros((rows, c), dtype=dtype)
            xp.put_along_axis(b, ctx.tc[:, None], b_target[:, None], axis=1)
            if eps:
                b += ((eps / (c or 1)) * (w[None, :] if w is not None else 1.0) * valid[:, None]).astype(
                    dtype, copy=False)                          # (no classes: no rows either)
            return b

        if not grad_mode.is_grad_enabled():
            # not recording: torch's form p * a - b in array passes over the softmax saved by forward
            u = grad._data.reshape(-1) if ctx.reduction == "none" else grad._data
            if ctx.reduction == "mean":
                u = u / ctx.denom
            u = xp.asarray(u, dtype=dtype)
            if eps:
                g = dense_b() * (u[:, None] if ctx.reduction == "none" else u)
                gx = ctx.p * g.sum(axis=1, keepdims=True) - g
            else:                          # b has one entry per row (the target's): a_n is that entry, exactly
                a = b_target * u
                gx = ctx.p * a[:, None]
                gx[xp.arange(rows), ctx.tc] -= a
            return _T(xp.ascontiguousarray(_to_x_layout(gx, x._data.shape))), None, None, None, None, None
        b = dense_b()
        if ctx.reduction == "mean":
            b /= ctx.denom
        a = b.sum(axis=1, keepdims=True)
        p = Softmax.apply(x, ctx.class_dim)                      # recording: p must stay connected to x
        at = _T(_to_x_layout(a, x._data.shape))
        bt = _T(_to_x_layout(b, x._data.shape))
        g = grad.unsqueeze(1) if ctx.reduction == "none" and x._data.ndim > 1 else grad
        return g * (p * at - bt), None, None, None, None, None


class NllLoss(Function):
    """L = -w[t_n] * x[n, t_n] (reduced).   dL/dx = -u_n w[t_n] at [n, t_n], 0 elsewhere (linear in x)."""
    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        xp = ctx.xp
        class_dim = 0 if x.ndim == 1 else 1
        c = x.shape[class_dim]
        x2 = _rows(x, class_dim)
        t = target.reshape(-1).astype(xp.int64, copy=False)
        tc, valid, wt = _index_terms(xp, t, weight, ignore_index, c, x.dtype)
        picked = x2[xp.arange(x2.shape[0]), tc]
        loss = -(wt * picked)
        denom = wt.sum()
        ctx.tc, ctx.wt, ctx.denom, ctx.reduction, ctx.c, ctx.x_shape = tc, wt, denom, reduction, c, x.shape
        ctx.valid = valid
        return _reduce(xp, loss, reduction, denom, target.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        xp = ctx.xp
        dtype = ctx.wt.dtype
        rows = ctx.wt.shape[0]
        b = xp.zeros((rows, ctx.c), dtype=dtype)
        xp.put_along_axis(b, ctx.tc[:, None], -ctx.wt[:, None], axis=1)
        if ctx.reduction == "mean":
            b /= ctx.denom
        # only the targets of the rows that count get a gradient; elsewhere it is exactly 0, as torch's kernel
        # writes it, even for an inf upstream gradient (g * 0 would be nan there)
        keep = xp.zeros((rows, ctx.c), dtype=bool)
        xp.put_along_axis(keep, ctx.tc[:, None], ctx.valid[:, None], axis=1)
        bt = _T(_to_x_layout(b, ctx.x_shape))
        g = grad.unsqueeze(1) if ctx.reduction == "none" and len(ctx.x_shape) > 1 else grad
        return masked_grad(g * bt, _to_x_layout(keep, ctx.x_shape)), None, None, None, None


# ---------------------------------------------------------------- pointwise losses
def _reduce_pointwise(xp, loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return xp.asarray(loss.sum(), dtype=loss.dtype)
    if loss.size == 0:                  # a mean of nothing is torch's 0 / 0 (its NaN's sign bit too), without
        return xp.asarray(loss.sum(), dtype=loss.dtype) / loss.dtype.type(0)   # numpy's "Mean of empty slice"
    return xp.asarray(loss.mean(), dtype=loss.dtype)


def _upstream(grad, reduction, numel):
    """The upstream gradient as a factor on each element's loss."""
    return grad / numel if reduction == "mean" else grad


class _Pointwise(Function):
    """Base: ``loss(x, t)`` elementwise, reduced. Subclasses give ``value`` (arrays) and ``derivs`` (Tensors)."""

    @classmethod
    def forward(cls, ctx, x, t, reduction, *params):
        xp = ctx.xp
        ctx.reduction, ctx.params, ctx.numel = reduction, params, max(_numel(x.shape, t.shape), 1)
        ctx.save_for_backward(x, t)
        return _reduce_pointwise(xp, cls.value(xp, x, t, *params), reduction).astype(x.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, grad):
        x, t = ctx.saved_tensors
        g = _upstream(grad, ctx.reduction, ctx.numel)
        need = ctx.needs_input_grad
        dx = cls.dx(x, t, *ctx.params)
        gx = g * dx if need[0] else None
        gt = None
        if need[1]:
            dt = cls.dt(x, t, dx, *ctx.params)
            gt = g * dt
        return (gx, gt, None) + (None,) * len(ctx.params)

    @staticmethod
    def dt(x, t, dx, *params):
        return -dx


def _numel(*shapes):
    n = 1
    shape = _backend.numpy.broadcast_shapes(*shapes)
    for s in shape:
        n *= s
    return n


class MseLoss(_Pointwise):
    """l = (x - t)^2.   dl/dx = 2 (x - t),  dl/dt = -dl/dx."""

    @staticmethod
    def value(xp, x, t):
        d = x - t
        return d * d

    @staticmethod
    def dx(x, t):
        return (x - t) * 2


class L1Loss(_Pointwise):
    """l = |x - t|.   dl/dx = sign(x - t),  dl/dt = -dl/dx."""

    @staticmethod
    def value(xp, x, t):
        return xp.abs(x - t)

    @staticmethod
    def dx(x, t):
        return sign(x - t)


class PiecewiseSlope(Function):
    """The derivative of smooth_l1 / huber in d = x - t, as torch's kernels compute it:
    s = outer * sign(d) where |d| > beta, else inner * d (so a NaN d gives NaN, not 0).
    ds/dd = inner * [|d| < beta], multiplied in (torch's double backward: a NaN or inf upstream stays NaN)."""

    @staticmethod
    def forward(ctx, d, beta, inner, outer):
        xp = ctx.xp
        ctx.save_for_backward(d)
        ctx.beta, ctx.inner = beta, inner
        return xp.where(xp.abs(d) > beta, xp.sign(d) * outer, d * inner).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        d, = ctx.saved_tensors
        return grad * ((_abs(d.detach()) < ctx.beta).to(grad.dtype) * ctx.inner), None, None, None


class SmoothL1Loss(_Pointwise):
    """l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta  (d = x - t).   dl/dx = d/beta inside, sign(d) outside."""

    @staticmethod
    def value(xp, x, t, beta):
        d = xp.abs(x - t)
        if beta == 0:
            return d
        return xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)

    @staticmethod
    def dx(x, t, beta):
        d = x - t
        if beta == 0:
            return sign(d)
        return PiecewiseSlope.apply(d, beta, 1.0 / beta, 1.0)


class HuberLoss(_Pointwise):
    """l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta).   dl/dx = d inside, delta sign(d) outside."""

    @staticmethod
    def value(xp, x, t, delta):
        d = xp.abs(x - t)
        return xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))

    @staticmethod
    def dx(x, t, delta):
        d = x - t
        return PiecewiseSlope.apply(d, delta, 1.0, delta)


class BinaryCrossEntropy(Function):
    """l = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as torch does.

    dl/dx = w (x - t) / max(x (1 - x), 1e-12),   dl/dt = -w logit(x) = w (log(1 - x) - log x)  (torch's: not
    clamped, so +-inf where x is 0 or 1).
    """

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        xp = ctx.xp
        if x.size and not ((x >= 0) & (x <= 1)).all():                     # NaN is refused too
            raise RuntimeError("all elements of input should be between 0 and 1")
        if t.size and not ((t >= 0) & (t <= 1)).all():
            raise RuntimeError("all elements of target should be between 0 and 1")
        lx = xp.maximum(xp.log(x), -100)
        l1x = xp.maximum(xp.log1p(-x), -100)
        loss = -(t * lx + (1 - t) * l1x)
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.numel = reduction, max(x.size, 1)
        ctx.save_for_backward(x, t, w)
        return _reduce_pointwise(xp, loss, reduction).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _upstream(grad, ctx.reduction, ctx.numel)
        if w is not None:
            g = g * w
        gx = gt = None
        if need[0]:
            gx = BinaryCrossEntropyBackward.apply(g, x, t)
        if need[1]:
            gt = g * -Logit.apply(x)                   # torch's -logit(x): unclamped, so inf where x is 0 or 1
        return gx, gt, None, None


class Logit(Function):
    """y = log(x / (1 - x)) (torch's ``logit`` without eps), binary cross-entropy's target gradient.
    dy/dx = 1 / (x (1 - x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (x * (1 - x))


_KERNEL_EPS = float(_backend.numpy.float32(1e-12))     # torch's kernel clamps with the float 1e-12f


class BinaryCrossEntropyBackward(Function):
    """z = g (x - t) / max(x (1 - x), eps), eps = 1e-12 (the float32 1e-12, as torch's kernel has it): binary
    cross-entropy's gradient as one op, so that its own derivatives are torch's formulas (a composition of
    Tensor ops rounds differently where their terms cancel; these take the double 1e-12, as torch's do):

    dz/dg = (x - t) / ((x + eps)(1 - x + eps)),   dz/dx = g (x^2 - 2xt + t) / ((x + eps)^2 (1 - x + eps)^2),
    dz/dt = -g / max(x (1 - x), eps).
    """

    @staticmethod
    def forward(ctx, g, x, t):
        ctx.save_for_backward(g, x, t)
        return g * (x - t) / ctx.xp.maximum(x * (1 - x), _KERNEL_EPS)

    @staticmethod
    def backward(ctx, grad):
        g, x, t = ctx.saved_tensors
        need = ctx.needs_input_grad
        eps = 1e-12
        gg = gx = gt = None
        if need[0]:
            gg = grad * ((x - t) / ((x + eps) * (1 - x + eps)))
        if need[1]:
            gx = (x * x - 2 * x * t + t) / ((x + eps) ** 2 * (1 - x + eps) ** 2) * (g * grad)
        if need[2]:
            gt = -(g * grad) / clamp_min((1 - x) * x, eps)
        return gg, gx, gt


class BinaryCrossEntropyWithLogits(Function):
    """l = w ((1 - t) x + lw softplus(-x)),  lw = 1 + (pos_weight - 1) t  (stable for any x).

    dl/dx = w ((1 - t) - lw sigmoid(-x)),   dl/dt = w ((pos_weight - 1) softplus(-x) - x).
    """

    @staticmethod
    def forward(ctx, x, t, w, pos_weight, reduction):
        xp = ctx.xp
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))          # softplus(-x) without overflow
        lw = 1 + (pos_weight - 1) * t if pos_weight is not None else 1
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        ctx.reduction = reduction
        ctx.numel = max(_numel(x.shape, t.shape, *(a.shape for a in (w, pos_weight) if a is not None)), 1)
        ctx.save_for_backward(x, t, w, pos_weight)
        return _reduce_pointwise(xp, loss, reduction).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, t, w, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _upstream(grad, ctx.reduction, ctx.numel)
        if w is not None:
            g = g * w
        gx = gt = None
        if need[0]:
            s = sigmoid(-x)
            gx = g * ((1 - t) - (s if pw is None else (1 + (pw - 1) * t) * s))
        if need[1]:
            gt = g * (-x if pw is None else (pw - 1) * Softplus.apply(-x, 1.0, float("inf")) - x)
        return gx, gt, None, None, None


