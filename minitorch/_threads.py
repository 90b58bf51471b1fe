"""``get_num_threads`` / ``set_num_threads``: how many CPU threads minitorch's work runs on (torch's functions).

minitorch's only multi-threaded work on the CPU is numpy's BLAS (the matrix products behind linear layers and
convolutions) and, where the ``onednn`` extra is installed, oneDNN's convolutions. Every other array pass runs
on one thread (numpy's loops). So these read and set numpy's BLAS thread pool, through threadpoolctl, and
oneDNN's OpenMP pool, as torch's set the pool behind its kernels. (A pool of our own for the
large elementwise passes was measured and dropped: waking an idle worker costs more than it saves here; see
the README's comparison with PyTorch.)
"""
import operator
import warnings


def _pools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:                        # a dependency (setup.cfg); a clear message if it went missing
        raise ImportError("minitorch.get_num_threads/set_num_threads need threadpoolctl: pip install threadpoolctl") \
            from None
    return [p for p in threadpool_info() if p["user_api"] == "blas"]


def get_num_threads():
    """Returns the number of threads used for parallelizing CPU operations (numpy's BLAS threads)."""
    pools = _pools()
    return pools[0]["num_threads"] if pools else 1


def set_num_threads(n, /):                     # positional only, as torch's
    """Sets the number of threads used for intraop parallelism on CPU: numpy's BLAS threads, for the process."""
    if type(n) is bool:
        raise RuntimeError("set_num_threads expects an int, but got bool")
    try:
        n = operator.index(n)
    except TypeError:
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}") from None
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    if not _pools():                           # e.g. numpy on Apple's Accelerate: nothing to set, said so
        warnings.warn("set_num_threads: numpy's BLAS here has no thread pool that threadpoolctl can set; "
                      "the call has no effect", UserWarning, stacklevel=2)
        return
    from threadpoolctl import threadpool_limits
    from . import _onednn
    threadpool_limits(limits=n, user_api="blas")
    _onednn.set_num_threads(n)
