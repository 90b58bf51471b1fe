"""minitorch.optim.lr_scheduler against torch's: the learning-rate sequences are equal, epoch by epoch.

Schedulers compute with Python floats through the same (recursive) formulas as
torch's, so the rates must be exactly equal, not merely close.
"""
import copy
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same, torch_device

EPOCHS = 120


def _optimizers(lrs=(0.1, 0.02), name="SGD", **options):
    ps_m = [mt.zeros(2, requires_grad=True) for _ in lrs]
    ps_t = [torch.zeros(2, requires_grad=True) for _ in lrs]
    opt_m = getattr(mt.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(ps_m, lrs)], **options)
    opt_t = getattr(torch.optim, name)([{"params": [p], "lr": lr} for p, lr in zip(ps_t, lrs)], **options)
    return opt_m, opt_t


def _lr_lambda(epoch):
    return 0.97 ** epoch / (1 + epoch // 10)


def _mult_lambda(epoch):
    return 0.95 if epoch % 3 else 1.01


CASES = [
    ("StepLR", dict(step_size=7)),
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("MultiStepLR", dict(milestones=[5, 20, 21, 80])),
    ("MultiStepLR", dict(milestones=[10, 10, 30], gamma=0.3)),              # a repeated milestone: gamma**2
    ("CosineAnnealingLR", dict(T_max=50)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),                   # past T_max: the periodic branch
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.05)),
    ("CosineAnnealingLR", dict(T_max=1)),
    ("ExponentialLR", dict(gamma=0.95)),
    ("ExponentialLR", dict(gamma=1.01)),
    ("LambdaLR", dict(lr_lambda=_lr_lambda)),
    ("LambdaLR", dict(lr_lambda=[_lr_lambda, lambda e: 1.0 / (e + 1)])),    # one function per group
    ("MultiplicativeLR", dict(lr_lambda=_mult_lambda)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=30)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=12)),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


def _make(lib, opt, name, kwargs):
    return getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)


def _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, what):
    assert sch_m.get_last_lr() == sch_t.get_last_lr(), what
    assert [g["lr"] for g in opt_m.param_groups] == [g["lr"] for g in opt_t.param_groups], what
    assert sch_m.last_epoch == sch_t.last_epoch, what


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_lr_sequence_equals_torch(name, kwargs):
    opt_m, opt_t = _optimizers()
    sch_m, sch_t = _make(mt, opt_m, name, kwargs), _make(torch, opt_t, name, kwargs)
    _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, "after construction")
    assert sch_m.base_lrs == sch_t.base_lrs == [0.1, 0.02]
    assert [g["initial_lr"] for g in opt_m.param_groups] == [0.1, 0.02]
    for epoch in range(EPOCHS):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_round_trip(name, kwargs):
    """Save at epoch 40, restore into a fresh scheduler on a fresh optimizer, continue: same rates as torch."""
    opt_m, opt_t = _optimizers()
    sch_m, sch_t = _make(mt, opt_m, name, kwargs), _make(torch, opt_t, name, kwargs)
    for _ in range(40):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
    sd_m, sd_t = sch_m.state_dict(), sch_t.state_dict()
    assert sorted(sd_m) == sorted(sd_t)
    for key in sd_t:
        if key != "lr_lambdas":
            assert sd_m[key] == sd_t[key], key
    saved_sched = copy.deepcopy(sd_m)
    saved_opt = copy.deepcopy(opt_m.state_dict())

    opt_r, _ = _optimizers()
    sch_r = _make(mt, opt_r, name, kwargs)                      # as torch advises: scheduler first, then load
    opt_r.load_state_dict(saved_opt)
    sch_r.load_state_dict(saved_sched)
    for epoch in range(40, EPOCHS):
        for o in (opt_m, opt_t, opt_r):
            o.step()
        for s in (sch_m, sch_t, sch_r):
            s.step()
        _assert_same_lrs(opt_r, opt_t, sch_r, sch_t, f"resumed, epoch {epoch}")


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] != "MultiplicativeLR"],
                         ids=[i for i, c in zip(IDS, CASES) if c[0] != "MultiplicativeLR"])
def test_step_with_epoch_uses_closed_form(name, kwargs):
    """The deprecated ``step(epoch)`` jumps with the closed form (and warns), as torch's."""
    opt_m, opt_t = _optimizers()
    sch_m, sch_t = _make(mt, opt_m, name, kwargs), _make(torch, opt_t, name, kwargs)
    for epoch in [3, 17, 4, 60, 61]:
        opt_m.step()
        opt_t.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sch_m.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sch_t.step(epoch)
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")


def test_chained_schedulers_on_one_optimizer():
    opt_m, opt_t = _optimizers()
    a_m = mt.optim.lr_scheduler.StepLR(opt_m, step_size=5, gamma=0.5)
    b_m = mt.optim.lr_scheduler.ExponentialLR(opt_m, gamma=0.98)
    a_t = torch.optim.lr_scheduler.StepLR(opt_t, step_size=5, gamma=0.5)
    b_t = torch.optim.lr_scheduler.ExponentialLR(opt_t, gamma=0.98)
    for epoch in range(60):
        opt_m.step()
        opt_t.step()
        a_m.step()
        b_m.step()
        a_t.step()
        b_t.step()
        _assert_same_lrs(opt_m, opt_t, b_m, b_t, f"epoch {epoch}")
        assert a_m.get_last_lr() == a_t.get_last_lr()


def test_resume_with_last_epoch():
    """``last_epoch=k`` resumes from groups that carry 'initial_lr'; without it, torch's KeyError."""
    opt_m, opt_t = _optimizers()
    for opt in (opt_m, opt_t):
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    sch_m = mt.optim.lr_scheduler.CosineAnnealingLR(opt_m, T_max=30, last_epoch=9)
    sch_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=30, last_epoch=9)
    _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, "resumed")
    for epoch in range(30):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")

    opt_m, opt_t = _optimizers()
    with pytest.raises(KeyError) as et:
        torch.optim.lr_scheduler.StepLR(opt_t, step_size=2, last_epoch=3)
    with pytest.raises(KeyError) as em:
        mt.optim.lr_scheduler.StepLR(opt_m, step_size=2, last_epoch=3)
    assert str(em.value) == str(et.value)


def test_scheduler_drives_training_like_torch(device):
    """SGD with momentum under a cosine schedule (parameters on ``device``): parameters equal torch's after each
    epoch."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 2))
    tdev = torch_device(device)
    pm, pt = mt.tensor(w0, requires_grad=True, device=device), torch.tensor(w0, requires_grad=True, device=tdev)
    opt_m = mt.optim.SGD([pm], lr=0.1, momentum=0.9, weight_decay=1e-3)
    opt_t = torch.optim.SGD([pt], lr=0.1, momentum=0.9, weight_decay=1e-3)
    sch_m = mt.optim.lr_scheduler.CosineAnnealingLR(opt_m, T_max=20)
    sch_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=20)
    for epoch in range(25):
        g = rng.standard_normal((3, 2))
        pm.grad, pt.grad = mt.tensor(g, device=device), torch.tensor(g, device=tdev)
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        assert_same(pm.detach(), pt.detach(), what=f"epoch {epoch}")
    assert pm.device.type == mt.device(device).type


def test_works_with_adam():
    opt_m, opt_t = _optimizers(name="Adam")
    sch_m = mt.optim.lr_scheduler.MultiStepLR(opt_m, milestones=[2, 4])
    sch_t = torch.optim.lr_scheduler.MultiStepLR(opt_t, milestones=[2, 4])
    for epoch in range(6):
        opt_m.step()
        opt_t.step()
        sch_m.step()
        sch_t.step()
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")


def test_warns_when_stepped_before_optimizer():
    opt_m, _ = _optimizers()
    sch = mt.optim.lr_scheduler.StepLR(opt_m, step_size=2)
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        sch.step()
    opt_m, _ = _optimizers()
    sch = mt.optim.lr_scheduler.StepLR(opt_m, step_size=2)
    opt_m.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sch.step()
        sch.get_last_lr()


def test_get_lr_outside_step_warns():
    opt_m, _ = _optimizers()
    sch = mt.optim.lr_scheduler.ExponentialLR(opt_m, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sch.get_lr()


def test_errors_match_torch():
    def same(fn):
        opt_m, opt_t = _optimizers()
        with pytest.raises(Exception) as et:
            fn(torch, opt_t)
        with pytest.raises(type(et.value)) as em:
            fn(mt, opt_m)
        assert str(em.value) == str(et.value)

    same(lambda lib, opt: lib.optim.lr_scheduler.StepLR("not an optimizer", step_size=1))
    same(lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, lr_lambda=[_lr_lambda]))
    same(lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, lr_lambda=0.5))
    same(lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=2.0))
    same(lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.0))
    same(lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, end_factor=1.5))


def test_lambda_state_dict_saves_callable_objects_only():
    class Factor:
        def __init__(self):
            self.k = 0.5

        def __call__(self, epoch):
            return self.k ** epoch

    opt_m, _ = _optimizers()
    sch = mt.optim.lr_scheduler.LambdaLR(opt_m, lr_lambda=[Factor(), _lr_lambda])
    sd = sch.state_dict()
    assert sd["lr_lambdas"] == [{"k": 0.5}, None]
    sd["lr_lambdas"][0]["k"] = 0.25
    sch.load_state_dict(sd)
    assert sch.lr_lambdas[0].k == 0.25 and "lr_lambdas" in sd


PLATEAU_CASES = [dict(), dict(mode="max", factor=0.5, patience=2), dict(patience=1, threshold=0.05, cooldown=2),
                 dict(patience=0, threshold_mode="abs", threshold=0.01, min_lr=[0.05, 0.001]),
                 dict(mode="max", threshold_mode="abs", patience=3, min_lr=0.01, eps=1e-3)]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES)
def test_reduce_lr_on_plateau_equals_torch(kwargs, device):
    """The metric is a float or (every other epoch) a 0-d tensor on ``device``."""
    rng = np.random.default_rng(1)
    metrics = np.cumsum(rng.standard_normal(150) * 0.1) + np.sin(np.arange(150) / 7)   # wanders, with plateaus
    opt_m, opt_t = _optimizers()
    sch_m = mt.optim.lr_scheduler.ReduceLROnPlateau(opt_m, **kwargs)
    sch_t = torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kwargs)
    for epoch, m in enumerate(metrics):
        opt_m.step()
        opt_t.step()
        sch_m.step(mt.tensor(m, device=device) if epoch % 2 else float(m))
        sch_t.step(float(m))
        _assert_same_lrs(opt_m, opt_t, sch_m, sch_t, f"epoch {epoch}")
        assert (sch_m.best, sch_m.num_bad_epochs, sch_m.cooldown_counter) == \
               (sch_t.best, sch_t.num_bad_epochs, sch_t.cooldown_counter)
        if epoch == 70:                                         # round trip in the middle
            sd = copy.deepcopy(sch_m.state_dict())
            assert sorted(sd) == sorted(sch_t.state_dict())
            sch_m = mt.optim.lr_scheduler.ReduceLROnPlateau(opt_m)
            sch_m.load_state_dict(sd)
    assert opt_t.param_groups[0]["lr"] < 0.1 or kwargs.get("mode") == "max"


def test_reduce_lr_on_plateau_errors():
    opt_m, opt_t = _optimizers()
    for kw in [dict(factor=1.0), dict(mode="avg"), dict(threshold_mode="pct"), dict(min_lr=[0.1])]:
        with pytest.raises(ValueError) as et:
            torch.optim.lr_scheduler.ReduceLROnPlateau(opt_t, **kw)
        with pytest.raises(ValueError) as em:
            mt.optim.lr_scheduler.ReduceLROnPlateau(opt_m, **kw)
        assert str(em.value) == str(et.value)
