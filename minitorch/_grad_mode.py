"""Switching the recording of the autograd tape on and off (``torch.autograd.grad_mode``).

The layer below ``Tensor``: tensors and every op read the switch, so it imports
nothing of minitorch; ``minitorch.autograd.grad_mode`` is the same module under
torch's name.
``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers
and as decorators, like torch's. ``is_grad_enabled()`` is read on every op, so
the flag lives in a one-element list that ``Function.apply`` reads directly.
"""
import functools

_enabled = [True]


def is_grad_enabled():
    """True when ops record themselves on the tape."""
    return _enabled[0]


class _GradMode:
    """Base for the grad-mode context managers: sets the flag on entry, restores it on exit."""
    _mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._mode

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradMode):
    """Context manager / decorator in which no op is recorded (results have ``requires_grad=False``)."""
    _mode = False


class enable_grad(_GradMode):
    """Context manager / decorator that turns recording back on inside ``no_grad``."""
    _mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(mode)``: sets recording on or off immediately; as a context manager it restores the old mode on exit."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._mode = bool(mode)
        _enabled[0] = self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def __call__(self, fn):
        _enabled[0] = self._prev          # used as a decorator: change nothing until fn runs
        return super().__call__(fn)

    def clone(self):
        return set_grad_enabled(self._mode)


class inference_mode(no_grad):
    """Alias of ``no_grad`` (minitorch has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode

    def clone(self):
        return inference_mode(not self._mode)
