"""Moving weights between minitorch and real torch, through numpy.

    torch_model.load_state_dict(to_torch(minitorch_model.state_dict()))
    minitorch_model.load_state_dict(from_torch(torch_model.state_dict()))

Both directions copy every parameter and buffer (BatchNorm running statistics
and ``num_batches_tracked`` included) key by key; ``check_same_keys`` says what
differs when two models do not match.
"""
from collections import OrderedDict

import numpy as np
import torch

import minitorch


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy().copy()
    return minitorch._backend.to_numpy(t.detach()._data).copy()


def to_torch(state_dict, device="cpu"):
    """A minitorch state_dict as a torch state_dict (new memory)."""
    return OrderedDict((k, torch.from_numpy(_np(v)).to(device)) for k, v in state_dict.items())


def from_torch(state_dict, device="cpu"):
    """A torch state_dict as a minitorch state_dict (new memory)."""
    return OrderedDict((k, minitorch.from_numpy(_np(v)).to(device)) for k, v in state_dict.items())


def check_same_keys(ours, theirs):
    """Raise AssertionError listing keys or shapes that differ between two state_dicts."""
    a, b = ours.state_dict() if hasattr(ours, "state_dict") else ours, \
        theirs.state_dict() if hasattr(theirs, "state_dict") else theirs
    missing = [k for k in b if k not in a]
    extra = [k for k in a if k not in b]
    shapes = [(k, tuple(a[k].shape), tuple(b[k].shape)) for k in a if k in b and tuple(a[k].shape) != tuple(b[k].shape)]
    if missing or extra or shapes:
        raise AssertionError(f"state_dicts differ: missing in ours {missing}, extra in ours {extra}, "
                             f"shape mismatches {shapes}")


def twin(model_name, lib_model=None, *, dtype="float32", device="cpu", seed=0, **kwargs):
    """A (minitorch, torch) pair of the same model with identical weights (minitorch's init copied into torch)."""
    from .models import build
    minitorch.manual_seed(seed)
    ours = lib_model if lib_model is not None else build(model_name, minitorch, **kwargs)
    theirs = build(model_name, torch, **kwargs)
    check_same_keys(ours, theirs)
    if dtype == "float64":
        ours = ours.double()
        theirs = theirs.double()
    theirs.load_state_dict(to_torch(ours.state_dict()))
    return ours.to(device), theirs.to(device)
