"""minitorch.autograd: reverse-mode differentiation of recorded tensor programs.

``backward`` accumulates gradients into leaves; ``grad`` returns them instead;
``Function`` is how an op (yours too) defines forward and backward;
``gradcheck`` / ``gradgradcheck`` compare them with finite differences.
"""
from .function import Function, FunctionHook
from .node import Node, AccumulateGrad, accumulate, _shared
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .._args import defaults_only, FALSE
from .engine import run_backward
from ..tensor import Tensor



def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Add the gradients of ``tensors`` into the ``.grad`` of the leaves of their graphs.

    ``minitorch.autograd.backward(loss)`` is ``loss.backward()``; with several
    tensors it runs one backward pass for all of them (their gradients add up).

    Args:
        tensors (Tensor or sequence of Tensor): the tensors to differentiate.
        grad_tensors (Tensor or sequence, optional): one gradient per tensor
            (``None`` allowed for one-element tensors, meaning 1).
        retain_graph (bool, optional): keep the graph for another backward
            (defaults to ``create_graph``).
        create_graph (bool): record the backward pass, for higher-order
            derivatives (default ``False``).
        inputs (sequence of Tensor, optional): accumulate only into these.

    See ``Tensor.backward`` and docs/03-the-backward-pass.md.
    """
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
        _shared.append(set())
        try:
            with set_grad_enabled(create_graph):
                for t, g in zip(inputs, found):
                    if g is not None:
                        accumulate(t, g)
        finally:
            _shared.pop()
        return
    run_backward(tensors, grads, retain_graph, create_graph)


@defaults_only(is_grads_batched=FALSE)
def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple; ``.grad`` is left alone.

    Where ``backward()`` adds gradients into the leaves' ``.grad``, ``grad``
    returns them, for any tensors of the graph (leaves or not), and touches
    no ``.grad``. For a non-scalar output, ``grad_outputs`` gives the vector
    of the vector-Jacobian product ``v^T J``.

    Args:
        outputs (Tensor or sequence of Tensor): the differentiated tensors.
        inputs (Tensor or sequence of Tensor): the tensors to differentiate with
            respect to; one gradient is returned for each, in order.
        grad_outputs (Tensor or sequence, optional): one "vector" per output,
            of its shape (``None`` allowed for one-element outputs: 1).
        retain_graph (bool, optional): keep the graph for another backward
            (defaults to ``create_graph``).
        create_graph (bool): record the computation of the gradients, so that
            they can be differentiated again (higher-order derivatives: a
            Hessian-vector product is ``grad`` of a ``grad``). Default ``False``.
        allow_unused (bool, optional): return ``None`` for an input the outputs
            do not depend on, instead of raising. Defaults to ``materialize_grads``.
        materialize_grads (bool): return zeros instead of ``None`` for such inputs.
        is_grads_batched (bool): not supported (``True`` is refused); call
            ``grad`` once per row of ``grad_outputs`` instead.

    Example::

        >>> x = minitorch.tensor(3.0, requires_grad=True)
        >>> g, = minitorch.autograd.grad(x ** 3, x, create_graph=True)   # 3x^2 = 27
        >>> minitorch.autograd.grad(g, x)                                 # 6x = 18
        (tensor(18.),)

    See docs/06-higher-order-gradients.md (why ``create_graph`` makes the
    gradient differentiable) and docs/03-the-backward-pass.md.
    """
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs_t,
                       allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from ..creation import zeros_like     # creation sits above autograd: imported when first needed
        res = tuple(r if r is not None else zeros_like(i) for r, i in zip(res, inputs_t))
    return res


def Variable(data, requires_grad=False, volatile=False):
    """The legacy ``Variable(tensor, requires_grad=...)`` of old tutorials: today simply a tensor."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    t = data.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


from .anomaly import detect_anomaly, set_detect_anomaly, is_anomaly_enabled  # noqa: E402
from . import device_guard  # noqa: E402,F401  (installs itself once cupy is loaded)


from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402
from . import functional  # noqa: E402
