"""dtypes with torch's names, and torch's type-promotion rules.

A ``dtype`` wraps the numpy dtype that stores it. Promotion follows torch, not
numpy: categories bool < integer < floating; within a category the wider type
wins; a zero-dim tensor or a Python number only raises the result's category,
never its width (``float32_tensor * 2.5`` stays float32, ``int_tensor * 2.5``
becomes the default float dtype, float32).
"""
import numpy as _np


class dtype:
    """A tensor element type, e.g. ``minitorch.float32`` (printed ``torch.float32``)."""
    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "category",
                 "_legacy", "__weakref__")

    def __init__(self, name, np_dtype, category, legacy):
        self.name = name
        self.np = _np.dtype(np_dtype)
        self.category = category            # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize
        self._legacy = legacy

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    is_complex = False

    def to_real(self):
        return self


bool_ = dtype("bool", _np.bool_, 0, "BoolTensor")
uint8 = dtype("uint8", _np.uint8, 1, "ByteTensor")
int8 = dtype("int8", _np.int8, 1, "CharTensor")
int16 = dtype("int16", _np.int16, 1, "ShortTensor")
int32 = dtype("int32", _np.int32, 1, "IntTensor")
int64 = dtype("int64", _np.int64, 1, "LongTensor")
float16 = dtype("float16", _np.float16, 2, "HalfTensor")
float32 = dtype("float32", _np.float32, 2, "FloatTensor")
float64 = dtype("float64", _np.float64, 2, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_from_np = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update({"bool": bool_, "float": float32, "double": float64, "half": float16,
               "long": int64, "int": int32, "short": int16, "char": int8, "byte": uint8})


def _by_name(name):
    return _NAMES[name]


_default_float = float32


def get_default_dtype():
    """The dtype Python floats and float factories produce (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    """Set the default floating dtype (float32 or float64), as ``torch.set_default_dtype``."""
    global _default_float
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype):
    """The minitorch dtype storing values as ``np_dtype``."""
    d = _from_np.get(np_dtype)
    if d is None:
        d = _from_np.get(_np.dtype(np_dtype))
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return d


def as_dtype(d):
    """Normalise a dtype argument (a dtype, a Python type, a numpy dtype or a legacy tensor type)."""
    if isinstance(d, dtype):
        return d
    if d is None:
        return None
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    legacy = getattr(d, "dtype", None)
    if isinstance(legacy, dtype):
        return legacy
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    try:
        return from_numpy_dtype(_np.dtype(d))
    except TypeError:
        raise TypeError(f"expected a minitorch dtype, got {d!r}") from None


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to without losing category (torch.promote_types)."""
    if a is b:
        return a
    if a.category != b.category:
        if a.category == 2:
            return a
        if b.category == 2:
            return b
        return a if a.category > b.category else b       # integer beats bool
    return _from_np[_np.promote_types(a.np, b.np)]


def _category_of_scalar(x):
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    return 2


def scalar_dtype(x):
    """The dtype torch gives a tensor made from the Python number ``x``."""
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _default_float
    if isinstance(x, _np.generic):          # numpy scalars count as Python numbers of their kind
        return scalar_dtype(x.item())
    raise TypeError(f"expected a number, got {type(x).__name__}")


def _combine(higher, lower):
    """torch's combine_categories: ``lower`` may raise ``higher``'s category, never its width."""
    if higher is None:
        return lower
    if lower is None or higher.category == 2:
        return higher
    if higher is bool_ or lower.category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype of an elementwise op over ``operands`` (tensors and Python numbers), as torch computes it.

    Tensors with dims decide first; zero-dim tensors, then Python numbers (as the
    default dtype of their kind), are only allowed to raise the category.
    """
    dim_result = zero_result = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    return _combine(dim_result, _combine(zero_result, wrapped))
