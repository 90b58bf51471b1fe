"""``Identity``, ``Linear`` (y = x W^T + b) and ``Bilinear`` (y_k = x1^T W_k x2 + b_k)."""
import math

from ...creation import empty
from .. import init
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x W^T + b`` with ``weight`` (out_features, in_features) and ``bias`` (out_features).

    Initialised as torch does: W ~ U(-1/sqrt(in), 1/sqrt(in)) (Kaiming-uniform
    with a=sqrt(5)), b ~ U(-1/sqrt(in), 1/sqrt(in)).
    """
    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), **factory_kwargs))
        if bias:
            self.bias = Parameter(empty(out_features, **factory_kwargs))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight and bias again from torch's default distributions."""
        init._default_weight_and_bias_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y_k = x1^T W_k x2 + b_k`` with ``weight`` (out, in1, in2); W, b ~ U(-1/sqrt(in1), 1/sqrt(in1))."""
    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        factory_kwargs = {"device": device, "dtype": dtype}
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), **factory_kwargs))
        if bias:
            self.bias = Parameter(empty(out_features, **factory_kwargs))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        if hasattr(F, "bilinear"):
            return F.bilinear(input1, input2, self.weight, self.bias)
        # y[n, k] = sum_ij x1[n, i] W[k, i, j] x2[n, j], as (x1 W_k) . x2 for every k
        lead = tuple(input1.shape[:-1])
        x1 = input1.reshape(-1, 1, 1, self.in1_features)
        x2 = input2.reshape(-1, 1, self.in2_features)
        y = ((x1 @ self.weight).squeeze(2) * x2).sum(-1)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(lead + (self.out_features,))

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
