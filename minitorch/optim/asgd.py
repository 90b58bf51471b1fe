"""``ASGD``: averaged stochastic gradient descent."""
from .. import _backend, _dtype
from ..tensor import Tensor
from .optimizer import Optimizer, _check_lr, _on_device, _scalar_dtype, _to_scalar

__all__ = ["ASGD"]


def _scalar_state(p, value):
    """A 0-d tensor on ``p``'s device holding ``value`` (in the scalar dtype, as torch's ASGD state)."""
    xp = _backend.array_module(p._data)
    with _on_device(p._data):
        return Tensor._from_array(xp.full((), value, dtype=_scalar_dtype().np))


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky): exactly torch's update.

    For each parameter θ at step t (γ = lr, λ = lambd, α = alpha, λ_w = weight_decay)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ_w ≠ 0:  g ← g + λ_w θ
        θ  ← θ (1 - λ η) - η g                   η = state['eta'] (starts at γ)
        ax ← ax + μ (θ - ax)   if μ ≠ 1 else θ    state['ax'], the running average of θ
        η  ← γ / (1 + λ γ t)^α                    (rounded to the default dtype, then to eta's)
        μ  ← 1 / max(1, t - t0)                   state['mu']

    ``state['step']``, ``state['eta']`` and ``state['mu']`` are 0-d float tensors on the
    parameter's device (float32 unless the default dtype is float64), as torch keeps them.

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power for the η update (default: 0.75).
        t0 (float): the step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.ASGD(model.parameters(), lr=0.01)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def _update(self, p, group):
        """One ASGD step of parameter ``p``, in place on its array."""
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _scalar_state(p, 0.0)
            state["eta"] = _scalar_state(p, lr)
            state["mu"] = _scalar_state(p, 1.0)
            state["ax"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        step_t, eta, mu = state["step"], state["eta"], state["mu"]
        t = self._next_step(step_t)
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]), group["maximize"])

        eta_value = float(eta._data)
        tmp = self._scratch("tmp", theta)
        xp.multiply(theta, 1 - lambd * eta_value, out=theta)      # θ <- θ(1 - λη) - ηg
        xp.multiply(g, -eta_value, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(p, ops=2)                                    # (torch: mul_ then add_)

        ax = state["ax"]._data
        mu_value = float(mu._data)
        if mu_value != 1:                                         # ax <- ax + μ(θ - ax)
            xp.subtract(theta, ax, out=tmp)
            xp.multiply(tmp, mu_value, out=tmp)
            xp.add(ax, tmp, out=ax)
        else:                                                     # ax <- θ
            xp.copyto(ax, theta)
        self._edited(state["ax"])

        # new values pass through the default dtype
        as_default = _dtype.get_default_dtype().np.type              # (torch builds them with torch.as_tensor)
        eta._data[...] = as_default(lr / ((1 + lambd * lr * t) ** alpha))
        mu._data[...] = as_default(1 / max(1, t - t0))
        self._edited(eta, mu)
