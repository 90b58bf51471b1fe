"""Elementwise ops, one namespace: ``ops.elementwise.exp``, ``ops.elementwise.add``, ...

Each op is defined once, in the module of its concern; this module only re-exports them (the
names ``_methods.py`` binds as Tensor methods and ``minitorch`` exports):

    arithmetic.py   add, sub, mul, div, floor_divide, remainder, fmod, neg, pow, square, lerp
    unary.py        exp, log, sqrt, rsqrt, reciprocal, trigonometric and hyperbolic functions, sigmoid, relu
                    (and masked_grad / depends_on, the gradient helpers of piecewise ops)
    piecewise.py    abs, sign, clamp, floor, ceil, round, trunc, frac
    comparison.py   eq, ne, lt, le, gt, ge, equal, logical and bitwise ops, isnan, isinf, isfinite, signbit,
                    isclose, allclose; maximum, minimum, where
    _common.py      what they share: numpy's floating-point warnings off, torch's dtype promotion
"""
from . import arithmetic, unary, piecewise, comparison
from .arithmetic import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403
from .piecewise import *  # noqa: F401,F403
from .comparison import *  # noqa: F401,F403

__all__ = arithmetic.__all__ + unary.__all__ + piecewise.__all__ + comparison.__all__
