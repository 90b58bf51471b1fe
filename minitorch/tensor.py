"""``Tensor``: an n-dimensional array (numpy on the CPU, cupy on a GPU) that remembers how it was made.

A tensor holds its array in ``_data``. When it was produced by an op that
recorded itself on the tape, ``grad_fn`` is that op's node and ``is_leaf`` is
False; ``backward()`` walks from there. Leaves that ``requires_grad`` collect
their gradient in ``.grad``.

Every operation lives in ``minitorch/ops/`` as a function (``ops.elementwise.exp``);
this class binds those same functions as methods (``t.exp()``), so each op is
written once. Views (``reshape``, ``transpose``, slicing, ...) share memory and
a version counter with their base; in-place ops bump the counter, which is how
backward notices a saved tensor that changed underneath it.
"""
import warnings
import weakref

from . import _backend, _dtype
from ._dtype import as_dtype, from_numpy_dtype
from ._args import defaults_only, MEMORY_FORMAT, CONTIGUOUS_FORMAT, FALSE
from ._conversions import _TensorConversions
from ._size import Size, _wrap_dim, _contiguous_strides
from ._errors import c_name, scalar_name, _pyname, _not_tensor  # noqa: F401  (_pyname, _not_tensor re-exported: tensor was their home)

_np = _backend.numpy
_new = object.__new__


class Tensor(_TensorConversions):
    """A multi-dimensional array with autograd; ``Tensor(data)`` / ``Tensor(*sizes)`` is the legacy float32 constructor."""
    # hot fields live in slots; rarely-set ones fall back to class-level defaults
    __slots__ = ("_data", "_requires_grad", "grad_fn", "_vc", "__weakref__", "__dict__")
    _grad = None
    _output_nr = 0
    _base = None
    _accumulator = None
    _retains_grad = False
    _hooks = None
    __array_priority__ = 1000          # numpy scalars defer to our operators

    # ------------------------------------------------------------------ construction
    def __new__(cls, *args, device=None, **kwargs):
        from .creation import _legacy_new     # creation sits above tensor: imported when first needed
        if kwargs:
            raise TypeError(f"new() received an invalid combination of arguments - got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        return _legacy_new(cls, _dtype.float32, args, device)

    def __init__(self, *args, **kwargs):
        pass

    @classmethod
    def _from_array(cls, data, requires_grad=False):
        """Wrap an array (no copy); the fast internal constructor."""
        t = _new(cls)
        t._data = data
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._vc = [0]
        return t

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self):
        """The size of each dimension, as a ``Size`` (a tuple)."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """``size()`` is ``shape``; ``size(d)`` is the length of dimension ``d`` (negative counts from the end)."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        """Where the data lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""
        d = self._data
        return _backend.CPU if type(d) is _np.ndarray else _backend.device_of(d)

    @property
    def is_cuda(self):
        """True when the data lives on a GPU."""
        return type(self._data) is not _np.ndarray and self.device.type == "cuda"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self):
        """Number of elements."""
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @defaults_only(memory_format=CONTIGUOUS_FORMAT)
    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """Strides in elements, as torch reports them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        if self._data.size <= 1 and self._data.ndim:
            st = _contiguous_strides(self._data.shape)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def data_ptr(self):
        return self._data.__array_interface__["data"][0] if type(self._data) is _np.ndarray else self._data.data.ptr

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (every tensor that does not require grad is a leaf)."""
        return self.grad_fn is None

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording ops on this leaf tensor; returns self."""
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                                   "use a computed variable in a subgraph that doesn't require differentiation "
                                   "use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` (leaves, and non-leaves that called ``retain_grad()``)."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
                "See github.com/pytorch/pytorch/pull/30531 for more information.",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                                   f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{c_name(value.dtype)}' to a tensor "
                                   f"with grad_dtype '{scalar_name(self.dtype)}'. The gradient must match the "
                                   "tensor's grad_dtype (defaults to the tensor's dtype).")
            if value.device != self.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        return self._vc[0]

    @property
    def data(self):
        """The same array as a tensor outside autograd (shares memory; changes to it are not tracked)."""
        t = Tensor._from_array(self._data)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def detach(self):
        """A new leaf sharing this tensor's memory and version counter, cut off from the graph."""
        t = Tensor._from_array(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        """Cut this tensor off the graph in place (it becomes a leaf)."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is None:
                return
            if t._grad is None:
                t._grad = Tensor._from_array(grad._data.copy()) if not grad._requires_grad else grad.clone()
            else:
                t._grad = t._grad + grad
        node = self.grad_fn
        if node._retain_hooks is None:
            node._retain_hooks = {}
        node._retain_hooks[self._output_nr] = retain

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever this tensor's gradient is computed; a returned tensor replaces the gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = {}
        key = object()
        self._hooks[key] = hook
        return _RemovableHandle(self._hooks, key)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the leaves of its graph, and add it into their ``.grad``.

        ``loss.backward()`` walks the graph recorded while ``loss`` was computed
        (``loss.grad_fn`` and the nodes behind it), from ``loss`` back to the
        leaves: the tensors created with ``requires_grad=True`` by the user, such
        as a model's parameters. Each leaf that requires grad gets
        d(loss)/d(leaf) *added* into its ``.grad``: gradients accumulate across
        calls, so a training loop calls ``optimizer.zero_grad()`` before each
        backward. Tensors computed along the way (non-leaves) get no ``.grad``
        unless they called ``retain_grad()``; ``register_hook`` sees them too.

        The graph's saved tensors are freed as the walk passes, so a second
        ``backward()`` through the same graph raises unless the first one was
        given ``retain_graph=True``.

        Args:
            gradient (Tensor, optional): the gradient with respect to ``self``
                (same shape as ``self``), where ``self`` is not a scalar: the
                result is then the vector-Jacobian product ``gradient^T J``.
                May be omitted when ``self`` has one element (it is then 1).
            retain_graph (bool, optional): keep the graph so that backward can
                run through it again. Defaults to the value of ``create_graph``.
            create_graph (bool): record the backward pass itself, so that the
                gradients can be differentiated again (higher-order derivatives).
                Default: ``False``.
            inputs (sequence of Tensor, optional): add gradients only into the
                ``.grad`` of these tensors (leaves or not), not every leaf.

        Raises:
            RuntimeError: ``self`` does not require grad; ``self`` is not a
                scalar and no ``gradient`` is given; or the graph was freed by an
                earlier backward.

        Example::

            >>> w = minitorch.tensor([1., 2.], requires_grad=True)
            >>> (w * w).sum().backward()
            >>> w.grad
            tensor([2., 4.])

        How it works: docs/03-the-backward-pass.md; why ``.grad`` adds up:
        docs/05-gradient-accumulation.md; ``create_graph``:
        docs/06-higher-order-gradients.md; the classic surprises:
        docs/confusions.md. (Paths are relative to the repository root.)
        """
        from .autograd import backward     # autograd sits above tensor: imported when first needed
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, protocol):
        """Pickled as the host copy of the data, ``requires_grad`` and, for a GPU tensor, its device (unpickled
        back onto that device, as torch does)."""
        if type(self._data) is _np.ndarray:
            return (_rebuild, (self._data, self._requires_grad))
        return (_rebuild, (_backend.to_numpy(self._data), self._requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.")
        new = type(self)._from_array(self._data.copy(), self._requires_grad)
        if type(self) is not Tensor:
            new.__dict__.update(__import__("copy").deepcopy(self.__dict__, memo))
        if self._grad is not None:
            new._grad = Tensor._from_array(self._grad._data.copy())
        memo[id(self)] = new
        return new

    @defaults_only(tensor_contents=FALSE)
    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr     # _tensor_str sits above tensor: imported when first needed
        dev = self.device
        return tensor_repr(
            _backend.to_numpy(self._data), self.dtype.name,
            is_default_float=self.dtype is _dtype.get_default_dtype(),
            device=None if dev.type == "cpu" else str(dev),
            requires_grad=self._requires_grad,
            grad_fn_name=self.grad_fn.name() if self.grad_fn is not None else None,
            is_parameter=False)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------------ types and devices
    def type(self, dtype=None, non_blocking=False, **kwargs):
        """With no argument, the legacy type string (``'torch.FloatTensor'``); otherwise a cast."""
        if kwargs:
            raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if dtype is None:
            prefix = "torch.cuda." if self.device.type == "cuda" else "torch."
            return prefix + self.dtype._legacy
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            legacy = {d._legacy: d for d in _dtype.ALL}
            if name not in legacy or dtype not in (f"torch.{name}", f"torch.cuda.{name}"):
                raise ValueError(f"invalid type: '{dtype}'")
            return self._to_legacy(legacy[name], dtype.startswith("torch.cuda."))
        if hasattr(dtype, "is_cuda") and hasattr(dtype, "__instancecheck__"):    # FloatTensor, cuda.FloatTensor
            return self._to_legacy(dtype.dtype, dtype.is_cuda)
        return self.to(as_dtype(dtype))

    def _to_legacy(self, dt, cuda):
        """``type(torch.cuda.FloatTensor)``: the legacy type names the device too (CPU for ``torch.FloatTensor``)."""
        if cuda and not _backend.cuda_available():
            raise RuntimeError("Cannot initialize CUDA without ATen_cuda library. minitorch runs on a GPU through "
                               f"cupy, and {_backend.cuda_unavailable_reason()}.")
        return self.to(_backend.as_device("cuda") if cuda else _backend.CPU, dt)

    def to(self, *args, **kwargs):
        """Cast and/or move: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``; returns self when nothing changes."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        for a in args:
            if isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, _dtype.dtype) or a is float or a is int or a is bool:
                dtype = a
            elif a is None:
                continue
            else:
                dev = a
        from .ops._common import _cast     # ops sits above tensor: imported when first needed
        from .ops.shape import _to_device     # ops sits above tensor: imported when first needed
        t = self
        if dev is not None:
            t = _to_device(t, _backend.as_device(dev))
        if dtype is not None:
            t = _cast(t, as_dtype(dtype))
        if copy and t is self:
            t = self.clone()
        return t

    @defaults_only(memory_format=MEMORY_FORMAT)
    def cpu(self, memory_format=None):
        """This tensor in CPU memory (itself when it already is there); differentiable."""
        if type(self._data) is _np.ndarray:
            return self
        return self.to(_backend.CPU)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """This tensor in GPU memory (``device``: an index, ``'cuda:1'``, ...; default the current GPU)."""
        dev = _backend.as_device("cuda" if device is None else device)
        if dev.type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        return self.to(dev)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    @defaults_only(memory_format=MEMORY_FORMAT)
    def bool(self, memory_format=None):
        return self.to(_dtype.bool_)

    def type_as(self, other):
        return self.to(other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from .creation import tensor     # creation sits above tensor: imported when first needed
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from .creation import zeros     # creation sits above tensor: imported when first needed
        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from .creation import ones     # creation sits above tensor: imported when first needed
        return ones(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from .creation import full     # creation sits above tensor: imported when first needed
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    @property
    def T(self):
        """All dimensions reversed (the transpose of a matrix); other than 2 dims warns once, as torch does."""
        nd = self._data.ndim
        kind = "0-d" if nd == 0 else "n-d"
        if nd != 2 and kind not in _T_WARNED:                 # torch: TORCH_WARN_ONCE, once per message
            _T_WARNED.add(kind)
            warnings.warn(_T_WARNINGS[kind], UserWarning, stacklevel=2)
        return self.permute(*reversed(range(nd)))

    @property
    def mT(self):
        return self.transpose(-2, -1)


_T_WARNED = set()        # which of Tensor.T's deprecation warnings this process has given
_T_WARNINGS = {
    "0-d": "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
    "n-d": "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
           "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
           "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
}


def _check_tensors(fname, tensors):
    """``tensors`` must be a tuple or list of tensors (``cat``, ``stack``, ...), as torch requires."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not {_pyname(tensors)}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {_pyname(t)}")


def typename(obj):
    """torch's ``typename``: ``'torch.FloatTensor'`` for tensors, ``module.QualName`` otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def _rebuild(array, requires_grad, device=None):
    if device is not None:
        if not _backend.cuda_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
        array = _backend.to_device(array, _backend.as_device(device))
    return Tensor._from_array(array, requires_grad)


class _RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` unregisters the hook."""
    def __init__(self, container, item):
        self._ref = (container, item)

    def remove(self):
        container, item = self._ref
        if isinstance(container, dict):
            container.pop(item, None)
        else:
            try:
                container.remove(item)
            except ValueError:
                pass
