"""Bind the op functions of ``minitorch.ops`` to ``Tensor`` as methods and Python operators.

``t.exp()`` is ``ops.elementwise.exp(t)``; ``a + b`` is ``ops.elementwise.add(a, b)``;
``t.add_(x)`` is the in-place form built by ``ops.inplace.inplace``. Keeping the
binding in one table means every method has exactly one implementation.
"""
import math

from . import _backend
from .tensor import Tensor
from .ops._common import _is_number
from .ops import elementwise as E, reduce as R, extremes as X, shape as S, join as J, index as I, gather as G
from .ops import linalg as L, inplace as IP
from .ops import softmax as SM, erf as ERF
from .autograd import grad_mode
from .creation import _gen, as_tensor, bernoulli

_METHODS = {
    # elementwise
    "add": E.add, "sub": E.sub, "subtract": E.sub, "mul": E.mul, "multiply": E.mul, "div": E.div,
    "divide": E.div, "true_divide": E.div, "floor_divide": E.floor_divide, "remainder": E.remainder,
    "fmod": E.fmod, "pow": E.pow, "neg": E.neg, "negative": E.neg, "abs": E.abs, "absolute": E.abs,
    "exp": E.exp, "exp2": E.exp2, "expm1": E.expm1, "log": E.log, "log2": E.log2, "log10": E.log10,
    "log1p": E.log1p, "sqrt": E.sqrt, "rsqrt": E.rsqrt, "reciprocal": E.reciprocal, "square": E.square,
    "sin": E.sin, "cos": E.cos, "tan": E.tan, "asin": E.asin, "arcsin": E.asin, "acos": E.acos,
    "arccos": E.acos, "atan": E.atan, "arctan": E.atan, "sinh": E.sinh, "cosh": E.cosh, "tanh": E.tanh,
    "sigmoid": E.sigmoid, "relu": E.relu, "sign": E.sign, "floor": E.floor, "ceil": E.ceil,
    "round": E.round, "trunc": E.trunc, "frac": E.frac, "clamp": E.clamp, "clip": E.clamp,
    "clamp_min": E.clamp_min, "clamp_max": E.clamp_max, "maximum": E.maximum, "minimum": E.minimum,
    "lerp": E.lerp,
    "eq": E.eq, "ne": E.ne, "not_equal": E.ne, "lt": E.lt, "less": E.lt, "le": E.le, "less_equal": E.le,
    "gt": E.gt, "greater": E.gt, "ge": E.ge, "greater_equal": E.ge, "equal": E.equal,
    "logical_and": E.logical_and, "logical_or": E.logical_or, "logical_xor": E.logical_xor,
    "logical_not": E.logical_not, "bitwise_not": E.bitwise_not, "bitwise_and": E.bitwise_and,
    "bitwise_or": E.bitwise_or, "bitwise_xor": E.bitwise_xor,
    "isnan": E.isnan, "isinf": E.isinf, "isfinite": E.isfinite, "signbit": E.signbit,
    "isclose": E.isclose, "allclose": E.allclose,
    # reductions
    "sum": R.sum, "mean": R.mean, "var": R.var, "std": R.std, "max": X.max, "min": X.min,
    "amax": X.amax, "amin": X.amin, "argmax": X.argmax, "argmin": X.argmin, "logsumexp": R.logsumexp,
    "prod": R.prod, "cumsum": R.cumsum, "norm": R.norm, "all": R.all, "any": R.any,
    "count_nonzero": R.count_nonzero, "sort": X.sort, "argsort": X.argsort, "topk": X.topk,
    # shape
    "reshape": S.reshape, "view": S.view, "view_as": S.view_as, "reshape_as": S.reshape_as,
    "flatten": S.flatten, "unflatten": S.unflatten, "ravel": S.ravel, "squeeze": S.squeeze,
    "unsqueeze": S.unsqueeze, "transpose": S.transpose, "swapaxes": S.transpose, "swapdims": S.transpose,
    "permute": S.permute, "t": S.t, "expand": S.expand, "expand_as": S.expand_as,
    "broadcast_to": S.broadcast_to, "contiguous": S.contiguous, "clone": S.clone, "split": J.split,
    "chunk": J.chunk, "tensor_split": J.tensor_split, "unbind": J.unbind, "flip": J._flip_method,
    "repeat": J.repeat, "tile": J.tile, "repeat_interleave": J.repeat_interleave, "narrow": J.narrow,
    "movedim": S.movedim, "sum_to_size": S.sum_to_size,
    # indexing
    "index_select": G.index_select, "select": I.select, "masked_select": G.masked_select, "masked_fill": G.masked_fill,
    "gather": G.gather, "scatter": G.scatter, "scatter_add": G.scatter_add, "nonzero": G.nonzero,
    "argwhere": G.argwhere, "take": G.take, "index_put": I.index_put,
    # linear algebra
    "matmul": L.matmul, "mm": L.mm, "bmm": L.bmm, "dot": L.dot, "inner": L.inner, "mv": L.mv,
    "outer": L.outer, "ger": L.outer, "addmm": L.addmm,
}


def _no_out(fn):
    """The op function without the ``out=`` argument ``@out_arg`` adds (``ops/_out.py``): torch's Tensor methods and
    operators take none (``x.add(y, out=z)`` is a TypeError there), and the call skips a layer."""
    return fn.__wrapped__ if getattr(fn, "_out_arg", False) else fn


_METHODS = {name: _no_out(fn) for name, fn in _METHODS.items()}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)


def _where(self, condition, other):
    """``x.where(cond, y)`` is ``where(cond, x, y)``."""
    return E.where(condition, self, other)


Tensor.where = _where

# in-place forms: name_ writes the result of name into the tensor itself
for _name in ("add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "pow", "neg", "abs",
              "exp", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan",
              "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "trunc", "frac", "clamp", "clip",
              "clamp_min", "clamp_max", "lerp", "masked_fill", "scatter", "scatter_add", "index_put",
              "square", "exp2", "expm1", "sinh", "cosh", "asin", "acos", "atan", "subtract", "multiply",
              "divide", "negative", "eq", "ne", "lt", "le", "gt", "ge", "logical_not", "logical_and",
              "logical_or"):
    setattr(Tensor, _name + "_", IP.inplace(_METHODS[_name], _name + "_"))
Tensor.zero_ = IP.zero_
Tensor.fill_ = IP.fill_
Tensor.copy_ = IP.copy_


def _reshape_inplace(fn):
    """``squeeze_``, ``t_``, ...: the tensor takes the new shape (and, when recorded, the view's history)."""
    def method(self, *args):
        IP.check_inplace(self)                    # torch's rules: not on a leaf that requires grad
        out = fn(self, *args)
        self._data = out._data
        self._vc[0] += 1
        if out.grad_fn is not None:
            self.grad_fn = out.grad_fn
            self._output_nr = out._output_nr
        return self
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``: this tensor takes the new shape."
    return method


Tensor.squeeze_ = _reshape_inplace(S.squeeze)
Tensor.unsqueeze_ = _reshape_inplace(S.unsqueeze)
Tensor.t_ = _reshape_inplace(S.t)
Tensor.transpose_ = _reshape_inplace(S.transpose)
Tensor.resize_ = _reshape_inplace(S.reshape)


# ------------------------------------------------------------ random fills (in place; used by nn.init)
def _random_fill(draw):
    def method(self, *args, generator=None, **kwargs):
        if IP.check_inplace(self):
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        arr = draw(_gen(generator), self, *args, **kwargs)
        self._data[...] = arr
        self._vc[0] += 1
        return self
    return method


def _uniform(g, t, a=0.0, b=1.0):
    return a + (b - a) * g.uniform(t._data.shape, t._data.dtype, t.device)


def _normal(g, t, mean=0.0, std=1.0):
    return mean + std * g.normal(t._data.shape, t._data.dtype, t.device)


def _random(g, t, low=0, high=None):
    if high is None:
        low, high = 0, low if low else 2 ** 24
    return g.integers(low, high, t._data.shape, t._data.dtype, t.device)


def _bernoulli(g, t, p=0.5):
    return (g.uniform(t._data.shape, "float64", t.device) < p).astype(t._data.dtype)


def _exponential(g, t, lambd=1.0):
    u = g.uniform(t._data.shape, "float64", t.device)
    xp = __import__("minitorch")._backend.array_module(t._data)
    return (-xp.log1p(-u) / lambd).astype(t._data.dtype)


Tensor.uniform_ = _random_fill(_uniform)
Tensor.normal_ = _random_fill(_normal)
Tensor.random_ = _random_fill(_random)
Tensor.bernoulli_ = _random_fill(_bernoulli)
Tensor.exponential_ = _random_fill(_exponential)


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


Tensor.bernoulli = _bernoulli_method


# ------------------------------------------------------------ Python operators
def _r(fn):
    fn = _no_out(fn)
    def reflected(self, other):
        return fn(other, self)
    return reflected


def _eq(self, other):
    if not isinstance(other, Tensor) and not _is_number(other):
        return _compared(E.eq, self, other)
    return E.eq(self, other)


def _ne(self, other):
    if not isinstance(other, Tensor) and not _is_number(other):
        return _compared(E.ne, self, other)
    return E.ne(self, other)


def _compared(fn, self, other):
    """``tensor == x`` for an ``x`` that is neither a tensor nor a number: an array compares elementwise (numpy's
    answer, as a tensor); anything else (None, a list, a string) is left to Python: not equal, as in torch."""
    if isinstance(other, _backend.numpy.ndarray):
        return fn(self, as_tensor(other))
    return NotImplemented


def _and(self, other):
    return E.bitwise_and(self, other)


def _or(self, other):
    return E.bitwise_or(self, other)


def _xor(self, other):
    return E.bitwise_xor(self, other)


def _invert(self):
    """``~x``: bitwise_not, with the operator's own TypeError for a float tensor."""
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return E.bitwise_not(self)


def _pos(self):
    return self


def _rmatmul(self, other):
    return L.matmul(other, self)


_OPERATORS = {
    "__add__": E.add, "__radd__": _r(E.add), "__sub__": E.sub, "__rsub__": _r(E.sub),
    "__mul__": E.mul, "__rmul__": _r(E.mul), "__truediv__": E.div, "__rtruediv__": _r(E.div),
    "__floordiv__": E.floor_divide, "__rfloordiv__": _r(E.floor_divide), "__mod__": E.remainder,
    "__rmod__": _r(E.remainder), "__pow__": E.pow, "__rpow__": _r(E.pow), "__matmul__": L.matmul,
    "__rmatmul__": _rmatmul, "__neg__": E.neg, "__pos__": _pos, "__abs__": E.abs, "__eq__": _eq,
    "__ne__": _ne, "__lt__": E.lt, "__le__": E.le, "__gt__": E.gt, "__ge__": E.ge, "__and__": _and,
    "__rand__": _r(_and), "__or__": _or, "__ror__": _r(_or), "__xor__": _xor, "__rxor__": _r(_xor),
    "__invert__": _invert, "__getitem__": I.getitem, "__setitem__": I.setitem,
}
for _name, _fn in _OPERATORS.items():
    setattr(Tensor, _name, _no_out(_fn))
Tensor.__hash__ = lambda self: id(self)

for _op, _name in (("__iadd__", "add_"), ("__isub__", "sub_"), ("__imul__", "mul_"), ("__itruediv__", "div_"),
                   ("__ifloordiv__", "floor_divide_"), ("__imod__", "remainder_"), ("__ipow__", "pow_")):
    setattr(Tensor, _op, getattr(Tensor, _name))


def _iand(self, other):
    return IP.inplace(_and, "__iand__")(self, other)


def _ior(self, other):
    return IP.inplace(_or, "__ior__")(self, other)


Tensor.__iand__ = _iand
Tensor.__ior__ = _ior


# ---- nn activations as Tensor methods (owned by the nn.functional work; keep this block last)
def _bind_activation_methods():

    def softmax(self, dim, dtype=None):
        """softmax along ``dim`` (``torch.Tensor.softmax``)."""
        return SM.softmax(self, dim, dtype)

    def log_softmax(self, dim, dtype=None):
        """log-softmax along ``dim`` (``torch.Tensor.log_softmax``)."""
        return SM.log_softmax(self, dim, dtype)

    def erf(self):
        """The error function, elementwise."""
        return ERF.erf(self)

    def erfc(self):
        """1 - erf(x), elementwise."""
        return ERF.erfc(self)

    def hardshrink(self, lambd=0.5):
        from .nn.functional import hardshrink as f     # nn loads after the methods are bound: imported when first needed
        return f(self, lambd)

    def prelu(self, weight):
        from .nn.functional import prelu as f     # nn loads after the methods are bound: imported when first needed
        return f(self, weight)

    for fn in (softmax, log_softmax, erf, erfc, hardshrink, prelu):
        setattr(Tensor, fn.__name__, fn)
    Tensor.erf_ = IP.inplace(erf, "erf_")
    Tensor.erfc_ = IP.inplace(erfc, "erfc_")


_bind_activation_methods()


def _name_local_methods():
    """A method made inside a factory (``_r.<locals>.reflected``, ``_random_fill.<locals>.method``) is named as
    the method it is bound as first (aliases come later), so that Python's own TypeError about its arguments
    reads ``__radd__() got an unexpected keyword argument 'out'``."""
    import types
    for name, fn in list(vars(Tensor).items()):
        if isinstance(fn, types.FunctionType) and "<locals>" in fn.__qualname__:
            fn.__name__ = fn.__qualname__ = name


_name_local_methods()
