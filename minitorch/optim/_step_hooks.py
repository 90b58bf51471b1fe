"""Optimizer step hooks: the global registries (``register_optimizer_step_pre_hook`` / ``_post_hook``, which
``optimizer`` re-exports where torch has them), the handle ``register_*_hook`` returns, and ``_with_hooks``,
the wrapper every optimizer class's ``step`` gets (``Optimizer._patch_step_function`` applies it once per
class). Split from ``optimizer.py`` by concern."""
from collections import OrderedDict
from itertools import chain
import functools

from ..autograd.function import _profiling
from ..profiler import record_function

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


class _HookHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook."""
    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(hooks, hook, prepend=False):
    handle = _HookHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``; it may return new ``(args, kwargs)``."""
    return _register(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    return _register(_global_optimizer_post_hooks, hook)


def _with_hooks(step):
    """Wrap a class's ``step`` so the registered step pre- and post-hooks run around it (and, while a profiler
    runs, all of it as one ``Optimizer.step#SGD.step`` row, as torch names it)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if _profiling[0] is None:
            return hooked(self, *args, **kwargs)
        with record_function(f"Optimizer.step#{type(self).__name__}.step"):
            return hooked(self, *args, **kwargs)

    def hooked(self, *args, **kwargs):
        pre = self._optimizer_step_pre_hooks
        if pre or _global_optimizer_pre_hooks:
            for hook in chain(_global_optimizer_pre_hooks.values(), pre.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{hook} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
        out = step(self, *args, **kwargs)
        self._optimizer_step_code()
        post = self._optimizer_step_post_hooks
        if post or _global_optimizer_post_hooks:
            for hook in chain(self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()):
                hook(self, args, kwargs)
        return out
    wrapper.hooked = True
    return wrapper
