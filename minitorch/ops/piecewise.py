"""Piecewise functions of one input: abs, sign, clamp, floor, ceil, round, trunc, frac.

Their derivatives are masks (abs, clamp) or zero almost everywhere (sign and rounding).
"""
from .._dtype import result_type, bool_
from ..autograd.function import Function
from ..tensor import Tensor, _not_tensor
from ._common import _cast, _wrap_int
from ._out import out_arg, scalar_name
from .comparison import where
from .unary import _unary, _BOOL_DT

__all__ = [
    "Abs", "Clamp", "ClampTensor", "RoundDecimals", "Frac", "Sign", "Floor", "Ceil", "Round", "Trunc", "abs",
    "absolute", "sign", "floor", "ceil", "round_", "trunc", "round", "frac", "clamp", "clip", "clamp_min",
    "clamp_max"]


# ---------------------------------------------------------------- Functions
class Abs(Function):
    """y = |x|.   dy/dx = sign(x) (0 at 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * sign(x)


class Clamp(Function):
    """y = min(max(x, lo), hi) for numbers lo, hi.   dy/dx = 1 where lo <= x <= hi, else 0."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        if x.dtype.kind == "f":           # numpy's clip: a fast loop (maximum against a number has none), and x
            y = xp.clip(x, -xp.inf if lo is None else lo, xp.inf if hi is None else hi)   # itself at a tie, as torch
        else:
            y = x
            if lo is not None:
                y = xp.maximum(y, lo)
            if hi is not None:
                y = xp.minimum(y, hi)
        mask = True
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            mask = mask & (x <= hi)
        ctx.save_for_backward(mask if mask is not True else None)
        return y.astype(x.dtype, copy=False) if y is not x else x.copy()

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        return (grad if mask is None else where(mask, grad, 0.0)), None, None


class ClampTensor(Function):
    """y = min(max(x, lo), hi) for tensors lo, hi (either may be None).

    dy/dx = [lo <= x <= hi],  dy/dlo = [x < lo and lo < hi],  dy/dhi = [x > hi or hi < lo]  (torch's rule).
    """
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        ctx.save_for_backward(x, lo, hi)
        return y.astype(x.dtype, copy=False) if y is not x else x.copy()

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        x, lo, hi = x.detach(), lo.detach() if lo is not None else None, hi.detach() if hi is not None else None
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need[0]:
                gx = where((x >= lo) & (x <= hi), grad, 0.0)
            if need[1]:
                glo = where((x < lo) & (lo < hi), grad, 0.0)
            if need[2]:
                ghi = where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = where(x >= lo, grad, 0.0) if need[0] else None
            glo = where(x < lo, grad, 0.0) if need[1] else None
        else:
            gx = where(x <= hi, grad, 0.0) if need[0] else None
            ghi = where(x > hi, grad, 0.0) if need[2] else None
        return gx, glo, ghi


class _ZeroGrad(Function):
    """Piecewise-constant functions (floor, ceil, round, trunc, sign): derivative 0 almost everywhere."""
    fn = None

    @classmethod
    def forward(cls, ctx, x):
        return getattr(ctx.xp, cls.fn)(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class RoundDecimals(_ZeroGrad):
    """y = x rounded to ``decimals`` places (half to even).   dy/dx = 0."""
    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        return ctx.xp.round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), None


class Frac(Function):
    """y = x - trunc(x).   dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x - ctx.xp.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Sign(_ZeroGrad):
    """y = (x > 0) - (x < 0), torch's formula: +0 for 0, -0 and NaN (numpy's sign gives NaN and -0).   dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        if x.dtype.kind != "f":
            return ctx.xp.sign(x)
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


class Floor(_ZeroGrad):
    fn = "floor"


class Ceil(_ZeroGrad):
    fn = "ceil"


class Round(_ZeroGrad):
    fn = "round"


class Trunc(_ZeroGrad):
    fn = "trunc"


# ---------------------------------------------------------------- public functions
_abs = _unary(Abs, float_only=False, out=None)


@out_arg("abs", "same")
def abs(input):
    """|input| elementwise (not for bool tensors, as in torch)."""
    if not isinstance(input, Tensor):
        _not_tensor("abs", input)
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _abs(input)


absolute = abs
sign = _unary(Sign, float_only=False, out="same")
floor = _unary(Floor, float_only=False, out="same",
               refuse_bool=(NotImplementedError, "\"floor_vml_cpu\" not implemented for 'Bool'"))
ceil = _unary(Ceil, float_only=False, out="same",
              refuse_bool=(NotImplementedError, "\"ceil_vml_cpu\" not implemented for 'Bool'"))
round_ = _unary(Round, float_only=False, out=None,
                refuse_bool=(NotImplementedError, "\"round_vml_cpu\" not implemented for 'Bool'"))
trunc = _unary(Trunc, float_only=False, out="same",
               refuse_bool=(NotImplementedError, "\"trunc_vml_cpu\" not implemented for 'Bool'"))


@out_arg("round", "same")
def round(input, decimals=0):
    """Round half to even, as torch does (optionally to ``decimals`` places)."""
    if not isinstance(input, Tensor):
        _not_tensor("round", input)
    if decimals == 0:
        return round_(input)
    if input._data.dtype is _BOOL_DT:
        raise NotImplementedError("\"round_cpu\" not implemented for 'Bool'")
    return RoundDecimals.apply(input, decimals)


@out_arg("frac", "same")
def frac(input):
    """The fractional part, x - trunc(x)."""
    if not isinstance(input, Tensor):
        _not_tensor("frac", input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{scalar_name(input.dtype)}'")
    return Frac.apply(input)


@out_arg("clamp", "same")
def clamp(input, min=None, max=None):
    """Limit values to [min, max] (either bound may be omitted, or a tensor)."""
    if not isinstance(input, Tensor):
        _not_tensor("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # a 0-d tensor that requires no grad is a Number to torch's argument parser
        min, max = (v.item() if isinstance(v, Tensor) and not v._data.ndim and not v._requires_grad and
                    not isinstance(o, Tensor) and o is not None else v for v, o in ((min, max), (max, min)))
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is not None and max is not None and isinstance(min, Tensor) != isinstance(max, Tensor):
            raise TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, "
                            f"{type(min).__name__}, {type(max).__name__}), but expected one of:\n"
                            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")
        from ..creation import tensor     # creation sits above ops: imported when first needed
        rt = result_type(*[v for v in (input, min, max) if v is not None])
        lo = None if min is None else _cast(min if isinstance(min, Tensor) else tensor(min, device=input.device), rt)
        hi = None if max is None else _cast(max if isinstance(max, Tensor) else tensor(max, device=input.device), rt)
        return ClampTensor.apply(_cast(input, rt), lo, hi)
    return _clamp(Clamp, input, min, max)


def _clamp(cls, input, min, max):
    rt = result_type(*[v for v in (input, min, max) if v is not None])
    if rt is bool_:
        raise NotImplementedError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
    input = _cast(input, rt)
    if min is not None:
        min = _wrap_int(min.item() if hasattr(min, "item") else min, rt)
    if max is not None:
        max = _wrap_int(max.item() if hasattr(max, "item") else max, rt)
    return cls.apply(input, min, max)


clip = clamp


@out_arg("clamp_min", "same")
def clamp_min(input, min):
    """max(input, min)."""
    if isinstance(min, Tensor):
        return clamp(input, min=min)
    return _clamp(Clamp.named("ClampMinBackward0"), input, min, None)


@out_arg("clamp_max", "same")
def clamp_max(input, max):
    """min(input, max)."""
    if isinstance(max, Tensor):
        return clamp(input, max=max)
    return _clamp(Clamp.named("ClampMaxBackward0"), input, None, max)
