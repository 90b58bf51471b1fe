"""Making tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled (``zeros``, ``full``, ``eye``, ...),
ranges (``arange``, ``linspace``, ``logspace``), random (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``),
and the legacy constructors (``Tensor(...)``, ``FloatTensor(...)``).

Defaults follow torch: Python floats make the default float dtype (float32),
Python ints make int64, a numpy array keeps its dtype. Random numbers come
from minitorch's own generator (``manual_seed``); they are reproducible, but
not the same numbers torch draws.
"""
import math
import numbers
import warnings

from . import _backend, _dtype
from ._dtype import as_dtype, get_default_dtype, from_numpy_dtype
from .tensor import Tensor, _not_tensor
from .random import default_generator
from .ops._out import out_arg, scalar_name
from .ops.shape import broadcast_shapes
from ._args import defaults_only, LAYOUT, MEMORY_FORMAT

_np = _backend.numpy
_T = Tensor._from_array


def _device_and_module(device):
    dev = _backend.as_device(device)
    return dev, _backend.module_for(dev)


def _finish(arr, requires_grad):
    t = _T(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_array(data):
    """A numpy array from nested Python data / numpy / tensors, with torch's default dtypes."""
    if isinstance(data, Tensor):
        return _backend.to_numpy(data._data), True
    if _backend.is_array(data):
        return data, True
    if isinstance(data, _np.generic):
        return _np.asarray(data), True
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, (Tensor, list, tuple)) or (isinstance(x, _np.ndarray) and x.ndim) for x in data):
            parts = [_infer_array(x) for x in data]
            if parts and all(p[1] for p in parts):
                return _np.stack([_np.asarray(p[0]) for p in parts]) if parts else _np.zeros((0,)), True
            arrays = [p[0] for p in parts]
            try:
                arr = _np.array(arrays)
            except ValueError:
                raise ValueError("expected sequence of equal-length lists") from None
            return arr, any(p[1] for p in parts)
    try:
        arr = _np.array(data)
    except ValueError as e:
        raise ValueError(f"expected sequence of length-consistent lists: {e}") from None
    if arr.dtype == object:
        if _int_overflow(data):
            raise ValueError("Overflow when unpacking long long")
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return arr, False


def _int_overflow(data):
    """Whether nested Python data holds an int (not a bool) that a 64-bit integer cannot hold."""
    if isinstance(data, (list, tuple)):
        return any(_int_overflow(x) for x in data)
    return type(data) is int and not -0x8000000000000000 <= data <= 0x7FFFFFFFFFFFFFFF


def _has_float(data):
    if isinstance(data, (list, tuple)):
        return any(_has_float(x) for x in data)
    return isinstance(data, float)


def _torch_default_dtype(arr, typed):
    """Python data: floats -> default float, ints -> int64, bools -> bool. Typed data keeps its dtype."""
    kind = arr.dtype.kind
    if typed:
        return from_numpy_dtype(arr.dtype)
    if kind == "f":
        return get_default_dtype()
    if kind in "iu":
        return _dtype.int64
    if kind == "b":
        return _dtype.bool_
    if kind == "U" or kind == "S":
        raise TypeError("new(): invalid data type 'str'")
    return from_numpy_dtype(arr.dtype)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, numpy arrays or tensors)."""
    if isinstance(data, Tensor):
        arr, typed = data._data, True                  # copied where it lives, not through the host
    else:
        arr, typed = _infer_array(data)
    dt = as_dtype(dtype) if dtype is not None else _torch_default_dtype(arr, typed)
    if not typed and arr.dtype.kind in "uf" and arr.size and float(_np.abs(arr).max()) >= 2.0 ** 63 and \
            _int_overflow(data) and not (dt.category == 2 and (dtype is not None or _has_float(data))):
        raise ValueError("Overflow when unpacking long long")      # torch unpacks every Python int as int64
    dev = _backend.as_device(device) if device is not None else (
        _backend.as_device(None) if _backend.default_device[0] is not None else      # set_default_device
        data.device if isinstance(data, Tensor) else _backend.device_of(arr))
    moved = _backend.device_of(arr) != dev
    arr = _backend.to_device(arr, dev)                 # a copy when it moves
    if not typed and dt.category == 1 and arr.dtype.kind in "iu" and arr.size:
        info = _np.iinfo(dt.np)                        # Python ints that the integer dtype cannot hold
        if int(arr.max()) > info.max or int(arr.min()) < info.min:
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    arr = arr.astype(dt.np, copy=not moved)
    if requires_grad and dt.category != 2:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory when it already is a tensor or array of the right dtype and device."""
    if isinstance(data, Tensor):
        t = data
        if dtype is not None:
            t = t.to(as_dtype(dtype))
        if device is not None or _backend.default_device[0] is not None:     # set_default_device
            t = t.to(_backend.as_device(device))
        return t
    if isinstance(data, _np.ndarray) and data.dtype.kind in "biuf":
        t = from_numpy(data)
        return as_tensor(t, dtype, device)
    if _backend.is_array(data):                        # a cupy array: shared, like torch's __cuda_array_interface__
        from_numpy_dtype(data.dtype)
        return as_tensor(_T(data), dtype, device)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a numpy array (changes to one show in the other)."""
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    from_numpy_dtype(ndarray.dtype)
    return _T(ndarray)


def _size(size):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)`` alike, as a tuple of ints (a size is required)."""
    if not size:
        raise TypeError("missing 1 required positional arguments: \"size\"")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"zeros(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad):
    dev, xp = _device_and_module(device)
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    with _backend.device_guard(dev):
        arr = xp.full(_size(size), fill, dtype=dt.np) if fill is not None else xp.empty(_size(size), dtype=dt.np)
    return _finish(arr, requires_grad)


@out_arg("aten::zeros", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def zeros(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros of the given size (default float dtype)."""
    return _filled(0, size, dtype, device, requires_grad)


@out_arg("aten::ones", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def ones(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones of the given size."""
    return _filled(1, size, dtype, device, requires_grad)


@out_arg("aten::empty", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def empty(*size, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """An uninitialised tensor (minitorch fills it with zeros, so it is never garbage)."""
    return _filled(0, size, dtype, device, requires_grad)


@out_arg("aten::full", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def full(size, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value: float, int64 or bool)."""
    if dtype is None:
        if isinstance(fill_value, Tensor):
            dtype = fill_value.dtype
            fill_value = fill_value.item()
        else:
            dtype = _dtype.scalar_dtype(fill_value)
    if isinstance(size, int):
        size = (size,)
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad)


def _like(fill, input, dtype, device, requires_grad, name):
    if not isinstance(input, Tensor):
        _not_tensor(name, input)
    return _filled(fill, (input.shape,), dtype or input.dtype, device if device is not None else input.device,
                   requires_grad)


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(0, input, dtype, device, requires_grad, "zeros_like")


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(1, input, dtype, device, requires_grad, "ones_like")


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(0, input, dtype, device, requires_grad, "empty_like")


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(fill_value, input, dtype, device, requires_grad, "full_like")


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


@out_arg("aten::arange", "arange", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def arange(start=0, end=None, step=1, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``; int64 when all are integers."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = _dtype.int64 if all(isinstance(v, numbers.Integral) for v in (start, end, step)) \
            else get_default_dtype()
    dt = as_dtype(dtype)
    n = max(int(math.ceil((end - start) / step)), 0)
    dev, xp = _device_and_module(device)
    # computed in float64 (or int64) like torch, then cast
    with _backend.device_guard(dev):
        if dt.category == 2:
            arr = (start + step * xp.arange(n, dtype=xp.float64)).astype(dt.np)
        else:
            arr = xp.arange(start, start + n * step, step)[:n].astype(dt.np)
    return _finish(arr, requires_grad)


@out_arg("aten::range", creation=True, resize_warn=False, differentiable=False)
def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but including ``end`` (warns as torch does)."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=3)
    return arange(start, end + step / 2 if end is not None else None, step, dtype=dtype or get_default_dtype(),
                  device=device, requires_grad=requires_grad)


@out_arg("aten::linspace", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def linspace(start, end, steps, *, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dev, xp = _device_and_module(device)
    # torch fills the first half from the start and the second half from the end
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    if steps == 1:
        end = start                                    # a single step is the start
    with _backend.device_guard(dev):
        i = xp.arange(steps, dtype=xp.float64)
        half = steps // 2
        arr = xp.where(i < half, start + step * i, end - step * (steps - 1 - i))
        if dt.category != 2:
            arr = xp.trunc(arr) if dt.category == 1 else arr
        arr = arr.astype(dt.np)
    return _finish(arr, requires_grad)


@out_arg("aten::logspace", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def logspace(start, end, steps, base=10.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    lin = linspace(start, end, steps, dtype=_dtype.float64, device=device)
    xp = _backend.array_module(lin._data)
    return _finish(xp.power(base, lin._data).astype(dt.np), requires_grad)


@out_arg("aten::eye", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def eye(n, m=None, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The n x m identity matrix."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    dev, xp = _device_and_module(device)
    with _backend.device_guard(dev):
        arr = xp.eye(n, m if m is not None else n, dtype=dt.np)
    return _finish(arr, requires_grad)


# ---------------------------------------------------------------- random
def _gen(generator):
    return generator if generator is not None else default_generator


@out_arg("aten::rand", "uniform", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def rand(*size, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform random numbers in [0, 1)."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    dev = _backend.as_device(device)
    arr = _gen(generator).uniform(_size(size), dt.np, dev)
    return _finish(arr, requires_grad)


@out_arg("aten::randn", "normal", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def randn(*size, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal random numbers."""
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    dev = _backend.as_device(device)
    arr = _gen(generator).normal(_size(size), dt.np, dev)
    return _finish(arr, requires_grad)


@out_arg("aten::randint", "randint", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def randint(low=0, high=None, size=None, *, generator=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) (int64 by default); ``randint(high, size)`` also works."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = as_dtype(dtype) if dtype is not None else _dtype.int64
    dev = _backend.as_device(device)
    arr = _gen(generator).integers(low, high, _size((tuple(size),)), dt.np, dev)
    return _finish(arr, requires_grad)


@out_arg("aten::randperm", "randperm", creation=True, resize_warn=False, differentiable=False)
@defaults_only(layout=LAYOUT)
def randperm(n, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64)."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = as_dtype(dtype) if dtype is not None else _dtype.int64
    dev = _backend.as_device(device)
    return _finish(_gen(generator).permutation(n, dt.np, dev), requires_grad)


def _random_like(name, kernel, input, dtype):
    if not isinstance(input, Tensor):
        _not_tensor(name, input)
    dt = as_dtype(dtype) if dtype is not None else input.dtype
    if dt.category != 2:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(dt)}'")


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _random_like("rand_like", "check_uniform_bounds", input, dtype)
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    _random_like("randn_like", "normal_kernel_cpu", input, dtype)
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)
def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if not isinstance(input, Tensor):
        _not_tensor("randint_like", input)
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad)


@out_arg("normal", "normal", creation=True, resize_warn=False)
@defaults_only(layout=LAYOUT)
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal random numbers: ``normal(mean_t, std_t)``, ``normal(mean_t, std=1.0)``, ``normal(mean=0.0, std_t)``,
    or ``normal(mean, std, size)`` with numbers."""
    g = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = ref.shape
        if isinstance(mean, Tensor) and isinstance(std, Tensor):
            shape = broadcast_shapes(mean.shape, std.shape)
        if isinstance(std, Tensor) and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        z = g.normal(tuple(shape), ref._data.dtype, ref.device)
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        return _T((m + s * z).astype(ref._data.dtype, copy=False))
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: give a size when mean and std "
                        "are numbers")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = as_dtype(dtype) if dtype is not None else get_default_dtype()
    z = g.normal(_size((tuple(size),)), dt.np, _backend.as_device(device if device is not None else "cpu"))
    return _finish((mean + std * z).astype(dt.np, copy=False), requires_grad)


@out_arg("bernoulli", "any", resize_warn=False)
def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``), else 0, elementwise."""
    if not isinstance(input, Tensor):
        _not_tensor("bernoulli", input)
    if p is None:
        if input._data.dtype.kind != "f":
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{scalar_name(input.dtype)}'")
        if input._data.size and not bool(((input._data >= 0) & (input._data <= 1)).all()):    # NaN fails too
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    prob = input._data if p is None else p
    u = _gen(generator).uniform(input._data.shape, input._data.dtype, input.device)
    return _T((u < prob).astype(input._data.dtype))


@out_arg("multinomial", "long_result", resize_warn=False, differentiable=False)
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw category indices with probabilities proportional to the rows of ``input``."""
    if not isinstance(input, Tensor):
        _not_tensor("multinomial", input)
    if not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{scalar_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input._data.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    p = _backend.to_numpy(input._data).astype(_np.float64)
    if not bool((_np.isfinite(p) & (p >= 0)).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = p.reshape(-1, p.shape[-1])
    if rows.size and not bool((rows.sum(-1) > 0).all()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    g = _gen(generator)
    out = []
    for r in rows:
        k = int((r > 0).sum())
        if not replacement and num_samples > k:      # as torch: the zero-probability categories come last
            zero = _np.flatnonzero(r == 0)
            picked = g.choice(len(r), k, False, r / r.sum())
            out.append(_np.concatenate([picked, zero[g.choice(len(zero), num_samples - k, False, None)]]))
            continue
        out.append(g.choice(len(r), num_samples, replacement, r / r.sum()))
    arr = _np.stack(out).astype(_np.int64).reshape(p.shape[:-1] + (num_samples,))
    return _T(_backend.to_device(arr, input.device))


# ---------------------------------------------------------------- legacy constructors
def _legacy_new(cls, dtype, args, device):
    """``Tensor(2, 3)``: uninitialised of that size; ``Tensor([1, 2])`` / ``Tensor(ndarray)``: from data."""
    if cls is not Tensor:
        cls = Tensor
    if device is None:
        device = "cpu"                                 # the legacy constructors ignore set_default_device, as torch's
    if not args:
        return zeros(0, dtype=dtype, device=device)
    if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or \
            (len(args) == 1 and type(args[0]).__name__ == "Size"):
        return zeros(*args, dtype=dtype, device=device)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not dtype:
                raise TypeError(f"expected {dtype} (got {data.dtype})")
            return data.detach()
        return tensor(data, dtype=dtype, device=device)
    raise TypeError(f"new() received an invalid combination of arguments")


class _LegacyTensorType:
    """``FloatTensor``, ``LongTensor``, ...: callable constructors of a fixed dtype; ``isinstance`` checks the dtype."""

    def __init__(self, dtype, cuda=False):
        self.dtype = dtype
        self.is_cuda = cuda
        self.__name__ = dtype._legacy
        self.__qualname__ = dtype._legacy

    def __call__(self, *args, **kwargs):
        t = _legacy_new(Tensor, self.dtype, args, None)
        return t.cuda() if self.is_cuda else t

    def __instancecheck__(self, obj):
        return isinstance(obj, Tensor) and obj.dtype is self.dtype and obj.is_cuda == self.is_cuda

    def __repr__(self):
        return f"<class 'torch.{'cuda.' if self.is_cuda else ''}{self.dtype._legacy}'>"


legacy_types = {d._legacy: _LegacyTensorType(d) for d in _dtype.ALL}
cuda_legacy_types = {d._legacy: _LegacyTensorType(d, cuda=True) for d in _dtype.ALL}
