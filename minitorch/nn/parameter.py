"""``Parameter``: a tensor that a ``Module`` registers as one of its learnable weights; ``Buffer``: a marked tensor.

Assigning a ``Parameter`` as a module attribute (``self.weight = Parameter(...)``)
adds it to ``module.parameters()`` (what an optimizer is given) and to the
``state_dict``. A plain tensor attribute is not registered; that is how a module
keeps temporaries. A parameter requires grad by default, even under ``no_grad``.
"""
from ..tensor import Tensor
from ..creation import empty

__all__ = ["Parameter", "Buffer", "is_lazy"]


class Parameter(Tensor):
    """``Parameter(data=None, requires_grad=True)``: a leaf tensor sharing ``data``'s memory, registered by modules.

    ``Parameter()`` is an empty float tensor. The parameter is always a leaf (it
    takes ``data``'s values, not its history) and shares its version counter.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        requires_grad = bool(requires_grad)
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t = cls._from_array(data._data, requires_grad)
        t._vc = data._vc
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self, *, tensor_contents=None):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        """A new parameter with a copy of the values (the gradient is not copied, as in torch)."""
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.data, self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is True for tensors made by ``Buffer(...)`` (they stay plain tensors)."""

    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """``Buffer(data, *, persistent=True)``: marks a tensor so that assigning it to a module registers a buffer.

    Returns a plain tensor (detached from ``data``'s history) carrying the mark;
    ``persistent=False`` keeps it out of the ``state_dict``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param):
    """Whether ``param`` is an uninitialised lazy parameter (minitorch has no lazy modules: always False)."""
    return False
