"""In-place ops against torch: values, autograd through them (on non-leaves), grad_fn names, version counters,
the leaf rule, views and the numpy memory they share, and their errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
from harness import to_numpy, torch_device
from strategies import FEW, broadcast_pairs, check, check_or_raises, dtypes, rand, seeds, shapes

# name: (f(T, z, y) editing z in place, lo, hi); z has y's broadcast shape
INPLACE = {
    "add_": (lambda T, z, y: z.add_(y), -2, 2),
    "add_alpha": (lambda T, z, y: z.add_(y, alpha=2), -2, 2),
    "add_s": (lambda T, z, y: z.add_(1.5), -2, 2),
    "iadd": (lambda T, z, y: z.__iadd__(y), -2, 2),
    "sub_": (lambda T, z, y: z.sub_(y), -2, 2),
    "isub": (lambda T, z, y: z.__isub__(y * 2), -2, 2),
    "mul_": (lambda T, z, y: z.mul_(y), -2, 2),
    "imul": (lambda T, z, y: z.__imul__(y), -2, 2),
    "mul_s": (lambda T, z, y: z.mul_(3), -2, 2),
    "div_": (lambda T, z, y: z.div_(y), 0.5, 2),
    "itruediv": (lambda T, z, y: z.__itruediv__(y), 0.5, 2),
    "pow_": (lambda T, z, y: z.pow_(2), -2, 2),
    "pow_t": (lambda T, z, y: z.pow_(y), 0.5, 2),
    "ipow": (lambda T, z, y: z.__ipow__(3), -2, 2),
    "neg_": (lambda T, z, y: z.neg_(), -2, 2),
    "abs_": (lambda T, z, y: z.abs_(), -2, 2),
    "exp_": (lambda T, z, y: z.exp_(), -2, 2),
    "log_": (lambda T, z, y: z.log_(), 0.5, 2),
    "sqrt_": (lambda T, z, y: z.sqrt_(), 0.5, 2),
    "sin_": (lambda T, z, y: z.sin_(), -2, 2),
    "tanh_": (lambda T, z, y: z.tanh_(), -2, 2),
    "sigmoid_": (lambda T, z, y: z.sigmoid_(), -2, 2),
    "relu_": (lambda T, z, y: z.relu_(), -2, 2),
    "clamp_": (lambda T, z, y: z.clamp_(-0.5, 0.5), -2, 2),
    "clamp_min_": (lambda T, z, y: z.clamp_(min=0.1), -2, 2),
    "clamp_t": (lambda T, z, y: z.clamp_(min=y), -2, 2),
    "clip_": (lambda T, z, y: z.clip_(-1, 1), -2, 2),
    "zero_": (lambda T, z, y: z.zero_(), -2, 2),
    "fill_": (lambda T, z, y: z.fill_(2.5), -2, 2),
    "fill_t": (lambda T, z, y: z.fill_(y.sum()), -2, 2),
    "copy_": (lambda T, z, y: z.copy_(y), -2, 2),
    "copy_sin": (lambda T, z, y: z.copy_(y.sin()), -2, 2),
    "masked_fill_": (lambda T, z, y: z.masked_fill_(y > 0, 0.5), -2, 2),
    "lerp_": (lambda T, z, y: z.lerp_(y, 0.3), -2, 2),
    "chain": (lambda T, z, y: z.mul_(2).add_(y).sigmoid_(), -2, 2),
    "setitem": (lambda T, z, y: z.__setitem__(z > 0, 0.0) or z.mul_(y), -2, 2),
}


@FEW
@pytest.mark.parametrize("name", INPLACE)
@given(shapes=broadcast_pairs(), dtype=dtypes, seed=seeds)
def test_inplace_autograd(name, shapes, dtype, seed, device):
    f, lo, hi = INPLACE[name]
    full = np.broadcast_shapes(*shapes)

    def g(T, x, y):
        z = x * 1                                       # a non-leaf: in-place edits are recorded
        out = f(T, z, y)
        assert out is z
        return z

    check(g, [rand(full, dtype, lo, hi, seed), rand(shapes[1], dtype, lo, hi, seed + 1)], device=device)


@FEW
@pytest.mark.parametrize("name", INPLACE)
@given(shapes=broadcast_pairs(), dtype=dtypes, seed=seeds)
def test_inplace_no_grad(name, shapes, dtype, seed, device):
    """Outside autograd: the tensor's own memory (and, on the CPU, a numpy array sharing it) is written, its
    version bumps."""
    f, lo, hi = INPLACE[name]
    full = np.broadcast_shapes(*shapes)
    a, b = rand(full, dtype, lo, hi, seed), rand(shapes[1], dtype, lo, hi, seed + 1)
    res = []
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        arr = a.copy()
        z = T.from_numpy(arr).to(dev)                   # the CPU: the same tensor, sharing arr
        v0 = z._version
        f(T, z, T.from_numpy(b.copy()).to(dev))
        res.append(((arr if dev == "cpu" else to_numpy(z)).copy(), z._version - v0 > 0))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=2e-5, atol=1e-6)
    assert res[0][1] == res[1][1]


@pytest.mark.parametrize("dt", [np.int64, np.int32, np.bool_, np.uint8])
def test_integer_inplace_casting(dt, device):
    """In-place results must fit the tensor's dtype: int += float refuses, int += int stays int."""
    a = rand((3,), dt, 0, 3)
    for f in (lambda T, x: x.add_(1), lambda T, x: x.add_(1.5), lambda T, x: x.mul_(2), lambda T, x: x.div_(2),
              lambda T, x: x.sub_(1), lambda T, x: x.fill_(2), lambda T, x: x.fill_(2.7), lambda T, x: x.zero_(),
              # copy_ from a CPU tensor: torch copies across devices
              lambda T, x: x.copy_(T.tensor([1.7, -2.2, 3.9])), lambda T, x: x.clamp_(0, 1),
              lambda T, x: x.add_(T.ones(2, 3, dtype=x.dtype, device=x.device)), lambda T, x: x.abs_(),
              lambda T, x: x.neg_(), lambda T, x: x.exp_(), lambda T, x: x.__iand__(x), lambda T, x: x.__ior__(x),
              lambda T, x: x.pow_(2)):
        check_or_raises(lambda T, x: f(T, x.clone()), [a], device=device)


def test_shape_mismatch_message(device):
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
            T.zeros(3, device=dev).add_(T.ones(2, 3, device=dev))


def test_leaf_rules(device):
    """Editing a leaf that requires grad is refused (and a view of one), unless under no_grad."""
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        w = T.ones(3, requires_grad=True, device=dev)
        for f in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.fill_(1.0),
                  lambda: w.copy_(T.zeros(3, device=dev)), lambda: w.__iadd__(1), lambda: w.clamp_(0, 1),
                  lambda: w.uniform_(), lambda: w.normal_()):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an "
                                                   "in-place operation."):
                f()
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                               "in-place operation."):
            w[:2].add_(1)
        with T.no_grad():                       # the optimizer step pattern
            w -= 0.1 * T.ones(3, device=dev)
            w.mul_(2)
            w[0] = 5.0
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        assert w.tolist() == pytest.approx([5.0, 1.8, 1.8])


def test_version_counter_and_saved_tensors(device):
    """An in-place edit of a tensor saved for backward is caught when backward runs (torch's message)."""
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True, device=dev)
        y = x * 2
        z = y * y                                      # saves y
        assert y._version == 0
        y.add_(1)
        assert y._version == 1
        legacy = r"torch\.cuda\.FloatTensor" if dev != "cpu" else r"torch\.FloatTensor"
        with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation has been "
                                               r"modified by an inplace operation: \[" + legacy + r" \[3\]\], "
                                               r"which is output 0 of .*, is at version 1; expected "
                                               r"version 0 instead"):
            z.sum().backward()
        # views share the counter; so does the tensor itself after exp_ (it saves its result)
        a = T.ones(2, 3, requires_grad=True, device=dev) * 1
        v = a[0]
        a.mul_(2)
        assert v._version == a._version == 1
        b = (T.ones(3, requires_grad=True, device=dev) * 1).exp_()
        b.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()
        # an edit that happens before the tensor is saved is fine
        c = T.ones(3, requires_grad=True, device=dev) * 1
        c.add_(1)
        (c * c).sum().backward()


def test_inplace_view_ops(device):
    """squeeze_/unsqueeze_/t_/transpose_ change the shape in place, keep gradients right, refuse leaves."""
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        x = T.arange(6.0, device=dev).reshape(2, 3).requires_grad_()
        y = x * 1
        y.t_()
        assert y.shape == (3, 2)
        y.unsqueeze_(0)
        assert y.shape == (1, 3, 2)
        y.squeeze_()
        (y * T.arange(6.0, device=dev).reshape(3, 2)).sum().backward()
        if T is mt:
            ours = to_numpy(x.grad).copy()
    assert np.array_equal(ours, to_numpy(x.grad))
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            T.ones(2, 3, requires_grad=True, device=dev).t_()
        z = T.ones(2, 3, device=dev)
        z.transpose_(0, 1)
        z.unsqueeze_(0)
        assert z.shape == (1, 3, 2) and z._version == 2


def test_inplace_returns_self_and_shares_numpy():
    arr = np.zeros(3, np.float32)
    t = mt.from_numpy(arr)
    assert t.add_(1) is t and t.mul_(3) is t and t.zero_() is t and t.fill_(2) is t
    t += 1
    assert arr.tolist() == [3.0, 3.0, 3.0]
    t[1] = -1
    assert arr[1] == -1


VIEW_EDITS = [
    lambda T, y, w: y[0].mul_(3),
    lambda T, y, w: y[:, 1:].add_(w[:2]),
    lambda T, y, w: y[1].__setitem__(0, w[0] * 5),
    lambda T, y, w: y.t()[0].copy_(w[:2].exp()),
    lambda T, y, w: y[::2, ::2].sigmoid_(),
    lambda T, y, w: y.view(-1)[1:4].zero_(),
    lambda T, y, w: y[0].__setitem__(slice(None), w.sum()),
    lambda T, y, w: y.unsqueeze(0)[:, 1].fill_(w[2]),
    lambda T, y, w: y[0][1:].mul_(w[1:]).add_(1),
]


@pytest.mark.parametrize("edit", VIEW_EDITS)
@pytest.mark.parametrize("base_grad", [True, False])
def test_inplace_on_views(edit, base_grad, device):
    """Editing a view of a tensor records the edit on the base (CopySlices), as torch does."""
    def f(T, x, w):
        y = x * 2 if base_grad else T.zeros(2, 3, dtype=x.dtype, device=x.device)
        edit(T, y, w)
        return y * y
    check(f, [rand((2, 3), np.float64, seed=1), rand((3,), np.float64, seed=2)], device=device)
