"""Peak memory of a training step, each engine in a fresh process.

The child builds the model and data, resets the kernel's peak-RSS mark, records
its resident set size (RSS), runs a few training steps, and reports how far the
peak rose above that: the memory that
the steps themselves needed (activations, gradients, optimizer state,
temporaries), not the libraries or the weights. The libraries set themselves up
on first use: a shared library's code pages enter the RSS when a step first runs
them (torch's LeNet step: 18 MiB of libtorch's code, more than its activations),
oneDNN generates its kernels, a BLAS allocates its buffers. So before the
baseline the child runs one step of a second, throwaway copy of the workload
(same shapes) and drops it; and the growth of the file-backed part of the RSS
(``RssFile``: library code) over the measured steps is subtracted as well. The
gradients and optimizer state of the measured model are still allocated by its
first measured step, so they count. On a GPU the peak of the device allocator
is reported instead.

    python -m benchmarks.memory minitorch "MLP 784-512-512-10, batch 256" cpu
"""
import json
import os
import resource
import subprocess
import sys


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak_rss():
    """Make the kernel's peak-RSS mark (VmHWM) start again from the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_file_bytes():
    """The file-backed part of the RSS: pages of mapped files, shared libraries' code among them (0 if unknown)."""
    try:
        return _status_kib("RssFile") * 1024
    except (OSError, KeyError):
        return 0


def _rss_bytes():
    """Current resident set size."""
    try:
        return _status_kib("VmRSS") * 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _release_free_heap():
    """Give the heap's free pages back to the kernel (glibc's ``malloc_trim(0)``), in both engines' children,
    before the baseline is read: memory freed during the set-up and still held by malloc (minitorch asks glibc
    to keep it: minitorch/_malloc.py) would otherwise absorb the steps' first allocations unseen."""
    import ctypes
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):            # not glibc: nothing to give back this way
        return
    trim.argtypes, trim.restype = (ctypes.c_size_t,), ctypes.c_int
    trim(0)


def _peak_rss_bytes():
    """Peak resident set size since the last reset (or since the process started)."""
    try:
        return _status_kib("VmHWM") * 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024     # Linux reports KiB


def measure_in_child(lib_name, workload_name, device="cpu", steps=5):
    """Run the child process and return its report (a dict), or {'error': ...}."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "benchmarks.memory", lib_name, workload_name, device, str(steps)],
                          capture_output=True, text=True, env=env, cwd=root, timeout=600)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child(lib_name, workload_name, device, steps):
    import benchmarks  # noqa: F401  (environment)
    import importlib
    lib = importlib.import_module(lib_name)
    if lib_name == "torch":
        lib.set_num_threads(max(1, os.cpu_count() or 1))
    from benchmarks.workloads import train_workloads, scaling_workloads
    w = {w.name: w for w in train_workloads() + scaling_workloads()}[workload_name]
    step = w.make(lib, device)
    gpu = device != "cpu"
    if gpu:
        if lib_name == "torch":
            lib.cuda.synchronize()
            lib.cuda.reset_peak_memory_stats()
            base = lib.cuda.max_memory_allocated()
        else:
            import cupy
            pool = cupy.get_default_memory_pool()
            base = pool.total_bytes()
    else:
        import gc
        warm = w.make(lib, device)             # the libraries' first-use set-up, on a throwaway copy (see above)
        warm()
        del warm
        gc.collect()
        _release_free_heap()
        _reset_peak_rss()
        base, files = _rss_bytes(), _rss_file_bytes()
    for _ in range(steps):
        step()
    if gpu:
        if lib_name == "torch":
            lib.cuda.synchronize()
            peak = lib.cuda.max_memory_allocated()
        else:
            import cupy
            cupy.cuda.Device().synchronize()
            peak = cupy.get_default_memory_pool().total_bytes()
    else:
        code = _rss_file_bytes() - files          # library code first run by the steps: not the steps' memory
        peak = _peak_rss_bytes() - max(code, 0)
    print(json.dumps({"lib": lib_name, "workload": workload_name, "device": device,
                      "baseline_bytes": base, "peak_bytes": peak, "step_bytes": max(peak - base, 0)}))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 5)
