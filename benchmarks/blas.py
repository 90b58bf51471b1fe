"""Which BLAS libraries, kernels and thread counts the two engines run with (for the report's header and JSON).

numpy's speed on the CPU is its BLAS's speed, and OpenBLAS picks its kernel (its "core type": Haswell,
SkylakeX, Zen, ...) for the CPU at load time, unless the environment forces one with ``OPENBLAS_CORETYPE``.
A forced older kernel can be much slower on thin products, so the report says which kernel ran and whether
it was forced. ``threadpoolctl`` (in the test/bench extras) reads the kernel and thread count from the loaded
library; without it the report says so and carries on.
"""
import os

# environment variables that change numpy's BLAS (read before numpy loads, so the values at start count)
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
            "OPENBLAS_THREAD_TIMEOUT", "MKL_NUM_THREADS")


def set_threads(n):
    """Run numpy's BLAS, oneDNN's pool (minitorch's convolutions, where installed) and torch's intra-op pool on
    ``n`` threads; returns the threadpoolctl limiter (or None)."""
    import torch
    from minitorch import _onednn
    torch.set_num_threads(n)
    _onednn.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=n, user_api="blas")


def _numpy_blas():
    import numpy
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:                                   # older numpy: no dict mode
        return "unknown"


def _torch_blas():
    import torch
    cfg = torch.__config__.show()
    info = next((part.split("=", 1)[1] for line in cfg.splitlines() for part in line.replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    extra = []
    if torch.backends.mkldnn.is_available():
        extra.append("oneDNN (mkldnn) convolutions")
    try:
        extra.append(f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    except Exception:
        pass
    return info + (f" ({', '.join(extra)})" if extra else "")


def describe():
    """A dict for the report: BLAS libraries, OpenBLAS kernel, thread counts, forced settings."""
    import torch
    from minitorch import _onednn, backends
    out = {"numpy BLAS": _numpy_blas(), "torch BLAS": _torch_blas(), "torch threads": torch.get_num_threads()}
    if _onednn.is_available() and backends.mkldnn.enabled:
        out["minitorch convolutions"] = f"oneDNN {_onednn.version()} (float32, CPU; minitorch.backends.mkldnn)"
    else:
        out["minitorch convolutions"] = ("numpy im2col + BLAS (" + (_onednn.why_not() or "mkldnn.enabled is False")
                                         + ")")
    try:
        from threadpoolctl import threadpool_info
        pools = threadpool_info()
    except ImportError:
        pools = None
        out["BLAS kernel (threadpoolctl)"] = "threadpoolctl not installed (pip install -e '.[test]')"
    if pools is not None:
        libs = []
        for p in pools:
            desc = f"{p.get('internal_api')} {p.get('version') or ''}".strip()
            if p.get("architecture"):
                desc += f", kernel {p['architecture']}"
            desc += f", {p.get('num_threads')} threads ({os.path.basename(p.get('filepath', ''))})"
            libs.append(desc)
        out["thread pools (threadpoolctl)"] = "; ".join(libs)
        arch = [p.get("architecture") for p in pools if p.get("internal_api") == "openblas"]
        if arch:
            out["numpy OpenBLAS kernel"] = arch[0]
        blas_threads = [p.get("num_threads") for p in pools if p.get("user_api") == "blas"]
        if blas_threads:
            out["numpy BLAS threads"] = blas_threads[0]
    forced = {k: os.environ[k] for k in BLAS_ENV if k in os.environ}
    out["BLAS environment"] = ", ".join(f"{k}={v}" for k, v in forced.items()) or "none"
    if "OPENBLAS_CORETYPE" in os.environ:
        out["note"] = (f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} forces numpy's OpenBLAS kernel; "
                       f"without it OpenBLAS picks its own for this CPU (measure with "
                       f"`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m benchmarks`)")
    return out
