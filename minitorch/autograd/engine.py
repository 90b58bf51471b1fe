"""The backward pass: walk the recorded graph from the outputs back to the leaves.

Why a topological order: a node may feed several later ops (``w`` in
``(x + w) * (w + 1)``), so its gradient is the *sum* of what each consumer sends
back. A node may run its backward only once every consumer has sent its part.
Sorting the graph so that every node comes after all of its consumers, then
walking that list once, guarantees it (micrograd's one reversed loop).
"""
from . import grad_mode
from .function import AccumulateGrad, accumulator_of, _anomaly, _profiling
from .. import _backend


def _topological_order(roots):
    """Nodes reachable from ``roots``, each listed after every node that consumes its output."""
    order, visited = [], set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._edges))]
        while stack:                                   # iterative DFS, post-order
            node, edges = stack[-1]
            for edge in edges:
                if edge and edge[0] not in visited:
                    child = edge[0]
                    visited.add(child)
                    stack.append((child, iter(child._edges)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _graph_root(t):
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    if t._requires_grad:
        return accumulator_of(t), 0
    return None, 0


def _initial_grads(outputs, grad_outputs, make_ones):
    from ..tensor import Tensor
    from ..creation import tensor as _tensor
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.is_floating_point():
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
            g = make_ones(out)
        elif not isinstance(g, Tensor):
            g = _tensor(g, dtype=out.dtype, device=out.device)
        else:
            if g.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                                   f"output[{i}] has a shape of {out.shape}.")
            if g.device != out.device:
                raise RuntimeError(f"invalid gradient at index {i} - expected device {out.device} but got {g.device}")
        grads.append(g)
    return grads


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, allow_unused=False,
                 accumulate=True):
    """Backpropagate from ``outputs``; accumulate into leaves' ``.grad`` or return the grads of ``inputs``.

    ``grad_outputs`` are the vectors in the vector-Jacobian products (ones for
    scalars). With ``inputs`` given and ``accumulate=False`` this is
    ``autograd.grad``: nothing is written to ``.grad``.
    """
    from ..tensor import Tensor, ones_like
    if retain_graph is None:
        retain_graph = create_graph
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    grad_outputs = _initial_grads(outputs, grad_outputs, lambda o: ones_like(o, memory_format=None))

    # capture[(node, output_nr)] = position in the result of autograd.grad
    capture = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors does not require grad")
            capture.setdefault(_graph_root(t), []).append(k)
    results = [None] * (len(inputs) if inputs is not None else 0)

    buffers = {}
    roots = []
    for out, g in zip(outputs, grad_outputs):
        node, nr = _graph_root(out)
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
            roots.append(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    given = {id(g._data) for g in grad_outputs}

    pruning = inputs is not None and not accumulate
    hooked = _profiling[0] is not None or _anomaly[0]      # profiler or anomaly mode: the slow path below
    with grad_mode.set_grad_enabled(create_graph):
        for node in _topological_order(roots):
            buf = buffers.pop(node, None)
            if buf is None:
                continue
            if node._pre_hooks or node._retain_hooks or type(node) is AccumulateGrad:
                _run_pre_hooks(node, buf)
            if capture:
                for nr, g in enumerate(buf):
                    for k in capture.get((node, nr), ()):
                        results[k] = g
            if type(node) is AccumulateGrad:
                if accumulate:
                    if hooked:
                        _hooked_call(node, _accumulate, node, buf[0], create_graph, given)
                    else:
                        _accumulate(node, buf[0], create_graph, given)
                continue
            if pruning and not _leads_to_capture(node, capture):
                continue
            if node._output_meta is not None:                  # multi-output: undefined grads are zeros
                xp = node.xp
                buf = [g if g is not None else Tensor._from_array(xp.zeros(s, d))
                       for g, (s, d) in zip(buf, node._output_meta)]
            if hooked:
                grads_in = _hooked_call(node, node._function.backward, node, *buf)
            elif node.xp is not _backend.numpy and (guard := _elsewhere(buf)) is not None:
                with guard:                                    # the node's GPU is not the current one
                    grads_in = node._function.backward(node, *buf)
            else:
                grads_in = node._function.backward(node, *buf)
            if type(grads_in) is not tuple:
                grads_in = (grads_in,)
            if node._post_hooks:
                for hook in node._post_hooks:
                    res = hook(grads_in, tuple(buf))
                    if res is not None:
                        grads_in = _hook_tuple(hook, grads_in, res, node._edges)
            if _anomaly[0]:
                _check_anomaly(node, grads_in)
            for edge, g in zip(node._edges, grads_in):
                if not edge or g is None:
                    continue
                child, nr, shape, dtype, array_type = edge
                if type(g._data) is not array_type:            # a 0-dim CPU tensor used in a GPU op
                    g = g.cpu() if array_type is _backend._ndarray else g
                if g._data.shape != shape:
                    g = _reduce_to_shape(g, shape, node)
                if g._data.dtype != dtype:
                    g = g.to(_dtype_of(dtype))
                cbuf = buffers.get(child)
                if cbuf is None:
                    if child._n_outputs == 1:
                        buffers[child] = [g]
                        continue
                    cbuf = buffers[child] = [None] * child._n_outputs
                old = cbuf[nr]
                if old is None:
                    cbuf[nr] = g
                elif create_graph:
                    cbuf[nr] = old + g                     # recorded: the sum is differentiable too
                else:
                    s = old._data + g._data                # numpy gives a scalar for 0-d: keep an array
                    cbuf[nr] = Tensor._from_array(s if type(s) is type(old._data) else _backend.numpy.asarray(s))
            if not retain_graph:
                node._release()

    if inputs is not None:
        for k, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(results)


def _hooked_call(node, fn, *args):
    """``fn(*args)`` for ``node`` while the profiler or anomaly mode is on: timed by the profiler; an
    error under anomaly mode first warns with the forward traceback of ``node``, as torch does."""
    try:
        prof = _profiling[0]
        return fn(*args) if prof is None else prof._backward(node, fn, args)
    except Exception:
        if _anomaly[0] and node._anomaly_trace:
            import warnings
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                          + "".join(node._anomaly_trace).rstrip(), stacklevel=2)
        raise


def _leads_to_capture(node, capture):
    """For autograd.grad: whether any captured input lies below ``node`` (cached on the node per call)."""
    memo = capture.setdefault("_memo", {})
    hit = memo.get(node)
    if hit is None:
        hit = False
        stack, seen = [node], set()
        while stack:
            n = stack.pop()
            for edge in n._edges:
                if not edge or edge[0] in seen:
                    continue
                child = edge[0]
                if (child, edge[1]) in capture:
                    hit = True
                    break
                seen.add(child)
                stack.append(child)
            if hit:
                break
        memo[node] = hit
    return hit


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
    ``.grad``. ``meta`` (shape, dtype) is the input a node's gradient is for, also accepted as a post-hook result."""
    from ..tensor import Tensor, typename, _pyname
    if new is None:
        return None
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{_pyname(new)}'")
    nd, od = new._data, old._data
    if nd.dtype != od.dtype or type(nd) is not type(od) or new.device != old.device:
        if meta is None or nd.dtype != meta[1] or type(nd) is not type(od) or new.device != old.device:
            raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was {typename(old)} "
                               f"got {typename(new)})")
    if nd.shape != od.shape and (meta is None or nd.shape != meta[0]):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return new


def _hook_tuple(hook, old, new, edges=None):
    """The gradients a node hook returned in place of ``old`` (a tuple of the same length; see ``_hook_value``)."""
    if not isinstance(new, tuple):
        if not isinstance(new, list):
            from ..tensor import _pyname
            raise TypeError(f"expected tuple, but hook returned '{_pyname(new)}'")
        new = tuple(new)
    if len(new) != len(old):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {len(old)})")
    if edges is None:
        return [_hook_value(hook, o, n) for o, n in zip(old, new)]
    return tuple(_hook_value(hook, o, n, e[2:4] if i < len(edges) and (e := edges[i]) else None)
                 for i, (o, n) in enumerate(zip(old, new)))


def _reduce_to_shape(g, shape, node):
    """Undo broadcasting: sum a gradient over the dims along which its input was broadcast."""
    from ..ops.shape import sum_to_shape
    try:
        return sum_to_shape(g, shape)
    except ValueError:
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient - got shape "
                           f"{list(g.shape)} but expected shape compatible with {list(shape)}") from None


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _elsewhere(buf):
    """The device guard of the first GPU gradient in ``buf`` when its device is not the current one, else None."""
    for g in buf:
        if g is not None and type(g._data) is not _backend._ndarray:
            return _backend.guard_if_elsewhere(g._data)
    return None


def _accumulate(node, g, create_graph, given):
    """``leaf.grad += g`` (the first gradient is stored, copied if it may be shared with something else)."""
    var = node.variable
    old = var._grad
    if old is None:
        if not create_graph:
            arr = g._data
            if arr.base is not None or not _backend.is_writeable(arr) or id(arr) in given or g._base is not None:
                arr = arr.copy()
            given.add(id(arr))
            from ..tensor import Tensor
            g = Tensor._from_array(arr)
        var._grad = g
    elif create_graph or old._requires_grad:
        var._grad = old + g
    else:
        xp = _backend.array_module(old._data)
        if _backend.is_writeable(old._data) and old._data.shape == g._data.shape:
            if xp is not _backend.numpy and _backend.guard_if_elsewhere(old._data) is not None:
                with old._data.device:
                    xp.add(old._data, g._data, out=old._data)
            else:
                xp.add(old._data, g._data, out=old._data)
            old._vc[0] += 1
        else:
            var._grad = old + g


def _check_anomaly(node, grads_in):
    for i, g in enumerate(grads_in):
        if g is not None and g.is_floating_point():
            xp = _backend.array_module(g._data)
            if bool(xp.isnan(g._data).any()):
                trace = "".join(node._anomaly_trace or ["(no forward trace recorded)\n"])
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                                   f"Traceback of the forward call that caused the error:\n{trace}")
