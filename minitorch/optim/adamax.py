"""``Adamax``: Adam with the infinity norm in place of the second moment."""
from .. import _backend
from .adam import _lerp_
from .optimizer import Optimizer, _step_counter, _to_scalar, _check_adam_hyperparameters

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, section 7): exactly torch's update.

    For each parameter θ at step t (γ = lr, β₁, β₂ = betas, λ = weight_decay, ε = eps)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  g ← g + λθ
        m  ← β₁ m + (1 - β₁) g                   state['exp_avg']   (a lerp towards g)
        u  ← max(β₂ u, |g| + ε)                  state['exp_inf']
        θ  ← θ - (γ / (1 - β₁ᵗ)) · m / u

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (tuple): (β₁, β₂) (default: (0.9, 0.999)).
        eps (float): added to |g| (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.Adamax(model.parameters(), lr=2e-3)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_hyperparameters(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def _update(self, p, group):
        """One Adamax step of parameter ``p``, in place on its array."""
        beta1, beta2 = (_to_scalar(b) for b in group["betas"])
        lr = _to_scalar(group["lr"])
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["exp_avg"] = self._zeros_state(p)
            state["exp_inf"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        t = self._next_step(state["step"])
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]), group["maximize"])

        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        tmp = self._scratch("tmp", theta)
        _lerp_(xp, m, g, 1 - beta1, tmp)                   # m <- β₁m + (1-β₁)g
        xp.multiply(u, beta2, out=u)                       # u <- max(β₂u, |g| + ε)
        xp.abs(g, out=tmp)
        xp.add(tmp, group["eps"], out=tmp)
        xp.maximum(u, tmp, out=u)
        clr = lr / (1 - beta1 ** t)                        # θ <- θ - (γ/(1-β₁ᵗ)) m / u
        xp.multiply(m, -clr, out=tmp)
        xp.divide(tmp, u, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(state["exp_avg"])
        self._edited(state["exp_inf"], ops=2)              # (torch: u.mul_(β₂), then maximum(..., out=u))
        self._edited(p)
