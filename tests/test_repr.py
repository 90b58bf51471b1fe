"""``minitorch._tensor_str.tensor_repr`` must print exactly what ``repr(torch.Tensor)`` prints."""

import contextlib
import importlib
import importlib.util
import pathlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp


def _load_tensor_str():
    """Import ``minitorch._tensor_str``; fall back to loading the file directly
    if the package ``__init__`` cannot be imported (e.g. while it is being written)."""
    try:
        return importlib.import_module("minitorch._tensor_str")
    except Exception:  # pragma: no cover - only while the package is incomplete
        path = pathlib.Path(__file__).resolve().parents[1] / "minitorch" / "_tensor_str.py"
        spec = importlib.util.spec_from_file_location("_minitorch_tensor_str", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


ts = _load_tensor_str()

FLOAT_DTYPES = [np.float16, np.float32, np.float64]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + [np.bool_]

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dtype_name(arr):
    return str(torch.from_numpy(arr).dtype).removeprefix("torch.")


def ours(arr, **kwargs):
    """minitorch's repr of ``arr`` (default float dtype taken from torch)."""
    t = torch.from_numpy(arr)
    return ts.tensor_repr(
        arr,
        dtype_name(arr),
        is_default_float=t.dtype == torch.get_default_dtype(),
        **kwargs,
    )


def check(arr):
    expected = repr(torch.from_numpy(arr))
    got = ours(arr)
    assert got == expected, f"\n--- ours ---\n{got}\n--- torch ---\n{expected}"


@contextlib.contextmanager
def both_printoptions(**kwargs):
    """Apply the same print options to torch and to minitorch, restoring both afterwards."""
    old_torch = torch._tensor_str.get_printoptions()
    old_ours = ts.get_printoptions()
    torch.set_printoptions(**kwargs)
    ts.set_printoptions(**kwargs)
    try:
        yield
    finally:
        torch.set_printoptions(**old_torch)
        ts.set_printoptions(**old_ours)


# ---------------------------------------------------------------- strategies

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)

# floats spanning many magnitudes: "nice" values, integers, tiny/huge ones
_interesting = st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 1e-4, 123.456, 1000.0, 1e8, 1.5e8, 3e38,
     -2.5e-7, np.nan, np.inf, -np.inf]
)
_scaled = st.builds(
    lambda m, e: m * 10.0**e,
    st.floats(-10, 10, allow_nan=False),
    st.integers(-30, 30),
)


def float_elements(dtype):
    width = {np.float16: 16, np.float32: 32, np.float64: 64}[dtype]
    return st.one_of(
        st.floats(width=width),  # anything incl. nan/inf/subnormals
        st.integers(-(10**4), 10**4).map(float),  # int_mode
        _interesting,
        _scaled,
    )


@st.composite
def arrays(draw, dtypes=ALL_DTYPES, shape=shapes):
    dtype = draw(st.sampled_from(dtypes))
    shp = draw(shape)
    if dtype in FLOAT_DTYPES:
        with np.errstate(over="ignore"):
            arr = draw(hnp.arrays(np.float64, shp, elements=float_elements(dtype)))
            return arr.astype(dtype)
    return draw(hnp.arrays(dtype, shp))


@st.composite
def big_arrays(draw):
    """Arrays with more than 1000 elements (summarized), filled from a seeded RNG."""
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_]))
    shp = draw(
        st.sampled_from([(1001,), (2000,), (40, 30), (3, 400), (400, 3), (11, 11, 11), (2, 3, 13, 15)])
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "int", "huge"]))
    if dtype == np.bool_:
        return rng.random(shp) > 0.5
    if kind == "normal":
        arr = rng.standard_normal(shp)
    elif kind == "int" or dtype in (np.int64, np.int32):
        arr = rng.integers(-1000, 1000, shp)
    else:
        arr = rng.standard_normal(shp) * 10.0 ** rng.integers(-12, 12, shp)
    return arr.astype(dtype)


# ---------------------------------------------------------------- properties

@FAST
@given(arrays())
def test_matches_torch(arr):
    check(arr)


@FAST
@given(arrays(dtypes=[np.float32, np.float64]))
def test_matches_torch_floats(arr):
    check(arr)


@settings(max_examples=40, deadline=None)
@given(big_arrays())
def test_summarized(arr):
    check(arr)


@settings(max_examples=60, deadline=None)
@given(
    arrays(dtypes=[np.float32, np.float64, np.int64, np.int32],
           shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=40)),
)
def test_wide_rows(arr):
    check(arr)


@settings(max_examples=100, deadline=None)
@given(
    arrays(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12)),
    st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 10),
            "threshold": st.integers(0, 100),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(10, 150),
            "sci_mode": st.sampled_from([None, True, False]),
            "profile": st.sampled_from(["default", "short", "full"]),
        },
    ),
)
def test_printoptions(arr, opts):
    with both_printoptions(**opts):
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
        check(arr)


@settings(max_examples=60, deadline=None)
@given(arrays(dtypes=[np.float32, np.float64], shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)))
def test_autograd_suffixes(arr):
    t = torch.from_numpy(arr.copy())
    leaf = t.clone().requires_grad_()
    assert ours(arr, requires_grad=True) == repr(leaf)

    out = leaf * 2
    assert ours(out.detach().numpy(), requires_grad=True, grad_fn_name="MulBackward0") == repr(out)

    p = torch.nn.Parameter(t.clone())
    assert ours(arr, requires_grad=True, is_parameter=True) == repr(p)


# ---------------------------------------------------------------- examples

@pytest.mark.parametrize(
    "arr",
    [
        np.array(3.0, np.float32),
        np.array(-0.0, np.float64),
        np.array(7, np.int32),
        np.array(True),
        np.array([-0.0, 0.0], np.float32),
        np.array([np.nan, np.inf, -np.inf], np.float32),
        np.array([np.nan, 1.0, -np.inf]),
        np.array([1.5, np.nan, 1e-9]),
        np.array([1e-5, 1.0], np.float32),
        np.array([1.0, 1e9], np.float32),
        np.array([1.0, 1001.0], np.float32),
        np.array([1e300, 1e-300]),
        np.array([5e-324, 1.0]),
        np.array([np.finfo(np.float32).max, np.finfo(np.float32).tiny], np.float32),
        np.array([True, False, True]),
        np.array([-128, 127], np.int8),
        np.array([0, 255], np.uint8),
        np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max]),
        np.zeros(0, np.float32),
        np.zeros(0, np.int64),
        np.zeros((0,), np.bool_),
        np.zeros((2, 0), np.float32),
        np.zeros((0, 3, 1), np.int32),
        np.zeros((1, 1, 1, 1), np.float64),
        np.arange(1001, dtype=np.float32),
        np.arange(10000, dtype=np.int64).reshape(10, 10, 10, 10),
        np.linspace(-1e6, 1e6, 37),
        np.arange(100, dtype=np.int32) * 123456789,
        np.full((3, 50), -1.23456789e-3, np.float32),
        np.arange(24, dtype=np.float16).reshape(2, 3, 4) / 7,
    ],
    ids=lambda a: f"{a.dtype}{a.shape}",
)
def test_examples(arr):
    check(arr)


def test_device_suffix():
    arr = np.array([1.0, 2.0], np.float32)
    assert ts.tensor_repr(arr, "float32", is_default_float=True, device="cuda:0") == (
        "tensor([1., 2.], device='cuda:0')"
    )
    assert ts.tensor_repr(arr, "float32", is_default_float=True, device="cpu") == "tensor([1., 2.])"
    assert ts.tensor_repr(
        arr, "float32", is_default_float=True, device="cuda:0", grad_fn_name="MulBackward0"
    ) == "tensor([1., 2.], device='cuda:0', grad_fn=<MulBackward0>)"


def test_long_suffixes_wrap():
    arr = np.arange(50, dtype=np.float64) * 1.5
    t = torch.from_numpy(arr).requires_grad_()
    out = t.sum(0, keepdim=True) * t
    assert ours(out.detach().numpy(), grad_fn_name=type(out.grad_fn).__name__) == repr(out)


def test_default_dtype_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for arr in [np.array([1.5, 2.0]), np.array([1.5, 2.0], np.float32),
                    np.zeros((0, 2)), np.zeros(0, np.float32)]:
            check(arr)
    finally:
        torch.set_default_dtype(old)


def test_printoption_defaults_and_profiles():
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    for profile in ["short", "full", "default"]:
        with both_printoptions(profile=profile):
            assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
            check(np.arange(2000, dtype=np.float32) / 3)
    assert ts.get_printoptions() == {
        "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
    }


def test_printoptions_context_manager():
    with ts.printoptions(precision=2):
        assert ts.get_printoptions()["precision"] == 2
    assert ts.get_printoptions()["precision"] == 4
