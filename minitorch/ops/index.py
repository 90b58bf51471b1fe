"""Indexing: ``x[key]``, ``x[key] = v``, index_select, masked_select, gather, scatter, nonzero.

A key may mix ints, slices (with steps), ``None``, ``...``, integer index
tensors, bool masks and lists, with numpy's (= torch's) semantics. Basic keys
(no index tensors) give views; advanced keys give copies.
"""
from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim

_T = Tensor._from_array


def _convert_key(key):
    """Replace tensors in an index key by their arrays; report whether the key is basic (view-making)."""
    if not isinstance(key, tuple):
        key = (key,)
    out, basic = [], True
    for k in key:
        if isinstance(k, Tensor):
            a = k._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.ndim == 0 and a.dtype.kind in "iu":
                k = int(a)
            else:
                k, basic = a, False
        elif isinstance(k, (list, range)):
            k, basic = _backend.numpy.asarray(k), False
        elif isinstance(k, bool):
            basic = False
        elif k is not None and k is not Ellipsis and not isinstance(k, (int, slice)):
            if hasattr(k, "__index__"):
                k = k.__index__()
            elif _backend.is_array(k):
                basic = False
            else:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                 "Variables are valid indices (got " + type(k).__name__ + ")")
        if isinstance(k, slice) and k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero")
        out.append(k)
    return tuple(out), basic


def _match_device(key, xp):
    """Index arrays must live where the data does."""
    if xp is _backend.numpy:
        return tuple(_backend.to_numpy(k) if _backend.is_array(k) else k for k in key)
    return tuple(xp.asarray(k) if _backend.is_array(k) else k for k in key)


class Index(Function):
    """y = x[key] for an advanced key (a copy).   dL/dx = zeros with dL/dy added at key (repeats add up)."""
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.in_shape = key, x.shape
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexAddIntoZeros.apply(grad, ctx.key, ctx.in_shape, False), None


class Slice(Index):
    """y = x[key] for a basic key (a view).   dL/dx = zeros with dL/dy written at key."""
    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def backward(ctx, grad):
        return IndexAddIntoZeros.apply(grad, ctx.key, ctx.in_shape, True), None


class Select(Slice):
    """y = x[i] (a view)."""
    node_name = "SelectBackward0"
    is_view = True


class IndexAddIntoZeros(Function):
    """y = zeros(shape); y[key] += g.   dL/dg = dL/dy[key]."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, key, shape, basic):
        xp = ctx.xp
        ctx.key, ctx.basic = key, basic
        out = xp.zeros(shape, dtype=g.dtype)
        if basic:
            out[key] = g
        else:
            _add_at(xp, out, key, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return getitem(grad, ctx.key), None, None, None


def _add_at(xp, out, key, values):
    """out[key] += values, where repeated indices accumulate."""
    if xp is _backend.numpy:
        xp.add.at(out, key, values)
    else:
        import cupyx
        cupyx.scatter_add(out, key, values)


def pad_slice(grad, shape, dim, start):
    """Zeros of ``shape`` with ``grad`` placed at ``start`` along ``dim`` (the backward of ``narrow``)."""
    key = (slice(None),) * dim + (slice(start, start + grad._data.shape[dim]),)
    return IndexAddIntoZeros.apply(grad, key, shape, True)


def getitem(input, key):
    """``input[key]``."""
    key, basic = _convert_key(key)
    key = _match_device(key, _backend.array_module(input._data))
    if basic:
        if len(key) == 1 and isinstance(key[0], int):
            n = input._data.shape[0] if input._data.ndim else None
            if n is None:
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
            if not -n <= key[0] < n:
                raise IndexError(f"index {key[0]} is out of bounds for dimension 0 with size {n}")
            return Select.apply(input, key)
        return Slice.apply(input, key)
    try:
        return Index.apply(input, key)
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None


class IndexPut(Function):
    """y = x with y[key] = v (written into x's memory).   dL/dx = dL/dy with key zeroed;  dL/dv = dL/dy[key]."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, key, accumulate):
        ctx.key, ctx.accumulate = key, accumulate
        if accumulate:
            _add_at(ctx.xp, x, key, v)
        else:
            x[key] = v
        return x

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad if ctx.accumulate else index_put(grad, ctx.key, 0.0)
        if need[1]:
            gv = getitem(grad, ctx.key)
        return gx, gv, None, None


def index_put(input, key, value, accumulate=False):
    """A copy of ``input`` with ``value`` written (or added, when ``accumulate``) at ``key``."""
    from ..creation import tensor
    key, _ = _convert_key(key)
    xp = _backend.array_module(input._data)
    key = _match_device(key, xp)
    if not isinstance(value, Tensor):
        value = tensor(value, dtype=input.dtype, device=input.device)
    elif value.dtype != input.dtype:
        value = value.to(input.dtype)
    return IndexPut.apply(clone_for_write(input), value, key, accumulate)


def clone_for_write(t):
    from .shape import clone
    return clone(t)


def setitem(input, key, value):
    """``input[key] = value`` in place; recorded on the tape when input or value requires grad."""
    from ..creation import tensor
    from .inplace import check_inplace, commit_inplace
    key, _ = _convert_key(key)
    xp = _backend.array_module(input._data)
    key = _match_device(key, xp)
    if isinstance(value, Tensor):
        if value.device != input.device and value._data.ndim:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{value.device} and {input.device}!")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    recording = check_inplace(input, value)
    if not recording:
        v = value._data if isinstance(value, Tensor) else value
        if _backend.is_array(v) and not isinstance(v, type(input._data)):
            v = _backend.to_device(v, input.device)
        try:
            input._data[key] = v
        except ValueError as e:
            raise RuntimeError(str(e)) from None
        input._vc[0] += 1
        return
    if not isinstance(value, Tensor):
        value = tensor(value, dtype=input.dtype, device=input.device)
    out = IndexPut.apply(input, value, key, False)
    commit_inplace(input, out)


def index_select(input, dim, index):
    """The entries of ``input`` at positions ``index`` (a 1-D int tensor) along ``dim``."""
    d = _wrap_dim(dim, input._data.ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    key = (slice(None),) * d + (index._data.reshape(-1),)
    out = Index.apply(input, key)
    return out


def masked_select(input, mask):
    """The elements of ``input`` where the bool ``mask`` (broadcast to its shape) is True, as a 1-D tensor."""
    from .shape import broadcast_tensors
    if mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    x, m = broadcast_tensors(input, mask)
    return Index.apply(x, (m._data,))


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` is True."""
    from .elementwise import where, _scalar_tensor
    if mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if not isinstance(value, Tensor):
        value = _scalar_tensor(value, input)
    return where(mask, value.to(input.dtype), input)


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] (along ``dim``).   dL/dx = zeros with dL/dy added at index."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.in_shape = dim, index, x.shape
        return ctx.xp.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return scatter_add(grad.new_zeros(ctx.in_shape), ctx.dim, _T(ctx.index), grad), None, None


def gather(input, dim, index, *, sparse_grad=False):
    """Pick values along ``dim`` at ``index`` (an int64 tensor with input's number of dims)."""
    d = _wrap_dim(dim, input._data.ndim)
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if index._data.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(input._data.ndim):
        if k != d and index._data.shape[k] > input._data.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index.shape)} to be "
                               f"smaller than self {list(input.shape)} apart from dimension {d}")
    idx = index._data
    if idx.shape[:d] + idx.shape[d + 1:] != input._data.shape[:d] + input._data.shape[d + 1:]:
        key = tuple(slice(0, s) if k != d else slice(None) for k, s in enumerate(idx.shape))
        return Gather.apply(getitem(input, key), d, idx)
    return Gather.apply(input, d, idx)


class ScatterAdd(Function):
    """y = x; y[index[i][j]][j] += src[i][j] (along ``dim``).   dL/dx = dL/dy;  dL/dsrc = gather(dL/dy, index)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        xp = ctx.xp
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        src = src[tuple(slice(0, s) for s in index.shape)]
        grids = list(xp.indices(index.shape, sparse=True))
        grids[dim] = index
        _add_at(xp, out, tuple(grids), src)
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
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        if not _backend.is_array(src):
            src = xp.full(index.shape, src, dtype=x.dtype)
        src = src[tuple(slice(0, s) for s in index.shape)]
        xp.put_along_axis(out, index, src, axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = scatter(grad, ctx.dim, _T(ctx.index), 0.0) if need[0] else None
        gs = Gather.apply(grad, ctx.dim, ctx.index) if need[3] else None
        return gx, None, None, gs


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim``."""
    return ScatterAdd.apply(input, _wrap_dim(dim, input._data.ndim), index._data, src)


def scatter(input, dim, index, src=None, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written at ``index`` along ``dim``."""
    if src is None:
        src = value
    if reduce == "add":
        return scatter_add(input, dim, index, src)
    return Scatter.apply(input, _wrap_dim(dim, input._data.ndim), index._data, src)


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or a tuple of 1-D index tensors."""
    xp = _backend.array_module(input._data)
    idx = xp.nonzero(input._data) if input._data.ndim else xp.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_T(i.astype(xp.int64)) for i in idx)
    return _T(xp.stack(idx, axis=1).astype(xp.int64) if len(idx) else xp.zeros((0, 0), xp.int64))


def argwhere(input):
    return nonzero(input)


def take(input, index):
    from .shape import reshape
    return getitem(reshape(input, (-1,)), index)
