"""Anomaly mode (``detect_anomaly``): a FunctionHook installed only while it is on.

Forward: each new node keeps the traceback of the call that made it. Backward: a node
whose backward fails first warns with that traceback; a node that returns NaN raises,
naming itself and showing it, as torch does.
"""
import functools
import os
import traceback
import warnings

from . import function as _function
from . import node as _node
from .function import FunctionHook

_HERE = os.path.dirname(os.path.abspath(__file__))


class AnomalyMode(FunctionHook):
    def forward(self, function, run, args, kwargs):
        out = run(*args, **kwargs)
        node = (out[0] if type(out) is tuple and out else out).grad_fn if out is not None else None
        if node is not None and node._anomaly_trace is None:
            node._anomaly_trace = traceback.format_list(
                [f for f in traceback.extract_stack()[:-1] if not f.filename.startswith(_HERE)])
        return out

    def backward(self, node, run, grads):
        try:
            grads_in = run(grads)
        except Exception:
            if node._anomaly_trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                              + "".join(node._anomaly_trace).rstrip(), stacklevel=2)
            raise
        for i, g in enumerate(grads_in):
            if g is not None and g._data.dtype.kind == "f":
                xp = _function._backend.array_module(g._data)
                if bool(xp.isnan(g._data).any()):
                    trace = "".join(node._anomaly_trace or ["(no forward trace recorded)\n"])
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                                       f"Traceback of the forward call that caused the error:\n{trace}")
        return grads_in


_hook = AnomalyMode()


def set_detect_anomaly(mode):
    """Switch anomaly mode on or off (installs or removes its hook)."""
    _node._anomaly[0] = bool(mode)
    if mode and _hook not in _function.hooks:
        _function.install_hook(_hook)
    elif not mode:
        _function.remove_hook(_hook)


def is_anomaly_enabled():
    return _node._anomaly[0]


class detect_anomaly:
    """Context manager: a backward that produces NaN raises, naming the node and the forward call that made it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = _node._anomaly[0]
        set_detect_anomaly(self.check_nan)

    def __exit__(self, *exc):
        set_detect_anomaly(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper
