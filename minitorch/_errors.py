"""The texts of torch's argument errors that ``Tensor``, the ops and ``creation`` share: the type name an
error prints, and dtypes by their C and ScalarType names (``ops/_out`` re-exports those two). Below ``tensor`` in the layer order (``tensor`` re-exports them)."""


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def c_name(d):
    """torch's C name of a dtype in messages (its structured kernels' and ``.grad``'s): 'float', 'long int', ..."""
    return _C_NAMES[d.name]


def scalar_name(d):
    """torch's ScalarType name of a dtype: Float, Double, Long, Bool, ..."""
    return d._legacy[:-6]


def _pyname(obj):
    """The type name torch's argument errors print: ``list``, ``NoneType``, ``Tensor``, ``numpy.ndarray``."""
    t = type(obj)
    module = t.__module__ or ""
    if module == "builtins" or module.startswith("minitorch"):
        return t.__qualname__
    return f"{module}.{t.__qualname__}"


def _not_tensor(fname, obj, arg="input", pos=1):
    """torch's TypeError for a public function given something else than a tensor."""
    raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {_pyname(obj)}")
