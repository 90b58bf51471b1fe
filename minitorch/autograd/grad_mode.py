"""``torch.autograd.grad_mode``: the switches, defined one layer below ``Tensor`` (``minitorch/_grad_mode.py``)."""
from .._grad_mode import (_enabled, _GradMode, is_grad_enabled, no_grad, enable_grad,  # noqa: F401
                          set_grad_enabled, inference_mode)
