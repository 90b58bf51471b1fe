"""``minitorch.nn.functional``: torch's functional API (layers, activations, losses) with torch's signatures.

This package checks arguments and raises torch's errors, one module per concern: ``_conv.py`` (linear layers,
convolution), ``_pooling.py`` (pooling, padding), ``_activation.py``, ``_dropout.py``, ``_normalization.py``
(normalisation, distances), ``_lookup.py`` (flatten, one_hot, embedding) and ``_loss.py``, with the argument
helpers they share in ``_args.py``. Import the functions from here (``import minitorch.nn.functional as F``),
as from torch's module; the submodules are private. The work is done by the ops in ``minitorch/ops``:
``linear.py``, ``conv.py`` (convolution), ``pool.py``, ``activation.py``, ``loss.py``, ``normalization.py`` (batch
norm), ``padding.py`` and ``embedding.py``, all Functions on arrays with backward passes written in Tensor ops
(so gradients of gradients work). Functions that are cheap compositions of existing ops (``layer_norm``,
``normalize``, ``mish``, ...) are written in these modules directly with Tensor ops.
"""
from ...ops.linear import linear
from ...ops.erf import erf  # noqa: F401  (not in torch.nn.functional; kept, as before the split)
from ._conv import bilinear, conv1d, conv2d
from ._pooling import (max_pool1d, max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool1d, adaptive_avg_pool2d,
                       adaptive_max_pool1d, adaptive_max_pool2d, pad)
from ._activation import (relu, relu_, relu6, leaky_relu, leaky_relu_, prelu, sigmoid, tanh, softmax, softmin,
                          log_softmax, gelu, elu, elu_, selu, celu, silu, mish, softplus, hardtanh, hardtanh_,
                          hardsigmoid, hardswish, logsigmoid, softsign, tanhshrink, hardshrink, softshrink,
                          threshold, threshold_, glu)
from ._dropout import dropout, dropout1d, dropout2d, dropout3d
from ._normalization import batch_norm, layer_norm, group_norm, normalize, cosine_similarity, pairwise_distance
from ._lookup import flatten, one_hot, embedding
from ._loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy,
                    binary_cross_entropy_with_logits, kl_div)

__all__ = [
    "linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "pad",
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "sigmoid", "tanh", "softmax", "softmin",
    "log_softmax", "gelu", "elu", "elu_", "selu", "celu", "silu", "mish", "softplus", "hardtanh", "hardtanh_",
    "hardsigmoid", "hardswish", "logsigmoid", "softsign", "tanhshrink", "hardshrink", "softshrink",
    "threshold", "threshold_", "glu", "dropout", "dropout1d", "dropout2d", "dropout3d", "batch_norm",
    "layer_norm", "group_norm", "flatten", "one_hot", "normalize", "embedding", "cosine_similarity",
    "pairwise_distance", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
]

# The functions say they live here, where they are imported from (``minitorch.typename``, pickling, help()),
# as torch's say ``torch.nn.functional``; the wrapped ones (``normalize``, ``embedding``) down to their def.
for _name in __all__:
    _f = globals()[_name]
    while _f is not None and getattr(_f, "__module__", "").startswith(__name__ + "._"):
        _f.__module__ = __name__
        _f = getattr(_f, "__wrapped__", None)
del _name, _f
