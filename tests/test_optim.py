"""minitorch.optim against torch.optim: the same parameters and gradients, compared after every step.

Each run: four parameters of different shapes (a matrix, a vector, a scalar, a 3-d
tensor) in two param groups (the second overriding some options), float32 and
float64, 50 steps of a fixed random gradient sequence in which some parameters
now and then have no gradient (``grad = None``, so the step skips them). Every
option combination of each optimizer is run.

Tolerances are the harness's per-dtype ones. The update formulas are torch's,
operation for operation, but torch's CPU kernels fuse multiply-adds (FMA) in
``add(alpha=)``, ``lerp`` and ``addcmul``, which numpy cannot; that leaves
differences of an ulp or so per step.
"""
import copy
import itertools
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same, to_numpy, tol_for, torch_device

SHAPES = [(3, 4), (5,), (), (2, 3, 2)]
SCALES = [1.0, 1e-3, 10.0, 0.1]           # gradient magnitudes, per parameter
STEPS = 50
DTYPES = [np.float32, np.float64]


def _data(dtype, steps=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[(rng.standard_normal(s) * sc).astype(dtype) for s, sc in zip(SHAPES, SCALES)] for _ in range(steps)]
    return init, grads


def _params(init, device="cpu"):
    ours = [mt.tensor(a.copy(), requires_grad=True, device=device) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True, device=torch_device(device)) for a in init]
    return ours, theirs


def _groups(params, group1):
    return [{"params": params[:2]}, {"params": params[2:], **group1}]


def _set_grads(ours, theirs, grads, step):
    """Gradients for ``step``, each on its parameter's device."""
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if (step + i) % 7 == 6:                       # no gradient this step: the optimizer must skip it
            o.grad, t.grad = None, None
        else:
            o.grad = mt.tensor(grads[step][i], device=o.device)
            t.grad = torch.tensor(grads[step][i], device=t.device)


def _assert_params(ours, theirs, dtype, what, tol_scale=1):
    for i, (o, t) in enumerate(zip(ours, theirs)):
        assert_same(o.detach(), t.detach(), tol_for(dtype, tol_scale), f"{what}, param {i}")


def _run_parity(name, options, group1, dtype, steps=STEPS, tol_scale=1, device="cpu"):
    init, grads = _data(dtype, steps)
    ours, theirs = _params(init, device)
    opt_m = getattr(mt.optim, name)(_groups(ours, group1), **options)
    opt_t = getattr(torch.optim, name)(_groups(theirs, group1), **options)
    for step in range(steps):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
        _assert_params(ours, theirs, dtype, f"{name}({options}) step {step}", tol_scale)
    _assert_state(opt_m, opt_t, dtype, tol_scale)
    return opt_m, opt_t


def _assert_state(opt_m, opt_t, dtype, tol_scale=1):
    """The two state_dicts have the same layout (ids, keys, options) and the same values; state tensors live on
    their parameter's device (step counters on the CPU, as torch keeps them)."""
    sd_m, sd_t = opt_m.state_dict(), opt_t.state_dict()
    assert sd_m["param_groups"] == sd_t["param_groups"]
    assert sd_m["state"].keys() == sd_t["state"].keys()
    for k in sd_t["state"]:
        assert list(sd_m["state"][k]) == list(sd_t["state"][k]), f"state keys of param {k}"
        for key, v in sd_t["state"][k].items():
            tol = tol_for(dtype, 10 * tol_scale) if key != "step" else None
            assert_same(sd_m["state"][k][key], v, tol, f"state[{k}][{key!r}]")
    params = [p for g in opt_m.param_groups for p in g["params"]]
    for k, st in sd_m["state"].items():
        for key, v in st.items():
            where = "cpu" if key == "step" else str(params[k].device)
            assert str(v.device) == where, f"state[{k}][{key!r}] on {v.device}, expected {where}"


# ---------------------------------------------------------------------- every option combination
SGD_CASES = [dict(lr=0.1, momentum=m, dampening=d, nesterov=n, weight_decay=wd, maximize=mx)
             for m, d, n, wd, mx in itertools.product([0, 0.9], [0, 0.3], [False, True], [0, 0.1], [False, True])
             if not (n and (m == 0 or d != 0))]
ADAM_CASES = [dict(lr=0.01, betas=b, amsgrad=a, weight_decay=wd, maximize=mx)
              for b, a, wd, mx in itertools.product([(0.9, 0.999), (0.3, 0.8)], [False, True], [0, 0.1],
                                                    [False, True])]
RMSPROP_CASES = [dict(lr=0.01, alpha=al, centered=c, momentum=m, weight_decay=wd, maximize=mx)
                 for al, c, m, wd, mx in itertools.product([0.99, 0.3], [False, True], [0, 0.9], [0, 0.1],
                                                           [False, True])]
ADAGRAD_CASES = [dict(lr=0.1, lr_decay=ld, weight_decay=wd, initial_accumulator_value=iv, maximize=mx)
                 for ld, wd, iv, mx in itertools.product([0, 0.1], [0, 0.1], [0, 0.1], [False, True])]


def _ids(cases):
    return [",".join(f"{k}={v}" for k, v in c.items() if k != "lr") for c in cases]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", SGD_CASES, ids=_ids(SGD_CASES))
def test_sgd_matches_torch(options, dtype, device):
    _run_parity("SGD", options, dict(lr=0.03, weight_decay=0.05), dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", SGD_CASES, ids=_ids(SGD_CASES))
def test_sgd_in_scratch_blocks_matches_torch_and_the_whole_array_form(options, dtype, monkeypatch):
    """``p -= lr * g`` through a scratch block (``Optimizer._subtract_scaled``): with 5-element blocks the
    12-element parameters take 3 blocks (the last one short), the others the whole-array form. Same as torch,
    and bit for bit the same as the whole-array form run on the same gradients."""
    init, grads = _data(dtype, 20)
    runs = []
    for block in (5, 10 ** 9):
        monkeypatch.setattr(mt.optim.Optimizer, "SCRATCH_BLOCK", block)
        ours, theirs = _params(init)
        opt_m = mt.optim.SGD(_groups(ours, dict(lr=0.03, weight_decay=0.05)), **options)
        opt_t = torch.optim.SGD(_groups(theirs, dict(lr=0.03, weight_decay=0.05)), **options)
        for step in range(20):
            _set_grads(ours, theirs, grads, step)
            opt_m.step()
            opt_t.step()
            _assert_params(ours, theirs, dtype, f"SGD({options}) in blocks of {block}, step {step}")
        runs.append([o.detach().numpy().copy() for o in ours])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_sgd_on_a_weight_larger_than_a_scratch_block_matches_torch():
    """A 300x301 weight (90,300 elements: one full 65,536-element block and a short one) with momentum."""
    rng = np.random.default_rng(3)
    assert 300 * 301 > mt.optim.Optimizer.SCRATCH_BLOCK
    init = rng.standard_normal((300, 301)).astype(np.float32)
    ours, theirs = mt.tensor(init, requires_grad=True), torch.tensor(init, requires_grad=True)
    opt_m, opt_t = mt.optim.SGD([ours], lr=0.1, momentum=0.9), torch.optim.SGD([theirs], lr=0.1, momentum=0.9)
    for step in range(5):
        g = rng.standard_normal((300, 301)).astype(np.float32)
        ours.grad, theirs.grad = mt.tensor(g), torch.tensor(g)
        opt_m.step()
        opt_t.step()
        assert_same(ours.detach(), theirs.detach(), tol_for(np.float32), f"step {step}")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", ADAM_CASES, ids=_ids(ADAM_CASES))
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_matches_torch(name, options, dtype, device):
    _run_parity(name, options, dict(lr=0.003, weight_decay=0.05, eps=1e-6), dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_adam_decoupled_weight_decay_matches_torch(dtype, device):
    _run_parity("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(amsgrad=True), dtype,
                device=device)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", RMSPROP_CASES, ids=_ids(RMSPROP_CASES))
def test_rmsprop_matches_torch(options, dtype, device):
    # centered: the denominator is sqrt(v - mean(g)^2), and with these gradients v and mean(g)^2 agree to
    # 3 digits at times; float32 rounding is amplified by that cancellation in torch as in minitorch
    # (both are ~5e-6 away from a float64 run), hence a 10x float32 tolerance there
    scale = 10 if options["centered"] and dtype == np.float32 else 1
    _run_parity("RMSprop", options, dict(lr=0.003), dtype, tol_scale=scale, device=device)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("options", ADAGRAD_CASES, ids=_ids(ADAGRAD_CASES))
def test_adagrad_matches_torch(options, dtype, device):
    _run_parity("Adagrad", options, dict(lr=0.03), dtype, device=device)


@pytest.mark.parametrize("name,options", [("SGD", {}), ("Adam", {}), ("AdamW", {}), ("RMSprop", {}),
                                          ("Adagrad", {})])
def test_defaults_match_torch(name, options, device):
    """Default hyper-parameters (lr included) give the same trajectory."""
    _run_parity(name, options, {}, np.float32, steps=10, device=device)


# ---------------------------------------------------------------------- state_dict round trip
ROUND_TRIP = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
              ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2)),
              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
              ("AdamW", dict(lr=0.01, betas=(0.8, 0.9))),
              ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
              ("Adagrad", dict(lr=0.1, lr_decay=0.01))]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,options", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_state_dict_round_trip_continues_identically(name, options, dtype, device):
    """Stop after 25 steps, rebuild the optimizer from its state_dict (as after save/load), go on:
    the resumed run equals the uninterrupted one exactly, and torch's within tolerance."""
    group1 = dict(lr=options["lr"] / 3)
    init, grads = _data(dtype)
    ours, theirs = _params(init, device)
    opt_m = getattr(mt.optim, name)(_groups(ours, group1), **options)
    opt_t = getattr(torch.optim, name)(_groups(theirs, group1), **options)
    for step in range(25):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()

    saved = copy.deepcopy(opt_m.state_dict())                  # what save + load gives back
    resumed = [mt.tensor(to_numpy(p).copy(), requires_grad=True, device=device) for p in ours]
    # a fresh optimizer built with other options: load_state_dict must restore the saved ones
    opt_r = getattr(mt.optim, name)(_groups(resumed, dict(lr=123.0)), lr=77.0)
    opt_r.load_state_dict(saved)
    assert opt_r.state_dict()["param_groups"] == opt_m.state_dict()["param_groups"]
    assert [g["lr"] for g in opt_r.param_groups] == [options["lr"], options["lr"] / 3]

    for step in range(25, STEPS):
        _set_grads(ours, theirs, grads, step)
        for o, r in zip(ours, resumed):
            r.grad = None if o.grad is None else mt.tensor(to_numpy(o.grad).copy(), device=device)
        opt_m.step()
        opt_t.step()
        opt_r.step()
        for i, (o, r) in enumerate(zip(ours, resumed)):
            np.testing.assert_array_equal(to_numpy(r), to_numpy(o), err_msg=f"step {step} param {i}")
        _assert_params(resumed, theirs, dtype, f"resumed {name} step {step}")
    _assert_state(opt_r, opt_t, dtype)


@pytest.mark.parametrize("name,options", ROUND_TRIP, ids=[n for n, _ in ROUND_TRIP])
def test_load_torch_state_dict(name, options, device):
    """A torch optimizer's state_dict (tensors converted, on the CPU) loads into minitorch, its state moves to the
    parameters' device, and the run continues like torch's."""
    dtype = np.float64
    init, grads = _data(dtype)
    ours, theirs = _params(init, device)
    opt_t = getattr(torch.optim, name)(_groups(theirs, {}), **options)
    for step in range(20):
        _set_grads(ours, theirs, grads, step)
        opt_t.step()
    for o, t in zip(ours, theirs):
        o.data = mt.tensor(to_numpy(t).copy(), device=device)

    def convert(x):
        if isinstance(x, torch.Tensor):
            return mt.tensor(to_numpy(x).copy())
        if isinstance(x, dict):
            return {k: convert(v) for k, v in x.items()}
        if isinstance(x, list):
            return [convert(v) for v in x]
        return x

    opt_m = getattr(mt.optim, name)(_groups(ours, {}), **options)
    opt_m.load_state_dict(convert(opt_t.state_dict()))
    for step in range(20, 30):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
        _assert_params(ours, theirs, dtype, f"{name} step {step}")
    _assert_state(opt_m, opt_t, dtype)


def test_state_dict_format(device):
    """torch's layout: integer ids counted across groups, state keyed by id, options per group, 'params' last."""
    ours, theirs = _params(_data(np.float32)[0], device)
    opt_m = mt.optim.Adam(_groups(ours, dict(lr=0.5, amsgrad=True)), lr=0.1)
    opt_t = torch.optim.Adam(_groups(theirs, dict(lr=0.5, amsgrad=True)), lr=0.1)
    assert opt_m.state_dict() == {"state": {}, "param_groups": opt_t.state_dict()["param_groups"]}
    for p in ours:
        p.grad = mt.ones_like(p)
    for p in theirs:
        p.grad = torch.ones_like(p)
    ours[1].grad = None
    theirs[1].grad = None
    opt_m.step()
    opt_t.step()
    sd_m, sd_t = opt_m.state_dict(), opt_t.state_dict()
    assert list(sd_m) == ["state", "param_groups"]
    assert [list(g) for g in sd_m["param_groups"]] == [list(g) for g in sd_t["param_groups"]]
    assert list(sd_m["state"]) == list(sd_t["state"]) == [0, 2, 3]
    step = sd_m["state"][0]["step"]
    assert isinstance(step, mt.Tensor) and step.shape == () and str(step.dtype) == str(sd_t["state"][0]["step"].dtype)
    # state tensors are the optimizer's own (torch does not copy them either)
    assert sd_m["state"][0]["exp_avg"] is opt_m.state[ours[0]]["exp_avg"]


def test_load_state_dict_casts_to_param_dtype(device):
    p = mt.zeros(3, dtype=mt.float64, requires_grad=True, device=device)
    opt = mt.optim.SGD([p], lr=0.1, momentum=0.9)
    sd = {"state": {0: {"momentum_buffer": mt.ones(3, dtype=mt.float32)}}, "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    assert opt.state[p]["momentum_buffer"].dtype == mt.float64
    assert opt.state[p]["momentum_buffer"].device == p.device                 # moved to the parameter's device
    q = mt.zeros(3, requires_grad=True, device=device)
    a = mt.optim.Adam([q])
    step = mt.tensor(4.0, dtype=mt.float64)
    a.load_state_dict({"state": {0: {"step": step, "exp_avg": mt.zeros(3), "exp_avg_sq": mt.zeros(3)}},
                       "param_groups": a.state_dict()["param_groups"]})
    assert a.state[q]["step"] is step                              # 'step' is never cast (nor moved)
    assert a.state[q]["exp_avg"].device == a.state[q]["exp_avg_sq"].device == q.device


def test_load_state_dict_errors():
    ps = [mt.zeros(2, requires_grad=True) for _ in range(3)]
    ts = [torch.zeros(2, requires_grad=True) for _ in range(3)]
    src_m = mt.optim.SGD([ps[0]], lr=0.1).state_dict()
    src_t = torch.optim.SGD([ts[0]], lr=0.1).state_dict()
    _same_error(lambda: mt.optim.SGD([{"params": ps[:1]}, {"params": ps[1:]}], lr=0.1).load_state_dict(src_m),
                lambda: torch.optim.SGD([{"params": ts[:1]}, {"params": ts[1:]}], lr=0.1).load_state_dict(src_t))
    _same_error(lambda: mt.optim.SGD(ps[:2], lr=0.1).load_state_dict(src_m),
                lambda: torch.optim.SGD(ts[:2], lr=0.1).load_state_dict(src_t))


def test_optimizer_deepcopy_and_pickle(device):
    import pickle
    p = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    opt = mt.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = mt.tensor([1.0, 1.0], device=device)
    opt.step()
    opt2 = copy.deepcopy(opt)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    (p2,) = opt2.param_groups[0]["params"]
    assert p2 is not p and p2.device == p.device and np.array_equal(to_numpy(p2), to_numpy(p))
    assert opt2.state[p2]["momentum_buffer"].device == p.device
    opt3 = pickle.loads(pickle.dumps(opt))
    assert repr(opt3) == repr(opt)


# ---------------------------------------------------------------------- zero_grad
@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none, device):
    """set_to_none=True: grads become None and the next step skips the parameter (momentum included);
    False: grads are zeroed in place (same tensor) and the step still applies momentum."""
    ours, theirs = _params(_data(np.float32)[0], device)
    opt_m = mt.optim.SGD(ours, lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs, lr=0.1, momentum=0.9)
    for o, t in zip(ours, theirs):
        g = np.ones(tuple(t.shape), np.float32)
        o.grad, t.grad = mt.tensor(g, device=o.device), torch.tensor(g, device=t.device)
    opt_m.step()
    opt_t.step()
    grads_before = [o.grad for o in ours]
    opt_m.zero_grad(set_to_none=set_to_none)
    opt_t.zero_grad(set_to_none=set_to_none)
    for o, t, g in zip(ours, theirs, grads_before):
        if set_to_none:
            assert o.grad is None and t.grad is None
        else:
            assert o.grad is g and not o.grad.requires_grad
            assert_same(o.grad, t.grad)
    opt_m.step()
    opt_t.step()
    _assert_params(ours, theirs, np.float32, "after zero_grad")


def test_zero_grad_default_and_graph_grad(device):
    p = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    opt = mt.optim.SGD([p], lr=0.1)
    (p * p).sum().backward(create_graph=True)
    assert p.grad.requires_grad
    opt.zero_grad(set_to_none=False)
    assert p.grad.grad_fn is None and not p.grad.requires_grad and p.grad.device == p.device
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_skips_params_without_grad(device):
    p = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    opt = mt.optim.Adam([p], lr=0.1)
    opt.step()
    assert p.tolist() == [1.0, 2.0] and len(opt.state) == 0


# ---------------------------------------------------------------------- in place: identity, views, versions
@pytest.mark.parametrize("name,options", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1)),
                                          ("AdamW", dict(lr=0.1)), ("RMSprop", dict(momentum=0.9, centered=True)),
                                          ("Adagrad", {})])
def test_update_is_in_place(name, options, device):
    p = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, device=device)
    arr = p._data
    view = p.detach()[0]
    grad = mt.tensor([[0.5, -0.5], [1.0, 2.0]], device=device)
    grad_before = grad.tolist()
    p.grad = grad
    opt = getattr(mt.optim, name)([p], **options)
    versions = [p._version]
    for _ in range(2):
        opt.step()
        versions.append(p._version)
    assert p._data is arr                                       # same memory: views and state keyed by p stay valid
    assert view.tolist() == p[0].tolist() != [1.0, 2.0]
    assert versions == sorted(set(versions))                    # each step bumps the version counter (by torch's
                                                                # count: tests/test_optim_versions.py)
    assert p.grad is grad and grad.tolist() == grad_before      # the gradient is never modified
    assert p.requires_grad and p.is_leaf and p.grad_fn is None


def test_step_invalidates_saved_tensor(device):
    """Like torch: a graph that saved a parameter cannot be backpropagated after step() changed it."""
    p = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    opt = mt.optim.SGD([p], lr=0.1)
    y = (p * p).sum()
    p.grad = mt.ones(2, device=device)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_step_runs_under_no_grad_and_closure_under_grad(device):
    p = mt.tensor([1.0, -2.0, 3.0], requires_grad=True, device=device)
    t = torch.tensor([1.0, -2.0, 3.0], requires_grad=True, device=torch_device(device))
    opt_m = mt.optim.SGD([p], lr=0.01, momentum=0.9)
    opt_t = torch.optim.SGD([t], lr=0.01, momentum=0.9)
    seen = []

    def closure_m():
        seen.append(mt.is_grad_enabled())
        opt_m.zero_grad()
        loss = (p * p * p).abs().sum()
        loss.backward()
        return loss

    def closure_t():
        opt_t.zero_grad()
        loss = (t * t * t).abs().sum()
        loss.backward()
        return loss

    with mt.no_grad():
        for _ in range(10):
            lm = opt_m.step(closure_m)
            lt = opt_t.step(closure_t)
            assert_same(lm.detach(), lt.detach())
            assert_same(p.detach(), t.detach())
    assert seen == [True] * 10
    assert mt.is_grad_enabled()
    assert opt_m.step() is None


def test_training_loop_with_autograd_matches_torch(device):
    """A least-squares fit through autograd: loss.backward(), step(), zero_grad() for 50 steps."""
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 1))
    w0, b0 = rng.standard_normal((4, 1)), rng.standard_normal(1)
    for name, options in [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.05)),
                          ("AdamW", dict(lr=0.05, amsgrad=True))]:
        tdev = torch_device(device)
        wm, bm = mt.tensor(w0, requires_grad=True, device=device), mt.tensor(b0, requires_grad=True, device=device)
        wt, bt = torch.tensor(w0, requires_grad=True, device=tdev), torch.tensor(b0, requires_grad=True, device=tdev)
        om = getattr(mt.optim, name)([wm, bm], **options)
        ot = getattr(torch.optim, name)([wt, bt], **options)
        Xm, ym = mt.tensor(X, device=device), mt.tensor(y, device=device)
        Xt, yt = torch.tensor(X, device=tdev), torch.tensor(y, device=tdev)
        for step in range(50):
            om.zero_grad()
            ot.zero_grad()
            lm = ((Xm @ wm + bm - ym) ** 2).mean()
            lt = ((Xt @ wt + bt - yt) ** 2).mean()
            lm.backward()
            lt.backward()
            om.step()
            ot.step()
            assert_same(lm.detach(), lt.detach(), what=f"{name} loss {step}")
            assert_same(wm.detach(), wt.detach(), what=f"{name} weight {step}")


def test_tensor_lr(device):
    """A CPU tensor as lr, with parameters on ``device`` (as in torch, the lr stays on the CPU)."""
    tdev = torch_device(device)
    p = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    t = torch.tensor([1.0, 2.0], requires_grad=True, device=tdev)
    om = mt.optim.SGD([p], lr=mt.tensor(0.1), momentum=0.5)
    ot = torch.optim.SGD([t], lr=torch.tensor(0.1), momentum=0.5)
    for _ in range(3):
        p.grad, t.grad = mt.tensor([1.0, -1.0], device=device), torch.tensor([1.0, -1.0], device=tdev)
        om.step()
        ot.step()
    assert_same(p.detach(), t.detach())


# ---------------------------------------------------------------------- param groups
def test_add_param_group_fills_defaults_and_matches_torch(device):
    ours, theirs = _params(_data(np.float64)[0], device)
    opt_m = mt.optim.SGD(ours[:2], lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs[:2], lr=0.1, momentum=0.9)
    opt_m.add_param_group({"params": ours[2:], "lr": 0.01, "nesterov": True})
    opt_t.add_param_group({"params": theirs[2:], "lr": 0.01, "nesterov": True})
    assert len(opt_m.param_groups) == 2
    assert opt_m.param_groups[1]["params"][0] is ours[2]
    assert {k: v for k, v in opt_m.param_groups[1].items() if k != "params"} == \
           {k: v for k, v in opt_t.param_groups[1].items() if k != "params"}
    assert opt_m.defaults == opt_t.defaults
    init, grads = _data(np.float64)
    for step in range(10):
        _set_grads(ours, theirs, grads, step)
        opt_m.step()
        opt_t.step()
        _assert_params(ours, theirs, np.float64, f"step {step}")
    # a single tensor is accepted as a group's params
    extra_m = mt.zeros(2, requires_grad=True)
    opt_m.add_param_group({"params": extra_m})
    assert opt_m.param_groups[2]["params"] == [extra_m]


def test_named_parameters_groups():
    ours, theirs = _params(_data(np.float32)[0])
    opt_m = mt.optim.Adam([("a", ours[0]), ("b", ours[1])], lr=0.1)
    opt_t = torch.optim.Adam([("a", theirs[0]), ("b", theirs[1])], lr=0.1)
    assert opt_m.param_groups[0]["param_names"] == ["a", "b"]
    assert opt_m.state_dict()["param_groups"] == opt_t.state_dict()["param_groups"]
    _same_error(lambda: opt_m.add_param_group({"params": [ours[2]]}),
                lambda: opt_t.add_param_group({"params": [theirs[2]]}))


def test_state_is_keyed_by_parameter(device):
    p = mt.zeros(3, requires_grad=True, device=device)
    opt = mt.optim.SGD([p], lr=0.1, momentum=0.9)
    assert isinstance(opt.state, dict) and opt.state[p] == {}  # a defaultdict, as torch's
    p.grad = mt.ones(3, device=device)
    opt.step()
    assert list(opt.state) == [p]
    assert opt.state[p]["momentum_buffer"].tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------------- repr
@pytest.mark.parametrize("name,options", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("AdamW", dict(amsgrad=True)),
                                          ("RMSprop", dict(centered=True)), ("Adagrad", dict(lr_decay=0.1))])
def test_repr_matches_torch(name, options):
    ours, theirs = _params(_data(np.float32)[0])
    opt_m = getattr(mt.optim, name)(_groups(ours, dict(lr=0.5)), **options)
    opt_t = getattr(torch.optim, name)(_groups(theirs, dict(lr=0.5)), **options)
    assert repr(opt_m) == repr(opt_t)


# ---------------------------------------------------------------------- errors
def _same_error(ours, theirs):
    """Both calls raise the same exception type with the same message."""
    with pytest.raises(Exception) as et:
        theirs()
    with pytest.raises(type(et.value)) as em:
        ours()
    assert str(em.value) == str(et.value)


def _p(lib):
    return lib.zeros(2, requires_grad=True)


ERROR_CASES = {
    "tensor as params": lambda lib: lib.optim.SGD(_p(lib), lr=0.1),
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "empty generator": lambda lib: lib.optim.Adam(iter([])),
    "not a tensor": lambda lib: lib.optim.SGD([_p(lib), 3], lr=0.1),
    "set": lambda lib: lib.optim.SGD([{"params": {_p(lib)}}], lr=0.1),
    "non-leaf": lambda lib: lib.optim.SGD([_p(lib) * 2], lr=0.1),
    "group not a dict": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1).add_param_group([_p(lib)]),
    "param in two groups": lambda lib: (lambda p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(_p(lib)),
    "add existing param": lambda lib: (lambda p: lib.optim.SGD([p], lr=0.1).add_param_group({"params": p}))(_p(lib)),
    "sgd lr": lambda lib: lib.optim.SGD([_p(lib)], lr=-0.1),
    "sgd momentum": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1, momentum=-0.5),
    "sgd weight_decay": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1, weight_decay=-1),
    "nesterov without momentum": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1, nesterov=True),
    "nesterov with dampening": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1, momentum=0.9, dampening=0.1,
                                                         nesterov=True),
    "adam lr": lambda lib: lib.optim.Adam([_p(lib)], lr=-1.0),
    "adam eps": lambda lib: lib.optim.Adam([_p(lib)], eps=-1e-8),
    "adam beta1": lambda lib: lib.optim.Adam([_p(lib)], betas=(1.0, 0.999)),
    "adam beta2": lambda lib: lib.optim.Adam([_p(lib)], betas=(0.9, -0.1)),
    "adam betas types": lambda lib: lib.optim.Adam([_p(lib)], betas=(0.9, lib.tensor(0.999))),
    "adam weight_decay": lambda lib: lib.optim.AdamW([_p(lib)], weight_decay=-0.1),
    "rmsprop alpha": lambda lib: lib.optim.RMSprop([_p(lib)], alpha=-0.1),
    "rmsprop momentum": lambda lib: lib.optim.RMSprop([_p(lib)], momentum=-0.1),
    "adagrad lr_decay": lambda lib: lib.optim.Adagrad([_p(lib)], lr_decay=-0.1),
    "adagrad initial_accumulator_value": lambda lib: lib.optim.Adagrad([_p(lib)], initial_accumulator_value=-1),
    "tensor lr of many elements": lambda lib: lib.optim.SGD([_p(lib)], lr=lib.tensor([0.1, 0.2])),
    "fused and foreach": lambda lib: lib.optim.SGD([_p(lib)], lr=0.1, foreach=True, fused=True),
    "missing names": lambda lib: (lambda p, q: lib.optim.SGD([("a", p), q], lr=0.1))(_p(lib), _p(lib)),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_match_torch(case):
    _same_error(lambda: ERROR_CASES[case](mt), lambda: ERROR_CASES[case](torch))


def test_required_option():
    from minitorch.optim.optimizer import required
    from torch.optim.optimizer import required as t_required

    class MyOpt(mt.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    class TOpt(torch.optim.Optimizer):
        def __init__(self, params, lr=t_required):
            super().__init__(params, {"lr": lr})

    _same_error(lambda: MyOpt([_p(mt)]), lambda: TOpt([_p(torch)]))
    assert MyOpt([{"params": [_p(mt)], "lr": 0.1}]).param_groups[0]["lr"] == 0.1
    assert repr(required) == repr(t_required)
    with pytest.raises(NotImplementedError):
        MyOpt([_p(mt)], lr=0.1).step()


def test_duplicate_params_in_a_group_warn():
    p = mt.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        mt.optim.SGD([p, p], lr=0.1)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError, match="differentiable"):
        mt.optim.SGD([_p(mt)], lr=0.1, differentiable=True)


# ---------------------------------------------------------------------- hooks
def test_step_hooks():
    p = mt.zeros(2, requires_grad=True)
    opt = mt.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    p.grad = mt.ones(2)
    opt.step()
    assert calls == [("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2
    # the class's step is wrapped once, however many optimizers exist
    mt.optim.SGD([mt.zeros(1, requires_grad=True)], lr=0.1)
    assert mt.optim.SGD.step.__wrapped__.__name__ == "step"
    assert not hasattr(mt.optim.SGD.step.__wrapped__, "hooked")


def test_state_dict_hooks():
    p = mt.zeros(2, requires_grad=True)
    opt = mt.optim.SGD([p], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict({"state": {}, "param_groups": [{**opt.param_groups[0], "params": [0], "lr": 0.5}]})
    assert seen == [opt] and opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [p]


def test_no_warnings_in_a_plain_run(device):
    p = mt.zeros(2, requires_grad=True, device=device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls in (mt.optim.SGD, mt.optim.Adam, mt.optim.AdamW, mt.optim.RMSprop, mt.optim.Adagrad):
            opt = cls([p], lr=0.1)
            p.grad = mt.ones(2, device=device)
            opt.step()
            opt.zero_grad()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_signatures_match_torch(name):
    import inspect
    ours = inspect.signature(getattr(mt.optim, name))
    theirs = inspect.signature(getattr(torch.optim, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
           [(p.name, p.kind, p.default) for p in theirs.parameters.values()]
    assert getattr(mt.optim, name)([_p(mt)]).defaults == getattr(torch.optim, name)([_p(torch)]).defaults


def test_adagrad_param_added_later(device):
    p, q = mt.zeros(2, requires_grad=True, device=device), mt.zeros(2, requires_grad=True, device=device)
    opt = mt.optim.Adagrad([p], lr=0.1)
    opt.add_param_group({"params": [q]})
    q.grad = mt.ones(2, device=device)
    opt.step()
    assert opt.state[q]["sum"].tolist() == [1.0, 1.0] and q.tolist()[0] < 0


# ---------------------------------------------------------------------- GPU dispatch (fake cupy, on the CPU)
@pytest.fixture
def fake_gpu():
    """Two fake CUDA devices (tests/fake_cupy.py: numpy behind cupy's interface and its device rules).
    This checks dispatch and device placement only; real GPU numbers need a real GPU."""
    import sys

    import fake_cupy
    session_fake = getattr(sys.modules.get("cupy"), "__is_fake__", False)    # MINITORCH_FAKE_CUDA=1 runs
    fake_cupy.install(device_count=2)
    try:
        yield
    finally:
        fake_cupy.uninstall()
        if session_fake:                 # give the session's one fake device back to the tests that follow
            fake_cupy.install(device_count=1)


GPU_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
             ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
             ("AdamW", dict(lr=0.01, betas=(0.3, 0.5))),
             ("RMSprop", dict(centered=True, momentum=0.5)),
             ("Adagrad", dict(lr_decay=0.1, weight_decay=0.1))]


@pytest.mark.parametrize("device", ["cuda:0", "cuda:1"])
@pytest.mark.parametrize("name,options", GPU_CASES, ids=[n for n, _ in GPU_CASES])
def test_on_gpu_arrays(fake_gpu, name, options, device):
    """Parameters on a (non-current) GPU: the update runs there, state lives there (step counters on the CPU,
    as torch keeps them), a CPU state_dict loads onto the device, zero_grad works."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    pc = mt.tensor(a).to(device).requires_grad_()
    pt = torch.tensor(a, requires_grad=True)
    opt_c = getattr(mt.optim, name)([pc], **options)
    opt_t = getattr(torch.optim, name)([pt], **options)
    arr = pc._data
    for _ in range(10):
        g = rng.standard_normal((3, 4)).astype(np.float32)
        pc.grad, pt.grad = mt.tensor(g).to(device), torch.tensor(g)
        opt_c.step()
        opt_t.step()
    assert pc._data is arr and type(arr) is not np.ndarray
    assert_same(pc.detach().cpu(), pt.detach())
    state = opt_c.state[pc]
    for key, v in state.items():
        assert str(v.device) == ("cpu" if key == "step" else device), key
    cpu_sd = {"state": {0: {k: v.cpu() for k, v in state.items()}},
              "param_groups": copy.deepcopy(opt_c.state_dict()["param_groups"])}
    opt_2 = getattr(mt.optim, name)([pc], **options)
    opt_2.load_state_dict(cpu_sd)
    for key, v in opt_2.state[pc].items():
        assert str(v.device) == ("cpu" if key == "step" else device), key
    opt_c.zero_grad(set_to_none=False)
    assert str(pc.grad.device) == device and not pc.grad.cpu().numpy().any()
