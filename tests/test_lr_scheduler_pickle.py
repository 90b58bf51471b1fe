"""Schedulers name their public module, as torch's do, and survive pickling (pickle and minitorch.save/load).

The whole-run schedulers are defined in ``optim/_lr_scheduler_runs.py`` but users (and pickles)
reach them as ``minitorch.optim.lr_scheduler.OneCycleLR``, as ``torch.optim.lr_scheduler.OneCycleLR``.
A pickled scheduler is stepped on beside torch's (pickled the same way) and beside the one it was
copied from: the rates must stay exactly equal (Python floats through the same formulas).
"""
import io
import pickle

import pytest
import torch

import minitorch as mt
from test_lr_scheduler import _optimizers

NAMES = [n for n in mt.optim.lr_scheduler.__all__]


@pytest.mark.parametrize("name", NAMES)
def test_class_names_the_public_module_as_torch(name):
    ours, theirs = getattr(mt.optim.lr_scheduler, name), getattr(torch.optim.lr_scheduler, name)
    assert ours.__module__ == "minitorch.optim.lr_scheduler"
    assert ours.__module__.replace("minitorch.", "torch.", 1) == theirs.__module__
    assert repr(ours) == repr(theirs).replace("torch.", "minitorch.", 1)
    assert pickle.loads(pickle.dumps(ours)) is ours
    assert b"minitorch.optim.lr_scheduler" in pickle.dumps(ours) and b"_lr_scheduler_runs" not in pickle.dumps(ours)


def _one_cycle(lib, opt):
    return lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=30, three_phase=True)


def _sequential(lib, opt):
    L = lib.optim.lr_scheduler
    return L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.1, total_iters=4),
                                L.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)], milestones=[4])


def _cyclic(lib, opt):
    return lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9)


def _chained(lib, opt):
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler([L.PolynomialLR(opt, total_iters=8, power=2.0), L.ExponentialLR(opt, gamma=0.9)])


def _pickle(obj, lib):
    return pickle.loads(pickle.dumps(obj))


def _save_load(obj, lib):
    buf = io.BytesIO()
    lib.save(obj, buf)
    buf.seek(0)
    return lib.load(buf, weights_only=False)


@pytest.mark.parametrize("copy_with", [_pickle, _save_load], ids=["pickle", "save_load"])
@pytest.mark.parametrize("make", [_one_cycle, _sequential, _cyclic, _chained],
                         ids=["OneCycleLR", "SequentialLR", "CyclicLR", "ChainedScheduler"])
def test_pickled_scheduler_steps_on_like_torch(make, copy_with):
    opt_m, opt_t = _optimizers(name="SGD", momentum=0.9)
    sch_m, sch_t = make(mt, opt_m), make(torch, opt_t)
    for _ in range(5):
        opt_m.step(), sch_m.step()
        opt_t.step(), sch_t.step()
    new_m, new_t = copy_with(sch_m, mt), copy_with(sch_t, torch)
    assert type(new_m) is type(sch_m) and type(new_m).__module__ == "minitorch.optim.lr_scheduler"
    assert new_m.optimizer is not opt_m                   # the copy carries its own optimizer
    for epoch in range(20):
        for s in (sch_m, new_m, new_t):
            s.optimizer.step(), s.step()
        assert new_m.get_last_lr() == new_t.get_last_lr() == sch_m.get_last_lr(), f"epoch {epoch}"
        assert [g["lr"] for g in new_m.optimizer.param_groups] == \
            [g["lr"] for g in new_t.optimizer.param_groups], f"epoch {epoch}"
        assert getattr(new_m, "last_epoch", None) == getattr(new_t, "last_epoch", None)   # ChainedScheduler: none
        assert [g.get("momentum") for g in new_m.optimizer.param_groups] == \
            [g.get("momentum") for g in new_t.optimizer.param_groups], f"epoch {epoch}"
