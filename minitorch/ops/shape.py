"""Shape ops: broadcasting, views (reshape, transpose, permute, expand, squeeze, ...), devices.

Joining and splitting (cat, stack, split, ...) live in ops/join.py.

Views share memory with their input, as in torch; their backward only
rearranges the gradient back into the input's shape.
"""
import builtins
import operator

from .. import _backend
from ..autograd.function import Function
from .._args import defaults_only, MEMORY_FORMAT
from .._dtype import as_dtype
from ..tensor import Tensor, Size, _wrap_dim, _not_tensor, _check_tensors
from ._fast import broadcast_view

_T = Tensor._from_array


def _shape_args(shape):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return tuple(operator.index(s) for s in shape)     # a float size is refused, never truncated
    except TypeError:
        i, bad = next((i, s) for i, s in enumerate(shape) if not _is_index(s))
        raise TypeError(f"argument 'size' must be tuple of ints, but found element of type "
                        f"{type(bad).__name__} at pos {i}") from None


def _is_index(s):
    try:
        operator.index(s)
        return True
    except TypeError:
        return False


# ---------------------------------------------------------------- broadcasting, undone in one place
class SumToShape(Function):
    """y = x summed over the dims along which ``shape`` was broadcast to x's shape.   dy/dx: expand back."""
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                         if s == 1 and x.shape[i + lead] != 1)
        y = x.sum(axis=axes, keepdims=True) if axes else x
        return y.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return expand(grad, ctx.in_shape), None


def sum_to_shape(t, shape):
    """Sum ``t`` down to ``shape``, the inverse of broadcasting ``shape`` up to ``t.shape``."""
    shape = tuple(shape)
    if t._data.shape == shape:
        return t
    lead = t._data.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != ts for s, ts in zip(shape, t._data.shape[lead:])):
        raise ValueError(f"shape {list(shape)} cannot be broadcast to {list(t._data.shape)}")
    return SumToShape.apply(t, shape)


def sum_to_size(input, *size):
    return sum_to_shape(input, _shape_args(size))


class Expand(Function):
    """y = x broadcast to a larger shape (a view).   dL/dx = dL/dy summed back to x's shape."""
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return broadcast_view(ctx.xp, x, shape)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(grad, ctx.in_shape), None


def expand(input, *sizes):
    """A broadcast view of ``input`` with the given sizes (-1 keeps a dimension)."""
    sizes = _shape_args(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError(f"expand({input.type()}{{{list(input.shape)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({input._data.ndim})")
    lead = len(sizes) - input._data.ndim
    shape = []
    for i, s in enumerate(sizes):
        if s == -1:
            if i < lead:
                raise RuntimeError("The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            s = input._data.shape[i - lead]
        elif i >= lead and input._data.shape[i - lead] not in (1, s):
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({input._data.shape[i - lead]}) at non-singleton dimension {i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(input._data.shape)}")
        shape.append(s)
    shape = tuple(shape)
    if shape == input._data.shape:
        return Expand.apply(input, shape) if input._requires_grad else _view_of(input, input._data)
    return Expand.apply(input, shape)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    if not isinstance(input, Tensor):
        _not_tensor("broadcast_to", input)
    return expand(input, shape)


def broadcast_shapes(*shapes):
    """The shape that all ``shapes`` broadcast to (torch.broadcast_shapes)."""
    try:
        return _broadcast_shape(*shapes)
    except RuntimeError:
        ndim = builtins.max(len(s) for s in shapes)
        out = [1] * ndim
        for k, s in enumerate(shapes):
            for i, d in enumerate(s):
                j = ndim - len(s) + i
                if d != 1 and out[j] not in (1, d):
                    raise RuntimeError(f"Attempting to broadcast a dimension of length {d} at {j - ndim}! "
                                       f"Mismatching argument at index {k} had {tuple(s)}; but expected shape "
                                       f"should be broadcastable to {out}") from None
                if out[j] == 1:
                    out[j] = d
        raise


def _broadcast_shape(*shapes):
    """The shape that all ``shapes`` broadcast to, or torch's error of an op broadcasting its operands
    (RuntimeError "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1":
    a is the shape of the operands before, b the operand that does not fit)."""
    ndim = builtins.max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, d in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = d
            elif d != 1 and d != out[j]:
                raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor b ({d}) at "
                                   f"non-singleton dimension {j}")
    return Size(out)


def broadcast_tensors(*tensors):
    _check_tensors("broadcast_tensors", tensors)
    shape = _broadcast_shape(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


def _view_of(t, arr):
    v = _T(arr)
    v._vc = t._vc
    v._base = t._base if t._base is not None else t
    return v


# ---------------------------------------------------------------- reshaping views
class Reshape(Function):
    """y = x with a new shape (same elements, row-major order).   dL/dx = dL/dy reshaped back."""
    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return reshape(grad, ctx.in_shape), None

    @staticmethod
    def array_backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class ReshapeCopy(Reshape):
    """reshape of a non-contiguous tensor that no view can express: a copy, as torch makes."""
    node_name = "UnsafeViewBackward0"
    is_view = False


def _infer_shape(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
            known *= s
    if neg:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {shape} because the unspecified "
                               "dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def reshape(input, *shape):
    """The same elements in a new shape (a view when possible, else a copy); one size may be -1."""
    if not isinstance(input, Tensor):
        _not_tensor("reshape", input)
    shape = _infer_shape(_shape_args(shape), input._data.size)
    arr = input._data
    if shape == arr.shape and not input._requires_grad:
        return _view_of(input, arr)
    if arr.flags.c_contiguous:
        return Reshape.apply(input, shape)
    if _backend.can_view(arr, shape):
        return Reshape.named("ReshapeAliasBackward0").apply(input, shape)   # torch's _reshape_alias
    return ReshapeCopy.apply(input, shape)


def view(input, *shape):
    """A view with a new shape; fails, as torch's does, when the memory layout cannot express it."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        dt = as_dtype(shape[0])
        return _view_of(input, input._data.view(dt.np))
    shape = _infer_shape(_shape_args(shape), input._data.size)
    if not input._data.flags.c_contiguous and not _backend.can_view(input._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return Reshape.apply(input, shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one."""
    if not isinstance(input, Tensor):
        _not_tensor("flatten", input)
    nd = input._data.ndim
    if nd == 0:
        _wrap_dim(start_dim, 0), _wrap_dim(end_dim, 0)      # a 0-d tensor has one dim to name: 0 (or -1)
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input                            # nothing to merge: torch returns the tensor itself
    shp = input._data.shape
    n = 1
    for d in shp[s:e + 1]:
        n *= d
    return reshape(input, shp[:s] + (n,) + shp[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1): a view."""
    d = _wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    sizes = _infer_shape(tuple(sizes), shp[d]) if shp else tuple(sizes)
    return view(input, shp[:d] + sizes + shp[d + 1:])


def ravel(input):
    """All elements as a 1-D tensor (a view of a contiguous tensor, else of a contiguous copy)."""
    if not isinstance(input, Tensor):
        _not_tensor("ravel", input)
    return view(contiguous(input), (-1,))


class Squeeze(Function):
    """y = x without some size-1 dims (always a view).   dL/dx = dL/dy reshaped back."""
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)              # adding or dropping size-1 dims never needs a copy

    @staticmethod
    def backward(ctx, grad):
        return reshape(grad, ctx.in_shape), None


class _AllDims:
    """squeeze's default: every size-1 dim (an explicit ``None`` is refused, as torch refuses it)."""
    __slots__ = ()

    def __repr__(self):
        return "<all dims>"


_ALL_DIMS = _AllDims()


def squeeze(input, dim=_ALL_DIMS):
    """Remove size-1 dims (all of them, or only ``dim`` — an int or a tuple — when it has size 1)."""
    if not isinstance(input, Tensor):
        _not_tensor("squeeze", input)
    shp = input._data.shape
    if dim is None:
        raise TypeError("squeeze() received an invalid combination of arguments - got (Tensor, NoneType), but "
                        "expected one of:\n * (Tensor input)\n * (Tensor input, int dim)\n * (Tensor input, tuple "
                        "of ints dim)\n")
    if dim is _ALL_DIMS:
        fn, new = Squeeze, tuple(s for s in shp if s != 1)
    else:
        if isinstance(dim, (tuple, list)):
            fn, dims = Squeeze.named("SqueezeBackward2"), [_wrap_dim(d, len(shp)) for d in dim]
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"dim {next(d for d in dims if dims.count(d) > 1)} appears multiple times in "
                                   "the list of dims")
        else:
            fn, dims = Squeeze.named("SqueezeBackward1"), [_wrap_dim(dim, len(shp))]
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    return fn.apply(input, new)


def unsqueeze(input, dim):
    """Insert a size-1 dim at position ``dim``."""
    if not isinstance(input, Tensor):
        _not_tensor("unsqueeze", input)
    nd = input._data.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    if dim < 0:
        dim += nd
    shp = input._data.shape
    return Squeeze.named("UnsqueezeBackward0").apply(input, shp[:dim] + (1,) + shp[dim:])


class Permute(Function):
    """y = x with dims reordered (a view).   dL/dx = dL/dy with the inverse order."""
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return permute(grad, inv), None


def permute(input, *dims):
    """Reorder dimensions: ``permute(2, 0, 1)``."""
    if not isinstance(input, Tensor):
        _not_tensor("permute", input)
    dims = _shape_args(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
                           f"to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


Transpose = Permute.named("TransposeBackward0")   # two dims swapped
T = Permute.named("TBackward0")                   # a matrix transposed (a 0-d or 1-d tensor as it is)


def transpose(input, dim0, dim1):
    """Swap two dimensions."""
    nd = input._data.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    if not nd:                                       # a 0-d tensor: dim 0 (or -1) names it; nothing to swap
        return Transpose.apply(input, ())
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Transpose.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    if not isinstance(input, Tensor):
        _not_tensor("t", input)
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return T.apply(input, (1, 0) if nd == 2 else tuple(range(nd)))


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [_wrap_dim(s, nd) for s in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [_wrap_dim(d, nd) for d in (destination if isinstance(destination, (tuple, list)) else [destination])]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


class Contiguous(Function):
    """y = a row-major copy of x.   dL/dx = dL/dy."""
    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return ctx.xp.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


@defaults_only(memory_format=MEMORY_FORMAT)
def contiguous(input, memory_format=None):
    """``input`` itself when already row-major, else a row-major copy."""
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


class Clone(Function):
    """y = a copy of x.   dL/dx = dL/dy."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


@defaults_only(memory_format=MEMORY_FORMAT)
def clone(input, memory_format=None):
    """A copy with its own memory, recorded on the tape."""
    if not isinstance(input, Tensor):
        _not_tensor("clone", input)
    return Clone.apply(input)


# ---------------------------------------------------------------- devices
class ToDevice(Function):
    """y = x copied to another device.   dL/dx = dL/dy copied back."""
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = _backend.device_of(x)
        return _backend.to_device(x, dev)

    @staticmethod
    def backward(ctx, grad):
        return _to_device(grad, ctx.src), None


def _to_device(t, dev):
    if t.device == dev:
        return t
    return ToDevice.apply(t, dev)


