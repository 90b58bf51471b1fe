"""All tensor operations, one module per family. Each op is written once, as a function here;
``minitorch/_methods.py`` binds the same functions as ``Tensor`` methods."""
from . import elementwise, reduce, shape, index, linalg, inplace  # noqa: F401
