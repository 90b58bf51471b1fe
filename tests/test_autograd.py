"""Autograd behaviour against torch: the tutorial graph, accumulation, higher-order gradients, grad modes,
hooks, autograd.grad / backward options, torch's errors, and the graph being freed after backward."""
import gc
import weakref

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import torch_device
from strategies import grad_fn_name

BOTH = pytest.mark.parametrize("T", [mt, torch], ids=["minitorch", "torch"])


def _dev(T, device):
    """Where library ``T`` puts the tensors of a test on ``device`` (torch stays on the CPU with the fake cupy)."""
    return device if T is mt else torch_device(device)


def _names(fn):
    """grad_fn name and the names of its next_functions, recursively (a comparable picture of the graph)."""
    if fn is None:
        return None
    return (type(fn).__name__ if type(fn).__name__ != "AccumulateGrad" else "AccumulateGrad",
            tuple(_names(f) for f, _ in fn.next_functions))


# ---------------------------------------------------------------- the tutorial graph
@BOTH
def test_tutorial_graph(T, device):
    D = _dev(T, device)
    x = T.tensor(2.0, requires_grad=True, device=D)
    w = T.tensor(3.0, requires_grad=True, device=D)
    a = x + w
    b = w + 1
    a.retain_grad()
    y = a * b
    assert x.is_leaf and w.is_leaf and not a.is_leaf and not y.is_leaf
    assert x.grad_fn is None and grad_fn_name(a) == "AddBackward0" and grad_fn_name(y) == "MulBackward0"
    assert y.requires_grad and a.requires_grad
    y.backward()
    assert w.grad.item() == 9.0 and x.grad.item() == 4.0    # dy/dw = b + a = 4 + 5, dy/dx = b
    assert a.grad.item() == 4.0 and a.retains_grad
    # the lecture's version: w at 1 gives w.grad == 5
    x = T.tensor(2.0, requires_grad=True, device=D)
    w = T.tensor(1.0, requires_grad=True, device=D)
    ((x + w) * (w + 1)).backward()
    assert w.grad.item() == 5.0


def test_graph_structure_matches_torch():
    def build(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        c = T.tensor([1.0, 1.0])
        return ((x + w) * (w + 1) - c).exp().sum() / 2
    assert _names(build(mt).grad_fn) == _names(build(torch).grad_fn)
    y = build(mt)
    nf = y.grad_fn.next_functions
    assert len(nf) == 2 and nf[0][1] == 0 and type(nf[0][0]).__name__ == "SumBackward0" and nf[1] == (None, 0)
    leaf_nodes = [f for f, _ in y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
                  .next_functions]
    assert type(leaf_nodes[0]).__name__ == "MulBackward0"


@BOTH
def test_non_leaf_grad_warns(T, device):
    D = _dev(T, device)
    x = T.ones(2, requires_grad=True, device=D)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is being "
                                         "accessed"):
        assert y.grad is None


@BOTH
def test_requires_grad_propagation(T, device):
    D = _dev(T, device)
    a = T.ones(2, device=D)
    b = T.ones(2, requires_grad=True, device=D)
    assert not (a * 2).requires_grad and (a * b).requires_grad
    assert (a * 2).grad_fn is None and (a * 2).is_leaf
    c = (a * b).detach()
    assert not c.requires_grad and c.is_leaf
    assert not (b > 0).requires_grad                # comparisons are not differentiable
    assert not b.argmax().requires_grad and not (b.long() + 1).requires_grad
    i = b.max(0).indices
    assert not i.requires_grad


# ---------------------------------------------------------------- accumulation, retain_graph, zeroing
@BOTH
def test_grad_accumulation(T, device):
    D = _dev(T, device)
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True, device=D)
    for k in range(1, 4):
        (x * x).sum().backward()
        assert x.grad.tolist() == [2.0 * k * v for v in (1, 2, 3)]
    g = x.grad
    (x * 2).sum().backward()
    assert x.grad is g                               # accumulated in place, the same tensor
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]
    x.grad = None
    (x ** 2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


@BOTH
def test_retain_graph(T, device):
    D = _dev(T, device)
    x = T.tensor([1.0, 2.0], requires_grad=True, device=D)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    z = x.exp().sum()
    T.autograd.grad(z, x)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        T.autograd.grad(z, x)
    # a graph that saved nothing can be walked again (torch: no saved tensors to free)
    s = (x + 1).sum()
    s.backward()
    s.backward()


# ---------------------------------------------------------------- higher order
@BOTH
def test_second_derivative(T, device):
    D = _dev(T, device)
    x = T.tensor(3.0, requires_grad=True, device=D)
    y = x ** 2
    g, = T.autograd.grad(y, x, create_graph=True)
    assert g.item() == 6.0 and g.requires_grad
    g2, = T.autograd.grad(g, x)
    assert g2.item() == 2.0
    # third order, through backward(create_graph=True)
    x = T.tensor(2.0, requires_grad=True, device=D)
    (x ** 4).backward(create_graph=True)
    g = x.grad
    assert g.item() == 32.0 and g.requires_grad      # 4 x^3
    x.grad = None
    g.backward(create_graph=True)
    assert x.grad.item() == 48.0                     # 12 x^2
    h, = T.autograd.grad(x.grad, x)
    assert h.item() == 48.0                          # 24 x


def test_hessian_vector_product(device):
    res = []
    for T in (mt, torch):
        D = _dev(T, device)
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True, device=D)
        g, = T.autograd.grad((x.sin() * x.sum()).sum(), x, create_graph=True)
        hv, = T.autograd.grad(g, x, T.tensor([1.0, -1.0, 0.5], device=D))
        assert hv.device == x.device
        res.append(hv.detach().cpu().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-6)


def test_functional_jacobian_hessian(device):
    x = np.array([0.5, -1.0, 2.0])
    tdev = torch_device(device)
    f = lambda T: (lambda x: x.exp() * x.sum())
    for name in ("jacobian", "hessian"):
        if name == "hessian":
            f = lambda T: (lambda x: (x.exp() * x.sum()).sum())
        ours = getattr(mt.autograd.functional, name)(f(mt), mt.tensor(x, device=device))
        theirs = getattr(torch.autograd.functional, name)(f(torch), torch.tensor(x, device=tdev))
        assert ours.device.type == mt.device(device).type
        np.testing.assert_allclose(ours.cpu().numpy(), theirs.cpu().numpy(), rtol=1e-12)
    v = np.array([1.0, 2.0, 3.0])
    for name in ("vjp", "hvp"):
        g = f if name == "hvp" else (lambda T: (lambda x: x.exp() * x.sum()))
        o = getattr(mt.autograd.functional, name)(g(mt), mt.tensor(x, device=device), mt.tensor(v, device=device))
        t = getattr(torch.autograd.functional, name)(g(torch), torch.tensor(x, device=tdev),
                                                     torch.tensor(v, device=tdev))
        for a, b in zip(o, t):
            np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), rtol=1e-12)


# ---------------------------------------------------------------- autograd.grad and backward options
@BOTH
def test_grad_options(T, device):
    D = _dev(T, device)
    x = T.tensor([1.0, 2.0], requires_grad=True, device=D)
    z = T.tensor([5.0], requires_grad=True, device=D)
    y = x * 3
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in "
                                           "the graph. Set allow_unused=True if this is the desired behavior."):
        T.autograd.grad(y.sum(), [x, z], retain_graph=True)
    gx, gz = T.autograd.grad(y.sum(), [x, z], allow_unused=True, retain_graph=True)
    assert gx.tolist() == [3.0, 3.0] and gz is None
    gx, gz = T.autograd.grad(y.sum(), [x, z], allow_unused=True, materialize_grads=True, retain_graph=True)
    assert gz.tolist() == [0.0]
    assert x.grad is None                            # autograd.grad leaves .grad alone
    gx, = T.autograd.grad([y[0], y[1]], [x], [T.tensor(1.0, device=D), T.tensor(2.0, device=D)],
                          retain_graph=True)
    assert gx.tolist() == [3.0, 6.0]
    gy, = T.autograd.grad(y, y, T.ones(2, device=D), retain_graph=True)   # w.r.t. a non-leaf
    assert gy.tolist() == [1.0, 1.0]
    T.autograd.backward([y.sum(), (x * x).sum()], retain_graph=True)
    assert x.grad.tolist() == [5.0, 7.0]
    y.backward(T.tensor([1.0, -1.0], device=D), inputs=[x])
    assert x.grad.tolist() == [8.0, 4.0]
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a "
                                           "grad_fn"):
        T.ones(2, device=D).sum().backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3\]\) "
                                           r"and output\[0\] has a shape of torch.Size\(\[2\]\)"):
        T.autograd.grad(x * 2, x, T.ones(3, device=D))


@BOTH
def test_backward_non_scalar_with_gradient(T, device):
    D = _dev(T, device)
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, device=D)
    y = x * x
    y.backward(gradient=T.tensor([[1.0, 0.0], [0.5, 2.0]], device=D))
    assert x.grad.tolist() == [[2.0, 0.0], [3.0, 16.0]]


@BOTH
def test_hooks(T, device):
    D = _dev(T, device)
    x = T.tensor([1.0, 2.0], requires_grad=True, device=D)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 2
    y.register_hook(lambda g: g * 10)                 # replaces the gradient flowing on
    y.sum().backward()
    assert seen == [[20.0, 20.0]] and x.grad.tolist() == [20.0, 20.0]
    h.remove()
    (x * 1).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        T.ones(1, device=D).register_hook(lambda g: g)


# ---------------------------------------------------------------- grad modes
@BOTH
def test_grad_modes(T):
    x = T.ones(2, requires_grad=True)
    with T.no_grad():
        y = x * 2
        with T.enable_grad():
            z = x * 2
        assert not T.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad and T.is_grad_enabled()
    with T.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert T.is_grad_enabled()
    T.set_grad_enabled(False)                          # as a function: stays off
    assert not T.is_grad_enabled() and not (x * 1).requires_grad
    T.set_grad_enabled(True)

    @T.no_grad()
    def f(a):
        return a * 3

    @T.enable_grad()
    def g(a):
        return a * 3

    @T.set_grad_enabled(False)
    def h(a):
        return a * 3

    assert not f(x).requires_grad and T.is_grad_enabled() and not h(x).requires_grad
    with T.no_grad():
        assert g(x).requires_grad
    with T.inference_mode():
        assert not (x * 2).requires_grad
    # the mode is restored after an exception
    with pytest.raises(ValueError):
        with T.no_grad():
            raise ValueError
    assert T.is_grad_enabled()


def test_no_grad_decorator_on_methods_and_generators():
    class M:
        @mt.no_grad()
        def step(self, x):
            return x * 2
    x = mt.ones(1, requires_grad=True)
    assert not M().step(x).requires_grad and mt.is_grad_enabled()


# ---------------------------------------------------------------- detach, requires_grad_, Variable, .data
@BOTH
def test_detach_and_requires_grad(T, device):
    D = _dev(T, device)
    x = T.tensor([1.0, 2.0], requires_grad=True, device=D)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 5.0                                       # shares memory
    assert x[0].item() == 5.0
    y = (x * 2).detach_()
    assert not y.requires_grad and y.grad_fn is None
    a = T.zeros(2, device=D)
    assert a.requires_grad_() is a and a.requires_grad
    a.requires_grad = False
    assert not a.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        T.zeros(2, dtype=T.long, device=D).requires_grad_()
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require "
                                           "gradients"):
        T.tensor([1, 2], requires_grad=True, device=D)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables."):
        (x * 2).requires_grad_(False)


@BOTH
def test_data_semantics(T, device):
    """.data: the same memory, outside autograd; assigning .data swaps the values (used by old optimizers)."""
    D = _dev(T, device)
    w = T.tensor([1.0, 2.0], requires_grad=True, device=D)
    d = w.data
    assert not d.requires_grad and d.is_leaf
    d.mul_(2)                                       # allowed: not tracked
    assert w.tolist() == [2.0, 4.0] and w._version == 0
    w.data = T.tensor([7.0, 8.0], device=D)
    assert w.tolist() == [7.0, 8.0] and w.requires_grad and w.is_leaf
    (w * w).sum().backward()
    assert w.grad.tolist() == [14.0, 16.0]
    w.data -= 0.5 * w.grad                           # the classic manual SGD step
    assert w.tolist() == [0.0, 0.0]


def test_variable_alias():
    from minitorch.autograd import Variable
    v = Variable(mt.tensor([1.0, 2.0]), requires_grad=True)
    assert isinstance(v, mt.Tensor) and v.requires_grad and v.is_leaf
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]
    assert not Variable(mt.ones(1)).requires_grad
    tv = torch.autograd.Variable(torch.ones(1), requires_grad=True)
    assert tv.requires_grad and isinstance(tv, torch.Tensor)


# ---------------------------------------------------------------- custom Functions
def test_custom_function(device):
    class Cube(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * g * x * x

    x = mt.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward" and y.tolist() == [1.0, 8.0]   # torch: no 0 for user ops
    g, = mt.autograd.grad(y.sum(), x, create_graph=True)
    assert g.tolist() == [3.0, 12.0]
    h, = mt.autograd.grad(g.sum(), x)
    assert h.tolist() == [6.0, 12.0] and y.device == g.device == h.device == x.device


def test_saved_none_input_output_and_new_array():
    """What ``save_for_backward`` keeps comes back in order: an input, None, the op's own output and a new
    array (``saved_tensors`` as tensors, ``saved_arrays`` as arrays); an edit of a saved input after the
    forward is torch's in-place error, in both. torch's twin (the same class on torch) saves the same."""
    def scale(T):
        class Scale(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                ctx.save_for_backward(x, None, y, x + 1)
                return y

            @staticmethod
            def backward(ctx, g):
                x, none, y, x1 = ctx.saved_tensors
                assert none is None and y.grad_fn is ctx
                return g * (y / x) * (x1 - x)           # = 2 g
        return Scale

    Scale, TScale = scale(mt), scale(torch)
    v = np.array([1.0, 3.0])
    xs = mt.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    for x, fn in zip(xs, (Scale, TScale)):
        fn.apply(x).sum().backward()
    np.testing.assert_array_equal(xs[0].grad.numpy(), xs[1].grad.numpy())
    x = mt.tensor(v, requires_grad=True)
    node = Scale.apply(x.clone()).grad_fn
    arrays = node.saved_arrays
    assert arrays[1] is None and [type(a) for a in arrays] == [np.ndarray, type(None), np.ndarray, np.ndarray]
    assert [list(a) for a in (arrays[0], arrays[2], arrays[3])] == [[1.0, 3.0], [2.0, 6.0], [2.0, 4.0]]
    a = x.clone()
    node = Scale.apply(a).grad_fn
    with mt.no_grad():
        a.add_(1)
    for read in (lambda: node.saved_tensors, lambda: node.saved_arrays):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            read()


# ---------------------------------------------------------------- errors (torch's messages)
@BOTH
def test_errors(T, device):
    D = _dev(T, device)
    x = T.ones(3, requires_grad=True, device=D)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place "
                                           "operation."):
        x.add_(1)
    if x.device.type == "cpu":
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use "
                                               r"tensor.detach\(\).numpy\(\) instead."):
            x.numpy()
        with T.no_grad():
            assert x.numpy().tolist() == [1.0, 1.0, 1.0]        # the refusal is about grad mode
    else:                                                       # the device is checked first
        with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu\(\) "
                                            r"to copy the tensor to host memory first."):
            x.numpy()
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(4\) at "
                                           r"non-singleton dimension 0"):
        x + T.ones(4, device=D)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at "
                                           r"non-singleton dimension 1"):
        T.ones(4, 2, device=D) * T.ones(4, 3, device=D)
    with pytest.raises(RuntimeError, match="a Tensor with 3 elements cannot be converted to Scalar"):
        x.item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(x > 0)


# ---------------------------------------------------------------- memory: the graph is freed
@pytest.mark.parametrize("retain", [False, True])
def test_graph_freed_after_backward(retain, device):
    """Intermediates saved for backward die when backward has used them (not when the output dies)."""
    x = mt.randn(50, requires_grad=True, device=device)
    h = x.exp()                                      # saved by the product below (and by exp itself)
    y = (h * x).sum()
    ref, node = weakref.ref(h), weakref.ref(h.grad_fn)
    del h
    gc.collect()
    assert ref() is not None                         # the graph keeps it for backward
    y.backward(retain_graph=retain)
    assert (ref() is not None) == retain             # freed at once: no cycle left for the collector
    del y
    gc.collect()
    assert ref() is None and node() is None


def test_saved_tensors_released_without_gc(device):
    """Saved tensors go as soon as backward ran (no cycle collector needed), unless retain_graph."""
    x = mt.randn(10, requires_grad=True, device=device)
    gc.disable()
    try:
        h = x * 2
        y = h.exp()                                  # saves its output
        ref = weakref.ref(y.grad_fn)
        y.sum().backward()
        assert y.grad_fn._saved is None or all(s is None for s in (y.grad_fn._saved or ()))
        y2 = (x * 3).exp()
        y2.sum().backward(retain_graph=True)
        y2.sum().backward()                          # retained once, freed now
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            y2.sum().backward()
    finally:
        gc.enable()
    del ref


def test_no_memory_growth_over_a_training_loop(device):
    """A loop of forward/backward/step keeps the number of live tensors and nodes flat."""
    w = mt.randn(20, 5, requires_grad=True, device=device)
    b = mt.zeros(5, requires_grad=True, device=device)
    data = mt.randn(32, 20, device=device)

    def step():
        loss = ((data @ w + b).tanh() ** 2).mean()
        loss.backward()
        with mt.no_grad():
            w.sub_(0.01 * w.grad)
            b.sub_(0.01 * b.grad)
        w.grad = None
        b.grad = None

    def live():
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, (mt.Tensor, mt.autograd.Node)))

    for _ in range(3):
        step()
    before = live()
    for _ in range(30):
        step()
    assert live() <= before


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads_as_torch(materialize):
    """``ctx.set_materialize_grads(False)``: an output nobody used reaches backward as None, not zeros."""
    seen = {}

    def make(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                seen[lib.__name__] = (ga is None, gb is None)
                return (ga * 2 if ga is not None else 0) + (gb * 3 if gb is not None else 0)
        return Two

    for lib in (mt, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = make(lib).apply(x)
        (a * 5).sum().backward()
        assert x.grad.tolist() == [10.0, 10.0]
    assert seen["minitorch"] == seen["torch"] == (False, not materialize)
