"""The work both engines do: op-level forward+backward, training steps, scaling sweeps.

Every workload is written once against the torch API and built for each
library (``lib`` is ``minitorch`` or ``torch``) from the same numpy data and,
for models, the same initial weights. ``make(lib, device)`` returns a
zero-argument callable that does one unit of work.
"""
import numpy as np

from reference.models import build
from reference.transfer import to_torch


class Workload:
    """A named unit of work with a builder ``make(lib, device) -> step()``; ``params`` describe it in the report."""

    def __init__(self, name, group, make, quick=False, **params):
        self.name, self.group, self.make, self.quick, self.params = name, group, make, quick, params


def _tensor(lib, arr, device, requires_grad=False):
    t = lib.from_numpy(np.ascontiguousarray(arr)).to(device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------ op level (forward + backward)
def op_matmul(n):
    def make(lib, device):
        r = _rng(n)
        a = _tensor(lib, r.standard_normal((n, n), dtype=np.float32), device, True)
        b = _tensor(lib, r.standard_normal((n, n), dtype=np.float32), device, True)
        g = _tensor(lib, r.standard_normal((n, n), dtype=np.float32), device)

        def step():
            a.grad = b.grad = None
            (a @ b).backward(g)
        return step
    return Workload(f"matmul {n}x{n}", "op", make, quick=n == 256, n=n)


def op_conv2d(label, n, c_in, c_out, hw, k, pad):
    def make(lib, device):
        F = lib.nn.functional
        r = _rng(1)
        x = _tensor(lib, r.standard_normal((n, c_in, hw, hw), dtype=np.float32), device, True)
        w = _tensor(lib, r.standard_normal((c_out, c_in, k, k), dtype=np.float32) * 0.1, device, True)
        b = _tensor(lib, r.standard_normal((c_out,), dtype=np.float32), device, True)
        ho = hw + 2 * pad - k + 1
        g = _tensor(lib, r.standard_normal((n, c_out, ho, ho), dtype=np.float32), device)

        def step():
            x.grad = w.grad = b.grad = None
            F.conv2d(x, w, b, padding=pad).backward(g)
        return step
    return Workload(f"conv2d {label}", "op", make, quick=label.startswith("LeNet"),
                    shape=f"N={n}, {c_in}->{c_out}, {hw}x{hw}, k={k}, pad={pad}")


def op_maxpool(n, c, hw):
    def make(lib, device):
        F = lib.nn.functional
        r = _rng(2)
        x = _tensor(lib, r.standard_normal((n, c, hw, hw), dtype=np.float32), device, True)
        g = _tensor(lib, r.standard_normal((n, c, hw // 2, hw // 2), dtype=np.float32), device)

        def step():
            x.grad = None
            F.max_pool2d(x, 2, 2).backward(g)
        return step
    return Workload(f"max_pool2d 2x2 ({n},{c},{hw},{hw})", "op", make, quick=True)


def op_cross_entropy(n, classes):
    def make(lib, device):
        F = lib.nn.functional
        r = _rng(3)
        x = _tensor(lib, r.standard_normal((n, classes), dtype=np.float32) * 3, device, True)
        y = _tensor(lib, r.integers(0, classes, n), device)

        def step():
            x.grad = None
            F.cross_entropy(x, y).backward()
        return step
    return Workload(f"softmax+cross_entropy ({n},{classes})", "op", make, quick=classes == 10)


def op_elementwise(numel):
    def make(lib, device):
        r = _rng(4)
        x = _tensor(lib, r.standard_normal(numel, dtype=np.float32), device, True)

        def step():
            x.grad = None
            ((x * 2 + 1).tanh() * x).sigmoid().sum().backward()
        return step
    return Workload(f"elementwise chain ({numel:,} elems)", "op", make, quick=True)


TINY_STEPS = 10          # the tiny graph: TINY_STEPS times y = tanh(y * w + w), then the sum


def tiny_graph_inputs():
    """The tiny graph's x and w (4 float32 elements each), as numpy arrays."""
    r = _rng(5)
    return r.standard_normal(4, dtype=np.float32), r.standard_normal(4, dtype=np.float32)


def op_tiny_graph():
    """31 ops on 4-element tensors plus their backward: almost pure per-op overhead."""
    def make(lib, device):
        x0, w0 = tiny_graph_inputs()
        x, w = _tensor(lib, x0, device, True), _tensor(lib, w0, device, True)

        def step():
            x.grad = w.grad = None
            y = x
            for _ in range(TINY_STEPS):
                y = (y * w + w).tanh()
            y.sum().backward()
        return step
    return Workload("tiny-tensor graph (31 ops + backward)", "op", make, quick=True)


# ------------------------------------------------------------------ training steps
def _model_pair(name, device, **kwargs):
    import minitorch
    import torch
    minitorch.manual_seed(0)
    ours = build(name, minitorch, **kwargs)
    theirs = build(name, torch, **kwargs)
    theirs.load_state_dict(to_torch(ours.state_dict()))
    return ours.to(device), theirs.to(device)


_MODEL_CACHE = {}


def train_step(label, model, batch, input_shape, *, quick=False, lr=0.01, **model_kwargs):
    """One SGD(momentum=0.9) step: zero_grad, forward, cross-entropy, backward, update."""
    def make(lib, device):
        key = (model, device, tuple(sorted(model_kwargs.items())))
        if key not in _MODEL_CACHE:
            _MODEL_CACHE[key] = _model_pair(model, device, **model_kwargs)
        ours, theirs = _MODEL_CACHE[key]
        net = ours if lib.__name__ == "minitorch" else theirs
        net.train()
        r = _rng(6)
        x = _tensor(lib, r.standard_normal((batch,) + input_shape, dtype=np.float32), device)
        y = _tensor(lib, r.integers(0, 10, batch), device)
        opt = lib.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
        loss_fn = lib.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        return step
    return Workload(label, "train", make, quick=quick, model=model, batch=batch, **model_kwargs)


MNIST_SHAPE = (1, 28, 28)
CIFAR_SHAPE = (3, 32, 32)


def op_workloads():
    return [
        op_matmul(64), op_matmul(256), op_matmul(1024),
        op_conv2d("LeNet (N=64, 3->6, 32x32, k=5)", 64, 3, 6, 32, 5, 0),
        op_conv2d("ResNet (N=32, 64->64, 32x32, k=3, pad 1)", 32, 64, 64, 32, 3, 1),
        op_maxpool(64, 6, 28), op_maxpool(32, 64, 32),
        op_cross_entropy(256, 10), op_cross_entropy(128, 1000),
        op_elementwise(1 << 20),
        op_tiny_graph(),
    ]


def train_workloads():
    return [
        train_step("MLP 784-512-512-10, batch 64", "mlp", 64, MNIST_SHAPE, quick=True),
        train_step("MLP 784-512-512-10, batch 128", "mlp", 128, MNIST_SHAPE),
        train_step("MLP 784-512-512-10, batch 256", "mlp", 256, MNIST_SHAPE),
        train_step("LeNet, batch 64", "lenet", 64, CIFAR_SHAPE, quick=True),
        train_step("ResNet-style, batch 32", "resnet", 32, CIFAR_SHAPE),
    ]


def gpu_workloads():
    """Sizes that give a GPU real work (the issue's goal is stated at batch 256); run with ``--device cuda``."""
    return [
        op_matmul(4096),
        op_conv2d("ResNet (N=256, 64->64, 32x32, k=3, pad 1)", 256, 64, 64, 32, 3, 1),
        op_cross_entropy(4096, 1000),
        train_step("MLP 784-512-512-10, batch 256 (GPU)", "mlp", 256, MNIST_SHAPE, quick=True),
        train_step("LeNet, batch 256", "lenet", 256, CIFAR_SHAPE, quick=True),
        train_step("ResNet-style, batch 256", "resnet", 256, CIFAR_SHAPE, quick=True),
    ]


def scaling_workloads():
    out = []
    for b in (16, 64, 256, 1024):
        w = train_step(f"MLP batch {b}", "mlp", b, MNIST_SHAPE)
        w.group, w.params["sweep"] = "scale-batch", "mlp"
        out.append(w)
    for width in (128, 512, 2048):
        w = train_step(f"MLP width {width} (batch 64)", "mlp", 64, MNIST_SHAPE, width=width)
        w.group, w.params["sweep"] = "scale-width", "mlp"
        out.append(w)
    for b in (16, 64, 256):
        w = train_step(f"LeNet batch {b}", "lenet", b, CIFAR_SHAPE)
        w.group, w.params["sweep"] = "scale-batch", "lenet"
        out.append(w)
    return out
