"""The benchmark suite's smoke test (issue 5): ``python -m benchmarks --quick`` runs and writes its report.

Timings are never asserted; this only checks that the comparison runs end to end
and produces the table, the JSON and (with matplotlib) the plot.
"""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quick_benchmark_runs_and_writes_a_report(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--device", "cpu", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    header = "| workload | minitorch | torch | ratio (ours/torch) | ratio min–max | runs |"
    assert header in proc.stdout
    assert proc.stdout.count("| LeNet, batch 64 |") == 1           # the table once (progress goes to stderr)
    data = json.loads((tmp_path / "results-cpu.json").read_text())
    names = {r["name"] for r in data["timings"]}
    assert any(n.startswith("MLP") for n in names) and any(n.startswith("conv2d") for n in names)
    for r in data["timings"]:
        assert r["ours_s"] > 0 and r["torch_s"] > 0 and r["ratio"] > 0
        assert r["ratio_min"] <= r["ratio"] <= r["ratio_max"] and r["runs"] >= 7     # a median with its spread
    meta = data["meta"]
    assert meta["environment set by the suite"].startswith("OPENBLAS_THREAD_TIMEOUT")
    # which BLAS ran, on how many threads, and whether the environment forced OpenBLAS's kernel
    assert meta["numpy BLAS"] and meta["torch BLAS"] and meta["torch threads"] >= 1
    assert meta["numpy BLAS threads"] >= 1                                         # threadpoolctl (test extra)
    if "openblas" in meta["numpy BLAS"].lower():
        assert meta["numpy OpenBLAS kernel"] in meta["thread pools (threadpoolctl)"]
        assert f"numpy OpenBLAS kernel: {meta['numpy OpenBLAS kernel']}" in proc.stdout
    assert ("OPENBLAS_CORETYPE" in meta["BLAS environment"]) == ("OPENBLAS_CORETYPE" in os.environ)
    assert ("note" in meta) == ("OPENBLAS_CORETYPE" in os.environ)
    assert (tmp_path / "report-cpu.md").exists()


def test_memory_child_reports_a_step_peak():
    sys.path.insert(0, ROOT)
    from benchmarks.memory import measure_in_child
    r = measure_in_child("minitorch", "MLP 784-512-512-10, batch 256", "cpu", steps=2)
    assert "error" not in r and r["step_bytes"] > 0


def test_profile_step_prints_both_engines_and_the_op_table():
    proc = subprocess.run([sys.executable, "-m", "benchmarks.profile_step", "--model", "lenet", "--batch", "4",
                           "--reps", "2", "--rows", "5"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    first = proc.stdout.splitlines()[0]
    assert first.startswith("lenet, batch 4, cpu: minitorch") and "torch" in first and "ratio" in first
    assert "Convolution" in proc.stdout and "Self CPU time total" in proc.stdout


def test_each_timed_run_follows_its_own_engines_settle_calls():
    """Before a timed run the engine runs its step untimed (``settle``), so its run never starts straight after
    the other engine's (whose spinning threads would hold a core): calls come in runs of at least two."""
    sys.path.insert(0, ROOT)
    from benchmarks.timing import measure
    calls = []
    r = measure(lambda: calls.append("ours"), lambda: calls.append("torch"), runs=4, warmup=0, target=1e-9,
                settle_s=0.0)
    assert r["calls_per_run"] == 1
    timed = calls[2:]                                  # after the two calibration calls
    runs_of = []
    for c in timed:
        if runs_of and runs_of[-1][0] == c:
            runs_of[-1][1] += 1
        else:
            runs_of.append([c, 1])
    assert len(runs_of) == 8 and all(n == 2 for _, n in runs_of), runs_of   # settle once, then the timed call


def test_overhead_baselines_compute_torchs_gradients():
    """The bare tape and numpy-alone baselines of ``benchmarks.overhead`` do the graph's real work: their
    gradients are torch's (float64: about 100 roundings of at most eps each, on values of order 1; and
    float32 against torch's float64 answer, by the same count of float32 roundings)."""
    sys.path.insert(0, ROOT)
    import torch
    from benchmarks import overhead
    r = np.random.default_rng(1)
    x, w = r.standard_normal(4), r.standard_normal(4)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = tx
    for _ in range(overhead.STEPS):
        y = (y * tw + tw).tanh()
    y.sum().backward()
    want = tx.grad.numpy(), tw.grad.numpy()
    scale = 1 + max(np.abs(want[0]).max(), np.abs(want[1]).max())
    for dtype in (np.float64, np.float32):
        tol = 100 * np.finfo(dtype).eps * scale
        for grads in (overhead.tape_grads, overhead.numpy_grads):
            got = grads(x.astype(dtype), w.astype(dtype))
            assert [g.dtype for g in got] == [dtype, dtype]
            for g, t in zip(got, want):
                np.testing.assert_allclose(g, t, rtol=0, atol=tol)


def test_overhead_prints_the_four_engines():
    proc = subprocess.run([sys.executable, "-m", "benchmarks.overhead", "--runs", "2", "--calls", "3"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ") and "µs" in line]
    assert [row.split(" | ")[0][2:] for row in rows] == ["torch", "minitorch", "bare tape", "numpy alone"]
    assert rows[0].endswith("| 1.00 (1.00–1.00) |")
