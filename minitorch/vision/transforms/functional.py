"""``transforms.functional`` (torchvision's ``F``): the functions behind the transform classes."""
from . import (to_tensor, pil_to_tensor, convert_image_dtype, normalize, hflip, vflip, pad, crop,  # noqa: F401
               center_crop, resize, resized_crop, to_pil_image, get_dimensions, InterpolationMode)

__all__ = ["to_tensor", "pil_to_tensor", "convert_image_dtype", "normalize", "hflip", "vflip", "pad", "crop",
           "center_crop", "resize", "resized_crop", "to_pil_image", "get_dimensions", "InterpolationMode"]
