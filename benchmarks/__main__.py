"""``python -m benchmarks``: the side-by-side comparison of minitorch and torch (the project's main job).

    python -m benchmarks --quick        # under a minute: a smoke test of every kind of workload
    python -m benchmarks                # the full run (under 10 minutes on 2 CPU cores)
    python -m benchmarks --device cuda  # on a GPU (cupy vs torch CUDA)
    python -m benchmarks --threads 1    # numpy's BLAS and torch both on one thread

Progress goes to stderr; stdout gets the table once, at the end. The header and the JSON say which BLAS
libraries, OpenBLAS kernel and thread counts ran (benchmarks/blas.py). An environment that forces an
OpenBLAS kernel (OPENBLAS_CORETYPE) changes numpy's speed: compare with
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks``.

Prints a markdown table and writes JSON, markdown and PNG plots to ``--out``
(default ``benchmarks/results/``, not committed).
"""
import argparse
import os
import platform
import sys
import time

from . import ENVIRONMENT

# interleaved runs per workload (quick, full) and the time one run aims at: a training step is one call per
# run, so its median is over RUNS pairs (3 pairs, as before, let one slow run decide the table)
RUNS = {True: 9, False: 21}
TARGET = {True: 0.01, False: 0.1}


def _meta(device, args):
    import numpy
    import torch
    import minitorch
    from .blas import describe
    meta = {
        "device": device + (f" ({_gpu_name()})" if device == "cuda" else f" ({platform.processor() or platform.machine()}, "
                                                                        f"{os.cpu_count()} cores)"),
        "mode": "quick" if args.quick else "full",
        "minitorch": minitorch.__version__, "torch": torch.__version__, "numpy": numpy.__version__,
        "python": platform.python_version(),
        "environment set by the suite": ", ".join(f"{k}={v}" for k, v in ENVIRONMENT.items()),
        **describe(),
        "method": "warm-up, then interleaved runs (ours, torch, ours, torch, ...); medians per engine; "
                  f"ratio = median over runs of ours_i / torch_i, with min and max; {RUNS[args.quick]} runs "
                  f"of about {TARGET[args.quick] * 1e3:.0f} ms each (at least one call)",
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


def _progress(line):
    print(line, file=sys.stderr, flush=True)


def run(device, args):
    import torch
    import minitorch
    from .timing import measure
    from .workloads import op_workloads, train_workloads, scaling_workloads, gpu_workloads
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
        terms = [t.strip().lower() for t in args.only.split("|") if t.strip()]
        workloads = [w for w in workloads if any(t in w.name.lower() for t in terms)]
    runs, target = RUNS[args.quick], TARGET[args.quick]
    sync_ours, sync_theirs = _syncs(device)
    timings = []
    for i, w in enumerate(workloads):
        t0 = time.perf_counter()
        ours, theirs = w.make(minitorch, device), w.make(torch, device)
        r = measure(ours, theirs, runs=runs, target=target, sync_ours=sync_ours, sync_theirs=sync_theirs)
        r.update(name=w.name, group=w.group, params=w.params)
        timings.append(r)
        _progress(f"  [{i + 1}/{len(workloads)}] {w.name:48s} ratio {r['ratio']:5.2f} "
                  f"({r['ratio_min']:.2f}-{r['ratio_max']:.2f})   {time.perf_counter() - t0:.1f} s")
    if not args.quick and not args.only:
        from .epoch import measure_epochs
        for r in measure_epochs(device):
            timings.append(r)
            _progress(f"  {r['name']:48s} ratio {r['ratio']:5.2f}")
    memory = []
    if not args.quick and not args.only:
        from .memory import measure_in_child
        for name in ("MLP 784-512-512-10, batch 256", "LeNet, batch 64", "ResNet-style, batch 32"):
            o = measure_in_child("minitorch", name, device)
            t = measure_in_child("torch", name, device)
            memory.append({"name": name, "ours_bytes": o.get("step_bytes"), "torch_bytes": t.get("step_bytes"),
                           "errors": [e for e in (o.get("error"), t.get("error")) if e]})
            _progress(f"  memory {name:41s} ours {o.get('step_bytes', 0) / 2**20:8.1f} MiB   "
                      f"torch {t.get('step_bytes', 0) / 2**20:8.1f} MiB")
    return {"timings": timings, "memory": memory}


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a smoke test that finishes in under a minute")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "all"],
                   help="auto: the CPU, plus the GPU when cupy and torch CUDA are both present")
    p.add_argument("--only", default=None, help="run only workloads whose name contains this text (several: separated by '|')")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for numpy's BLAS and torch (default: all cores)")
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
    from .blas import set_threads
    limiter = set_threads(args.threads or os.cpu_count() or 1)      # noqa: F841  (held for the run)
    gpu = minitorch.cuda.is_available() and torch.cuda.is_available()
    if args.device == "cuda" and not gpu:
        print("No GPU: minitorch needs cupy and a CUDA device, torch needs a CUDA build.", file=sys.stderr)
        return 2
    devices = {"auto": ["cpu"] + (["cuda"] if gpu else []), "cpu": ["cpu"], "cuda": ["cuda"],
               "all": ["cpu"] + (["cuda"] if gpu else [])}[args.device]
    from .report import write, markdown
    for device in devices:
        _progress(f"minitorch vs torch on {device} ({'quick' if args.quick else 'full'} run)")
        t0 = time.perf_counter()
        results = run(device, args)
        meta = _meta(device, args)
        meta["wall time of the run"] = f"{time.perf_counter() - t0:.1f} s"
        paths = write(results, meta, args.out)
        print()
        print(markdown(results, meta))
        _progress("written: " + ", ".join(os.path.relpath(q) for q in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
