"""``nn.functional``'s activations (the work: ``minitorch/ops/activation.py``, ``softmax.py`` and ``elementwise.py``)."""
import warnings

from ..._dtype import as_dtype
from ...tensor import Tensor, _wrap_dim, _not_tensor
from ...ops import activation as _A, elementwise as _E, softmax as _SM
from ._args import _apply_maybe_inplace, _check_float


# ---------------------------------------------------------------- activations
def relu(input, inplace=False):
    """max(x, 0)."""
    if not isinstance(input, Tensor):
        _not_tensor("relu", input)
    if inplace:
        return input.relu_()
    return _E.relu(input)


def relu_(input):
    if not isinstance(input, Tensor):
        _not_tensor("relu_", input)
    return input.relu_()


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    if not isinstance(input, Tensor):
        _not_tensor("relu6", input)
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]; gradient 1 strictly inside, 0 outside."""
    if not isinstance(input, Tensor):
        _not_tensor("hardtanh", input)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    kind = input._data.dtype.kind
    if kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if kind != "f":                       # integers: torch clamps to the bounds cast to the dtype (truncated)
        min_val, max_val = int(min_val), int(max_val)
    return _apply_maybe_inplace(_A.hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    if not isinstance(input, Tensor):
        _not_tensor("hardtanh_", input)
    return hardtanh(input, min_val, max_val, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    if not isinstance(input, Tensor):
        _not_tensor("leaky_relu", input)
    _check_float(input, "leaky_relu")
    return _apply_maybe_inplace(_A.leaky_relu, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    if not isinstance(input, Tensor):
        _not_tensor("leaky_relu_", input)
    return leaky_relu(input, negative_slope, True)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return _apply_maybe_inplace(_A.threshold, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    return _apply_maybe_inplace(_A.threshold, input, True, threshold, value)


def prelu(input, weight):
    """Parametric ReLU: x if x > 0 else weight * x, weight per channel (dim 1) or a single value."""
    if not isinstance(input, Tensor):
        _not_tensor("prelu", input)
    n = weight.numel()
    channels = input.shape[1] if input.dim() >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} "
                           f"and channel size = {channels}.")
    if n == 1 or input.dim() < 2:
        shape = (1,) * max(input.dim(), 1) if input.dim() else ()
    else:
        shape = (1, n) + (1,) * (input.dim() - 2)
    return _A.Prelu.apply(input, weight, shape)


def sigmoid(input):
    """1 / (1 + exp(-x))."""
    return _E.sigmoid(input)


def tanh(input):
    return _E.tanh(input)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (without overflow: the max is subtracted first).

    With no ``dim``, torch's deprecated implicit choice (0 for 0-, 1- and 3-D input, else 1) and its warning.
    """
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _SM.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return _SM.softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``: finite even where softmax underflows."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _SM.log_softmax(input, dim, dtype)


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the standard normal CDF, via an accurate erf), or its tanh approximation."""
    if not isinstance(input, Tensor):
        _not_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "gelu", "GeluKernelImpl")
    return _A.gelu(input, approximate)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    if not isinstance(input, Tensor):
        _not_tensor("elu", input)
    _check_float(input, "elu")
    return _apply_maybe_inplace(_A.elu, input, inplace, alpha)


def elu_(input, alpha=1.0):
    if not isinstance(input, Tensor):
        _not_tensor("elu_", input)
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    if not isinstance(input, Tensor):
        _not_tensor("selu", input)
    _check_float(input, "elu")
    return _apply_maybe_inplace(_A.elu, input, inplace, _SELU_ALPHA, _SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x / alpha) - 1)."""
    if not isinstance(input, Tensor):
        _not_tensor("celu", input)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    _check_float(input, "elu")
    celu_ = _A.Elu.named("CeluBackward0")             # elu with input_scale 1/alpha, torch's node name
    return _apply_maybe_inplace(lambda t: celu_.apply(t, alpha, 1.0, 1.0 / alpha), input, inplace)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish)."""
    if not isinstance(input, Tensor):
        _not_tensor("silu", input)
    _check_float(input, "silu")
    return _apply_maybe_inplace(_A.silu, input, inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    if not isinstance(input, Tensor):
        _not_tensor("mish", input)
    _check_float(input, "mish")
    return _apply_maybe_inplace(_A.Mish.apply, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold."""
    if not isinstance(input, Tensor):
        _not_tensor("softplus", input)
    _check_float(input, "softplus")
    return _A.softplus(input, beta, threshold)


def logsigmoid(input):
    """log(sigmoid(x)), computed stably."""
    if not isinstance(input, Tensor):
        _not_tensor("log_sigmoid", input)
    _check_float(input, "log_sigmoid")
    return _A.logsigmoid(input)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    if not isinstance(input, Tensor):
        _not_tensor("hardsigmoid", input)
    _check_float(input, "hardsigmoid")
    return _apply_maybe_inplace(_A.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    if not isinstance(input, Tensor):
        _not_tensor("hardswish", input)
    _check_float(input, "hardswish")
    return _apply_maybe_inplace(_A.Hardswish.apply, input, inplace)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (_E.abs(input) + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - _E.tanh(input)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    if not isinstance(input, Tensor):
        _not_tensor("hardshrink", input)
    _check_float(input, "hardshrink")
    return _A.Hardshrink.apply(input, lambd)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    if not isinstance(input, Tensor):
        _not_tensor("softshrink", input)
    _check_float(input, "softshrink", "softshrink_check")
    return _A.Softshrink.apply(input, lambd)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    return _A.Glu.apply(input, d)
