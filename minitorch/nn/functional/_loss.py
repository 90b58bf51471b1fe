"""``minitorch.nn.functional``: torch's functional API (layers, activations, losses) with torch's signatures.

This module checks arguments and raises torch's errors; the work is done by
the ops in ``minitorch/ops``: ``conv.py`` (linear, convolution), ``pool.py``,
``activation.py``, ``loss.py``, ``normalization.py`` (batch norm), ``padding.py``
and ``embedding.py``, all Functions on arrays with backward passes written in
Tensor ops (so gradients of gradients work). Functions that
are cheap compositions of existing ops (``layer_norm``, ``normalize``,
``mish``, ...) are written here directly with Tensor ops.
"""
import warnings

from ... import _backend
from ..._dtype import as_dtype, int64, uint8
from ...autograd import grad_mode
from ...tensor import Tensor, _wrap_dim, _not_tensor
from ...ops import activation as _A, conv as _C, pool as _P, loss as _L
from ...ops import elementwise as _E, shape as _S
from ...ops._common import _cast, _promote
from ...ops._out import out_arg
from ..._args import defaults_only, FALSE
from ...ops.conv import linear  # noqa: F401  (re-exported)
from ...ops.activation import erf  # noqa: F401
from ...ops.embedding import Embedding
from ...ops.normalization import BatchNorm
from ...ops.padding import ConstantPad, pad_index
from ...ops.inplace import check_inplace, commit_inplace, snapshot
from ...creation import _gen

_T = Tensor._from_array

__all__ = [
    "linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "pad",
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "sigmoid", "tanh", "softmax", "softmin",
    "log_softmax", "gelu", "elu", "elu_", "selu", "celu", "silu", "mish", "softplus", "hardtanh", "hardtanh_",
    "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "hardshrink", "softshrink",
    "threshold", "threshold_", "glu", "dropout", "dropout1d", "dropout2d", "dropout3d", "batch_norm",
    "layer_norm", "group_norm", "flatten", "one_hot", "normalize", "embedding", "cosine_similarity",
    "pairwise_distance", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
]


# ---------------------------------------------------------------- argument helpers
def _ntuple(v, n, name="argument"):
    """An int (or 1-element sequence) repeated ``n`` times, or a sequence of ``n`` ints, as a tuple."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(a) for a in v)
        if len(v) == 1 and n > 1:
            return v * n
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
        return v
    return (int(v),) * n


def _check_float(input, name, kernel=None):
    """torch's refusal of an integer or bool input by a float-only kernel (``kernel`` defaults to name_cpu)."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel or name + '_cpu'}\" not implemented for '{input.dtype._legacy[:-6]}'")


def _apply_maybe_inplace(fn, input, inplace, *args):
    if not inplace:
        return fn(input, *args)
    recorded = check_inplace(input)
    if recorded:
        result = fn(snapshot(input), *args)
    else:
        with grad_mode.no_grad():
            result = fn(input, *args)
    return commit_inplace(input, result, recorded)


# ---------------------------------------------------------------- linear layers
def bilinear(input1, input2, weight, bias=None):
    """y[..., k] = sum_ij input1[..., i] weight[k, i, j] input2[..., j] + bias[k]."""
    k, i, j = weight.shape
    t = input1.matmul(weight.permute(1, 0, 2).reshape(i, k * j))          # (..., k*j)
    t = t.reshape(tuple(input1.shape[:-1]) + (k, j))
    y = (t * input2.unsqueeze(-2)).sum(-1)
    return y + bias if bias is not None else y


# ---------------------------------------------------------------- convolution
def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    dim = input.dim()
    if dim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(input.shape)}")
    unbatched = dim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    if weight.dim() != nd + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {weight.dim() - 2} values "
                           f"to match the convolution dimensions, but got stride={list(_ntuple(stride, nd))}")
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    ks = tuple(weight.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for d, k in zip(dilation, ks):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _ntuple(padding, nd, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = [(v, v) for v in p]
    if input.dtype != weight.dtype:
        # torch names the MKLDNN exception only on the CPU (its CUDA message ends at "should be the same")
        mkldnn = (" or input should be a MKLDNN tensor and weight is a dense tensor"
                  if input.device.type == "cpu" else "")
        raise RuntimeError(f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same{mkldnn}")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({input.type()}) and bias type ({bias.type()}) should be the same")
    out_ch = weight.shape[0]
    if out_ch % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{list(weight.shape)}] instead")
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
                           f"{input.shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_ch):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_ch} elements, but got bias of size {list(bias.shape)} instead")
    spatial = tuple(input.shape[2:])
    padded = [s + a + b for s, (a, b) in zip(spatial, pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, ks)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    if nd == 1:
        stride2, dil2, pads4 = (1, stride[0]), (1, dilation[0]), (0, 0) + pads[0]
    else:
        stride2, dil2, pads4 = stride, dilation, pads[0] + pads[1]
    out = _C.convolution(input, weight, bias, stride2, pads4, dil2, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) of (N, C, L) or (C, L) input with weight (O, C/groups, k)."""
    if not isinstance(input, Tensor):
        _not_tensor("conv1d", input)
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of (N, C, H, W) or (C, H, W) input with weight (O, C/groups, kh, kw).

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output size = input size; stride 1;
    an odd total padding puts the extra row/column at the bottom/right, as torch does).
    Implemented by im2col + one GEMM; see ``minitorch/ops/conv.py``.
    """
    if not isinstance(input, Tensor):
        _not_tensor("conv2d", input)
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


# ---------------------------------------------------------------- pooling
def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, nd, name):
    """Validate pooling arguments (torch's checks and messages); return (batched input, geometry, unbatched)."""
    dim = input.dim()
    if name == "max_pool1d":
        if dim not in (2, 3):
            raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                               f"for input, but got:{list(input.shape)}")
    elif dim not in (nd + 1, nd + 2):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _ntuple(kernel_size, nd, "kernel_size")
    s = _ntuple(stride, nd, "stride") if stride is not None and stride != [] and stride != () else k
    p = _ntuple(padding, nd, "padding")
    d = _ntuple(dilation, nd, "dilation")
    if name == "max_pool1d":
        if k[0] <= 0:
            raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k[0]}")
        if s[0] <= 0:
            raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s[0]}")
        if p[0] < 0:
            raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p[0]}")
        if p[0] > k[0] // 2:
            raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p[0]} "
                               f"and kernel_size={k[0]}")
        if d[0] <= 0:
            raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d[0]}")
    else:
        if any(v <= 0 for v in k):
            raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[-1]}")
        if any(v == 0 for v in s):
            raise RuntimeError("stride should not be zero")
        if any(v <= 0 for v in d):
            raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[-1]}")
        for pv, kv, dv in zip(p, k, d):
            if pv < 0 or pv > ((kv - 1) * dv + 1) // 2:
                raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pv}, "
                                   f"kernel_size={kv} and dilation={dv}")
        if name == "max_pool2d" and (p[0] > k[0] // 2 or p[-1] > k[-1] // 2):
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {p[-1]}, "
                               f"padH = {p[0]}, kW = {k[-1]}, kH = {k[0]}")
    unbatched = dim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    spatial = tuple(input.shape[2:])
    out = tuple(_P.pool_out_size(n, kv, sv, pv, dv, ceil_mode) for n, kv, sv, pv, dv in zip(spatial, k, s, p, d))
    if any(o < 1 for o in out):
        if name == "max_pool1d":
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {out[0]}")
        c = input.shape[1]
        sizes, outs = ((c,) + spatial, (c,) + out) if nd == 2 else ((c, 1) + spatial, (c, 1) + out)
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, sizes))}). Calculated output size: "
                           f"({'x'.join(map(str, outs))}). Output size is too small")
    if nd == 1:
        geo = _P.PoolGeometry((1, k[0]), (1, s[0]), (0, p[0]), (1, d[0]), (1, out[0]))
    else:
        geo = _P.PoolGeometry(k, s, p, d, out)
    return input, geo, unbatched


def _unbatch(out, unbatched):
    if not unbatched:
        return out
    if isinstance(out, tuple):
        return tuple(o.squeeze(0) for o in out)
    return out.squeeze(0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over kh x kw windows; the gradient goes to the first maximum of each window (as in torch).

    With ``return_indices`` also returns the flat index h*W + w of each maximum in its input plane.
    """
    if not isinstance(input, Tensor):
        _not_tensor("max_pool2d", input)
    x, geo, unbatched = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")
    out = _P.MaxPool2d.apply(x, geo, return_indices)
    return _unbatch(out, unbatched)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of the last dim of (N, C, L) or (C, L) input."""
    if not isinstance(input, Tensor):
        _not_tensor("max_pool1d", input)
    x, geo, unbatched = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d")
    out = _P.MaxPool2d.apply(x, geo, return_indices)
    return _unbatch(out, unbatched)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd, name):
    x, geo, unbatched = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode, nd, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    xp = _backend.array_module(x._data)
    spatial = (1,) + tuple(x.shape[2:]) if nd == 1 else tuple(x.shape[2:])
    scale = _P.avg_scale(xp, geo, spatial, count_include_pad, divisor_override, x._data.dtype)
    return _unbatch(_P.AvgPool2d.apply(x, geo, scale), unbatched)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over kh x kw windows (padding counted in the divisor unless ``count_include_pad=False``)."""
    if not isinstance(input, Tensor):
        _not_tensor("avg_pool2d", input)
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of the last dim of (N, C, L) or (C, L) input."""
    if not isinstance(input, Tensor):
        _not_tensor("avg_pool1d", input)
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def _adaptive_sizes(input, output_size, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    if isinstance(output_size, (list, tuple)):
        if len(output_size) == 1 and nd > 1:
            output_size = tuple(output_size) * nd
        if len(output_size) != nd:
            raise ValueError(f"{name}: output_size must be {nd}")
    else:
        output_size = (output_size,) * nd
    spatial = tuple(input.shape[-nd:])
    out = tuple(s if o is None else int(o) for o, s in zip(output_size, spatial))
    if any(o < 0 for o in out):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{', '.join(map(str, out))}}}")
    for i, s in enumerate(input.shape[:-nd]):
        if s == 0 and i == input.dim() - nd - 1:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(input.shape)} with dimension {i} being empty")
    return spatial, out


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size: output cell (i, j) averages input rows
    floor(i*H/Ho) .. ceil((i+1)*H/Ho) - 1 and the matching columns (windows may overlap)."""
    (h, w), (ho, wo) = _adaptive_sizes(input, output_size, 2, "adaptive_avg_pool2d")
    if (ho, wo) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    xp = _backend.array_module(input._data)
    if ho and wo and h % ho == 0 and w % wo == 0 and (h // ho) * (w // wo) <= 16:
        x = input if input.dim() == 4 else input.unsqueeze(0)
        geo = _P.PoolGeometry((h // ho, w // wo), (h // ho, w // wo), (0, 0), (1, 1), (ho, wo))
        scale = xp.full((ho, wo), 1.0 / ((h // ho) * (w // wo)), dtype=x._data.dtype)
        out = _P.AvgPool2d.named("AdaptiveAvgPool2DBackward0").apply(x, geo, scale)   # windows tile x
        return out if input.dim() == 4 else out.squeeze(0)
    ph = _P.adaptive_matrix(xp, h, ho, input._data.dtype)
    pw = _P.adaptive_matrix(xp, w, wo, input._data.dtype)
    return _P.AdaptiveAvgPool2d.apply(input, ph, pw)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of the last dim to a fixed length (see ``adaptive_avg_pool2d``)."""
    if not isinstance(input, Tensor):
        _not_tensor("adaptive_avg_pool1d", input)
    (l,), (lo,) = _adaptive_sizes(input, output_size, 1, "adaptive_avg_pool1d")
    xp = _backend.array_module(input._data)
    pw = _P.adaptive_matrix(xp, l, lo, input._data.dtype)
    return _P.AdaptiveAvgPool2d.apply(input, None, pw)


def _adaptive_max(input, output_size, return_indices, nd, name):
    """Adaptive max pooling: the argmax of each (variable) window is found on arrays
    (``pool.adaptive_max_index``), then the values are picked by ``AdaptiveMaxGather`` (its backward is in
    Tensor ops, so gradients of any order work)."""
    spatial, out = _adaptive_sizes(input, output_size, nd, name)
    x = input._data
    if nd == 1:
        x = x.reshape(x.shape[:-1] + (1,) + x.shape[-1:])
        spatial, out = (1,) + spatial, (1,) + out
    idx = _P.adaptive_max_index(_backend.array_module(input._data), x, spatial, out)
    flat = input.reshape(tuple(input.shape[:-nd]) + (-1,))
    vals = _P.AdaptiveMaxGather.apply(flat, idx.reshape(x.shape[:-2] + (out[0] * out[1],))).reshape(
        tuple(input.shape[:-nd]) + tuple(out[-nd:]))
    if return_indices:
        return vals, _T(idx.reshape(tuple(input.shape[:-nd]) + tuple(out[-nd:])))
    return vals


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (windows as in ``adaptive_avg_pool2d``)."""
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    if not isinstance(input, Tensor):
        _not_tensor("adaptive_max_pool1d", input)
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


# ---------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)/2 dims: ``pad`` = (left, right) of the last dim, then of the one before, ...

    Modes: 'constant' (``value``, default 0; negative pads crop), 'reflect', 'replicate', 'circular'.
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(nd))[::-1]      # first dim first
    if mode == "constant":
        return ConstantPad.apply(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if input.dim() not in (nd + 1, nd + 2) or nd > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    xp = _backend.array_module(input._data)
    out = input
    for k, (a, b) in enumerate(pairs):
        dim = input.dim() - nd + k
        n = input.shape[dim]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({a}, {b}) at dimension {dim} of input {list(input.shape)}")
        if mode == "circular" and (a > n or b > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if a or b:
            out = out.index_select(dim, _T(pad_index(xp, n, a, b, mode).astype(xp.int64)))
    return out


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
    return _A.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return _A.softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``: finite even where softmax underflows."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _A.log_softmax(input, dim, dtype)


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


# ---------------------------------------------------------------- dropout
def _dropout(input, p, training, inplace, mask_shape):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    xp = _backend.array_module(input._data)
    dtype = input._data.dtype
    if p == 1.0:
        mask = xp.zeros(mask_shape, dtype=dtype)
    else:
        keep = _gen(None).uniform(mask_shape, dtype, input.device) < (1.0 - p)
        mask = keep * xp.asarray(1.0 / (1.0 - p), dtype=dtype)
    m = _T(mask.astype(dtype, copy=False))
    if inplace:
        return input.mul_(m)
    return input * m


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (identity when not training).

    The mask is drawn from minitorch's global generator (``manual_seed`` makes it reproducible).
    """
    if not isinstance(input, Tensor):
        _not_tensor("dropout", input)
    return _dropout(input, p, training, inplace, tuple(input.shape))


def _channel_dropout(input, p, training, inplace, nd, name):
    dim = input.dim()
    if dim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but received a {dim}D input.")
    lead = 1 if dim == nd + 1 else 2
    shape = tuple(input.shape[:lead]) + (1,) * (dim - lead)
    return _dropout(input, p, training, inplace, shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) input with probability ``p``."""
    return _channel_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability ``p``."""
    return _channel_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _channel_dropout(input, p, training, inplace, 3, "dropout3d")


# ---------------------------------------------------------------- normalisation
def _torch_picks_cudnn(input, weight, bias, running_mean, running_var, training):
    """torch's ``_select_batch_norm_backend`` choosing cuDNN: a CUDA input of 3+ dims with weight and bias, both
    running statistics (or neither, in training), batch <= 880801 (training) / 65535 (eval), numel < 2**31 - 1,
    no bfloat16, half only with a float32 weight (eps >= CUDNN_BN_MIN_EPSILON, 0 since cuDNN 8, always holds)."""
    if input.device.type != "cuda" or weight is None or bias is None or input.dim() < 3:
        return False
    if (running_mean is None) != (running_var is None) or (running_mean is None and not training):
        return False
    if "bfloat16" in (input.dtype.name, weight.dtype.name) or (input.dtype.name == "float16"
                                                                and weight.dtype.name != "float32"):
        return False
    return input.shape[0] <= (880801 if training else 65535) and input.numel() < 2 ** 31 - 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise each channel (dim 1) of ``input``; see ``BatchNorm`` for the math.

    training: batch mean and biased variance normalise; the running statistics (when given) are updated in
    place, ``r = (1 - momentum) r + momentum * s``, with the *unbiased* variance for ``running_var``.
    (A cumulative average, ``nn.BatchNorm*(momentum=None)``, is the module passing momentum = 1/num_batches.)
    eval: the running statistics normalise.
    """
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not NoneType")
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or 3D input (got {input.dim()}D input)")
    c = input.shape[1]
    size = input.numel() // c if c else 0
    if training and size <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.size()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    xp = _backend.array_module(input._data)
    x = input._data
    fn = BatchNorm                                     # torch names the node after the kernel it would run
    if _torch_picks_cudnn(input, weight, bias, running_mean, running_var, training):
        fn = BatchNorm.named("CudnnBatchNormBackward0")
    if not training:
        mean = running_mean._data.astype(x.dtype, copy=False)
        invstd = 1.0 / xp.sqrt(running_var._data.astype(x.dtype, copy=False) + eps)
        return fn.apply(input, weight, bias, mean, invstd.astype(x.dtype, copy=False), False, eps)
    stats = []
    out = fn.apply(input, weight, bias, None, None, True, eps, stats)
    mean, var = stats[0]
    if running_mean is not None:
        rm = running_mean._data
        rm *= 1 - momentum
        rm += momentum * mean.astype(rm.dtype, copy=False)
        running_mean._vc[0] += 1
    if running_var is not None:
        rv = running_var._data
        rv *= 1 - momentum
        rv += (momentum * size / (size - 1)) * var.astype(rv.dtype, copy=False)
        running_var._vc[0] += 1
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last len(normalized_shape) dims: (x - mean) / sqrt(var + eps) * weight + bias."""
    if not isinstance(input, Tensor):
        _not_tensor("layer_norm", input)
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    n = len(normalized_shape)
    if tuple(input.shape[input.dim() - n:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    axes = tuple(range(input.dim() - n, input.dim()))
    mean = input.mean(axes, keepdim=True)
    d = input - mean
    y = d * ((d * d).mean(axes, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise each group of C/num_groups channels over its channels and spatial dims."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    d = x - mean
    y = (d * ((d * d).mean(-1, keepdim=True) + eps).rsqrt()).reshape(input.shape)
    shape = (1, c) + (1,) * (input.dim() - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


@out_arg("div", position=4)                   # torch computes it as div(input, denom, out=out)
def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / max(||x1|| ||x2||, eps) along ``dim``."""
    n1 = (x1 * x1).sum(dim)
    n2 = (x2 * x2).sum(dim)
    return (x1 * x2).sum(dim) / (n1 * n2).clamp_min(eps * eps).sqrt()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dim."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


# ---------------------------------------------------------------- shapes, encodings, lookups
def flatten(input, start_dim=0, end_dim=-1):
    """``torch.flatten``: merge dims start_dim..end_dim into one."""
    return _S.flatten(input, start_dim, end_dim)


def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dim of size ``num_classes`` holding 1 at each index, 0 elsewhere."""
    if not isinstance(tensor, Tensor):
        _not_tensor("one_hot", tensor)
    if tensor._data.dtype != int64.np:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = _backend.array_module(tensor._data)
    t = tensor._data
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if int(t.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(t.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _T((t[..., None] == xp.arange(num_classes)).astype(xp.int64))


@defaults_only(sparse=FALSE)                      # sparse gradients: not supported
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; ``padding_idx``'s row gets no gradient.

    ``max_norm`` renormalises (in place, without gradient) the picked rows whose ``norm_type``-norm exceeds it.
    """
    if not isinstance(input, Tensor):
        _not_tensor("embedding", input, "indices", 2)
    if not isinstance(weight, Tensor):
        _not_tensor("embedding", weight, "weight", 1)
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    if input._data.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    idx = input._data.astype(int64.np, copy=False)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        xp = _backend.array_module(weight._data)
        rows = xp.unique(idx.reshape(-1))
        w = weight._data
        norms = (xp.abs(w[rows]) ** norm_type).sum(-1) ** (1.0 / norm_type)
        over = norms > max_norm
        if over.any():
            w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
            weight._vc[0] += 1
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


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


def _class_index_checks(input, target, weight, name):
    """torch's checks for class-index targets, in torch's order: batch size, dims, dtype, weight size."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    kind = target._data.dtype
    if input.dim() == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if kind != int64.np and kind != uint8.np:
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype._legacy[:-6]}")
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
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype._legacy[:-6]}")
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
    if not isinstance(input, Tensor):
        _not_tensor("cross_entropy_loss", input)
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if tuple(target.shape) == tuple(input.shape):                 # same shape: class probabilities
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{target.dtype._legacy[:-6]}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _class_index_checks(input, target, weight, "cross_entropy")
    if input._data.dtype.kind != "f":                  # torch's log_softmax over dim 1: the last dim of (N, C)
        kernel = "log_softmax_lastdim_kernel_impl" if input._data.ndim <= 2 else "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype._legacy[:-6]}'")
    op = _L.CrossEntropy.named("NllLoss2DBackward0") if input.dim() > 2 else _L.CrossEntropy
    return op.apply(input, target._data, _weight_array(weight, input), ignore_index, reduction,
                                 float(label_smoothing))


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input.dim() == 1 else 1
    c = input.shape[class_dim]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    logp = _A.log_softmax(input, class_dim)
    t = target
    if label_smoothing > 0:
        t = t * (1 - label_smoothing) + (label_smoothing / c if c else 0.0)     # (no classes: nothing to add to)
    prod = logp * t
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = c
        prod = prod * weight.reshape(shape)
    loss = -prod.sum(class_dim)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    n = input.numel() // c if c else 0
    return loss.sum() / n


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...) at class indices ``target``."""
    if not isinstance(input, Tensor):
        _not_tensor("nll_loss_nd", input)
    reduction = _reduction(size_average, reduce, reduction)
    _class_index_checks(input, target, weight, "nll_loss")
    if input._data.dtype.kind != "f":
        kernel = "nll_loss_out_frame" if input._data.ndim <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype._legacy[:-6]}'")
    op = _L.NllLoss.named("NllLoss2DBackward0") if input.dim() > 2 else _L.NllLoss
    return op.apply(input, target._data, _weight_array(weight, input), ignore_index, reduction)


def _dtype_mismatch(input, target):
    """torch's error of the losses whose kernels take one dtype (binary_cross_entropy)."""
    if isinstance(target, Tensor) and target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy[:-6]} but expected {input.dtype._legacy[:-6]}")


_LOSS_KERNELS = {_L.MseLoss: "mse_cpu", _L.SmoothL1Loss: "smooth_l1_cpu", _L.HuberLoss: "huber_cpu"}


def _pointwise_loss(cls, input, target, reduction, weight, *params):
    if cls is not _L.HuberLoss and isinstance(target, Tensor) and target.dtype != input.dtype:
        input, target = _promote(input, target)        # torch computes in the common dtype (float64 wins)
    if input._data.dtype.kind != "f" and cls in _LOSS_KERNELS:     # torch's kernels are float-only
        if isinstance(target, Tensor) and target._data.dtype.kind == "f":      # huber: no promotion, a cast
            raise RuntimeError(f"result type {target.dtype._legacy[:-6]} can't be cast to the desired output "
                               f"type {input.dtype._legacy[:-6]}")
        raise NotImplementedError(f"\"{_LOSS_KERNELS[cls]}\" not implemented for '{input.dtype._legacy[:-6]}'")
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
    reduction = _reduction(size_average, reduce, reduction)
    return _pointwise_loss(_L.MseLoss, input, target, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of |input - target|."""
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
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    return _pointwise_loss(_L.SmoothL1Loss, input, target, reduction, None, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere."""
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise_loss(_L.HuberLoss, input, target, reduction, weight, float(delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w (t log x + (1 - t) log(1 - x)) for probabilities x in [0, 1]; logs clamped at -100 as in torch."""
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for '{input.dtype._legacy[:-6]}'")
    _dtype_mismatch(input, target)
    if weight is not None:
        _S._broadcast_shape(weight.shape, input.shape)
    return _L.BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input) computed from the logits without overflow;
    ``pos_weight`` multiplies the loss of the positive class."""
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if target._data.dtype.kind != "f" and input._data.dtype.kind == "f":     # the loss cannot be written as an int
        raise RuntimeError(f"result type {input.dtype._legacy[:-6]} can't be cast to the desired output type "
                           f"{target.dtype._legacy[:-6]}")
    if input._data.dtype.kind != "f":            # torch's formula runs logsigmoid(input): a float-only kernel
        _check_float(input, "log_sigmoid")
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None and t._requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not differentiable with "
                               f"respect to argument '{name}'. This input cannot have requires_grad True.")
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


