"""``RAdam``: Adam with the variance of the adaptive rate rectified in the first steps."""
from .. import _backend
from .adam import _lerp_
from .optimizer import Optimizer, _step_counter, _to_scalar, _check_adam_hyperparameters

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): exactly torch's update.

    For each parameter θ at step t (γ = lr, β₁, β₂ = betas, λ = weight_decay, ε = eps)::

        g   ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  θ ← θ (1 - γλ)   if decoupled_weight_decay
                   g ← g + λθ       otherwise
        m   ← β₁ m + (1 - β₁) g                 state['exp_avg']
        v   ← β₂ v + (1 - β₂) g²                state['exp_avg_sq']
        m̂   ← m / (1 - β₁ᵗ)
        ρ∞  ← 2 / (1 - β₂) - 1,   ρₜ ← ρ∞ - 2t β₂ᵗ / (1 - β₂ᵗ)
        if ρₜ > 5:
            r ← √((ρₜ - 4)(ρₜ - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρₜ))
            θ ← θ - m̂ γ · √(1 - β₂ᵗ) / (√v + ε) · r
        else:
            θ ← θ - m̂ γ                          (plain momentum while the variance is intractable)

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 1e-3).
        betas (tuple): (β₁, β₂) (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): λ (default: 0).
        decoupled_weight_decay (bool): AdamW-style decay (RAdamW) (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.RAdam(model.parameters(), lr=1e-3)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check_adam_hyperparameters(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "decoupled_weight_decay": False,
                       "capturable": False}

    def _update(self, p, group):
        """One RAdam step of parameter ``p``, in place on its array."""
        beta1, beta2 = (_to_scalar(b) for b in group["betas"])
        lr = _to_scalar(group["lr"])
        weight_decay = _to_scalar(group["weight_decay"])
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["exp_avg"] = self._zeros_state(p)
            state["exp_avg_sq"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        t = self._next_step(state["step"])

        if weight_decay != 0 and group["decoupled_weight_decay"]:     # θ <- θ(1 - γλ)
            xp.multiply(theta, 1 - lr * weight_decay, out=theta)
            self._edited(p)
            weight_decay = 0
        g = self._grad_with_decay(theta, p._grad._data, weight_decay, group["maximize"])

        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp = self._scratch("tmp", theta)
        _lerp_(xp, m, g, 1 - beta1, tmp)                    # m <- β₁m + (1-β₁)g
        xp.multiply(v, beta2, out=v)                        # v <- β₂v + (1-β₂)g²
        xp.multiply(g, 1 - beta2, out=tmp)
        xp.multiply(tmp, g, out=tmp)
        xp.add(v, tmp, out=v)
        self._edited(state["exp_avg"])
        self._edited(state["exp_avg_sq"], ops=2)            # (torch: v.mul_(β₂).addcmul_(g, g, value=1-β₂))

        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        upd = self._scratch("upd", theta)
        xp.divide(m, bias_correction1, out=upd)             # m̂ γ
        xp.multiply(upd, lr, out=upd)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
        if rho_t > 5.0:                                     # · √(1-β₂ᵗ)/(√v + ε) · r
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            xp.sqrt(v, out=tmp)
            xp.add(tmp, group["eps"], out=tmp)
            xp.reciprocal(tmp, out=tmp)                     # torch's scalar / tensor is reciprocal(tensor) * scalar
            xp.multiply(tmp, bias_correction2 ** 0.5, out=tmp)
            xp.multiply(upd, tmp, out=upd)
            xp.multiply(upd, rect, out=upd)
        xp.subtract(theta, upd, out=theta)
        self._edited(p)
