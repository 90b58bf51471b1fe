"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay and AMSGrad."""
from .. import _backend
from ..tensor import Tensor
from .optimizer import Optimizer, _step_counter, _to_scalar, _check_adam_hyperparameters

__all__ = ["Adam", "AdamW"]


def _lerp_(xp, start, end, weight, tmp):
    """``start ← start + w·(end - start)`` in place, evaluated as torch's lerp kernel does.

    torch casts the weight to the tensor's dtype, then uses ``start + w·(end - start)``
    when |w| < 0.5 and ``end - (1 - w)·(end - start)`` otherwise (both are exact at their end).
    """
    w = start.dtype.type(weight)
    xp.subtract(end, start, out=tmp)
    if abs(w) < 0.5:
        xp.multiply(tmp, w, out=tmp)
        xp.add(start, tmp, out=start)
    else:
        xp.multiply(tmp, w - 1, out=tmp)
        xp.add(end, tmp, out=start)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), optionally AMSGrad: exactly torch's update.

    For each parameter θ at step t (γ = lr, β₁, β₂ = betas, λ = weight_decay, ε = eps)::

        g  ← -∇f(θ) if maximize else ∇f(θ)
        if λ ≠ 0:  θ ← θ (1 - γλ)   if decoupled_weight_decay (AdamW)
                   g ← g + λθ       otherwise (L2 penalty folded into the gradient)
        m  ← β₁ m + (1 - β₁) g                  state['exp_avg']     (a lerp towards g)
        v  ← β₂ v + (1 - β₂) g²                 state['exp_avg_sq']
        v̂  ← max(v̂, v) if amsgrad else v        state['max_exp_avg_sq']
        θ  ← θ - (γ / (1 - β₁ᵗ)) · m / (√v̂ / √(1 - β₂ᵗ) + ε)

    ``state['step']`` is t, a 0-d float tensor on the CPU (float32, as in torch).

    Args:
        params: tensors or parameter-group dicts to optimize.
        lr (float): learning rate γ (default: 1e-3).
        betas (tuple): (β₁, β₂), the decay rates of the moment estimates (default: (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default: 1e-8).
        weight_decay (float): λ (default: 0).
        amsgrad (bool): use the running maximum of v (AMSGrad) (default: False).
        maximize (bool): maximize the objective (default: False).
        decoupled_weight_decay (bool): AdamW's decay (default: False).
        foreach, capturable, differentiable, fused: accepted for torch compatibility; minitorch has
            one implementation, and ``differentiable=True`` is refused.

    Example::

        optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_adam_hyperparameters(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor) and betas[i].numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    # keys older pickles and state dicts may lack (Optimizer.__setstate__ fills them in)
    _group_defaults = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                       "differentiable": False, "decoupled_weight_decay": False, "fused": None}

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:                  # a step saved as a number becomes the 0-d tensor
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    step = _step_counter()
                    step._data[...] = float(p_state["step"])
                    p_state["step"] = step

    def _init_state(self, p, group):
        """Lazy state of a parameter's first step: t = 0, m = v = 0 (and v̂ = 0 for AMSGrad)."""
        state = self.state[p]
        state["step"] = _step_counter()
        state["exp_avg"] = self._zeros_state(p)
        state["exp_avg_sq"] = self._zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = self._zeros_state(p)
        return state

    def _update(self, p, group):
        """One Adam step of parameter ``p``, in place on its array."""
        beta1, beta2 = (_to_scalar(b) for b in group["betas"])
        lr = _to_scalar(group["lr"])
        weight_decay = _to_scalar(group["weight_decay"])
        state = self.state[p]
        if len(state) == 0:
            state = self._init_state(p, group)
        theta = p._data
        xp = _backend.array_module(theta)

        t = self._next_step(state["step"])                  # t <- t + 1

        if weight_decay != 0 and group["decoupled_weight_decay"]:     # θ <- θ(1 - γλ)
            xp.multiply(theta, 1 - lr * weight_decay, out=theta)
            self._edited(p)
            weight_decay = 0
        g = self._grad_with_decay(theta, p._grad._data, weight_decay, group["maximize"])   # g <- ±grad + λθ

        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        m, v = exp_avg._data, exp_avg_sq._data
        tmp = self._scratch("tmp", theta)
        _lerp_(xp, m, g, 1 - beta1, tmp)                    # m <- β₁m + (1-β₁)g
        xp.multiply(v, beta2, out=v)                        # v <- β₂v + (1-β₂)g²
        xp.multiply(g, 1 - beta2, out=tmp)
        xp.multiply(tmp, g, out=tmp)
        xp.add(v, tmp, out=v)
        self._edited(exp_avg)                               # (torch: m.lerp_(g, 1-β₁))
        self._edited(exp_avg_sq, ops=2)                     # (torch: v.mul_(β₂).addcmul_(g, g, value=1-β₂))

        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5

        if group["amsgrad"]:                                # v̂ <- max(v̂, v)
            max_sq = state["max_exp_avg_sq"]
            xp.maximum(max_sq._data, v, out=max_sq._data)
            self._edited(max_sq)
            v = max_sq._data
        denom = self._scratch("denom", theta)               # √v̂ / √(1-β₂ᵗ) + ε
        xp.sqrt(v, out=denom)
        xp.divide(denom, bias_correction2_sqrt, out=denom)
        xp.add(denom, group["eps"], out=denom)
        xp.multiply(m, -step_size, out=tmp)                 # θ <- θ - (γ/(1-β₁ᵗ)) m / denom
        xp.divide(tmp, denom, out=tmp)
        xp.add(theta, tmp, out=theta)
        self._edited(p)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, exactly torch's update.

    For each parameter θ at step t::

        θ  ← θ (1 - γλ)                         (decay applied to θ, not folded into g)
        m  ← β₁ m + (1 - β₁) g
        v  ← β₂ v + (1 - β₂) g²
        v̂  ← max(v̂, v) if amsgrad else v
        θ  ← θ - (γ / (1 - β₁ᵗ)) · m / (√v̂ / √(1 - β₂ᵗ) + ε)

    Same arguments as ``Adam`` (without ``decoupled_weight_decay``, always on), with
    ``weight_decay`` defaulting to 1e-2.

    Example::

        optimizer = minitorch.optim.AdamW(model.parameters(), lr=1e-3)
        for x, y in loader:
            optimizer.zero_grad()           # gradients add up otherwise
            loss_fn(model(x), y).backward()
            optimizer.step()

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
