"""The fast erf/erfc kernels (``erf_array``/``erfc_array``, what runs on numpy arrays) against the plain ones
(``erf_array_plain``/``erfc_array_plain``: Cody's CALERF in float64, the definition), and GELU, which runs them.

Bounds, from the error analysis in ``minitorch/ops/erf.py``:
- float32 and float16: the fast kernels evaluate one float64 rational whose relative error (fit 9.3e-10 for erf,
  8.0e-11 for erfc, plus a few float64 roundings) is under 2^-24, the smallest relative size of a float32 ulp; the
  plain ones are correctly rounded but for ~1e-16. Both round a value within 1 ulp of the exact one: at most 1 ulp
  apart. They differ only where the exact value lies within that error of a rounding boundary: at most a fraction
  2 * 9.3e-10 * 2^24 = 3.1% of values (erf; erfc 0.3%).
- float64: the same Cody formulas in the same order on the same values: the same bits (NaN where NaN).
"""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.ops import erf as E
from minitorch.ops.erf import erf_array, erfc_array, erf_array_plain, erfc_array_plain

KERNELS = [("erf", erf_array, erf_array_plain), ("erfc", erfc_array, erfc_array_plain)]
# the largest fraction of values a fast float32 kernel may round the other way (module docstring)
MISMATCH_BOUND = {"erf": 2 * 9.3e-10 * 2.0 ** 24, "erfc": 2 * 8.0e-11 * 2.0 ** 24}
_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def ordered(a):
    """Floats as integers in the floats' order (-0. and +0. both 0): adjacent floats differ by 1."""
    b = a.view(_INT[a.dtype.itemsize]).astype(np.int64)
    magnitude = np.int64((1 << (8 * a.dtype.itemsize - 1)) - 1)
    return np.where(b < 0, -(b & magnitude), b)


def ulps(fast, plain):
    """ulp distances of two results (same shape and dtype); NaN must stand exactly where the other has NaN."""
    assert fast.shape == plain.shape and fast.dtype == plain.dtype
    nan = np.isnan(plain)
    assert np.array_equal(np.isnan(fast), nan)
    return np.abs(ordered(np.where(nan, 0, fast)) - ordered(np.where(nan, 0, plain)))


def specials(dtype):
    f = np.finfo(dtype)
    v = [0.0, f.tiny, f.smallest_subnormal, 1e-30, 0.46875, 0.5, 1.0, 3.9, 4.0, 4.5, 5.9, 6.0, 9.0, 10.0, 10.05,
         10.07, 10.125, 10.2, 26.5, 26.543, 26.6, 27.0, 30.0, 1e10, f.max, np.inf]
    v = np.array([w for w in v if w == np.inf or float(w) <= float(f.max)], dtype=dtype)
    with np.errstate(over="ignore"):
        v = np.concatenate([v, np.nextafter(v, dtype(0)), np.nextafter(v, dtype(np.inf))])
    return np.concatenate([v, -v, np.array([np.nan, -np.nan], dtype)])


def float32_sweep():
    """Every 97th float32 in [0, 10.2] (all binades down to the subnormals: bit patterns), every 7919th up to
    30, both signs, and the special values."""
    top, far = (np.array(v, np.float32).view(np.int32) for v in (10.2, 30.0))
    bits = np.concatenate([np.arange(0, top, 97), np.arange(top, far + 1, 7919)]).astype(np.uint32)
    x = bits.view(np.float32)
    return np.concatenate([x, -x, specials(np.float32)])


@pytest.mark.parametrize("name,fast,plain", KERNELS)
def test_float32_dense_sweep_within_one_ulp(name, fast, plain):
    x = float32_sweep()
    d = ulps(fast(x), plain(x))
    assert d.max() <= 1, (x[np.argmax(d)], d.max())
    assert (d > 0).mean() <= MISMATCH_BOUND[name], (d > 0).mean()


@pytest.mark.parametrize("name,fast,plain", KERNELS)
def test_every_float16_within_one_ulp(name, fast, plain):
    """Every float16 but the signalling NaNs (exponent all ones, the quiet bit 0x200 clear, payload not 0): those
    raise the invalid flag (a RuntimeWarning) in both kernels, as any arithmetic on them; the rest warn nothing."""
    bits = np.arange(2 ** 16, dtype=np.uint32).astype(np.uint16)
    signalling = ((bits & 0x7C00) == 0x7C00) & ((bits & 0x200) == 0) & ((bits & 0x3FF) != 0)
    x = bits[~signalling].view(np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ulps(fast(x), plain(x)).max(initial=0) <= 1
    with np.errstate(invalid="ignore"):
        assert np.isnan(fast(bits[signalling].view(np.float16))).all()


@pytest.mark.parametrize("name,fast,plain", KERNELS)
def test_float64_same_bits(name, fast, plain):
    """A dense sweep of [-30, 30], tiny magnitudes, Cody's breakpoints and their neighbours, specials."""
    x = np.concatenate([np.linspace(-30, 30, 400001), np.geomspace(1e-310, 30, 20000), specials(np.float64),
                        np.random.default_rng(0).standard_normal(100000) * 3])
    x = np.concatenate([x, -x])
    assert ulps(fast(x), plain(x)).max(initial=0) == 0


def arrays(draw_shape, dtype, seed, layout):
    """Normal values over several scales with the special values mixed in; a contiguous, strided or
    transposed array."""
    r = np.random.default_rng(seed)
    shape = draw_shape if layout != "strided" else draw_shape[:-1] + (2 * draw_shape[-1],)
    x = r.standard_normal(shape) * r.choice([0.1, 1.0, 4.0, 12.0], size=shape)
    sp = specials(dtype)
    pick = r.random(shape) < 0.2
    x[pick] = r.choice(sp, size=int(pick.sum()))
    x = x.astype(dtype)
    if layout == "strided":
        x = x[..., ::2]
    elif layout == "transposed":
        x = x.T
    return x


@given(st.sampled_from([(0,), (1,), (7,), (3, 0, 2), (5, 7), (2, 3, 4, 5), (4100,), (64, 6, 7, 7), (3, 33000)]),
       st.sampled_from([np.float16, np.float32, np.float64]), st.integers(0, 2 ** 16),
       st.sampled_from(["contiguous", "strided", "transposed"]))
def test_fast_equals_plain_on_any_array(shape, dtype, seed, layout):
    x = arrays(shape, dtype, seed, layout)
    before = x.copy()
    for _, fast, plain in KERNELS:
        a, b = fast(x), plain(x)
        assert type(a) is np.ndarray and a.shape == x.shape and a.dtype == x.dtype
        assert ulps(a, b).max(initial=0) <= (0 if dtype == np.float64 else 1)
    assert np.array_equal(x, before, equal_nan=True)             # the input is not written


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_zero_dim(dtype):
    for v in (0.3, -0.0, np.nan, -np.inf, 5.0):
        x = np.array(v, dtype)
        for _, fast, plain in KERNELS:
            a, b = fast(x), plain(x)
            assert a.shape == () and a.dtype == x.dtype and ulps(a, b).max(initial=0) <= (dtype != np.float64)


def test_the_fast_kernels_run_on_numpy(monkeypatch):
    """On numpy arrays the fast kernels never fall back to the plain ones (so the comparisons above compare two)."""
    def refuse(x):
        raise AssertionError("plain kernel")
    monkeypatch.setattr(E, "erf_array_plain", refuse)
    monkeypatch.setattr(E, "erfc_array_plain", refuse)
    for dtype in (np.float16, np.float32, np.float64):
        x = arrays((50,), dtype, 0, "strided")
        E.erf_array(x), E.erfc_array(x)
    F.gelu(mt.randn(3, 4))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_special_values_as_torch(dtype):
    """The exact values torch gives, sign of zero included: erf(+-inf) = +-1, erfc(+inf) = 0, erfc(-inf) = 2,
    erf(-0.) = -0., NaN stays NaN, the tails past underflow and rounding to +-1 (erf(6) is 1 in float64 too);
    gelu(-inf) is NaN in torch (-inf * 0), as here, gelu(-30) -0."""
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    x = [np.inf, -np.inf, np.nan, 0.0, -0.0, 30.0, -30.0]
    # erf(6) rounds to 1 in float64 too; erfc(10.1) and erfc(27) to 0 in float32 (in float64 erfc(27) is a
    # subnormal torch gives and Cody's cut-off at 26.543, the plain kernel's, does not: a divergence kept)
    extra = {mt.erf: [6.0, -6.0, 10.1], mt.erfc: [10.1, 27.0] if np_dtype == np.float32 else [], F.gelu: []}
    for f, g in ((mt.erf, torch.erf), (mt.erfc, torch.erfc), (F.gelu, torch.nn.functional.gelu)):
        # gelu: not +inf: torch's float32 gelu(+inf) is NaN past its one-element path (inf there and in
        # float64); ours is inf throughout
        xs = np.array((x[1:] if f is F.gelu else x) + extra[f], np_dtype)
        a, b = f(mt.tensor(xs)).numpy(), g(torch.from_numpy(xs)).numpy()
        np.testing.assert_array_equal(a, b)
        nz = ~np.isnan(b)
        assert np.array_equal(np.signbit(a[nz]), np.signbit(b[nz]))


def test_gelu_forward_and_backward_with_the_fast_kernel():
    """GELU on a large float32 array against GELU through the plain kernel: the fast erf moves erf by at most 1
    ulp (<= 2^-24 below 1, 2^-23 at 1), which moves 0.5 x (1 + erf) by at most 0.5 |x| 2^-23, plus a rounding
    of each result (2 ulp between them); the backward through ``mt.erf`` likewise, its gradient against torch."""
    x = np.random.default_rng(1).standard_normal((64, 6, 28, 28)).astype(np.float32) * 3
    x.flat[:8] = [0.0, -0.0, 1e-40, -30.0, 30.0, np.nan, 9.0, -9.0]
    t = mt.tensor(x, requires_grad=True)
    y = F.gelu(t)
    ref = 0.5 * x * (1.0 + erf_array_plain(x * np.float32(math.sqrt(0.5))))
    tol = 0.5 * np.abs(x) * 2.0 ** -23 + 2 * np.spacing(np.abs(ref))
    a = y.detach().numpy()
    np.testing.assert_array_equal(np.isnan(a), np.isnan(ref))
    assert np.all((np.abs(a - ref) <= tol) | np.isnan(ref))
    y.sum().backward()
    xt = torch.from_numpy(x.astype(np.float64)).requires_grad_()
    torch.nn.functional.gelu(xt).sum().backward()
    g, gt = t.grad.numpy(), xt.grad.numpy()
    # float32 arithmetic on the float64 reference: the derivative Phi + x phi is at most 1.13, a few roundings
    np.testing.assert_allclose(g, gt, rtol=8 * 2.0 ** -24, atol=8 * 2.0 ** -24, equal_nan=True)


def test_a_device_array_takes_the_plain_kernels(fake_cuda):
    """cupy arrays go through the plain kernels (only array-module calls cupy has): the same bits as they give."""
    for dtype in (np.float32, np.float64):
        x = arrays((300,), dtype, 3, "contiguous")
        xc = mt.tensor(x).cuda()
        for f, plain in ((mt.erf, erf_array_plain), (mt.erfc, erfc_array_plain)):
            np.testing.assert_array_equal(f(xc).cpu().numpy(), plain(x))
        y = F.gelu(xc).cpu().numpy()
        np.testing.assert_array_equal(y, 0.5 * x * (1.0 + erf_array_plain(x * dtype(math.sqrt(0.5)))))
