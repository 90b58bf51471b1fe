"""``array_backward``: a Function's backward formula on arrays, which the engine runs when the backward pass
records nothing (create_graph=False). The plain ``backward`` (Tensor ops) is the reference: both must give
the same gradients, bit for bit (same formula, same numpy operations), and torch's."""
import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.autograd import function as F
from minitorch.ops import elementwise as E


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


FAST = sorted({c for c in _all_subclasses(F.Function) if c.__dict__.get("array_backward") is not None},
              key=lambda c: c.__name__)


def test_the_variants_are_found():
    assert {E.Add, E.Mul, E.Div, E.Sub, E.Neg, E.Exp, E.Tanh, E.Sigmoid} <= set(FAST)
    for cls in FAST:                 # every variant has a case here comparing it with its plain backward
        assert any(k.split("_")[0] == cls.__name__ for k in CASES), cls


def _nnf(t):
    """The functional module of ``t``'s library (minitorch.nn.functional or torch.nn.functional)."""
    return mt.nn.functional if isinstance(t, mt.Tensor) else torch.nn.functional


CASES = {  # name -> (function of the inputs, shapes, which inputs require grad)
    "Add": (lambda a, b: a + b, [(3, 4), (4,)], (True, True)),
    "Add_alpha": (lambda a, b: a.add(b, alpha=2.5), [(3,), (3,)], (True, True)),
    "Add_0d": (lambda a, b: a + b, [(), ()], (True, True)),
    "Mul": (lambda a, b: a * b, [(3, 4), (4,)], (True, True)),
    "Mul_one": (lambda a, b: a * b, [(2, 3), (2, 3)], (False, True)),
    "Mul_number": (lambda a: a * 2.5, [(5,)], (True,)),
    "Mul_0d": (lambda a, b: a * b, [(), (3,)], (True, True)),
    "Tanh": (lambda a: a.tanh(), [(3, 2)], (True,)),
    "Sigmoid": (lambda a: a.sigmoid(), [(3, 2)], (True,)),
    "Exp": (lambda a: a.exp(), [(4,)], (True,)),
    "Neg": (lambda a: -a, [(2, 2)], (True,)),
    "Sub": (lambda a, b: a - b, [(3, 4), (4,)], (True, True)),
    "Sub_alpha": (lambda a, b: a.sub(b, alpha=2.5), [(3,), (3,)], (True, True)),
    "Div": (lambda a, b: a / b, [(3, 4), (4,)], (True, True)),
    "Div_one": (lambda a, b: a / b, [(3,), (3,)], (False, True)),
    "Div_number": (lambda a: a / 3.0, [(3,)], (True,)),
    "Sum": (lambda a: a.sum(), [(3, 4)], (True,)),
    "Sum_dims": (lambda a: a.sum((0, 2)), [(2, 3, 4)], (True,)),
    "Sum_keepdim": (lambda a: a.sum(1, keepdim=True), [(2, 3, 4)], (True,)),
    "Sum_0d": (lambda a: a.sum(), [()], (True,)),
    "Sum_empty": (lambda a: a.sum(0), [(0, 3)], (True,)),
    "Sum_float64": (lambda a: a.sum(dtype=mt.float64) if isinstance(a, mt.Tensor) else a.sum(dtype=torch.float64),
                    [(3,)], (True,)),
    "Linear": (lambda x, w, b: _nnf(x).linear(x, w, b), [(4, 3), (5, 3), (5,)], (True, True, True)),
    "Linear_3d": (lambda x, w, b: _nnf(x).linear(x, w, b), [(2, 4, 3), (5, 3), (5,)], (True, True, True)),
    "Linear_1d": (lambda x, w, b: _nnf(x).linear(x, w, b), [(3,), (5, 3), (5,)], (True, True, True)),
    "Linear_nobias": (lambda x, w: _nnf(x).linear(x, w), [(4, 3), (5, 3)], (True, True)),
    "Linear_weight_only": (lambda x, w, b: _nnf(x).linear(x, w, b), [(4, 3), (5, 3), (5,)], (False, True, False)),
    "Linear_empty": (lambda x, w, b: _nnf(x).linear(x, w, b), [(0, 3), (5, 3), (5,)], (True, True, True)),
    "Relu": (lambda a: a.relu(), [(3, 5)], (True,)),
    "Relu_0d": (lambda a: a.relu(), [()], (True,)),
    "Relu_strided": (lambda a: a.t().relu(), [(4, 3)], (True,)),
    "Reshape": (lambda a: a.reshape(2, 6), [(3, 4)], (True,)),
    "Reshape_view": (lambda a: a.view(-1), [(2, 3, 2)], (True,)),
    "Reshape_copy": (lambda a: a.t().reshape(-1), [(3, 4)], (True,)),
    "Mean": (lambda a: a.mean(), [(3, 4)], (True,)),
    "Mean_dims": (lambda a: a.mean((0, 2), keepdim=True), [(2, 3, 4)], (True,)),
    "Mean_empty": (lambda a: a.mean(0), [(0, 3)], (True,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_array_backward_is_the_plain_backward(name, dtype):
    fn, shapes, req = CASES[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    g_out = None

    def grads(lib, create_graph):
        ts = [lib.tensor(a, requires_grad=r) for a, r in zip(arrays, req)]
        y = fn(*ts)
        g = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype))
        y.backward(g, create_graph=create_graph)     # create_graph=True: the plain backward (recorded)
        return [t.grad.detach().numpy() if t.grad is not None else None for t in ts]

    fast, plain, ref = grads(mt, False), grads(mt, True), grads(torch, False)
    for f, p, r in zip(fast, plain, ref):
        assert (f is None) == (p is None) == (r is None)
        if f is not None:
            assert f.dtype == p.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(f, p)      # the same formula: identical
            eps = np.finfo(dtype).eps
            np.testing.assert_allclose(f, r, rtol=8 * eps, atol=8 * eps)


def test_the_engine_runs_the_array_variant(monkeypatch):
    calls = []
    original = E.Mul.__dict__["array_backward"].__func__

    def spy(ctx, grad):
        calls.append(type(grad))
        return original(ctx, grad)
    monkeypatch.setattr(E.Mul, "array_backward", staticmethod(spy))
    a = mt.tensor([1., 2.], requires_grad=True)
    (a * a).sum().backward()
    assert calls == [np.ndarray]
    (a * a).sum().backward(create_graph=True)         # recorded: the plain backward
    assert calls == [np.ndarray]


def test_saved_arrays_checks_versions():
    a = mt.tensor([1., 2.], requires_grad=True)
    b = a * 1
    y = b * b
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_the_profiler_lists_the_plain_backward_ops():
    from minitorch import profiler
    a = mt.tensor([1., 2.], requires_grad=True)
    with profiler.profile() as prof:
        (a * 3).sum().backward()
    assert [e.name for e in prof.events()].count("Mul") == 2      # forward, and grad * 3 in MulBackward0


# ---------------------------------------------------------------- the pass that carries arrays
# With create_graph=False the engine passes bare arrays from node to node; hooks, retain_grad, autograd.grad,
# post-hooks and ops without an array_backward see tensors wrapped around them. Each case below crosses one
# of those boundaries, against torch.
def _both(program):
    """program(lib) -> list of tensors/arrays; run it in both engines and compare (float64: exact formulas)."""
    ours, theirs = program(mt), program(torch)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert (o is None) == (t is None)
        if o is not None:
            assert isinstance(o, mt.Tensor) and tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_a_0d_leaf_used_twice_sums_arrays():
    def program(lib):
        x = lib.tensor(1.5, dtype=lib.float32, requires_grad=True)
        (x * x + x * 3).backward()                   # two 0-d gradients meet in x's inbox
        return [x.grad]
    _both(program)


def test_a_hook_replaces_a_carried_gradient():
    def program(lib):
        x = lib.tensor([1., -2., 3.], dtype=lib.float64, requires_grad=True)
        h = x * x
        h.register_hook(lambda g: g * 10)
        h.retain_grad()
        (h.tanh() * 2).sum().backward()
        return [x.grad, h.grad]
    _both(program)


def test_autograd_grad_returns_tensors_for_intermediates():
    def program(lib):
        x = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
        h = x.exp()
        y = (h * x).sum()
        return list(lib.autograd.grad(y, [h, x]))
    _both(program)


def test_a_post_hook_and_an_op_without_array_backward():
    def program(lib):
        x = lib.tensor([[1., 2.], [3., 4.]], dtype=lib.float64, requires_grad=True)
        y = x.relu() * x                            # ReluBackward0: a backward on tensors
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append(type(gi[0]).__name__))
        y.sum().backward()
        assert seen == ["Tensor"]
        return [x.grad]
    _both(program)


def test_an_unused_output_of_a_multi_output_node():
    def program(lib):
        x = lib.tensor([[1., 5.], [7., 2.]], dtype=lib.float64, requires_grad=True)
        values, indices = x.max(dim=1)
        a, b = x.unbind(0)
        (values.sum() + a.sum() * 2).backward()      # indices and b take no part
        return [x.grad]
    _both(program)
