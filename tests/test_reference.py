"""reference/: the zoo builds the same model in both engines; weights move both ways; the parity runner reports."""
import numpy as np
import pytest
import torch

import minitorch
from reference.models import MODELS, build
from reference.parity import run_parity, plot_parity
from reference.transfer import check_same_keys, from_torch, to_torch, twin

KWARGS = {"lenet": {"in_channels": 1, "padding": 2}, "resnet": {"in_channels": 1, "channels": 8},
          "mlp": {"batchnorm": True, "dropout": 0.5}}


@pytest.mark.parametrize("name", MODELS)
def test_zoo_builds_twins_with_same_keys_shapes_and_repr(name):
    ours, theirs = build(name, minitorch, **KWARGS.get(name, {})), build(name, torch, **KWARGS.get(name, {}))
    check_same_keys(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", MODELS)
def test_weights_round_trip_both_ways(name):
    kw = KWARGS.get(name, {})
    minitorch.manual_seed(1)
    ours = build(name, minitorch, **kw)
    theirs = build(name, torch, **kw)
    theirs.load_state_dict(to_torch(ours.state_dict()))            # minitorch -> torch
    for (k, a), (k2, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert k == k2 and tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    with torch.no_grad():                                           # change torch's weights, then torch -> minitorch
        for p in theirs.parameters():
            p.mul_(-2).add_(0.5)
    ours.load_state_dict(from_torch(theirs.state_dict()))
    for (k, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=k)


def test_twins_give_the_same_output():
    ours, theirs = twin("lenet", in_channels=1, padding=2, dtype="float64")
    x = np.random.default_rng(0).standard_normal((3, 1, 28, 28))
    np.testing.assert_allclose(ours(minitorch.from_numpy(x)).detach().numpy(),
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_check_same_keys_names_what_differs():
    with pytest.raises(AssertionError, match="missing in ours.*hidden"):
        check_same_keys(build("mlp", minitorch), build("two_class_mlp", torch))


def test_parity_runner_records_losses_grad_norms_and_param_diffs(tmp_path):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((8, 2)), rng.integers(0, 2, 8)) for _ in range(3)]
    r = run_parity("two_class_mlp", batches, steps=5, dtype="float64", optimizer_options={"lr": 0.1})
    assert len(r["loss_ours"]) == len(r["loss_torch"]) == len(r["max_param_diff"]) == 5
    assert set(r["grad_norm_ours"]) == {"hidden.weight", "hidden.bias", "out.weight", "out.bias"}
    np.testing.assert_allclose(r["loss_ours"], r["loss_torch"], rtol=1e-12)
    assert max(r["max_param_diff"]) < 1e-12
    pytest.importorskip("matplotlib")
    path = plot_parity(r, tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000 and str(path).endswith("p.png")
