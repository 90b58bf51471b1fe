"""``Tensor``'s conversions to Python values and numpy arrays (``item``, ``tolist``, ``numpy``, ``__array__``,
``len``, ``iter``, ``bool``, ``float``, ``int``, ``__index__``): the base class ``Tensor`` inherits them from,
below ``tensor`` in the layer order (as torch's ``Tensor`` inherits them from ``TensorBase``)."""
from . import _backend
from . import _grad_mode as grad_mode

_np = _backend.numpy


class _TensorConversions:
    """The methods that turn a tensor into Python numbers, lists and numpy arrays (``Tensor`` is the class to use)."""
    __slots__ = ()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        d = self._data
        if type(d) is _np.ndarray:
            return d.reshape(()).item()
        return _backend.to_numpy(d).reshape(()).item()     # raises an error a GPU kernel recorded (see _backend)

    def tolist(self):
        return _backend.to_numpy(self._data).tolist()

    def numpy(self, *, force=False):
        """The underlying numpy array (shared memory). Refused, as torch refuses it (in this order), when the tensor
        lives on a GPU, or requires grad while grad mode is on; ``force=True`` copies a GPU tensor to the host."""
        if type(self._data) is not _np.ndarray:
            if force:
                return _backend.to_numpy(self._data)
            raise TypeError(f"can't convert {self.device} device type tensor to "
                            "numpy. Use Tensor.cpu() to copy the tensor to host memory first.")
        if self._requires_grad and not force and grad_mode.is_grad_enabled():
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            if copy is False:
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())
