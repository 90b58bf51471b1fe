"""``Adadelta``: per-coordinate steps from running averages of squared gradients and squared updates."""
from .. import _backend
from .optimizer import Optimizer, _check_lr, _step_counter, _to_scalar

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler): exactly torch's update.

    For each parameter θ (γ = lr, ρ = rho, λ = weight_decay, ε = eps)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  g ← g + λθ
        v  ← ρ v + (1 - ρ) g²                    state['square_avg']
        Δ  ← √(u + ε) / √(v + ε) · g
        u  ← ρ u + (1 - ρ) Δ²                    state['acc_delta']
        θ  ← θ - γ Δ

    ``state['step']`` counts the steps (a 0-d float tensor on the CPU, as torch's).

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): scale of the update (default: 1.0).
        rho (float): decay rate of the running averages (default: 0.9).
        eps (float): added inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.Adadelta(model.parameters(), lr=1.0)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def _update(self, p, group):
        """One Adadelta step of parameter ``p``, in place on its array."""
        rho, eps = group["rho"], group["eps"]
        lr = _to_scalar(group["lr"])
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["square_avg"] = self._zeros_state(p)
            state["acc_delta"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        self._next_step(state["step"])
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]), group["maximize"])

        v, u = state["square_avg"]._data, state["acc_delta"]._data
        tmp = self._scratch("tmp", theta)
        xp.multiply(v, rho, out=v)                         # v <- ρv + (1-ρ)g²
        xp.multiply(g, 1 - rho, out=tmp)
        xp.multiply(tmp, g, out=tmp)
        xp.add(v, tmp, out=v)
        std = self._scratch("std", theta)                  # √(v + ε)
        xp.add(v, eps, out=std)
        xp.sqrt(std, out=std)
        delta = self._scratch("delta", theta)              # Δ <- √(u + ε) / √(v + ε) · g
        xp.add(u, eps, out=delta)
        xp.sqrt(delta, out=delta)
        xp.divide(delta, std, out=delta)
        xp.multiply(delta, g, out=delta)
        xp.multiply(u, rho, out=u)                         # u <- ρu + (1-ρ)Δ²
        xp.multiply(delta, 1 - rho, out=tmp)
        xp.multiply(tmp, delta, out=tmp)
        xp.add(u, tmp, out=u)
        xp.multiply(delta, -lr, out=tmp)                   # θ <- θ - γΔ
        xp.add(theta, tmp, out=theta)
        self._edited(state["square_avg"], state["acc_delta"], ops=2)    # (torch: mul_ then addcmul_, each)
        self._edited(p)
