"""Indexing: ``x[key]``, ``x[key] = v``, index_select, masked_select, gather, scatter, nonzero.

A key may mix ints, slices (with steps), ``None``, ``...``, integer index
tensors, bool masks and lists, with numpy's (= torch's) semantics. Basic keys
(no index tensors) give views; advanced keys give copies.
"""
import functools
import re

from .. import _backend
from ..autograd.function import Function
from ._out import out_arg
from .._args import defaults_only, FALSE
from ..tensor import Tensor, _wrap_dim, _not_tensor
from ._common import _quietly
from .comparison import where
from .inplace import check_inplace, check_scalar_fits, commit_inplace, snapshot
from .reduce import sum as _sum
from .shape import broadcast_tensors, clone, reshape

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
            if k.dtype.kind not in "biu":
                if k.size:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
                k = k.astype(_backend.numpy.int64)           # [] is an empty list of indices
        elif isinstance(k, bool):
            basic = False
        elif isinstance(k, str):
            raise TypeError("new(): invalid data type 'str'")
        elif k is not None and k is not Ellipsis and not isinstance(k, (int, slice)):
            if _backend.is_array(k) and (k.ndim or k.dtype.kind == "b"):
                basic = False
            elif hasattr(k, "__index__"):
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


def _torch_order(key):
    """torch applies the ints of a key that also holds index tensors first, as selects; numpy treats them
    as index arrays, which moves dims differently (``x[0, :, [0, 1]]``). Such a key is split into the basic
    key applied first and the advanced key applied to its result; None when numpy's order is torch's."""
    if not any(type(k) is int for k in key) or any(type(k) is bool for k in key):
        return None
    basic, adv = [], []
    for k in key:
        if _backend.is_array(k):
            if k.dtype.kind == "b" and k.ndim == 0:
                return None
            basic.extend([slice(None)] * (k.ndim if k.dtype.kind == "b" else 1))
            adv.append(k)
        elif type(k) is int:
            basic.append(k)
        elif k is Ellipsis:
            basic.append(k)
            adv.append(k)
        else:                                        # a slice or None: one dim of the first result
            basic.append(k)
            adv.append(slice(None))
    return tuple(basic), tuple(adv)


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


class AdvancedIndex(Index):
    """y = x[key] for an advanced key, laid out in memory as torch lays it out (``_torch_layout``)."""
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, key):
        ctx.key, ctx.in_shape = key, x.shape
        y = x[key]
        if y.ndim < 2:
            return y
        order = _torch_layout(x, key, y.shape)
        if order is None or order == list(range(y.ndim)) and y.flags.c_contiguous:
            return y
        xp = ctx.xp
        out = xp.empty(tuple(y.shape[d] for d in order), y.dtype)     # contiguous in torch's dim order
        out = out.transpose(tuple(order.index(d) for d in range(y.ndim)))   # the inverse of order
        out[...] = y
        return out


def _torch_layout(x, key, out_shape):
    """The dim order (outermost first) of torch's result of ``x[key]``, an advanced key of slices, None,
    Ellipsis and int/bool arrays; None when not derived (then numpy's layout is kept).

    torch computes it with a TensorIterator over the source restrided to the result's shape (stride 0 over the
    index dims) and the index tensors broadcast to it: dims sorted by those operands' strides, innermost first
    (the first operand with non-zero strides at both dims decides; equal strides: the smaller dim inner).
    """
    if any(isinstance(k, bool) for k in key):
        return None
    item = x.itemsize
    shape, strides = list(x.shape), [s // item for s in x.strides]
    n_used = sum(k.ndim if _backend.is_array(k) and k.dtype.kind == "b" else 0 if k is None or k is Ellipsis else 1
                 for k in key)
    vshape, vstrides, vidx = [], [], []               # the view after the basic part; its index arrays
    d = 0
    for k in key:
        if k is Ellipsis:
            for _ in range(len(shape) - n_used):
                vshape.append(shape[d]), vstrides.append(strides[d]), vidx.append(None)
                d += 1
        elif k is None:
            vshape.append(1), vstrides.append(0), vidx.append(None)
        elif isinstance(k, slice):
            n = len(range(*k.indices(shape[d])))
            vshape.append(n), vstrides.append(strides[d] * (k.step or 1)), vidx.append(None)
            d += 1
        elif k.dtype.kind == "b":
            cols = k.nonzero()                       # torch: columns of nonzero's (n, k) result, stride k
            for c in cols:
                vshape.append(shape[d]), vstrides.append(strides[d])
                vidx.append((c.shape, (len(cols),)))
                d += 1
        else:
            vshape.append(shape[d]), vstrides.append(strides[d])
            vidx.append((k.shape, tuple(s // k.itemsize for s in k.strides)))
            d += 1
    for _ in range(d, len(shape)):
        vshape.append(shape[d]), vstrides.append(strides[d]), vidx.append(None)
        d += 1
    pos = [i for i, v in enumerate(vidx) if v is not None]
    if not pos:
        return None
    if pos != list(range(pos[0], pos[-1] + 1)):         # not adjacent: the indexed dims go first
        rest = [i for i in range(len(vidx)) if vidx[i] is None]
        perm = pos + rest
        vshape, vstrides, vidx = ([v[i] for i in perm] for v in (vshape, vstrides, vidx))
        pos = list(range(len(pos)))
    before, after = pos[0], len(vshape) - pos[-1] - 1
    idx = [vidx[i] for i in pos]
    r = len(builtins_max((s for s, _ in idx), key=len))
    rshape = [1] * r
    for s, _ in idx:
        for j, n in enumerate(s):
            jj = r - len(s) + j
            rshape[jj] = n if rshape[jj] == 1 else rshape[jj]
    full = vshape[:before] + rshape + vshape[len(vshape) - after:]
    if tuple(full) != tuple(out_shape):
        return None
    ops = [vstrides[:before] + [0] * r + vstrides[len(vstrides) - after:]]
    for s, st in idx:
        bst = [0] * (r - len(s)) + [0 if n == 1 and rshape[r - len(s) + j] != 1 else st[j] for j, n in enumerate(s)]
        ops.append([0] * before + bst + [0] * after)
    nd = len(full)

    def swap(d0, d1):
        for st in ops:
            a, b = st[d0], st[d1]
            if a == 0 or b == 0:
                continue
            if a < b:
                return -1
            if a > b:
                return 1
            if full[d0] > full[d1]:
                return 1
        return 0
    perm = list(range(nd - 1, -1, -1))                # innermost first, as TensorIterator's perm_
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm[::-1]


builtins_max = max


class Slice(Index):
    """y = x[key] for a basic key (a view).   dL/dx = zeros with dL/dy written at key."""
    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def backward(ctx, grad):
        return IndexAddIntoZeros.apply(grad, ctx.key, ctx.in_shape, True), None


Select = Slice.named("SelectBackward0")          # y = x[i]


def _basic_function(key, single, shape):
    """The node torch's chain of select/slice/unsqueeze views ends with, for a basic key.

    Slices that keep a whole dim (``:``, ``::1``, ``0:n``) make no node of their own.
    """
    if single and isinstance(key[0], slice):
        return Slice
    dims = None
    for i in range(len(key) - 1, -1, -1):
        k = key[i]
        if k is None:
            return Slice.named("UnsqueezeBackward0")   # torch's chain ends with an unsqueeze
        if isinstance(k, int):
            return Select
        if isinstance(k, slice) and k != _FULL:
            if dims is None:
                dims = _key_dims(key, len(shape))
            d = dims[i]
            if d < len(shape) and not _keeps_dim(k, shape[d]):
                return Slice
    return Slice.named("AliasBackward0")             # a key that changes nothing (x[...], x[:, :])


_FULL = slice(None)


def _keeps_dim(k, n):
    """Whether the slice ``k`` keeps a whole dim of size ``n`` (torch then makes no node for it)."""
    return (k.step is None or k.step == 1) and (k.start is None or k.start == 0) and (k.stop is None or k.stop >= n)


def _key_dims(key, ndim):
    """The input dim that each part of a (converted) key addresses."""
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis and not
                   (_backend.is_array(k) and k.dtype.kind == "b" and k.ndim > 1)) + \
        sum(k.ndim for k in key if _backend.is_array(k) and k.dtype.kind == "b" and k.ndim > 1)
    dims, d = [], 0
    for k in key:
        dims.append(d)
        if k is Ellipsis:
            d += ndim - consumed
        elif _backend.is_array(k) and k.dtype.kind == "b":
            d += k.ndim
        elif k is not None:
            d += 1
    return dims


def _whole(key, shape):
    """Whether a key addresses the whole tensor (only ``...`` and slices keeping whole dims)."""
    for k, d in zip(key, _key_dims(key, len(shape))):
        if k is Ellipsis:
            continue
        if not isinstance(k, slice) or d >= len(shape) or not _keeps_dim(k, shape[d]):
            return False
    return True


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
    _backend.add_at(out, key, values)


def pad_slice(grad, shape, dim, start):
    """Zeros of ``shape`` with ``grad`` placed at ``start`` along ``dim`` (the backward of ``narrow``)."""
    key = (slice(None),) * dim + (slice(start, start + grad._data.shape[dim]),)
    return IndexAddIntoZeros.apply(grad, key, shape, True)


def getitem(input, key):
    """``input[key]``: a view for basic keys (ints, slices, None, ...), a copy for index tensors and masks."""
    if type(key) is int:                             # the most common key: one int
        shape = input._data.shape
        if shape and -shape[0] <= key < shape[0]:
            return Select.apply(input, (key, Ellipsis))
    single = not isinstance(key, tuple)
    key, basic = _convert_key(key)
    key = _match_device(key, _backend.array_module(input._data))
    try:
        if basic:
            if len(key) == 1 and isinstance(key[0], int):
                n = input._data.shape[0] if input._data.ndim else None
                if n is None:
                    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                     "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
                if not -n <= key[0] < n:
                    raise IndexError(f"index {key[0]} is out of bounds for dimension 0 with size {n}")
            if Ellipsis not in key:
                key = key + (Ellipsis,)          # numpy then returns a 0-d view, never a scalar copy
            return _basic_function(key, single, input._data.shape).apply(input, key)
        split = _torch_order(key)
        if split is not None:
            return getitem(getitem(input, split[0]), split[1])
        return AdvancedIndex.apply(input, key)
    except IndexError as e:
        raise IndexError(_torch_wording(str(e))) from None


def _torch_wording(message):
    """numpy's IndexError text in torch's words ('indexing tensors ... shapes [2, 3], [4]', 'dimension')."""
    if message.startswith("shape mismatch: indexing arrays"):
        shapes = re.findall(r"\(([\d,]*)\)", message)
        return ("shape mismatch: indexing tensors could not be broadcast together with shapes " +
                ", ".join("[" + ", ".join(d for d in s.split(",") if d) + "]" for s in shapes))
    m = re.match(r"too many indices for array: array is (\d+)-dimensional", message)
    if m:
        return f"too many indices for tensor of dimension {m.group(1)}"
    return message.replace("axis", "dimension")


def _torch_index_errors(f):
    """Re-raise numpy's IndexErrors from ``f`` in torch's words."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except IndexError as e:
            raise IndexError(_torch_wording(str(e))) from None
    return wrapper


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


IndexPutAdvanced = IndexPut.named("IndexPutBackward0")   # ``x[key] = v`` / ``index_put`` with index tensors


@_torch_index_errors
def index_put(input, key, value, accumulate=False):
    """A copy of ``input`` with ``value`` written (or added, when ``accumulate``) at ``key``."""
    from ..creation import tensor     # creation sits above ops: imported when first needed
    key, _ = _convert_key(key)
    xp = _backend.array_module(input._data)
    key = _match_device(key, xp)
    if not isinstance(value, Tensor):
        value = tensor(value, dtype=input.dtype, device=input.device)
    elif value.dtype != input.dtype:
        value = value.to(input.dtype)
    return IndexPutAdvanced.apply(clone_for_write(input), value, key, accumulate)


def clone_for_write(t):
    return clone(t)


def _index_put_first(key, shape):
    """torch writes an advanced key straight with index_put (``IndexPutBackward0``) unless ints, slices or
    None make a view first (then the write is recorded as ``CopySlices``)."""
    if not any(_backend.is_array(k) or isinstance(k, bool) for k in key):
        return False
    dims = _key_dims(key, len(shape))
    return not any(k is None or isinstance(k, int) and not isinstance(k, bool) or
                   isinstance(k, slice) and (d >= len(shape) or not _keeps_dim(k, shape[d]))
                   for k, d in zip(key, dims))


@_torch_index_errors
def setitem(input, key, value):
    """``input[key] = value`` in place; recorded on the tape when input or value requires grad."""
    from ..creation import tensor     # creation sits above ops: imported when first needed
    key, basic = _convert_key(key)
    xp = _backend.array_module(input._data)
    key = _match_device(key, xp)
    if not basic:
        split = _torch_order(key)
        if split is not None:                        # torch's order: the ints select a view, written into
            return setitem(getitem(input, split[0]), split[1], value)
    if isinstance(value, Tensor):
        if value.device != input.device and value._data.ndim:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{value.device} and {input.device}!")
        if value.dtype != input.dtype:
            value = value.to(input.dtype)
    else:
        check_scalar_fits(value, input._data.dtype, floats=input._data.dtype.itemsize >= 4)
    if (value._data.size if isinstance(value, Tensor) else 1) == 0:
        target = input._data[key].shape                  # numpy lets empty values through: check as torch does
        try:
            _backend.numpy.broadcast_shapes(value._data.shape, target)
            ok = len(value._data.shape) <= len(target) and all(
                v in (1, t) for v, t in zip(value._data.shape[::-1], target[::-1]))
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                               f"broadcast to indexing result of shape {list(target)}")
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
    if _whole(key, input._data.shape):
        # the whole tensor: torch fills (0-d value) or copies into it
        return input.fill_(value) if value._data.ndim == 0 else input.copy_(value)
    target = input if input._base is None else snapshot(input)   # a view: computed aside, then written back
    try:
        out = (IndexPutAdvanced if _index_put_first(key, input._data.shape) else IndexPut).apply(
            target, value, key, False)
    except ValueError as e:
        raise RuntimeError(str(e)) from None
    commit_inplace(input, out)


def select(input, dim, index):
    """``input[..., index, ...]`` at position ``dim``: a view with that dim removed."""
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {d}")
    return Select.apply(input, (slice(None),) * d + (index,))


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



setitem = _quietly(setitem)          # its unrecorded write casts into the tensor's dtype (1e300 -> inf) quietly too
