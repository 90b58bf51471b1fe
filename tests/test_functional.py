"""``minitorch.nn.functional`` (all but convolution, pooling and losses) against torch.

Activations, softmax family, erf, linear, dropout, batch/layer/group norm,
one_hot, embedding, pad and friends: forward, gradients and double backward
on the same data in both engines, over shapes (size-0 and size-1 dims
included) and float32 / float64.
"""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt
import minitorch.nn.functional as F
from minitorch.ops.erf import erf_array, erfc_array
from harness import compare, assert_same, tol_for, to_numpy, torch_device

FLOATS = [np.float32, np.float64]
dtypes = st.sampled_from(FLOATS)
seeds = st.integers(0, 2 ** 31 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def data(shape, dtype, seed=0, scale=2.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def name_of(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---------------------------------------------------------------- pointwise activations
# (name, kwargs, torch supports double backward, our grad_fn name equals torch's)
ACTIVATIONS = [
    ("relu", {}, True), ("relu6", {}, True), ("leaky_relu", {}, True), ("leaky_relu", {"negative_slope": 0.2}, True),
    ("sigmoid", {}, True), ("tanh", {}, True), ("gelu", {}, True), ("gelu", {"approximate": "tanh"}, True),
    ("elu", {}, True), ("elu", {"alpha": 0.5}, True), ("selu", {}, True), ("celu", {"alpha": 1.5}, True),
    ("silu", {}, True), ("mish", {}, True), ("softplus", {}, True), ("softplus", {"beta": 2.0, "threshold": 3.0}, True),
    ("hardtanh", {}, True), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}, True), ("hardsigmoid", {}, False),
    ("hardswish", {}, True), ("logsigmoid", {}, True), ("softsign", {}, True), ("tanhshrink", {}, True),
    ("hardshrink", {}, True), ("softshrink", {"lambd": 0.3}, True), ("threshold", {"threshold": 0.5, "value": -2.0}, True),
]


# torch's CUDA kernels of these scale by ``1.0f / 6.0f``, a float32 constant, in float64 too (a relative error
# of 3e-8; aten/src/ATen/native/cuda/ActivationHard{sigmoid,swish}Kernel.cu): on a GPU torch's CPU is the reference
TORCH_CUDA_FLOAT32_SIXTH = {"hardsigmoid", "hardswish"}


def torch_activation(name, device):
    """torch's ``F.<name>``, run on torch's CPU (the gradient flows back through the copy) where its CUDA kernel
    is less exact than float64."""
    fn = getattr(TF, name)
    if name in TORCH_CUDA_FLOAT32_SIXTH and torch_device(device) != "cpu":
        return lambda a, **kw: fn(a.cpu(), **kw)
    return fn


@pytest.mark.parametrize("name, kw, gradgrad", ACTIVATIONS)
@given(shape=shapes, dtype=dtypes, seed=seeds)
def test_activations_match_torch(device, name, kw, gradgrad, shape, dtype, seed):
    x = data(shape, dtype, seed, 3.0)
    # float32 second derivatives cancel (1 - tanh^2 near saturation): compare them on the scale of the terms
    tfn = torch_activation(name, device)
    out_m, out_t = compare(lambda a: getattr(F, name)(a, **kw), [x], lambda a: tfn(a, **kw),
                           gradgrad=gradgrad, tol=tol_for(dtype, 2), gradgrad_tol=tol_for(dtype, 10), device=device)
    assert name_of(out_m) == name_of(out_t)


@pytest.mark.parametrize("name, kw, gradgrad", ACTIVATIONS)
def test_activations_at_their_kinks(device, name, kw, gradgrad):
    """Exactly at 0, +-1, +-3, 6, thresholds: the one-sided derivative torch picks."""
    x = np.array([-20.0, -6.0, -3.0, -1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 1.0, 2.0, 3.0, 6.0, 20.0, 30.0])
    tfn = torch_activation(name, device)
    compare(lambda a: getattr(F, name)(a, **kw), [x], lambda a: tfn(a, **kw), gradgrad=False, device=device)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_gelu_where_tanh_saturates(dtype):
    """x in [-9, -2]: t = tanh(u) is -1 to within rounding, so 1 + t and 1 - t^2 cancel; each point on its own
    (the bound scales with the values compared together). The composed float32 formula failed at most of them."""
    for x in np.linspace(-9.0, -2.0, 141).astype(dtype):
        compare(lambda a: F.gelu(a, approximate="tanh"), [np.array(x)],
                lambda a: TF.gelu(a, approximate="tanh"), gradgrad=True, tol=tol_for(dtype, 2),
                gradgrad_tol=tol_for(dtype, 10))


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "hardtanh", "silu",
                                  "hardsigmoid", "hardswish", "mish", "threshold"])
def test_inplace_activations(device, name):
    kw = {"threshold": 0.1, "value": 5.0} if name == "threshold" else {}
    x = data((3, 4), np.float64, 1)
    tdev = "cpu" if name in TORCH_CUDA_FLOAT32_SIXTH else torch_device(device)
    xm, xt = mt.tensor(x, device=device), torch.tensor(x, device=tdev)
    rm, rt = getattr(F, name)(xm, inplace=True, **kw), getattr(TF, name)(xt, inplace=True, **kw)
    assert rm is xm and rt is xt
    assert_same(xm, xt)
    # recorded in place on a non-leaf: gradients flow as in torch
    a_m, a_t = mt.tensor(x, requires_grad=True, device=device), torch.tensor(x, requires_grad=True, device=tdev)
    ym, yt = a_m * 2, a_t * 2
    getattr(F, name)(ym, inplace=True, **kw).sum().backward()
    getattr(TF, name)(yt, inplace=True, **kw).sum().backward()
    assert_same(a_m.grad, a_t.grad)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 3), dtypes, seeds, st.booleans())
def test_prelu_matches_torch(device, n, c, extra, dtype, seed, shared):
    shape = (n, c) + (3,) * extra
    w = np.abs(data((1 if shared else c,), dtype, seed + 1, 0.5))
    out_m, out_t = compare(F.prelu, [data(shape, dtype, seed), w], TF.prelu, tol=tol_for(dtype, 2), device=device)
    assert name_of(out_m) == name_of(out_t)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        F.prelu(mt.randn(2, 3, 4, device=device), mt.ones(2, device=device))


@given(st.integers(1, 3), st.integers(1, 3), dtypes, seeds)
def test_glu_matches_torch(device, n, half, dtype, seed):
    compare(lambda a: F.glu(a, 1), [data((n, 2 * half, 2), dtype, seed)], lambda a: TF.glu(a, 1), device=device)
    with pytest.raises(RuntimeError):
        F.glu(mt.randn(3, 3, device=device))


def test_activation_dtype_errors():
    with pytest.raises(NotImplementedError) as info:
        F.leaky_relu(mt.tensor([1, 2]))
    assert str(info.value) == "\"leaky_relu_cpu\" not implemented for 'Long'"
    with pytest.raises(RuntimeError) as info:
        F.gelu(mt.randn(3), approximate="foo")
    assert str(info.value) == "approximate argument must be either none or tanh."


# ---------------------------------------------------------------- softmax family
@given(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4), st.data(), dtypes, seeds)
def test_softmax_family_matches_torch(device, shape, draw, dtype, seed):
    dim = draw.draw(st.integers(-len(shape), len(shape) - 1))
    x = data(shape, dtype, seed, 3.0)
    for fm, ft in ((F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax), (F.softmin, TF.softmin)):
        out_m, out_t = compare(lambda a: fm(a, dim), [x], lambda a: ft(a, dim), tol=tol_for(dtype, 2), device=device)
        assert name_of(out_m) == name_of(out_t) or fm is F.softmin
    compare(lambda a: a.softmax(dim), [x], lambda a: a.softmax(dim), tol=tol_for(dtype, 2), device=device)
    compare(lambda a: a.log_softmax(dim=dim), [x], lambda a: a.log_softmax(dim=dim), tol=tol_for(dtype, 2),
            device=device)


@pytest.mark.parametrize("ndim, expected", [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_implicit_dim_warns_like_torch(device, ndim, expected):
    x = data((2,) * ndim, np.float64, 0)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        got = F.softmax(mt.tensor(x, device=device))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = TF.softmax(torch.tensor(x, device=torch_device(device)))
    assert_same(got, want)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        F.log_softmax(mt.tensor(x, device=device))


def test_softmax_dtype_argument_and_errors(device):
    x = data((3, 4), np.float32, 0)
    compare(lambda a: F.softmax(a, 1, dtype=mt.float64), [x], lambda a: TF.softmax(a, 1, dtype=torch.float64),
            device=device)
    compare(lambda a: F.log_softmax(a, 0, dtype=mt.float64), [x], lambda a: TF.log_softmax(a, 0, dtype=torch.float64),
            device=device)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(mt.randn(2, 3, device=device), 5)


# ---------------------------------------------------------------- erf
def erf_points(dtype):
    """A dense sweep of [-8, 8], tiny to large magnitudes, the algorithm's breakpoints, infinities and nan."""
    return np.concatenate([np.linspace(-8, 8, 20001), np.geomspace(1e-300, 30, 2000), -np.geomspace(1e-300, 30, 2000),
                           [0.0, -0.0, 0.46875, 4.0, 26.5, 30.0, np.inf, -np.inf, np.nan]]).astype(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_matches_torch_to_rounding(dtype):
    """The array kernels (the CPU ones; a device array takes the same code through its array module)."""
    x = erf_points(dtype)
    eps = np.finfo(dtype).eps
    for ours, theirs in ((erf_array, torch.erf), (erfc_array, torch.erfc)):
        a, b = ours(x), theirs(torch.from_numpy(x)).numpy()
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b, rtol=4 * eps, atol=np.finfo(dtype).tiny, equal_nan=True)
    ref = np.array([math.erf(v) for v in x.astype(np.float64)[:20001:7]])
    np.testing.assert_allclose(erf_array(x.astype(np.float64)[:20001:7]), ref, rtol=2 * np.finfo(float).eps, atol=1e-300)


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_ops_match_torch(device, dtype):
    x = erf_points(dtype)[::50]
    compare(lambda a: a.erf(), [x], lambda a: a.erf(), device=device)
    compare(lambda a: a.erfc(), [x], lambda a: a.erfc(), device=device)


# ---------------------------------------------------------------- linear and bilinear
@given(st.sampled_from([(), (1,), (3,), (2, 3), (0,)]), st.integers(1, 4), st.integers(1, 4), st.booleans(), dtypes,
       seeds)
def test_linear_matches_torch(device, lead, fin, fout, bias, dtype, seed):
    arrays = [data(lead + (fin,), dtype, seed), data((fout, fin), dtype, seed + 1)]
    if bias:
        arrays.append(data((fout,), dtype, seed + 2))
    out_m, out_t = compare(F.linear, arrays, TF.linear, tol=tol_for(dtype, 2), device=device)
    if len(lead) == 1:
        assert name_of(out_m) == name_of(out_t)
    compare(F.linear, arrays, TF.linear, tol=tol_for(dtype, 2), gradgrad=False, device=device)     # the array fast path


def test_linear_noncontiguous_and_errors(device):
    compare(F.linear, [data((5, 4), np.float64, 0), data((3, 4), np.float64, 1), data((3,), np.float64, 2)],
            TF.linear, noncontiguous=True, device=device)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x5\)"):
        F.linear(mt.randn(3, 4, device=device), mt.randn(5, 3, device=device))


def test_bilinear_matches_torch(device):
    compare(F.bilinear, [data((3, 4), np.float64, 0), data((3, 5), np.float64, 1), data((2, 4, 5), np.float64, 2),
                         data((2,), np.float64, 3)], TF.bilinear, device=device)


# ---------------------------------------------------------------- dropout
def test_dropout_eval_and_p0_are_identity(device):
    x = mt.randn(4, 5, requires_grad=True, device=device)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 1.0)
    assert y.device == x.device and (to_numpy(y) == 0).all()
    with pytest.raises(ValueError) as info:
        F.dropout(x, 1.5)
    assert str(info.value) == "dropout probability has to be between 0 and 1, but got 1.5"


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_dropout_scales_and_is_seeded(device, dtype):
    mt.manual_seed(0)
    x = mt.ones(200, 300, dtype=dtype, requires_grad=True, device=device)
    y = F.dropout(x, 0.3)
    kept = to_numpy(y) != 0
    assert y.dtype == dtype and y.device == x.device
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(to_numpy(y)[kept], 1 / 0.7, rtol=1e-6)
    y.backward(mt.ones_like(y))
    np.testing.assert_array_equal(to_numpy(x.grad), to_numpy(y))          # d y / d x = mask / (1 - p)
    assert name_of(y) == "MulBackward0"
    mt.manual_seed(0)
    again = F.dropout(mt.ones(200, 300, dtype=dtype, device=device), 0.3)
    np.testing.assert_array_equal(to_numpy(again), to_numpy(y))


def test_channel_dropout_and_inplace(device):
    mt.manual_seed(1)
    y = to_numpy(F.dropout2d(mt.ones(8, 16, 3, 3, device=device), 0.5))
    per_channel = y.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    z = to_numpy(F.dropout1d(mt.ones(4, 6, 5, device=device), 0.5))
    assert ((z == 0).all(-1) | (z == 2).all(-1)).all()
    x = mt.ones(50, 50, device=device)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert set(np.unique(to_numpy(x))) <= {0.0, 2.0}


# ---------------------------------------------------------------- normalisation
@given(st.sampled_from([(4, 3), (3, 2, 5), (2, 3, 4, 3), (5, 1), (3, 2, 1, 1)]), st.booleans(), st.booleans(),
       st.sampled_from([0.1, 0.5, 1.0]), dtypes, seeds)
def test_batch_norm_training_matches_torch(device, shape, affine, with_stats, momentum, dtype, seed):
    c = shape[1]
    x = data(shape, dtype, seed) + 1.5
    rng = np.random.default_rng(seed)
    stats = [rng.uniform(-1, 1, c).astype(dtype), rng.uniform(0.5, 2, c).astype(dtype)] if with_stats else [None, None]
    rm_m = [mt.tensor(s.copy(), device=device) if s is not None else None for s in stats]
    rm_t = [torch.tensor(s.copy(), device=torch_device(device)) if s is not None else None for s in stats]
    arrays = [x] + ([data((c,), dtype, seed + 1), data((c,), dtype, seed + 2)] if affine else [])
    fm = lambda a, *wb: F.batch_norm(a, rm_m[0], rm_m[1], *wb, training=True, momentum=momentum)
    ft = lambda a, *wb: TF.batch_norm(a, rm_t[0], rm_t[1], *wb, training=True, momentum=momentum)
    out_m, out_t = compare(fm, arrays, ft, tol=tol_for(dtype, 20), device=device)
    if torch_device(device) == device:     # (with the fake GPU, torch runs on the CPU: its CPU kernel's name)
        assert name_of(out_m) == name_of(out_t)    # on a GPU: CudnnBatchNormBackward0 where torch picks cuDNN
    if with_stats:     # compare ran each side once: the running statistics moved the same way
        assert rm_m[0].device == rm_m[1].device == out_m.device
        assert_same(rm_m[0], rm_t[0], tol_for(dtype, 10))
        assert_same(rm_m[1], rm_t[1], tol_for(dtype, 10))
    # without create_graph the backward takes its array fast path: same numbers
    compare(fm, arrays, ft, tol=tol_for(dtype, 20), gradgrad=False, device=device)


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 4, 3)])
def test_batch_norm_eval_and_running_updates(device, shape):
    c = shape[1]
    rng = np.random.default_rng(0)
    rm, rv = rng.uniform(-1, 1, c), rng.uniform(0.5, 2, c)
    x, w, b = data(shape, np.float64, 1), data((c,), np.float64, 2), data((c,), np.float64, 3)
    tdev = torch_device(device)

    def ours(a):
        return mt.tensor(a, device=device)

    def theirs(a):
        return torch.tensor(a, device=tdev)

    for gg in (True, False):
        compare(lambda a, ww, bb: F.batch_norm(a, ours(rm), ours(rv), ww, bb, False),
                [x, w, b], lambda a, ww, bb: TF.batch_norm(a, theirs(rm), theirs(rv), ww, bb, False),
                gradgrad=gg, device=device)
    stats_m, stats_t = (ours(rm), ours(rv)), (theirs(rm), theirs(rv))
    for step in range(3):
        xs = data(shape, np.float64, 10 + step)
        F.batch_norm(ours(xs), *stats_m, training=True, momentum=0.3)
        TF.batch_norm(theirs(xs), *stats_t, training=True, momentum=0.3)
    assert_same(list(stats_m), list(stats_t))


def test_batch_norm_errors_match_torch(device):
    def randn(*shape):
        return mt.randn(*shape, device=device)

    with pytest.raises(ValueError) as info:
        F.batch_norm(randn(1, 3), mt.zeros(3, device=device), mt.ones(3, device=device), training=True)
    assert str(info.value) == "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(randn(4, 3), None, None, training=False)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(randn(4, 3), mt.zeros(4, device=device), mt.ones(4, device=device), training=True)


@given(st.sampled_from([((3, 4, 5), (5,)), ((2, 3, 4), (3, 4)), ((4,), (4,))]), st.booleans(), dtypes, seeds)
def test_layer_norm_matches_torch(device, case, affine, dtype, seed):
    shape, norm = case
    arrays = [data(shape, dtype, seed)] + ([data(norm, dtype, seed + 1), data(norm, dtype, seed + 2)] if affine else [])
    compare(lambda a, *wb: F.layer_norm(a, norm, *wb), arrays, lambda a, *wb: TF.layer_norm(a, norm, *wb),
            tol=tol_for(dtype, 20), device=device)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm_matches_torch(device, groups):
    compare(lambda a, w, b: F.group_norm(a, groups, w, b), [data((2, 4, 3, 2), np.float64, 0),
                                                             data((4,), np.float64, 1), data((4,), np.float64, 2)],
            lambda a, w, b: TF.group_norm(a, groups, w, b), device=device)


def test_normalize_and_distances_match_torch(device):
    a, b = data((3, 4), np.float64, 0), data((3, 4), np.float64, 1)
    for p in (1.0, 2.0, 3.0):
        compare(lambda x: F.normalize(x, p=p, dim=1), [a], lambda x: TF.normalize(x, p=p, dim=1), device=device)
    compare(lambda x: F.normalize(x, dim=0), [a], lambda x: TF.normalize(x, dim=0), device=device)
    compare(lambda x, y: F.cosine_similarity(x, y), [a, b], lambda x, y: TF.cosine_similarity(x, y), device=device)
    compare(lambda x, y: F.pairwise_distance(x, y), [a, b], lambda x, y: TF.pairwise_distance(x, y), device=device)


# ---------------------------------------------------------------- encodings, lookups, padding, flatten
def test_one_hot_matches_torch(device):
    def tensor(data, **kw):
        return mt.tensor(data, device=device, **kw)

    t = np.array([[0, 2], [1, 4]])
    for n in (-1, 5, 7):
        assert_same(F.one_hot(tensor(t), n), TF.one_hot(torch.tensor(t, device=torch_device(device)), n))
    cases = [
        (lambda: F.one_hot(tensor([1, 2, -1])), "Class values must be non-negative."),
        (lambda: F.one_hot(tensor([1, 2, 3]), 3), "Class values must be smaller than num_classes."),
        (lambda: F.one_hot(tensor([1.0, 2.0]), 3), "one_hot is only applicable to index tensor of type LongTensor."),
        (lambda: F.one_hot(tensor([], dtype=mt.long)), "Can not infer total number of classes from empty tensor."),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == msg


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding_matches_torch(device, kw):
    idx = np.array([[1, 3, 1], [0, 4, 1]])
    w = data((5, 3), np.float64, 0)
    # torch's double backward forgets the 1/frequency scale; ours is the exact adjoint, so skip that check there
    out_m, out_t = compare(lambda i, ww: F.embedding(i, ww, **kw), [idx, w],
                           lambda i, ww: TF.embedding(i, ww, **kw), requires_grad=[False, True],
                           gradgrad=not kw.get("scale_grad_by_freq"), device=device)
    assert name_of(out_m) == name_of(out_t)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(mt.tensor([1, 7], device=device), mt.randn(5, 3, device=device))


def test_embedding_max_norm_renormalises_like_torch(device):
    idx = np.array([0, 2, 2])
    w = data((4, 3), np.float64, 0, 3.0)
    tdev = torch_device(device)
    wm, wt = mt.tensor(w, requires_grad=False, device=device), torch.tensor(w, device=tdev)
    assert_same(F.embedding(mt.tensor(idx, device=device), wm, max_norm=1.0),
                TF.embedding(torch.tensor(idx, device=tdev), wt, max_norm=1.0))
    assert_same(wm, wt)


@pytest.mark.parametrize("pad, mode, value", [
    ((1, 2), "constant", None), ((1, 2, 0, 1), "constant", 3.5), ((-1, 2), "constant", None),
    ((1, 1, -1, 2), "constant", 0.0), ((2, 1, 1, 2), "reflect", None), ((1, 2), "replicate", None),
    ((2, 1, 1, 0), "replicate", None), ((3, 2), "circular", None), ((1, 1, 2, 0), "circular", None),
])
def test_pad_matches_torch(device, pad, mode, value):
    x = data((2, 3, 4, 5) if len(pad) == 4 or mode == "constant" else (3, 4, 5), np.float64, 0)
    kw = dict(mode=mode) if value is None else dict(mode=mode, value=value)
    compare(lambda a: F.pad(a, pad, **kw), [x], lambda a: TF.pad(a, pad, **kw), device=device)


def test_pad_errors_match_torch(device):
    x = mt.randn(2, 3, 4, 5, device=device)
    with pytest.raises(RuntimeError) as info:
        F.pad(x, (1, 2, 3))
    assert str(info.value) == "Padding length must be divisible by 2"
    with pytest.raises(RuntimeError) as info:
        F.pad(x, (1,) * 10)
    assert str(info.value) == ("Padding length should be less than or equal to two times the input dimension but got "
                               "padding length 10 and input of dimension 4")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input tensor."):
        F.pad(x, (1, 1), mode="reflect")


def test_flatten_and_methods(device):
    x = data((2, 3, 4), np.float64, 0)
    compare(lambda a: F.flatten(a, 1), [x], lambda a: torch.flatten(a, 1), device=device)
    compare(lambda a, w: a.prelu(w), [x, np.array([0.25, 0.5, 0.1])], lambda a, w: a.prelu(w), device=device)
    compare(lambda a: a.hardshrink(0.3), [x], lambda a: a.hardshrink(0.3), device=device)


# ---------------------------------------------------------------- device dispatch (fake cupy)
FUNCTIONAL_ON_DEVICE = {
    "conv2d": (lambda x, w: F.conv2d(x, w, padding=1, groups=2), [(2, 4, 6, 5), (4, 2, 3, 3)]),
    "conv2d_s2": (lambda x, w: F.conv2d(x, w, stride=2, dilation=(1, 2)), [(2, 4, 7, 9), (3, 4, 2, 2)]),
    "conv1d": (lambda x, w: F.conv1d(x, w, padding="same"), [(2, 3, 7), (4, 3, 4)]),
    "max_pool": (lambda x: F.max_pool2d(x, 2) + F.max_pool2d(x, 3, 2, 1, ceil_mode=True)[..., :2, :2], [(2, 3, 4, 4)]),
    "avg_pool": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [(2, 3, 5, 6)]),
    "adaptive": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)).sum() + F.adaptive_max_pool2d(x, 2).sum(), [(2, 3, 5, 7)]),
    "linear": (lambda x, w: F.linear(x, w), [(3, 4), (5, 4)]),
    "softmax": (lambda x: F.softmax(x, 1) * F.log_softmax(x, 0), [(3, 4)]),
    "activations": (lambda x: F.gelu(x) + F.elu(x) + F.silu(x) + F.softplus(x) + F.leaky_relu(x) + F.hardswish(x)
                    + F.mish(x) + F.logsigmoid(x), [(3, 4)]),
    "layer_norm": (lambda x: F.layer_norm(x, (4,)), [(3, 4)]),
    "batch_norm": (lambda x: F.batch_norm(x, mt.zeros(3, device=x.device), mt.ones(3, device=x.device),
                                          training=True), [(4, 3, 2)]),
    "pad": (lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"), [(1, 2, 4, 4)]),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL_ON_DEVICE))
def test_functional_dispatches_through_the_array_module(fake_cuda, name):
    fn, shapes_ = FUNCTIONAL_ON_DEVICE[name]
    arrays = [data(s, np.float64, i) for i, s in enumerate(shapes_)]
    results = {}
    for dev in ("cpu", "cuda"):
        ins = [mt.tensor(a, device=dev, requires_grad=True) for a in arrays]
        out = fn(*ins)
        (out * out).sum().backward()
        assert type(out._data) is not np.ndarray or dev == "cpu"
        results[dev] = [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in ins]
    for a, b in zip(results["cpu"], results["cuda"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_losses_dispatch_through_the_array_module(fake_cuda):
    x, t = data((4, 5), np.float64, 0), np.array([0, 3, -100, 4])
    p = np.random.default_rng(1).uniform(0.1, 0.9, (4, 5))
    for dev in ("cpu", "cuda"):
        xm = mt.tensor(x, device=dev, requires_grad=True)
        tm = mt.tensor(t, device=dev)
        pm = mt.tensor(p, device=dev)
        w = mt.tensor(np.linspace(0.5, 1.5, 5), device=dev)
        loss = (F.cross_entropy(xm, tm, weight=w, label_smoothing=0.1) + F.nll_loss(xm, tm)
                + F.mse_loss(xm, pm) + F.binary_cross_entropy(xm.sigmoid(), pm)
                + F.binary_cross_entropy_with_logits(xm, pm, pos_weight=w) + F.smooth_l1_loss(xm, pm)
                + F.cross_entropy(xm, pm.softmax(1)))
        loss.backward()
        if dev == "cpu":
            ref = (loss.item(), xm.grad.numpy())
        else:
            np.testing.assert_allclose(loss.item(), ref[0], rtol=1e-12)
            np.testing.assert_allclose(xm.grad.cpu().numpy(), ref[1], rtol=1e-12, atol=1e-14)
    mt.manual_seed(0)
    d = F.dropout(mt.ones(10, 10, device="cuda"), 0.5)
    assert d.device.type == "cuda" and set(np.unique(d.cpu().numpy())) <= {0.0, 2.0}
