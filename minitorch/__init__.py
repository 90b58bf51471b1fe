"""minitorch: a from-scratch, tape-based autograd engine with PyTorch's API.

``import minitorch as torch`` and a PyTorch tutorial runs: tensors on numpy (CPU)
or cupy (GPU), reverse-mode autograd with higher-order gradients, nn, optim,
utils.data, save/load.
"""
import warnings as _warnings

from . import _backend
from . import _malloc
_malloc.keep_freed_memory()   # glibc keeps freed memory for numpy's temporaries (see _malloc.py)

# numpy warns on overflow / division by zero / invalid values inside ops (log(0) -> -inf, ...);
# torch never does: the result (inf, nan) is the answer, and anomaly mode is the tool to find NaNs.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minitorch(\.|$)")
from ._backend import device
from ._dtype import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32, float64,
                     get_default_dtype, set_default_dtype, promote_types, result_type as _result_type)
from .tensor import Tensor, Size, _not_tensor
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from . import autograd
from . import _methods  # noqa: F401  (binds ops as Tensor methods)
from .random import manual_seed, seed, initial_seed, get_rng_state, set_rng_state, Generator, default_generator
from .creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,
                       empty_like, full_like, arange, range_ as range, linspace, logspace, eye, rand, randn,
                       randint, randperm, rand_like, randn_like, randint_like, normal, bernoulli, multinomial,
                       legacy_types as _legacy_types)
from .ops.elementwise import (add, sub, subtract, mul, multiply, div, divide, true_divide, floor_divide,
                              remainder, fmod, neg, negative, pow, square, exp, exp2, expm1, log, log2, log10,
                              log1p, sqrt, rsqrt, reciprocal, sin, cos, tan, asin, arcsin, acos, arccos, atan,
                              arctan, sinh, cosh, tanh, sigmoid, relu, abs, absolute, sign, floor, ceil, round,
                              trunc, frac, clamp, clip, clamp_min, clamp_max, maximum, minimum, where, lerp,
                              eq, ne, not_equal, lt, less, le, less_equal, gt, greater, ge, greater_equal, equal,
                              logical_and, logical_or, logical_xor, logical_not, bitwise_and, bitwise_or,
                              bitwise_xor, bitwise_not, isnan, isinf, isfinite, signbit, isclose, allclose)
from .ops.reduce import (sum, mean, var, std, var_mean, std_mean, logsumexp, prod, cumsum, norm, all, any,
                         count_nonzero)
from .ops.extremes import max, min, amax, amin, argmax, argmin, sort, argsort, topk
from .ops.shape import (reshape, flatten, unflatten, ravel, squeeze, unsqueeze, transpose, swapaxes, swapdims,
                        permute, t, movedim, contiguous, clone, broadcast_to, broadcast_shapes, broadcast_tensors)
from .ops.join import (cat, concat, concatenate, stack, hstack, vstack, split, chunk, tensor_split, unbind, flip,
                       narrow, repeat_interleave, tile)
from .ops.index import select, index_put
from .ops.gather import (index_select, masked_select, masked_fill, gather, scatter, scatter_add, nonzero, argwhere,
                         take)
from .ops.linalg import matmul, mm, bmm, dot, inner, mv, outer, ger, addmm, baddbmm, einsum
from ._tensor_str import set_printoptions, get_printoptions
from .ops.softmax import softmax, log_softmax
from .ops.erf import erf, erfc
from .ops.tutorial_ops import tril, triu, cumprod, atan2, arctan2, roll, diag, diagonal, unique, meshgrid
from .ops.tutorial_ops import addcmul, addcdiv
from ._default_device import set_default_device, get_default_device
from ._threads import get_num_threads, set_num_threads
from . import nn
from . import utils
from . import vision
from .serialization import save, load
from . import cuda
from . import optim
from . import viz, profiler
from . import accelerator, backends

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = None
globals().update(_legacy_types)     # FloatTensor, DoubleTensor, LongTensor, ... (see creation.legacy_types)


def is_tensor(obj):
    """True if ``obj`` is a minitorch tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    if not isinstance(input, Tensor):
        _not_tensor("numel", input)
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def detach(input):
    return input.detach()


def zero_(input):
    return input.zero_()


def result_type(tensor1, tensor2):
    return _result_type(tensor1, tensor2)


from . import _compat_args as _compat_args     # noqa: E402  numpy's axis=/keepdims=, add(input, alpha, other)
_compat_args.install(globals())

__version__ = "0.1.0"
