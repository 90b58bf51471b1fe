"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search (needs a closure).

Unlike the other optimizers, the update works on whole flattened vectors through
tensor operations (dot products, a two-loop recursion), so the scalars it keeps
(``ro``, ``H_diag``, the step ``t``, ...) are 0-d tensors of the parameters' dtype,
as in torch, and round as torch's do.
"""
from ..autograd import grad_mode
from ..ops.join import cat
from ..tensor import Tensor
from .optimizer import Optimizer, _check_lr, _to_scalar, _use_grad

__all__ = ["LBFGS"]


def _scalar(x):
    """A Python number from a number or a 0-d tensor (torch turns a tensor ``alpha`` into its value)."""
    return x.item() if isinstance(x, Tensor) else x


def _cubic_minimizer(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to ``bounds``
    (default: the interval between x1 and x2); the bounds' midpoint when the cubic has no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 ** 2 - g1 * g2
    if not disc >= 0:
        return (lo + hi) / 2.0
    d2 = disc.sqrt()
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


class _Bracket:
    """The points of the line search: step, loss, gradient and directional derivative of each."""

    def __init__(self, points):
        self.t = [q[0] for q in points]
        self.f = [q[1] for q in points]
        self.g = [q[2] for q in points]
        self.gtd = [q[3] for q in points]

    def set(self, i, t, f, g, gtd):
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd


def _strong_wolfe(evaluate, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step ``t`` along ``d`` meeting the strong Wolfe conditions (Nocedal & Wright, alg. 3.5/3.6).

    ``evaluate(x, t, d)`` gives (loss, flat gradient) at ``x + t d``. Returns the chosen
    point's loss, gradient, step, and the number of evaluations made.
    """
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = evaluate(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    armijo = lambda t_, f_: f_ > (f + c1 * t_ * gtd)           # noqa: E731  (sufficient decrease fails)
    curvature = lambda gtd_: abs(gtd_) <= -c2 * gtd            # noqa: E731  (strong curvature holds)

    # 1) bracketing: grow the step until an interval is known to hold an acceptable point
    prev = (0, f, g, gtd)
    done = False
    it = 0
    bracket = None
    while it < max_ls:
        if armijo(t, f_new) or (it > 1 and f_new >= prev[1]):
            bracket = _Bracket([prev, (t, f_new, g_new.clone(), gtd_new)])
            break
        if curvature(gtd_new):
            bracket = _Bracket([(t, f_new, g_new, None)])
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([prev, (t, f_new, g_new.clone(), gtd_new)])
            break
        t_next = _cubic_minimizer(prev[0], prev[1], prev[3], t, f_new, gtd_new,
                                  bounds=(t + 0.01 * (t - prev[0]), t * 10))
        prev = (t, f_new, g_new.clone(), gtd_new)
        t = t_next
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        it += 1
    if it == max_ls:
        bracket = _Bracket([(0, f, g, None), (t, f_new, g_new, None)])

    # 2) zoom: shrink the bracket until a point meets both conditions
    insufficient = False
    low, high = (0, 1) if bracket.f[0] <= bracket.f[-1] else (1, 0)
    while not done and it < max_ls:
        if abs(bracket.t[1] - bracket.t[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimizer(bracket.t[0], bracket.f[0], bracket.gtd[0], bracket.t[1], bracket.f[1], bracket.gtd[1])
        # keep the trial point away from the bracket's ends (10% of its length) when progress stalls
        t_max, t_min = max(bracket.t), min(bracket.t)
        margin = 0.1 * (t_max - t_min)
        if min(t_max - t, t - t_min) < margin:
            if insufficient or t >= t_max or t <= t_min:
                t = t_max - margin if abs(t - t_max) < abs(t - t_min) else t_min + margin
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False

        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        it += 1
        if armijo(t, f_new) or f_new >= bracket.f[low]:
            bracket.set(high, t, f_new, g_new.clone(), gtd_new)      # the new point is the new high end
            low, high = (0, 1) if bracket.f[0] <= bracket.f[1] else (1, 0)
        else:
            if curvature(gtd_new):
                done = True
            elif gtd_new * (bracket.t[high] - bracket.t[low]) >= 0:  # the old low end becomes the high end
                bracket.set(high, bracket.t[low], bracket.f[low], bracket.g[low], bracket.gtd[low])
            bracket.set(low, t, f_new, g_new.clone(), gtd_new)       # the new point is the new low end
    return bracket.f[low], bracket.g[low], bracket.t[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS (after minFunc): exactly torch's algorithm. ``step(closure)`` runs up to ``max_iter``
    iterations, each:

        d ← -H g     (two-loop recursion over the last ``history_size`` pairs s = t d, y = Δg,
                      kept when yᵀs > 1e-10, with H₀ = yᵀs / yᵀy; d = -g on the very first iteration)
        t ← lr       (min(1, 1/‖g‖₁)·lr on the very first iteration)
        stop if gᵀd > -tolerance_change
        t ← a strong-Wolfe step from t (line_search_fn='strong_wolfe'), or keep t (None)
        θ ← θ + t d, then re-evaluate (except after the last iteration without a line search)
        stop if ‖g‖∞ ≤ tolerance_grad, ‖t d‖∞ ≤ tolerance_change, |Δloss| < tolerance_change,
             or ``max_eval`` closure calls were made

    It returns the loss of the closure's first call. State (kept under the first parameter,
    as torch does): ``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``,
    ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``.

    Args:
        params: the tensors to optimize (one group only).
        lr (float): learning rate (default: 1).
        max_iter (int): iterations per ``step`` (default: 20).
        max_eval (int): closure calls per ``step`` (default: max_iter * 5 // 4).
        tolerance_grad (float): first-order optimality tolerance (default: 1e-7).
        tolerance_change (float): tolerance on changes of the loss and parameters (default: 1e-9).
        history_size (int): number of (s, y) pairs kept (default: 100).
        line_search_fn (str): ``'strong_wolfe'`` or None (default: None).

    Example::

        optimizer = minitorch.optim.LBFGS(model.parameters(), lr=1)
        def closure():                      # LBFGS re-evaluates the loss several times per step
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        optimizer.step(closure)

    How an optimizer's update is written (state, parameter groups, torch's
    rounding): docs/08-sgd-with-momentum.md, on SGD; why ``zero_grad`` comes
    first: docs/05-gradient-accumulation.md.
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # ---------------------------------------------------------------- flat views of the parameters
    def _flat_grad(self):
        """All gradients as one vector (zeros for a parameter without one)."""
        parts = [p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1) for p in self._params]
        return cat(parts, 0)

    def _add_step(self, t, d):
        """θ ← θ + t d, parameter by parameter."""
        t = _scalar(t)
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(d[offset:offset + n].view_as(p), alpha=t)
            offset += n

    def _evaluate_at(self, closure, x, t, d):
        """Loss and gradient at x + t d; the parameters are put back to x afterwards."""
        self._add_step(t, d)
        loss = float(closure())
        g = self._flat_grad()
        for p, saved in zip(self._params, x):
            p.copy_(saved)
        return loss, g

    @_use_grad
    def step(self, closure):
        """Run L-BFGS iterations; ``closure`` clears the gradients, computes the loss, calls ``backward``
        and returns the loss. Returns the loss of its first call."""
        def closure_with_grad():
            with grad_mode.enable_grad():
                return closure()

        group = self.param_groups[0]
        lr = _to_scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure_with_grad()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ---- direction
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:                          # curvature pair usable: remember it
                    if len(old_dirs) == history_size:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = flat_grad.neg()                     # two-loop recursion: d = -H g
                for i in reversed(range(len(old_dirs))):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.add_(old_dirs[i], alpha=_scalar(-al[i]))
                d = r = q.mul(H_diag)
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i], alpha=_scalar(al[i] - be_i))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # ---- step length
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            ls_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = [p.clone() for p in self._params]
                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    lambda x, t_, d_: self._evaluate_at(closure_with_grad, x, t_, d_),
                    x0, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_step(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_step(t, d)
                opt_cond = False
                if n_iter != max_iter:                  # no re-evaluation after the last iteration
                    loss = float(closure_with_grad())
                    flat_grad = self._flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            # ---- stopping tests
            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss
