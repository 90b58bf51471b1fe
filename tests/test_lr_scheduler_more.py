"""The whole-run schedulers (OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts, PolynomialLR) and the
combinators (SequentialLR, ChainedScheduler) against torch's: the same rates, and momentums, step by step.

As in tests/test_lr_scheduler.py (whose helpers this reuses), schedulers compute with
Python floats through torch's formulas in torch's order, so rates and momentums must be
exactly equal, not merely close.
"""
import copy
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same
from test_lr_scheduler import _assert_same_lrs, _optimizers

ALL_TORCH = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
             "SequentialLR", "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
             "CosineAnnealingWarmRestarts", "OneCycleLR", "PolynomialLR", "LRScheduler"]


def test_every_torch_scheduler_exists():
    assert sorted(set(torch.optim.lr_scheduler.__all__) - {"SWALR"}) == sorted(ALL_TORCH)
    for name in ALL_TORCH:
        assert name in mt.optim.lr_scheduler.__all__ and hasattr(mt.optim.lr_scheduler, name), name


@pytest.mark.parametrize("name", [n for n in ALL_TORCH if n not in ("LRScheduler",)])
def test_signatures_match_torch(name):
    import inspect
    ours = inspect.signature(getattr(mt.optim.lr_scheduler, name))
    theirs = inspect.signature(getattr(torch.optim.lr_scheduler, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
           [(p.name, p.kind, p.default) for p in theirs.parameters.values()]


def _momentums(opt):
    return [(g.get("momentum"), g.get("betas"), g.get("max_momentum"), g.get("base_momentum"))
            for g in opt.param_groups]


def _assert_same(opt_m, opt_t, sch_m, sch_t, what):
    _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, what)
    assert _momentums(opt_m) == _momentums(opt_t), what
    keys = ("initial_lr", "max_lr", "min_lr")
    assert [[g.get(k) for k in keys] for g in opt_m.param_groups] == \
           [[g.get(k) for k in keys] for g in opt_t.param_groups], what


def _compare_state_dicts(sd_m, sd_t, skip=("lr_lambdas", "_scale_fn_custom", "_schedulers")):
    assert sorted(sd_m) == sorted(sd_t)
    for key in sd_t:
        if key not in skip:
            assert sd_m[key] == sd_t[key], key


# (name, kwargs, optimizer, options, steps): steps stays within OneCycleLR's total_steps
SGD_M = ("SGD", dict(momentum=0.9))
ADAM = ("Adam", {})
CASES = [
    ("OneCycleLR", dict(max_lr=0.1, total_steps=100), SGD_M, 100),
    ("OneCycleLR", dict(max_lr=[0.1, 0.05], epochs=4, steps_per_epoch=25, anneal_strategy="linear"), SGD_M, 100),
    ("OneCycleLR", dict(max_lr=0.01, total_steps=90, three_phase=True, pct_start=0.25), ADAM, 90),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=50, cycle_momentum=False, div_factor=10.0,
                        final_div_factor=100.0), ("SGD", {}), 50),
    ("OneCycleLR", dict(max_lr=0.02, total_steps=77, base_momentum=[0.8, 0.7], max_momentum=0.99,
                        anneal_strategy="linear", three_phase=True), ADAM, 77),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=10), SGD_M, 120),
    ("CyclicLR", dict(base_lr=[0.001, 0.002], max_lr=[0.1, 0.05], step_size_up=7, step_size_down=13,
                      mode="triangular2"), SGD_M, 120),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.98), ADAM, 120),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=5, scale_fn=lambda x: 1 / (1 + x),
                      scale_mode="iterations", base_momentum=0.5, max_momentum=0.95), SGD_M, 120),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=4, cycle_momentum=False), ("Adagrad", {}), 120),
    ("CosineAnnealingWarmRestarts", dict(T_0=10), ("SGD", {}), 120),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=0.001), ("SGD", {}), 120),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=3, eta_min=0.01), ADAM, 120),
    ("PolynomialLR", dict(), ("SGD", {}), 120),
    ("PolynomialLR", dict(total_iters=50, power=0.9), ("SGD", {}), 120),
    ("PolynomialLR", dict(total_iters=30, power=2.0), ADAM, 120),
]
IDS = [f"{n}-{i}" for i, (n, *_) in enumerate(CASES)]


def _make(lib, name, kwargs, opt):
    return getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)


@pytest.mark.parametrize("name,kwargs,optim,steps", CASES, ids=IDS)
def test_sequence_equals_torch(name, kwargs, optim, steps):
    opt_m, opt_t = _optimizers(name=optim[0], **optim[1])
    sch_m, sch_t = _make(mt, name, kwargs, opt_m), _make(torch, name, kwargs, opt_t)
    _assert_same(opt_m, opt_t, sch_m, sch_t, "after construction")
    assert sch_m.base_lrs == sch_t.base_lrs
    for step in range(steps):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        _assert_same(opt_m, opt_t, sch_m, sch_t, f"step {step}")
    if name == "OneCycleLR":                              # one step too many: torch's ValueError
        with pytest.raises(ValueError) as et:
            sch_t.step()
        with pytest.raises(ValueError) as em:
            sch_m.step()
        assert str(em.value) == str(et.value)


@pytest.mark.parametrize("name,kwargs,optim,steps", CASES, ids=IDS)
def test_state_dict_round_trip(name, kwargs, optim, steps):
    """Save half-way, restore into a fresh scheduler on a fresh optimizer (scheduler first, then the loads,
    as torch advises), continue: the same rates and momentums as torch's uninterrupted run."""
    opt_m, opt_t = _optimizers(name=optim[0], **optim[1])
    sch_m, sch_t = _make(mt, name, kwargs, opt_m), _make(torch, name, kwargs, opt_t)
    half = steps // 2
    for _ in range(half):
        for o in (opt_m, opt_t):
            o.step()
        sch_m.step()
        sch_t.step()
    _compare_state_dicts(sch_m.state_dict(), sch_t.state_dict())
    saved_sched, saved_opt = copy.deepcopy(sch_m.state_dict()), copy.deepcopy(opt_m.state_dict())
    opt_r, _ = _optimizers(name=optim[0], **optim[1])
    sch_r = _make(mt, name, kwargs, opt_r)
    opt_r.load_state_dict(saved_opt)
    sch_r.load_state_dict(saved_sched)
    for step in range(half, steps):
        for o in (opt_r, opt_t):
            o.step()
        sch_r.step()
        sch_t.step()
        _assert_same(opt_r, opt_t, sch_r, sch_t, f"resumed, step {step}")


def test_cyclic_lr_callable_scale_fn_state():
    class Scale:
        def __init__(self):
            self.k = 0.5

        def __call__(self, x):
            return self.k ** x

    opt_m, opt_t = _optimizers(name="SGD", momentum=0.9)
    sch = mt.optim.lr_scheduler.CyclicLR(opt_m, 0.01, 0.1, step_size_up=3, scale_fn=Scale())
    sd = sch.state_dict()
    assert sd["_scale_fn_custom"] == {"k": 0.5} and "_scale_fn_ref" not in sd
    sd["_scale_fn_custom"]["k"] = 0.25
    sch.load_state_dict(sd)
    assert sch._scale_fn_custom.k == 0.25
    lam = mt.optim.lr_scheduler.CyclicLR(opt_m, 0.01, 0.1, scale_fn=lambda x: 1.0)
    assert lam.state_dict()["_scale_fn_custom"] is None


# ---------------------------------------------------------------------- CosineAnnealingWarmRestarts with epochs
@pytest.mark.parametrize("kwargs", [dict(T_0=10), dict(T_0=4, T_mult=2, eta_min=0.001), dict(T_0=3, T_mult=3)])
def test_warm_restarts_fractional_epochs(kwargs):
    """The documented per-batch use: ``step(epoch + i / iters)``; then jumps back and forth, no warning."""
    opt_m, opt_t = _optimizers()
    sch_m = mt.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_m, **kwargs)
    sch_t = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt_t, **kwargs)
    iters = 7
    epochs = [e + i / iters for e in range(30) for i in range(iters)] + [3, 0, 0.5, 40.25, 12, 100.0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for epoch in epochs:
            opt_m.step()
            opt_t.step()
            sch_m.step(epoch)
            sch_t.step(epoch)
            _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")
            assert (sch_m.T_cur, sch_m.T_i) == (sch_t.T_cur, sch_t.T_i), f"epoch {epoch}"


def test_warm_restarts_errors():
    def same(fn):
        opt_m, opt_t = _optimizers()
        with pytest.raises(Exception) as et:
            fn(torch, opt_t)
        with pytest.raises(type(et.value)) as em:
            fn(mt, opt_m)
        assert str(em.value) == str(et.value)

    W = "CosineAnnealingWarmRestarts"
    same(lambda lib, opt: getattr(lib.optim.lr_scheduler, W)(opt, T_0=0))
    same(lambda lib, opt: getattr(lib.optim.lr_scheduler, W)(opt, T_0=2.0))
    same(lambda lib, opt: getattr(lib.optim.lr_scheduler, W)(opt, T_0=2, T_mult=0))
    same(lambda lib, opt: getattr(lib.optim.lr_scheduler, W)(opt, T_0=2, eta_min="0"))
    same(lambda lib, opt: getattr(lib.optim.lr_scheduler, W)(opt, T_0=2).step(-1))


# ---------------------------------------------------------------------- PolynomialLR closed form
@pytest.mark.parametrize("kwargs", [dict(), dict(total_iters=20, power=0.5)])
def test_polynomial_step_with_epoch(kwargs):
    opt_m, opt_t = _optimizers()
    sch_m = mt.optim.lr_scheduler.PolynomialLR(opt_m, **kwargs)
    sch_t = torch.optim.lr_scheduler.PolynomialLR(opt_t, **kwargs)
    for epoch in [3, 1, 4, 18, 60, 2]:
        opt_m.step()
        opt_t.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sch_m.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sch_t.step(epoch)
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")


# ---------------------------------------------------------------------- SequentialLR, ChainedScheduler
def _seq_children(lib, opt, which):
    s = lib.optim.lr_scheduler
    if which == 0:
        return [s.ConstantLR(opt, factor=0.1, total_iters=5), s.ExponentialLR(opt, gamma=0.9)], [5]
    if which == 1:
        return [s.LinearLR(opt, start_factor=0.2, total_iters=8), s.CosineAnnealingLR(opt, T_max=30, eta_min=1e-4),
                s.StepLR(opt, step_size=7, gamma=0.5)], [8, 40]
    if which == 2:
        return [s.LinearLR(opt, start_factor=0.05, total_iters=10), s.PolynomialLR(opt, total_iters=60, power=2.0)], [10]
    # a chained scheduler inside a sequential one
    return [s.ChainedScheduler([s.ConstantLR(opt, factor=0.5, total_iters=4), s.ExponentialLR(opt, gamma=0.95)]),
            s.MultiStepLR(opt, milestones=[10, 20])], [12]


@pytest.mark.parametrize("which", [0, 1, 2, 3])
def test_sequential_lr_equals_torch(which):
    opt_m, opt_t = _optimizers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # torch warns about its nested chained schedulers
        ch_m, ms = _seq_children(mt, opt_m, which)
        ch_t, _ = _seq_children(torch, opt_t, which)
        sch_m = mt.optim.lr_scheduler.SequentialLR(opt_m, ch_m, milestones=ms)
        sch_t = torch.optim.lr_scheduler.SequentialLR(opt_t, ch_t, milestones=ms)
    _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, "after construction")
    for epoch in range(80):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")
        for a, b in zip(ch_m, ch_t):
            assert getattr(a, "last_epoch", None) == getattr(b, "last_epoch", None), f"epoch {epoch}"
        if epoch == 30:
            sd_m, sd_t = sch_m.state_dict(), sch_t.state_dict()
            _compare_state_dicts(sd_m, sd_t)
            assert len(sd_m["_schedulers"]) == len(sd_t["_schedulers"])
            for a, b in zip(sd_m["_schedulers"], sd_t["_schedulers"]):
                _compare_state_dicts(a, b)
            # round trip: a fresh composite on a fresh optimizer takes the saved state and carries on
            saved, saved_opt = copy.deepcopy(sd_m), copy.deepcopy(opt_m.state_dict())
            opt_m, _ = _optimizers()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")           # (as torch, it warns about the nested chained one)
                ch_m, _ = _seq_children(mt, opt_m, which)
                sch_m = mt.optim.lr_scheduler.SequentialLR(opt_m, ch_m, milestones=ms)
            opt_m.load_state_dict(saved_opt)
            sch_m.load_state_dict(saved)


@pytest.mark.parametrize("with_optimizer", [False, True])
def test_chained_scheduler_equals_torch(with_optimizer):
    def build(lib, opt):
        s = lib.optim.lr_scheduler
        children = [s.ConstantLR(opt, factor=0.1, total_iters=5), s.ExponentialLR(opt, gamma=0.9),
                    s.MultiStepLR(opt, milestones=[10, 25], gamma=0.5)]
        return s.ChainedScheduler(children, optimizer=opt if with_optimizer else None)

    def same_lrs(what):                          # (a ChainedScheduler has no last_epoch, in torch neither)
        assert not hasattr(sch_m, "last_epoch") and not hasattr(sch_t, "last_epoch")
        assert sch_m.get_last_lr() == sch_t.get_last_lr(), what
        assert [g["lr"] for g in opt_m.param_groups] == [g["lr"] for g in opt_t.param_groups], what

    opt_m, opt_t = _optimizers()
    sch_m, sch_t = build(mt, opt_m), build(torch, opt_t)
    same_lrs("after construction")
    for epoch in range(60):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        same_lrs(f"epoch {epoch}")
        if epoch == 20:
            saved, saved_opt = copy.deepcopy(sch_m.state_dict()), copy.deepcopy(opt_m.state_dict())
            _compare_state_dicts(saved, sch_t.state_dict())
            opt_m, _ = _optimizers()
            sch_m = build(mt, opt_m)
            opt_m.load_state_dict(saved_opt)
            sch_m.load_state_dict(saved)


def test_combinator_errors_match_torch():
    def same(fn):
        opt_m, opt_t = _optimizers()
        other_m, other_t = _optimizers()
        with pytest.raises(Exception) as et:
            fn(torch, opt_t, other_t)
        with pytest.raises(type(et.value)) as em:
            fn(mt, opt_m, other_m)
        assert str(em.value).replace("minitorch", "torch") == str(et.value).replace("minitorch", "torch")

    s = lambda lib: lib.optim.lr_scheduler                                   # noqa: E731
    same(lambda lib, o, _: s(lib).SequentialLR(o, [], milestones=[]))
    same(lambda lib, o, _: s(lib).SequentialLR(o, [s(lib).StepLR(o, 2), s(lib).StepLR(o, 3)], milestones=[]))
    same(lambda lib, o, _: s(lib).SequentialLR(o, [s(lib).StepLR(o, 2), s(lib).ReduceLROnPlateau(o)], milestones=[3]))
    same(lambda lib, o, _: s(lib).SequentialLR(o, [s(lib).StepLR(o, 2), "x"], milestones=[3]))
    same(lambda lib, o, _: s(lib).ChainedScheduler([]))
    same(lambda lib, o, _: s(lib).ChainedScheduler([s(lib).StepLR(o, 2), s(lib).ReduceLROnPlateau(o)]))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=0.1))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=0.1, total_steps=0))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=1.5))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"))
    same(lambda lib, o, p: s(lib).OneCycleLR(o, max_lr=[0.1], total_steps=10))
    same(lambda lib, o, p: s(lib).CyclicLR(o, 0.01, 0.1, mode="sine"))
    same(lambda lib, o, p: s(lib).CyclicLR(lib.optim.Adagrad([lib.zeros(1, requires_grad=True)]), 0.01, 0.1))
    same(lambda lib, o, p: s(lib).OneCycleLR("opt", max_lr=0.1, total_steps=3))


# ---------------------------------------------------------------------- schedules driving training
@pytest.mark.parametrize("name,options,sched", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), ("OneCycleLR", dict(max_lr=0.2, total_steps=40))),
    ("Adam", dict(lr=0.01), ("OneCycleLR", dict(max_lr=0.05, total_steps=40, three_phase=True))),
    ("SGD", dict(lr=0.1, momentum=0.8), ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5))),
    ("NAdam", dict(lr=0.01), ("CyclicLR", dict(base_lr=0.001, max_lr=0.02, step_size_up=4, mode="exp_range",
                                               gamma=0.97))),
    ("RAdam", dict(lr=0.01), ("CosineAnnealingWarmRestarts", dict(T_0=6, T_mult=2))),
    ("Adamax", dict(lr=0.01), ("PolynomialLR", dict(total_iters=30, power=1.5))),
])
def test_schedule_drives_training_like_torch(name, options, sched, device):
    """A least-squares fit in which the scheduler (momentum cycling included) changes every step's update."""
    rng = np.random.default_rng(4)
    X, y, w0 = rng.standard_normal((16, 3)), rng.standard_normal((16, 1)), rng.standard_normal((3, 1))
    wm, wt = mt.tensor(w0, requires_grad=True, device=device), torch.tensor(w0, requires_grad=True)
    om, ot = getattr(mt.optim, name)([wm], **options), getattr(torch.optim, name)([wt], **options)
    sm = getattr(mt.optim.lr_scheduler, sched[0])(om, **sched[1])
    st = getattr(torch.optim.lr_scheduler, sched[0])(ot, **sched[1])
    Xm, ym, Xt, yt = mt.tensor(X, device=device), mt.tensor(y, device=device), torch.tensor(X), torch.tensor(y)
    for step in range(40):
        om.zero_grad()
        ot.zero_grad()
        ((Xm @ wm - ym) ** 2).mean().backward()
        ((Xt @ wt - yt) ** 2).mean().backward()
        om.step()
        ot.step()
        sm.step()
        st.step()
        assert sm.get_last_lr() == st.get_last_lr()
        assert _momentums(om) == _momentums(ot)
        assert_same(wm.detach().cpu(), wt.detach(), what=f"{name}+{sched[0]} step {step}")
