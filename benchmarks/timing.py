"""How the suite times things: warm-up, then interleaved runs, medians, and the per-pair ratio.

For one workload, ``measure`` runs ours, torch, ours, torch, ... so that slow
drifts of the machine (frequency, other processes) hit both engines alike. Each
run times ``inner`` calls of the step; the ratio of a workload is the median
over runs of ours_i / torch_i.
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


def measure(ours, theirs, *, runs=7, warmup=2, target=0.05, sync_ours=None, sync_theirs=None):
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
        t_ours.append(_time(ours, inner, sync_ours))
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
