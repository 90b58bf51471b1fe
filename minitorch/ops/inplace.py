"""In-place ops (``add_``, ``mul_``, ``zero_``, ``x[k] = v``, ...): the rules torch enforces, in one place.

An in-place op writes its result into the tensor's own memory (so views and
numpy arrays sharing it see the change) and bumps its version counter (so a
backward that saved the old value refuses to run on the new one).

When the op must be recorded (grad mode on and something requires grad), it is
computed out of place on a snapshot of the old value, and the tensor adopts the
result's ``grad_fn``: it becomes a non-leaf whose history includes the edit.
Refused, as in torch: editing a leaf that requires grad while grad mode is on.

Editing a view records the edit on its base too (torch's ``CopySlices``): the base's
new history writes the view's new values into its old value, and the view becomes
a strided view of that new base (``AsStridedBackward0``). Other views of the same
base taken before the edit keep their old history (torch regenerates theirs).
"""
from .. import _backend
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._out import scalar_name
from .reduce import sum as _sum
from .shape import reshape, _to_device, _broadcast_shape


def check_inplace(t, *others):
    """Raise torch's error for forbidden edits; return True when the edit must be recorded on the tape."""
    if not grad_mode._enabled[0]:
        return False
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if t._base is not None and t._base._requires_grad and t._base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    return t._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)


def commit_inplace(t, result, recorded=True):
    """Make ``t`` hold ``result``: its values (in t's memory), its ``grad_fn``, and a new version."""
    if recorded and t._base is not None and result.grad_fn is not None:
        return _commit_view(t, result)
    if result._data is not t._data:
        t._data[...] = result._data
    t._vc[0] += 1
    node = result.grad_fn
    if node is not None:
        t.grad_fn = node
        t._output_nr = result._output_nr
        t._requires_grad = True
        node._resave_output(result, t)   # exp_, sigmoid_, ...: the saved result is now t (a later edit is caught)
    elif recorded and t.grad_fn is not None:          # overwritten by a constant: the old history no longer matters
        t.grad_fn = None
        t._requires_grad = False
    return t


def _commit_view(v, result):
    """An in-place edit of the view ``v``, recorded on its base (torch's CopySlices)."""
    base = v._base
    positions = _positions(v._data, base._data)
    new_base = CopySlices.apply(snapshot(base), result, positions)
    v._data[...] = result._data                 # the memory both share
    v._vc[0] += 1                               # (the base's counter too)
    base.grad_fn, base._output_nr, base._requires_grad = new_base.grad_fn, 0, True
    node = AsStrided.apply(base, positions).grad_fn
    v.grad_fn, v._output_nr, v._requires_grad = node, 0, True
    return v


def _positions(view, base):
    """For every element of ``view`` (an array sharing ``base``'s memory), its flat index in ``base``."""
    xp = _backend.array_module(base)
    size = view.itemsize

    def offsets(arr, start):
        off = xp.full(arr.shape, start, dtype=xp.int64)
        for k, (n, st) in enumerate(zip(arr.shape, arr.strides)):
            shape = [1] * arr.ndim
            shape[k] = n
            off = off + (xp.arange(n, dtype=xp.int64) * (st // size)).reshape(shape)
        return off

    start = (_ptr(view) - _ptr(base)) // size
    pos = offsets(view, start)
    if base.flags.c_contiguous:
        return pos
    mem = offsets(base, 0).reshape(-1)            # a strided base: map memory offsets to its flat indices
    order = xp.argsort(mem)
    return order[xp.searchsorted(mem[order], pos)]


def _ptr(arr):
    return arr.__array_interface__["data"][0] if isinstance(arr, _backend.numpy.ndarray) else arr.data.ptr


class CopySlices(Function):
    """y = x with the elements at ``positions`` replaced by ``v`` (an edited view, written into its base).

    dL/dx = dL/dy zeroed at positions,  dL/dv = dL/dy at positions.
    """
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, positions):
        ctx.positions, ctx.shape = positions, x.shape
        out = x.copy()
        out.reshape(-1)[positions] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        from .index import index_put     # ops/index imports this module: imported when first needed
        need = ctx.needs_input_grad
        flat = reshape(grad, (-1,))
        gx = reshape(index_put(flat, (ctx.positions,), 0.0), ctx.shape) if need[0] else None
        gv = flat[ctx.positions] if need[1] else None
        return gx, gv, None


class AsStrided(Function):
    """y = the elements of x at ``positions`` (the history of an edited view).   dL/dx: dL/dy put back there."""

    @staticmethod
    def forward(ctx, x, positions):
        ctx.positions, ctx.shape = positions, x.shape
        return x.reshape(-1)[positions]

    @staticmethod
    def backward(ctx, grad):
        from .index import IndexAddIntoZeros     # ops/index imports this module: imported when first needed
        n = 1
        for s in ctx.shape:
            n *= s
        return reshape(IndexAddIntoZeros.apply(grad, (ctx.positions,), (n,), False), ctx.shape), None


def snapshot(t):
    """A stand-in for ``t``'s current value and history, before ``t`` is overwritten."""
    s = Tensor._from_array(t._data.copy(), t._requires_grad)
    s.grad_fn = t.grad_fn
    s._output_nr = t._output_nr
    if t.grad_fn is None and t._requires_grad:
        s._accumulator = t._accumulator
    return s


def inplace(fn, name):
    """The in-place method ``name`` built from the out-of-place function ``fn(self, *args)``."""
    def method(self, *args, **kwargs):
        recorded = check_inplace(self, *args)
        if recorded:
            result = fn(snapshot(self), *args, **kwargs)
        else:
            with grad_mode.no_grad():
                result = fn(self, *args, **kwargs)
        if result._data.dtype != self._data.dtype:
            if self._data.dtype.kind in "biu" and result._data.dtype.kind == "f" or \
                    self._data.dtype.kind == "b" and result._data.dtype.kind != "b":
                raise RuntimeError(f"result type {scalar_name(result.dtype)} can't be cast to the desired "
                                   f"output type {scalar_name(self.dtype)}")
            result = result.to(self.dtype)
        if result._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                               f"{list(result._data.shape)}")
        return commit_inplace(self, result, recorded)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of ``{fn.__name__}``: writes the result into this tensor and returns it."
    return method


class Fill(Function):
    """y = ``value`` everywhere, in x's shape (``fill_`` with a number).   dL/dx = 0."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return ctx.xp.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), None


class FillTensor(Function):
    """y = the 0-d tensor ``v`` everywhere, in x's shape.   dL/dx = 0,  dL/dv = sum(dL/dy)."""
    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, v):
        return ctx.xp.broadcast_to(v, x.shape).astype(x.dtype, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), (_sum(grad) if ctx.needs_input_grad[1] else None)


class Copy(Function):
    """y = ``src`` broadcast to x's shape and cast to its dtype (``copy_``).   dL/dx = 0,  dL/dsrc = dL/dy."""
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        return ctx.xp.broadcast_to(src, x.shape).astype(x.dtype, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), grad


_C_TYPES = {"float32": "float", "float16": "c10::Half", "int32": "int", "int16": "int16_t", "int8": "int8_t",
            "uint8": "uint8_t"}


def check_scalar_fits(value, np_dtype, floats=True):
    """torch's check when a Python number is written into a tensor: a finite number beyond the dtype's range
    is refused (RuntimeError "value cannot be converted to type float without overflow"), not cast to inf or
    wrapped. ``floats=False``: only integer dtypes are checked (``x[i] = v`` writes floats unchecked)."""
    name = _C_TYPES.get(np_dtype.name)
    if name is None or type(value) not in (int, float):
        return
    np = _backend.numpy
    if np_dtype.kind == "f":
        bad = floats and value == value and abs(value) != float("inf") and abs(value) > float(np.finfo(np_dtype).max)
    else:
        info = np.iinfo(np_dtype)
        bad = value != value or abs(value) == float("inf") or value > int(info.max) or (
            value < int(info.min) and not (np_dtype.kind == "u" and value >= -int(info.max)))
    if bad:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def _fill(t, value):
    """A tensor of ``t``'s shape whose every element is ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return FillTensor.apply(t, value)
    check_scalar_fits(value, t._data.dtype)
    return Fill.apply(t, value)


def _zero(t):
    return Fill.named("ZeroBackward0").apply(t, 0)


def _copy(t, src, non_blocking=False):
    """``src`` broadcast to ``t``'s shape and converted to its dtype and device."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    if tuple(_broadcast_shape(t.shape, src.shape)) != tuple(t.shape):
        raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(_broadcast_shape(t.shape, src.shape))}")
    return Copy.apply(t, _to_device(src, t.device))


def fill_(t, value):
    """Set every element to ``value`` (a number or a 0-d tensor) in place."""
    return inplace(_fill, "fill_")(t, value)


def zero_(t):
    """Set every element to 0 in place."""
    if not check_inplace(t):
        t._data[...] = 0
        t._vc[0] += 1
        return t
    return inplace(_zero, "zero_")(t)


def copy_(t, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast and moved as needed) into ``t`` in place."""
    return inplace(_copy, "copy_")(t, src)


