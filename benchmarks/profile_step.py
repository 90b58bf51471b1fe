"""Where one training step spends its time, in minitorch, next to torch's time for the same step.

    python -m benchmarks.profile_step --model mlp --batch 256 --device cuda
    python -m benchmarks.profile_step --model resnet --batch 256 --device cuda --rows 25

Prints the median step time of both engines (same weights, same batch, SGD with
momentum and cross-entropy, as in the benchmark suite), then minitorch's
profiler table for one step twice: once with a device synchronisation after
every op (each op's own time, kernels included) and, on a GPU, once without
(the host time to launch each op: what a launch-bound step costs).
"""
import argparse
import os
import statistics
import time

from . import ENVIRONMENT  # noqa: F401  (sets the BLAS environment before numpy loads)


def _median_step(step, sync, reps):
    for _ in range(3):
        step()
    times = []
    for _ in range(reps):
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile_step", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="mlp", choices=["mlp", "lenet", "resnet"])
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--reps", type=int, default=30, help="timed steps per engine")
    p.add_argument("--rows", type=int, default=18, help="rows of each profiler table")
    args = p.parse_args(argv)

    import torch
    import minitorch
    from .workloads import train_step, MNIST_SHAPE, CIFAR_SHAPE
    torch.set_num_threads(os.cpu_count() or 1)
    if args.device == "cuda":
        torch.backends.cudnn.allow_tf32 = False       # both engines in full float32 (see benchmarks/__main__.py)
        torch.backends.cuda.matmul.allow_tf32 = False
    shape = MNIST_SHAPE if args.model == "mlp" else CIFAR_SHAPE
    w = train_step(f"{args.model} batch {args.batch}", args.model, args.batch, shape)
    ours, theirs = w.make(minitorch, args.device), w.make(torch, args.device)
    if args.device == "cuda":
        sync_ours, sync_theirs = minitorch.cuda.synchronize, torch.cuda.synchronize
    else:
        sync_ours = sync_theirs = (lambda: None)
    t_ours = _median_step(ours, sync_ours, args.reps)
    t_theirs = _median_step(theirs, sync_theirs, args.reps)
    print(f"{args.model}, batch {args.batch}, {args.device}: minitorch {t_ours * 1e3:.3f} ms, "
          f"torch {t_theirs * 1e3:.3f} ms, ratio {t_ours / t_theirs:.2f}")
    modes = [True, False] if args.device == "cuda" else [True]
    for sync in modes:
        with minitorch.profiler.profile(synchronize=sync) as prof:
            ours()
        title = ("each op's own time (synchronised after every op)" if sync
                 else "host time per op (no synchronisation: launch cost)")
        print(f"\n-- {title}")
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows))


if __name__ == "__main__":
    main()
