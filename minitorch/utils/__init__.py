"""``minitorch.utils``: the data toolchain (``minitorch.utils.data``)."""
from . import data

__all__ = ["data"]
