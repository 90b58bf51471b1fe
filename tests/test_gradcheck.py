"""autograd.gradcheck / gradgradcheck: they accept correct gradients (ours, through many ops) and catch a
wrong backward, as torch's do."""
import numpy as np
import pytest
import torch

import minitorch as mt
from harness import torch_device
from minitorch.autograd import gradcheck, gradgradcheck


def _inputs(T, *shapes, seed=0, device="cpu"):
    """float64 inputs requiring grad, on ``device`` (for torch: where torch runs a test on ``device``)."""
    rng = np.random.default_rng(seed)
    dev = device if T is mt else torch_device(device)
    return tuple(T.tensor(rng.uniform(0.5, 1.5, s), dtype=T.float64, requires_grad=True, device=dev)
                 for s in shapes)


def _lib(x):
    return mt if isinstance(x, mt.Tensor) else torch


FUNCS = {
    "chain": (lambda x, y: (x * y).exp().sum(-1) / (y.sin() + 2).sum(), [(2, 3), (2, 3)]),
    "matmul": (lambda x, y: (x @ y).tanh(), [(2, 3), (3, 4)]),
    "broadcast": (lambda x, y: x.sigmoid() * y + x ** 2, [(3, 1), (4,)]),
    "reductions": (lambda x, y: x.var(0) + x.std(1).sum() + x.logsumexp(1).mean() + x.prod(), [(3, 4), (1,)]),
    "max_norm": (lambda x, y: x.amax(1) + x.norm() + x.max(0).values.sum(), [(3, 4), (1,)]),
    "shape": (lambda x, y: x.t().reshape(6).flip(0)[1:5:2].unsqueeze(1).expand(2, 3), [(2, 3), (1,)]),
    "index": (lambda x, y: x[[0, 1, 1], 1:].gather(1, _lib(x).tensor([[0], [1], [0]], device=x.device)),
              [(2, 3), (1,)]),
    "cat_split": (lambda x, y: _lib(x).cat([x, y.expand(1, 3)]).split(1)[1] * 2 + x.chunk(3, 1)[2].sum(),
                  [(2, 3), (1,)]),
    "where_clamp": (lambda x, y: (x - 1).where(x > 1, y * x).clamp(-0.2, 0.3) + (x - 1).relu(), [(3, 3), (3, 3)]),
    "pow_div": (lambda x, y: x ** y / (x + y) - 2 ** x, [(3,), (3,)]),
}


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("fast", [False, True])
def test_gradcheck_accepts_correct_gradients(name, fast, device):
    f, shapes = FUNCS[name]
    assert gradcheck(f, _inputs(mt, *shapes, device=device), fast_mode=fast)
    assert gradgradcheck(f, _inputs(mt, *shapes, device=device), fast_mode=fast)
    # the same functions pass torch's own checks (so the test functions are sound)
    assert torch.autograd.gradcheck(f, _inputs(torch, *shapes, device=device))


class WrongExp(mt.autograd.Function):
    """exp with a backward off by a factor of 2."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return 2 * g * y


class WrongDoubleBackward(mt.autograd.Function):
    """x^3 whose backward is right but not differentiable correctly (it detaches x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * g * x.detach() ** 2


def test_gradcheck_catches_a_wrong_backward(device):
    x, = _inputs(mt, (3,), device=device)
    with pytest.raises(mt.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongExp.apply, (x,))
    assert gradcheck(WrongExp.apply, (x,), raise_exception=False) is False
    assert gradcheck(WrongExp.apply, (x,), raise_exception=False, fast_mode=True) is False
    assert gradcheck(WrongDoubleBackward.apply, (x,))
    assert gradgradcheck(WrongDoubleBackward.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradgradcheck(WrongDoubleBackward.apply, (x,))


def test_gradcheck_float32_warns_and_non_differentiable_inputs(device):
    x = mt.tensor([0.5, 1.0], requires_grad=True, device=device)
    with pytest.warns(UserWarning, match="not a double precision floating point"):
        gradcheck(lambda a: a * 2, (x,), atol=1e-2, rtol=1e-2, eps=1e-3)
    y, = _inputs(mt, (2,), device=device)
    idx = mt.tensor([1, 0], device=device)
    assert gradcheck(lambda a, i, k: a[i] * k, (y, idx, 3.0))
    assert gradgradcheck(lambda a, i: (a[i] ** 3).sum(), (y, idx))
