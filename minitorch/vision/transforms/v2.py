"""``transforms.v2``: torchvision's v2 names, for the tutorials that use them.

``ToImage`` (PIL image / array ``H x W (x C)`` -> tensor ``C x H x W``, dtype kept: ``uint8`` for images),
``ToDtype(dtype, scale=False)`` (``scale=True``: integers -> float as ``x.to(dtype) * (1 / max)``, float ->
integers as ``x * (max + 1 - 0.001)``), ``Compose``, ``Normalize`` (tensors only), ``Resize``,
``RandomHorizontalFlip``, ``Lambda`` and the v1 geometric transforms under the same names.

Differences from torchvision's v2: a transform takes one image (not arbitrary nested structures with boxes
and masks), and ``ToImage`` returns a plain tensor (torchvision: a ``tv_tensors.Image`` subclass).
``Resize`` of a ``uint8`` tensor is computed in float32 and rounded (torchvision's v2 has a native ``uint8``
kernel on the CPU that can differ by one grey level).
"""
from ... import _backend, _dtype
from ...tensor import Tensor
from .functional import InterpolationMode, normalize as _normalize, _is_pil, _max_value  # noqa: F401
from .transforms import (Compose, Lambda, Resize, RandomHorizontalFlip, RandomVerticalFlip, RandomCrop,  # noqa: F401
                         CenterCrop, RandomResizedCrop, Pad, RandomApply, ToPILImage, PILToTensor)

_np = _backend.numpy

__all__ = ["ToImage", "ToDtype", "ToPureTensor", "Compose", "Normalize", "Resize", "RandomHorizontalFlip",
           "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomResizedCrop", "Pad", "RandomApply", "Lambda",
           "ToPILImage", "PILToTensor", "InterpolationMode"]


def to_image(inpt):
    """PIL image or array ``H x W (x C)`` -> tensor ``C x H x W`` of the same dtype; a tensor is returned as is."""
    if isinstance(inpt, Tensor):
        return inpt
    if _is_pil(inpt):
        inpt = _np.array(inpt)
    elif not isinstance(inpt, _np.ndarray):
        raise TypeError(f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} "
                        "instead.")
    if inpt.ndim == 2:
        inpt = inpt[:, :, None]
    return Tensor._from_array(_np.ascontiguousarray(inpt.transpose(2, 0, 1)))


class ToImage:
    """PIL image / numpy array ``H x W (x C)`` -> tensor ``C x H x W`` (dtype kept)."""

    def __call__(self, inpt):
        return to_image(inpt)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ToPureTensor:
    """Identity on tensors (torchvision: drops the ``tv_tensors`` subclass; minitorch has none)."""

    def __call__(self, inpt):
        return inpt

    def __repr__(self):
        return f"{self.__class__.__name__}()"


def to_dtype(image, dtype=_dtype.float32, scale=False):
    """Cast a tensor image; with ``scale`` rescale the value range as torchvision's v2 ``to_dtype``."""
    if not isinstance(image, Tensor):
        raise TypeError(f"to_dtype expects a tensor, got {type(image).__name__}")
    dtype = _dtype.as_dtype(dtype)
    if image.dtype is dtype:
        return image
    if not scale:
        return image.to(dtype)
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype is _dtype.float32 and dtype in (_dtype.int32, _dtype.int64)) or (
                image.dtype is _dtype.float64 and dtype is _dtype.int64):
            raise RuntimeError(f"The conversion from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        return image.mul(float(_max_value(dtype.np)) + 1.0 - eps).to(dtype)
    if dtype.is_floating_point:
        return image.to(dtype).mul_(1.0 / _max_value(image.dtype.np))
    bits_in = _value_bits(image.dtype)
    bits_out = _value_bits(dtype)
    shift = abs(bits_in - bits_out)
    if bits_in > bits_out:
        return (image // (2 ** shift)).to(dtype)          # an arithmetic right shift
    return image.to(dtype) * (2 ** shift)                  # a left shift


def _value_bits(dtype):
    if dtype is _dtype.bool_:
        return 0
    info = _np.iinfo(dtype.np)
    return info.bits - (1 if info.min < 0 else 0)


class ToDtype:
    """``to_dtype(x, dtype, scale)`` on a tensor image (``ToDtype(torch.float32, scale=True)``: ``uint8`` ->
    [0, 1]). A dict of dtypes per input type is not supported (TypeError)."""

    def __init__(self, dtype, scale=False):
        if isinstance(dtype, dict):
            raise TypeError("ToDtype: a dict of dtypes per input type is not supported by minitorch; pass one dtype")
        self.dtype = _dtype.as_dtype(dtype)
        self.scale = scale

    def __call__(self, inpt):
        return to_dtype(inpt, self.dtype, self.scale)

    def __repr__(self):
        return f"{self.__class__.__name__}(dtype={self.dtype}, scale={self.scale})"


class Normalize:
    """Per channel ``(x - mean[c]) / std[c]`` of a float tensor image (PIL images are refused, as in v2)."""

    def __init__(self, mean, std, inplace=False):
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def __call__(self, inpt):
        if _is_pil(inpt):
            raise TypeError("Normalize() does not support PIL images.")
        return _normalize(inpt, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std}, inplace={self.inplace})"
