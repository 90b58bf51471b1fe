"""``python -m benchmarks``: the side-by-side comparison of minitorch and torch (the project's main job).

    python -m benchmarks --quick        # under a minute: a smoke test of every kind of workload
    python -m benchmarks                # the full run (under 10 minutes on 2 CPU cores)
    python -m benchmarks --device cuda  # on a GPU (cupy vs torch CUDA)

Prints a markdown table and writes JSON, markdown and PNG plots to ``--out``
(default ``benchmarks/results/``, not committed).
"""
import argparse
import os
import platform
import sys
import time

from . import ENVIRONMENT


def _meta(device, args):
    import numpy
    import torch
    import minitorch
    meta = {
        "device": device + (f" ({_gpu_name()})" if device == "cuda" else f" ({platform.processor() or platform.machine()}, "
                                                                        f"{os.cpu_count()} cores)"),
        "mode": "quick" if args.quick else "full",
        "minitorch": minitorch.__version__, "torch": torch.__version__, "numpy": numpy.__version__,
        "python": platform.python_version(),
        "torch threads": torch.get_num_threads(),
        "numpy BLAS threads": os.environ.get("OPENBLAS_NUM_THREADS", f"default ({os.cpu_count()})"),
        "environment set by the suite": ", ".join(f"{k}={v}" for k, v in ENVIRONMENT.items()),
        "method": "warm-up, then interleaved runs (ours, torch, ours, torch, ...); medians per engine; "
                  "ratio = median over runs of ours_i / torch_i",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        **({"precision": "full float32 in both engines (torch's cudnn.allow_tf32 and cuda.matmul.allow_tf32 "
                         "set False; cupy without CUPY_TF32)"} if device == "cuda" else {}),
    }
    return meta


def _gpu_name():
    try:
        import torch
        return torch.cuda.get_device_name(0)
    except Exception:
        return "GPU"


def _syncs(device):
    if device == "cpu":
        return None, None
    import torch
    import minitorch
    return minitorch.cuda.synchronize, torch.cuda.synchronize


def run(device, args):
    import torch
    import minitorch
    from .timing import measure
    from .workloads import op_workloads, train_workloads, scaling_workloads, gpu_workloads
    torch.set_num_threads(os.cpu_count() or 1)
    workloads = op_workloads() + train_workloads()
    if device == "cuda":
        # torch runs float32 convolutions in TF32 by default; cupy's GEMMs are full float32 (CUPY_TF32 unset),
        # so torch is held to full float32 too: the same arithmetic on both sides
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        workloads += gpu_workloads()
    if not args.quick:
        workloads += scaling_workloads()
    if args.quick:
        workloads = [w for w in workloads if w.quick]
    if args.only:
        workloads = [w for w in workloads if args.only.lower() in w.name.lower()]
    runs, target = (3, 0.02) if args.quick else (7, 0.1)
    sync_ours, sync_theirs = _syncs(device)
    timings = []
    for w in workloads:
        t0 = time.perf_counter()
        ours, theirs = w.make(minitorch, device), w.make(torch, device)
        r = measure(ours, theirs, runs=runs, target=target, sync_ours=sync_ours, sync_theirs=sync_theirs)
        r.update(name=w.name, group=w.group, params=w.params)
        timings.append(r)
        print(f"  {w.name:48s} ours {r['ours_s'] * 1e3:9.3f} ms   torch {r['torch_s'] * 1e3:9.3f} ms   "
              f"ratio {r['ratio']:5.2f}   ({time.perf_counter() - t0:.1f} s)", flush=True)
    if not args.quick and not args.only:
        from .epoch import measure_epochs
        for r in measure_epochs(device):
            timings.append(r)
            print(f"  {r['name']:48s} ours {r['ours_s']:9.2f} s    torch {r['torch_s']:9.2f} s    "
                  f"ratio {r['ratio']:5.2f}", flush=True)
    memory = []
    if not args.quick and not args.only:
        from .memory import measure_in_child
        for name in ("MLP 784-512-512-10, batch 256", "LeNet, batch 64", "ResNet-style, batch 32"):
            o = measure_in_child("minitorch", name, device)
            t = measure_in_child("torch", name, device)
            memory.append({"name": name, "ours_bytes": o.get("step_bytes"), "torch_bytes": t.get("step_bytes"),
                           "errors": [e for e in (o.get("error"), t.get("error")) if e]})
            print(f"  memory {name:41s} ours {o.get('step_bytes', 0) / 2**20:8.1f} MiB   "
                  f"torch {t.get('step_bytes', 0) / 2**20:8.1f} MiB", flush=True)
    return {"timings": timings, "memory": memory}


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a smoke test that finishes in under a minute")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "all"],
                   help="auto: the CPU, plus the GPU when cupy and torch CUDA are both present")
    p.add_argument("--only", default=None, help="run only workloads whose name contains this text")
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results"), help="results folder")
    args = p.parse_args(argv)
    try:
        import minitorch
        import torch
    except ModuleNotFoundError as e:      # the comparison needs both engines in this Python
        print(f"python -m benchmarks compares minitorch with PyTorch, but {e.name!r} is not installed in this "
              f"Python ({sys.executable}).\nRun `python3 run.py compare` (it sets up .venv/ with torch==2.13.0 "
              f"and minitorch), or install them here: pip install torch==2.13.0 -e .", file=sys.stderr)
        return 2
    gpu = minitorch.cuda.is_available() and torch.cuda.is_available()
    if args.device == "cuda" and not gpu:
        print("No GPU: minitorch needs cupy and a CUDA device, torch needs a CUDA build.", file=sys.stderr)
        return 2
    devices = {"auto": ["cpu"] + (["cuda"] if gpu else []), "cpu": ["cpu"], "cuda": ["cuda"],
               "all": ["cpu"] + (["cuda"] if gpu else [])}[args.device]
    from .report import write, markdown
    for device in devices:
        print(f"minitorch vs torch on {device} ({'quick' if args.quick else 'full'} run)", flush=True)
        t0 = time.perf_counter()
        results = run(device, args)
        meta = _meta(device, args)
        meta["wall time of the run"] = f"{time.perf_counter() - t0:.1f} s"
        paths = write(results, meta, args.out)
        print()
        print(markdown(results, meta))
        print("written: " + ", ".join(os.path.relpath(q) for q in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
