"""``minitorch.get_num_threads`` / ``set_num_threads``: torch's functions, acting on numpy's BLAS thread pool
(minitorch's only multi-threaded CPU work), with torch's errors for wrong arguments."""
import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

import minitorch as mt


def blas_threads():
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


needs_pool = pytest.mark.skipif(not blas_threads(), reason="numpy's BLAS here has no thread pool threadpoolctl "
                                                           "can read or set (e.g. Apple's Accelerate)")


@pytest.fixture
def restore_threads():
    before = mt.get_num_threads()
    yield
    mt.set_num_threads(before)


@needs_pool
def test_get_num_threads_reads_numpys_blas_pool():
    assert mt.get_num_threads() == blas_threads()[0] >= 1


@needs_pool
@pytest.mark.parametrize("n", [1, 2, np.int64(1)])
def test_set_num_threads_sets_numpys_blas_pool(n, restore_threads):
    mt.set_num_threads(n)
    assert mt.get_num_threads() == int(n)
    assert set(blas_threads()) == {int(n)}
    x = mt.randn(64, 64)
    np.testing.assert_allclose((x @ x).numpy(), x.numpy() @ x.numpy(), rtol=1e-5, atol=1e-4)   # still computes


@pytest.mark.parametrize("bad", [True, 2.0, "2", None, 0, -1])
def test_set_num_threads_refuses_what_torch_refuses(bad, restore_threads):
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as ours:
        mt.set_num_threads(bad)
    assert str(ours.value) == str(theirs.value)


def test_arguments_as_torch():
    with pytest.raises(TypeError):
        mt.set_num_threads(n=1)                 # torch: "takes no keyword arguments"
    with pytest.raises(TypeError):
        mt.get_num_threads(1)
