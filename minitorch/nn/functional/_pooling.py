"""``nn.functional``'s pooling and padding (the work: ``minitorch/ops/pool.py`` and ``padding.py``)."""
from ... import _backend
from ...tensor import Tensor, _not_tensor
from ...ops import pool as _P
from ...ops.padding import ConstantPad, pad_index
from ._args import _T, _ntuple


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
