"""Joining and splitting ops: cat, stack, hstack/vstack, narrow, split, chunk, tensor_split, unbind, flip, repeat.

Split from ops/shape.py (views and broadcasting). ``narrow``, ``split`` and ``unbind`` give views, as in torch;
``cat``, ``stack``, ``flip`` and ``repeat`` copy.
"""
import builtins

from ..autograd.function import Function
from ._out import out_arg
from .._dtype import result_type
from ..tensor import Tensor, _wrap_dim, _not_tensor, _check_tensors
from ._common import _cast
from .shape import _shape_args, contiguous, expand, reshape, unsqueeze

_T = Tensor._from_array


# ---------------------------------------------------------------- joining and splitting
class Cat(Function):
    """y = the inputs joined along ``dim``.   dL/dx_i = the slice of dL/dy where x_i went."""

    @staticmethod
    def forward(ctx, dim, skip, *xs):
        """``skip``: per input, whether it is a legacy empty 1-D tensor that takes no part (None: none is)."""
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [None if skip and skip[i] else x.shape[dim] for i, x in enumerate(xs)]
        if skip:
            kept = [x for x, s in zip(xs, skip) if not s]
            if not kept:                      # only empty 1-D tensors: torch returns one of them (a copy)
                return xs[0].copy()
            xs = kept
        return ctx.xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out, start = [None, None], 0
        for n in ctx.sizes:
            if n is None:                     # a skipped empty input: an empty gradient
                out.append(grad.new_zeros((0,)))
                continue
            out.append(Narrow.apply(grad, ctx.dim, start, n))
            start += n
        return tuple(out)


@out_arg("cat", "cat")
def cat(tensors, dim=0):
    """Concatenate tensors along an existing dimension (all other sizes must match)."""
    _check_tensors("cat", tensors)
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    rt = result_type(*[t for t in tensors if t._data.ndim]) if any(t._data.ndim for t in tensors) else tensors[0].dtype
    for i, x in enumerate(tensors):
        if not x._data.ndim:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    # torch skips legacy empty 1-d tensors of size 0 (they still take part in the dtype and in autograd)
    skip = [t._data.shape == (0,) for t in tensors]
    kept = [t for t, s in zip(tensors, skip) if not s]
    if not builtins.any(skip):
        skip = None
    ref = kept[0] if kept else tensors[0]
    nd = ref._data.ndim
    d = _wrap_dim(dim, nd) if kept else 0
    for i, x in enumerate(tensors):
        if skip and skip[i]:
            continue
        if x._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {x._data.ndim}")
        for k in range(nd):
            if k != d and x._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {x._data.shape[k]} for tensor number {i} "
                                   f"in the list.")
    tensors = [_cast(x, rt) for x in tensors]
    return Cat.apply(d, skip, *tensors)


concat = concatenate = cat


class Stack(Function):
    """y = the inputs joined along a new dim ``dim``.   dL/dx_i = dL/dy[..., i, ...] (``unbind``)."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return ctx.xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(unbind(grad, ctx.dim))


@out_arg("stack", "cat")
def stack(tensors, dim=0):
    """Join tensors of equal shape along a new dimension."""
    _check_tensors("stack", tensors)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shp = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != shp:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 and "
                               f"{list(x._data.shape)} at entry {i}")
    nd = len(shp) + 1
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim + nd if dim < 0 else dim
    if builtins.any(x._data.dtype != tensors[0]._data.dtype for x in tensors):
        rt = result_type(*tensors)
        tensors = [_cast(x, rt) for x in tensors]
    return Stack.apply(d, *tensors)


def _atleast_1d(x):
    return reshape(x, (1,)) if x._data.ndim == 0 else x


@out_arg("cat", "cat")
def hstack(tensors):
    """Join horizontally: along dim 1 (dim 0 for 1-D tensors)."""
    _check_tensors("hstack", tensors)
    tensors = [_atleast_1d(x) for x in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


@out_arg("cat", "cat")
def vstack(tensors):
    """Join vertically: along dim 0, 1-D tensors becoming rows."""
    _check_tensors("vstack", tensors)
    return cat([x if x.dim() > 1 else reshape(x, (1, -1)) for x in tensors], 0)


class Narrow(Function):
    """y = x[..., start:start+length, ...] along ``dim`` (a view).   dL/dx = dL/dy placed back in zeros."""
    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, start, length):
        ctx.in_shape, ctx.dim, ctx.start, ctx.length = x.shape, dim, start, length
        idx = (slice(None),) * dim + (slice(start, start + length),)
        return x[idx]

    @staticmethod
    def backward(ctx, grad):
        from .index import pad_slice     # index -> inplace -> reduce -> this module: imported when first needed
        return pad_slice(grad, ctx.in_shape, ctx.dim, ctx.start), None, None, None


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim)
    if start < 0:
        start += input._data.shape[d]
    if start < 0 or start + length > input._data.shape[d]:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({input._data.shape[d]}).")
    return Narrow.apply(input, d, start, length)


class Split(Function):
    """ys = x cut along ``dim`` into pieces of the given sizes (views).   dL/dx = the pieces' gradients joined."""
    is_view = True

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        out, start = [], 0
        for n in sizes:
            out.append(x[(slice(None),) * dim + (slice(start, start + n),)])
            start += n
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None


SplitWithSizes = Split.named("SplitWithSizesBackward0")   # ``split`` with a list of sizes


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size`` along ``dim`` (the last may be smaller), or into the given sizes."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0 or (size == 0 and n):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
                               if size == 0 else f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] if n else [0]
        return Split.apply(tensor, sizes, d)
    sizes = list(split_size_or_sections)
    if builtins.sum(sizes) != n or builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                           f"at dimension {d}), but got split_sizes={sizes}")
    return SplitWithSizes.apply(tensor, sizes, d)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` nearly equal pieces along ``dim``."""
    if not isinstance(input, Tensor):
        _not_tensor("chunk", input)
    if not input._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n == 0:                  # torch keeps the number of chunks: that many empty pieces
        return SplitWithSizes.apply(input, [0] * chunks, d)
    return split(input, -(-n // chunks), dim)


def tensor_split(input, indices_or_sections, dim=0):
    if not isinstance(input, Tensor):
        _not_tensor("tensor_split", input)
    if not input._data.ndim:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + list(indices_or_sections) + [n]
        sizes = [builtins.max(0, builtins.min(b, n) - builtins.min(a, n)) for a, b in zip(bounds, bounds[1:])]
    out, start = [], 0
    for s in sizes:
        out.append(Narrow.apply(input, d, start, s))
        start += s
    return tuple(out)


class Unbind(Function):
    """ys = the slices of x along ``dim`` (views, that dim removed).   dL/dx = the slices' gradients stacked."""
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return tuple(x[(slice(None),) * dim + (i,)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of tensors with that dim removed."""
    if not isinstance(input, Tensor):
        _not_tensor("unbind", input)
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, input._data.ndim)
    return Unbind.apply(input, d) if input._data.shape[d] else ()


class Flip(Function):
    """y = x with the order of elements reversed along ``dims`` (a copy).   dL/dx = dL/dy flipped back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.xp.ascontiguousarray(ctx.xp.flip(x, dims)) if dims else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return flip(grad, ctx.dims), None


def flip(input, dims):
    """Reverse the order of elements along ``dims`` (a tuple or list of ints; the method also takes
    ``x.flip(0)`` and ``x.flip(0, 1)``)."""
    if not isinstance(input, Tensor):
        _not_tensor("flip", input)
    nd = input._data.ndim
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}")
    axes = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return Flip.apply(input, axes if nd else ())


def _flip_method(self, *dims, **kwargs):
    """``x.flip(0)``, ``x.flip(0, 1)``, ``x.flip((0, 1))``, ``x.flip(dims=...)``."""
    if kwargs or (len(dims) == 1 and isinstance(dims[0], (tuple, list))):
        return flip(self, *dims, **kwargs)
    return flip(self, dims)


class Repeat(Function):
    """y = x tiled ``sizes[i]`` times along each dim.   dL/dx = the sum of dL/dy over the copies."""

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.in_shape, ctx.sizes = x.shape, sizes
        return ctx.xp.tile(x, sizes)

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum as _sum     # ops/reduce imports this module: imported when first needed
        sizes, shp = ctx.sizes, (1,) * (len(ctx.sizes) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        inter = []
        for r, s in zip(sizes, shp):
            inter += [r, s]
        g = _sum(reshape(grad, tuple(inter)), tuple(range(0, 2 * len(sizes), 2)))
        return reshape(g, ctx.in_shape), None


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim (torch's ``repeat``; extra sizes add leading dims)."""
    sizes = _shape_args(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    if builtins.any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(sizes)}: {list(sizes)}")
    return Repeat.apply(input, sizes)


def tile(input, dims):
    """``repeat``, with missing leading sizes taken as 1."""
    dims = tuple(dims)
    return repeat(input, *((1,) * (input.dim() - len(dims)) + dims))


def repeat_interleave(input, repeats, dim=None):
    if not isinstance(input, Tensor):
        _not_tensor("repeat_interleave", input)
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = _wrap_dim(dim, input._data.ndim)
    x = unsqueeze(input, d + 1)
    shp = list(x._data.shape)
    shp[d + 1] = repeats
    x = expand(x, shp)
    out_shape = list(input._data.shape)
    out_shape[d] *= repeats
    return reshape(contiguous(x), out_shape)
