"""How the suite times things: warm-up, then interleaved runs, medians, and the per-pair ratio.

For one workload, ``measure`` runs ours, torch, ours, torch, ... so that slow
drifts of the machine (frequency, other processes) hit both engines alike. Each
run times ``inner`` calls of the step; the ratio of a workload is the median
over runs of ours_i / torch_i.

Before each timed run, the engine about to be timed runs its step untimed for at
least ``settle_s`` seconds (``settle``). Switching engines is not free: after a
multi-threaded op torch's OpenMP workers keep spinning on their cores for a few
milliseconds (2-core Zen 5 VM, 2026-12-05: about 8-10 ms of CPU time in the 10 ms
after a LeNet step; none with ``OMP_WAIT_POLICY=PASSIVE``), so a minitorch step
started straight after torch's ran with one core instead of two (LeNet, batch 64:
13.4 ms against 8.7 back to back). Runs of 50 ms (the full suite) mostly absorb
that; the quick suite's runs of one to four steps did not (its LeNet ratio read
2.4-2.5 where the full suite reads 1.6-1.8). With the settle calls each engine is
timed as in a training loop: its own steps back to back, its own threads warm.
"""
import statistics
import time


def _time(fn, inner, sync):
    sync()
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    sync()
    return (time.perf_counter() - t0) / inner


def calibrate(fn, sync, target=0.02, max_inner=1000):
    """Number of calls per run so that one run takes about ``target`` seconds."""
    t = _time(fn, 1, sync)
    return max(1, min(max_inner, int(target / max(t, 1e-7))))


def settle(fn, sync, seconds):
    """Run ``fn`` untimed, at least once, until ``seconds`` have passed (see the module docstring)."""
    t0 = time.perf_counter()
    while True:
        fn()
        sync()
        if time.perf_counter() - t0 >= seconds:
            return


def measure(ours, theirs, *, runs=7, warmup=2, target=0.05, settle_s=0.02, sync_ours=None, sync_theirs=None):
    """Median seconds per call of both engines and the per-run ratio ours/torch: median, min and max.

    The spread of the ratios over the runs is the measure of noise: on a shared machine one run of either
    engine can be slowed by another process, and the median over interleaved pairs is what stays stable.
    """
    sync_ours = sync_ours or (lambda: None)
    sync_theirs = sync_theirs or (lambda: None)
    for _ in range(warmup):
        ours()
        theirs()
    inner = min(calibrate(ours, sync_ours, target), calibrate(theirs, sync_theirs, target))
    t_ours, t_theirs = [], []
    for _ in range(runs):
        settle(ours, sync_ours, settle_s)
        t_ours.append(_time(ours, inner, sync_ours))
        settle(theirs, sync_theirs, settle_s)
        t_theirs.append(_time(theirs, inner, sync_theirs))
    ratios = [a / b for a, b in zip(t_ours, t_theirs)]
    return {
        "ours_s": statistics.median(t_ours),
        "ours_min_s": min(t_ours),
        "ours_max_s": max(t_ours),
        "torch_s": statistics.median(t_theirs),
        "torch_min_s": min(t_theirs),
        "torch_max_s": max(t_theirs),
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "runs": runs,
        "calls_per_run": inner,
    }
