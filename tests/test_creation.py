"""Tensor creation against torch: from data (dtype inference), filled, ranges, like-functions, legacy
constructors, and random tensors (shapes, dtypes, ranges, reproducibility with manual_seed)."""
import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same
from strategies import check_or_raises

DATA = [1, 2.5, True, [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]], [[1.5], [2]], [], [[]],
        [1, 2.0], [True, 2], (1, 2), [[True], [False]], np.float64(1.5), np.int32(3), np.bool_(True),
        [np.float32(1.0), 2], np.arange(3), np.arange(3.0, dtype=np.float32), np.ones((2, 2), np.int16),
        np.array(True), np.zeros((0, 3)), [np.array([1.0, 2.0]), np.array([3.0, 4.0])], 10 ** 12, -0.0]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_from_data(data):
    """Python floats make float32, ints int64, bools bool; numpy arrays keep their dtype."""
    assert_same(mt.tensor(data), torch.tensor(data))
    if isinstance(data, np.generic) or isinstance(data, list) and any(isinstance(d, np.generic) for d in data):
        return          # torch refuses numpy scalars with some dtypes ("cannot be interpreted as an integer")
    for dt in ("float64", "int32", "bool", "float32"):
        check_or_raises(lambda T: T.tensor(data, dtype=getattr(T, dt)), [])


def test_tensor_from_tensor_and_requires_grad():
    for T in (mt, torch):
        src = T.arange(3.0, requires_grad=True)
        t = T.tensor(src.detach())
        assert not t.requires_grad and t.dtype == T.float32
        t[0] = 9.0
        assert src[0].item() == 0.0                   # a copy
        r = T.tensor([1.0, 2.0], requires_grad=True)
        assert r.requires_grad and r.is_leaf
        with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require "
                                               "gradients"):
            T.tensor([1, 2], requires_grad=True)
        with pytest.raises((ValueError, TypeError)):
            T.tensor([[1, 2], [3]])
        with pytest.raises((ValueError, TypeError)):
            T.tensor("abc")
        with pytest.raises(TypeError):
            T.tensor([1, "a"])


def test_numpy_bridge_shares_memory_both_ways():
    for dt in (np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_, np.int16, np.int8, np.float16):
        a = np.zeros(3, dtype=dt)
        t, tt = mt.from_numpy(a), torch.from_numpy(a.copy())
        assert str(t.dtype) == str(tt.dtype)
        t[1] = 1
        assert a[1] == 1                              # tensor -> numpy
        a[2] = 1
        assert t[2].item() == 1                       # numpy -> tensor
        n = t.numpy()
        assert n is a or np.shares_memory(n, a)
        n[0] = 1
        assert t.tolist() == [1, 1, 1] or t.tolist() == [True] * 3
    t = mt.arange(6.0).reshape(2, 3)
    n = t.numpy()
    t.add_(1)
    assert n[0, 0] == 1.0                             # .numpy() is a view of the tensor's memory
    s = mt.as_tensor(n)
    s[0, 0] = -5
    assert t[0, 0].item() == -5                       # as_tensor shares a numpy array of the right dtype
    c = mt.as_tensor(n, dtype=mt.float64)
    c[0, 1] = 100
    assert t[0, 1].item() != 100                      # ... and copies when it must convert
    assert mt.as_tensor(t) is t and mt.asarray(n).dtype == mt.float32
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        mt.from_numpy(np.array(["a"]))
    with pytest.raises(TypeError, match="expected np.ndarray"):
        mt.from_numpy([1, 2])
    nc = np.arange(12.0).reshape(3, 4)[:, ::2]       # non-contiguous arrays are shared too
    tn = mt.from_numpy(nc)
    tn[0, 1] = -1
    assert nc[0, 1] == -1 and tn.shape == (3, 2)
    assert np.array(mt.ones(2)).tolist() == [1.0, 1.0]   # __array__


SIZES = [(2, 3), ((2, 3),), ([2, 3],), (0,), (), ((),), (mt.Size([4, 1]),)]


@pytest.mark.parametrize("size", SIZES, ids=repr)
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_filled_sizes(size, fn):
    tsize = tuple(tuple(s) if isinstance(s, mt.Size) else s for s in size)
    if not size:
        check_or_raises(lambda T: getattr(T, fn)(), [])       # a size is required
        return
    ours, theirs = getattr(mt, fn)(*size), getattr(torch, fn)(*tsize)
    assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype)
    if fn in ("zeros", "ones"):
        assert_same(ours, theirs)
    for dt in ("float64", "int32", "bool"):
        if fn in ("rand", "randn") and dt != "float64":
            continue
        o = getattr(mt, fn)(*size, dtype=getattr(mt, dt), requires_grad=dt == "float64")
        t = getattr(torch, fn)(*tsize, dtype=getattr(torch, dt), requires_grad=dt == "float64")
        assert o.shape == t.shape and str(o.dtype) == str(t.dtype) and o.requires_grad == t.requires_grad


@pytest.mark.parametrize("f", [
    lambda T: T.full((2, 3), 1.5), lambda T: T.full((2,), 7), lambda T: T.full([2, 2], True),
    lambda T: T.full((3,), 2, dtype=T.float64), lambda T: T.full((), -1.0), lambda T: T.zeros(2, dtype=T.long),
    lambda T: T.ones(2, 2, dtype=T.bool), lambda T: T.eye(3), lambda T: T.eye(2, 4), lambda T: T.eye(3, dtype=T.int64),
    lambda T: T.arange(5), lambda T: T.arange(1, 4), lambda T: T.arange(0, 1, 0.25), lambda T: T.arange(5.0),
    lambda T: T.arange(10, 0, -3), lambda T: T.arange(0, 10, 3, dtype=T.float64), lambda T: T.arange(-1.5, 1.5),
    lambda T: T.arange(0.1, 0.35, 0.05), lambda T: T.arange(T.tensor(4)), lambda T: T.arange(3, dtype=T.float32),
    lambda T: T.linspace(0, 1, 5), lambda T: T.linspace(-2, 2, 4, dtype=T.float64), lambda T: T.linspace(0, 1, 1),
    lambda T: T.linspace(0, 1, 0), lambda T: T.linspace(3, -1, 7), lambda T: T.linspace(0, 10, 5, dtype=T.int64),
    lambda T: T.logspace(0, 2, 3), lambda T: T.logspace(-1, 1, 5, base=2.0),
    lambda T: T.logspace(0, 1, 4, dtype=T.float64),
    lambda T: T.zeros_like(T.ones(2, 3)), lambda T: T.ones_like(T.ones(2, dtype=T.int32)),
    lambda T: T.full_like(T.ones(2), 4.0), lambda T: T.full_like(T.ones(2, dtype=T.long), 2.7),
    lambda T: T.zeros_like(T.ones(2), dtype=T.float64), lambda T: T.empty_like(T.ones(3)).shape,
    lambda T: T.ones(2, 3).new_zeros(4), lambda T: T.ones(2, dtype=T.float64).new_ones((2, 2)),
    lambda T: T.ones(2).new_full((3,), 2.0), lambda T: T.ones(2).new_tensor([1, 2]),
    lambda T: T.ones(2, dtype=T.int32).new_tensor([1.5]), lambda T: T.ones(1).new_empty(2).shape,
    lambda T: T.Tensor(2, 3).shape, lambda T: T.Tensor([1, 2]), lambda T: T.Tensor([[1.5, 2]]),
    lambda T: T.Tensor(np.arange(3)), lambda T: T.Tensor(), lambda T: T.Tensor(T.Size([2, 2])).shape,
    lambda T: T.FloatTensor([1, 2]), lambda T: T.DoubleTensor([1.5]), lambda T: T.LongTensor([1.7, 2]),
    lambda T: T.IntTensor(2).shape, lambda T: T.BoolTensor([1, 0]), lambda T: T.ByteTensor([1, 2]),
    lambda T: T.FloatTensor(2, 3).shape, lambda T: T.LongTensor(np.array([1, 2])),
    lambda T: T.arange(0, 5, 0), lambda T: T.arange(0, 5, -1), lambda T: T.zeros(-1), lambda T: T.linspace(0, 1, -1),
    lambda T: T.full((2,), 1.5, dtype=T.int64), lambda T: T.zeros(2.5),
])
def test_factories(f):
    check_or_raises(f, [])


def test_like_keeps_requires_grad_off():
    for T in (mt, torch):
        x = T.ones(2, requires_grad=True)
        for f in (T.zeros_like, T.ones_like, T.empty_like, T.rand_like, T.randn_like):
            y = f(x)
            assert not y.requires_grad and y.dtype == x.dtype
        assert T.zeros_like(x, requires_grad=True).requires_grad
        assert T.randint_like(x, 5).dtype == x.dtype and T.randint_like(x, 2, 5).min() >= 2


# ---------------------------------------------------------------- random
def test_random_shapes_dtypes_ranges():
    mt.manual_seed(0)
    for T in (mt, torch):
        assert T.rand(1000).min() >= 0 and T.rand(1000).max() < 1
        assert abs(T.randn(20000).mean().item()) < 0.05 and abs(T.randn(20000).std().item() - 1) < 0.05
        r = T.randint(3, 7, (1000,))
        assert r.dtype == T.int64 and r.min().item() == 3 and r.max().item() == 6
        assert T.randint(5, (2, 3)).shape == (2, 3) and T.randint(0, 2, (4,), dtype=T.int32).dtype == T.int32
        p = T.randperm(10)
        assert p.dtype == T.int64 and sorted(p.tolist()) == list(range(10))
        assert T.rand(2, 3, dtype=T.float64).dtype == T.float64
        assert T.randn(3, requires_grad=True).requires_grad
        # normal: all four (mean, std) forms
        n1 = T.normal(T.zeros(2000) + 3, T.ones(2000) * 0.5)
        n2 = T.normal(T.zeros(2000) - 1, 2.0)
        n3 = T.normal(1.0, T.ones(2000) * 0.1)
        n4 = T.normal(2.0, 3.0, size=(2000,))
        for n, m, s in ((n1, 3, 0.5), (n2, -1, 2), (n3, 1, 0.1), (n4, 2, 3)):
            assert n.shape == (2000,) and abs(n.mean().item() - m) < 0.2 * s + 0.05
            assert abs(n.std().item() - s) < 0.1 * s
        assert T.normal(T.zeros(2, 1), T.ones(3)).shape == (2, 3)
        assert T.normal(0.0, 1.0, (2, 2), dtype=T.float64).dtype == T.float64
        b = T.bernoulli(T.full((4000,), 0.3))
        assert abs(b.mean().item() - 0.3) < 0.05 and set(b.unique().tolist()) <= {0.0, 1.0} \
            if hasattr(b, "unique") else abs(b.mean().item() - 0.3) < 0.05
        m = T.multinomial(T.tensor([0.0, 1.0, 0.0, 1.0]), 2)
        assert sorted(m.tolist()) == [1, 3]
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        mt.randint(5, 5, (2,))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        mt.normal(0.0, -1.0, (2,))


def test_manual_seed_reproducible():
    for fn in (lambda: mt.rand(5), lambda: mt.randn(2, 2), lambda: mt.randint(0, 100, (5,)),
               lambda: mt.randperm(8), lambda: mt.normal(mt.zeros(3), 1.0), lambda: mt.ones(4).uniform_(-1, 1),
               lambda: mt.empty(3).normal_(), lambda: mt.bernoulli(mt.full((5,), 0.5))):
        mt.manual_seed(1234)
        a = fn()
        mt.manual_seed(1234)
        b = fn()
        assert mt.equal(a, b)
        c = fn()
        assert not mt.equal(b, c)
    mt.manual_seed(7)
    state = mt.get_rng_state()
    a = mt.rand(4)
    mt.set_rng_state(state)
    assert mt.equal(a, mt.rand(4))
    assert mt.initial_seed() == 7
    g = mt.Generator().manual_seed(3)
    g2 = mt.Generator().manual_seed(3)
    assert mt.equal(mt.rand(3, generator=g), mt.rand(3, generator=g2))
    assert mt.manual_seed(5) is mt.default_generator


def test_random_fills():
    mt.manual_seed(0)
    for T in (mt, torch):
        x = T.empty(5000)
        assert x.uniform_(2, 3) is x and 2 <= x.min().item() and x.max().item() < 3
        x.normal_(5, 0.1)
        assert abs(x.mean().item() - 5) < 0.01
        y = T.zeros(1000).bernoulli_(0.25)
        assert abs(y.mean().item() - 0.25) < 0.06
        z = T.zeros(100, dtype=T.int64).random_(0, 3)
        assert z.min().item() == 0 and z.max().item() == 2
        e = T.empty(5000).exponential_(2.0)
        assert abs(e.mean().item() - 0.5) < 0.05
