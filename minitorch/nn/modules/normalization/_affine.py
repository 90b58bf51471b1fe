"""The optional affine part (``weight``, ``bias``) that every normalisation layer shares."""
from ....creation import empty
from ... import init
from ...parameter import Parameter


def register_affine(module, shape, affine, bias, factory_kwargs):
    """Register ``weight`` and ``bias`` parameters of ``shape`` on ``module`` (None when not ``affine`` /
    ``bias``, as torch does, so they still appear as attributes)."""
    module.register_parameter("weight", Parameter(empty(shape, **factory_kwargs)) if affine else None)
    module.register_parameter("bias", Parameter(empty(shape, **factory_kwargs)) if affine and bias else None)


def reset_affine(module):
    """weight = 1, bias = 0 (those the module has)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)
