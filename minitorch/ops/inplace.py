"""In-place ops (``add_``, ``mul_``, ``zero_``, ``x[k] = v``, ...): the rules torch enforces, in one place.

An in-place op writes its result into the tensor's own memory (so views and
numpy arrays sharing it see the change) and bumps its version counter (so a
backward that saved the old value refuses to run on the new one).

When the op must be recorded (grad mode on and something requires grad), it is
computed out of place on a snapshot of the old value, and the tensor adopts the
result's ``grad_fn``: it becomes a non-leaf whose history includes the edit.
Refused, as in torch: editing a leaf that requires grad while grad mode is on.
"""
from ..autograd import grad_mode
from ..tensor import Tensor


def check_inplace(t, *others):
    """Raise torch's error for forbidden edits; return True when the edit must be recorded on the tape."""
    if not grad_mode._enabled[0]:
        return False
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if t._base is not None and t._base._requires_grad and t._base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    recording = t._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    if recording and t._base is not None:
        raise RuntimeError(
            "minitorch does not record in-place operations on views of tensors that are part of an autograd "
            "graph (torch rewrites the base's history here). Use an out-of-place op, e.g. `y = y.clone(); "
            "y[...] = ...`, or edit the base tensor directly.")
    return recording


def commit_inplace(t, result, recorded=True):
    """Make ``t`` hold ``result``: its values (in t's memory), its ``grad_fn``, and a new version."""
    if result._data is not t._data:
        t._data[...] = result._data
    t._vc[0] += 1
    if result.grad_fn is not None:
        t.grad_fn = result.grad_fn
        t._output_nr = result._output_nr
        t._requires_grad = True
    elif recorded and t.grad_fn is not None:          # overwritten by a constant: the old history no longer matters
        t.grad_fn = None
        t._requires_grad = False
    return t


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
                raise RuntimeError(f"result type {result.dtype.name.capitalize()} can't be cast to the desired "
                                   f"output type {self.dtype._legacy[:-6]}")
            result = result.to(self.dtype)
        if result._data.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                               f"{list(result._data.shape)}")
        return commit_inplace(self, result, recorded)
    method.__name__ = name
    method.__doc__ = f"In-place version of ``{fn.__name__}``: writes the result into this tensor and returns it."
    return method


def _fill(t, value):
    """A tensor of ``t``'s shape whose every element is ``value`` (a number or a one-element tensor)."""
    from .shape import expand
    from ..creation import full
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return expand(value.to(t.dtype), t._data.shape)
    return full(t._data.shape, value, dtype=t.dtype, device=t.device)


def _copy(t, src, non_blocking=False):
    """``src`` broadcast to ``t``'s shape and converted to its dtype and device."""
    from .shape import expand, _to_device
    s = _to_device(src, t.device).to(t.dtype)
    return expand(s, t._data.shape) if s._data.shape != t._data.shape else s


def fill_(t, value):
    """Set every element to ``value`` in place."""
    return inplace(_fill, "fill_")(t, value)


def zero_(t):
    """Set every element to 0 in place."""
    if not check_inplace(t):
        t._data[...] = 0
        t._vc[0] += 1
        return t
    return inplace(_fill, "zero_")(t, 0)


def copy_(t, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast and moved as needed) into ``t`` in place."""
    return inplace(_copy, "copy_")(t, src)
