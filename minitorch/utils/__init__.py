"""``minitorch.utils``: the data toolchain (``minitorch.utils.data``), ``summary`` (torchsummary's layer table)
and ``tensorboard`` (``SummaryWriter``; imported on first use, it needs the ``tensorboard`` package)."""
import importlib

from . import data
from .summary import summary

__all__ = ["data", "summary"]


def __getattr__(name):
    if name == "tensorboard":            # lazily: `import minitorch` must not import the tensorboard package
        return importlib.import_module(".tensorboard", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
