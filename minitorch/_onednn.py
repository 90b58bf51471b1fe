"""Convolutions on the CPU through oneDNN, the library torch's own CPU convolutions run on (optional).

minitorch's convolutions are written in numpy (``ops/conv.py``: im2col and one matrix product, the
version to read). A matrix product can only be as fast as numpy's BLAS, and with thin layers or an
OpenBLAS forced onto an older kernel that is well below what a CPU can do. oneDNN computes a
convolution directly, with code generated for the CPU it runs on (AVX-512 here), on its own blocked
memory layouts. With the ``onednn`` extra installed (``pip install minitorch[onednn]``: the
``onednn-cpu-gomp`` wheel, Linux x86-64) float32 convolutions on the CPU run here: the forward pass,
the input gradient and the weight gradient, each one oneDNN primitive between two layout changes
(reorders) from and to numpy's plain layout. ``minitorch.backends.mkldnn.enabled = False`` (or
``MINITORCH_MKLDNN=0`` in the environment) runs the numpy code instead, as torch's flag of that name
does for its own use of the library. Everything else (other dtypes, GPU arrays, a geometry oneDNN has
only its slow reference code for) runs the numpy code, which stays the reference the tests compare
this path with.

The library is called through ``ctypes`` and its C API (``dnnl.h``, oneDNN 3.x): no compiled code of
ours. A call builds (once per shape and layout, then cached) a *primitive descriptor* from memory
descriptors of the arrays, lets oneDNN choose its layouts (``format any``), and runs: reorder in,
the convolution, reorder out. Found by: ``MINITORCH_ONEDNN_LIBRARY`` (a path), else ``libdnnl.so.3``
in the environment's ``lib`` folder, where the wheel puts it.
"""
import collections
import ctypes
import ctypes.util
import os
import site
import sys
import threading

from . import _backend

# numbers from oneDNN 3.x's C API (include/oneapi/dnnl/dnnl_types.h)
_CPU, _IN_ORDER, _F32, _FORMAT_ANY = 1, 1, 3, 1
_FORWARD_TRAINING, _CONVOLUTION_DIRECT = 64, 1
_SRC, _DST, _WEIGHTS, _BIAS, _DIFF_SRC, _DIFF_DST, _DIFF_WEIGHTS = 1, 17, 33, 41, 129, 145, 161
_QUERY_IMPL_INFO = 8
_QUERY_MD = {_SRC: (129, 0), _DIFF_SRC: (130, 0), _WEIGHTS: (131, 0), _BIAS: (131, 1), _DIFF_WEIGHTS: (132, 0),
             _DST: (133, 0), _DIFF_DST: (134, 0)}      # (what, index): the layout a primitive chose for an argument
_Dims = ctypes.c_int64 * 12
_p = ctypes.c_void_p


class _Arg(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_int), ("memory", _p)]


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_int), ("minor", ctypes.c_int), ("patch", ctypes.c_int), ("hash", ctypes.c_char_p),
                ("cpu_runtime", ctypes.c_uint), ("gpu_runtime", ctypes.c_uint)]


_state = {}                   # "lib", "engine", "stream" once loaded; "why" when it cannot be
_lock = threading.Lock()      # one call at a time (the primitives share the library's scratchpad)


def _candidates():
    path = os.environ.get("MINITORCH_ONEDNN_LIBRARY")
    if path:
        return [path]
    prefixes = [sys.prefix, sys.base_prefix, site.getuserbase()]
    found = ctypes.util.find_library("dnnl")
    return [os.path.join(p, "lib", "libdnnl.so.3") for p in prefixes] + ([found] if found else [])


def _load():
    """The library, engine and stream, loaded on first use; None (with the reason kept) when there is none."""
    if "lib" in _state or "why" in _state:
        return _state.get("lib")
    lib = None
    for path in _candidates():
        if path and (os.path.exists(path) or "/" not in path):
            try:
                lib = ctypes.CDLL(path)
                break
            except OSError as e:
                _state["why"] = f"{path} could not be loaded ({e})"
    if lib is None:
        _state.setdefault("why", "oneDNN is not installed (pip install minitorch[onednn], Linux x86-64)")
        return None
    lib.dnnl_version.restype = ctypes.POINTER(_Version)
    lib.dnnl_primitive_desc_query_md.restype = _p
    lib.dnnl_memory_desc_get_size.restype = ctypes.c_size_t
    v = lib.dnnl_version().contents
    if v.major != 3:
        _state["why"] = f"oneDNN {v.major}.{v.minor} found; minitorch speaks the 3.x API"
        return None
    engine, stream = _p(), _p()
    if lib.dnnl_engine_create(ctypes.byref(engine), _CPU, 0) or \
            lib.dnnl_stream_create(ctypes.byref(stream), engine, _IN_ORDER):
        _state["why"] = "oneDNN could not create a CPU engine"
        return None
    _state.update(lib=lib, engine=engine, stream=stream, version=f"{v.major}.{v.minor}.{v.patch}")
    _state.setdefault("threads", _omp("omp_get_max_threads") or 1)
    return lib


def _after_fork_in_child():
    """A process forked after oneDNN ran (a DataLoader worker) must not call it again: its OpenMP threads did not
    survive the fork and the primitives were made for them (the call would wait for them forever). Such a child
    runs numpy's code."""
    if "lib" in _state:
        _state.pop("lib")
        _state["why"] = "this process was forked after oneDNN was loaded (its OpenMP threads do not survive a fork)"
        _plans.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def set_num_threads(n):
    """oneDNN's threads for the products that use the pool (see ``POOL_MIN_FLOPS``; ``minitorch.set_num_threads``)."""
    if _state.get("threads") != n:
        _state["threads"] = n
        _plans.clear()                       # plans are made for a thread count: made again on next use


# Threads. oneDNN runs on GNU OpenMP's pool (the wheel's runtime), numpy's BLAS on OpenBLAS's own: two pools,
# each of whose idle workers spin for a while after a call before they sleep. In a training loop that does
# Python work between steps (a data loader's per-image transforms) the two spinning workers and the main thread
# share the cores: on 2 cores the LeNet MNIST example took 15.6 s an epoch with oneDNN on 2 threads, against 4.9
# with numpy's convolutions and 4.5 with oneDNN on 1 thread (OMP_WAIT_POLICY=PASSIVE: 7.3, the workers' wake-ups
# then cost). So a product runs on the pool only when it is big enough to pay for it: below POOL_MIN_FLOPS it is
# planned and run on the calling thread alone (oneDNN then never enters an OpenMP region, and the pool is never
# started by a LeNet-sized network). Measured back to back, 1 -> 2 threads: LeNet's conv1 forward (45 MFLOP)
# 783 -> 426 us, a ResNet 64->64 layer (2.4 GFLOP) 11.7 -> 5.7 ms.
POOL_MIN_FLOPS = 100e6
DATA_MIN_CHANNELS = 8


def _omp(name, *args):
    """Call GNU OpenMP's ``name`` in the libgomp oneDNN runs on (None where there is none). That is the process's
    one ``libgomp.so.1``: torch's wheel ships one of that name too, and whichever loaded first serves both."""
    if "omp" not in _state:
        try:
            _state["omp"] = ctypes.CDLL("libgomp.so.1")
        except OSError:
            _state["omp"] = None
    f = getattr(_state["omp"], name, None)
    return f(*args) if f is not None else None


def _threads_for(flops):
    return _state["threads"] if flops >= POOL_MIN_FLOPS else 1


class _Threads:
    """Plan or run with ``n`` OpenMP threads (oneDNN sizes a primitive's work split when it is made), then put the
    calling thread's setting back: it is shared with everything else on that libgomp (torch, in the tests and the
    benchmark: left at 1, torch's convolutions ran on one thread, 2.8 -> 4.8 ms)."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.was = _omp("omp_get_max_threads")
        if self.was is not None and self.was != self.n:
            _omp("omp_set_num_threads", self.n)

    def __exit__(self, *exc):
        if self.was is not None and self.was != self.n:
            _omp("omp_set_num_threads", self.was)


def is_available():
    """True when oneDNN is installed and loads."""
    return _load() is not None


def version():
    """oneDNN's version as a string ("3.2.0"), or None when it is not available."""
    return _state.get("version") if _load() is not None else None


def why_not():
    """Why oneDNN is not available (a sentence), or None when it is."""
    return None if _load() is not None else _state.get("why")


def usable(xp, *arrays):
    """True when the convolution of these arrays may run in oneDNN: float32 numpy arrays (or None), none empty,
    ``backends.mkldnn.enabled``, and the library loaded."""
    from .backends import mkldnn          # the switch users set (imported here: backends sits above this layer)
    if not mkldnn.enabled or xp is not _backend.numpy:
        return False
    for a in arrays:
        if a is not None and (a.dtype != _F32_DTYPE or a.size == 0):      # (None: no bias)
            return False
    return _load() is not None


_F32_DTYPE = _backend.numpy.dtype("float32")


# ---------------------------------------------------------------- memory descriptors and plans
def _check(status, what):
    if status != 0:
        raise _Unsupported(f"{what}: oneDNN status {status}")


class _Unsupported(Exception):
    pass


def _plain(shape, strides):
    """A memory descriptor of a numpy float32 array (its shape and strides, in elements)."""
    md = _p()
    _check(_state["lib"].dnnl_memory_desc_create_with_strides(ctypes.byref(md), len(shape), _Dims(*shape), _F32,
                                                             _Dims(*strides)), "memory descriptor")
    return md


def _any(shape):
    """A memory descriptor that lets oneDNN choose the layout."""
    md = _p()
    _check(_state["lib"].dnnl_memory_desc_create_with_tag(ctypes.byref(md), len(shape), _Dims(*shape), _F32,
                                                         _FORMAT_ANY), "memory descriptor")
    return md


def _weights_md(shape, strides, groups, make):
    """The weight (O, C/g, kh, kw) as oneDNN wants it: (g, O/g, C/g, kh, kw) when grouped."""
    if groups > 1:
        shape = (groups, shape[0] // groups) + tuple(shape[1:])
        strides = strides and (strides[0] * shape[1],) + tuple(strides)
    return make(shape, strides) if make is _plain else make(shape)


def _fit(a):
    """``a`` as oneDNN can read it: aligned, positive strides in whole elements (else a contiguous copy)."""
    if a.flags.aligned and all(s > 0 and s % a.itemsize == 0 for s in a.strides):
        return a
    return _backend.numpy.ascontiguousarray(a)


def _elements(a):
    return tuple(s // a.itemsize for s in a.strides)


def _contiguous_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


class _Plan:
    """One convolution primitive for one shape and layout, with the reorders around it.

    ``args``: (oneDNN argument, plain descriptor of the user's array, is it written). For each, the
    layout the primitive chose is asked for; where it differs from the plain one, a reorder converts
    (in, before the primitive; out, after it) through a scratch buffer of that layout."""

    def __init__(self, pd, args):
        lib = _state["lib"]
        info = ctypes.c_char_p()
        lib.dnnl_primitive_desc_query(pd, _QUERY_IMPL_INFO, 0, ctypes.byref(info))
        self.impl = info.value.decode()
        if self.impl.startswith("ref"):               # oneDNN's slow reference loops: numpy does better
            raise _Unsupported(f"only oneDNN's reference implementation ({self.impl})")
        self.primitive = _primitive(pd)
        self.parts = []
        for arg, plain, written in args:
            if plain is None:                          # an argument not passed (no bias)
                self.parts.append((arg, None, None, 0, None, written))
                continue
            chosen = _p(lib.dnnl_primitive_desc_query_md(pd, *_QUERY_MD[arg]))
            if lib.dnnl_memory_desc_equal(chosen, plain):
                self.parts.append((arg, plain, None, 0, None, written))
                continue
            pair = (chosen, plain) if written else (plain, chosen)
            rpd = _p()
            _check(lib.dnnl_reorder_primitive_desc_create(ctypes.byref(rpd), pair[0], _state["engine"], pair[1],
                                                          _state["engine"], None), "reorder")
            self.parts.append((arg, plain, chosen, lib.dnnl_memory_desc_get_size(chosen), _primitive(rpd), written))

    def run(self, arrays):
        """Run on numpy arrays, one per argument (None: not passed, e.g. no bias)."""
        lib, engine, stream = _state["lib"], _state["engine"], _state["stream"]
        made, keep, args, after = [], [], [], []
        try:
            for (arg, plain, chosen, nbytes, reorder, written), a in zip(self.parts, arrays):
                if a is None:
                    continue
                user = _memory(lib, plain, engine, a.ctypes.data, made)
                if reorder is None:
                    args.append((arg, user))
                    continue
                buf = _aligned(nbytes)
                keep.append(buf)
                inner = _memory(lib, chosen, engine, buf.ctypes.data, made)
                if written:
                    after.append((reorder, inner, user))
                else:
                    _execute(lib, stream, reorder, ((_SRC, user), (_DST, inner)))
                args.append((arg, inner))
            _execute(lib, stream, self.primitive, args)
            for reorder, inner, user in after:
                _execute(lib, stream, reorder, ((_SRC, inner), (_DST, user)))
            lib.dnnl_stream_wait(stream)
        finally:
            for m in made:
                lib.dnnl_memory_destroy(m)


def _primitive(pd):
    prim = _p()
    _check(_state["lib"].dnnl_primitive_create(ctypes.byref(prim), pd), "primitive")
    return prim


def _memory(lib, md, engine, address, made):
    m = _p()
    _check(lib.dnnl_memory_create(ctypes.byref(m), md, engine, _p(address)), "memory")
    made.append(m)
    return m


def _execute(lib, stream, prim, args):
    packed = (_Arg * len(args))(*[_Arg(k, m) for k, m in args])
    _check(lib.dnnl_primitive_execute(prim, stream, len(args), packed), "execute")


def _aligned(nbytes):
    """A scratch buffer of ``nbytes`` starting on a 64-byte boundary (a cache line: oneDNN's loads want it)."""
    raw = _backend.numpy.empty(nbytes + 64, dtype=_backend.numpy.uint8)
    skip = -raw.ctypes.data % 64
    return raw[skip:skip + nbytes]


_plans = collections.OrderedDict()     # key -> _Plan, or the reason it could not be made
_MAX_PLANS = 64


def _plan(key, build, threads):
    """The cached plan for ``key`` (made by ``build()`` on ``threads`` threads the first time), or None when oneDNN
    cannot do it."""
    plan = _plans.get(key)
    if plan is None:
        try:
            with _Threads(threads):
                plan = build()
            plan.threads = threads                 # the thread count the primitive was made for: it runs with it
        except _Unsupported as e:
            plan = str(e)
        _plans[key] = plan
        if len(_plans) > _MAX_PLANS:
            _plans.popitem(last=False)       # (a few small objects stay in oneDNN: plans are few in practice)
    else:
        _plans.move_to_end(key)
    return None if isinstance(plan, str) else plan


def _geometry(geo):
    """strides, dilations (oneDNN counts the gaps: torch's dilation - 1), left/top and right/bottom padding."""
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = geo.stride, geo.pads, geo.dilation
    return _Dims(sh, sw), _Dims(dh - 1, dw - 1), _Dims(pt, pl), _Dims(pb, pr)


def _forward_pd(x_md, w_md, b_md, y_md, geo):
    pd = _p()
    _check(_state["lib"].dnnl_convolution_forward_primitive_desc_create(
        ctypes.byref(pd), _state["engine"], _FORWARD_TRAINING, _CONVOLUTION_DIRECT, x_md, w_md, b_md, y_md,
        *_geometry(geo), None), "convolution")
    return pd


def _backward_pd(which, descs, x_shape, w_shape, y_shape, geo):
    """The primitive descriptor of the backward ``which`` ("data" or "weights"): oneDNN's create function takes the
    argument descriptors (``descs``, in its order), the geometry and the forward one as a hint."""
    pd = _p()
    create = getattr(_state["lib"], f"dnnl_convolution_backward_{which}_primitive_desc_create")
    _check(create(ctypes.byref(pd), _state["engine"], _CONVOLUTION_DIRECT, *descs, *_geometry(geo),
                  _hint(x_shape, w_shape, y_shape, geo), None), f"convolution backward {which}")
    return pd


def _hint(x_shape, w_shape, y_shape, geo):
    """The forward primitive descriptor oneDNN wants as a hint when it makes a backward one."""
    return _forward_pd(_any(x_shape), _weights_md(w_shape, None, geo.groups, _any), None, _any(y_shape), geo)


# ---------------------------------------------------------------- the three products
def conv_forward(x, w, b, geo):
    """y = conv(x, w) + b on float32 numpy arrays (4-D), or None when oneDNN cannot compute it."""
    np = _backend.numpy
    x, w, b = _fit(x), _fit(w), b if b is None else _fit(b)
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = geo.out_size(h, wd, kh, kw)
    if ho <= 0 or wo <= 0:
        return None
    y = np.empty((n, o, ho, wo), dtype=np.float32)
    key = ("fwd", x.shape, _elements(x), w.shape, _elements(w), b is not None and _elements(b), tuple(geo))

    def build():
        g = geo.groups
        b_md = _plain(b.shape, _elements(b)) if b is not None else None
        pd = _forward_pd(_any(x.shape), _weights_md(w.shape, None, g, _any), b_md, _any(y.shape), geo)
        return _Plan(pd, [(_SRC, _plain(x.shape, _elements(x)), False),
                          (_WEIGHTS, _weights_md(w.shape, _elements(w), g, _plain), False),
                          (_BIAS, b_md, False),
                          (_DST, _plain(y.shape, _contiguous_strides(y.shape)), True)])
    return _run(key, build, (x, w, b, y), y, _flops(n, o, ho, wo, w.shape))


def conv_input_grad(gy, w, x_shape, geo):
    """dX for dY = gy (4-D float32 numpy arrays), or None when oneDNN cannot compute it, or when the input has
    fewer than ``DATA_MIN_CHANNELS`` channels per group: oneDNN's backward-data kernels are slow there (LeNet's
    first layer, 3 channels: 1.90 ms on 2 threads, 3.54 on one, numpy's plane-shift col2im 1.43-1.65)."""
    np = _backend.numpy
    if w.shape[1] < DATA_MIN_CHANNELS:
        return None
    gy, w = _fit(gy), _fit(w)
    gx = np.empty(x_shape, dtype=np.float32)
    key = ("data", gy.shape, _elements(gy), w.shape, _elements(w), tuple(x_shape), tuple(geo))

    def build():
        g = geo.groups
        pd = _backward_pd("data", (_any(x_shape), _weights_md(w.shape, None, g, _any), _any(gy.shape)),
                          x_shape, w.shape, gy.shape, geo)
        return _Plan(pd, [(_DIFF_DST, _plain(gy.shape, _elements(gy)), False),
                          (_WEIGHTS, _weights_md(w.shape, _elements(w), g, _plain), False),
                          (_DIFF_SRC, _plain(gx.shape, _contiguous_strides(gx.shape)), True)])
    return _run(key, build, (gy, w, gx), gx, _flops(gy.shape[0], gy.shape[1], gy.shape[2], gy.shape[3], w.shape))


def conv_weight_grad(x, gy, w_shape, geo):
    """dW for input x and dY = gy (4-D float32 numpy arrays), or None when oneDNN cannot compute it."""
    np = _backend.numpy
    x, gy = _fit(x), _fit(gy)
    gw = np.empty(w_shape, dtype=np.float32)
    key = ("weights", x.shape, _elements(x), gy.shape, _elements(gy), tuple(w_shape), tuple(geo))

    def build():
        g = geo.groups
        pd = _backward_pd("weights", (_any(x.shape), _weights_md(w_shape, None, g, _any), None, _any(gy.shape)),
                          x.shape, w_shape, gy.shape, geo)
        return _Plan(pd, [(_SRC, _plain(x.shape, _elements(x)), False),
                          (_DIFF_DST, _plain(gy.shape, _elements(gy)), False),
                          (_DIFF_WEIGHTS, _weights_md(w_shape, _contiguous_strides(w_shape), g, _plain), True)])
    return _run(key, build, (x, gy, gw), gw, _flops(gy.shape[0], gy.shape[1], gy.shape[2], gy.shape[3], w_shape))


def _run(key, build, arrays, result, flops):
    with _lock:
        plan = _plan(key, build, _threads_for(flops))
        if plan is None:
            return None
        with _Threads(plan.threads):
            plan.run(arrays)
    return result


def _flops(n, o, ho, wo, w_shape):
    """Multiply-adds times 2 of one product: every output pixel of every channel sums C/groups * kh * kw terms."""
    return 2 * n * o * ho * wo * w_shape[1] * w_shape[2] * w_shape[3]
