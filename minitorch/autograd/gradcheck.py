"""Numerical gradient checks: compare autograd's derivatives with central finite differences.

    d f(x) / d x_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

Use float64 inputs: in float32 the rounding error of the difference swamps it.
``fast_mode=True`` checks one random direction instead of every element
(v^T J u by both methods), which stays cheap on big inputs.
"""
import warnings

from .. import _backend
from ..tensor import Tensor
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients disagree."""


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _flat_outputs(fn, inputs):
    out = fn(*inputs)
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor))


def _numerical_jacobian(fn, inputs, diff_inputs, eps):
    """J[k][j] = d out_j / d input_k (flattened), by central differences."""
    jac = []
    with no_grad():
        outs = _flat_outputs(fn, inputs)
        for x in diff_inputs:
            xp = _backend.array_module(x._data)
            data = x._data
            flat = data.reshape(-1)           # a view: perturb in place
            rows = xp.zeros((flat.size, sum(int(o._data.size) for o in outs)), dtype=xp.float64)
            for i in range(flat.size):
                orig = flat[i].item()
                flat[i] = orig + eps
                plus = _flat_outputs(fn, inputs)
                flat[i] = orig - eps
                minus = _flat_outputs(fn, inputs)
                flat[i] = orig
                rows[i] = xp.concatenate([((p._data.astype(xp.float64) - m._data.astype(xp.float64)) / (2 * eps))
                                          .reshape(-1) for p, m in zip(plus, minus)]) if outs else rows[i]
            jac.append(rows)
    return jac


def _analytical_jacobian(fn, inputs, diff_inputs):
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    from ..creation import zeros_like     # creation sits above autograd, whose __init__ loads this module
    outs = _flat_outputs(fn, inputs)
    n_out = sum(int(o._data.size) for o in outs)
    jac = []
    for x in diff_inputs:
        xp = _backend.array_module(x._data)
        jac.append(xp.zeros((x._data.size, n_out), dtype=xp.float64))
    col = 0
    for o in outs:
        if not o.requires_grad:
            col += o._data.size
            continue
        for j in range(o._data.size):
            g = zeros_like(o)
            g._data.reshape(-1)[j] = 1
            grads = grad(o, diff_inputs, g, retain_graph=True, allow_unused=True)
            for k, gk in enumerate(grads):
                if gk is not None:
                    jac[k][:, col + j] = gk._data.reshape(-1)
        col += o._data.size
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, fast_mode=False,
              nondet_tol=0.0, check_undefined_grad=True, check_batched_grad=False, **kwargs):
    """True when ``func``'s autograd Jacobian matches central differences for every input that requires grad."""
    inputs = _as_tuple(inputs)
    diff_inputs = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    for i, x in enumerate(inputs):        # by position: ``inputs.index(x)`` would compare tensors with ==
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != "float64":
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    if fast_mode:
        return _fast_check(func, inputs, diff_inputs, eps, atol, rtol, raise_exception)
    num = _numerical_jacobian(func, inputs, diff_inputs, eps)
    ana = _analytical_jacobian(func, inputs, diff_inputs)
    outs = _flat_outputs(func, inputs)
    col, i = 0, -1
    for o in outs:                        # torch's order: each differentiable output, then each input
        cols = slice(col, col + int(o._data.size))
        col = cols.stop
        if not o.requires_grad:
            continue
        i += 1
        for k, (x, n, a) in enumerate(zip(diff_inputs, num, ana)):
            n, a = n[:, cols], a[:, cols]
            xp = _backend.array_module(n)
            if not xp.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(f"Jacobian mismatch for output {i} with respect to input {k},\n"
                                         f"numerical:{Tensor._from_array(n.astype(o._data.dtype))}\n"
                                         f"analytical:{Tensor._from_array(a.astype(x._data.dtype))}\n")
                return False
    return True


def _fast_check(func, inputs, diff_inputs, eps, atol, rtol, raise_exception):
    """Compare v^T J u for random unit vectors u (inputs) and v (outputs)."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    from ..creation import randn_like     # creation sits above autograd, whose __init__ loads this module
    outs = _flat_outputs(func, inputs)
    vs = [randn_like(o) for o in outs]
    us = [randn_like(x) for x in diff_inputs]
    # analytical: (v^T J) . u
    grads = grad([o for o in outs if o.requires_grad], diff_inputs,
                 [v for v, o in zip(vs, outs) if o.requires_grad], retain_graph=True, allow_unused=True)
    analytical = sum(float((g._data * u._data).sum()) for g, u in zip(grads, us) if g is not None)
    with no_grad():
        for x, u in zip(diff_inputs, us):
            x._data += eps * u._data
        plus = _flat_outputs(func, inputs)
        for x, u in zip(diff_inputs, us):
            x._data -= 2 * eps * u._data
        minus = _flat_outputs(func, inputs)
        for x, u in zip(diff_inputs, us):
            x._data += eps * u._data
    numerical = sum(float(((p._data - m._data) * v._data).sum()) / (2 * eps) for p, m, v in zip(plus, minus, vs))
    if abs(analytical - numerical) > atol + rtol * abs(numerical):
        if raise_exception:
            raise GradcheckError(f"Jacobian mismatch in a random direction: numerical {numerical}, "
                                 f"analytical {analytical}")
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, fast_mode=False, **kwargs):
    """Check second derivatives: gradcheck of the function (inputs, v) -> vector-Jacobian product v^T J."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    from ..creation import randn_like     # creation sits above autograd, whose __init__ loads this module
    inputs = _as_tuple(inputs)
    outs = _flat_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [randn_like(o).requires_grad_(True) for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def vjp(*args):
        xs, vs = args[:n_in], args[n_in:]
        with enable_grad():                  # the numerical Jacobian calls this under no_grad
            os = _flat_outputs(func, xs)
            diff = [xs[i] for i in diff_idx]
            gs = grad(os, diff, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(vjp, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)
