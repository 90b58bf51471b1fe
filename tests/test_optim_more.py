"""The second set of optimizers (Adadelta, Adamax, NAdam, RAdam, Rprop, ASGD, LBFGS) against torch.optim.

Same set-up as tests/test_optim.py (whose helpers this reuses): four parameters of
different shapes in two param groups, a fixed random gradient sequence in which a
parameter now and then has no gradient, every listed option combination, float32 and
float64, parameters compared after every step. LBFGS runs on an extended Rosenbrock
function through a closure, with and without the strong-Wolfe line search.

Tolerances. The formulas are torch's operation for operation; what differs is
rounding: torch's CPU kernels fuse multiply-adds (``add(alpha=)``, ``lerp``,
``addcmul``, ``addcdiv``) and numpy cannot, so each step may differ by an ulp or so of
each operand, and the differences add up over the steps. float64 keeps the harness's
tight tolerance (1e-10 relative: 50 steps x a few ulps of 2.2e-16 is ~1e-13). float32
uses ``STEPS * 4 * eps32`` relative (50 x 4 x 1.2e-7 = 2.4e-5, the harness's 2e-5
scale) with an absolute floor of that times the parameters' magnitude (~1).
"""
import copy
import inspect
import itertools
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same, to_numpy, tol_for
from test_optim import STEPS, _data, _groups, _params, _same_error, _set_grads

DTYPES = [np.float32, np.float64]
NAMES = ["Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"]
EPS32 = float(np.finfo(np.float32).eps)


def _tol(dtype, steps=STEPS, scale=1.0):
    """float64: the harness's; float32: steps x 4 ulps, relative and (magnitude ~1) absolute."""
    if np.dtype(dtype) == np.float64:
        return tol_for(dtype, scale)
    r = steps * 4 * EPS32 * scale
    return dict(rtol=r, atol=r)


def _assert_params(ours, theirs, tol, what):
    for i, (o, t) in enumerate(zip(ours, theirs)):
        assert_same(o.detach(), t.detach(), tol, f"{what}, param {i}")


def _assert_state(opt_m, opt_t, tol, loaded=False):
    """Same state_dict layout (ids, state keys in order, group options) and the same values; state tensors
    live where torch keeps them (step counters and NAdam's mu_product on the CPU; ASGD's scalars with the
    parameter; after load_state_dict everything but 'step' moves to the parameter's device, torch's policy)."""
    sd_m, sd_t = opt_m.state_dict(), opt_t.state_dict()
    assert sd_m["param_groups"] == sd_t["param_groups"]
    assert list(sd_m["state"]) == list(sd_t["state"])
    params = [p for g in opt_m.param_groups for p in g["params"]]
    cpu_keys = () if isinstance(opt_m, mt.optim.ASGD) else ("step",) if loaded else ("step", "mu_product")
    for k in sd_t["state"]:
        assert list(sd_m["state"][k]) == list(sd_t["state"][k]), f"state keys of param {k}"
        for key, v in sd_t["state"][k].items():
            ours = sd_m["state"][k][key]
            assert_same(ours, v, None if key == "step" else tol, f"state[{k}][{key!r}]")
            where = "cpu" if key in cpu_keys else str(params[k].device)
            assert str(ours.device) == where, f"state[{k}][{key!r}] on {ours.device}, expected {where}"


def _run_parity(name, options, group1, dtype, steps=STEPS, device="cpu", tol_scale=1.0):
    init, grads = _data(dtype, steps)
    ours, theirs = _params(init, device)
    opt_m = getattr(mt.optim, name)(_groups(ours, group1), **options)
    opt_t = getattr(torch.optim, name)(_groups(theirs, group1), **options)
    for step in range(steps):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
        _assert_params(ours, theirs, _tol(dtype, step + 1, tol_scale), f"{name}({options}) step {step}")
    _assert_state(opt_m, opt_t, _tol(dtype, steps, 10 * tol_scale))
    return opt_m, opt_t


# ---------------------------------------------------------------------- every option combination
def _grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, vals)) for vals in itertools.product(*axes.values())]


BETAS = [(0.9, 0.999), (0.5, 0.8)]
CASES = {
    "Adadelta": _grid(lr=[1.0, 0.3], rho=[0.9, 0.5], weight_decay=[0, 0.1], maximize=[False, True]),
    "Adamax": _grid(lr=[0.01], betas=BETAS, weight_decay=[0, 0.1], maximize=[False, True]),
    "NAdam": [c for c in _grid(lr=[0.01], betas=BETAS, weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                               momentum_decay=[4e-3, 0.1], maximize=[False, True])
              if c["weight_decay"] or not c["decoupled_weight_decay"]],
    # betas (0.5, 0.8): the rectified branch (rho_t > 5) from step 6 on; (0.9, 0.999): from step 6 too, after the
    # un-rectified first steps
    "RAdam": [c for c in _grid(lr=[0.01], betas=BETAS, weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                               maximize=[False, True])
              if c["weight_decay"] or not c["decoupled_weight_decay"]],
    "Rprop": _grid(lr=[0.01, 0.2], etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-3, 0.05)],
                   maximize=[False, True]),
    # t0=5: averaging (mu != 1) from step 6; lambd=0.1: eta decays visibly
    "ASGD": _grid(lr=[0.05], lambd=[1e-4, 0.1], alpha=[0.75, 0.5], t0=[1e6, 5], weight_decay=[0, 0.1],
                  maximize=[False, True]),
}
GROUP1 = {"Adadelta": dict(lr=0.5, weight_decay=0.05), "Adamax": dict(lr=0.003, eps=1e-6),
          "NAdam": dict(lr=0.003, momentum_decay=0.01), "RAdam": dict(lr=0.003, weight_decay=0.05),
          "Rprop": dict(lr=0.03, etas=(0.4, 1.1)), "ASGD": dict(lr=0.01, t0=10)}
PARITY = [(n, c) for n in NAMES for c in CASES[n]]


def _ids(cases):
    return [n + ":" + ",".join(f"{k}={v}" for k, v in c.items()) for n, c in cases]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,options", PARITY, ids=_ids(PARITY))
def test_matches_torch(name, options, dtype, device):
    _run_parity(name, options, GROUP1[name], dtype, device=device)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_defaults_and_signature_match_torch(name):
    """Same constructor signature (names, kinds, defaults) and the same ``defaults`` dict."""
    ours, theirs = inspect.signature(getattr(mt.optim, name)), inspect.signature(getattr(torch.optim, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
           [(p.name, p.kind, p.default) for p in theirs.parameters.values()]
    assert getattr(mt.optim, name)([mt.zeros(2, requires_grad=True)]).defaults == \
           getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults


@pytest.mark.parametrize("name", NAMES)
def test_default_options_match_torch(name, device):
    _run_parity(name, {}, {}, np.float32, steps=10, device=device)


@pytest.mark.parametrize("name", NAMES)
def test_float64_default_dtype_state(name):
    """Under a float64 default dtype the scalar state (step, mu_product, eta, mu) is float64, as torch's."""
    prev_m, prev_t = mt.get_default_dtype(), torch.get_default_dtype()
    mt.set_default_dtype(mt.float64)
    torch.set_default_dtype(torch.float64)
    try:
        _run_parity(name, CASES[name][-1], GROUP1[name], np.float32, steps=12)
    finally:
        mt.set_default_dtype(prev_m)
        torch.set_default_dtype(prev_t)


# ---------------------------------------------------------------------- state_dict round trip
ROUND_TRIP = [("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
              ("Adamax", dict(lr=0.01, betas=(0.5, 0.8), weight_decay=0.1)),
              ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.05)),
              ("RAdam", dict(lr=0.01, weight_decay=0.1, betas=(0.5, 0.8))),
              ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5))),
              ("ASGD", dict(lr=0.05, lambd=0.1, t0=5, weight_decay=0.1))]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,options", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_dict_round_trip(name, options, dtype, device):
    """Stop after 25 steps, save (deepcopy: what torch.save + load give back), load into a fresh optimizer
    built with other options, go on, in both libraries: the resumed runs agree.

    Loading casts floating state to the parameter's dtype, 'step' excepted (torch's policy, kept here), so
    for float64 parameters NAdam's mu_product and ASGD's eta and mu become float64 at load and the resumed
    run rounds differently from the uninterrupted one, in torch as here. Otherwise resuming is exact."""
    group1 = dict(lr=options["lr"] / 3)
    init, grads = _data(dtype)
    ours, theirs = _params(init, device)
    opt_m = getattr(mt.optim, name)(_groups(ours, group1), **options)
    opt_t = getattr(torch.optim, name)(_groups(theirs, group1), **options)
    for step in range(25):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
    resumed, resumed_t = _params([to_numpy(p).copy() for p in ours], device)
    for r, t in zip(resumed_t, theirs):
        r.data.copy_(t.data)
    opt_r = getattr(mt.optim, name)(_groups(resumed, dict(lr=123.0)), lr=77.0)
    opt_r.load_state_dict(copy.deepcopy(opt_m.state_dict()))
    opt_rt = getattr(torch.optim, name)(_groups(resumed_t, dict(lr=123.0)), lr=77.0)
    opt_rt.load_state_dict(copy.deepcopy(opt_t.state_dict()))
    assert opt_r.state_dict()["param_groups"] == opt_m.state_dict()["param_groups"]
    _assert_state(opt_r, opt_rt, _tol(dtype, 25, 10), loaded=True)
    exact = dtype == np.float32 or name not in ("NAdam", "ASGD")
    for step in range(25, STEPS):
        _set_grads(ours, theirs, grads, step)
        for o, r, t in zip(ours, resumed, resumed_t):
            r.grad = None if o.grad is None else mt.tensor(to_numpy(o.grad).copy(), device=device)
            t.grad = None if o.grad is None else torch.tensor(to_numpy(o.grad).copy(), device=t.device)
        for opt in (opt_m, opt_t, opt_r, opt_rt):
            opt.step()
        if exact:
            for i, (o, r) in enumerate(zip(ours, resumed)):
                np.testing.assert_array_equal(to_numpy(r), to_numpy(o), err_msg=f"step {step} param {i}")
        _assert_params(resumed, resumed_t, _tol(dtype, step + 1), f"resumed {name} step {step}")
    _assert_state(opt_r, opt_rt, _tol(dtype, STEPS, 10), loaded=True)


@pytest.mark.parametrize("name,options", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_load_torch_state_dict(name, options):
    """torch's state_dict (tensors converted) loads and the run continues like torch's."""
    dtype = np.float64
    init, grads = _data(dtype)
    ours, theirs = _params(init)
    opt_t = getattr(torch.optim, name)(_groups(theirs, {}), **options)
    for step in range(20):
        _set_grads(ours, theirs, grads, step)
        opt_t.step()
    for o, t in zip(ours, theirs):
        o.data = mt.tensor(to_numpy(t).copy())
    sd = {"state": {k: {n: mt.tensor(to_numpy(v).copy()) for n, v in st.items()}
                    for k, st in opt_t.state_dict()["state"].items()},
          "param_groups": copy.deepcopy(opt_t.state_dict()["param_groups"])}
    opt_m = getattr(mt.optim, name)(_groups(ours, {}), **options)
    opt_m.load_state_dict(sd)
    for step in range(20, 30):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
        _assert_params(ours, theirs, _tol(dtype), f"{name} step {step}")


# ---------------------------------------------------------------------- LBFGS on a Rosenbrock valley
def _rosenbrock(lib, x, y):
    """Extended Rosenbrock (valley factor 10) over the concatenation of x (a matrix) and y (a vector), plus a
    small quadratic term, so that the flattened parameter vector has pieces of different shapes.

    The factor 10 rather than the classic 100, and lr=0.02 for the fixed step: with 100, or a fixed step of
    0.05, torch's own trajectory is chaotic after ~60 closure calls (a 1-ulp change of the start moves the
    parameters by 1e-3 after 5 steps), so no two implementations could be compared there. Here a 1-ulp
    change of the start moves torch's run by < 4e-14 (float64) and < 3e-6 (float32) over the 6 steps."""
    z = lib.cat([x.reshape(-1), y])
    return (10 * (z[1:] - z[:-1] ** 2) ** 2 + (1 - z[:-1]) ** 2).sum() + 0.1 * (x * x).sum()


LBFGS_CASES = _grid(line_search_fn=[None, "strong_wolfe"], history_size=[100, 3], max_iter=[20, 4])
LBFGS_IDS = [",".join(f"{k}={v}" for k, v in c.items()) for c in LBFGS_CASES]


def _lbfgs_pair(dtype, options, lr=None):
    rng = np.random.default_rng(5)
    x0, y0 = rng.uniform(-1.5, 1.5, (2, 2)).astype(dtype), rng.uniform(-1.5, 1.5, 3).astype(dtype)
    pm = [mt.tensor(x0, requires_grad=True), mt.tensor(y0, requires_grad=True)]
    pt = [torch.tensor(x0, requires_grad=True), torch.tensor(y0, requires_grad=True)]
    if lr is None:
        lr = 1 if options.get("line_search_fn") else 0.02      # a fixed step needs a small one on this valley
    opt_m, opt_t = mt.optim.LBFGS(pm, lr=lr, **options), torch.optim.LBFGS(pt, lr=lr, **options)
    calls = {"m": 0, "t": 0}

    def closure_m():
        calls["m"] += 1
        opt_m.zero_grad()
        loss = _rosenbrock(mt, *pm)
        loss.backward()
        return loss

    def closure_t():
        calls["t"] += 1
        opt_t.zero_grad()
        loss = _rosenbrock(torch, *pt)
        loss.backward()
        return loss

    return pm, pt, opt_m, opt_t, closure_m, closure_t, calls


def _assert_lbfgs_state(opt_m, opt_t, tol):
    sd_m, sd_t = opt_m.state_dict(), opt_t.state_dict()
    assert sd_m["param_groups"] == sd_t["param_groups"]
    assert list(sd_m["state"]) == list(sd_t["state"]) == [0]
    st_m, st_t = sd_m["state"][0], sd_t["state"][0]
    assert list(st_m) == list(st_t)
    for key, v in st_t.items():
        ours = st_m[key]
        if isinstance(v, list):
            assert len(ours) == len(v), key
            for i, (a, b) in enumerate(zip(ours, v)):
                assert (a is None) == (b is None), f"{key}[{i}]"
                if b is not None:
                    assert_same(a, b, tol, f"{key}[{i}]")
        elif isinstance(v, torch.Tensor):
            assert_same(ours, v, tol, key)
        elif isinstance(v, float):
            np.testing.assert_allclose(ours, v, err_msg=key, **tol)
        else:
            assert type(ours) is type(v) and ours == v, key


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", LBFGS_CASES, ids=LBFGS_IDS)
def test_lbfgs_matches_torch(options, dtype):
    """Six ``step(closure)`` calls: the same returned loss, parameters, number of closure calls and state."""
    pm, pt, opt_m, opt_t, closure_m, closure_t, calls = _lbfgs_pair(dtype, options)
    # float32: the search is a chain of data-dependent branches over up to 120 closure calls; each evaluation
    # rounds differently (fused multiply-adds, BLAS dot order) by a few ulps, so allow 100 steps' worth (torch's
    # own run moves by < 3e-6 for a 1-ulp change of the start); a different branch would move far more
    tol = _tol(dtype, 100)
    for step in range(6):
        lm, lt = opt_m.step(closure_m), opt_t.step(closure_t)
        assert_same(lm.detach(), lt.detach(), tol, f"loss, step {step}")
        _assert_params(pm, pt, tol, f"LBFGS({options}) step {step}")
        assert calls["m"] == calls["t"], f"closure calls after step {step}"
    if options["line_search_fn"]:                       # it actually optimizes: near the minimum by now
        assert float(lt.detach()) < 0.5
    # The state holds gradients and their differences, which move with the parameters times the Hessian
    # (norm <= ~300 on this box), so their tolerance is the parameters' times 300, in both dtypes (float64:
    # strong Wolfe's 20 iterations a step end near the minimum, where y = Δg cancels; its ``al`` then differs
    # from torch's by 1.6e-10 relative when numpy runs OpenBLAS's own kernel instead of the Haswell one).
    if dtype == np.float64:
        _assert_lbfgs_state(opt_m, opt_t, _tol(dtype, 100, 300))
        return
    # float32: Runs that reach
    # the float32 noise floor (strong Wolfe, 20 iterations a step) are not compared further: there y = Δg and
    # ro = 1/yᵀs are rounding noise and the stopping tests (|Δloss| < 1e-9) fire an iteration apart, in torch
    # as in any float32 implementation.
    assert list(opt_m.state_dict()["state"][0]) == list(opt_t.state_dict()["state"][0])
    if not (options["line_search_fn"] and options["max_iter"] == 20):
        _assert_lbfgs_state(opt_m, opt_t, _tol(dtype, 100, 300))


def test_lbfgs_converged_start_returns_at_once():
    """A zero gradient stops before any iteration (tolerance_grad); torch's state is then only the counters."""
    pm = [mt.zeros(3, requires_grad=True)]
    pt = [torch.zeros(3, requires_grad=True)]
    om, ot = mt.optim.LBFGS(pm), torch.optim.LBFGS(pt)

    def cm():
        om.zero_grad()
        loss = (pm[0] * 0).sum()
        loss.backward()
        return loss

    def ct():
        ot.zero_grad()
        loss = (pt[0] * 0).sum()
        loss.backward()
        return loss

    assert float(om.step(cm).detach()) == float(ot.step(ct).detach()) == 0.0
    assert om.state_dict()["state"] == {0: {"func_evals": 1, "n_iter": 0}} == ot.state_dict()["state"]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_state_dict_round_trip(line_search_fn):
    """Save after two steps, load into a fresh LBFGS on copies of the parameters, continue: identical."""
    options = dict(line_search_fn=line_search_fn, history_size=5, max_iter=5)
    pm, pt, opt_m, opt_t, closure_m, closure_t, calls = _lbfgs_pair(np.float64, options)
    for _ in range(2):
        opt_m.step(closure_m)
        opt_t.step(closure_t)
    saved = copy.deepcopy(opt_m.state_dict())
    pr = [mt.tensor(to_numpy(p).copy(), requires_grad=True) for p in pm]
    opt_r = mt.optim.LBFGS(pr, lr=99.0)
    opt_r.load_state_dict(saved)

    def closure_r():
        opt_r.zero_grad()
        loss = _rosenbrock(mt, *pr)
        loss.backward()
        return loss

    for step in range(3):
        opt_m.step(closure_m)
        opt_r.step(closure_r)
        opt_t.step(closure_t)
        for a, b in zip(pr, pm):
            np.testing.assert_array_equal(to_numpy(a), to_numpy(b), err_msg=f"step {step}")
        _assert_params(pr, pt, _tol(np.float64), f"resumed step {step}")
    _assert_lbfgs_state(opt_r, opt_t, _tol(np.float64))


def test_lbfgs_training_loop_matches_torch():
    """The usual full-batch pattern: a small least-squares model fitted with LBFGS + strong Wolfe."""
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    w0 = rng.standard_normal((3, 1))
    lin_m, lin_t = mt.nn.Linear(3, 1).double(), torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        lin_t.weight.copy_(torch.tensor(w0.T))
        lin_t.bias.zero_()
    lin_m.weight.data = mt.tensor(w0.T.copy())
    lin_m.bias.data = mt.zeros(1, dtype=mt.float64)
    om = mt.optim.LBFGS(lin_m.parameters(), line_search_fn="strong_wolfe")
    ot = torch.optim.LBFGS(lin_t.parameters(), line_search_fn="strong_wolfe")
    Xm, ym, Xt, yt = mt.tensor(X), mt.tensor(y), torch.tensor(X), torch.tensor(y)

    def cm():
        om.zero_grad()
        loss = mt.nn.functional.mse_loss(lin_m(Xm), ym)
        loss.backward()
        return loss

    def ct():
        ot.zero_grad()
        loss = torch.nn.functional.mse_loss(lin_t(Xt), yt)
        loss.backward()
        return loss

    for step in range(3):
        assert_same(om.step(cm).detach(), ot.step(ct).detach(), _tol(np.float64), f"loss {step}")
        assert_same(lin_m.weight.detach(), lin_t.weight.detach(), _tol(np.float64), f"weight {step}")


def test_lbfgs_errors_match_torch():
    _same_error(lambda: mt.optim.LBFGS([{"params": [_p(mt)]}, {"params": [_p(mt)]}]),
                lambda: torch.optim.LBFGS([{"params": [_p(torch)]}, {"params": [_p(torch)]}]))
    _same_error(lambda: mt.optim.LBFGS([_p(mt)], lr=-1.0), lambda: torch.optim.LBFGS([_p(torch)], lr=-1.0))

    def bad(lib):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.LBFGS([p], line_search_fn="armijo")

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        opt.step(closure)
    _same_error(lambda: bad(mt), lambda: bad(torch))


# ---------------------------------------------------------------------- constructor errors, misc
def _p(lib):
    return lib.zeros(2, requires_grad=True)


ERROR_CASES = {
    "adadelta lr": lambda lib: lib.optim.Adadelta([_p(lib)], lr=-1.0),
    "adadelta rho": lambda lib: lib.optim.Adadelta([_p(lib)], rho=1.5),
    "adadelta eps": lambda lib: lib.optim.Adadelta([_p(lib)], eps=-1.0),
    "adadelta weight_decay": lambda lib: lib.optim.Adadelta([_p(lib)], weight_decay=-1.0),
    "adamax beta1": lambda lib: lib.optim.Adamax([_p(lib)], betas=(1.0, 0.9)),
    "adamax beta2": lambda lib: lib.optim.Adamax([_p(lib)], betas=(0.9, -0.1)),
    "adamax eps": lambda lib: lib.optim.Adamax([_p(lib)], eps=-1.0),
    "nadam momentum_decay": lambda lib: lib.optim.NAdam([_p(lib)], momentum_decay=-1.0),
    "nadam weight_decay": lambda lib: lib.optim.NAdam([_p(lib)], weight_decay=-1.0),
    "radam beta1": lambda lib: lib.optim.RAdam([_p(lib)], betas=(-0.1, 0.9)),
    "radam lr": lambda lib: lib.optim.RAdam([_p(lib)], lr=-0.1),
    "rprop etas": lambda lib: lib.optim.Rprop([_p(lib)], etas=(1.2, 0.5)),
    "rprop lr": lambda lib: lib.optim.Rprop([_p(lib)], lr=-0.5),
    "asgd weight_decay": lambda lib: lib.optim.ASGD([_p(lib)], weight_decay=-0.5),
    "tensor lr of many elements": lambda lib: lib.optim.NAdam([_p(lib)], lr=lib.tensor([0.1, 0.2])),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_match_torch(case):
    _same_error(lambda: ERROR_CASES[case](mt), lambda: ERROR_CASES[case](torch))


@pytest.mark.parametrize("name", NAMES)
def test_differentiable_is_refused(name):
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(mt.optim, name)([_p(mt)], differentiable=True)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_repr_matches_torch(name):
    assert repr(getattr(mt.optim, name)([_p(mt)], lr=0.5)) == repr(getattr(torch.optim, name)([_p(torch)], lr=0.5))


@pytest.mark.parametrize("name", NAMES)
def test_update_is_in_place_and_closure_returned(name, device):
    p = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, device=device)
    arr = p._data
    opt = getattr(mt.optim, name)([p])
    v0 = p._version

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = [opt.step(closure) for _ in range(2)]
    v2 = p._version
    assert p._data is arr and v2 > v0                         # steps bump the version counter (by torch's count:
    assert float(losses[0]) == 30.0 and float(losses[1]) < 30.0   # tests/test_optim_versions.py)
    assert opt.step() is None and p._version > v2
