"""Normalisation layers."""
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .layernorm import LayerNorm, GroupNorm

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm"]
