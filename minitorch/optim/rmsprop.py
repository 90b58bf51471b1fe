"""``RMSprop``: gradient scaled by a running root-mean-square, with optional momentum and centering."""
from .. import _backend
from .adam import _lerp_
from .optimizer import Optimizer, _check_lr, _step_counter, _to_scalar

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton): exactly torch's update.

    For each parameter θ (γ = lr, α = alpha, λ = weight_decay, μ = momentum, ε = eps)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  g ← g + λθ
        v  ← α v + (1 - α) g²                      state['square_avg']
        if centered:
            ḡ ← α ḡ + (1 - α) g                    state['grad_avg']
            d ← √(v - ḡ²) + ε
        else:
            d ← √v + ε
        if μ > 0:  b ← μ b + g / d;  θ ← θ - γ b   state['momentum_buffer'] (starts at 0)
        else:      θ ← θ - γ g / d

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for torch compatibility
            (``differentiable=True`` is refused).

    Example::

        optimizer = minitorch.optim.RMSprop(model.parameters(), lr=0.01)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False, "differentiable": False,
                       "capturable": False}

    def _update(self, p, group):
        """One RMSprop step of parameter ``p``, in place on its array."""
        lr = _to_scalar(group["lr"])
        alpha, momentum = group["alpha"], group["momentum"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["square_avg"] = self._zeros_state(p)
            if momentum > 0:
                state["momentum_buffer"] = self._zeros_state(p)
            if group["centered"]:
                state["grad_avg"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        self._next_step(state["step"])
        g = self._grad_with_decay(theta, p._grad._data, _to_scalar(group["weight_decay"]), group["maximize"])

        v = state["square_avg"]._data                      # v <- αv + (1-α)g²
        tmp = self._scratch("tmp", theta)
        xp.multiply(v, alpha, out=v)
        xp.multiply(g, 1 - alpha, out=tmp)
        xp.multiply(tmp, g, out=tmp)
        xp.add(v, tmp, out=v)
        self._edited(state["square_avg"], ops=2)           # (torch: v.mul_(α).addcmul_(g, g, value=1-α))

        avg = self._scratch("avg", theta)
        if group["centered"]:                              # d <- √(v - ḡ²) + ε
            ga = state["grad_avg"]._data
            _lerp_(xp, ga, g, 1 - alpha, tmp)
            self._edited(state["grad_avg"])
            xp.multiply(ga, -1, out=tmp)
            xp.multiply(tmp, ga, out=tmp)
            xp.add(v, tmp, out=avg)
            xp.sqrt(avg, out=avg)
        else:                                              # d <- √v + ε
            xp.sqrt(v, out=avg)
        xp.add(avg, group["eps"], out=avg)

        if momentum > 0:                                   # b <- μb + g/d;  θ <- θ - γb
            buf = state["momentum_buffer"]
            b = buf._data
            xp.multiply(b, momentum, out=b)
            xp.divide(g, avg, out=tmp)
            xp.add(b, tmp, out=b)
            self._edited(buf, ops=2)                       # (torch: b.mul_(μ).addcdiv_(g, d))
            xp.multiply(b, -lr, out=tmp)
        else:                                              # θ <- θ - γ g/d
            xp.multiply(g, -lr, out=tmp)
            xp.divide(tmp, avg, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(p)
