"""Whole-function derivatives built on ``autograd.grad``: jacobian, hessian, vjp, jvp, hvp."""
from ..tensor import Tensor


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    single = not isinstance(inputs, (tuple, list))
    xs = tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))
    out = func(*xs)
    gs = grad(out, xs, v, create_graph=create_graph, allow_unused=True, materialize_grads=True)
    return out if create_graph else out.detach(), gs[0] if single else gs


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian d func(inputs) / d inputs, with shape out.shape + input.shape."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    from ..creation import zeros_like     # creation sits above autograd, whose __init__ loads this module
    from ..ops.shape import reshape     # ops sits above autograd, whose __init__ loads this module
    from ..ops.join import stack
    single = not isinstance(inputs, (tuple, list))
    xs = tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))
    out = func(*xs)
    rows = [[] for _ in xs]
    for j in range(out.numel()):
        g = zeros_like(out)
        g._data.reshape(-1)[j] = 1
        gs = grad(out, xs, g, retain_graph=True, create_graph=create_graph, allow_unused=True,
                  materialize_grads=True)
        for k, gk in enumerate(gs):
            rows[k].append(gk)
    jac = tuple(reshape(stack(r), tuple(out.shape) + tuple(x.shape)) if r else zeros_like(x)
                for r, x in zip(rows, xs))
    return jac[0] if single else jac


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    single = not isinstance(inputs, (tuple, list))

    def gradient(*xs):
        out = func(*xs)
        g = grad(out, xs, create_graph=True, allow_unused=True, materialize_grads=True)
        return g[0] if single else g

    if single:
        return jacobian(gradient, inputs, create_graph=create_graph)
    raise NotImplementedError("hessian of a function of several inputs is not supported; pass one tensor")


def hvp(func, inputs, v, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    from . import grad     # autograd/__init__ imports this module: imported when first needed
    x = inputs.detach().requires_grad_(True)
    out = func(x)
    g, = grad(out, x, create_graph=True)
    hv, = grad(g, x, v, create_graph=create_graph)
    return out.detach(), hv
