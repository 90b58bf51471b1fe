"""``out=``: torch's rules for writing an op's result into a tensor the caller gave, in one place.

``@out_arg("add")`` on a public function adds torch's ``out`` keyword to it. Without ``out`` the
function runs as written (one extra call frame). With it:

1. ``out`` must be a Tensor (or, for ops that return a tuple, a tuple/list of Tensors);
2. refused when autograd would be needed: grad mode on and an input, or ``out`` itself, requires grad
   (torch's RuntimeError "add(): functions with out=... arguments don't support automatic
   differentiation, but one of the arguments requires grad.");
3. the result is computed as usual (under ``no_grad``);
4. checked against ``out``: same device; a dtype it may be written into (the op's rule, see ``DTYPE``);
5. ``out`` of another shape is resized (a UserWarning when it had elements, as torch does);
6. the values are written into ``out``'s memory (views of it see them), its version counter is bumped
   (an in-place write: a backward that saved ``out`` refuses to run), and ``out`` is returned.

Creation functions (``zeros``, ``arange``, ``rand``...) take ``out``'s dtype and device when none is
given (``creation=True``), as torch does.
"""
import functools
import inspect
import warnings

from .. import _backend, _dtype
from ..autograd import grad_mode
from .._errors import c_name, scalar_name  # noqa: F401  (one definition, below tensor; the ops import them from here)
from ..tensor import Tensor


def can_cast(from_, to):
    """``torch.can_cast``: no floating -> integral/bool, no integral -> bool; everything else may be cast."""
    if from_.category == 2 and to.category < 2:
        return False
    return not (from_.category == 1 and to.category == 0)


# ---------------------------------------------------------------- dtype rules (result dtype r, out dtype o)
def _cast(name, r, o):
    if not can_cast(r, o):
        return RuntimeError(f"result type {scalar_name(r)} can't be cast to the desired output type {scalar_name(o)}")


def _exact(message):
    """A rule that wants out's dtype to be the result's, with torch's message for that op (a format string over
    ``name``, the scalar names ``r``/``o`` (Float, Long...) and the C names ``rc``/``oc`` (float, long int...))."""
    c_names = "{rc}" in message                  # only the structured kernels' messages print C names
    def rule(name, r, o):
        if r is not o:
            names = dict(rc=c_name(r), oc=c_name(o)) if c_names else {}
            return RuntimeError(message.format(name=name, r=scalar_name(r), o=scalar_name(o), **names))
    return rule


_same = _exact("Found dtype {o} but expected {r}")
_expected = _exact("Expected out tensor to have dtype {rc}, but got {oc} instead")
_reduce_same = _exact("Expected the dtype for input and out to match, but got {r} for input's dtype and {o} for "
                      "out's dtype.")
_self_result = _exact("{name}(): self and result must have the same scalar type")
_take = _exact("take(): self and out expected to have the same dtype, but got self.dtype = {r} and out.dtype = {o}")
_nonzero = _exact("nonzero: Expected out tensor to have scalar type Long but got scalar type{o}")
_dot = _exact("result dtype {o} does not match input dtype {r}")
_tensordot = _exact("tensordot: Expected the output tensor to have dtype {r}, but got an output tensor with dtype {o}")
_addmv = _exact("addmv input tensors must have the same dtype, but got {o}, {r}, and {r}")
_where = _exact("Expected out type to be {r} but got {o}")


def _cat(name, r, o):
    if not can_cast(r, o):
        return TypeError(f"torch.cat(): input types can't be cast to the desired output type {scalar_name(o)}")


def _floating(name, r, o):
    if o.category != 2:
        return RuntimeError(f"{name}(): Expected floating point type for result tensor, but got: {scalar_name(o)}")


def _bool_result(name, r, o):
    if o.category != 0:
        return RuntimeError(f"{name} only supports bool tensor for result, got: {scalar_name(o)}")


def _long_result(name, r, o):
    if o is not _dtype.int64:
        return RuntimeError(f"{name} expects Long tensor out, got: {scalar_name(o)}")


def _can_cast_check(name, r, o):
    if not can_cast(r, o):
        return RuntimeError("Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType(out.dtype())) "
                            "to be true, but got false.  (Could this error message be improved?  If so, please "
                            "report an enhancement request to PyTorch.)")


def _any_dtype(name, r, o):
    return None


def _bool_only(name, r, o):
    if o.category != 0:
        return RuntimeError(f"{name} does not support non-boolean outputs.")


def _kernel(kernel, ok):
    """A factory's check of out's dtype: torch has no kernel for that dtype (``ok`` says which it has)."""
    def rule(name, r, o):
        if not ok(o):
            return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(o)}'")
    return rule


def _randint_bool(name, r, o):
    if o.category == 0:
        return RuntimeError("to - 1 is out of bounds for bool")


DTYPE = {"cast": _cast, "same": _same, "expected": _expected, "cat": _cat, "reduce_same": _reduce_same,
         "self_result": _self_result, "take": _take, "nonzero": _nonzero, "dot": _dot, "tensordot": _tensordot,
         "addmv": _addmv, "floating": _floating, "where": _where, "bool_result": _bool_result,
         "long_result": _long_result, "can_cast_check": _can_cast_check, "any": _any_dtype, "bool_only": _bool_only,
         "uniform": _kernel("check_uniform_bounds", lambda o: o.category == 2),
         "normal": _kernel("normal_kernel_cpu", lambda o: o.category == 2),
         "randperm": _kernel("randperm", lambda o: o.category != 0),
         "arange": _kernel("arange_cpu", lambda o: o.category != 0),
         "randint": _randint_bool}


# ---------------------------------------------------------------- the steps
def _tensors(args, kwargs):
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, Tensor):
                    yield b


def _grad_error(name):
    return RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                        f"but one of the arguments requires grad.")


def _check_out_type(name, out, tuple_ok):
    if isinstance(out, Tensor):
        return
    if tuple_ok and isinstance(out, (tuple, list)) and all(isinstance(o, Tensor) for o in out):
        return
    raise TypeError(f"{name}(): argument 'out' must be {'tuple of Tensors' if tuple_ok else 'Tensor'}, "
                    f"not {type(out).__name__}")


def resize_out(out, shape, warn=True):
    """torch's ``resize_output``: give ``out`` the shape ``shape`` (a warning when it had elements)."""
    shape = tuple(shape)
    d = out._data
    if d.shape == shape:
        return
    if warn and d.size != 0:
        warnings.warn(f"An output with one or more elements was resized since it had shape {list(d.shape)}, which "
                      f"does not match the required output shape {list(shape)}. This behavior is deprecated, and in "
                      f"a future PyTorch release outputs will not be resized unless they have zero elements. You can "
                      f"explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                      f"t.resize_(0).", UserWarning, stacklevel=5)
    n = 1
    for s in shape:
        n *= s
    if d.size >= n and d.flags.c_contiguous:         # torch keeps the storage when it is large enough
        out._data = d.reshape(-1)[:n].reshape(shape)
    else:
        xp = _backend.array_module(d)
        with _backend.device_guard(out.device):
            out._data = xp.empty(shape, dtype=d.dtype)
        out._base = None                             # new memory: no longer a view of anything


def write_out(name, result, out, dtype_rule=_cast, resize_warn=True):
    """Write ``result`` (a Tensor) into ``out`` by torch's rules and return ``out``."""
    if out.device != result.device:
        raise RuntimeError(f"Expected out tensor to have device {result.device}, but got {out.device} instead")
    err = dtype_rule(name, result.dtype, out.dtype)
    if err is not None:
        raise err
    resize_out(out, result._data.shape, resize_warn)
    out._data[...] = result._data
    out._vc[0] += 1
    return out


def out_arg(name, dtype="cast", *, resize_warn=True, differentiable=True, nout=1, creation=False,
            dtype_from_out=None, position=None):
    """Decorator: the function gains torch's ``out`` argument (keyword-only, or at ``position``).

    name            the op's name in torch's messages ("add", "cat", "aten::zeros"); a callable of the call's
                    (args, kwargs) when it depends on the overload
    dtype           the rule for out's dtype: a key of ``DTYPE`` (default "cast": ``torch.can_cast``), or a
                    callable of (args, kwargs) giving the key
    resize_warn     warn when an ``out`` with elements is resized (creation functions resize silently)
    differentiable  False for ops with no derivative (comparisons, argmax...): inputs may require grad
    nout            2 for ops returning (values, indices) when ``out`` is a tuple
    creation        a factory: ``out`` supplies the dtype (and device) when the call gives none
    dtype_from_out  reductions computed in ``out``'s dtype: "any" (sum, prod, cumsum) or "cast" (mean: only
                    when the input's dtype may be cast to it)
    """
    def deco(fn):
        sig = inspect.signature(fn)
        if "out" in sig.parameters:
            raise TypeError(f"{fn.__qualname__}: declare no 'out' parameter; @out_arg adds it")

        def with_out(args, kwargs, out):
            op = name(args, kwargs) if callable(name) else name
            rule = DTYPE[dtype(args, kwargs) if callable(dtype) else dtype]
            _check_out_type(op, out, nout > 1)
            if grad_mode._enabled[0]:
                outs = out if isinstance(out, (tuple, list)) else (out,)
                if any(o._requires_grad for o in outs) or \
                        (differentiable and any(t._requires_grad for t in _tensors(args, kwargs))):
                    raise _grad_error(op)
            if creation:
                err = rule(op, out.dtype, out.dtype) if isinstance(out, Tensor) else None
                if err is not None:
                    raise err
                _creation_kwargs(kwargs, out)
            elif dtype_from_out is not None and isinstance(out, Tensor) and kwargs.get("dtype") is None:
                src = args[0] if args else kwargs.get("input")
                if dtype_from_out == "cast" and isinstance(src, Tensor) and not can_cast(src.dtype, out.dtype):
                    raise _cast(op, src.dtype, out.dtype)
                kwargs["dtype"] = out.dtype
            requires_grad = kwargs.pop("requires_grad", False) if creation else False
            with grad_mode.no_grad():
                result = fn(*args, **kwargs)
            if isinstance(result, tuple):
                if not isinstance(out, (tuple, list)):
                    raise TypeError(f"{op}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}")
                if len(out) != len(result):
                    raise TypeError(f"expected tuple of {len(result)} elements but got {len(out)}")
                for o, r in zip(out, result):
                    write_out(op, r, o, rule, resize_warn)
                return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
            if not isinstance(out, Tensor):
                raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
            write_out(op, result, out, rule, resize_warn)
            if requires_grad:
                out.requires_grad_(True)
            return out

        if position is None:
            @functools.wraps(fn)
            def wrapper(*args, out=None, **kwargs):
                if out is None:
                    return fn(*args, **kwargs)
                return with_out(args, kwargs, out)
            params = list(sig.parameters.values())
            at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
            params.insert(at, inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
        else:
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                if len(args) > position:
                    if "out" in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument 'out'")
                    out, args = args[position], args[:position] + args[position + 1:]
                else:
                    out = kwargs.pop("out", None)
                if out is None:
                    return fn(*args, **kwargs)
                return with_out(args, kwargs, out)
            params = list(sig.parameters.values())
            params.insert(position, inspect.Parameter("out", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
        wrapper.__signature__ = sig.replace(parameters=params)
        wrapper._out_arg = True
        return wrapper
    return deco


def _creation_kwargs(kwargs, out):
    """A factory writing into ``out``: its dtype and device unless given; a different dtype is torch's error."""
    d = kwargs.get("dtype")
    if d is None:
        kwargs["dtype"] = out.dtype
    else:
        d = _dtype.as_dtype(d)
        if d is not out.dtype:
            raise RuntimeError(f"dtype {scalar_name(d)} does not match dtype of out parameter "
                               f"({scalar_name(out.dtype)})")
    if kwargs.get("device") is None:
        kwargs["device"] = out.device
