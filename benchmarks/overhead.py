"""What a Python autograd engine costs per op: the suite's tiny-tensor graph, run four ways.

    python -m benchmarks.overhead            # 15 interleaved runs of 200 steps each
    python -m benchmarks.overhead --runs 5

The graph is the suite's "tiny-tensor graph" (x and w of 4 float32 elements; ten times
y = tanh(y * w + w); the sum; backward), so each op moves almost no data and its time is the
engine's own. It runs

  torch        the reference: C++ dispatcher, C++ autograd engine;
  minitorch    this engine, with torch's API and behaviour;
  bare tape    a tape of closures over numpy arrays (``_Value`` below): no Tensor class, no checks,
               no hooks. About the floor of any autograd engine written in Python on numpy;
  numpy alone  the numpy calls of the forward and backward passes, with no engine at all;

interleaved in one process (torch, minitorch, bare tape, numpy, torch, ...), and prints each one's
median time and its ratio to torch's (median, min-max of the per-run ratios).

What lies between the bare tape and minitorch is what torch's behaviour costs when it is written in
Python: the Tensor object itself; operator dispatch with torch's type promotion; each input's shape,
dtype and device kept on its edge (to undo broadcasting and cast gradients back); the version of each
saved tensor (so an in-place edit after the forward pass is an error, not a wrong gradient); numpy's
floating-point warnings switched off around each op (torch never warns about inf or nan); the checks
for hooks, ``retain_grad`` and ``autograd.grad``.
"""
import argparse
import statistics
import time

from . import ENVIRONMENT  # noqa: F401  (sets the BLAS environment before numpy loads)

import numpy as np

from .workloads import TINY_STEPS as STEPS, op_tiny_graph, tiny_graph_inputs


# ---------------------------------------------------------------- the bare tape
class _Value:
    """One array on the tape: its parents and a closure giving their gradients from this one's."""
    __slots__ = ("data", "parents", "backward", "grad")

    def __init__(self, data, parents=(), backward=None):
        self.data, self.parents, self.backward, self.grad = data, parents, backward, None


def _mul(a, b):
    return _Value(a.data * b.data, (a, b), lambda g: (g * b.data, g * a.data))


def _add(a, b):
    return _Value(a.data + b.data, (a, b), lambda g: (g, g))


def _tanh(a):
    y = np.tanh(a.data)
    return _Value(y, (a,), lambda g: (g * (1 - y * y),))


def _sum(a):
    return _Value(a.data.sum(), (a,), lambda g: (np.broadcast_to(g, a.data.shape),))


def _backward(root):
    """Reverse topological order (depth first), then each closure once, adding into the parents."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for p in v.parents:
                visit(p)
            order.append(v)
    visit(root)
    root.grad = np.ones((), root.data.dtype)
    for v in reversed(order):
        if v.backward is not None:
            for p, g in zip(v.parents, v.backward(v.grad)):
                p.grad = g if p.grad is None else p.grad + g


def tape_grads(x, w):
    """d(sum)/dx and d(sum)/dw of the graph, on the bare tape."""
    xv, wv = _Value(x), _Value(w)
    y = xv
    for _ in range(STEPS):
        y = _tanh(_add(_mul(y, wv), wv))
    _backward(_sum(y))
    return xv.grad, wv.grad


def numpy_grads(x, w):
    """The same gradients from numpy calls alone: the forward values kept, the chain rule written out."""
    inputs, outputs, y = [], [], x
    for _ in range(STEPS):
        inputs.append(y)
        y = np.tanh(y * w + w)
        outputs.append(y)
    y.sum()                                       # the forward's last op (its value is not needed)
    g, gw = np.broadcast_to(np.ones((), x.dtype), y.shape), None
    for y_in, y_out in zip(reversed(inputs), reversed(outputs)):
        g = g * (1 - y_out * y_out)               # through tanh
        gw = g if gw is None else gw + g          # w of the add
        g, g_w = g * w, g * y_in                  # through the product
        gw = gw + g_w
    return g, gw


def _time(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def measure(runs=15, calls=200):
    """{name: [seconds per step, one per run]}, the four taken in turn within each run."""
    import minitorch
    import torch
    engine = op_tiny_graph().make              # the suite's own workload, for both engines
    x0, w0 = tiny_graph_inputs()
    steps = {"torch": engine(torch, "cpu"), "minitorch": engine(minitorch, "cpu"),
             "bare tape": lambda: tape_grads(x0, w0), "numpy alone": lambda: numpy_grads(x0, w0)}
    for fn in steps.values():
        _time(fn, max(1, calls // 4))           # warm-up
    times = {name: [] for name in steps}
    for _ in range(runs):
        for name, fn in steps.items():
            times[name].append(_time(fn, calls))
    return times


def report(times):
    torch_t = times["torch"]
    lines = ["| engine | time per step | ratio to torch (min–max) |", "|---|---:|---:|"]
    for name, ts in times.items():
        ratios = [a / b for a, b in zip(ts, torch_t)]
        lines.append(f"| {name} | {statistics.median(ts) * 1e6:.0f} µs | {statistics.median(ratios):.2f} "
                     f"({min(ratios):.2f}–{max(ratios):.2f}) |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.overhead", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=15, help="interleaved runs (default 15)")
    p.add_argument("--calls", type=int, default=200, help="steps per timed run (default 200)")
    args = p.parse_args(argv)
    from .blas import describe
    print(describe())
    print(f"{op_tiny_graph().name}, {args.runs} interleaved runs of {args.calls} steps\n")
    print(report(measure(args.runs, args.calls)))


if __name__ == "__main__":
    main()
