"""``minitorch.nn``: modules, parameters, containers, layers, losses, ``functional`` and ``init``.

Everything has torch's name, constructor signature, parameter layout and repr,
so a model written for ``torch.nn`` builds here with the same ``state_dict`` keys.
"""
from .parameter import Parameter, Buffer
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all  # noqa: F401
from .modules.module import (register_module_forward_pre_hook, register_module_forward_hook,
                             register_module_full_backward_hook, register_module_full_backward_pre_hook)
from . import functional
from . import init
from . import utils
from . import modules
from . import parameter
