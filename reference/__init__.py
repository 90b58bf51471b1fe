"""PyTorch twins of minitorch's models, weight transfer both ways, and the parity runner.

This package may import torch; the ``minitorch`` package itself never does.
"""
