"""Watching gradients: Tensor.register_hook, module hooks on a Linear/ReLU stack, and detect_anomaly, vs torch."""
import re
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same, to_numpy

LIBS = {"mt": mt, "torch": torch}
RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4)).astype(np.float32)
W = RNG.standard_normal((3, 4)).astype(np.float32)


def run_both(fn):
    """fn(lib, x, w) in both engines on the same data; returns {'mt': result, 'torch': result}."""
    out = {}
    for name, lib in LIBS.items():
        x = lib.tensor(X, requires_grad=True)
        w = lib.tensor(W, requires_grad=True)
        out[name] = fn(lib, x, w)
    return out


def check_same(res):
    assert_same(res["mt"], res["torch"])


# ---------------------------------------------------------------- Tensor.register_hook
def test_hook_on_leaf_replaces_its_gradient():
    def fn(lib, x, w):
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        (x * w).sum().backward()
        return [seen[0], x.grad, w.grad]
    check_same(run_both(fn))


def test_hook_on_non_leaf_changes_what_flows_back():
    def fn(lib, x, w):
        h = x * w
        seen = []
        h.register_hook(lambda g: seen.append(g) or g + 1)
        (h.exp() * 3).sum().backward()
        return [seen[0], x.grad, w.grad, h.grad_fn.name() == "MulBackward0"]
    res = run_both(fn)
    assert res["mt"][3] and res["torch"][3]
    check_same({k: v[:3] for k, v in res.items()})


def test_hooks_run_in_order_and_see_the_summed_gradient_once():
    def fn(lib, x, w):
        calls = []
        h = x + 1
        h.register_hook(lambda g: calls.append(("a", g)) or g * 10)
        h.register_hook(lambda g: calls.append(("b", g)))          # returns None: keeps the gradient
        h.register_hook(lambda g: calls.append(("c", g)) or g - 1)
        (h * w + h.sin()).sum().backward()                         # h is used twice
        assert [c[0] for c in calls] == ["a", "b", "c"]
        return [calls[0][1], calls[1][1], calls[2][1], x.grad]
    check_same(run_both(fn))


def test_handle_remove():
    def fn(lib, x, w):
        handle = x.register_hook(lambda g: g * 100)
        handle.remove()
        handle.remove()                                            # twice is harmless
        (x * w).sum().backward()
        return x.grad
    check_same(run_both(fn))


def test_hook_with_retain_grad_and_autograd_grad():
    def fn(lib, x, w):
        h = x * w
        h.retain_grad()
        h.register_hook(lambda g: g * 3)                           # retain_grad sees the hooked value
        y = h.pow(2).sum()
        (gx,) = lib.autograd.grad(y, x, retain_graph=True)         # hooks run for autograd.grad too
        y.backward()
        return [gx, h.grad, x.grad]
    check_same(run_both(fn))


def test_hook_on_tensor_without_grad_is_refused():
    msgs = []
    for lib in LIBS.values():
        with pytest.raises(RuntimeError) as e:
            lib.ones(2).register_hook(lambda g: g)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_hook_in_double_backward():
    def fn(lib, x, w):
        x.register_hook(lambda g: g * 2)
        y = (x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        g.sum().backward()
        return [g, x.grad]
    check_same(run_both(fn))


# ---------------------------------------------------------------- module hooks: a Linear/ReLU stack
def snap(t):
    """A copy of what a hook saw: both engines may later accumulate into the same memory (x.grad)."""
    return to_numpy(t).copy()


def test_module_hooks_on_linear_relu_stack_match_torch():
    rng = np.random.default_rng(1)
    params = [rng.standard_normal(s).astype(np.float32) for s in [(5, 4), (5,), (3, 5), (3,)]]
    x_np = rng.standard_normal((6, 4)).astype(np.float32)
    g_np = rng.standard_normal((6, 3)).astype(np.float32)
    records = {}
    for name, lib in LIBS.items():
        net = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))
        with lib.no_grad():
            for p, a in zip(net.parameters(), params):
                p.copy_(lib.from_numpy(a))
        rec = []
        handles = []
        for i, layer in enumerate(net):
            handles.append(layer.register_forward_hook(
                lambda mod, args, out, i=i: rec.append(("fwd", i, snap(args[0]), snap(out)))))
            handles.append(layer.register_full_backward_hook(
                lambda mod, gin, gout, i=i: rec.append(
                    ("bwd", i, [None if g is None else snap(g) for g in gin], [snap(g) for g in gout]))))
        x = lib.from_numpy(x_np.copy()).requires_grad_()
        net(x).backward(lib.from_numpy(g_np))
        for h in handles:
            h.remove()
        net(x).sum().backward()                                    # removed: nothing more recorded
        records[name] = rec
    ours, theirs = records["mt"], records["torch"]
    assert [r[:2] for r in ours] == [r[:2] for r in theirs] == [
        ("fwd", 0), ("fwd", 1), ("fwd", 2), ("bwd", 2), ("bwd", 1), ("bwd", 0)]
    for a, b in zip(ours, theirs):
        for pa, pb in zip(a[2:], b[2:]):
            if isinstance(pb, list):
                assert len(pa) == len(pb)
                for ga, gb in zip(pa, pb):
                    np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-6)
            else:
                np.testing.assert_allclose(pa, pb, rtol=1e-5, atol=1e-6)


def test_module_backward_hook_can_replace_grad_input():
    out = {}
    for name, lib in LIBS.items():
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.from_numpy(W[:2, :3].copy()))
            lin.bias.copy_(lib.from_numpy(W[2, :2].copy()))
        lin.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0.5,))
        x = lib.from_numpy(X[:, :3].copy()).requires_grad_()
        (lin(x) ** 2).sum().backward()
        out[name] = x.grad
    assert_same(out["mt"], out["torch"])


# ---------------------------------------------------------------- detect_anomaly
def _anomaly_error(lib, make):
    """Run backward under detect_anomaly; return the RuntimeError's message."""
    x = lib.zeros(3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lib.autograd.detect_anomaly():
            y = make(x)
            with pytest.raises(RuntimeError) as e:
                y.sum().backward()
    return str(e.value)


@pytest.mark.parametrize("name,make,node,k", [
    ("sqrt_at_0_times_0", lambda x: x.sqrt() * 0, "SqrtBackward0", 0),
    ("log_at_0_times_0", lambda x: x.log() * 0, "LogBackward0", 0),
    ("div_0_by_0", lambda x: (x / x), "DivBackward0", 1),        # d/dx = 1/0 = inf; d/dy = -0/0 = nan
])
def test_anomaly_names_the_node_like_torch(name, make, node, k):
    ours, theirs = _anomaly_error(mt, make), _anomaly_error(torch, make)
    first = f"Function '{node}' returned nan values in its {k}th output."
    assert ours.splitlines()[0] == theirs.splitlines()[0] == first


def test_anomaly_message_has_the_forward_traceback():
    msg = _anomaly_error(mt, lambda x: x.sqrt() * 0)
    assert "Traceback of the forward call that caused the error:" in msg
    # the trace points at this file, at the line of the lambda that called sqrt
    assert re.search(r'File ".*test_hooks_anomaly\.py", line \d+, in <lambda>\n\s+msg = _anomaly_error\(mt, lambda '
                     r'x: x\.sqrt\(\) \* 0\)', msg)
    assert "minitorch/autograd" not in msg


def test_without_anomaly_mode_nan_flows_silently_like_torch():
    grads = {}
    for name, lib in LIBS.items():
        x = lib.zeros(3, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x.sqrt() * 0).sum().backward()
        grads[name] = x.grad
    assert np.isnan(to_numpy(grads["mt"])).all()
    assert_same(grads["mt"], grads["torch"])


def test_anomaly_mode_switches_and_warnings():
    assert not mt.autograd.is_anomaly_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = mt.autograd.detect_anomaly()
    with mode:
        assert mt.autograd.is_anomaly_enabled()
    assert not mt.autograd.is_anomaly_enabled()
    mt.autograd.set_detect_anomaly(True)
    try:
        assert mt.autograd.is_anomaly_enabled()
    finally:
        mt.autograd.set_detect_anomaly(False)

    with pytest.warns(UserWarning):
        @mt.autograd.detect_anomaly()
        def step(x):
            return (x.sqrt() * 0).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            step(mt.zeros(2, requires_grad=True))
    assert not mt.autograd.is_anomaly_enabled()


def test_anomaly_mode_warns_with_the_forward_trace_on_other_backward_errors():
    """The classic use: an in-place edit broke backward; anomaly mode shows where the node was created."""
    caught = {}
    for name, lib in LIBS.items():
        x = lib.ones(3, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = x.exp()
                y.add_(1)                                          # exp saved its output: now modified
                with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                    y.sum().backward()
        caught[name] = [str(m.message) for m in w if "Error detected in" in str(m.message)]
    for name, msgs in caught.items():
        assert len(msgs) == 1, name
        assert msgs[0].startswith("Error detected in ExpBackward0. Traceback of forward call that caused the error:")
        assert "y = x.exp()" in msgs[0]


def test_anomaly_in_double_backward():
    x = mt.zeros(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mt.autograd.detect_anomaly():
            y = (x.sqrt() * 0 + x * x).sum()
            with pytest.raises(RuntimeError, match="SqrtBackward0"):
                mt.autograd.grad(y, x, create_graph=True)
