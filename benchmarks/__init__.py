"""minitorch vs PyTorch, side by side: ``python -m benchmarks [--quick]``.

Importing this package sets the environment both engines are measured in,
before numpy or torch load (see ``ENVIRONMENT``): OpenBLAS's worker threads
otherwise spin for ~70 ms after each call and steal the cores from torch.
"""
import os

ENVIRONMENT = {
    # OpenBLAS (numpy) threads sleep 4 ms after work instead of spinning ~70 ms
    "OPENBLAS_THREAD_TIMEOUT": "4",
}
for _k, _v in ENVIRONMENT.items():
    os.environ.setdefault(_k, _v)
