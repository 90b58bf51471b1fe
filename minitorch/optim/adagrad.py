"""``Adagrad``: per-coordinate learning rates from the running sum of squared gradients."""
from .. import _backend
from .optimizer import Optimizer, _check_lr, _step_counter, _to_scalar

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.): exactly torch's update.

    For each parameter θ at step t (γ = lr, η = lr_decay, λ = weight_decay, ε = eps)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  g ← g + λθ
        γ̃  ← γ / (1 + (t - 1) η)
        s  ← s + g²                      state['sum'] (starts at initial_accumulator_value)
        θ  ← θ - γ̃ g / (√s + ε)

    Unlike the other optimizers, the state of every parameter is created in the constructor
    (torch then fails on parameters added later by ``add_param_group``; minitorch creates
    their state on their first step).

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay η (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        initial_accumulator_value (float): starting value of the sums (default: 0).
        eps (float): added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, fused: accepted for torch compatibility
            (``differentiable=True`` is refused).

    Example::

        optimizer = minitorch.optim.Adagrad(model.parameters(), lr=0.01)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = _step_counter()
        state["sum"] = self._zeros_state(p, group["initial_accumulator_value"])
        return state

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "fused": None}

    def share_memory(self):
        """No-op kept for torch compatibility (torch moves the sums to shared memory)."""

    def _update(self, p, group):
        """One Adagrad step of parameter ``p``, in place on its array."""
        state = self.state[p]
        if len(state) == 0:                                 # a parameter added by add_param_group
            state = self._init_state(p, group)
        theta = p._data
        xp = _backend.array_module(theta)
        t = self._next_step(state["step"])
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]), group["maximize"])
        clr = _to_scalar(group["lr"]) / (1 + (t - 1) * group["lr_decay"])

        s = state["sum"]._data                              # s <- s + g²
        tmp = self._scratch("tmp", theta)
        xp.multiply(g, g, out=tmp)
        xp.add(s, tmp, out=s)
        self._edited(state["sum"])
        std = self._scratch("std", theta)                   # θ <- θ - γ̃ g / (√s + ε)
        xp.sqrt(s, out=std)
        xp.add(std, group["eps"], out=std)
        xp.multiply(g, -clr, out=tmp)
        xp.divide(tmp, std, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(p)
