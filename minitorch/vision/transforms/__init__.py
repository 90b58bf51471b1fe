"""Image transforms with torchvision's names, arguments and formulas.

Images come in three forms, as in torchvision:

* a *PIL image* -- what the datasets return when Pillow is installed. The
  geometric transforms (flips, crops, ``Pad``, ``Resize``) return a PIL image
  for a PIL image, computed with Pillow's own operations as torchvision does.
* an *image array* -- a numpy array ``H x W`` (grayscale) or ``H x W x C``,
  usually ``uint8``: what the datasets return without Pillow. Treated like a
  PIL image (``ToTensor`` scales ``uint8`` to [0, 1]); the geometric transforms
  return an array.
* a *tensor image* -- a tensor of shape ``[..., C, H, W]``, what ``ToTensor``
  returns.

``ToTensor``: ``uint8`` ``H x W (x C)`` -> float ``C x H x W`` in [0, 1] (``x / 255``);
other dtypes only change layout, as torchvision does. ``Normalize``:
``out[c] = (x[c] - mean[c]) / std[c]``. ``Resize`` on a tensor is torchvision's
bilinear interpolation with antialiasing (``F.interpolate(..., mode="bilinear",
antialias=True)``; ``uint8`` computed in float32, rounded), on a PIL image
Pillow's resize. Random choices are drawn from minitorch's global generator
(``minitorch.manual_seed`` makes them reproducible), exactly where torchvision
draws from torch's. ``transforms.v2`` holds the v2 names (``ToImage``,
``ToDtype``, ...).

Laid out as torchvision's package: ``functional.py`` holds the functions
(``to_tensor``, ``normalize``, ``resize``, ...) and ``InterpolationMode``,
``transforms.py`` the classes (``Compose``, ``ToTensor``, ``RandomCrop``, ...);
this module re-exports both.
"""
from .functional import (to_tensor, pil_to_tensor, normalize, hflip, vflip, pad, crop, center_crop,
                         get_dimensions, resize, resized_crop, to_pil_image, convert_image_dtype, InterpolationMode)
from .transforms import (Compose, ToTensor, PILToTensor, ConvertImageDtype, Normalize, Lambda, Pad,
                         RandomHorizontalFlip, RandomVerticalFlip, RandomCrop, CenterCrop, RandomApply, Resize,
                         RandomResizedCrop, ToPILImage)

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda", "Pad",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomApply", "Resize",
           "RandomResizedCrop", "ToPILImage", "InterpolationMode",
           "to_tensor", "pil_to_tensor", "normalize", "hflip", "vflip", "pad", "crop", "center_crop",
           "get_dimensions", "resize", "resized_crop", "to_pil_image", "convert_image_dtype"]
