"""Shared pytest set-up: hypothesis profiles and the device parameter.

Profiles: ``ci`` (default, quick) and ``thorough`` (many more examples), chosen with
``HYPOTHESIS_PROFILE=thorough pytest``.
"""
import os

import pytest
from hypothesis import HealthCheck, settings

# function_scoped_fixture: the ``device`` fixture below is a plain string, the same for every example
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=_SUPPRESSED)
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=_SUPPRESSED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _cuda_ok():
    try:
        import minitorch
        import torch
        return minitorch.cuda.is_available() and torch.cuda.is_available()
    except Exception:
        return False


CUDA = _cuda_ok()
FAKE_CUDA = os.environ.get("MINITORCH_FAKE_CUDA") == "1" and not CUDA
if FAKE_CUDA:
    # a dispatch check on a CPU-only machine (see tests/harness.py): cuda tests run on tests/fake_cupy.py
    import fake_cupy
    fake_cupy.install(device_count=1)
    fake_cupy.SESSION = True
    CUDA = True
if CUDA:
    # torch CUDA runs float32 convolutions in TF32 by default (10-bit mantissa); the parity suites compare
    # float32 arithmetic, so both engines use full float32 (cupy's cuBLAS does unless CUPY_TF32=1).
    import torch
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not CUDA, reason="no CUDA device (needs cupy and a GPU for minitorch, and torch built with CUDA)"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Runs a test on the CPU, and on the GPU when one is present (skipped with the reason otherwise)."""
    return request.param


@pytest.fixture
def fake_cuda():
    """minitorch with tests/fake_cupy.py (numpy posing as cupy) as its GPU: checks dispatch and device plumbing (a
    numpy call on a device array fails there, as it would with real cupy), not GPU numbers. Under
    MINITORCH_FAKE_CUDA=1 the fake is already the session's GPU: it is kept, not installed again and removed."""
    import sys
    import fake_cupy
    if sys.modules.get("cupy") is fake_cupy._module:
        yield fake_cupy._module
        return
    cp = fake_cupy.install(device_count=1)
    yield cp
    fake_cupy.uninstall()
