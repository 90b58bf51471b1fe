"""The error function: ``erf`` and ``erfc``, and the array routines ``gelu`` shares.

``erf`` is computed with W. J. Cody's rational Chebyshev approximations
(Math. Comp. 23, 1969, the SPECFUN routine CALERF), accurate to a few units
in the last place of float64: numpy has no erf of its own. ``erf_array_plain`` and
``erfc_array_plain`` are that definition; ``erf_array`` and ``erfc_array`` (what runs)
are the fast kernels on numpy arrays ("the fast path" below), compared with the plain
ones in tests/test_erf_fast.py.
"""
import math

from .. import _backend
from ..autograd.function import Function
from ._out import out_arg
from ..tensor import Tensor, _not_tensor
from ._common import _float_input
from .unary import exp


# ---------------------------------------------------------------- erf (Cody's CALERF)
# erf(x) = x * P(x^2) / Q(x^2)                         for |x| <= 0.46875
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
# erfc(y) = exp(-y^2) * P(y) / Q(y)                    for 0.46875 < y <= 4
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
# erfc(y) = exp(-y^2)/y * (1/sqrt(pi) + P(1/y^2)/(y^2 Q(1/y^2)))   for y > 4
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1      # 1/sqrt(pi)
_XBIG = 26.543                         # erfc(x) underflows to 0 in float64 beyond this


def _horner_pair(xp, t, p, q, k):
    """Cody's numerator and denominator polynomials in t, in place and in the plain kernels' order:
    num = (..((p[-1] t + p[0]) t + p[1]) t .. + p[k-1]) t + p[k], den likewise from t + q[0]."""
    num = t * p[-1]
    den = t.copy()
    for i in range(k):
        xp.add(num, p[i], out=num)
        xp.multiply(num, t, out=num)
        xp.add(den, q[i], out=den)
        xp.multiply(den, t, out=den)
    xp.add(num, p[k], out=num)
    xp.add(den, q[k], out=den)
    return num, den


def _erf_small(xp, xs):
    """Cody's erf for |x| <= 0.46875 of the gathered ``xs``: x P(x^2)/Q(x^2), as in ``erf_array_plain``."""
    num, den = _horner_pair(xp, xs * xs, _ERF_A, _ERF_B, 3)
    xp.multiply(xs, num, out=num)
    xp.divide(num, den, out=num)
    return num


def _times_exp_neg_square(xp, y, r):
    """r * exp(-y^2) for y <= _XBIG, in place in fresh arrays: exp(-ysq^2) * exp(-(y - ysq)(y + ysq)) with ysq = y
    rounded down to 1/16 (splitting the square keeps the rounding error of y^2 out of the exponent)."""
    ysq = xp.multiply(y, 16.0)
    xp.trunc(ysq, out=ysq)
    xp.divide(ysq, 16.0, out=ysq)
    delta = y - ysq
    xp.multiply(delta, xp.add(y, ysq), out=delta)
    xp.negative(delta, out=delta)
    xp.exp(delta, out=delta)
    xp.multiply(ysq, ysq, out=ysq)
    xp.negative(ysq, out=ysq)
    xp.exp(ysq, out=ysq)
    xp.multiply(ysq, delta, out=ysq)
    xp.multiply(ysq, r, out=ysq)
    return ysq


def _erfc_far(xp, y):
    """erfc(y) / exp(-y^2) for y > 4 (the elements gathered; may hold inf or nan): Cody's outer formula,
    0 from _XBIG on (erfc underflows in float64)."""
    yf = xp.minimum(y, _XBIG)
    z = 1.0 / (yf * yf)
    num, den = _ERF_P[5] * z, z
    for i in range(4):
        num = (num + _ERF_P[i]) * z
        den = (den + _ERF_Q[i]) * z
    rf = z * (num + _ERF_P[4]) / (den + _ERF_Q[4])
    rf = (_SQRPI - rf) / yf
    return xp.where(y >= _XBIG, 0.0, rf)


def _erfc_tail(xp, y):
    """erfc(y) for y > 0.46875 (y >= 0, may hold inf or nan), from Cody's two outer approximations."""
    r = xp.empty_like(y)
    mid = y <= 4.0
    if mid.any():
        num, den = _horner_pair(xp, y[mid], _ERF_C, _ERF_D, 7)
        r[mid] = num / den
    far = ~mid
    if far.any():
        r[far] = _erfc_far(xp, y[far])
    return _times_exp_neg_square(xp, xp.minimum(y, _XBIG), r)


def _in_float64(fn):
    """Run ``fn`` in float64 for lower precisions, then round once: results correctly rounded to float32."""
    def wrapped(x):
        if x.dtype.itemsize < 8:
            return fn(x.astype("float64")).astype(x.dtype)
        return fn(x)
    wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
    return wrapped


@_in_float64
def erf_array_plain(x):
    """erf of a float array (numpy or cupy), to float64 rounding accuracy (Cody's CALERF): the definition that
    ``erf_array`` (what runs) must equal. Each region gathered by a boolean mask and scattered back."""
    xp = _backend.array_module(x)
    y = xp.abs(x)
    out = xp.empty_like(x)
    small = y <= 0.46875
    if small.any():
        out[small] = _erf_small(xp, x[small])
    big = ~small
    if big.any():
        xb = x[big]
        r = (0.5 - _erfc_tail(xp, xp.abs(xb))) + 0.5
        out[big] = xp.where(xb < 0, -r, r)
    return out


@_in_float64
def erfc_array_plain(x):
    """erfc(x) = 1 - erf(x) of a float array, accurate also far in the tail where 1 - erf(x) would round to 0
    (Cody's CALERF, as ``erf_array_plain``): the definition that ``erfc_array`` must equal."""
    xp = _backend.array_module(x)
    y = xp.abs(x)
    out = xp.empty_like(x)
    small = y <= 0.46875
    if small.any():
        out[small] = 1.0 - erf_array_plain(x[small])
    big = ~small
    if big.any():
        xb = x[big]
        r = _erfc_tail(xp, xp.abs(xb))
        out[big] = xp.where(xb < 0, 2.0 - r, r)
    return out


# ---------------------------------------------------------------- the fast path (numpy)
# ``erf_array``/``erfc_array`` are what runs: on numpy arrays they take the fast kernels below, elsewhere (cupy)
# the plain ones. Boolean-mask gathers and scatters (``x[mask]``, ``out[mask] = v``) over a mixed mask cost about
# 1.2 ms per 301,056 elements (a branch per element); the fast kernels use no mask indexing.
#
# Narrow floats (float32, float16): one float64 rational approximation over the whole range, no regions, rounded
# once to the narrow type. Its relative error (below 1e-9: the fit's own error, plus a few float64 roundings) is
# far under 2^-24, the relative size of a float32 ulp at least, so the result differs from the correctly rounded
# one (and from the plain kernels', correctly rounded but for float64 rounding) by at most 1 ulp, and only
# where the exact value lies within ~1e-9 relative of a rounding boundary.
# The coefficients: relative minimax fits (linearised least squares re-weighted by the old denominator, then
# Lawson's weights), 40-digit mpmath on 300 Chebyshev nodes, normalised to a monic denominator, constant first.
#
# erf(x) = x * P(x^2) / Q(x^2),  |x| <= 4; max relative error of the fit 9.3e-10. Beyond 4, erf(x) rounds to +-1
# in float32 and float16 (erfc(4) = 1.5e-8 < 2^-25, half an ulp below 1), so x is clipped to [-4, 4].
_ERF_NARROW_P = (-1819849.5549108535, -269183.4985046193, -82153.96304677786, -4767.555057034961,
                 -493.1380600053851, 0.4649516628922316, 0.07231392873206825)
_ERF_NARROW_Q = (-1612799.6743341298, -776157.6182949081, -170245.86421801522, -21759.14352438789,
                 -1677.1242140076224, -66.12782058264646, 1.0)
_ERF_NARROW_MAX = 4.0
# erfc(y) = exp(-y^2) * P(y) / Q(y),  0 <= y <= 10.125; max relative error of the fit 8.0e-11. Beyond 10.125,
# erfc(y) < 1.7e-46 < 2^-150, half the smallest float32 subnormal: it rounds to 0, so y is clipped to 10.125.
# (y^2 of a float32 or float16 value is exact in float64, so exp(-y^2) is correct to a float64 rounding.)
_ERFC_NARROW_P = (56.450977241721354, 80.92622368541934, 56.44063761331411, 22.687785938194004,
                  5.231541444918081, 0.564188841983052)
_ERFC_NARROW_Q = (56.45097724621713, 144.62432976134951, 163.18075447215094, 104.65851046338285,
                  40.71435254160851, 9.272603883827044, 1.0)
_ERFC_NARROW_MAX = 10.125


def _poly(xp, c, t, out):
    """c[0] + c[1] t + ... + c[n] t^n into ``out`` (Horner, in place; a monic ``c`` skips the first product)."""
    if c[-1] == 1.0:
        xp.add(t, c[-2], out=out)
    else:
        xp.multiply(t, c[-1], out=out)
        xp.add(out, c[-2], out=out)
    for ck in c[-3::-1]:
        xp.multiply(out, t, out=out)
        xp.add(out, ck, out=out)
    return out


# The narrow kernels run in blocks of _BLOCK elements: their float64 temporaries (four of 256 KiB) stay in the
# L2 cache through the ~30 passes, where whole (64, 6, 28, 28) arrays (2.4 MB each) stream through L3:
# erf 1.9 -> 1.5 ms, erfc 2.6 -> 1.9 ms there under load. The same operations on the same values: the same bits.
_BLOCK = 32768


def _blocks(xp, flat, k):
    """Output of ``flat``'s size and dtype, k float64 buffers of one block, the block starts and the block size."""
    n = flat.size
    c = max(1, min(n, _BLOCK))
    return xp.empty(n, flat.dtype), [xp.empty(c, xp.float64) for _ in range(k)], range(0, n, c), c


def _erf_narrow(xp, x):
    """erf of a float32/float16 array through one float64 rational (see above), rounded once to x's dtype."""
    flat = xp.ravel(x)
    out, (t, z, p, q), starts, c = _blocks(xp, flat, 4)
    for s in starts:
        e = min(s + c, flat.size)
        t_, z_, p_, q_ = t[:e - s], z[:e - s], p[:e - s], q[:e - s]
        xp.clip(flat[s:e], -_ERF_NARROW_MAX, _ERF_NARROW_MAX, out=t_)           # in float64; NaN stays NaN
        xp.multiply(t_, t_, out=z_)
        _poly(xp, _ERF_NARROW_P, z_, p_)
        _poly(xp, _ERF_NARROW_Q, z_, q_)
        xp.divide(p_, q_, out=p_)
        xp.multiply(p_, t_, out=out[s:e], casting="same_kind")                  # x R(x^2), rounded once; -0. stays
    return out.reshape(x.shape)


def _erfc_narrow(xp, x):
    """erfc of a float32/float16 array: exp(-y^2) P(y)/Q(y) at y = |x|, and 2 - that for x < 0 (see above)."""
    flat = xp.ravel(x)
    y = xp.abs(flat)
    xp.clip(y, 0.0, _ERFC_NARROW_MAX, out=y)
    neg = flat < 0
    out, (t, w, p, q), starts, c = _blocks(xp, y, 4)
    for s in starts:
        e = min(s + c, y.size)
        t_, w_, p_, q_ = t[:e - s], w[:e - s], p[:e - s], q[:e - s]
        xp.copyto(t_, y[s:e])
        xp.multiply(t_, t_, out=w_)                                               # exact: y has <= 24 bits
        xp.negative(w_, out=w_)
        xp.exp(w_, out=w_)
        _poly(xp, _ERFC_NARROW_P, t_, p_)
        _poly(xp, _ERFC_NARROW_Q, t_, q_)
        xp.divide(p_, q_, out=p_)
        xp.multiply(p_, w_, out=p_)                                               # erfc(|x|), in [0, 1]
        xp.copyto(w_, neg[s:e])                                                   # |2 [x < 0] - erfc(|x|)|:
        xp.add(w_, w_, out=w_)                                                    # erfc(|x|) for x >= 0, and
        xp.subtract(w_, p_, out=w_)                                               # 2 - erfc(|x|) below 0, no
        xp.abs(w_, out=out[s:e], casting="same_kind")                             # branch; NaN stays NaN
    return out.reshape(x.shape)


# float64: Cody's regions as in the plain kernels, through the same formula helpers (so the same bits), each
# region's elements gathered by index (``flatnonzero`` and ``take``: about a tenth of a boolean mask's cost) and
# written back with ``put``; the far tail (y > 4, rare) only when there is one.
def _erfc_tail_fast(xp, y):
    """``_erfc_tail``'s values (y > 0.46875, may hold inf or nan) without mask indexing."""
    far = y > 4.0
    any_far = bool(far.any())
    ym = xp.minimum(y, 4.0) if any_far else y       # the mid formula on every element (garbage-free where far)
    num, den = _horner_pair(xp, ym, _ERF_C, _ERF_D, 7)
    r = xp.divide(num, den, out=num)
    if any_far:                                      # the plain far formula on the few far elements
        i_far = xp.flatnonzero(far)
        r[i_far] = _erfc_far(xp, y[i_far])
    return _times_exp_neg_square(xp, xp.minimum(y, _XBIG) if any_far else y, r)


def _regions64(xp, x):
    """x flattened (a copy where not contiguous), |x|, and the indices of |x| <= 0.46875 and of the rest (NaN)."""
    flat = xp.ravel(x)
    y = xp.abs(flat)
    small = y <= 0.46875
    return flat, y, xp.flatnonzero(small), xp.flatnonzero(~small)


def _erf64(xp, x):
    flat, y, i_small, i_big = _regions64(xp, x)
    out = xp.empty_like(flat)
    if i_small.size:
        xp.put(out, i_small, _erf_small(xp, xp.take(flat, i_small)))
    if i_big.size:
        r = _erfc_tail_fast(xp, xp.take(y, i_big))
        xp.subtract(0.5, r, out=r)
        xp.add(r, 0.5, out=r)
        xp.copysign(r, xp.take(flat, i_big), out=r)  # r >= 0 (or NaN): the plain where(x < 0, -r, r)
        xp.put(out, i_big, r)
    return out.reshape(x.shape)


def _erfc64(xp, x):
    flat, y, i_small, i_big = _regions64(xp, x)
    out = xp.empty_like(flat)
    if i_small.size:
        r = _erf_small(xp, xp.take(flat, i_small))
        xp.subtract(1.0, r, out=r)
        xp.put(out, i_small, r)
    if i_big.size:
        r = _erfc_tail_fast(xp, xp.take(y, i_big))
        neg = xp.take(flat, i_big) < 0
        i_neg = xp.flatnonzero(neg)
        r[i_neg] = 2.0 - r[i_neg]
        xp.put(out, i_big, r)
    return out.reshape(x.shape)


def _fast_kind(xp, x):
    """'narrow', 'double' or None (the plain kernels): numpy float arrays of at least one dimension."""
    if xp.__name__ != "numpy" or x.dtype.kind != "f" or x.ndim == 0:
        return None
    return "double" if x.dtype.itemsize == 8 else ("narrow" if x.dtype.itemsize in (2, 4) else None)


def erf_array(x):
    """``erf_array_plain``, fast on numpy arrays (see above): float32/float16 within 1 ulp of it, float64 the
    same bits. Elsewhere (cupy, 0-d) the plain kernel."""
    xp = _backend.array_module(x)
    kind = _fast_kind(xp, x)
    if kind is None:
        return erf_array_plain(x)
    return _erf_narrow(xp, x) if kind == "narrow" else _erf64(xp, x)


def erfc_array(x):
    """``erfc_array_plain``, fast on numpy arrays (as ``erf_array``)."""
    xp = _backend.array_module(x)
    kind = _fast_kind(xp, x)
    if kind is None:
        return erfc_array_plain(x)
    return _erfc_narrow(xp, x) if kind == "narrow" else _erfc64(xp, x)


_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) * int_0^x e^(-t^2) dt.   dy/dx = 2/sqrt(pi) * e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRTPI)


class Erfc(Function):
    """y = erfc(x) = 1 - erf(x).   dy/dx = -2/sqrt(pi) * e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc_array(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (exp(-(x * x)) * -_TWO_OVER_SQRTPI)


@out_arg("erf")
def erf(input):
    """The error function, elementwise."""
    if not isinstance(input, Tensor):
        _not_tensor("erf", input)
    return Erf.apply(_float_input(input))


@out_arg("erfc")
def erfc(input):
    """The complementary error function 1 - erf(x), elementwise (accurate in the tail)."""
    if not isinstance(input, Tensor):
        _not_tensor("erfc", input)
    return Erfc.apply(_float_input(input))


__all__ = ["erf", "erfc", "erf_array", "erfc_array", "erf_array_plain", "erfc_array_plain"]
