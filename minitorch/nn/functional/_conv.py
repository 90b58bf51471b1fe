"""``nn.functional``'s linear layers and convolutions (the work: ``minitorch/ops/conv.py``;
``linear`` itself is ``minitorch/ops/linear.py``)."""
from ...tensor import Tensor, _not_tensor
from ...ops import conv as _C
from ._args import _ntuple


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
