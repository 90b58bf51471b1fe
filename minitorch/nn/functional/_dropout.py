"""``nn.functional``'s dropouts: masks drawn from minitorch's global generator."""
from ... import _backend
from ...tensor import Tensor, _not_tensor
from ...creation import _gen
from ._args import _T


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
