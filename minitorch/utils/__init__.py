"""``minitorch.utils``: the data toolchain (``minitorch.utils.data``) and ``summary`` (torchsummary's layer table)."""
from . import data
from .summary import summary

__all__ = ["data", "summary"]
