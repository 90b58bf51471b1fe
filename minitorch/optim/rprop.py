"""``Rprop``: resilient backpropagation, per-coordinate step sizes adapted from the gradient's sign."""
from .. import _backend
from .optimizer import Optimizer, _check_lr, _step_counter, _to_scalar

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun): exactly torch's update.

    For each parameter θ (η₋, η₊ = etas, Γmin, Γmax = step_sizes)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        s  ← sign(g · g_prev) mapped to η₊ (> 0), η₋ (< 0), 1 (= 0)   (in θ's dtype)
        Δ  ← clamp(Δ · s, Γmin, Γmax)             state['step_size'] (starts at lr)
        g  ← 0 where s = η₋                        (a sign change: no move, and no change next step)
        θ  ← θ - sign(g) · Δ
        g_prev ← g                                  state['prev'] (starts at 0)

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): the starting step size (default: 1e-2).
        etas (tuple): (η₋, η₊), the factors shrinking and growing the steps, 0 < η₋ < 1 < η₊
            (default: (0.5, 1.2)).
        step_sizes (tuple): (Γmin, Γmax), the bounds of the step sizes (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.Rprop(model.parameters(), lr=0.01)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def _update(self, p, group):
        """One Rprop step of parameter ``p``, in place on its array."""
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["prev"] = self._zeros_state(p)
            state["step_size"] = self._zeros_state(p, _to_scalar(group["lr"]))
        theta = p._data
        xp = _backend.array_module(theta)
        self._next_step(state["step"])
        g = self._grad_with_decay(theta, p._grad._data, 0, group["maximize"])
        prev, step_size = state["prev"]._data, state["step_size"]._data
        dt = theta.dtype.type

        sign = self._scratch("sign", theta)                # s <- η₊ / η₋ / 1 by the sign of g·g_prev
        xp.multiply(g, prev, out=sign)
        xp.sign(sign, out=sign)
        pos, neg = sign > 0, sign < 0
        sign[pos] = dt(etaplus)
        sign[neg] = dt(etaminus)
        sign[sign == 0] = 1
        xp.multiply(step_size, sign, out=step_size)        # Δ <- clamp(Δs, Γmin, Γmax)
        xp.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
        xp.copyto(prev, g)                                 # g <- 0 where s = η₋;  g_prev <- g
        prev[sign == dt(etaminus)] = 0
        upd = self._scratch("upd", theta)                  # θ <- θ - sign(g)Δ
        xp.sign(prev, out=upd)
        xp.multiply(upd, step_size, out=upd)
        xp.subtract(theta, upd, out=theta)
        self._edited(state["prev"])
        self._edited(state["step_size"], ops=2)            # (torch: Δ.mul_(s).clamp_(Γmin, Γmax))
        self._edited(p)
