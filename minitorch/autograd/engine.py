"""The backward pass: walk the recorded graph from the outputs back to the leaves.

Why an order: a node may feed several later ops (``w`` in ``(x + w) * (w + 1)``),
so its gradient is the *sum* of what each consumer sends back. A node may run
its backward only once every consumer has sent its part. Every node is numbered
when it is recorded (``_sequence_nr``), after the nodes that made its inputs, so
running the waiting node with the largest number first (a heap) runs every
consumer before the node it feeds: the recording order, reversed, is a
topological order (torch's engine uses the same numbers).

``run_backward`` is that loop. Each step is a named helper below it:
``_before`` (tensor hooks, ``retain_grad``, what ``autograd.grad`` returns),
``call`` (the node's backward and its post-hooks), ``_fit`` (a gradient to
its input's shape, dtype and device), ``_send`` (into the inbox of the next
node). A leaf's ``AccumulateGrad`` is a node like any other: its backward adds
the gradient into ``.grad``.

What flows along the edges: with ``create_graph=True`` tensors (the backward ops
are recorded, so the gradients can be differentiated again); otherwise bare arrays,
which each node's ``array_backward`` (the formula of its ``backward``, on arrays)
takes and returns, with no Tensor made per gradient. Hooks, ``autograd.grad``'s
results and the ops without an ``array_backward`` see tensors wrapped around them.
"""
from heapq import heappop, heappush

from .. import _backend, _grad_mode as grad_mode
from .._dtype import from_numpy_dtype
from ..tensor import Tensor, typename, _pyname
from . import function as _function
from . import node as _node
from .node import AccumulateGrad, Node, accumulator_of

_make = Tensor._from_array
_ndarray = _backend._ndarray


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, allow_unused=False,
                 accumulate=True):
    """Backpropagate from ``outputs``; accumulate into leaves' ``.grad`` or return the grads of ``inputs``.

    ``grad_outputs`` are the vectors in the vector-Jacobian products (ones for
    scalars). With ``inputs`` given and ``accumulate=False`` this is
    ``autograd.grad``: nothing is written to ``.grad``, and only the part of
    the graph that leads to ``inputs`` runs.
    """
    if retain_graph is None:
        retain_graph = create_graph
    grads = _initial_grads(outputs, grad_outputs)
    arrays = not create_graph                       # the pass carries bare arrays unless it records itself
    inbox = {}                                      # node -> [gradient per output of the node]
    ready = []                                      # the nodes with an inbox, newest first (a heap)
    for out, g in zip(outputs, grads):
        node, nr = _graph_root(out)
        _send(inbox, ready, node, nr, g._data if arrays else g)
    capture = _capture(inputs)                      # {(node, output_nr): [positions in the result]}
    results = [None] * len(inputs) if inputs is not None else None
    skip, stop = (), ()                             # nodes that lead nowhere asked; nodes only captured
    if not accumulate:
        skip, stop = _prune(list(inbox), capture)
    call = _call_arrays if arrays else _call
    if _function.hooks:                             # profiler, anomaly mode, device guard
        call = _hooked(arrays)
    _node._shared.append({id(g._data) for g in grads})   # arrays .grad must not alias (copied first)
    grad_was, grad_mode._enabled[0] = grad_mode._enabled[0], bool(create_graph)   # record backward ops?
    quiet = _function._quiet_on()                   # inf + -inf = nan in a sum, as in torch: no numpy warning
    try:
        while ready:
            node = heappop(ready)[1]                    # the newest node that has gradients waiting
            buf = inbox.pop(node)
            if node in skip:
                continue
            if node._pre_hooks or node._retain_hooks or capture or type(node) is AccumulateGrad:
                _before(node, buf, capture, results, arrays)
            if node in stop:
                continue
            grads_in = call(node, buf)
            for edge, g in zip(node._edges, grads_in):
                if not edge or g is None:                   # no gradient flows to this argument
                    continue
                child, nr, shape, dtype, kind = edge        # where it goes; the input it is for
                d = g if arrays else g._data
                if d.shape != shape or d.dtype is not dtype or type(d) is not kind:
                    g = _fit(g, edge, node)
                if child not in inbox and child._n_outputs == 1:
                    inbox[child] = [g]                       # the first gradient to reach it
                    heappush(ready, (-child._seq, child))
                else:
                    _send(inbox, ready, child, nr, g)
            if not retain_graph:
                node._release()
    finally:
        _function._quiet_off(quiet)
        grad_mode._enabled[0] = grad_was
        _node._shared.pop()
    if inputs is not None:
        return _results(results, allow_unused)


def _reachable(roots):
    """Every node reachable from ``roots`` along the edges."""
    seen, stack = set(roots), list(roots)
    while stack:
        for edge in stack.pop()._edges:
            if edge and edge.node not in seen:
                seen.add(edge.node)
                stack.append(edge.node)
    return seen


def _prune(roots, capture):
    """For ``autograd.grad``: find, once, the nodes that lead to a captured input (tinygrad's deepwalk).

    Returns the nodes to skip (nothing asked for lies below them) and the nodes only captured (a leaf, or
    a node with nothing to compute below it): their gradient is taken, their backward not run."""
    captured = {node for node, _ in capture}
    nodes, reach, run = _reachable(roots), set(), set()
    for node in sorted(nodes, key=Node._sequence_nr):  # oldest first: children before their consumers
        if any(e and e.node in reach for e in node._edges):
            run.add(node)
        if node in run or node in captured:
            reach.add(node)
    return nodes - reach, reach - run


def _before(node, buf, capture, results, arrays):
    """Before a node runs: hooks may replace its gradients; ``retain_grad`` and ``autograd.grad`` take them
    (as tensors: in a pass that carries arrays, they are wrapped for them and unwrapped after)."""
    hooks = node._pre_hooks or node._retain_hooks or (type(node) is AccumulateGrad and node.variable._hooks)
    if not hooks and not capture:
        return
    tensors = [_as_tensor(g) for g in buf] if arrays else buf
    if hooks:
        _run_pre_hooks(node, tensors)
    if capture:
        for nr, g in enumerate(tensors):
            for k in capture.get((node, nr), ()):
                results[k] = g
    if arrays:
        buf[:] = [_as_array(g) for g in tensors]


def _call(node, buf, use_arrays=True):
    """The node's backward on tensors (one gradient per output in, a tuple per forward argument out), then
    its post-hooks: the call of a pass that records (``create_graph=True``).

    ``use_arrays``: when nothing is recorded, a Function's ``array_backward`` (if it has one) runs instead,
    on the tensors' arrays (the hooked call of a pass that carries arrays, outside the profiler)."""
    if node._output_meta is not None and node._materialize_grads:   # multi-output: an unused output's gradient
        make, zeros = _make, node.xp.zeros                            # is zeros (unless the node asked for None)
        buf = [g if g is not None else make(zeros(s, d)) for g, (s, d) in zip(buf, node._output_meta)]
    function = node._function
    if use_arrays and function.array_backward is not None and not grad_mode._enabled[0]:
        grads_in = function.array_backward(node, *[_as_array(g) for g in buf])
        grads_in = tuple(_as_tensor(g) for g in (grads_in if type(grads_in) is tuple else (grads_in,)))
    else:
        grads_in = function.backward(node, *buf)
        if type(grads_in) is not tuple:
            grads_in = (grads_in,)
    if node._post_hooks:
        for hook in node._post_hooks:
            res = hook(grads_in, tuple(buf))
            if res is not None:
                grads_in = _hook_tuple(hook, grads_in, res, node._edges)
    return grads_in


def _call_arrays(node, buf):
    """The call of a pass that carries arrays (``create_graph=False``): the Function's ``array_backward``
    (the same formula as ``backward``, on arrays: no Tensor per step), or, for a Function without one or a
    node with post-hooks, ``_call`` on tensors wrapped around the arrays."""
    function = node._function
    if function.array_backward is None or node._post_hooks or node._output_meta is not None:
        return [_as_array(g) for g in _call(node, [_as_tensor(g) for g in buf], False)]
    grads_in = function.array_backward(node, *buf)
    return grads_in if type(grads_in) is tuple else (grads_in,)


def _as_tensor(g):
    return None if g is None else _make(g if type(g) is _ndarray else _function._as_array(g, _backend.numpy))


def _as_array(g):
    return None if g is None else g._data


def _hooked(arrays):
    """The call inside the ``backward`` of every installed FunctionHook (profiler, anomaly mode, device
    guard), which see tensors; while the profiler records, the plain ``backward``: it lists each op a
    backward runs, as torch's does."""
    use_arrays = _function._profiling[0] is None

    def call(node, buf):
        def run(grads):
            return _call(node, grads, use_arrays)
        for hook in reversed(_function.hooks):
            run = _wrap_backward(hook, node, run)
        if not arrays:
            return run(buf)
        return [_as_array(g) for g in run([_as_tensor(g) for g in buf])]
    return call


def _wrap_backward(hook, node, run):
    return lambda buf: hook.backward(node, run, buf)


def _fit(g, edge, node):
    """A gradient made to match its input: on its device, summed over broadcast dims, in its dtype."""
    if not isinstance(g, Tensor):                      # an array (or a numpy scalar) in a pass carrying arrays
        return _fit(_as_tensor(g), edge, node)._data
    if type(g._data) is not edge.kind:                 # a 0-dim CPU tensor used in a GPU op
        g = g.cpu() if edge.kind is _backend._ndarray else g
    if g._data.shape != edge.shape:
        g = _reduce_to_shape(g, edge.shape, node)
    if g._data.dtype != edge.dtype:
        g = g.to(from_numpy_dtype(edge.dtype))
    return g


def _send(inbox, ready, node, nr, g):
    """Add ``g`` into the inbox of output ``nr`` of ``node`` (the sum of all its consumers' gradients)."""
    buf = inbox.get(node)
    if buf is None:
        buf = inbox[node] = [None] * node._n_outputs
        heappush(ready, (-node._seq, node))
    old = buf[nr]
    if old is None:
        buf[nr] = g
    elif isinstance(old, Tensor):
        buf[nr] = old + g                              # recorded (create_graph): the sum is differentiable too
    else:
        s = old + g                                    # numpy gives a scalar for 0-d: keep an array
        buf[nr] = s if type(s) is type(old) else _backend.numpy.asarray(s)


def _graph_root(t):
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    return accumulator_of(t), 0


def _initial_grads(outputs, grad_outputs):
    """The gradients backward starts from: ones for scalar outputs, else what the caller gave (checked)."""
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            g = _ones_like(out)
        elif not isinstance(g, Tensor):
            from ..creation import tensor     # creation sits above autograd: imported when first needed
            g = tensor(g, dtype=out.dtype, device=out.device)
        else:
            if g.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                                   f"output[{i}] has a shape of {out.shape}.")
            if g.device != out.device:
                raise RuntimeError(f"invalid gradient at index {i} - expected device {out.device} but got {g.device}")
        grads.append(g)
    return grads


def _ones_like(t):
    d = t._data
    if type(d) is _backend._ndarray:
        return _make(_backend.numpy.ones(d.shape, d.dtype))
    with d.device:
        return _make(_backend.array_module(d).ones(d.shape, d.dtype))


def _capture(inputs):
    """For ``autograd.grad``: where each input's gradient arrives, ``{(node, output_nr): [positions]}``."""
    capture = {}
    for k, t in enumerate(inputs or ()):
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture.setdefault(_graph_root(t), []).append(k)
    return capture


def _results(results, allow_unused):
    for k, r in enumerate(results):
        if r is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have been used in the "
                               "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(results)


def _run_pre_hooks(node, buf):
    """Tensor hooks (``register_hook``) may replace a gradient; ``retain_grad`` hooks run last."""
    if type(node) is AccumulateGrad:
        hooks = node.variable._hooks
        if hooks:
            for hook in list(hooks.values()):
                res = hook(buf[0])
                if res is not None:
                    buf[0] = _hook_value(hook, buf[0], res)
        return
    if node._pre_hooks:
        for nr, hooks in node._pre_hooks.items():
            if nr is None:
                for hook in list(hooks):
                    res = hook(tuple(buf))
                    if res is not None:
                        buf[:] = _hook_tuple(hook, buf, res)
                continue
            if buf[nr] is None:
                continue
            for hook in list(hooks):
                res = hook(buf[nr])
                if res is not None:
                    buf[nr] = _hook_value(hook, buf[nr], res)
    if node._retain_hooks:
        for nr, hook in node._retain_hooks.items():
            if buf[nr] is not None:
                hook(buf[nr])


def _hook_name(hook):
    return getattr(hook, "__name__", "<unknown>")


def _hook_value(hook, old, new, meta=None):
    """What a gradient hook returned in place of ``old``, refused (as torch refuses it) unless it is a tensor of
    the same size, dtype and device: a hook must not silently change what backward propagates or stores in
    ``.grad``. ``meta`` (an Edge) is the input a node's gradient is for, also accepted as a post-hook result."""
    if new is None:
        return None
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{_pyname(new)}'")
    nd, od = new._data, old._data
    if nd.dtype != od.dtype or type(nd) is not type(od) or new.device != old.device:
        if meta is None or nd.dtype != meta.dtype or type(nd) is not type(od) or new.device != old.device:
            raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was {typename(old)} "
                               f"got {typename(new)})")
    if nd.shape != od.shape and (meta is None or nd.shape != meta.shape):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return new


def _hook_tuple(hook, old, new, edges=None):
    """The gradients a node hook returned in place of ``old`` (a tuple of the same length; see ``_hook_value``)."""
    if not isinstance(new, tuple):
        if not isinstance(new, list):
            raise TypeError(f"expected tuple, but hook returned '{_pyname(new)}'")
        new = tuple(new)
    if len(new) != len(old):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {len(old)})")
    if edges is None:
        return [_hook_value(hook, o, n) for o, n in zip(old, new)]
    return tuple(_hook_value(hook, o, n, edges[i] if i < len(edges) and edges[i] else None)
                 for i, (o, n) in enumerate(zip(old, new)))


def _reduce_to_shape(g, shape, node):
    """Undo broadcasting: sum a gradient over the dims along which its input was broadcast."""
    from ..ops.shape import sum_to_shape     # the ops layer sits above autograd: imported when first needed
    try:
        return sum_to_shape(g, shape)
    except ValueError:
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient - got shape "
                           f"{list(g.shape)} but expected shape compatible with {list(shape)}") from None

