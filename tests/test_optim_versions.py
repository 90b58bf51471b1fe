"""Version counters after optimizer steps: the parameter's and every state tensor's ``_version`` are torch's.

torch bumps a tensor's version counter once per in-place op, so its counts follow its own
update code: ``exp_avg_sq.mul_(β₂).addcmul_(...)`` is 2 per step, AdamW's ``param.mul_``
before ``param.addcdiv_`` makes the parameter's 2, the first SGD momentum buffer is a fresh
clone (0). minitorch's updates run on arrays and say what they changed with
``Optimizer._edited``; this checks the counts against torch.optim (CPU, one tensor at a
time, torch's default there) after 1 and 2 steps, for every optimizer in
``minitorch.optim`` and the options that change which tensors an update edits. The
second parameter has no gradient on the second step: skipped, its counters stay.
"""
import pytest
import torch

import minitorch as mt

CASES = {
    "SGD": [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
            dict(lr=0.1, momentum=0.9, dampening=0.5, maximize=True), dict(lr=0.1, weight_decay=0.1, maximize=True)],
    "Adam": [dict(), dict(amsgrad=True), dict(weight_decay=0.1, maximize=True),
             dict(weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True)],
    "AdamW": [dict(), dict(amsgrad=True), dict(weight_decay=0)],
    "RMSprop": [dict(), dict(momentum=0.9), dict(centered=True), dict(centered=True, momentum=0.9, weight_decay=0.1)],
    "Adagrad": [dict(), dict(lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1, maximize=True)],
    "Adadelta": [dict(), dict(weight_decay=0.1, maximize=True)],
    "Adamax": [dict(), dict(weight_decay=0.1, maximize=True)],
    "NAdam": [dict(), dict(weight_decay=0.1), dict(weight_decay=0.1, decoupled_weight_decay=True)],
    "RAdam": [dict(), dict(weight_decay=0.1), dict(weight_decay=0.1, decoupled_weight_decay=True)],
    "Rprop": [dict(), dict(maximize=True)],
    "ASGD": [dict(), dict(weight_decay=0.1, t0=0)],
    "LBFGS": [dict(max_iter=3, history_size=2), dict(line_search_fn="strong_wolfe")],
}
PARAMS = [[[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]], [0.7, -0.4]]
GRADS = [[[[0.3, -0.2, 0.1], [-0.5, 0.7, -0.4]], [0.2, 0.1]],
         [[[0.1, 0.4, -0.3], [0.5, -0.7, 0.0]], None]]          # step 2: the second parameter has no gradient


def test_every_optimizer_is_covered():
    names = {n for n in mt.optim.__all__ if isinstance(getattr(mt.optim, n), type)} - {"Optimizer"}
    assert names == set(CASES)


def _versions(lib, value):
    """``_version`` of a tensor, recursively through lists (LBFGS keeps its history in lists); None otherwise."""
    if isinstance(value, lib.Tensor):
        return value._version
    if isinstance(value, (list, tuple)):
        return [_versions(lib, v) for v in value]
    return None


def _run(lib, name, options, device):
    kw = {} if lib is torch else {"device": device}
    params = [lib.tensor(v, requires_grad=True, **kw) for v in PARAMS]
    opt = getattr(lib.optim, name)(params, **options)
    seen = []
    for step, grads in enumerate(GRADS):
        if name == "LBFGS":                       # a closure that re-evaluates a smooth loss
            def closure():
                opt.zero_grad()
                loss = sum(((p - 1) ** 4).sum() + (p * p).sum() for p in params)
                loss.backward()
                return loss
            opt.step(closure)
        else:
            for p, g in zip(params, grads):
                p.grad = None if g is None else lib.tensor(g, **kw)
            opt.step()
        seen.append([(p._version, {k: _versions(lib, v) for k, v in opt.state[p].items()}) if p in opt.state
                     else (p._version, None) for p in params])
    return seen


@pytest.mark.parametrize("name,options", [(n, o) for n, cases in CASES.items() for o in cases],
                         ids=lambda x: x if isinstance(x, str) else ",".join(f"{k}={v}" for k, v in x.items()))
def test_versions_match_torch(name, options, device):
    ours, theirs = _run(mt, name, options, device), _run(torch, name, options, "cpu")
    for step, (o, t) in enumerate(zip(ours, theirs), 1):
        assert o == t, f"{name}({options}) after {step} step(s): (param version, state versions) {o} != torch's {t}"
