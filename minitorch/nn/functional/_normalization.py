"""``nn.functional``'s normalisations and distances (batch norm's work: ``minitorch/ops/normalization.py``;
the rest are Tensor-op compositions)."""
from ... import _backend
from ...tensor import Tensor, _not_tensor
from ...ops._out import out_arg
from ...ops.normalization import BatchNorm


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
