"""Shared pytest set-up: hypothesis profiles and the device parameter.

Profiles: ``ci`` (default, quick) and ``thorough`` (many more examples), chosen with
``HYPOTHESIS_PROFILE=thorough pytest``.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _cuda_ok():
    try:
        import minitorch
        import torch
        return minitorch.cuda.is_available() and torch.cuda.is_available()
    except Exception:
        return False


CUDA = _cuda_ok()
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not CUDA, reason="no CUDA device (needs cupy and a GPU for minitorch, and torch built with CUDA)"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Runs a test on the CPU, and on the GPU when one is present (skipped with the reason otherwise)."""
    return request.param
