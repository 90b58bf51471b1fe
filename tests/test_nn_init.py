"""``nn.init`` and the layers' default initialisation against torch's formulas.

The generators differ (numpy's PCG64 vs torch's Mersenne Twister), so random fills are checked
statistically against the distribution torch's code implies: the bound / std is computed with
torch's own ``calculate_gain`` and ``_calculate_fan_in_and_fan_out`` on a torch tensor of the same
shape; deterministic fills (ones, zeros, eye, dirac, constant) must equal torch's exactly.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import to_numpy

init_mt, init_t = mt.nn.init, torch.nn.init

SHAPES = [(300, 200), (64, 32, 3, 3), (1000, 40), (40, 1000), (20, 30, 5)]


def values(t):
    return to_numpy(t.detach()).astype(np.float64).ravel()


def check_uniform(v, lo, hi):
    """Within [lo, hi], filling it (min/max near the ends), with the mean and variance of U(lo, hi)."""
    n = v.size
    width = hi - lo
    assert v.min() >= lo and v.max() <= hi
    assert v.min() < lo + width * 20 / n + 1e-12 and v.max() > hi - width * 20 / n - 1e-12
    mean, var = (lo + hi) / 2, width ** 2 / 12
    assert abs(v.mean() - mean) < 6 * math.sqrt(var / n)
    assert abs(v.var() - var) < 6 * var * math.sqrt(0.8 / n)        # Var(s^2) = 0.8 var^2 / n for a uniform


def check_normal(v, mean, std):
    n = v.size
    assert abs(v.mean() - mean) < 6 * std / math.sqrt(n)
    assert abs(v.std() - std) < 6 * std / math.sqrt(2 * n)
    assert abs(((v - mean) ** 3).mean() / std ** 3) < 6 * math.sqrt(15 / n)       # symmetric
    assert abs(((v - mean) ** 4).mean() / std ** 4 - 3) < 6 * math.sqrt(96 / n)   # normal kurtosis


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
    ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu", None)])
def test_calculate_gain(nonlinearity, param):
    assert init_mt.calculate_gain(nonlinearity, param) == init_t.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("call,exc", [
    (lambda i, lib: i.calculate_gain("foo"), ValueError),
    (lambda i, lib: i.calculate_gain("leaky_relu", "a"), ValueError),
    (lambda i, lib: i.calculate_gain("leaky_relu", True), ValueError),
    (lambda i, lib: i.kaiming_uniform_(lib.empty(3)), ValueError),
    (lambda i, lib: i.kaiming_normal_(lib.empty(3, 3), mode="fan_x"), ValueError),
    (lambda i, lib: i.xavier_uniform_(lib.empty(5)), ValueError),
    (lambda i, lib: i.eye_(lib.empty(2, 2, 2)), ValueError),
    (lambda i, lib: i.dirac_(lib.empty(2, 2)), ValueError),
    (lambda i, lib: i.dirac_(lib.empty(3, 2, 3), groups=2), ValueError),
    (lambda i, lib: i.orthogonal_(lib.empty(3)), ValueError),
    (lambda i, lib: i.sparse_(lib.empty(3), 0.1), ValueError),
])
def test_error_messages(call, exc):
    with pytest.raises(exc) as em:
        call(init_mt, mt)
    with pytest.raises(exc) as et:
        call(init_t, torch)
    assert str(em.value) == str(et.value)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0),
                                            ("tanh", 0), ("linear", 0)])
def test_kaiming(shape, mode, nonlinearity, a):
    ref = torch.empty(shape)
    fan = init_t._calculate_correct_fan(ref, mode)
    gain = init_t.calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    mt.manual_seed(1)
    check_uniform(values(init_mt.kaiming_uniform_(mt.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)),
                  -bound, bound)
    check_normal(values(init_mt.kaiming_normal_(mt.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)),
                 0.0, std)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, init_t.calculate_gain("relu")])
def test_xavier(shape, gain):
    fan_in, fan_out = init_t._calculate_fan_in_and_fan_out(torch.empty(shape))
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    mt.manual_seed(2)
    check_uniform(values(init_mt.xavier_uniform_(mt.empty(shape), gain=gain)), -math.sqrt(3) * std,
                  math.sqrt(3) * std)
    check_normal(values(init_mt.xavier_normal_(mt.empty(shape), gain=gain)), 0.0, std)


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
def test_uniform_normal(dtype):
    mt.manual_seed(3)
    t = init_mt.uniform_(mt.empty(500, 200, dtype=dtype), -0.5, 2.0)
    assert t.dtype == dtype
    check_uniform(values(t), -0.5, 2.0)
    check_uniform(values(init_mt.uniform_(mt.empty(100, 1000, dtype=dtype))), 0.0, 1.0)
    check_normal(values(init_mt.normal_(mt.empty(500, 200, dtype=dtype), 1.5, 0.3)), 1.5, 0.3)
    check_normal(values(init_mt.normal_(mt.empty(100000, dtype=dtype))), 0.0, 1.0)


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 1.0), (0.0, 0.02, -0.04, 0.04),
                                          (0.0, 1.0, 0.5, 0.7)])
def test_trunc_normal(mean, std, a, b):
    mt.manual_seed(4)
    v = values(init_mt.trunc_normal_(mt.empty(200, 200), mean, std, a, b))
    assert v.min() >= a and v.max() <= b
    # moments of the truncated normal (closed form)
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)          # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2                  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    tmean = mean + std * (pdf(alpha) - pdf(beta)) / z
    tvar = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    assert abs(v.mean() - tmean) < 6 * math.sqrt(tvar / v.size)
    assert abs(v.var() / tvar - 1) < 0.05


def test_deterministic_fills_equal_torch():
    for shape in [(3, 4), (5, 3, 2, 2)]:
        for fn, args in [(init_mt.zeros_, ()), (init_mt.ones_, ()), (init_mt.constant_, (0.3,))]:
            got = fn(mt.empty(shape), *args)
            exp = getattr(init_t, fn.__name__)(torch.empty(shape), *args)
            assert np.array_equal(to_numpy(got), exp.numpy())
    for shape in [(3, 5), (5, 3), (4, 4)]:
        assert np.array_equal(to_numpy(init_mt.eye_(mt.empty(shape))), init_t.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 4, 3, 3), 1), ((6, 2, 3), 2), ((4, 6, 3, 3, 3), 2), ((2, 5, 2, 2), 1)]:
        assert np.array_equal(to_numpy(init_mt.dirac_(mt.empty(shape), groups)),
                              init_t.dirac_(torch.empty(shape), groups).numpy())


def test_orthogonal():
    mt.manual_seed(5)
    for shape in [(6, 4), (4, 6), (3, 2, 4)]:
        w = to_numpy(init_mt.orthogonal_(mt.empty(shape), gain=2.0)).reshape(shape[0], -1).astype(np.float64)
        if w.shape[0] >= w.shape[1]:
            np.testing.assert_allclose(w.T @ w, 4 * np.eye(w.shape[1]), atol=1e-5)
        else:
            np.testing.assert_allclose(w @ w.T, 4 * np.eye(w.shape[0]), atol=1e-5)


def test_sparse():
    mt.manual_seed(6)
    w = to_numpy(init_mt.sparse_(mt.empty(10, 30), 0.3, std=0.1))
    assert ((w == 0).sum(0) >= math.ceil(0.3 * 10)).all()


def test_init_is_reproducible_and_uses_generator():
    mt.manual_seed(7)
    a = to_numpy(init_mt.kaiming_uniform_(mt.empty(5, 6))).copy()
    b = to_numpy(init_mt.kaiming_uniform_(mt.empty(5, 6))).copy()
    mt.manual_seed(7)
    assert np.array_equal(a, to_numpy(init_mt.kaiming_uniform_(mt.empty(5, 6))))
    assert not np.array_equal(a, b)
    g = mt.Generator().manual_seed(11)
    x = to_numpy(init_mt.normal_(mt.empty(4, 4), generator=g)).copy()
    g.manual_seed(11)
    assert np.array_equal(x, to_numpy(init_mt.normal_(mt.empty(4, 4), generator=g)))
    mt.manual_seed(8)
    l1 = mt.nn.Linear(4, 3)
    mt.manual_seed(8)
    l2 = mt.nn.Linear(4, 3)
    assert all(np.array_equal(to_numpy(p), to_numpy(q)) for p, q in zip(l1.parameters(), l2.parameters()))


def test_init_on_parameters_without_recording():
    p = mt.nn.Parameter(mt.empty(3, 4))
    for fn in (init_mt.uniform_, init_mt.normal_, init_mt.xavier_uniform_, init_mt.kaiming_normal_,
               init_mt.zeros_, init_mt.ones_, init_mt.eye_, init_mt.trunc_normal_, init_mt.orthogonal_):
        out = fn(p)
        assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None
    init_mt.constant_(p, 2.0)
    assert float(p.sum()) == 24.0


def test_zero_element_warning():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        init_mt.kaiming_uniform_(mt.empty(0, 3))
        init_mt.kaiming_normal_(mt.empty(3, 0))
    assert [str(x.message) for x in w] == ["Initializing zero-element tensors is a no-op"] * 2


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match="nn.init.normal` is now deprecated"):
        init_mt.normal(mt.empty(2, 2))
    with pytest.warns(FutureWarning):
        init_mt.xavier_uniform(mt.empty(2, 2))


# ---------------------------------------------------------------- default initialisation of layers
@pytest.mark.parametrize("factory", [
    lambda nn: nn.Linear(400, 300), lambda nn: nn.Linear(30, 2000), lambda nn: nn.Conv2d(16, 64, 5),
    lambda nn: nn.Conv2d(8, 64, 3, groups=4), lambda nn: nn.Conv1d(10, 200, 7), lambda nn: nn.Bilinear(20, 30, 50),
], ids=["linear", "linear_wide", "conv2d", "conv2d_groups", "conv1d", "bilinear"])
def test_default_layer_init_distribution(factory):
    mt.manual_seed(9)
    m, t = factory(mt.nn), factory(torch.nn)
    for (name, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        assert tuple(p.shape) == tuple(q.shape)
        if isinstance(t, torch.nn.Bilinear):
            bound = 1 / math.sqrt(t.weight.size(1))
        elif name == "weight":                       # kaiming_uniform_(a=sqrt(5)) on torch's weight
            fan = init_t._calculate_correct_fan(q, "fan_in")
            bound = math.sqrt(3.0) * init_t.calculate_gain("leaky_relu", math.sqrt(5)) / math.sqrt(fan)
        else:                                        # bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            fan_in, _ = init_t._calculate_fan_in_and_fan_out(t.weight)
            bound = 1 / math.sqrt(fan_in)
        v = values(p)
        if v.size >= 1000:
            check_uniform(v, -bound, bound)
        else:
            assert v.min() >= -bound and v.max() <= bound and v.std() > bound / 4
        # torch's own draw satisfies the same bound (the formula is the one torch uses)
        assert np.abs(q.detach().numpy()).max() <= bound


def test_default_init_deterministic_layers_equal_torch():
    for factory in (lambda nn: nn.BatchNorm1d(5), lambda nn: nn.BatchNorm2d(3, affine=True),
                    lambda nn: nn.PReLU(4, init=0.3), lambda nn: nn.PReLU()):
        m, t = factory(mt.nn), factory(torch.nn)
        for (k, a), (_, b) in zip(m.state_dict().items(), t.state_dict().items()):
            assert np.array_equal(to_numpy(a), b.numpy()) and str(a.dtype) == str(b.dtype), k


def test_reset_parameters_redraws():
    mt.manual_seed(10)
    lin = mt.nn.Linear(8, 8)
    before = to_numpy(lin.weight).copy()
    lin.reset_parameters()
    assert not np.array_equal(before, to_numpy(lin.weight))
    assert np.abs(to_numpy(lin.weight)).max() <= 1 / math.sqrt(8)
