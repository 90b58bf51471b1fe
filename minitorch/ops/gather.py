"""Gathering and scattering: index_select, masked_select, masked_fill, take, gather, scatter, scatter_add, nonzero.

Split from ops/index.py (``x[key]``, ``x[key] = v``, select). These ops read or write along an index tensor or
a mask; their backward scatters (or gathers) the gradient back along the same index.
"""
from .. import _backend
from ..autograd.function import Function
from ._out import out_arg
from .._args import defaults_only, FALSE
from ..tensor import Tensor, _wrap_dim, _not_tensor
from .comparison import where
from .reduce import sum as _sum
from .shape import broadcast_tensors, reshape
from .index import Index, IndexAddIntoZeros, _add_at

_T = Tensor._from_array


class IndexSelect(Index):
    """y = x[..., index, ...] at dim ``dim`` (a copy).   dL/dx = zeros with dL/dy added at index."""
    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.in_shape = key, x.shape
        if not x.ndim:                               # a 0-d input (key ``...``): its one element, copied
            return x.copy()
        d = len(key) - 1                             # (slice(None),) * d + (idx,): torch's result is contiguous
        return ctx.xp.take(x, key[-1], axis=d)


@out_arg("index_select", "self_result")
def index_select(input, dim, index):
    """The entries of ``input`` at positions ``index`` (a 1-D int tensor) along ``dim``."""
    if not isinstance(input, Tensor):
        _not_tensor("index_select", input)
    if not isinstance(index, Tensor):
        _not_tensor("index_select", index, "index", 3)
    d = _wrap_dim(dim, input._data.ndim)
    _same_device("index_select", input, index)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    idx = index._data.reshape(-1)
    n = input._data.shape[d] if input._data.ndim else 1
    if not input._data.ndim and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    if input._data.ndim > 1 and n == 0 and idx.size:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.size and (bool((idx >= n).any()) or bool((idx < 0).any())):       # negative indices are refused too
        if input._data.ndim > 1 and d == 1:                                    # torch's dim-1 kernel says it so
            bad = int(idx[(idx >= n) | (idx < 0)][0])
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
        raise IndexError("index out of range in self")
    key = (slice(None),) * d + (idx,)
    return IndexSelect.apply(input, key if input._data.ndim else (Ellipsis,))


@out_arg("masked_select", "self_result", resize_warn=False)
def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` (broadcast with it) is True, as a 1-D tensor."""
    if not isinstance(input, Tensor):
        _not_tensor("masked_select", input)
    if mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    m, x = broadcast_tensors(mask, input)              # torch names the mask's size first in its error
    return Index.named("MaskedSelectBackward0").apply(x, (m._data,))   # dL/dx: dL/dy at the mask


class MaskedFill(Function):
    """y = x with ``value`` where ``mask`` holds.   dL/dx = dL/dy where not mask;  dL/dvalue = sum of the rest."""
    differentiable_inputs = (0,)

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        return ctx.xp.where(mask, value, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = where(mask, 0.0, grad) if need[0] else None
        gv = _sum(where(mask, grad, 0.0)) if len(need) > 2 and need[2] else None
        return gx, None, gv


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"
    differentiable_inputs = (0, 2)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype if isinstance(mask, Tensor) else type(mask).__name__}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, mask, value.to(input.dtype))
    return MaskedFill.apply(input, mask, value)


class Take(Function):
    """y = x.flatten()[index].   dL/dx = zeros with dL/dy added at index (reshaped like x)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.in_shape = index, x.shape
        return ctx.xp.take(x, index)

    @staticmethod
    def backward(ctx, grad):
        n = 1
        for s in ctx.in_shape:
            n *= s
        flat = IndexAddIntoZeros.apply(grad, (ctx.index,), (n,), False)
        return reshape(flat, ctx.in_shape), None


@out_arg("take", "take")
def take(input, index):
    """The elements of ``input`` (read as 1-D) at ``index``, in ``index``'s shape."""
    if not isinstance(input, Tensor):
        _not_tensor("take", input)
    n = input._data.size
    idx = index._data
    if idx.size and (bool((idx >= n).any()) or bool((idx < -n).any())):
        raise IndexError(f"out of range: tried to access index {int(idx.max() if (idx >= n).any() else idx.min())} "
                         f"on a tensor of {n} elements.")
    return Take.apply(input, idx)


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] (along ``dim``).   dL/dx = zeros with dL/dy added at index."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.in_shape = dim, index, x.shape
        if _scalar_case(x, index):              # a 0-d input or index: one element (output: index's shape)
            return ctx.xp.take_along_axis(x.reshape(-1), index.reshape(-1), axis=0).reshape(index.shape)
        return ctx.xp.take_along_axis(x[_region(index, dim)], index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return scatter_add(grad.new_zeros(ctx.in_shape), ctx.dim, _T(ctx.index), grad), None, None


# torch's kernel names in its device-check message ("... in method wrapper_CUDA_gather)")
_WRAPPERS = {"gather": "gather", "scatter_add": "scatter_add", "scatter": "scatter_src",
             "scatter_value": "scatter_value", "index_select": "_index_select"}


def _same_device(name, input, index):
    """torch's error when the index tensor is not on the input's device (a CPU index for a CUDA tensor too)."""
    if type(index._data) is not type(input._data) or index.device != input.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{input.device} and {index.device}! (when checking argument for argument index in "
                           f"method wrapper_CUDA_{_WRAPPERS[name]})")


def _check_index(name, input, d, index, src=None):
    """torch's checks for gather/scatter: the index on the input's device, an int64 index, same number of dims,
    sizes and values in range."""
    _same_device(name if name != "scatter" or src is not None else "scatter_value", input, index)
    if src is not None and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{'scatter' if name.startswith('scatter') else name}(): Expected self.dtype to be "
                           "equal to src.dtype")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    nd = input._data.ndim
    if index._data.ndim != nd and not (index._data.ndim <= 1 and nd <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    ishape, xshape = index._data.shape, input._data.shape
    for k in range(builtins_min(len(ishape), len(xshape))):
        if k == d:
            continue
        if ishape[k] > xshape[k] or (src is not None and ishape[k] > src._data.shape[k]):
            if name == "gather":
                raise RuntimeError(f"Size does not match at dimension {k} expected index {list(ishape)} to be "
                                   f"no larger than self {list(xshape)} apart from dimension {d}")
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(xshape)} apart from "
                               f"dimension {d} and to be no larger size than src {list(src._data.shape)}")
    if src is not None and ishape and ishape[d] > src._data.shape[d]:
        raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(xshape)} apart from "
                           f"dimension {d} and to be no larger size than src {list(src._data.shape)}")
    n = xshape[d] if xshape else 1
    idx = index._data
    if idx.size and (bool((idx >= n).any()) or bool((idx < 0).any())):
        bad = int(idx[(idx >= n) | (idx < 0)].reshape(-1)[0])
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")


builtins_min = min


@out_arg("gather", "expected")
@defaults_only(sparse_grad=FALSE)                 # sparse gradients: not supported
def gather(input, dim, index, *, sparse_grad=False):
    """Pick values along ``dim`` at ``index`` (an int64 tensor with input's number of dims)."""
    d = _wrap_dim(dim, input._data.ndim)
    _check_index("gather", input, d, index)
    return Gather.apply(input, d, index._data)


def _index_region(src, index):
    """``src`` cut to ``index``'s shape (scatter reads only that part of a larger ``src``)."""
    return src[tuple(slice(0, s) for s in index.shape)]


def _scalar_case(x, index):
    """torch's gather/scatter with a 0-d input or index (the other at most 1-d): both read as 1-d."""
    return x.ndim <= 1 and index.ndim <= 1 and (x.ndim == 0 or index.ndim == 0)


def _flat(src):
    """A scatter source as 1-d (numbers stay numbers), for ``_scalar_case``."""
    return src.reshape(-1) if _backend.is_array(src) else src


def _region(index, dim):
    """The part of the input that an index smaller than it (outside ``dim``) addresses: a basic key."""
    return tuple(slice(0, s) if k != dim else slice(None) for k, s in enumerate(index.shape))


class ScatterAdd(Function):
    """y = x; y[index[i][j]][j] += src[i][j] (along ``dim``).   dL/dx = dL/dy;  dL/dsrc = gather(dL/dy, index)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        xp = ctx.xp
        if _scalar_case(x, index):              # a 0-d input or index: one element, on 1-d views
            out = ScatterAdd.forward(ctx, x.reshape(-1), 0, index.reshape(-1), _flat(src)).reshape(x.shape)
            ctx.dim, ctx.index = dim, index
            return out
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        grids = list(xp.ix_(*[xp.arange(n) for n in index.shape]))      # open grids (cupy's indices has no sparse=)
        grids[dim] = index
        _add_at(xp, out, tuple(grids), _index_region(src, index))
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (grad if need[0] else None, None, None,
                Gather.apply(grad, ctx.dim, ctx.index) if need[3] else None)


class Scatter(Function):
    """y = x; y[index[i][j]][j] = src[i][j].   dL/dx = dL/dy zeroed at index;  dL/dsrc = gather(dL/dy, index)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        xp = ctx.xp
        if _scalar_case(x, index):              # a 0-d input or index: one element, on 1-d views
            out = Scatter.forward(ctx, x.reshape(-1), 0, index.reshape(-1), _flat(src)).reshape(x.shape)
            ctx.dim, ctx.index = dim, index
            return out
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if not _backend.is_array(src):
            src = xp.full(index.shape, src, dtype=x.dtype)
        xp.put_along_axis(out[_region(index, dim)], index, _index_region(src, index), axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = scatter(grad, ctx.dim, _T(ctx.index), 0.0) if need[0] else None
        gs = Gather.apply(grad, ctx.dim, ctx.index) if len(need) > 3 and need[3] else None
        return gx, None, None, gs


@out_arg("scatter_add", "expected")
def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``."""
    d = _wrap_dim(dim, input._data.ndim)
    _check_index("scatter_add", input, d, index, src)
    return ScatterAdd.apply(input, d, index._data, src)


@out_arg("scatter", "expected")
def scatter(input, dim, index, src=None, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written at ``index`` along ``dim``."""
    if src is None:
        src = value
    if reduce == "add":
        return scatter_add(input, dim, index, src)
    if reduce is not None:
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}"
                           if reduce not in ("multiply",) else "scatter(reduce='multiply') is not supported")
    d = _wrap_dim(dim, input._data.ndim)
    _check_index("scatter", input, d, index, src if isinstance(src, Tensor) else None)
    if isinstance(src, Tensor):
        return Scatter.apply(input, d, index._data, src.to(input.dtype))
    return Scatter.named("ScatterBackward1").apply(input, d, index._data, src)


@out_arg("nonzero", "nonzero", differentiable=False)
def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of 1-D index tensors."""
    if not isinstance(input, Tensor):
        _not_tensor("nonzero", input)
    xp = _backend.array_module(input._data)
    idx = xp.nonzero(input._data) if input._data.ndim else xp.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_T(i.astype(xp.int64)) for i in idx)
    return _T(xp.stack(idx, axis=1).astype(xp.int64) if len(idx) else xp.zeros((0, 0), xp.int64))


def argwhere(input):
    """The indices of the nonzero elements, as an (n, ndim) int64 tensor."""
    if not isinstance(input, Tensor):
        _not_tensor("argwhere", input)
    return nonzero(input)
