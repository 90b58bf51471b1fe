"""``nn.functional``'s losses (the fused ones' work: ``minitorch/ops/loss.py``)."""
import warnings

from ..._dtype import int64, uint8
from ...autograd import grad_mode
from ...tensor import Tensor, _not_tensor
from ...ops import softmax as _SM, elementwise as _E, loss as _L, shape as _S
from ...ops._common import _cast, _promote
from ...ops._out import scalar_name
from ._args import _check_float


# ---------------------------------------------------------------- losses
def _reduction(size_average, reduce, reduction):
    """torch's legacy ``size_average``/``reduce`` arguments folded into ``reduction`` (with its warning)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        if size_average and reduce:
            reduction = "mean"
        elif reduce:
            reduction = "sum"
        else:
            reduction = "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _sizes(input, target):
    """torch's Python losses start with ``target.size() == input.size()``: anything but a tensor fails there,
    first, with Python's own AttributeError."""
    for t in (target, input):
        if not isinstance(t, Tensor):
            raise AttributeError(f"'{type(t).__name__}' object has no attribute 'size'")


def _class_index_checks(input, target, weight, name):
    """torch's checks for class-index targets, in torch's order: batch size, dims, dtype, weight size."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    kind = target._data.dtype
    if input.dim() == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if kind != int64.np and kind != uint8.np:
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_name(target.dtype)}")
        if target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
        c = input.shape[0]
    else:
        tb = target.shape[0] if target.dim() else 0
        if input.shape[0] != tb:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).")
        if input.dim() == 2 and target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if input.dim() > 2:
            expect = (input.shape[0],) + tuple(input.shape[2:])
            if tuple(target.shape) != expect:
                raise RuntimeError(f"Expected target size {list(expect)}, got {list(target.shape)}")
            if input.dim() != 4 and input.numel() == 0 and target.numel():
                # torch reshapes such an input to (N, C, 0, 0) (it has no elements) and the target to (N, 1, k)
                n = input.shape[0]
                raise RuntimeError(f"size mismatch (got input: [{n}, {input.shape[1]}, 0, 0] , target: "
                                   f"[{n}, 1, {target.numel() // n}]")
        c = input.shape[1]
    if kind != int64.np and kind != uint8.np:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_name(target.dtype)}")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    return c


def _weight_array(weight, input):
    if weight is None:
        return None
    return weight._data.astype(input._data.dtype, copy=False).reshape(-1)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits ``input`` (N, C, d1, ...) — or (C,) — and ``target``.

    ``target`` holds class indices (int64, shape (N, d1, ...)) or class probabilities (float, input's shape).
    One fused, numerically stable op for class indices (see ``minitorch/ops/loss.py``); ``weight`` rescales
    classes, ``ignore_index`` drops samples, ``label_smoothing`` mixes the target with the uniform
    distribution. 'mean' divides by the total weight of the non-ignored samples (by N*d1*... for
    probability targets).
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not isinstance(input, Tensor):
        _not_tensor("cross_entropy_loss", input)
    if not isinstance(target, Tensor):
        _not_tensor("cross_entropy_loss", target, "target", 2)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if tuple(target.shape) == tuple(input.shape):                 # same shape: class probabilities
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{scalar_name(target.dtype)}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _class_index_checks(input, target, weight, "cross_entropy")
    if input._data.dtype.kind != "f":                  # torch's log_softmax over dim 1: the last dim of (N, C)
        kernel = "log_softmax_lastdim_kernel_impl" if input._data.ndim <= 2 else "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(input.dtype)}'")
    op = _L.CrossEntropy.named("NllLoss2DBackward0") if input.dim() > 2 else _L.CrossEntropy
    return op.apply(input, target._data, _weight_array(weight, input), ignore_index, reduction,
                                 float(label_smoothing))


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input.dim() == 1 else 1
    c = input.shape[class_dim]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    logp = _SM.log_softmax(input, class_dim)
    t = target
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + (label_smoothing / c if c else 0.0)     # (no classes: nothing to add to)
    prod = logp * t
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = c
        prod = prod * weight.reshape(shape)
    if reduction == "none":
        return -prod.sum(class_dim)
    total = -prod.sum()                        # torch's order: one sum, then the sign (an empty loss is -0)
    if reduction == "sum":
        return total
    return total / (input.numel() // c if c else 0)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...) at class indices ``target``."""
    reduction = _reduction(size_average, reduce, reduction)
    if not isinstance(input, Tensor):
        _not_tensor("nll_loss_nd", input)
    if not isinstance(target, Tensor):
        _not_tensor("nll_loss_nd", target, "target", 2)
    _class_index_checks(input, target, weight, "nll_loss")
    if input._data.dtype.kind != "f":
        kernel = "nll_loss_out_frame" if input._data.ndim <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(input.dtype)}'")
    op = _L.NllLoss.named("NllLoss2DBackward0") if input.dim() > 2 else _L.NllLoss
    return op.apply(input, target._data, _weight_array(weight, input), ignore_index, reduction)


def _dtype_mismatch(input, target):
    """torch's error of the losses whose kernels take one dtype (binary_cross_entropy)."""
    if isinstance(target, Tensor) and target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {scalar_name(target.dtype)} but expected {scalar_name(input.dtype)}")


_LOSS_KERNELS = {_L.MseLoss: "mse_cpu", _L.SmoothL1Loss: "smooth_l1_cpu", _L.HuberLoss: "huber_cpu"}


def _pointwise_loss(cls, input, target, reduction, weight, *params):
    if cls is not _L.HuberLoss and isinstance(target, Tensor) and target.dtype != input.dtype:
        input, target = _promote(input, target)        # torch computes in the common dtype (float64 wins)
    if input._data.dtype.kind != "f" and cls in _LOSS_KERNELS:     # torch's kernels are float-only
        if isinstance(target, Tensor) and target._data.dtype.kind == "f":      # huber: no promotion, a cast
            raise RuntimeError(f"result type {scalar_name(target.dtype)} can't be cast to the desired output "
                               f"type {scalar_name(input.dtype)}")
        raise NotImplementedError(f"\"{_LOSS_KERNELS[cls]}\" not implemented for '{scalar_name(input.dtype)}'")
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        _S._broadcast_shape(input.shape, target.shape)
    if weight is None:
        return cls.apply(input, target, reduction, *params)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = cls.apply(input, target, "none", *params) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if cls is not _L.HuberLoss else loss.mean()


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of (input - target)^2; with ``weight``, 'mean' is sum(w l) / sum(w)."""
    _sizes(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    return _pointwise_loss(_L.MseLoss, input, target, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of |input - target|."""
    _sizes(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _pointwise_loss(_L.L1Loss, input, target, reduction, weight)
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=2)
    loss = (input - target).abs()                 # torch composes it the same way (grad_fn names included)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - target)."""
    _sizes(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    return _pointwise_loss(_L.SmoothL1Loss, input, target, reduction, None, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere."""
    _sizes(input, target)
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise_loss(_L.HuberLoss, input, target, reduction, weight, float(delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1]; logs clamped at -100 as in torch."""
    _sizes(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for '{scalar_name(input.dtype)}'")
    _dtype_mismatch(input, target)
    if weight is not None:
        _S._broadcast_shape(weight.shape, input.shape)
    return _L.BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input) computed from the logits without overflow;
    ``pos_weight`` multiplies the loss of the positive class."""
    _sizes(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):       # refused first, as torch does
        if t is not None and t._requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have requires_grad True.")
    if target._data.dtype.kind != "f" and input._data.dtype.kind == "f":     # the loss cannot be written as an int
        raise RuntimeError(f"result type {scalar_name(input.dtype)} can't be cast to the desired output type "
                           f"{scalar_name(target.dtype)}")
    if input._data.dtype.kind != "f":            # torch's formula runs logsigmoid(input): a float-only kernel
        _check_float(input, "log_sigmoid")
    if target.dtype != input.dtype:
        # torch computes (1 - target) * input - logsigmoid(input) in place in (1 - target): the target's dtype
        x, t = _promote(input, target)
        return _cast(_L.BinaryCrossEntropyWithLogits.apply(x, t, weight, pos_weight, reduction), target.dtype)
    return _L.BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence, ``input`` being log-probabilities: target * (log target - input).

    'batchmean' divides the sum by the batch size (the mathematically right mean); 'mean' by the element count.
    """
    if not isinstance(input, Tensor):
        _not_tensor("kl_div", input)
    if not isinstance(target, Tensor):
        _not_tensor("kl_div", target, "target", 2)
    if input._data.dtype.kind != "f" or target._data.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, "mean")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
    if log_target:
        loss = _E.exp(target) * (target - input)
    else:                                      # torch's xlogy(target, target): 0 where target = 0 (nan below 0)
        safe = _E.where(target == 0, target * 0 + 1, target)
        loss = target * _E.log(safe) - target * input
    if reduction == "none":
        return loss
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")
