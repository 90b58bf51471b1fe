"""minitorch.autograd: reverse-mode differentiation of recorded tensor programs.

``backward`` accumulates gradients into leaves; ``grad`` returns them instead;
``Function`` is how an op (yours too) defines forward and backward;
``gradcheck`` / ``gradgradcheck`` compare them with finite differences.
"""
from .function import Function, Node, AccumulateGrad, _anomaly
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .engine import run_backward



def _as_tuple(x):
    if x is None:
        return None
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into the ``.grad`` of every leaf."""
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    if inputs is not None:
        inputs = _as_tuple(inputs)
        found = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, allow_unused=True,
                             accumulate=False)
        from .engine import _accumulate
        from .function import accumulator_of
        for t, g in zip(inputs, found):
            if g is not None:
                _accumulate(accumulator_of(t) if t.grad_fn is None else _NonLeafSink(t), g, create_graph, set())
        return
    run_backward(tensors, grads, retain_graph, create_graph)


class _NonLeafSink:
    def __init__(self, t):
        self.variable = t


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (``.grad`` is left alone).

    With ``create_graph=True`` the returned gradients are themselves recorded, so
    they can be differentiated again (higher-order derivatives).
    """
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_t,
                       allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from ..creation import zeros_like
        res = tuple(r if r is not None else zeros_like(i) for r, i in zip(res, inputs_t))
    return res


def Variable(data, requires_grad=False, volatile=False):
    """The legacy ``Variable(tensor, requires_grad=...)`` of old tutorials: today simply a tensor."""
    from ..tensor import Tensor
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    t = data.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


class detect_anomaly:
    """Context manager: a backward that produces NaN raises, naming the node and the forward call that made it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        import warnings
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = _anomaly[0]
        _anomaly[0] = self.check_nan

    def __exit__(self, *exc):
        _anomaly[0] = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper


def set_detect_anomaly(mode):
    _anomaly[0] = bool(mode)


def is_anomaly_enabled():
    return _anomaly[0]


from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402
from . import functional  # noqa: E402
