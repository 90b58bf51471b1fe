"""Arguments minitorch takes for torch's signature but supports only at their default: refused otherwise.

``@defaults_only(layout=LAYOUT, memory_format=MEMORY_FORMAT)`` lets a call through when each named argument
is absent, None or False, or prints as one of the accepted values (``torch.strided`` for a layout, the
preserve/contiguous memory formats); any other value is a TypeError naming the argument, never ignored.
minitorch tensors are always strided, C-ordered and dense, so these are the values it can honour.
"""
import functools
import inspect

LAYOUT = ("torch.strided",)
MEMORY_FORMAT = ("torch.preserve_format", "torch.contiguous_format")
CONTIGUOUS_FORMAT = ("torch.contiguous_format",)
FALSE = ()                      # only False / None (sparse gradients, custom tensor_contents ...)


def _accepted(v, ok):
    return v is None or v is False or (not isinstance(v, (bool, int, float)) and str(v) in ok)


def defaults_only(**accepted):
    """Decorator: refuse (TypeError) a value of a named argument that minitorch cannot honour."""
    def deco(fn):
        params = inspect.signature(fn).parameters
        names = list(params)
        pos = {n: names.index(n) for n in accepted if params[n].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD}
        first = min(pos.values(), default=1 << 30)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if kwargs or len(args) > first:
                for n, ok in accepted.items():
                    if n in kwargs:
                        v = kwargs[n]
                    elif n in pos and len(args) > pos[n]:
                        v = args[pos[n]]
                    else:
                        continue
                    if not _accepted(v, ok):
                        raise TypeError(f"{fn.__name__}(): {n}={v!r} is not supported by minitorch"
                                        + (f" (only {' or '.join(ok)})" if ok else ""))
            return fn(*args, **kwargs)
        wrapper._defaults_only = tuple(accepted)
        return wrapper
    return deco
