"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""
from .. import _backend, _kernels
from ..tensor import Tensor
from .optimizer import Optimizer, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum: exactly torch's update rule.

    For each parameter θ with gradient ∇f(θ), at step t (γ = lr, λ = weight_decay,
    μ = momentum, τ = dampening)::

        g ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  g ← g + λ θ
        if μ ≠ 0:
            b ← g                       on the first step (a copy of g, NOT scaled by 1 - τ)
            b ← μ b + (1 - τ) g         afterwards
            g ← g + μ b  if nesterov  else  b
        θ ← θ - γ g

    The momentum buffer ``b`` lives in ``state[p]['momentum_buffer']``. This is
    torch's form (``v = μv + g; p -= lr·v``), not Sutskever's (``v = μv + lr·g; p -= v``);
    the two differ when the learning rate changes during training.

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 1e-3).
        momentum (float): momentum factor μ (default: 0).
        dampening (float): dampening τ for momentum (default: 0).
        weight_decay (float): L2 penalty λ (default: 0).
        nesterov (bool): Nesterov momentum; needs momentum > 0 and zero dampening (default: False).
        maximize (bool): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for torch compatibility; minitorch has one
            implementation (in place on the parameters' arrays), and ``differentiable=True``
            is refused.

    Example::

        optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    The rule line by line, and why torch's momentum differs from the textbook's:
    docs/08-sgd-with-momentum.md; why ``zero_grad`` comes first:
    docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"nesterov": False, "maximize": False, "foreach": None, "differentiable": False, "fused": False}

    def _update(self, p, group):
        """One SGD step of parameter ``p``: the rule above, line by line, in place on the arrays.

        ``tmp`` is scratch memory the optimizer keeps (for dampening and Nesterov), so a step allocates
        nothing; ``_subtract_scaled`` is ``θ -= γg`` through a small scratch block; ``_edited`` bumps the
        version counters of what changed in place (a backward that saved them then refuses to run)."""
        lr, mu, tau, nesterov = _to_scalar(group["lr"]), group["momentum"], group["dampening"], group["nesterov"]
        theta = p._data
        xp = _backend.array_module(theta)
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]),
                                  group["maximize"])                  # g <- ±grad + λθ
        if mu != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:                                           # b <- g  on the first step
                buf = state["momentum_buffer"] = Tensor._from_array(g.copy())
            elif _kernels.sgd_momentum(xp, theta, g, buf._data, mu, tau, lr, nesterov):
                self._edited(buf, ops=2)                              # (on a GPU: the whole step in one kernel)
                self._edited(p)
                return
            else:                                                     # b <- μb + (1-τ)g
                b = buf._data
                xp.multiply(b, mu, out=b)
                xp.add(b, g if tau == 0 else xp.multiply(g, 1 - tau, out=self._scratch("tmp", theta)), out=b)
                self._edited(buf, ops=2)                              # (torch: b.mul_(μ).add_(g, alpha=1-τ))
            # g <- g + μb with Nesterov momentum, else g <- b
            if nesterov:
                tmp = self._scratch("tmp", theta)
                g = xp.add(g, xp.multiply(buf._data, mu, out=tmp), out=tmp)
            else:
                g = buf._data
        self._subtract_scaled(theta, g, lr)                           # θ <- θ - γg
        self._edited(p)
