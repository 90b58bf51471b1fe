"""``NAdam``: Adam with Nesterov momentum (and a momentum schedule)."""
from .. import _backend
from ..tensor import Tensor
from .adam import _lerp_
from .optimizer import Optimizer, _scalar_dtype, _step_counter, _to_scalar, _check_adam_hyperparameters

__all__ = ["NAdam"]

_np = _backend.numpy


class NAdam(Optimizer):
    r"""NAdam (Dozat): exactly torch's update.

    For each parameter θ at step t (γ = lr, β₁, β₂ = betas, λ = weight_decay, ψ = momentum_decay)::

        g   ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  θ ← θ (1 - γλ)   if decoupled_weight_decay
                   g ← g + λθ       otherwise
        μₜ  ← β₁ (1 - ½ · 0.96^(t ψ)),   μₜ₊₁ ← β₁ (1 - ½ · 0.96^((t+1) ψ))
        Π   ← Π · μₜ                     state['mu_product'] (a 0-d tensor, rounded to its dtype)
        m   ← β₁ m + (1 - β₁) g          state['exp_avg']
        v   ← β₂ v + (1 - β₂) g²         state['exp_avg_sq']
        d   ← √(v / (1 - β₂ᵗ)) + ε
        θ   ← θ - γ (1 - μₜ) / (1 - Π) · g / d
        θ   ← θ - γ μₜ₊₁ / (1 - Π μₜ₊₁) · m / d

    ``state['step']`` and ``state['mu_product']`` are 0-d float tensors on the CPU (float32
    unless the default dtype is float64), as torch keeps them.

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate (default: 2e-3).
        betas (tuple): (β₁, β₂) (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): λ (default: 0).
        momentum_decay (float): ψ (default: 4e-3).
        decoupled_weight_decay (bool): AdamW-style decay (NAdamW) (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for torch compatibility; minitorch has one
            implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.NAdam(model.parameters(), lr=2e-3)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_hyperparameters(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                       "decoupled_weight_decay": False}

    def _update(self, p, group):
        """One NAdam step of parameter ``p``, in place on its array."""
        beta1, beta2 = (_to_scalar(b) for b in group["betas"])
        lr = _to_scalar(group["lr"])
        weight_decay = _to_scalar(group["weight_decay"])
        psi = group["momentum_decay"]
        state = self.state[p]
        if len(state) == 0:
            state["step"] = _step_counter()
            state["mu_product"] = Tensor._from_array(_np.ones((), _scalar_dtype().np))
            state["exp_avg"] = self._zeros_state(p)
            state["exp_avg_sq"] = self._zeros_state(p)
        theta = p._data
        xp = _backend.array_module(theta)
        t = self._next_step(state["step"])
        bias_correction2 = 1 - beta2 ** t

        if weight_decay != 0 and group["decoupled_weight_decay"]:     # θ <- θ(1 - γλ)
            xp.multiply(theta, 1 - lr * weight_decay, out=theta)
            self._edited(p)
            weight_decay = 0
        g = self._grad_with_decay(theta, p._grad._data, weight_decay, group["maximize"])

        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        mu_product = state["mu_product"]
        mu_product._data *= mu                              # Π <- Π μₜ, in Π's dtype (as torch's 0-d tensor)
        self._edited(mu_product)
        pi = float(mu_product._data)

        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp = self._scratch("tmp", theta)
        _lerp_(xp, m, g, 1 - beta1, tmp)                    # m <- β₁m + (1-β₁)g
        xp.multiply(v, beta2, out=v)                        # v <- β₂v + (1-β₂)g²
        xp.multiply(g, 1 - beta2, out=tmp)
        xp.multiply(tmp, g, out=tmp)
        xp.add(v, tmp, out=v)
        self._edited(state["exp_avg"])
        self._edited(state["exp_avg_sq"], ops=2)            # (torch: v.mul_(β₂).addcmul_(g, g, value=1-β₂))

        denom = self._scratch("denom", theta)               # d <- √(v / (1-β₂ᵗ)) + ε
        xp.divide(v, bias_correction2, out=denom)
        xp.sqrt(denom, out=denom)
        xp.add(denom, group["eps"], out=denom)
        xp.multiply(g, -lr * (1.0 - mu) / (1.0 - pi), out=tmp)          # θ <- θ - γ(1-μₜ)/(1-Π) g/d
        xp.divide(tmp, denom, out=tmp)
        xp.add(theta, tmp, out=theta)
        xp.multiply(m, (-lr * mu_next) / (1.0 - pi * mu_next), out=tmp) # θ <- θ - γμₜ₊₁/(1-Πμₜ₊₁) m/d
        xp.divide(tmp, denom, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(p, ops=2)                              # (torch: two addcdiv_)
