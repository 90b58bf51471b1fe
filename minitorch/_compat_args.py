"""Argument spellings torch's argument parser accepts besides the documented ones.

* numpy's names: ``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=``, on the functions that torch
  parses natively (``torch.sum(x, axis=1, keepdims=True)``, ``x.mean(axis=0)``, ``torch.cat(ts, axis=0)``),
  not on those written in Python (``torch.split``, ``torch.norm``, ``F.softmax``, ``Tensor.unflatten``).
  Giving both spellings is torch's TypeError.
* the deprecated overload ``add(input, alpha, other)`` (``sub`` too, and the methods ``add``, ``add_``,
  ``sub``, ``sub_``): computes ``input + alpha * other`` with torch's UserWarning, issued once per process
  for all of them, as torch's parser does.

``install`` rebinds the module-level functions and the Tensor methods to wrappers that only look at the
keyword arguments when there are any, so the common call pays one test.
"""
import functools
import numbers
import warnings

from .tensor import Tensor

# torch-level and Tensor methods with ``dim`` and ``keepdim`` (both aliases accepted)
_WITH_KEEPDIM = ("sum", "mean", "var", "std", "var_mean", "std_mean", "max", "min", "amax", "amin", "argmax",
                 "argmin", "logsumexp", "prod", "all", "any", "median", "nansum", "nanmean", "mode", "kthvalue",
                 "quantile")
# with ``dim`` only (``axis`` accepted, ``keepdims`` refused as an unknown keyword)
_DIM_ONLY = ("cumsum", "cumprod", "count_nonzero", "sort", "argsort", "topk", "softmax", "log_softmax", "squeeze",
             "unsqueeze", "cat", "concat", "concatenate", "stack", "chunk", "unbind", "index_select", "select",
             "gather", "narrow", "repeat_interleave", "tensor_split", "scatter", "scatter_add", "take_along_dim",
             "diff", "logcumsumexp", "cummax", "cummin", "renorm", "unflatten")
_NOT_METHODS = ("unflatten",)          # Tensor.unflatten is written in Python in torch: no alias


def _aliased(fn, name, keepdim):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            if "axis" in kwargs:
                if "dim" in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument 'axis'")
                kwargs["dim"] = kwargs.pop("axis")
            if keepdim and "keepdims" in kwargs:
                if "keepdim" in kwargs:
                    raise TypeError(f"{name}() got an unexpected keyword argument 'keepdims'")
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)
    wrapper._numpy_aliases = True
    return wrapper


_warned = [False]       # torch warns about a deprecated overload once per process (for all of them together)


def _deprecated(sig, instead):
    if not _warned[0]:
        _warned[0] = True
        warnings.warn(f"This overload of {sig.split('(')[0]} is deprecated:\n\t{sig}\nConsider using one of the "
                      f"following signatures instead:\n\t{instead}", UserWarning, stacklevel=3)


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, Tensor)


def _alpha_overload(fn, name, method):
    """``fn(input, alpha, other)`` -> ``fn(input, other, alpha=alpha)`` with torch's deprecation warning."""
    if method:
        sig = f"{name}(Number alpha, Tensor other)"
        instead = f"{name}(Tensor other, *, Number alpha = 1)"
    else:
        sig = f"{name}(Tensor input, Number alpha, Tensor other, *, Tensor out = None)"
        instead = f"{name}(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)"

    @functools.wraps(fn)
    def wrapper(input, *args, **kwargs):
        if len(args) == 2 and _is_number(args[0]) and isinstance(args[1], Tensor) and "alpha" not in kwargs:
            _deprecated(sig, instead)
            return fn(input, args[1], alpha=args[0], **kwargs)
        return fn(input, *args, **kwargs)
    return wrapper


def install(namespace):
    """Wrap the functions of ``namespace`` (minitorch's globals) and the Tensor methods."""
    for names, keepdim in ((_WITH_KEEPDIM, True), (_DIM_ONLY, False)):
        for name in names:
            fn = namespace.get(name)
            if fn is not None and not getattr(fn, "_numpy_aliases", False):
                namespace[name] = _aliased(fn, name, keepdim)
            meth = Tensor.__dict__.get(name)
            if meth is not None and name not in _NOT_METHODS and not getattr(meth, "_numpy_aliases", False):
                setattr(Tensor, name, _aliased(meth, name, keepdim))
    for name in ("add", "sub"):
        namespace[name] = _alpha_overload(namespace[name], name, False)
        setattr(Tensor, name, _alpha_overload(Tensor.__dict__[name], name, True))
        setattr(Tensor, name + "_", _alpha_overload(Tensor.__dict__[name + "_"], name + "_", True))
