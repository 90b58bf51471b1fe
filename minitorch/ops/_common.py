"""What the elementwise op modules share: numpy's floating-point warnings off, and torch's dtype handling.

Binary ops first promote their operands to torch's result dtype (``_promote``), then work on arrays of one
dtype; ``_cast`` converts one tensor (a recorded ``ToCopy``), ``_float_input`` gives integer inputs of
float-valued math the default float dtype.
"""
from .._dtype import result_type, get_default_dtype
from ..autograd.function import Function, _quiet_on, _quiet_off
from ..tensor import Tensor, _not_tensor
from .. import _backend

_T = Tensor._from_array


# ---------------------------------------------------------------- numpy's floating-point warnings
# torch never warns about inf / nan results (log(0) = -inf, 0/0 = nan, inf - inf = nan): they are the answer.
# ``Function.apply`` runs every forward with numpy's error state off (``autograd.function._quiet_on``);
# ``_quietly`` does the same for array code that runs outside a Function.
def _quietly(fn):
    """``fn`` run with numpy's floating-point warnings off."""
    if getattr(fn, "_quiet", False):
        return fn

    def quiet(*args, **kwargs):
        token = _quiet_on()
        try:
            return fn(*args, **kwargs)
        finally:
            _quiet_off(token)
    quiet.__name__, quiet.__qualname__, quiet.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    quiet.__wrapped__, quiet._quiet = fn, True
    return quiet


# ---------------------------------------------------------------- dtype handling
class ToCopy(Function):
    """y = x converted to another dtype.   dL/dx = dL/dy converted back (the engine casts it)."""

    @staticmethod
    def forward(ctx, x, np_dtype):
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _cast(t, dtype):
    """``t`` as ``dtype`` (``t`` itself when it already is)."""
    if t._data.dtype == dtype.np:
        return t
    return ToCopy.apply(t, dtype.np)


def _as_tensor_like(x, ref):
    """A Python number or array-like as a tensor on ``ref``'s device."""
    from ..creation import tensor     # creation sits above ops: imported when first needed
    return tensor(x, device=ref.device)


def _is_number(x):
    return isinstance(x, (bool, int, float)) or (hasattr(x, "dtype") and not hasattr(x, "shape")) or \
        (type(x).__module__ == "numpy" and getattr(x, "ndim", 1) == 0)


def _promote(a, b, name="binary op"):
    """Cast the operands of a binary op to torch's result dtype.

    Python numbers stay numbers: once the tensor has the result dtype, numpy
    applies a number without widening it (NEP 50), exactly as torch does.
    An operand that is neither a tensor nor a number (a list, an array, None)
    is refused with torch's TypeError, as ``name`` would refuse it.
    """
    at, bt = isinstance(a, Tensor), isinstance(b, Tensor)
    if at and bt:
        if a._data.dtype == b._data.dtype:
            return a, b
        rt = result_type(a, b)
        return _cast(a, rt), _cast(b, rt)
    if not (at or bt):
        if not _is_number(a):
            _not_tensor(name, a)
        if not _is_number(b):
            _not_tensor(name, b, "other", 2)
        raise TypeError("expected at least one Tensor operand")
    t, s = (a, b) if at else (b, a)
    if not _is_number(s):
        _not_tensor(name, s, "other" if at else "input", 2 if at else 1)
    if type(s) is float or type(s) is int:
        kind = t._data.dtype.kind
        if kind == "f" or (kind == "i" and type(s) is int and -128 <= s < 128):
            return a, b                    # numpy keeps the tensor's dtype, as torch does
    if hasattr(s, "item"):
        s = s.item()                      # numpy scalars act as Python numbers, as in torch
    rt = result_type(t, s)
    if rt.np != t._data.dtype:
        t = _cast(t, rt)
    return (t, _wrap_int(s, rt)) if at else (_wrap_int(s, rt), t)


def _wrap_int(s, dt):
    """A Python int out of an integer dtype's range wraps around (as torch's C casts do)."""
    if type(s) is int and dt.category == 1:
        info = _backend.numpy.iinfo(dt.np)
        if not info.min <= s <= info.max:
            return (s - int(info.min)) % (int(info.max) - int(info.min) + 1) + int(info.min)
    return s


def _scalar_tensor(s, like):
    """The number ``s`` as a 0-dim tensor of ``like``'s dtype and device."""
    xp = _backend.array_module(like._data)
    return _T(xp.asarray(s, dtype=like._data.dtype))


def _float_input(t):
    """Integer and bool tensors become the default float dtype for float-valued math (``exp``, ``sqrt``, ...)."""
    if t._data.dtype.kind not in "fc":
        return _cast(t, get_default_dtype())
    return t
