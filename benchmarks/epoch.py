"""An epoch of MNIST (or the built-in data when MNIST is absent), each engine with its own DataLoader.

Both engines see the same images in the same order (a fixed permutation), in
batches of 64, and train the same model from the same weights with
SGD(lr=0.01, momentum=0.9). One run each, ours first, then torch's.
"""
import time

import numpy as np

from reference.models import build
from reference.transfer import to_torch


def load_mnist_arrays(limit=None):
    """(images float32 N x 1 x 28 x 28 normalised, labels int64) and the name of the source."""
    import minitorch
    from minitorch.vision import datasets
    try:
        ds = datasets.MNIST(None, train=True)          # $MINITORCH_DATA, else ../shared/datasets
        source = "MNIST"
    except (FileNotFoundError, RuntimeError, TypeError):
        ds = datasets.SyntheticShapes(train=True)
        source = "built-in SyntheticShapes"
    x = minitorch._backend.to_numpy(ds.data._data).astype(np.float32) / 255.0
    x = ((x - 0.1307) / 0.3081)[:, None]
    y = minitorch._backend.to_numpy(ds.targets._data).astype(np.int64)
    if limit:
        x, y = x[:limit], y[:limit]
    return x, y, source


def run_epoch(lib, net, x, y, device, batch=64):
    """Train one epoch; returns seconds."""
    ds = lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y))
    loader = lib.utils.data.DataLoader(ds, batch_size=batch, shuffle=False)
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    net.train()
    t0 = time.perf_counter()
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
    float(loss.item())
    return time.perf_counter() - t0


def measure_epochs(device="cpu", limit=None):
    import minitorch
    import torch
    x, y, source = load_mnist_arrays(limit)
    perm = np.random.default_rng(0).permutation(len(x))
    x, y = np.ascontiguousarray(x[perm]), y[perm]
    results = []
    for name, kwargs, xin in (("mlp", {}, x), ("lenet", {"in_channels": 1, "padding": 2}, x)):
        minitorch.manual_seed(0)
        ours = build(name, minitorch, **kwargs)
        theirs = build(name, torch, **kwargs)
        theirs.load_state_dict(to_torch(ours.state_dict()))
        t_ours = run_epoch(minitorch, ours.to(device), xin, y, device)
        t_theirs = run_epoch(torch, theirs.to(device), xin, y, device)
        results.append({"name": f"epoch of {source} ({len(x):,} images), {name.upper()}, batch 64",
                        "group": "epoch", "ours_s": t_ours, "torch_s": t_theirs, "ratio": t_ours / t_theirs,
                        "runs": 1, "params": {"model": name, "images": len(x), "source": source}})
    return results
