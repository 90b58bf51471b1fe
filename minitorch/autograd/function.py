"""``Function``: one differentiable op, and ``apply``, which runs it and records it on the tape.

An op is a subclass of ``Function`` with two static methods::

    class Exp(Function):
        '''y = e^x.   dy/dx = e^x = y.'''
        @staticmethod
        def forward(ctx, x):            # x: an array of the tensor's backend
            y = ctx.xp.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):        # grad: a Tensor, so this is differentiable too
            y, = ctx.saved_tensors
            return grad * y

``Exp.apply(t)`` unwraps the tensors, runs ``forward`` on their arrays, wraps
the result, and, when any input requires grad and grad mode is on, records a
``Node`` (an ``ExpBackward0``; ``node.py``) as the result's ``grad_fn``. The
node is the ``ctx`` that ``forward`` saw: it keeps what ``forward`` saved and
the edges to the nodes that produced the inputs (``next_functions``).

``backward`` returns one gradient per positional argument of ``forward``
(``None`` for arguments that are not tensors or need no gradient). It never
has to undo broadcasting or dtype promotion: the engine sums a gradient down to
its input's shape and casts it to its input's dtype, in one place.
"""
import functools

from .. import _backend, _grad_mode
from ..tensor import Tensor
from .node import Node, Edge, NO_GRAD, _edge, _sequence, _SavedOutput, _SavedValue, accumulator_of

_enabled = _grad_mode._enabled
_ndarray = _backend._ndarray
_np = _backend.numpy


# numpy's floating-point warnings: torch never warns about inf / nan results (log(0) = -inf, 0/0 = nan): they are
# the answer. numpy warns, and a warnings filter cannot stop it for a user running with ``-W error``. So every
# forward (and the engine's gradient sums) runs with numpy's error state off: ``_quiet_on()`` sets the context
# variable behind ``numpy.errstate`` directly (a fraction of errstate's cost), ``_quiet_off(token)`` restores it.
def _errstate_switch():
    try:
        var = _np._core._ufunc_config._extobj_contextvar
        state = _np._core._ufunc_config._make_extobj(all="ignore")
    except AttributeError:                       # another numpy: its public (slower) interface
        return functools.partial(_np.seterr, all="ignore"), (lambda old: _np.seterr(**old))
    return functools.partial(var.set, state), var.reset


_quiet_on, _quiet_off = _errstate_switch()
_make = Tensor._from_array          # an array wrapped as a tensor, no copy


class Function:
    """Base class of every differentiable op, and of your own: define ``forward`` and ``backward``, call ``apply``.

    Subclass it with two static methods, then call ``MyOp.apply(*args)``
    (never ``forward`` directly, and never instantiate the class)::

        class Cube(minitorch.autograd.Function):
            @staticmethod
            def forward(ctx, x):                # x: the input's *array* (numpy, or cupy on a GPU)
                ctx.save_for_backward(x)        # kept for backward, handed back as a Tensor
                return x ** 3                   # array operations only: ctx.xp is numpy / cupy

            @staticmethod
            def backward(ctx, grad):            # grad: a Tensor, d(out) for this op's output
                x, = ctx.saved_tensors
                return grad * 3 * x ** 2        # Tensor ops: so double backward works

        y = Cube.apply(minitorch.tensor([2.0], requires_grad=True))   # y.grad_fn: a CubeBackward

    ``forward(ctx, *args)`` receives the tensor arguments as arrays (this is
    where minitorch differs from torch, whose ``forward`` receives tensors:
    write array code there, using ``ctx.xp`` for numpy/cupy functions), and
    returns an array or a tuple of arrays. ``backward(ctx, *grads)`` receives
    one gradient Tensor per output and returns one gradient per argument of
    ``forward`` (``None`` for non-tensors and inputs that need none); the
    engine sums a broadcast gradient down to its input's shape and casts it to
    its dtype. On ``ctx``: ``save_for_backward(*arrays)`` / ``saved_tensors``,
    ``needs_input_grad``, ``mark_non_differentiable``, and any attribute you
    set in forward.

    Class options:
      ``is_view = True``   the output shares memory (and the version counter) with input 0.
      ``node_name``        the ``grad_fn`` name, when it is not ``<ClassName>Backward0``.
      ``differentiable_inputs``  positions listed in ``next_functions`` (default: every tensor argument).
      ``array_backward``  a staticmethod: ``backward``'s formula on arrays, which the engine runs instead when
                         the backward pass records nothing (``create_graph=False``); ``backward`` stays the
                         reference (and the one double backward uses).

    Check a new Function with ``minitorch.autograd.gradcheck`` (float64 inputs).
    The whole path of ``apply``, step by step: docs/02-one-function-end-to-end.md.
    """
    is_view = False
    node_name = None
    differentiable_inputs = None
    array_backward = None     # optional: backward's formula on arrays (grads and ``ctx.saved_arrays``)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # torch names its own ops' nodes "ExpBackward0" and a user's Function "MyFnBackward"
        suffix = "Backward0" if cls.__module__.startswith("minitorch.") else "Backward"
        cls._Node = _node_class(cls, cls.__dict__.get("node_name") or cls.__name__ + suffix)
        cls._named = {}

    @classmethod
    def named(cls, node_name):
        """This op recording ``node_name`` as its ``grad_fn`` (torch numbers overloads: ``MaxBackward1``)."""
        variant = cls._named.get(node_name)
        if variant is None:                  # named after its node (profiler rows): "TransposeBackward0" -> Transpose
            name = node_name.rstrip("0123456789").removesuffix("Backward") or cls.__name__
            variant = cls._named[node_name] = type(name, (cls,), {
                "node_name": node_name, "__module__": cls.__module__, "__qualname__": name})
        return variant

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Unwrap the tensors, run ``forward`` on their arrays, wrap the results, record the node.

        (While a profiler, anomaly mode or the GPU device guard is on, ``hooked_apply`` runs this
        inside their wrappers; see ``FunctionHook``.)"""
        ctx = cls._Node()
        ctx._to_save = None
        arrays, edges, first, record = [], [], None, False
        grad_on = _enabled[0]
        for a in args:                                            # 1. unwrap: tensors to arrays, and an
            if isinstance(a, Tensor):                             #    edge per argument (see Edge)
                d = a._data
                if grad_on and a._requires_grad:                  # to the node that made a, or a's accumulator
                    record = True
                    edges.append(_edge(Edge, (a.grad_fn or accumulator_of(a), a._output_nr, d.shape, d.dtype,
                                              type(d))))
                else:
                    edges.append(NO_GRAD)
                if first is None:
                    first = d
                elif type(d) is not type(first) or (type(d) is not _ndarray and d.device != first.device):
                    first, d = _scalar_on_device(d, first, arrays)  # a 0-dim CPU tensor in a GPU op, or an error
                arrays.append(d)
            else:
                arrays.append(a)
                edges.append(None)
        xp = ctx.xp = _np if type(first) is _ndarray else _backend.array_module(first)
        ctx._edges = edges                                        # (all NO_GRAD/None when nothing records)
        if record:                                                # an input requires grad, grad mode is on
            ctx._seq = next(_sequence)                            # numbered after every node it depends on
        quiet = _quiet_on()                                       # 2. forward, on arrays (no numpy fp warnings)
        try:
            out = cls.forward(ctx, *arrays, **kwargs) if kwargs else cls.forward(ctx, *arrays)
        except ValueError as e:
            _broadcast_error(e, arrays)
        finally:
            _quiet_off(quiet)
        if type(out) is not tuple:                                # 3. wrap the results in tensors
            y = _make(out if type(out) is _ndarray else _as_array(out, xp))
            if cls.is_view:
                _share_version(args[0], (y,))
            if record:                                            # 4. record: ctx becomes their grad_fn
                _record(ctx, args, (y,), out)
            return y
        outputs = tuple(_make(o if type(o) is _ndarray else _as_array(o, xp)) for o in out)
        if cls.is_view:
            _share_version(args[0], outputs)
        if record:
            _record(ctx, args, outputs, out)
        return outputs


def _node_class(function, name):
    """The Node subclass, named as torch names it, whose instances record calls of ``function``."""
    return type(name, (Node,), {"_function": function, "__module__": function.__module__, "__qualname__": name})


# ---------------------------------------------------------------- function hooks
class FunctionHook:
    """Code that wraps every op while it is installed (Chainer's ``FunctionHook``).

    The profiler, anomaly mode and the GPU device guard are hooks: ``install_hook`` puts
    ``hooked_apply`` in place of ``Function.apply`` and the engine calls each node through
    ``backward``; with no hook installed, neither pays anything. ``run`` is the wrapped call.
    """

    def forward(self, function, run, args, kwargs):
        """Around ``function.apply(*args, **kwargs)``; returns what ``run(*args, **kwargs)`` returns."""
        return run(*args, **kwargs)

    def backward(self, node, run, grads):
        """Around one node's backward (post-hooks included); returns what ``run(grads)`` returns."""
        return run(grads)


hooks = []                    # the installed FunctionHooks, outermost first
_plain_apply = Function.__dict__["apply"]


def install_hook(hook):
    hooks.append(hook)
    Function.apply = classmethod(hooked_apply)


def remove_hook(hook):
    if hook in hooks:
        hooks.remove(hook)
    if not hooks:
        Function.apply = _plain_apply


def hooked_apply(cls, *args, **kwargs):
    """``Function.apply`` while hooks are installed: the plain apply, inside every hook's ``forward``."""
    run = _plain_apply.__get__(None, cls)
    for hook in reversed(hooks):
        run = _wrap_forward(hook, cls, run)
    return run(*args, **kwargs)


def _wrap_forward(hook, cls, run):
    return lambda *args, **kwargs: hook.forward(cls, run, args, kwargs)


def _broadcast_error(error, arrays):
    """numpy's "could not be broadcast" ValueError, raised again as torch's RuntimeError naming both sizes."""
    if "broadcast" in str(error):
        shapes = [a.shape for a in arrays if hasattr(a, "shape")]
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                n = max(len(a), len(b))
                for k in range(1, n + 1):
                    da = a[-k] if k <= len(a) else 1
                    db = b[-k] if k <= len(b) else 1
                    if da != db and da != 1 and db != 1:
                        raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b ({db}) "
                                           f"at non-singleton dimension {n - k}") from None
    raise error


def _as_array(x, xp):
    """numpy returns scalars from some 0-d operations: make every result an array of the backend."""
    return x if _backend.is_array(x) else xp.asarray(x)


def _share_version(base, outputs):
    """Views share memory, so they share the version counter of their base."""
    root = base._base if base._base is not None else base
    for o in outputs:
        o._vc = base._vc
        o._base = root


def _record(ctx, args, outputs, out=None):
    """Make ``ctx`` the ``grad_fn`` of the outputs and turn the arrays forward saved into tensors.

    ``ctx._edges`` was set before forward (one ``Edge`` per forward argument).
    """
    non_diff = ctx._non_diff
    if len(outputs) == 1:
        o = outputs[0]
        d = o._data
        if d.dtype.kind == "f" and (not non_diff or id(d) not in non_diff):
            o._requires_grad = True
            o.grad_fn = ctx
    else:
        for i, o in enumerate(outputs):
            if o._data.dtype.kind == "f" and id(o._data) not in non_diff:
                o._requires_grad = True
                o.grad_fn = ctx
                o._output_nr = i
        ctx._n_outputs = len(outputs)
        ctx._output_meta = [(o._data.shape, o._data.dtype) for o in outputs]

    to_save = ctx._to_save
    ctx._saved_raw = None
    if to_save is not None:
        ctx._to_save = None
        saved, versions = [], []
        for arr in to_save:
            for a in args:                                  # usually an input: the common case first
                if isinstance(a, Tensor) and a._data is arr:
                    saved.append(a)
                    versions.append(a._vc[0])
                    break
            else:
                for o in outputs:                           # or one of its outputs
                    if o._data is arr:
                        saved.append(_SavedOutput(o) if o.grad_fn is ctx else o)   # own output: no cycle (above)
                        versions.append(o._vc[0])
                        break
                else:
                    t = _saved_tensor(arr, outputs, out)        # a number, a new array, a numpy scalar
                    if not isinstance(t, Tensor):
                        t = _SavedValue(t)                          # a number or None
                    elif t.grad_fn is ctx:
                        t = _SavedOutput(t)
                    saved.append(t)
                    versions.append(t._vc[0])
        ctx._saved_raw = saved
        ctx._saved_versions = versions


def _saved_tensor(arr, outputs, out):
    """What to keep for a saved value that is neither an input's nor an output's array (``_record`` looked
    for those first): a new constant tensor; for a numpy scalar result, the output it became; a Python number
    or None as it is."""
    if arr is None or not (type(arr) is _ndarray or _backend.is_array(arr)):
        if isinstance(arr, _np.generic):             # numpy gives 0-d results as scalars: find the output it became
            for o, r in zip(outputs, out if type(out) is tuple else (out,)):
                if r is arr:
                    return o
            return _make(_np.asarray(arr))
        return arr                                   # Python numbers and None are kept as they are
    return _make(arr)


def _scalar_on_device(d, first, arrays):
    """torch lets a 0-dim CPU tensor take part in a GPU op as a number: move it there; any other mix is an error.

    Returns the (possibly new) reference array for the device and the array to use for ``d``."""
    if type(d) is _ndarray and d.ndim == 0:
        return first, _backend.to_device(d, _backend.device_of(first))
    if type(first) is _ndarray and first.ndim == 0 and all(type(x) is not _ndarray or x.ndim == 0 for x in arrays):
        dev = _backend.device_of(d)
        for i, x in enumerate(arrays):
            if type(x) is _ndarray:
                arrays[i] = _backend.to_device(x, dev)
        return d, d
    _device_mismatch(first, d)


def _device_mismatch(a, b):
    da, db = _backend.device_of(a), _backend.device_of(b)
    if db.type == "cuda" and da.type != "cuda":
        da, db = db, da                    # torch names the GPU first: "cuda:0 and cpu"
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                       f"{da} and {db}!")


_profiling = [None]      # the active minitorch.profiler.profile, or None
