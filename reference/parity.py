"""The parity runner: train the same model in minitorch and torch, step by step, and record how they differ.

    result = run_parity("lenet", batches, steps=100, dtype="float32")
    result["loss_ours"], result["loss_torch"]      # per step
    result["grad_norm_ours"]["conv1.weight"]       # per step, per parameter
    result["max_param_diff"]                       # per step: the largest |ours - torch| over all parameters
    result = run_parity("lenet", batches, steps=100, dtype="float32", reference=True)
    result["loss_ref"], result["param_dev_ours"]   # + torch float64 from the same start: the exact trajectory
    plot_parity(result, "lenet.png")               # the two loss curves overlaid, the difference beneath

Both start from identical weights (minitorch's initialisation copied into the
torch twin), see identical batches in identical order, and use the same loss
and optimizer settings. ``reference=True`` (float32 runs) trains a third twin, torch in
float64 from the same float32 weights on the same float32 batches: the trajectory
both float32 runs approximate, and what each one's error is measured against.
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
               torch_device=None, reference=False, perturbed=0):
    """Train ``model`` (a zoo name) in both engines for ``steps`` steps over ``batches`` (numpy (x, y) pairs, cycled).

    ``device`` is where both run; ``torch_device`` puts torch elsewhere (the tests' fake-CUDA mode runs torch on
    the CPU).

    Returns per-step losses, per-parameter gradient norms, the largest parameter
    difference after each step, and both final state_dicts as numpy arrays. With ``reference``: also
    ``loss_ref`` and ``final_ref`` of the float64 twin, and per step ``param_dev_ours`` / ``param_dev_torch``
    (the largest |parameter - reference parameter|) and ``param_scale`` (the largest |reference parameter|).
    With ``perturbed=K`` (and ``reference``): K more torch runs in ``dtype``, each started from the same weights
    moved by one ulp up or down at random (seeds 1..K), reported as ``loss_torch_p{i}`` and
    ``param_dev_torch_p{i}``: trajectories that float arithmetic could as well have produced, whose spread is
    how far rounding alone can carry a long run (see tests/test_training_parity.py).
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
    runs = {"ours": (minitorch, ours, device), "torch": (torch, theirs, torch_device)}
    if reference:
        ref = build(model, torch, **model_kwargs)
        ref.load_state_dict(to_torch(ours.state_dict()))
        runs["ref"] = (torch, ref.double(), torch_device)
        for i in range(1, perturbed + 1):
            twin = build(model, torch, **model_kwargs)
            twin.load_state_dict({k: torch.from_numpy(_one_ulp(v, i)) for k, v in ours.state_dict().items()})
            runs[f"torch_p{i}"] = (torch, twin.double() if dtype == "float64" else twin, torch_device)
    names = [n for n, _ in ours.named_parameters()]
    result = {"model": model, "dtype": dtype, "steps": steps, "max_param_diff": []}
    opts, loss_fns, params = {}, {}, {}
    for key, (lib, net, dev) in runs.items():
        net.to(dev).train(train_mode)
        opts[key] = _optimizer(lib, net.parameters(), optimizer, optimizer_options)
        loss_fns[key] = _loss_fn(lib, loss)
        params[key] = dict(net.named_parameters())
        result[f"loss_{key}"] = []
        result[f"grad_norm_{key}"] = {n: [] for n in names}
    deviating = [k for k in runs if k not in ("ref",)]        # ours, torch and any perturbed torch runs
    if reference:
        result.update({f"param_dev_{k}": [] for k in deviating}, param_scale=[])
    batches = list(batches)
    for step in range(steps):
        x, y = batches[step % len(batches)]
        x = x.astype(dtype)
        if loss != "cross_entropy":
            y = y.astype(dtype)
        for key, (lib, net, dev) in runs.items():
            xb = x.astype(np.float64) if key == "ref" else x          # the same float32 values, upcast exactly
            yb = y.astype(np.float64) if key == "ref" and loss != "cross_entropy" else y
            xb = lib.from_numpy(np.ascontiguousarray(xb)).to(dev)
            yb = lib.from_numpy(np.ascontiguousarray(yb)).to(dev)
            opts[key].zero_grad()
            out = net(xb)
            if loss != "cross_entropy":
                out = out.reshape(yb.shape)
            l = loss_fns[key](out, yb)
            l.backward()
            result[f"loss_{key}"].append(float(l.item()))
            for n in names:
                g = params[key][n].grad
                result[f"grad_norm_{key}"][n].append(float(np.linalg.norm(_np(g))) if g is not None else 0.0)
            opts[key].step()
        now = {key: {n: _np(p).astype(np.float64) for n, p in params[key].items()} for key in runs}
        result["max_param_diff"].append(max(float(np.abs(now["ours"][n] - now["torch"][n]).max()) for n in names))
        if reference:
            for key in deviating:
                result[f"param_dev_{key}"].append(max(float(np.abs(now[key][n] - now["ref"][n]).max()) for n in names))
            result["param_scale"].append(max(float(np.abs(now["ref"][n]).max()) for n in names))
    for key, (_, net, _) in runs.items():
        result[f"final_{key}"] = {k: _np(v).copy() for k, v in net.state_dict().items()}
    return result


def _one_ulp(t, seed):
    """The array of tensor ``t`` with each value moved one ulp up or down at random."""
    a = _np(t)
    if a.dtype.kind != "f":
        return a.copy()
    up = np.random.default_rng(seed).random(a.shape) < 0.5
    return np.where(up, np.nextafter(a, np.inf), np.nextafter(a, -np.inf)).astype(a.dtype)


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
