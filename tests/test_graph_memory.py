"""The recorded graph is freed by reference counting alone.

An op that saves its own output (exp, tanh, relu, softmax, ...) must not make a
cycle output -> grad_fn -> saved output: when the last reference to a loss goes
(no backward called, e.g. an eval loop that forgot ``no_grad``), the graph and
its arrays must go at once, not whenever the cyclic garbage collector runs.
Like torch, a node keeps a saved output as its array, version counter and
output number, and rebuilds the tensor (``grad_fn`` = the node) on access.
"""
import contextlib
import gc
import warnings
import weakref

import pytest
import torch

import minitorch as mt
import minitorch.nn as mnn
import minitorch.nn.functional as F


@contextlib.contextmanager
def _no_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _graph_nodes(root):
    """Every node reachable from ``root`` (the loss's grad_fn), AccumulateGrad sinks included."""
    seen, stack = {}, [root]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(f for f, _ in n.next_functions)
    return list(seen.values())


# every op whose forward saves its own result for backward (found by grepping save_for_backward in
# minitorch/ops and checking which saved arrays are the returned ones)
_x = lambda: mt.rand(3, 4, requires_grad=True) + 0.5      # noqa: E731  a non-leaf in (0.5, 1.5)
OPS_SAVING_OUTPUT = {
    "exp": lambda x: x.exp(),
    "exp2": lambda x: mt.exp2(x),
    "expm1": lambda x: x.expm1(),
    "sqrt": lambda x: x.sqrt(),
    "rsqrt": lambda x: x.rsqrt(),
    "reciprocal": lambda x: x.reciprocal(),
    "tan": lambda x: x.tan(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "softmax": lambda x: x.softmax(1),
    "log_softmax": lambda x: x.log_softmax(1),
    "elu": lambda x: F.elu(x),
    "selu": lambda x: F.selu(x),
    "celu": lambda x: F.celu(x),
    "pow_tensor_tensor": lambda x: x ** (x.detach() + 1),
    "pow_number_tensor": lambda x: 2 ** x,
    "std": lambda x: x.std(),
    "std_dim": lambda x: x.std(1),
    "std_mean": lambda x: mt.std_mean(x, 1)[0],      # a multi-output node: output 0 is saved
    "amax": lambda x: x.amax(1),
    "amin": lambda x: x.amin(1),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "logsumexp": lambda x: x.logsumexp(1),
    "prod": lambda x: x.prod(),
    "prod_dim": lambda x: x.prod(1),
    "norm": lambda x: x.norm(),
    "norm_dim": lambda x: x.norm(dim=1),
    "norm_p1": lambda x: x.norm(p=1),
    "norm_p3": lambda x: x.norm(p=3),
    "exp_inplace": lambda x: x.exp_(),               # saves the result, then the tensor edited in place
    "sigmoid_inplace": lambda x: x.sigmoid_(),
}


@pytest.mark.parametrize("name", sorted(OPS_SAVING_OUTPUT))
def test_op_saving_its_output_is_freed_without_gc(name):
    op = OPS_SAVING_OUTPUT[name]
    with _no_cycle_collector():
        y = op(_x())                  # (an in-place op returns its input: hold nothing else)
        assert y.grad_fn is not None
        loss = y.sum()
        out_ref, node_ref = weakref.ref(y), weakref.ref(y.grad_fn)
        del y, loss
        assert out_ref() is None, f"{name}: the output outlived its loss (a reference cycle)"
        assert node_ref() is None, f"{name}: the node outlived its loss (a reference cycle)"


@pytest.mark.parametrize("name", sorted(OPS_SAVING_OUTPUT))
def test_op_saving_its_output_still_backpropagates(name):
    """Backward (and retain_graph) still sees the saved output; the node is freed after backward too."""
    op = OPS_SAVING_OUTPUT[name]
    with _no_cycle_collector():
        x0 = _x().detach().requires_grad_()
        y = op(x0 * 1)
        y.sum().backward(retain_graph=True)
        first = x0.grad.clone()
        y.sum().backward()
        assert mt.allclose(x0.grad, 2 * first)
        node_ref = weakref.ref(y.grad_fn)
        del y
        assert node_ref() is None


def test_saved_output_is_rebuilt_connected_to_its_node():
    """Like torch, the saved output comes back as a new tensor whose grad_fn is the node."""
    for T in (mt, torch):
        x = T.rand(3, requires_grad=True)
        y = x.exp()
        s, = y.grad_fn.saved_tensors if T is mt else (y.grad_fn._saved_result,)
        assert s is not y
        assert s.grad_fn is y.grad_fn and s.requires_grad and s.output_nr == 0 and s._version == 0
        assert s.data_ptr() == y.data_ptr()
        m = T.std_mean(T.rand(3, 4, requires_grad=True), 1)
        x_saved, s_saved = m[0].grad_fn.saved_tensors if T is mt else (None, m[0].grad_fn._saved_result0)
        assert s_saved.grad_fn is m[0].grad_fn and s_saved.output_nr == 0
        assert s_saved.data_ptr() == m[0].data_ptr()


def test_saved_output_modified_in_place_raises_torchs_error():
    for T in (mt, torch):
        x = T.rand(3, requires_grad=True)
        y = x.exp()
        y.mul_(2)
        with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation has been "
                                               r"modified by an inplace operation: \[torch\.FloatTensor \[3\]\], "
                                               r"which is output 0 of Exp, is at version 1; expected "
                                               r"version 0 instead\. Hint: enable anomaly detection"):
            y.sum().backward()
        # after an in-place op that saved its result, the tensor itself is what the node checks
        z = (x * 1).tanh_()
        z.add_(1)
        with pytest.raises(RuntimeError, match=r"output 0 of Tanh, is at version 2; expected version 1"):
            z.sum().backward()
        # a saved leaf has no "which is output ..." part; under anomaly mode the hint changes
        w = T.ones(3)
        p = x * w
        w.add_(1)
        with pytest.raises(RuntimeError, match=r"inplace operation: \[torch\.FloatTensor \[3\]\] is at version 1; "
                                               r"expected version 0 instead\. Hint: enable anomaly detection to find "
                                               r"the operation that failed to compute its gradient, with "
                                               r"torch\.autograd\.set_detect_anomaly\(True, check_nan=False\)\.$"):
            p.sum().backward()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Anomaly Detection has been enabled")
            anomaly = T.autograd.detect_anomaly()
        with anomaly, pytest.warns(UserWarning, match="Error detected in"):
            y = x.sigmoid()
            y.sub_(1)
            with pytest.raises(RuntimeError, match=r"output 0 of Sigmoid, is at version 1; expected version 0 "
                                                   r"instead\. Hint: the backtrace further above shows the operation "
                                                   r"that failed to compute its gradient\. The variable in question was "
                                                   r"changed in there or anywhere later\. Good luck!$"):
                y.sum().backward()


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "sqrt", "reciprocal",
                                  "elu", "std", "prod", "norm", "logsumexp"])
def test_double_backward_through_a_saved_output(name):
    """The rebuilt output is part of the graph, so the second derivative flows through it as in torch."""
    fns = {"exp": lambda T, x: x.exp(), "tanh": lambda T, x: x.tanh(), "sigmoid": lambda T, x: x.sigmoid(),
           "relu": lambda T, x: x.relu() * x, "softmax": lambda T, x: x.softmax(1), "sqrt": lambda T, x: x.sqrt(),
           "log_softmax": lambda T, x: x.log_softmax(1) * x, "reciprocal": lambda T, x: x.reciprocal(),
           "elu": lambda T, x: T.nn.functional.elu(x - 1), "std": lambda T, x: x.std(1), "prod": lambda T, x: x.prod(1),
           "norm": lambda T, x: x.norm(dim=1), "logsumexp": lambda T, x: x.logsumexp(1)}
    import numpy as np
    base = np.random.default_rng(0).uniform(0.5, 1.5, (3, 4))
    w = np.random.default_rng(1).uniform(-1, 1, (3, 4))
    results = []
    for T in (mt, torch):
        x = T.tensor(base, dtype=T.float64, requires_grad=True)
        y = fns[name](T, x)
        wy = T.tensor(w[:, :y.shape[1]] if y.ndim == 2 else w[:, 0], dtype=T.float64)
        g, = T.autograd.grad((y * wy).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach().numpy(), x.grad.numpy()))
    (g_mt, gg_mt), (g_t, gg_t) = results
    # float64 elementwise formulas over a few terms: a few hundred eps of the magnitudes involved
    np.testing.assert_allclose(g_mt, g_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gg_mt, gg_t, rtol=1e-11, atol=1e-11)


def test_hooks_on_an_output_that_its_node_saved():
    """A tensor hook and retain_grad on a saved output still run as in torch; the output is freed after use."""
    results = []
    for T in (mt, torch):
        with _no_cycle_collector():
            x = T.tensor([0.5, 1.0, 2.0], requires_grad=True)
            y = x.exp()
            seen = []
            y.register_hook(lambda g: seen.append(g.clone()) or g * 2)
            y.retain_grad()                       # runs after the hooks: sees the doubled gradient
            y.sum().backward()
            results.append((len(seen), y.grad.tolist(), x.grad.tolist()))
            if T is mt:
                ref = weakref.ref(y)
                del y
                assert ref() is None
    (n_mt, ygrad_mt, xgrad_mt), (n_t, ygrad_t, xgrad_t) = results
    assert n_mt == n_t == 1 and ygrad_mt == ygrad_t == [2.0, 2.0, 2.0]
    # 2 * exp(x) in float32: each library's exp is within 1 ulp of the true value
    assert xgrad_mt == pytest.approx(xgrad_t, rel=2 * 2.0 ** -23)


def _mlp():
    return mnn.Sequential(mnn.Linear(20, 32), mnn.ReLU(), mnn.Linear(32, 32), mnn.Tanh(), mnn.Linear(32, 5))


def _convnet():
    return mnn.Sequential(mnn.Conv2d(1, 4, 3, padding=1), mnn.ReLU(), mnn.MaxPool2d(2), mnn.Conv2d(4, 4, 3),
                          mnn.Sigmoid(), mnn.Flatten(), mnn.Linear(4 * 2 * 2, 5))


@pytest.mark.parametrize("net,shape", [(_mlp, (8, 20)), (_convnet, (8, 1, 8, 8))], ids=["mlp", "convnet"])
def test_network_forward_graph_is_freed_without_gc(net, shape):
    """An eval loop that forgot no_grad: every node of each forward's graph goes with its loss."""
    model = net()
    target = mt.tensor([0, 1, 2, 3, 4, 0, 1, 2])
    with _no_cycle_collector():
        for _ in range(3):
            out = model(mt.randn(*shape))
            loss = F.cross_entropy(out, target)              # log_softmax saves its output
            refs = [weakref.ref(out)] + [weakref.ref(n) for n in _graph_nodes(loss.grad_fn)]
            assert len(refs) > 8
            del out, loss
            alive = [r() for r in refs if r() is not None]
            assert not alive, f"still alive without the cycle collector: {alive}"
        # and the same model still trains: backward through the freed-by-refcount design works
        loss = F.cross_entropy(model(mt.randn(*shape)), target)
        loss.backward()
        assert all(p.grad is not None for p in model.parameters())
