"""A FAKE ``cupy``, backed by numpy, to test minitorch's GPU *dispatch* on a machine without a GPU.

THIS IS NOT A GPU TEST. Nothing here runs on a GPU: every "device" array is a
numpy array in host memory, and every kernel is the numpy function of the same
name. What the fake lets the CPU-only test suite check is the plumbing that a
real GPU run depends on:

- ``minitorch.cuda.is_available()`` turns True, ``.cuda()`` / ``device='cuda'``
  produce tensors whose arrays are of a type distinct from ``numpy.ndarray``
  (``fake_cupy.ndarray``, with ``.device.id`` and ``.get()``), and ops on them are
  dispatched through ``ctx.xp`` to this module;
- the places where real cupy refuses what numpy accepts are refused here too,
  with cupy's messages, so a host/device mix-up fails on the CPU the way it
  would fail on a GPU:
    * a ``numpy.ndarray`` (of any ndim) passed to a cupy function or operator
      raises ``TypeError: Unsupported type <class 'numpy.ndarray'>`` (numpy
      and Python scalars are accepted, as cupy accepts them);
    * implicit device-to-host conversion (``numpy.asarray(x)``, ``np.array(x)``)
      raises cupy's ``TypeError: Implicit conversion to a NumPy array is not
      allowed...``; ``x.get()`` / ``cupy.asnumpy(x)`` are the way out;
    * reductions and scalar indexing give 0-d arrays, not numpy scalars;
    * only names that cupy 14.2 exports exist (from a list taken from that
      release's namespace, with ``cupy.linalg`` and ``cupy.lib.stride_tricks``):
      a numpy function cupy lacks is an AttributeError;
      the ndarray methods and ``cupy.random.Generator`` methods are limited to
      cupy's, and ``cupyx.scatter_add`` takes only cupy's dtypes;
    * arrays remember their device; an op whose inputs live on a device other
      than the current one raises, as cupy does without peer access; new
      arrays go to the current device (``with cupy.cuda.Device(i)``);
    * ``cupy.random.default_rng(seed)`` is seeded and reproducible but draws a
      stream different from numpy's PCG64 (as the real XORWOW stream is), so a
      test cannot come to depend on CPU and CUDA numbers being equal.

What it cannot check, and a real GPU run still must: that kernels compute the
right numbers (cuBLAS/cuDNN/cupy kernels, float16/TF32 precision, atomics'
order), speed, asynchronous execution and streams, real memory use and
out-of-memory behaviour, cupy-specific dtype promotion corner cases, and any
cupy call whose argument handling differs from numpy's beyond the rules above.

Use: ``install(device_count=1)`` puts the fake into ``sys.modules`` as ``cupy``,
``cupy.cuda``, ``cupy.random`` and ``cupyx`` and makes minitorch forget what it
knew about cupy; ``uninstall()`` undoes both. ``install(device_count=0)`` plays
a machine where cupy imports but no device answers.
"""
import collections
import operator
import sys
import threading
import types
import weakref

import numpy as _np

# ---------------------------------------------------------------- cupy 14.2.0's namespace
# Names cupy 14.2.0 exports that numpy also has, split by kind (taken from `dir(cupy)` of that release).
_UFUNCS = frozenset("""
abs absolute acos acosh add arccos arccosh arcsin arcsinh arctan arctan2 arctanh asin asinh atan atan2 atanh
bitwise_and bitwise_count bitwise_invert bitwise_left_shift bitwise_not bitwise_or bitwise_right_shift
bitwise_xor cbrt ceil conj conjugate copysign cos cosh deg2rad degrees divide divmod equal exp exp2 expm1 fabs
float_power floor floor_divide fmax fmin fmod frexp gcd greater greater_equal heaviside hypot invert isfinite
isinf isnan lcm ldexp left_shift less less_equal log log10 log1p log2 logaddexp logaddexp2 logical_and
logical_not logical_or logical_xor matmul maximum minimum mod modf multiply negative nextafter not_equal
positive pow power rad2deg radians reciprocal remainder right_shift rint sign signbit sin sinh sqrt square
subtract tan tanh true_divide trunc
""".split())
_FUNCS = frozenset("""
all allclose amax amin angle any append apply_along_axis apply_over_axes arange argmax argmin argpartition
argsort argwhere around array_equal array_equiv array_split asarray_chkfinite asfortranarray astype atleast_1d
atleast_2d atleast_3d average bartlett bincount blackman broadcast_arrays broadcast_shapes broadcast_to
can_cast choose clip column_stack common_type compress concat concatenate convolve copy copyto corrcoef
correlate count_nonzero cov cross cumprod cumsum cumulative_prod cumulative_sum delete diag diag_indices
diag_indices_from diagflat diagonal diff digitize dot dsplit dstack ediff1d einsum empty empty_like
expand_dims extract eye fill_diagonal fix flatnonzero flip fliplr flipud full full_like gradient hamming
hanning histogram histogram2d histogramdd hsplit hstack i0 identity imag indices inner interp intersect1d
isclose iscomplex iscomplexobj isdtype isfortran isin isneginf isposinf isreal isrealobj isscalar issubdtype
iterable ix_ kaiser kron lexsort linspace logspace mask_indices matrix_transpose max may_share_memory mean
median meshgrid min min_scalar_type mintypecode moveaxis nan_to_num nanargmax nanargmin nancumprod nancumsum
nanmax nanmean nanmedian nanmin nanprod nanstd nansum nanvar ndim nonzero ones ones_like outer packbits pad
partition percentile permute_dims piecewise place poly polyadd polyfit polymul polysub polyval prod
promote_types ptp put put_along_axis putmask quantile ravel ravel_multi_index real real_if_close repeat
require reshape resize result_type roll rollaxis roots rot90 round row_stack searchsorted select setdiff1d
setxor1d shape shares_memory sinc size sort sort_complex split squeeze stack std sum swapaxes take
take_along_axis tensordot tile trace transpose trapezoid tri tril tril_indices tril_indices_from trim_zeros
triu triu_indices triu_indices_from union1d unique unique_all unique_counts unique_inverse unique_values
unpackbits unravel_index unwrap vander var vdot vsplit vstack where zeros zeros_like
""".split())
_NUMPY_OBJECTS = frozenset("""
bool bool_ byte cdouble complex128 complex64 complexfloating csingle double dtype e euler_gamma finfo float16
float32 float64 floating generic half iinfo index_exp inexact inf int16 int32 int64 int8 int_ intc integer
intp long longlong nan newaxis number pi s_ short signedinteger single ubyte uint uint16 uint32 uint64 uint8
uintc uintp ulong ulonglong unsignedinteger ushort
""".split())
# cupy.ndarray's public methods and attributes in cupy 14.2.0
_NDARRAY_METHODS = frozenset("""
all any argmax argmin argpartition argsort astype byteswap choose clip compress conj conjugate copy cumprod
cumsum diagonal dot fill flatten item max mean min nonzero partition prod ptp put ravel repeat reshape round
searchsorted sort squeeze std sum swapaxes take tobytes tolist trace transpose var view
""".split())
# cupy.linalg's functions in cupy 14.2.0
_LINALG = frozenset("""
cholesky cond cross det eig eigh eigvals eigvalsh inv lstsq matmul matrix_power matrix_rank matrix_transpose norm
pinv qr slogdet solve svd tensorinv tensorsolve
""".split())
_SCATTER_ADD_DTYPES = frozenset(_np.dtype(t) for t in ("int32", "float16", "float32", "float64", "uint32",
                                                        "uint64"))


# ---------------------------------------------------------------- devices
class _State:
    count = 1            # how many fake devices answer; 0 plays "no device"
    current = 0          # the current device


class CUDARuntimeError(RuntimeError):
    """cupy_backends.cuda.api.runtime.CUDARuntimeError."""


class _Runtime(types.ModuleType):
    CUDARuntimeError = CUDARuntimeError

    @staticmethod
    def getDeviceCount():
        if _State.count <= 0:
            raise CUDARuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
        return _State.count

    @staticmethod
    def getDevice():
        return _State.current

    @staticmethod
    def setDevice(device):
        device = int(device)
        if not 0 <= device < _State.count:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        _State.current = device

    @staticmethod
    def deviceSynchronize():
        _Runtime.getDeviceCount()

    @staticmethod
    def getDeviceProperties(device):
        if not 0 <= int(device) < max(_State.count, 0):
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        return {"name": b"Fake cupy device (numpy on the host)", "totalGlobalMem": 16 * 1024 ** 3,
                "major": 9, "minor": 0, "multiProcessorCount": 4}


runtime = _Runtime("cupy.cuda.runtime")


class Device:
    """cupy.cuda.Device: an id, ``use()``, and a context manager that makes it current."""

    def __init__(self, device=None):
        self.id = _State.current if device is None else int(device)
        self._stack = []

    def __int__(self):
        return self.id

    def __enter__(self):
        self._stack.append(_State.current)
        if self.id != _State.current:
            self.use()
        return self

    def __exit__(self, *exc):
        _State.current = self._stack.pop()

    def use(self):
        runtime.setDevice(self.id)

    def synchronize(self):
        with self:
            runtime.deviceSynchronize()

    @property
    def compute_capability(self):
        return "90"

    def __repr__(self):
        return f"<CUDA Device {self.id}>"

    def __eq__(self, other):
        return isinstance(other, Device) and self.id == other.id

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self.id)


class _Stream:
    def synchronize(self):
        pass


# ---------------------------------------------------------------- memory pool and hooks
_hook_local = threading.local()


def get_memory_hooks():
    hooks = getattr(_hook_local, "hooks", None)
    if hooks is None:
        hooks = _hook_local.hooks = collections.OrderedDict()
    return hooks


class MemoryHook:
    """cupy.cuda.MemoryHook: callbacks around pool mallocs and frees, registered per thread by ``with``."""
    name = "MemoryHook"

    def __enter__(self):
        hooks = get_memory_hooks()
        if self.name in hooks:
            raise KeyError(f"memory hook {self.name} already exists")
        hooks[self.name] = self
        return self

    def __exit__(self, *exc):
        del get_memory_hooks()[self.name]

    def alloc_preprocess(self, **kwargs):
        pass

    def alloc_postprocess(self, **kwargs):
        pass

    def malloc_preprocess(self, **kwargs):
        pass

    def malloc_postprocess(self, **kwargs):
        pass

    def free_preprocess(self, **kwargs):
        pass

    def free_postprocess(self, **kwargs):
        pass


class MemoryPool:
    """cupy's default pool, counting the bytes of the fake arrays that own memory (rounded up to 512)."""

    def __init__(self):
        self.used = collections.Counter()
        self.total = collections.Counter()
        self._live = {}

    def _track(self, a, dev):
        if a.base is not None or id(a) in self._live or a.nbytes == 0:
            return
        size = -(-a.nbytes // 512) * 512
        self.used[dev] += size
        self.total[dev] = max(self.total[dev], self.used[dev])
        self._live[id(a)] = size
        ptr = a.__array_interface__["data"][0]
        for h in list(get_memory_hooks().values()):
            h.malloc_postprocess(device_id=dev, size=a.nbytes, mem_size=size, mem_ptr=ptr, pmem_id=id(a))
        weakref.finalize(a, self._release, id(a), dev, size, ptr)

    def _release(self, key, dev, size, ptr):
        self._live.pop(key, None)
        self.used[dev] -= size
        for h in list(get_memory_hooks().values()):
            h.free_postprocess(device_id=dev, mem_size=size, mem_ptr=ptr, pmem_id=key)

    def used_bytes(self):
        return self.used[_State.current]

    def total_bytes(self):
        return self.total[_State.current]

    def free_bytes(self):
        return self.total[_State.current] - self.used[_State.current]

    def free_all_blocks(self, stream=None):
        self.total[_State.current] = self.used[_State.current]


_pool = MemoryPool()


def get_default_memory_pool():
    return _pool


# ---------------------------------------------------------------- arrays
class _Pointer:
    def __init__(self, ptr):
        self.ptr = ptr


def _new(a, dev=None):
    """Wrap numpy array ``a`` as a fake device array on ``dev`` (default: the current device)."""
    x = object.__new__(ndarray)
    x._a = a
    x._dev = _State.current if dev is None else dev
    _pool._track(a, x._dev)
    return x


def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


def _unwrap(x, seen):
    """Host view of an argument: fake arrays give their numpy array (on the current device only)."""
    t = type(x)
    if t is ndarray:
        if x._dev != _State.current:
            raise ValueError(f"The device where the array resides ({x._dev}) is different from the current "
                             f"device ({_State.current}). Peer access is unavailable between these devices.")
        seen[id(x._a)] = x
        return x._a
    if t is _np.ndarray:
        raise _unsupported(x)
    if t is list or t is tuple:
        return t(_unwrap(v, seen) for v in x)
    return x


def _wrap(r, seen):
    """Device view of a result: numpy arrays and numpy scalars become fake arrays (cupy returns 0-d arrays)."""
    if isinstance(r, _np.ndarray):
        same = seen.get(id(r))
        return same if same is not None else _new(r)
    if isinstance(r, _np.generic):
        return _new(_np.asarray(r))
    if type(r) is tuple:
        return tuple(_wrap(v, seen) for v in r)
    if type(r) is list:
        return [_wrap(v, seen) for v in r]
    return r


def _call(fn, args, kwargs, key_at=None):
    """``fn`` on the host views of its arguments; argument ``key_at`` is an index key (host arrays allowed)."""
    seen = {}
    a = [_key(v) if i == key_at else _unwrap(v, seen) for i, v in enumerate(args)]
    k = {key: _unwrap(v, seen) for key, v in kwargs.items()}
    return _wrap(fn(*a, **k), seen)


def _key(key):
    """An index key: fake arrays give their numpy arrays; host arrays and lists are accepted (cupy copies them)."""
    if type(key) is tuple:
        return tuple(_key(k) for k in key)
    if type(key) is ndarray:
        return _unwrap(key, {})
    return key


class _Flags:
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, c, f, own):
        self.c_contiguous, self.f_contiguous, self.owndata = c, f, own


class ndarray:
    """cupy.ndarray, faked: a numpy array ``_a`` that says it lives on fake device ``_dev``.

    Not a subclass of ``numpy.ndarray`` (cupy's is not either), so ``type(x) is
    numpy.ndarray`` is False and numpy cannot silently take it as a host array.
    """
    __slots__ = ("_a", "_dev", "__weakref__")
    __array_priority__ = 100
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        self._a = _np.empty(shape, dtype, order=order)
        self._dev = _State.current
        _pool._track(self._a, self._dev)

    # -- what cupy forbids
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
                        "a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc.__name__ not in _UFUNCS:
            return NotImplemented
        return _call(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        if func.__name__ not in _FUNCS and func.__name__ not in _UFUNCS:
            return NotImplemented
        return _call(func, args, kwargs)

    # -- attributes
    shape = property(lambda self: self._a.shape)

    @shape.setter
    def shape(self, value):
        self._a.shape = value

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    @property
    def flags(self):
        """cupy's ``Flags``: c_contiguous, f_contiguous and owndata only (no ``writeable``: always writeable)."""
        f = self._a.flags
        return _Flags(f.c_contiguous, f.f_contiguous, f.owndata)
    device = property(lambda self: Device(self._dev))
    data = property(lambda self: _Pointer(self._a.__array_interface__["data"][0]))
    T = property(lambda self: _call(operator.attrgetter("T"), (self,), {}))
    mT = property(lambda self: _call(operator.attrgetter("mT"), (self,), {}))
    real = property(lambda self: _call(operator.attrgetter("real"), (self,), {}))
    imag = property(lambda self: _call(operator.attrgetter("imag"), (self,), {}))
    base = property(lambda self: None if self._a.base is None else _new(self._a.base, self._dev))

    def __getattr__(self, name):
        if name in _NDARRAY_METHODS:
            method = getattr(self._a, name)

            def call(*args, **kwargs):
                if self._dev != _State.current and name != "copy":
                    _unwrap(self, {})          # raises cupy's device error
                return _call(method, args, kwargs)
            return call
        raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")

    # -- host transfers and conversions
    def get(self, stream=None, order="C", out=None, blocking=True):
        """A numpy copy in host memory."""
        if out is not None:
            out[...] = self._a
            return out
        return _np.array(self._a, order=order, copy=True)

    def set(self, arr, stream=None):
        if type(arr) is not _np.ndarray:
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        self._a[...] = arr

    def copy(self, order="C"):
        """A copy on the *current* device (cupy copies across devices this way)."""
        return _new(self._a.copy(order=order))

    def item(self, *args):
        return self._a.item(*args)

    def tolist(self):
        return self._a.tolist()

    def __bool__(self):
        return bool(self._a)

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __complex__(self):
        return complex(self._a)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._a.shape[0]))

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __copy__(self):
        return _new(self._a.copy(), self._dev)

    def __deepcopy__(self, memo):
        return _new(self._a.copy(), self._dev)

    def __reduce__(self):
        return (_rebuild, (self._a.copy(), self._dev))

    # -- indexing
    def __getitem__(self, key):
        return _call(operator.getitem, (self, key), {}, key_at=1)

    def __setitem__(self, key, value):
        if type(value) is _np.ndarray:
            raise _unsupported(value)
        _call(operator.setitem, (self, key, value), {}, key_at=1)


def _rebuild(a, dev):
    return _new(a, dev)


def _binary(op):
    def method(self, other):
        return _call(op, (self, other), {})
    return method


def _reflected(op):
    def method(self, other):
        return _call(op, (other, self), {})
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lshift", "rshift"):
    _op = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    setattr(ndarray, f"__{_name}__", _binary(_op))
    setattr(ndarray, f"__r{_name}__", _reflected(_op))
    setattr(ndarray, f"__i{_name}__", _binary(getattr(operator, "i" + _name)))
for _name in ("lt", "le", "eq", "ne", "gt", "ge"):
    setattr(ndarray, f"__{_name}__", _binary(getattr(operator, _name)))
ndarray.__divmod__ = _binary(divmod)
ndarray.__rdivmod__ = _reflected(divmod)
for _name in ("neg", "pos", "abs", "invert"):
    setattr(ndarray, f"__{_name}__", (lambda op: lambda self: _call(op, (self,), {}))(getattr(operator, _name)))


# ---------------------------------------------------------------- functions
class ufunc:
    """cupy.ufunc: a numpy ufunc applied to device arrays (with ``reduce``, ``accumulate``, ``outer``, ``at``)."""

    def __init__(self, np_ufunc):
        self._u = np_ufunc
        self.__name__ = self.name = np_ufunc.__name__
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs

    def __call__(self, *args, **kwargs):
        return _call(self._u, args, kwargs)

    def reduce(self, *args, **kwargs):
        return _call(self._u.reduce, args, kwargs)

    def accumulate(self, *args, **kwargs):
        return _call(self._u.accumulate, args, kwargs)

    def reduceat(self, *args, **kwargs):
        return _call(self._u.reduceat, args, kwargs)

    def outer(self, *args, **kwargs):
        return _call(self._u.outer, args, kwargs)

    def at(self, a, indices, b=None):
        _call(self._u.at, (a, indices) + (() if b is None else (b,)), {}, key_at=1)

    def __repr__(self):
        return f"<ufunc '{self.name}'>"


def _function(np_func):
    def f(*args, **kwargs):
        return _call(np_func, args, kwargs)
    f.__name__ = np_func.__name__
    f.__doc__ = f"Fake cupy.{np_func.__name__}: numpy's, on fake device arrays."
    return f


def _host_data(obj):
    """Host data for asarray/array: device arrays are read in place, host arrays and sequences as they are."""
    if type(obj) is ndarray:
        return obj._a
    if type(obj) in (list, tuple):
        return type(obj)(_host_data(v) for v in obj)
    return obj


def asarray(a, dtype=None, order=None, *, copy=None, blocking=False):
    """cupy.asarray: a device array (host data is copied to the current device)."""
    if type(a) is ndarray and a._dev == _State.current:
        if dtype is None or _np.dtype(dtype) == a.dtype:
            return a
        return _new(a._a.astype(dtype))
    return _new(_np.array(_host_data(a), dtype=dtype, order=order or "K", copy=True))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    """cupy.array: a device array copied from ``obj`` (host or device data)."""
    if type(obj) is ndarray and not copy and obj._dev == _State.current and (dtype is None or
                                                                               _np.dtype(dtype) == obj.dtype):
        return obj
    return _new(_np.array(_host_data(obj), dtype=dtype, copy=True, order=order, ndmin=ndmin))


asanyarray = asarray


def ascontiguousarray(a, dtype=None):
    if type(a) is not ndarray:
        raise _unsupported(a)
    return _call(_np.ascontiguousarray, (a,), {} if dtype is None else {"dtype": dtype})


def indices(dimensions, dtype=int):
    """cupy.indices: the dense grid only (cupy 14.2 has no ``sparse=`` argument; ``cupy.ix_`` gives open grids)."""
    return _new(_np.indices(dimensions, dtype=dtype))


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    """A host copy of a device array (host data is returned as numpy would)."""
    if type(a) is ndarray:
        return a.get(order=order, out=out)
    return _np.asarray(a, order=order)


def get_array_module(*args):
    for a in args:
        if type(a) is ndarray:
            return _module
    return _np


def is_available():
    try:
        return runtime.getDeviceCount() > 0
    except CUDARuntimeError:
        return False


# ---------------------------------------------------------------- random
class Generator:
    """cupy.random.Generator, faked with numpy's Philox (a stream unlike the CPU's PCG64)."""

    def __init__(self, seed=None):
        self._g = _np.random.Generator(_np.random.Philox(seed))

    def random(self, size=None, dtype=_np.float64, out=None):
        dt = _np.dtype(dtype)
        y = self._g.random(size, dtype=_np.float64 if dt.char == "d" else _np.float32)
        return _new(_np.asarray(y).astype(dt, copy=False))

    def standard_normal(self, size=None, dtype=_np.float64, out=None):
        dt = _np.dtype(dtype)
        if dt.char not in "fd":
            raise TypeError(f"Unsupported dtype {dt.name} for standard_normal")
        return _new(_np.asarray(self._g.standard_normal(size, dtype=dt)))

    def integers(self, low, high=None, size=None, dtype=_np.int64, endpoint=False):
        lo, hi = (0, int(low)) if high is None else (int(low), int(high))
        if not endpoint:
            hi -= 1
        if lo > hi:
            raise ValueError("low >= high")
        return _new(_np.asarray(self._g.integers(lo, hi, size, endpoint=True)).astype(dtype))

    def uniform(self, low=0.0, high=1.0, size=None, dtype=_np.float64):
        return _new(_np.asarray(self._g.uniform(low, high, size)).astype(dtype))


def default_rng(seed=None):
    """cupy.random.default_rng: requires a device, like the real one."""
    runtime.getDeviceCount()
    return Generator(seed)


# ---------------------------------------------------------------- cupyx
def scatter_add(a, slices, value):
    """cupyx.scatter_add: ``a[slices] += value`` with repeats accumulating, for cupy's atomic-add dtypes only."""
    if type(a) is not ndarray:
        raise _unsupported(a)
    if a.dtype not in _SCATTER_ADD_DTYPES:
        raise TypeError("scatter_add only supports int32, float16, float32, float64, uint32, uint64, as data type")
    if type(value) is _np.ndarray:
        raise _unsupported(value)
    _call(_np.add.at, (a, slices, value), {}, key_at=1)


# ---------------------------------------------------------------- the modules
def _build():
    mod = types.ModuleType("cupy", __doc__)
    mod.__file__ = __file__
    mod.__version__ = "14.2.0+fake"
    mod.__is_fake__ = True
    mod.ndarray = ndarray
    mod.ufunc = ufunc
    for n in _UFUNCS:
        setattr(mod, n, ufunc(getattr(_np, n)) if isinstance(getattr(_np, n), _np.ufunc) else
                _function(getattr(_np, n)))
    for n in _FUNCS:
        if hasattr(_np, n):
            setattr(mod, n, _function(getattr(_np, n)))
    for n in _NUMPY_OBJECTS:
        if hasattr(_np, n):
            setattr(mod, n, getattr(_np, n))
    for f in (asarray, array, asanyarray, ascontiguousarray, asnumpy, get_array_module, is_available,
              get_default_memory_pool, indices):
        setattr(mod, f.__name__, f)

    lib = types.ModuleType("cupy.lib")
    lib.stride_tricks = types.ModuleType("cupy.lib.stride_tricks")
    lib.stride_tricks.as_strided = _function(_np.lib.stride_tricks.as_strided)
    lib.stride_tricks.sliding_window_view = _function(_np.lib.stride_tricks.sliding_window_view)
    mod.lib = lib
    linalg = types.ModuleType("cupy.linalg")
    for n in _LINALG:
        if hasattr(_np.linalg, n):
            setattr(linalg, n, _function(getattr(_np.linalg, n)))
    linalg.LinAlgError = _np.linalg.LinAlgError
    mod.linalg = linalg

    cuda = types.ModuleType("cupy.cuda")
    cuda.runtime = runtime
    cuda.Device = Device
    cuda.MemoryHook = MemoryHook
    cuda.MemoryPool = MemoryPool
    cuda.is_available = is_available
    cuda.get_current_stream = lambda: _Stream()
    cuda.Stream = types.SimpleNamespace(null=_Stream())
    cuda.memory_hook = types.SimpleNamespace(MemoryHook=MemoryHook, get_memory_hooks=get_memory_hooks)
    mod.cuda = cuda

    rnd = types.ModuleType("cupy.random")
    rnd.default_rng = default_rng
    rnd.Generator = Generator
    mod.random = rnd

    x = types.ModuleType("cupyx")
    x.scatter_add = scatter_add
    return mod, cuda, rnd, x


_module, _cuda_module, _random_module, _cupyx_module = _build()
_NAMES = ("cupy", "cupy.cuda", "cupy.cuda.runtime", "cupy.random", "cupyx")
_saved = {}


def install(device_count=1):
    """Put the fake in ``sys.modules`` as cupy/cupyx with ``device_count`` devices; minitorch forgets its cupy."""
    from minitorch import _backend
    import minitorch
    if not _saved:
        for n in _NAMES:
            _saved[n] = sys.modules.get(n, _MISSING)
    sys.modules.update({"cupy": _module, "cupy.cuda": _cuda_module, "cupy.cuda.runtime": runtime,
                        "cupy.random": _random_module, "cupyx": _cupyx_module})
    _State.count = device_count
    _State.current = 0
    _backend._reset_for_tests()
    minitorch.random.default_generator._cuda_rngs = {}
    _forget_peak_hook()
    return _module


SESSION = False   # True when the whole test session runs on the fake (MINITORCH_FAKE_CUDA=1, tests/conftest.py)


def uninstall():
    """Take the fake out of ``sys.modules`` and make minitorch forget it (in a fake-CUDA session: go back to
    the session's one fake device instead, for the tests that follow)."""
    from minitorch import _backend
    import minitorch
    if SESSION:
        install(device_count=1)
        return
    for n, m in _saved.items():
        if m is _MISSING:
            sys.modules.pop(n, None)
        else:
            sys.modules[n] = m
    _saved.clear()
    _State.count, _State.current = 1, 0
    _backend._reset_for_tests()
    minitorch.random.default_generator._cuda_rngs = {}
    _forget_peak_hook()


def _forget_peak_hook():
    import minitorch.cuda as mc
    hook = mc._peak
    if hook is not None:
        get_memory_hooks().pop(hook.name, None)
        mc._peak = None


_MISSING = object()
