"""Indexing: ``x[key]``, ``x[key] = v``, index_put, select.

index_select, masked_select/masked_fill, take, gather, scatter and nonzero live in ops/gather.py.

A key may mix ints, slices (with steps), ``None``, ``...``, integer index
tensors, bool masks and lists, with numpy's (= torch's) semantics. Basic keys
(no index tensors) give views; advanced keys give copies.
"""
import functools
import re

from .. import _backend
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ._common import _quietly
from .inplace import check_inplace, check_scalar_fits, commit_inplace, snapshot
from .shape import clone

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
        elif k is None:                               # torch unsqueezes the source: that view's stride
            vshape.append(1), vstrides.append(shape[d] * strides[d] if d < len(shape) else 1), vidx.append(None)
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
    nd = len(full)
    ops = [vstrides[:before] + [0] * r + vstrides[len(vstrides) - after:]]
    for s, st in idx:
        bst = [0] * (r - len(s)) + [0 if n == 1 and rshape[r - len(s) + j] != 1 else st[j] for j, n in enumerate(s)]
        # torch reshapes each index to (1,)*before + its shape + (1,)*after (a view: those size-1 dims get the
        # strides st[0]*s[0] before and st[-1] after); where the result's dim is 1 too, that stride stays
        lead, trail = (st[0] * s[0], st[-1]) if s else (1, 1)
        ops.append([lead if full[i] == 1 else 0 for i in range(before)] + bst +
                   [trail if full[nd - after + i] == 1 else 0 for i in range(after)])

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


setitem = _quietly(setitem)          # its unrecorded write casts into the tensor's dtype (1e300 -> inf) quietly too
