"""The cuDNN switch (issue 16 groundwork): ``MINITORCH_CUDNN=0`` starts ``backends.cudnn.enabled`` off, as
torch's ``torch.backends.cudnn.enabled = False`` would be set by hand; unset, it is on, as torch's default."""
import os
import subprocess
import sys

import pytest
import torch


@pytest.mark.parametrize("value,expected", [(None, True), ("1", True), ("0", False)])
def test_minitorch_cudnn_env_sets_enabled(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "MINITORCH_CUDNN"}
    if value is not None:
        env["MINITORCH_CUDNN"] = value
    out = subprocess.run([sys.executable, "-c", "import minitorch; print(minitorch.backends.cudnn.enabled)"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(expected)
    if value is None:
        assert expected == torch.backends.cudnn.enabled       # torch's default


def test_cuda_extras_bring_the_cudnn_frontend():
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(os.path.dirname(__file__), "..", "setup.cfg"))
    for extra in ("cuda", "cuda12", "cuda13"):
        reqs = cfg["options.extras_require"][extra]
        assert "nvidia-cudnn-frontend" in reqs and "nvidia-cudnn-cu1" in reqs and "cupy-cuda" in reqs, extra
