"""The parity runner: train the same model in minitorch and torch, step by step, and record how they differ.

    result = run_parity("lenet", batches, steps=100, dtype="float32")
    result["loss_ours"], result["loss_torch"]      # per step
    result["grad_norm_ours"]["conv1.weight"]       # per step, per parameter
    result["max_param_diff"]                       # per step: the largest |ours - torch| over all parameters
    plot_parity(result, "lenet.png")               # the two loss curves overlaid, the difference beneath

Both start from identical weights (minitorch's initialisation copied into the
torch twin), see identical batches in identical order, and use the same loss
and optimizer settings.
"""
import numpy as np
import torch

import minitorch
from .models import build
from .transfer import to_torch, check_same_keys


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return minitorch._backend.to_numpy(t.detach()._data)


def _loss_fn(lib, name):
    return {"cross_entropy": lib.nn.CrossEntropyLoss(), "bce": lib.nn.BCELoss(), "mse": lib.nn.MSELoss()}[name]


def _optimizer(lib, params, name, options):
    return {"sgd": lib.optim.SGD, "adam": lib.optim.Adam, "adamw": lib.optim.AdamW}[name](params, **options)


def run_parity(model, batches, *, steps, dtype="float64", device="cpu", loss="cross_entropy",
               optimizer="sgd", optimizer_options=None, model_kwargs=None, seed=0, train_mode=True,
               torch_device=None):
    """Train ``model`` (a zoo name) in both engines for ``steps`` steps over ``batches`` (numpy (x, y) pairs, cycled).

    ``device`` is where both run; ``torch_device`` puts torch elsewhere (the tests' fake-CUDA mode runs torch on
    the CPU).

    Returns per-step losses, per-parameter gradient norms, the largest parameter
    difference after each step, and both final state_dicts as numpy arrays.
    """
    optimizer_options = optimizer_options or {"lr": 0.01, "momentum": 0.9}
    model_kwargs = model_kwargs or {}
    minitorch.manual_seed(seed)
    ours = build(model, minitorch, **model_kwargs)
    theirs = build(model, torch, **model_kwargs)
    check_same_keys(ours, theirs)
    if dtype == "float64":
        ours, theirs = ours.double(), theirs.double()
    theirs.load_state_dict(to_torch(ours.state_dict()))
    torch_device = torch_device or device
    ours, theirs = ours.to(device), theirs.to(torch_device)
    ours.train(train_mode)
    theirs.train(train_mode)
    opt_o = _optimizer(minitorch, ours.parameters(), optimizer, optimizer_options)
    opt_t = _optimizer(torch, theirs.parameters(), optimizer, optimizer_options)
    loss_o, loss_t = _loss_fn(minitorch, loss), _loss_fn(torch, loss)
    names = [n for n, _ in ours.named_parameters()]
    params_o, params_t = dict(ours.named_parameters()), dict(theirs.named_parameters())
    result = {"model": model, "dtype": dtype, "steps": steps, "loss_ours": [], "loss_torch": [],
              "grad_norm_ours": {n: [] for n in names}, "grad_norm_torch": {n: [] for n in names},
              "max_param_diff": []}
    batches = list(batches)
    for step in range(steps):
        x, y = batches[step % len(batches)]
        x = x.astype(dtype)
        if loss != "cross_entropy":
            y = y.astype(dtype)
        xo, yo = minitorch.from_numpy(np.ascontiguousarray(x)).to(device), minitorch.from_numpy(np.ascontiguousarray(y)).to(device)
        xt, yt = torch.from_numpy(np.ascontiguousarray(x)).to(torch_device), torch.from_numpy(np.ascontiguousarray(y)).to(torch_device)
        for opt, net, lf, xb, yb, key in ((opt_o, ours, loss_o, xo, yo, "ours"), (opt_t, theirs, loss_t, xt, yt, "torch")):
            opt.zero_grad()
            out = net(xb)
            if loss != "cross_entropy":
                out = out.reshape(yb.shape)
            l = lf(out, yb)
            l.backward()
            result[f"loss_{key}"].append(float(l.item()))
            params = params_o if key == "ours" else params_t
            for n in names:
                g = params[n].grad
                result[f"grad_norm_{key}"][n].append(float(np.linalg.norm(_np(g))) if g is not None else 0.0)
            opt.step()
        result["max_param_diff"].append(max(float(np.abs(_np(params_o[n]) - _np(params_t[n])).max())
                                            for n in names))
    result["final_ours"] = {k: _np(v).copy() for k, v in ours.state_dict().items()}
    result["final_torch"] = {k: _np(v).copy() for k, v in theirs.state_dict().items()}
    return result


def plot_parity(result, path):
    """Save a figure: both loss curves overlaid (top) and |loss difference| and max parameter difference (bottom)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = np.arange(1, len(result["loss_ours"]) + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(steps, result["loss_ours"], label="minitorch", lw=2)
    top.plot(steps, result["loss_torch"], "--", label="torch", lw=1.5)
    top.set_ylabel("loss")
    top.set_title(f"{result['model']} ({result['dtype']}): minitorch vs torch")
    top.legend()
    diff = np.abs(np.array(result["loss_ours"]) - np.array(result["loss_torch"]))
    bottom.semilogy(steps, np.maximum(diff, 1e-300), label="|loss difference|")
    bottom.semilogy(steps, np.maximum(result["max_param_diff"], 1e-300), label="max |parameter difference|")
    bottom.set_xlabel("step")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
