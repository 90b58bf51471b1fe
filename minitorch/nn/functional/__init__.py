"""``minitorch.nn.functional`` (being split into modules by concern)."""
from ._loss import *  # noqa: F401,F403
from ._loss import __all__, erf  # noqa: F401
