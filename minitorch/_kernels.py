"""Fused GPU kernels for the hot spots of a training step.

On a GPU a small op costs a kernel launch (tens of microseconds of host time
through cupy) whatever its size, so a step made of many small array calls is
bound by launches, not arithmetic. The functions here do in ONE kernel what
the generic array code does in several:

=======================  ===========================================================  ==================
function                 computes                                                     replaces
=======================  ===========================================================  ==================
``threshold_backward``   ``z = g if y > 0 else 0`` (ReLU's backward)                   5 array calls
``sgd_momentum``         ``b = μb + (1-τ)g;  θ = θ - γ(g + μb if nesterov else b)``    4-6 calls per tensor
``cross_entropy``        per row: ``lse = log Σ exp x``, ``loss = lse - x[t]``          ~25 calls
``cross_entropy_grad``   ``dx = u w (exp(x - lse) - [c = t])``                        ~10 calls
``col2im``               the convolution's input gradient from its column gradient    2 per kernel offset
``channel_affine(2)``    batch norm's ``x s[c] + t[c]`` and ``g k1[c] + x k2[c] + k3[c]``  2-4 full passes
``sum_of_products``      ``Σ a b`` over axes without the ``a b`` array                   2 passes
``maxpool2x2_backward``  2x2/stride-2 max pool's gradient, argmax found in the kernel   ~10 calls, a sync
=======================  ===========================================================  ==================

Each function takes backend arrays and returns ``None`` when it does not apply
(numpy arrays: the CPU path is the generic code; a dtype other than float32 or
float64; or ``MINITORCH_FUSED_KERNELS=0`` in the environment, to measure what
the kernels win or to rule them out). The caller then runs the generic array
code, which computes the same function: the GPU parity tests compare both with
torch. The kernels are built from the array module itself
(``xp.ElementwiseKernel``), so this module imports neither numpy nor cupy;
cupy compiles each kernel once per dtype and caches it on disk.

Errors inside a kernel (a class index out of range) cannot stop the host
without a synchronisation, which would stall the launch queue every step. The
kernel records the bad value in a small device buffer instead, and
``_backend.raise_deferred_errors`` raises torch's error the next time the host
waits for the device anyway (``item()``, ``numpy()``, printing, ``synchronize``),
as torch's device-side asserts do.
"""
import functools
import os
import warnings

from . import _backend

ENABLED = os.environ.get("MINITORCH_FUSED_KERNELS", "1") != "0"
_FLOAT_KINDS = ("float32", "float64")
_built = {}


def available(xp, *arrays):
    """True when ``xp`` can build kernels (cupy) and the arrays are all float32 or all float64."""
    return (ENABLED and hasattr(xp, "ElementwiseKernel") and arrays[0].dtype.name in _FLOAT_KINDS
            and all(a.dtype == arrays[0].dtype for a in arrays))


BROKEN = {}        # kernel name -> why it could not be built or launched here (the generic code runs instead)


class _Unbuildable(Exception):
    pass


class _Checked:
    """A kernel whose first launch is watched: cupy compiles on first launch, and a kernel that cannot be
    compiled on this machine is recorded in ``BROKEN`` with one warning, and the generic array code takes
    over (a compile error happens before anything is written, so in-place kernels are safe to retry)."""

    def __init__(self, name, build):
        self.name, self.build, self.kernel = name, build, None

    def __call__(self, *args, **kwargs):
        if self.kernel is not None and self.name not in BROKEN:
            return self.kernel(*args, **kwargs)
        if self.name in BROKEN:
            raise _Unbuildable(self.name)
        try:
            k = self.build()
            out = k(*args, **kwargs)
        except Exception as e:
            BROKEN[self.name] = f"{type(e).__name__}: {e}"
            warnings.warn(f"minitorch: the fused GPU kernel {self.name!r} could not be built here "
                          f"({type(e).__name__}: {str(e)[:200]}); the generic array code runs instead",
                          RuntimeWarning, stacklevel=3)
            raise _Unbuildable(self.name) from e
        self.kernel = k
        return out


def _kernel(xp, name, in_params, out_params, body, options=()):
    """The ElementwiseKernel ``name`` of module ``xp``, built on first use (``options``: for the compiler)."""
    k = _built.get((xp.__name__, name))
    if k is None:
        extra = {"options": options} if options else {}
        k = _built[(xp.__name__, name)] = _Checked(name, lambda: xp.ElementwiseKernel(
            in_params, out_params, body, "minitorch_" + name, **extra))
    return k


def _fallback_on_failure(fn):
    """Make a kernel function return None (use the generic code) when its kernel cannot be built here."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _Unbuildable:
            return None
    return wrapper


# ---------------------------------------------------------------- ReLU backward
@_fallback_on_failure
def threshold_backward(xp, g, y):
    """``g`` where ``y > 0`` (or y is NaN), else +0: ReLU's backward in one pass."""
    if not available(xp, g, y):
        return None
    k = _kernel(xp, "threshold_backward", "T g, T y", "T z", "z = (y <= (T)0) ? (T)0 : g")
    return k(g, y)


# ---------------------------------------------------------------- SGD with momentum
@_fallback_on_failure
def sgd_momentum(xp, theta, g, buf, momentum, dampening, lr, nesterov):
    """In place: ``buf = μ buf + (1-τ) g``, then ``θ = θ - γ d`` with ``d = g + μ buf`` (Nesterov) or ``buf``.

    Returns True when done here (else the caller runs the generic update).
    """
    if not available(xp, theta, g, buf):
        return None
    # rounded as torch's foreach ops round: buf.mul_(μ) and .add_(g, alpha=1-τ) are separate ops; each add
    # with alpha is one fused multiply-add (nvcc contracts a + alpha * b); no other contraction (--fmad=false)
    k = _kernel(xp, "sgd_momentum", "T g, float64 mu, float64 damp, float64 neg_lr, bool nesterov", "T b, T p",
                """
                const T nb = fma((T)damp, g, b * (T)mu);
                b = nb;
                p = fma((T)neg_lr, nesterov ? fma((T)mu, nb, g) : nb, p);
                """, options=("--fmad=false",))
    k(g, momentum, 1.0 - dampening, -lr, bool(nesterov), buf, theta)
    return True


# ---------------------------------------------------------------- cross-entropy
_CE_FORWARD = """
const long long base = (long long)i * C;
T m = x[base];
for (long long c = 1; c < C; ++c) {
    const T v = x[base + c];
    m = (v > m || v != v) ? v : m;                  // the row's max (NaN wins, as in numpy)
}
T s = 0;
for (long long c = 0; c < C; ++c) s += exp(x[base + c] - m);
const T l = log(s);
lse = m + l;
bool valid = t != ignore;
if (valid && (t < 0 || t >= C)) {                   // recorded, raised at the next host sync
    err[0] = 1;
    err[1] = t;
    valid = false;
}
w = valid ? (T)1 : (T)0;
loss = valid ? l - (x[base + t] - m) : (T)0;        // -log softmax(x)[t] = lse - x[t]
"""

_CE_BACKWARD = """
const long long n = i / C, c = i % C;
const T u = mode == 2 ? g[n] : (mode == 1 ? g[0] / den[0] : g[0]);
const T p = exp(x - lse[n]);
gx = w[n] == (T)0 ? (T)0 : u * (p - (c == t[n] ? (T)1 : (T)0));
"""

_REDUCTION_MODE = {"sum": 0, "mean": 1, "none": 2}


def _error_buffer(xp, arr):
    """The device's 2-element int64 buffer [flag, value] in which kernels record a bad index."""
    dev = _backend.device_of(arr)
    buf = _backend._deferred_errors.get(dev)
    if buf is None:
        with _backend.device_guard(dev):
            buf = _backend._deferred_errors[dev] = xp.zeros(2, dtype=xp.int64)
    return buf


@_fallback_on_failure
def cross_entropy(xp, x2, t, ignore_index):
    """Per row of logits ``x2`` (rows, C) with class targets ``t``: ``(loss, lse, w)`` in one pass.

    ``lse = log Σ_c exp x[n, c]`` (shifted by the row max), ``loss = lse - x[n, t_n]`` and ``w = 1``, or
    ``loss = w = 0`` where ``t_n == ignore_index``. ``loss`` and ``w`` are the two rows of one (2, rows)
    array, so one ``sum(axis=1)`` reduces both. A target outside [0, C) is recorded for a deferred IndexError.
    """
    if not available(xp, x2) or t.dtype.name != "int64":
        return None
    k = _kernel(xp, "cross_entropy", "raw T x, int64 t, int64 C, int64 ignore", "T loss, T lse, T w, raw int64 err",
                _CE_FORWARD)
    rows, c = x2.shape
    x2 = xp.ascontiguousarray(x2)
    lw = xp.empty((2, rows), dtype=x2.dtype)
    lse = xp.empty(rows, dtype=x2.dtype)
    err = _error_buffer(xp, x2)
    k(x2, t, c, ignore_index, lw[0], lse, lw[1], err)
    _backend.defer_error_check(err)
    return lw, lse


@_fallback_on_failure
def cross_entropy_grad(xp, x2, lse, t, w, grad, denom, reduction):
    """``dL/dx[n, c] = u_n w_n (exp(x[n, c] - lse_n) - [c = t_n])`` in one pass over the (rows, C) logits.

    ``u_n`` is the upstream gradient: ``grad`` ('sum'), ``grad / denom`` ('mean') or ``grad[n]`` ('none').
    """
    if not available(xp, x2, grad):
        return None
    k = _kernel(xp, "cross_entropy_grad", "T x, raw T lse, raw int64 t, raw T w, raw T g, raw T den, int64 C, "
                "int32 mode", "T gx", _CE_BACKWARD)
    g = xp.ascontiguousarray(grad.reshape(-1)).astype(x2.dtype, copy=False)
    den = denom if denom is not None else g
    return k(xp.ascontiguousarray(x2), lse, t, w, g, den, x2.shape[1], _REDUCTION_MODE[reduction])


# ---------------------------------------------------------------- convolution: input gradient
_COL2IM = """
const long long w_ = i % W, h_ = (i / W) % H, c_ = (i / (W * H)) % C, n_ = i / (W * H * C);
T acc = 0;
for (long long ki = 0; ki < KH; ++ki) {
    const long long yy = h_ + PT - ki * DH;          // = oy * SH for the output row that used this pixel
    if (yy < 0) break;
    if (yy % SH) continue;
    const long long oy = yy / SH;
    if (oy >= HO) continue;
    for (long long kj = 0; kj < KW; ++kj) {
        const long long xx = w_ + PL - kj * DW;
        if (xx < 0) break;
        if (xx % SW) continue;
        const long long ox = xx / SW;
        if (ox >= WO) continue;
        acc += cols[(((c_ * KH + ki) * KW + kj) * N + n_) * (HO * WO) + oy * WO + ox];
    }
}
dx = acc;
"""


@_fallback_on_failure
def col2im(xp, dcols, x_shape, kh, kw, ho, wo, stride, pads, dilation):
    """The input gradient (N, C, H, W) from the column gradient ``dcols`` laid out (C, kh, kw, N, Ho, Wo).

    Each input pixel gathers the column entries that read it, kernel offsets in order
    (``dx[n, c, h, w] = Σ_{i,j} dcols[c, i, j, n, oy, ox]`` over ``oy*sh + i*dh = h + pt``,
    ``ox*sw + j*dw = w + pl``): no atomics, one pass.
    """
    if not available(xp, dcols):
        return None
    k = _kernel(xp, "col2im", "raw T cols, int64 N, int64 C, int64 H, int64 W, int64 KH, int64 KW, int64 HO, "
                "int64 WO, int64 SH, int64 SW, int64 PT, int64 PL, int64 DH, int64 DW", "T dx", _COL2IM)
    n, c, h, w = x_shape
    dx = xp.empty(x_shape, dtype=dcols.dtype)
    k(xp.ascontiguousarray(dcols), n, c, h, w, kh, kw, ho, wo, stride[0], stride[1], pads[0], pads[2],
      dilation[0], dilation[1], dx)
    return dx


# ---------------------------------------------------------------- batch normalisation
def _channels(x):
    """(C, S) of (N, C, ...) ``x``: the channel count and the number of elements per (sample, channel)."""
    s = 1
    for d in x.shape[2:]:
        s *= d
    return x.shape[1], s


@_fallback_on_failure
def channel_affine(xp, x, scale, shift, out=None):
    """``y[n, c, ...] = x[n, c, ...] * scale[c] + shift[c]`` for contiguous (N, C, ...) ``x`` in one pass
    (into ``out``, which may be ``x`` itself)."""
    if not available(xp, x, scale, shift) or x.ndim < 2:
        return None
    k = _kernel(xp, "channel_affine", "T x, raw T scale, raw T shift, int64 C, int64 S", "T y",
                "const long long c = (i / S) % C; y = x * scale[c] + shift[c];")
    return k(x, scale, shift, *_channels(x), out)


@_fallback_on_failure
def channel_affine2(xp, g, x, k1, k2, k3):
    """``out[n, c, ...] = g k1[c] + x k2[c] + k3[c]`` in one pass: batch norm's input gradient."""
    if not available(xp, g, x, k1, k2, k3) or x.ndim < 2:
        return None
    k = _kernel(xp, "channel_affine2", "T g, T x, raw T k1, raw T k2, raw T k3, int64 C, int64 S", "T y",
                "const long long c = (i / S) % C; y = g * k1[c] + x * k2[c] + k3[c];")
    return k(xp.ascontiguousarray(g), xp.ascontiguousarray(x), k1, k2, k3, *_channels(x))


@_fallback_on_failure
def sum_of_products(xp, a, b, axis):
    """``Σ a b`` over ``axis`` in one reduction pass (no ``a * b`` array); ``sum_of_products(x, x)`` = Σ x²."""
    if not (available(xp, a, b) and hasattr(xp, "ReductionKernel")):
        return None
    k = _built.get((xp.__name__, "sum_of_products"))
    if k is None:
        k = _built[(xp.__name__, "sum_of_products")] = _Checked("sum_of_products", lambda: xp.ReductionKernel(
            "T u, T v", "T s", "u * v", "a + b", "s = a", "0", "minitorch_sum_of_products"))
    return k(a, b, axis=axis)


# ---------------------------------------------------------------- 2x2 max pool: backward
_MAXPOOL2X2_BACKWARD = """
const long long w_ = i % W, h_ = (i / W) % H, nc = i / (W * H);
const long long oy = h_ / 2, ox = w_ / 2;
if (oy >= HO || ox >= WO) {
    gx = (T)0;                                      // a row or column no window reads (odd size)
} else {
    const long long base = (nc * H + 2 * oy) * W + 2 * ox;
    int best = 0;
    T m = x[base];
    for (int k = 1; k < 4; ++k) {                   // torch's scan: a larger value or a NaN takes over
        const T v = x[base + (k / 2) * W + (k % 2)];
        if (v > m || v != v) { m = v; best = k; }
    }
    const int mine = (int)((h_ - 2 * oy) * 2 + (w_ - 2 * ox));
    gx = best == mine ? g[(nc * HO + oy) * WO + ox] : (T)0;
}
"""


@_fallback_on_failure
def maxpool2x2_backward(xp, x, g):
    """The input gradient of a 2x2, stride-2 max pool of (N, C, H, W) ``x``: each window's gradient goes to
    its maximum (the first one; a NaN counts as the maximum, as in torch), found again from ``x``. One pass."""
    if not available(xp, x, g):
        return None
    k = _kernel(xp, "maxpool2x2_backward", "raw T x, raw T g, int64 H, int64 W, int64 HO, int64 WO", "T gx",
                _MAXPOOL2X2_BACKWARD)
    n, c, h, w = x.shape
    gx = xp.empty(x.shape, dtype=x.dtype)
    k(xp.ascontiguousarray(x), xp.ascontiguousarray(g), h, w, g.shape[2], g.shape[3], gx)
    return gx
