"""Comparisons and logic: eq, ne, lt, le, gt, ge, equal, the logical and bitwise ops, isnan, isinf, isfinite,
signbit, isclose, allclose (no gradient); and maximum, minimum and where, which select between their inputs.
"""
from .._dtype import result_type
from ..autograd.function import Function, _broadcast_error
from ..tensor import Tensor, _not_tensor
from .. import _backend
from ._common import _T, _promote, _is_number, _scalar_tensor
from ._out import out_arg, scalar_name
from ._fast import select
from .shape import _broadcast_shape

__all__ = [
    "Maximum", "Minimum", "Where", "maximum", "minimum", "where", "eq", "ne", "lt", "less", "le", "less_equal",
    "gt", "greater", "ge", "greater_equal", "not_equal", "equal", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "logical_not", "bitwise_not", "isnan", "isinf", "isfinite",
    "signbit", "isclose", "allclose"]


# ---------------------------------------------------------------- maximum, minimum, where (differentiable)
class Maximum(Function):
    """z = max(x, y).   the gradient goes to the larger input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        half = where(x == y, grad / 2, grad)          # torch's rule (a nan sends the gradient to both)
        return (where(x < y, 0.0, half) if need[0] else None,
                where(x > y, 0.0, half) if need[1] else None)


class Minimum(Function):
    """z = min(x, y).   the gradient goes to the smaller input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        half = where(x == y, grad / 2, grad)
        return (where(x > y, 0.0, half) if need[0] else None,
                where(x < y, 0.0, half) if need[1] else None)


class Where(Function):
    """z = x where cond else y.   dz/dx = cond,  dz/dy = not cond."""
    differentiable_inputs = (1, 2)

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        out = select(ctx.xp, cond, x, y)                  # numpy's where, without its branches (ops/_fast.py)
        dt = getattr(x, "dtype", None) or getattr(y, "dtype", None)
        return out.astype(dt, copy=False) if dt is not None else out

    @staticmethod
    def backward(ctx, grad):
        cond, = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = grad.new_zeros(())
        return (None,
                where(cond, grad, zero) if need[1] else None,
                where(cond, zero, grad) if need[2] else None)


@out_arg("maximum")
def maximum(input, other):
    """Elementwise maximum of two tensors."""
    a, b = _promote(input, other, "maximum")
    return Maximum.apply(a, b)


@out_arg("minimum")
def minimum(input, other):
    """Elementwise minimum of two tensors."""
    a, b = _promote(input, other, "minimum")
    return Minimum.apply(a, b)


@out_arg("where", "where")
def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; ``where(cond)`` gives nonzero indices."""
    if not isinstance(condition, Tensor):
        _not_tensor("where", condition, "condition")
    if input is None and other is None:
        from .gather import nonzero     # ops/gather imports this module: imported when first needed
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        a, b = _promote(input, other, "where")
    else:
        if not _is_number(input):
            _not_tensor("where", input, "input", 2)
        if not _is_number(other):
            _not_tensor("where", other, "other", 3)
        rt = result_type(input, other)
        xp = _backend.array_module(condition._data)
        a, b = _T(xp.asarray(input, dtype=rt.np)), _T(xp.asarray(other, dtype=rt.np))
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_tensor(b, a)
    return Where.apply(condition, a, b)


# ---------------------------------------------------------------- comparisons and logic (no gradient)
def _kernel(fn, a, b, **kwargs):
    """``fn(a, b)`` of an op that is no Function (no gradient): numpy's broadcast ValueError becomes torch's
    RuntimeError, as ``Function.apply`` does for the others."""
    try:
        return fn(a, b, **kwargs)
    except ValueError as e:
        _broadcast_error(e, (a, b))


def _compare(name):
    short = {"equal": "eq", "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt",
             "greater_equal": "ge"}[name]

    def op(input, other):
        if not isinstance(input, Tensor):
            _not_tensor(short, input)
        a, b = _promote(input, other, short)
        if not isinstance(a, Tensor):
            a, b = b, a
            flipped = {"less": "greater", "greater": "less", "less_equal": "greater_equal",
                       "greater_equal": "less_equal"}.get(name, name)
        else:
            flipped = name
        xp = _backend.array_module(a._data)
        return _T(xp.asarray(_kernel(getattr(xp, flipped), a._data, b._data if isinstance(b, Tensor) else b)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison, as a bool tensor."
    return out_arg(name, differentiable=False)(op)


eq = _compare("equal")
ne = _compare("not_equal")
lt = less = _compare("less")
le = less_equal = _compare("less_equal")
gt = greater = _compare("greater")
ge = greater_equal = _compare("greater_equal")
not_equal = ne


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    if not isinstance(input, Tensor):
        _not_tensor("equal", input)
    return input.shape == other.shape and bool((input._data == other._data).all())


def _logical(name, bitwise=False):
    def op(input, other):
        if not bitwise:
            if not isinstance(input, Tensor):
                _not_tensor(name, input)
            if not isinstance(other, Tensor):
                _not_tensor(name, other, "other", 2)
        a, b = _promote(input, other, name) if bitwise else (input, other)
        xp = _backend.array_module((a if isinstance(a, Tensor) else b)._data)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        if bitwise:                    # the promoted dtype decides (a number operand stays a number)
            t = a if isinstance(a, Tensor) else b
            if t._data.dtype.kind == "f":
                if isinstance(a, Tensor) and isinstance(b, Tensor):     # torch broadcasts before it dispatches
                    _broadcast_shape(a._data.shape, b._data.shape)
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{scalar_name(t.dtype)}'")
        return _T(xp.asarray(_kernel(getattr(xp, name), ad, bd)))
    op.__name__ = name
    return out_arg(name, differentiable=False)(op)


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")
bitwise_and = _logical("bitwise_and", bitwise=True)
bitwise_or = _logical("bitwise_or", bitwise=True)
bitwise_xor = _logical("bitwise_xor", bitwise=True)


@out_arg("logical_not", differentiable=False)
def logical_not(input):
    if not isinstance(input, Tensor):
        _not_tensor("logical_not", input)
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(xp.logical_not(input._data)))


@out_arg("bitwise_not", "same", differentiable=False)
def bitwise_not(input):
    if not isinstance(input, Tensor):
        _not_tensor("bitwise_not", input)
    if input._data.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{scalar_name(input.dtype)}'")
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(xp.invert(input._data)))


def _predicate(name):
    def op(input):
        if not isinstance(input, Tensor):
            _not_tensor(name, input)
        xp = _backend.array_module(input._data)
        return _T(xp.asarray(getattr(xp, name)(input._data)))
    op.__name__ = name
    return op


isnan = _predicate("isnan")
isinf = _predicate("isinf")
isfinite = _predicate("isfinite")
signbit = out_arg("signbit", "bool_only", differentiable=False)(_predicate("signbit"))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(input, Tensor):
        _not_tensor("isclose", input)
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(_kernel(xp.isclose, input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(input, Tensor):
        _not_tensor("allclose", input)
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())
