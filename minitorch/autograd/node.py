"""``Node``: the record one op leaves on the tape, and the graph the backward pass walks.

A ``Node`` is the ``ctx`` a Function's ``forward`` saw (``save_for_backward``,
``needs_input_grad``, attributes it set) and a vertex of the backward graph:
its ``_edges`` lead to the nodes that made its inputs (an ``Edge`` per
argument), and ``_seq`` numbers it in recording order (the backward pass runs
the newest waiting node first). A leaf that requires grad ends its paths in an
``AccumulateGrad`` node, whose backward adds into ``.grad``.

``Function.apply`` (``function.py``) creates and fills these records; the
engine (``engine.py``) walks them.
"""
import itertools
import weakref
from typing import NamedTuple

from .. import _backend, _grad_mode
from ..tensor import Tensor, _RemovableHandle

_enabled = _grad_mode._enabled
_ndarray = _backend._ndarray
_np = _backend.numpy
_make = Tensor._from_array          # an array wrapped as a tensor, no copy
_sequence = itertools.count(1)     # numbers the nodes in the order they are recorded
_anomaly = [False]                 # anomaly mode on (its hint in the in-place error)


class Node:
    """A recorded op: the ``ctx`` of its Function and a vertex of the backward graph.

    Attributes: ``next_functions`` (torch's ``((node, output_nr), ...)`` per tensor
    input), ``needs_input_grad`` and ``xp`` (the array module of the inputs).
    """
    # set on every node by Function.apply (slots: no dictionary for a node that keeps nothing else)
    __slots__ = ("xp",
                 "_edges",       # per forward argument: an Edge; NO_GRAD for a tensor needing none; None for a non-tensor
                 "_seq",         # when it was recorded (``_sequence_nr()``): the backward pass runs the newest first
                 "_to_save",     # arrays passed to save_for_backward during forward
                 "_saved_raw",   # what forward saved (Tensors, _SavedOutputs, _SavedValues); None: nothing; FREED
                 "_saved_versions")  # their version counters when saved
    _function = None     # the Function subclass whose backward this node runs
    _n_outputs = 1
    _pre_hooks = None    # {output_nr: [hook, ...]}  tensor hooks of non-leaf outputs
    _retain_hooks = None  # {output_nr: hook}       retain_grad of non-leaf outputs
    _post_hooks = None   # [hook(grad_inputs, grad_outputs)]
    _output_meta = None  # [(shape, dtype)] of outputs, kept for multi-output nodes
    _materialize_grads = True   # an unused output's gradient reaches backward as zeros (False: as None)
    _anomaly_trace = None
    _non_diff = ()

    def _sequence_nr(self):
        """The order nodes were recorded in: a node's inputs were all made by nodes with smaller numbers."""
        return getattr(self, "_seq", 0)

    @property
    def needs_input_grad(self):
        """Per forward argument: does it need a gradient? (a tensor that requires grad)"""
        return list(map(bool, self._edges))

    def save_for_backward(self, *arrays):
        """Keep arrays (inputs, outputs or new arrays) for ``backward``; read them back as ``saved_tensors``."""
        self._to_save = arrays

    @property
    def saved_tensors(self):
        """The saved values as Tensors; raises if the graph was freed or a saved tensor was modified in place."""
        saved = self._saved_raw
        if not saved:
            return self._nothing_saved()
        tensors = []
        for s, version in zip(saved, self._saved_versions):
            if s._vc[0] != version:                     # edited in place since it was saved
                self._check_versions(saved)
            tensors.append(s if isinstance(s, Tensor) else s.unpack(self))
        return tuple(tensors)

    @property
    def saved_arrays(self):
        """``saved_tensors`` as arrays (numbers and None as they are; a list), for ``array_backward``; same checks."""
        saved = self._saved_raw
        if not saved:
            return self._nothing_saved()
        arrays = []
        for s, version in zip(saved, self._saved_versions):
            if s._vc[0] != version:                     # edited in place since it was saved
                self._check_versions(saved)
            arrays.append(s._data)
        return arrays

    def _check_versions(self, saved):
        """torch's error when a saved tensor was modified in place after it was saved."""
        for s, version in zip(saved, self._saved_versions):
            if s._vc[0] != version:
                _modified_in_place(s if isinstance(s, Tensor) else s.unpack(self), version)

    def _nothing_saved(self):
        if self._saved_raw is FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        return ()

    @property
    def _saved(self):
        """The saved values (outputs rebuilt), without the version check; None once freed (for viz and tests)."""
        saved = getattr(self, "_saved_raw", None)
        if not saved:
            return None
        return [s if isinstance(s, Tensor) else s.unpack(self) for s in saved]

    def _resave_output(self, result, t):
        """An in-place op (``exp_``, ``sigmoid_``, ...) saved its result, now copied into ``t``, whose
        ``grad_fn`` this node became: keep ``t``'s array and version counter instead, so that a later
        edit of ``t`` is caught as torch catches it."""
        saved = getattr(self, "_saved_raw", None)
        if saved:
            for i, s in enumerate(saved):
                if type(s) is _SavedOutput and s._data is result._data:
                    saved[i] = _SavedOutput(t)
                    self._saved_versions[i] = t._vc[0]

    def set_materialize_grads(self, value):
        """torch's ``ctx.set_materialize_grads``: with False, ``backward`` receives None for an output that got no
        gradient (so it can skip that output's term) instead of zeros."""
        self._materialize_grads = bool(value)

    def mark_non_differentiable(self, *arrays):
        """Outputs listed here never require grad (torch's ``ctx.mark_non_differentiable``)."""
        self._non_diff = {id(a) for a in arrays}

    @property
    def next_functions(self):
        """``((node, output_nr), ...)``: where each tensor input's gradient goes (``(None, 0)`` for inputs needing none)."""
        edges = self._edges
        inputs = self._function.differentiable_inputs if self._function is not None else None
        if inputs is not None:                 # positions torch lists (numbers it wraps as tensors included)
            edges = [edges[i] if i < len(edges) and edges[i] is not None else NO_GRAD for i in inputs]
        return tuple((e.node, e.output_nr) if e else (None, 0) for e in edges if e is not None)

    @classmethod
    def name(cls):
        """torch's name for this node, e.g. ``'MulBackward0'``."""
        return cls.__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; it may return new grad_outputs."""
        return self._add_pre_hook(None, hook)

    def _add_pre_hook(self, output_nr, hook):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def _release(self):
        """Free what forward saved, after a backward that does not retain the graph."""
        if self._saved_raw:
            self._saved_raw = FREED


FREED = ()      # a node's _saved_raw once backward has freed it (empty and falsy, as None is, but not None)


class _SavedOutput:
    """An output that its own node saved (exp, tanh, relu, softmax, ...), kept without the Tensor.

    The output refers to its node (``grad_fn``); a node holding the output Tensor would close a
    cycle that only the garbage collector frees, so a loss dropped without backward (an eval loop
    outside ``no_grad``) would keep its whole graph alive until the next collection. As torch's
    SavedVariable does, the node keeps the array, the version counter (the list the output shares
    with its views) and the output number, and ``unpack`` rebuilds a tensor connected to the node.
    """
    __slots__ = ("_data", "_vc", "_output_nr", "_base")

    def __init__(self, t):
        self._data, self._vc, self._output_nr, self._base = t._data, t._vc, t._output_nr, t._base

    def unpack(self, node):
        """A new tensor for the saved output: same array and version counter, ``grad_fn`` = ``node``."""
        t = _make(self._data, True)
        t.grad_fn = node
        t._vc = self._vc
        if self._output_nr:
            t._output_nr = self._output_nr
        if self._base is not None:
            t._base = self._base
        return t


class _SavedValue:
    """A saved value that is not an array (a Python number, None), kept as it is: like the other saved
    entries it has ``_data`` and a version counter (one that never changes), so ``saved_arrays`` reads
    every entry the same way."""
    __slots__ = ("_data",)
    _vc = (0,)

    def __init__(self, value):
        self._data = value

    def unpack(self, node):
        return self._data


def _modified_in_place(t, version):
    """torch's error for a saved tensor edited in place after it was saved."""
    fn = t.grad_fn
    if fn is not None:          # torch names the op: "output 0 of Exp" (ExpBackward0), "of Max1" (MaxBackward1)
        name = fn.name()
        name = name[:-len("Backward0")] if name.endswith("Backward0") else name.replace("Backward", "", 1)
        which = f", which is output {t._output_nr} of {name},"
    else:
        which = ""
    hint = ("the backtrace further above shows the operation that failed to compute its gradient. The variable "
            "in question was changed in there or anywhere later. Good luck!" if _anomaly[0] else
            "enable anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{t.type()} {list(t.shape)}]{which} is at version {t._vc[0]}; expected version {version} instead. "
        f"Hint: {hint}")


class AccumulateGrad(Node):
    """The sink node of a leaf tensor that requires grad: its backward adds the gradient into ``variable.grad``."""

    def __init__(self, variable):
        self.variable = variable
        self._edges = ()
        self._saved_raw = None
        self._seq = next(_sequence)

    @classmethod
    def name(cls):
        return "torch::autograd::AccumulateGrad"

    class _function:                     # what the engine calls, as for every node: _function.backward(node, grad)
        differentiable_inputs = None

        @staticmethod
        def backward(node, grad):
            accumulate(node.variable, grad)
            return ()

        @staticmethod
        def array_backward(node, grad):  # in a backward pass that carries arrays
            accumulate(node.variable, _make(grad))
            return ()


def accumulate(var, g):
    """``var.grad += g``, in place when it can; the first gradient is stored as it is unless its
    array may be shared (a view, read-only, a given grad_output, already stored elsewhere): then a copy."""
    old = var._grad
    create_graph = _enabled[0]                   # the backward pass runs under set_grad_enabled(create_graph)
    if old is None:
        if not create_graph:
            arr, shared = g._data, _shared[-1]
            if arr.base is not None or not _backend.is_writeable(arr) or id(arr) in shared or g._base is not None:
                arr = arr.copy()
            shared.add(id(arr))
            g = _make(arr)
        var._grad = g
    elif create_graph or old._requires_grad or not _backend.is_writeable(old._data) \
            or old._data.shape != g._data.shape:
        var._grad = old + g
    elif type(old._data) is _ndarray:
        _np.add(old._data, g._data, out=old._data)
        old._vc[0] += 1
    else:
        with old._data.device:                   # a GPU array: on its own device
            _backend.array_module(old._data).add(old._data, g._data, out=old._data)
        old._vc[0] += 1


_shared = [set()]   # per running backward pass: ids of arrays that must be copied before one is stored in .grad


def accumulator_of(t):
    """The (cached) ``AccumulateGrad`` node of leaf ``t``; the tensor holds it weakly, as torch does."""
    ref = t._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node


class Edge(NamedTuple):
    """Where the gradient of one forward argument goes: output ``output_nr`` of ``node`` (``None``: the
    tensor needs no gradient). ``shape``, ``dtype`` and ``kind`` (the array type: numpy's or cupy's) are
    the argument's, so the engine can fit a gradient to its input (undo broadcasting, cast back)."""
    node: object
    output_nr: int
    shape: tuple
    dtype: object
    kind: type


NO_GRAD = ()     # the edge of a tensor argument that needs no gradient: empty, so falsy (like None for a non-tensor)
_edge = tuple.__new__                        # Edge(...) without the keyword-handling constructor: 3x faster
