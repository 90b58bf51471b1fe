"""Every ``minitorch.nn`` layer against its torch twin.

For each layer: build it in both libraries with the same arguments, copy torch's weights across
(``state_dict`` through numpy), then compare ``repr``, ``state_dict`` keys/shapes/dtypes, the output,
the input gradients and double backward (harness ``compare``), and the parameter gradients.
"""
import copy
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
import strategies  # noqa: F401  (installs the harness's ZeroTensor workaround for torch's double backward)
from harness import assert_same, compare, to_numpy, tol_for, torch_device

F_MT = mt.nn.functional


def copy_weights(src, dst):
    sd = OrderedDict((k, mt.from_numpy(v.detach().cpu().numpy().copy())) for k, v in src.state_dict().items())
    dst.load_state_dict(sd)


def state_shapes(module):
    return [(k, tuple(v.shape), str(v.dtype)) for k, v in module.state_dict().items()]


def twins(factory, dtype=np.float32, device="cpu"):
    """The layer built by ``factory(nn)`` in torch and in minitorch, with torch's weights in both, on ``device``."""
    torch.manual_seed(0)
    t = factory(torch.nn)
    m = factory(mt.nn)
    assert repr(m) == repr(t)
    assert state_shapes(m) == state_shapes(t)
    if dtype == np.float64:
        t.double()
        m.double()
    copy_weights(t, m)
    t.to(torch_device(device))
    m.to(device)
    return t, m


def check_layer(factory, shapes, dtype=np.float32, seed=0, gradgrad=True, tol=None, train=True, arrays=None,
                requires_grad=None, grad_tol=None, device="cpu"):
    """Outputs, input grads, double backward and parameter grads of the twins agree (on ``device``)."""
    t, m = twins(factory, dtype, device)
    t.train(train)
    m.train(train)
    rng = np.random.default_rng(seed)
    if arrays is None:
        arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    t64 = reference_twin(t) if dtype == np.float32 else None
    compare(lambda *xs: m(*xs), arrays, torch_fn=lambda *xs: t(*xs), gradgrad=gradgrad, tol=tol,
            requires_grad=requires_grad, grad_tol=grad_tol, device=device,
            torch_ref_fn=t64 and (lambda *xs: t64(*xs)))
    check_param_grads(t, m, arrays, rng, tol, device, t64)
    return t, m


def reference_twin(t):
    """A float64 copy of torch module ``t``: the reference its float32 results are measured against (harness.py)."""
    return copy.deepcopy(t).double()


def check_param_grads(t, m, arrays, rng, tol=None, device="cpu", t64=None):
    """Parameter gradients of the twins agree (float32 ones against ``t64``, the float64 twin, as in harness.py)."""
    params_t = [p for p in t.parameters() if p.requires_grad]
    if not params_t:
        return
    tdev = torch_device(device)
    out_t = t(*[torch.from_numpy(a.copy()).to(tdev) for a in arrays])
    out_m = m(*[mt.from_numpy(a.copy()).to(device) for a in arrays])
    up = rng.standard_normal(tuple((out_t[0] if isinstance(out_t, tuple) else out_t).shape))
    runs = [(out_t, torch.from_numpy), (out_m, mt.from_numpy)]
    if t64 is not None:
        out_r = t64(*[torch.from_numpy(a.astype(np.float64) if a.dtype == np.float32 else a.copy()).to(tdev)
                      for a in arrays])
        runs.append((out_r, torch.from_numpy))
    for out, from_numpy in runs:
        out = out[0] if isinstance(out, tuple) else out
        out.backward(from_numpy(up.astype(to_numpy(out).dtype)).to(tdev if from_numpy is torch.from_numpy else device))
    refs = dict(t64.named_parameters()) if t64 is not None else {}
    grads_m, grads_t, grads_r, names = [], [], [], []
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), t.named_parameters()):
        assert n1 == n2
        assert p1.grad.device == p1.device, f"grad of {n1} on {p1.grad.device}, its parameter on {p1.device}"
        names.append(n1)
        grads_m.append(p1.grad)
        grads_t.append(p2.grad)
        grads_r.append(refs[n1].grad if n1 in refs else None)
    assert_same(grads_m, grads_t, tol, f"grads of {names}", grads_r if t64 is not None else None)


def same_error(fn, exc=Exception):
    errors = {}
    for name, lib in (("torch", torch), ("mt", mt)):
        with pytest.raises(exc) as info:
            fn(lib)
        errors[name] = info.value
    assert type(errors["mt"]) is type(errors["torch"])
    assert str(errors["mt"]) == str(errors["torch"])


# ---------------------------------------------------------------- Linear / Bilinear / Identity / Flatten
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5), (5,), (1, 5)])
def test_linear(shape, bias, dtype, device):
    check_layer(lambda nn: nn.Linear(5, 3, bias=bias), [shape], dtype, device=device)


@given(fin=st.integers(1, 6), fout=st.integers(1, 6), batch=st.integers(1, 4), bias=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_linear_shapes(fin, fout, batch, bias, dtype, device):
    check_layer(lambda nn: nn.Linear(fin, fout, bias), [(batch, fin)], dtype, gradgrad=False, device=device)


def test_linear_dtype_device_kwargs(device):
    m = mt.nn.Linear(3, 2, dtype=mt.float64, device=device)
    t = torch.nn.Linear(3, 2, dtype=torch.float64, device=torch_device(device))
    assert [(n, p.dtype.__repr__()) for n, p in m.named_parameters()] == \
        [(n, repr(p.dtype)) for n, p in t.named_parameters()]
    assert all(p.device.type == device for p in m.parameters())


def test_linear_wrong_features_error():
    same_error(lambda lib: lib.nn.Linear(4, 2)(lib.ones(3, 5)), RuntimeError)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias, device):
    check_layer(lambda nn: nn.Bilinear(3, 4, 2, bias=bias), [(5, 3), (5, 4)], np.float64, device=device)


@pytest.mark.parametrize("factory,shape", [
    (lambda nn: nn.Identity(), (2, 3)),
    (lambda nn: nn.Identity(54, unused_argument1=0.1, unused_argument2=False), (2, 3)),
    (lambda nn: nn.Flatten(), (2, 3, 4, 5)),
    (lambda nn: nn.Flatten(0, -1), (2, 3, 4)),
    (lambda nn: nn.Flatten(1, 2), (2, 3, 4, 5)),
    (lambda nn: nn.Unflatten(1, (2, 3)), (4, 6, 5)),
    (lambda nn: nn.Unflatten(-1, [2, 2]), (4, 4)),
])
def test_shape_layers(factory, shape, device):
    check_layer(factory, [shape], np.float64, device=device)


# ---------------------------------------------------------------- convolutions
def test_conv2d_lenet_layer(device):
    check_layer(lambda nn: nn.Conv2d(3, 6, 5), [(2, 3, 12, 12)], gradgrad=False, device=device)


@pytest.mark.parametrize("kwargs", [
    dict(stride=2), dict(padding=1), dict(padding=(2, 1)), dict(padding="same"), dict(padding="valid"),
    dict(dilation=2), dict(groups=2), dict(bias=False), dict(stride=(2, 1), padding=1, dilation=(1, 2)),
    dict(padding="same", dilation=2, kernel_size=(2, 3)),
])
def test_conv2d_args(kwargs, device):
    kwargs = dict(kwargs)
    k = kwargs.pop("kernel_size", 3)
    check_layer(lambda nn: nn.Conv2d(4, 6, k, **kwargs), [(2, 4, 7, 8)], np.float64, device=device)


@given(cin=st.integers(1, 3), cout=st.integers(1, 3), groups=st.sampled_from([1, 2]), k=st.integers(1, 3),
       stride=st.integers(1, 2), padding=st.integers(0, 2), dilation=st.integers(1, 2), bias=st.booleans(),
       hw=st.tuples(st.integers(5, 7), st.integers(5, 7)), batch=st.integers(1, 2),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_conv2d_hypothesis(cin, cout, groups, k, stride, padding, dilation, bias, hw, batch, dtype, device):
    cin, cout = cin * groups, cout * groups
    check_layer(lambda nn: nn.Conv2d(cin, cout, k, stride, padding, dilation, groups, bias),
                [(batch, cin) + hw], dtype, gradgrad=False, device=device)


def test_conv2d_unbatched_input(device):
    check_layer(lambda nn: nn.Conv2d(2, 3, 3, padding=1), [(2, 5, 5)], np.float64, gradgrad=False, device=device)


def test_conv2d_wrong_channels_error():
    same_error(lambda lib: lib.nn.Conv2d(3, 6, 5)(lib.ones(1, 4, 32, 32)), RuntimeError)


def test_conv2d_padding_modes_repr():
    for mode in ("reflect", "replicate", "circular"):
        assert repr(mt.nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode)) == \
            repr(torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode))


def test_conv2d_non_zero_padding_mode(device):
    conv = mt.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect").to(device)
    if hasattr(F_MT, "pad"):
        check_layer(lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [(1, 2, 5, 5)], np.float64,
                    gradgrad=False, device=device)
    else:
        with pytest.raises(NotImplementedError, match="padding_mode='reflect'"):
            conv(mt.ones(1, 2, 5, 5, device=device))


@pytest.mark.skipif(not hasattr(F_MT, "conv1d"), reason="minitorch.nn.functional has no conv1d")
@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2, padding=1), dict(dilation=2, bias=False),
                                    dict(groups=2, padding="same")])
def test_conv1d(kwargs, device):
    check_layer(lambda nn: nn.Conv1d(4, 6, 3, **kwargs), [(2, 4, 9)], np.float64, gradgrad=False, device=device)


# ---------------------------------------------------------------- pooling
@pytest.mark.parametrize("factory,shape", [
    (lambda nn: nn.MaxPool2d(2, 2), (2, 3, 8, 8)),
    (lambda nn: nn.MaxPool2d(2), (1, 2, 7, 7)),
    (lambda nn: nn.MaxPool2d(3, stride=2, padding=1), (2, 2, 9, 8)),
    (lambda nn: nn.MaxPool2d((2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True), (1, 2, 9, 9)),
    (lambda nn: nn.MaxPool2d(2, 2), (3, 6, 6)),
    (lambda nn: nn.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda nn: nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 9)),
    (lambda nn: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 2, 8, 8)),
    (lambda nn: nn.AvgPool2d((2, 3), divisor_override=4), (1, 2, 6, 6)),
    (lambda nn: nn.AdaptiveAvgPool2d((5, 7)), (2, 3, 8, 9)),
    (lambda nn: nn.AdaptiveAvgPool2d(1), (2, 3, 5, 4)),
    (lambda nn: nn.AdaptiveAvgPool2d((None, 3)), (1, 2, 5, 7)),
    (lambda nn: nn.AdaptiveAvgPool2d(3), (2, 7, 7)),
])
def test_pooling(factory, shape, device):
    check_layer(factory, [shape], np.float64, device=device)


def test_maxpool_return_indices(device):
    t, m = twins(lambda nn: nn.MaxPool2d(2, 2, return_indices=True), device=device)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    (om, im), (ot, it) = m(mt.from_numpy(x).to(device)), t(torch.from_numpy(x).to(torch_device(device)))
    assert om.device == im.device == mt.from_numpy(x).to(device).device
    assert_same(om, ot)
    assert_same(im, it)


# ---------------------------------------------------------------- batch norm
BN_CASES = [
    (lambda nn: nn.BatchNorm1d(4), (8, 4)),
    (lambda nn: nn.BatchNorm1d(4), (6, 4, 5)),
    (lambda nn: nn.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3, momentum=None), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3, affine=False), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm1d(3, affine=False, track_running_stats=False), (5, 3)),
]


@pytest.mark.parametrize("factory,shape", BN_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_train_then_eval(factory, shape, dtype, device):
    t, m = twins(factory, dtype, device)
    t64 = reference_twin(t)             # float32 runs are measured against it; it trains in step with t
    rng = np.random.default_rng(1)
    tol = tol_for(dtype, 10)
    for step in range(4):                                   # several training steps: running stats follow
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(dtype)
        compare(lambda a: m(a), [x], torch_fn=lambda a: t(a), gradgrad=(step == 0), tol=tol, device=device,
                torch_ref_fn=lambda a: t64(a))
        ref = list(t64.state_dict().values()) if dtype == np.float32 else None
        assert_same(list(m.state_dict().values()), list(t.state_dict().values()), tol, "state", ref)
        for k, a in m.state_dict().items():
            assert a.device.type == mt.device(device).type, f"{k} left {device}"
    check_param_grads(t, m, [x], rng, tol, device, t64 if dtype == np.float32 else None)
    t.eval()
    m.eval()
    t64.eval()
    x = rng.standard_normal(shape).astype(dtype)
    compare(lambda a: m(a), [x], torch_fn=lambda a: t(a), tol=tol, device=device, torch_ref_fn=lambda a: t64(a))
    check_param_grads(t, m, [x], rng, tol, device, t64 if dtype == np.float32 else None)
    before = [to_numpy(v).copy() for v in m.state_dict().values()]
    m(mt.from_numpy(x).to(device))
    assert all(np.array_equal(a, to_numpy(b)) for a, b in zip(before, m.state_dict().values()))  # eval: frozen


def test_batchnorm_num_batches_tracked_dtype_and_buffers(device):
    m = mt.nn.BatchNorm2d(3).to(device)
    assert m.num_batches_tracked.dtype == mt.int64 and m.num_batches_tracked.dim() == 0
    for _ in range(3):
        m(mt.randn(2, 3, 2, 2, device=device))
    assert all(b.device.type == mt.device(device).type for b in m.buffers())
    assert int(m.num_batches_tracked) == 3
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in torch.nn.BatchNorm2d(3).named_buffers()]
    m.reset_running_stats()
    assert int(m.num_batches_tracked) == 0 and float(m.running_var.sum()) == 3.0


@pytest.mark.parametrize("factory,shape", [
    (lambda lib: lib.nn.BatchNorm1d(3), (2, 3, 4, 5)),
    (lambda lib: lib.nn.BatchNorm1d(3), (3,)),
    (lambda lib: lib.nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda lib: lib.nn.BatchNorm2d(3), (2, 3, 4, 4, 1)),
])
def test_batchnorm_input_dim_errors(factory, shape):
    same_error(lambda lib: factory(lib)(lib.ones(*shape)), ValueError)


def test_batchnorm_repr_args():
    for kw in (dict(), dict(eps=1e-3, momentum=None, affine=False, track_running_stats=False),
               dict(momentum=0.5, bias=False)):
        assert repr(mt.nn.BatchNorm1d(7, **kw)) == repr(torch.nn.BatchNorm1d(7, **kw))
        assert repr(mt.nn.BatchNorm2d(7, **kw)) == repr(torch.nn.BatchNorm2d(7, **kw))


@pytest.mark.parametrize("factory,shape", [
    (lambda nn: nn.LayerNorm(5), (3, 5)),
    (lambda nn: nn.LayerNorm([4, 5], eps=1e-3), (2, 3, 4, 5)),
    (lambda nn: nn.LayerNorm(5, elementwise_affine=False), (2, 5)),
    (lambda nn: nn.LayerNorm(5, bias=False), (2, 5)),
    (lambda nn: nn.GroupNorm(2, 6), (3, 6, 4, 4)),
    (lambda nn: nn.GroupNorm(3, 6, affine=False), (2, 6, 5)),
])
def test_layernorm_groupnorm(factory, shape, device):
    x = np.random.default_rng(0).standard_normal(shape) * 2 + 1
    check_layer(factory, [shape], np.float64, arrays=[x], tol=tol_for(np.float64, 100), device=device)


def test_groupnorm_divisibility_error():
    same_error(lambda lib: lib.nn.GroupNorm(4, 6), ValueError)


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_dropout_train_statistics_and_eval(p, device):
    mt.manual_seed(0)
    d = mt.nn.Dropout(p)
    x = mt.ones(200, 100, device=device, requires_grad=True)
    y = d(x)
    vals = to_numpy(y.detach())
    kept = vals != 0
    if p < 1:
        np.testing.assert_allclose(vals[kept], 1 / (1 - p), rtol=1e-6)
    n = vals.size
    assert abs((~kept).mean() - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12
    y.backward(mt.ones_like(y))
    np.testing.assert_allclose(to_numpy(x.grad), vals, rtol=1e-6)    # d(x*mask/(1-p))/dx = mask/(1-p)
    assert y.device == x.grad.device == x.device
    d.eval()
    x2 = mt.randn(4, 5, device=device)
    assert np.array_equal(to_numpy(d(x2)), to_numpy(x2))
    assert repr(d) == repr(torch.nn.Dropout(p))


def test_dropout_eval_identity_in_model(device):
    t, m = twins(lambda nn: nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2)),
                 device=device)
    t.eval()
    m.eval()
    compare(lambda a: m(a), [np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)],
            torch_fn=lambda a: t(a), device=device)


@pytest.mark.skipif(not hasattr(F_MT, "dropout2d"), reason="minitorch.nn.functional has no dropout2d")
def test_dropout2d_zeroes_whole_channels(device):
    mt.manual_seed(0)
    d = mt.nn.Dropout2d(0.5)
    y = to_numpy(d(mt.ones(50, 40, 3, 3, device=device)))
    per_channel = y.reshape(50, 40, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.35 < (per_channel == 0).all(-1).mean() < 0.65
    d.eval()
    assert np.array_equal(to_numpy(d(mt.ones(2, 3, 2, 2, device=device))), np.ones((2, 3, 2, 2), np.float32))
    assert repr(mt.nn.Dropout2d(0.2, inplace=True)) == repr(torch.nn.Dropout2d(0.2, inplace=True))


# ---------------------------------------------------------------- activations
ACTIVATIONS = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(),
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.LeakyReLU(0.1, inplace=True),
    lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3, init=0.1), lambda nn: nn.ELU(), lambda nn: nn.ELU(alpha=0.5),
    lambda nn: nn.GELU(), lambda nn: nn.GELU(approximate="tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Sigmoid(),
    lambda nn: nn.Tanh(), lambda nn: nn.Softmax(dim=1), lambda nn: nn.Softmax(dim=-1),
    lambda nn: nn.LogSoftmax(dim=1), lambda nn: nn.LogSoftmax(dim=0), lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(beta=2, threshold=3), lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2.0, 0.5),
]


@pytest.mark.parametrize("i", range(len(ACTIVATIONS)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations(i, dtype, device):
    factory = ACTIVATIONS[i]
    x = np.random.default_rng(i).standard_normal((2, 3, 4)).astype(dtype) * 3
    x[0, 0, :2] = [0.5, -0.25]
    t, m = twins(factory, dtype, device)
    if "inplace=True" in repr(t):
        # in-place on a leaf is refused: run on a non-leaf copy in both libraries
        compare(lambda a: m(a * 1), [x], torch_fn=lambda a: t(a * 1), device=device)
    else:
        check_layer(factory, [x.shape], dtype, arrays=[x], device=device)


EXTRA_ACTIVATIONS = [
    ("celu", lambda nn: nn.CELU(0.7)), ("selu", lambda nn: nn.SELU()), ("mish", lambda nn: nn.Mish()),
    ("softsign", lambda nn: nn.Softsign()), ("logsigmoid", lambda nn: nn.LogSigmoid()),
    ("hardsigmoid", lambda nn: nn.Hardsigmoid()), ("hardswish", lambda nn: nn.Hardswish()),
    ("tanhshrink", lambda nn: nn.Tanhshrink()), ("softshrink", lambda nn: nn.Softshrink(0.3)),
    ("hardshrink", lambda nn: nn.Hardshrink(0.3)), ("glu", lambda nn: nn.GLU(1)),
    ("softmin", lambda nn: nn.Softmin(1)), ("threshold", lambda nn: nn.Threshold(0.1, 20.0)),
]


@pytest.mark.parametrize("fname,factory", EXTRA_ACTIVATIONS, ids=[n for n, _ in EXTRA_ACTIVATIONS])
def test_extra_activations(fname, factory, device):
    assert repr(factory(mt.nn)) == repr(factory(torch.nn))
    assert hasattr(F_MT, fname), f"minitorch.nn.functional has no {fname}"
    x = np.random.default_rng(0).standard_normal((2, 4, 3)) * 2
    # torch computes some of these gradients with float32 constants (e.g. hardsigmoid's 1.0f / 6.0f), even in
    # float64: the module test only checks the delegation, the functional tests own the last bits
    check_layer(factory, [x.shape], np.float64, arrays=[x], grad_tol=tol_for(np.float32),
                gradgrad=fname != "hardsigmoid",     # torch: "derivative for hardsigmoid_backward is not implemented"
                device=device)


def test_softmax2d(device):
    check_layer(lambda nn: nn.Softmax2d(), [(2, 3, 4, 4)], np.float64, device=device)
    same_error(lambda lib: lib.nn.Softmax2d()(lib.ones(2, 3)), ValueError)


@pytest.mark.parametrize("factory", [
    lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(inplace=True), lambda nn: nn.ELU(1.5, inplace=True),
    lambda nn: nn.Hardtanh(-3.0, 2.0, inplace=True), lambda nn: nn.SiLU(inplace=True), lambda nn: nn.Softmax(),
    lambda nn: nn.LogSoftmax(2), lambda nn: nn.GELU("tanh"), lambda nn: nn.PReLU(num_parameters=5),
    lambda nn: nn.Softplus(0.5, 7), lambda nn: nn.Unflatten(2, (1, 3)), lambda nn: nn.Flatten(2, 3),
    lambda nn: nn.MaxPool2d((3, 2), (1, 2), 1, 2, True, True), lambda nn: nn.AvgPool2d(3, 1, 1, True, False, 2),
    lambda nn: nn.AdaptiveAvgPool2d((4, None)), lambda nn: nn.Conv2d(4, 8, (3, 5), (2, 1), (1, 2), (1, 2), 2, False),
    lambda nn: nn.Conv2d(2, 2, 3, padding="same"), lambda nn: nn.Linear(3, 4, bias=False),
    lambda nn: nn.Bilinear(2, 3, 4, False), lambda nn: nn.Dropout(p=0.25, inplace=True),
    lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1), lambda nn: nn.BCEWithLogitsLoss(),
    lambda nn: nn.Conv1d(2, 4, 3, stride=2, padding_mode="circular"),
])
def test_non_default_repr(factory):
    assert repr(factory(mt.nn)) == repr(factory(torch.nn))


# ---------------------------------------------------------------- losses
def _targets(rng, n, c, ignore=None):
    t = rng.integers(0, c, n)
    if ignore is not None:
        t[::3] = ignore
    return t


LOSS_CASES = {
    "ce": (lambda nn: nn.CrossEntropyLoss(), "class"),
    "ce_sum": (lambda nn: nn.CrossEntropyLoss(reduction="sum"), "class"),
    "ce_none": (lambda nn: nn.CrossEntropyLoss(reduction="none"), "class"),
    "ce_weight": (lambda nn: nn.CrossEntropyLoss(weight=_LIB_TENSOR(nn, [1.0, 2.0, 0.5, 1.5])), "class"),
    "ce_ignore": (lambda nn: nn.CrossEntropyLoss(ignore_index=1), "class"),
    "ce_ignore_neg": (lambda nn: nn.CrossEntropyLoss(ignore_index=-100), "class_ignored"),
    "ce_smooth": (lambda nn: nn.CrossEntropyLoss(label_smoothing=0.2), "class"),
    "ce_smooth_weight": (lambda nn: nn.CrossEntropyLoss(weight=_LIB_TENSOR(nn, [1.0, 2.0, 0.5, 1.5]),
                                                        label_smoothing=0.1), "class"),
    "ce_probs": (lambda nn: nn.CrossEntropyLoss(), "probs"),
    "ce_probs_smooth": (lambda nn: nn.CrossEntropyLoss(label_smoothing=0.3, reduction="sum"), "probs"),
    "ce_spatial": (lambda nn: nn.CrossEntropyLoss(), "spatial"),
    "nll": (lambda nn: nn.NLLLoss(), "logprob"),
    "nll_weight_sum": (lambda nn: nn.NLLLoss(weight=_LIB_TENSOR(nn, [1.0, 2.0, 0.5, 1.5]), reduction="sum"),
                       "logprob"),
    "nll_ignore": (lambda nn: nn.NLLLoss(ignore_index=2, reduction="none"), "logprob"),
    "mse": (lambda nn: nn.MSELoss(), "same"),
    "mse_sum": (lambda nn: nn.MSELoss(reduction="sum"), "same"),
    "mse_none": (lambda nn: nn.MSELoss(reduction="none"), "same"),
    "l1": (lambda nn: nn.L1Loss(), "same"),
    "l1_none": (lambda nn: nn.L1Loss(reduction="none"), "same"),
    "smoothl1": (lambda nn: nn.SmoothL1Loss(), "same"),
    "smoothl1_beta": (lambda nn: nn.SmoothL1Loss(beta=0.5, reduction="sum"), "same"),
    "bce": (lambda nn: nn.BCELoss(), "prob"),
    "bce_weight": (lambda nn: nn.BCELoss(weight=_LIB_TENSOR(nn, [0.5, 1.0, 2.0, 1.0]), reduction="sum"), "prob"),
    "bcelogits": (lambda nn: nn.BCEWithLogitsLoss(), "logit"),
    "bcelogits_pos": (lambda nn: nn.BCEWithLogitsLoss(pos_weight=_LIB_TENSOR(nn, [1.0, 3.0, 0.5, 2.0]),
                                                      reduction="none"), "logit"),
    "bcelogits_weight": (lambda nn: nn.BCEWithLogitsLoss(weight=_LIB_TENSOR(nn, [1.0, 3.0, 0.5, 2.0])), "logit"),
}


def _LIB_TENSOR(nn, values):
    lib = torch if nn is torch.nn else mt
    return lib.tensor(values, dtype=lib.float64)


def _loss_arrays(kind, rng):
    n, c = 6, 4
    x = rng.standard_normal((n, c)) * 2
    if kind == "class":
        return [x, _targets(rng, n, c)]
    if kind == "class_ignored":
        return [x, _targets(rng, n, c, ignore=-100)]
    if kind == "spatial":
        return [rng.standard_normal((2, c, 3, 3)), rng.integers(0, c, (2, 3, 3))]
    if kind == "probs":
        p = rng.random((n, c))
        return [x, p / p.sum(1, keepdims=True)]
    if kind == "logprob":
        return [x - np.log(np.exp(x).sum(1, keepdims=True)), _targets(rng, n, c)]
    if kind == "same":
        return [x, rng.standard_normal((n, c))]
    if kind == "prob":
        return [1 / (1 + np.exp(-x)), rng.random((n, c))]
    if kind == "logit":
        return [x * 5, (rng.random((n, c)) > 0.5).astype(np.float64)]
    raise ValueError(kind)


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_losses(case, device):
    factory, kind = LOSS_CASES[case]
    arrays = _loss_arrays(kind, np.random.default_rng(3))
    t, m = twins(factory, np.float64, device)
    assert repr(m) == repr(t)
    rg = [True, arrays[1].dtype.kind == "f"]
    # BCE's double backward goes through 1 / (p (1 - p))^2: rounding of p(1-p) is amplified near 0 and 1
    gg_tol = tol_for(np.float64, 1e3) if kind == "prob" else None
    compare(lambda a, b: m(a, b), arrays, torch_fn=lambda a, b: t(a, b), requires_grad=rg, gradgrad_tol=gg_tol,
            device=device)


def test_loss_float32_training_case(device):
    arrays = [np.random.default_rng(0).standard_normal((5, 10)).astype(np.float32), np.arange(5) % 10]
    compare(lambda a, b: mt.nn.CrossEntropyLoss()(a, b), arrays,
            torch_fn=lambda a, b: torch.nn.CrossEntropyLoss()(a, b), requires_grad=[True, False], device=device)


@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True), (False, True),
                                                 (True, False), (None, True)])
def test_loss_legacy_arguments(size_average, reduce):
    for cls in ("MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "SmoothL1Loss"):
        with warnings.catch_warnings(record=True) as wm:
            warnings.simplefilter("always")
            m = getattr(mt.nn, cls)(size_average=size_average, reduce=reduce)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            t = getattr(torch.nn, cls)(size_average=size_average, reduce=reduce)
        assert m.reduction == t.reduction
        assert [str(w.message) for w in wm] == [str(w.message) for w in wt]


def test_loss_weight_is_buffer():
    for lib in (torch, mt):
        m = lib.nn.CrossEntropyLoss(weight=lib.ones(3))
        assert [n for n, _ in m.named_buffers()] == ["weight"]
        assert list(m.state_dict()) == ["weight"]
        m.double()
        assert m.weight.dtype == lib.float64
    assert list(mt.nn.BCEWithLogitsLoss(pos_weight=mt.ones(2)).state_dict()) == \
        list(torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)).state_dict())


def test_cross_entropy_float_target_error():
    same_error(lambda lib: lib.nn.CrossEntropyLoss()(lib.ones(2, 3), lib.ones(2)), RuntimeError)


# ---------------------------------------------------------------- whole models
def lenet(nn):
    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            F = nn.functional
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return LeNet()


def mlp(nn):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def test_lenet_forward_backward(device):
    check_layer(lenet, [(2, 3, 32, 32)], gradgrad=False, tol=tol_for(np.float32, 5), device=device)


def test_mlp_forward_backward(device):
    check_layer(mlp, [(3, 1, 28, 28)], gradgrad=False, tol=tol_for(np.float32, 5), device=device)


def test_small_cnn_with_batchnorm_dropout_eval(device):
    def net(nn):
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Dropout(0.5), nn.Flatten(), nn.Linear(4 * 3 * 3, 5), nn.LogSoftmax(dim=1))
    t, m = twins(net, np.float64, device)
    rng = np.random.default_rng(0)
    t.eval()
    m.eval()
    compare(lambda a: m(a), [rng.standard_normal((2, 1, 6, 6))], torch_fn=lambda a: t(a), gradgrad=False,
            device=device)
