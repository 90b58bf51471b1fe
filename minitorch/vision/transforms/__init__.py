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
"""
import enum
import math
import numbers

from ... import _backend, _dtype
from ...tensor import Tensor
from ...creation import as_tensor, empty, rand, randint

_np = _backend.numpy

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda", "Pad",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomApply", "Resize",
           "RandomResizedCrop", "ToPILImage", "InterpolationMode",
           "to_tensor", "pil_to_tensor", "normalize", "hflip", "vflip", "pad", "crop", "center_crop",
           "get_dimensions", "resize", "resized_crop", "to_pil_image", "convert_image_dtype"]


# ---------------------------------------------------------------------------------------------- helpers
def _is_pil(img):
    return type(img).__module__.startswith("PIL.") and hasattr(img, "mode")


def _as_image_array(pic):
    """A numpy ``H x W`` or ``H x W x C`` array from an image array or a PIL image."""
    if _is_pil(pic):
        arr = _np.array(pic)            # a writable copy (numpy's view of a PIL image is read-only)
        if pic.mode == "1":
            arr = arr.astype(_np.uint8) * 255
        return arr
    return pic


def _to_pil_like(pil, arr):
    """``arr`` (the pixels of PIL image ``pil`` after a numpy operation) as a PIL image of the same mode."""
    from PIL import Image
    out = Image.fromarray(_np.ascontiguousarray(arr).astype(_np.asarray(pil).dtype, copy=False))
    if out.mode != pil.mode:
        out = out.convert(pil.mode) if pil.mode != "P" else Image.fromarray(arr, mode="P")
    if pil.mode == "P" and pil.getpalette() is not None:
        out.putpalette(pil.getpalette())
    return out


def _check_image(img):
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise TypeError(f"Tensor is not a torch image. Got tensor of shape {tuple(img.shape)}")
        return
    if not isinstance(img, _np.ndarray):
        raise TypeError(f"img should be a tensor, a numpy image array or a PIL Image. Got {type(img)}")
    if img.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {img.ndim} dimensions.")


def get_dimensions(img):
    """``[channels, height, width]`` of a tensor image ``[..., C, H, W]``, a PIL image or an image array."""
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    img = _as_image_array(img)
    _check_image(img)
    if isinstance(img, Tensor):
        c = 1 if img.ndim == 2 else img.shape[-3]
        return [c, img.shape[-2], img.shape[-1]]
    return [1 if img.ndim == 2 else img.shape[2], img.shape[0], img.shape[1]]


def _hw_axes(img):
    """The (height, width) axes of an image in either form."""
    if isinstance(img, Tensor):
        return img.ndim - 2, img.ndim - 1
    return 0, 1


def _wrap_like(img, arr):
    """``arr`` in the form of ``img`` (a new tensor, outside autograd, or a numpy array)."""
    if isinstance(img, Tensor):
        return Tensor._from_array(arr)
    return arr


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _parse_padding(padding):
    """torchvision's padding forms -> (left, top, right, bottom)."""
    if isinstance(padding, numbers.Number):
        p = int(padding)
        return p, p, p, p
    padding = list(padding)
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return tuple(padding)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


# ------------------------------------------------------------------------------------------- functional
def to_tensor(pic):
    """An image array ``H x W (x C)`` as a tensor ``C x H x W``; ``uint8`` is scaled to [0, 1]: ``x / 255``.

    The result of ``uint8`` input has the default float dtype (float32). Any other
    dtype keeps its dtype and values (torchvision's rule).
    """
    if _is_pil(pic) and pic.mode in ("I;16", "I;16B"):
        pic = _np.asarray(pic).astype(_np.int16)          # torchvision reads 16-bit PIL images as int16
    pic = _as_image_array(pic)
    if isinstance(pic, Tensor) or not isinstance(pic, _np.ndarray):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    arr = _np.ascontiguousarray(pic.transpose((2, 0, 1)))
    if arr.dtype == _np.uint8:
        fdt = _dtype.get_default_dtype().np
        arr = arr.astype(fdt) / fdt.type(255)
    else:
        _dtype.from_numpy_dtype(arr.dtype)        # refuses dtypes minitorch has no tensor type for
    return Tensor._from_array(arr)


def pil_to_tensor(pic):
    """An image array ``H x W (x C)`` (or PIL image) as a tensor ``C x H x W`` of the same dtype, not scaled."""
    if _is_pil(pic):
        pic = _np.array(pic)            # mode "1" -> bool, as torchvision
    pic = _as_image_array(pic)
    if not isinstance(pic, _np.ndarray):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    return Tensor._from_array(_np.ascontiguousarray(pic.transpose((2, 0, 1))))


def _max_value(np_dtype):
    if np_dtype.kind == "b":
        return 1
    return int(_np.iinfo(np_dtype).max)


def convert_image_dtype(image, dtype=_dtype.float32):
    """Cast a tensor image, rescaling values: integers ``x`` -> ``x / max``; floats -> ``x * (max + 1 - 0.001)``."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = _dtype.as_dtype(dtype)
    if image.dtype is dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype is _dtype.float32 and dtype in (_dtype.int32, _dtype.int64)) or (
                image.dtype is _dtype.float64 and dtype is _dtype.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        return (image * (_max_value(dtype.np) + 1.0 - eps)).to(dtype)
    if dtype.is_floating_point:
        return image.to(dtype) / _max_value(image.dtype.np)
    in_max, out_max = _max_value(image.dtype.np), _max_value(dtype.np)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return (image // factor).to(dtype)
    factor = (out_max + 1) // (in_max + 1)
    return image.to(dtype) * factor


def normalize(tensor, mean, std, inplace=False):
    """``out[..., c, :, :] = (tensor[..., c, :, :] - mean[c]) / std[c]`` for a float tensor image."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace and not tensor._requires_grad:
        # the common data-loading case, straight on the arrays (same float ops, no autograd bookkeeping)
        arr = tensor._data
        xp = _backend.array_module(arr)
        m = xp.asarray(_np.asarray(mean, dtype=arr.dtype))
        s = xp.asarray(_np.asarray(std, dtype=arr.dtype))
        if bool((s == 0).any()):
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        if m.ndim == 1:
            m = m.reshape(-1, 1, 1)
        if s.ndim == 1:
            s = s.reshape(-1, 1, 1)
        return Tensor._from_array((arr - m) / s)
    mean_t = as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std_t = as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if bool((std_t == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean_t.ndim == 1:
        mean_t = mean_t.reshape(-1, 1, 1)
    if std_t.ndim == 1:
        std_t = std_t.reshape(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean_t).div_(std_t)
    return (tensor - mean_t) / std_t


def hflip(img):
    """Mirror left-right (reverse the width axis)."""
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img = _as_image_array(img)
    _check_image(img)
    if isinstance(img, Tensor):
        return img.flip(-1)
    return _np.ascontiguousarray(img[:, ::-1])


def vflip(img):
    """Mirror top-bottom (reverse the height axis)."""
    if _is_pil(img):
        from PIL import Image
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    img = _as_image_array(img)
    _check_image(img)
    if isinstance(img, Tensor):
        return img.flip(-2)
    return _np.ascontiguousarray(img[::-1])


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is an int (all sides), (left/right, top/bottom) or (left, top, right, bottom).

    Modes as torchvision: ``constant`` (``fill``), ``edge`` (repeat the border
    pixel), ``reflect`` (mirror without repeating the border), ``symmetric``
    (mirror repeating it). A tensor result is a new tensor outside autograd.
    """
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if _is_pil(img):
        return _to_pil_like(img, pad(_np.asarray(img), padding, fill, padding_mode))
    img = _as_image_array(img)
    _check_image(img)
    left, top, right, bottom = _parse_padding(padding)
    arr = img._data if isinstance(img, Tensor) else img
    xp = _backend.array_module(arr)
    hax, wax = _hw_axes(img)
    widths = [(0, 0)] * arr.ndim
    widths[hax] = (top, bottom)
    widths[wax] = (left, right)
    if padding_mode == "constant":
        if isinstance(fill, (tuple, list)):
            if len(fill) == 1:
                fill = fill[0]
            else:
                cax = hax - 1 if isinstance(img, Tensor) else 2
                parts = [xp.pad(xp.take(arr, [c], axis=cax), widths, mode="constant", constant_values=f)
                         for c, f in enumerate(fill)]
                return _wrap_like(img, xp.concatenate(parts, axis=cax))
        out = xp.pad(arr, widths, mode="constant", constant_values=fill)
    else:
        out = xp.pad(arr, widths, mode=padding_mode)
    return _wrap_like(img, out)


def crop(img, top, left, height, width):
    """The ``height x width`` region whose top-left corner is at (``top``, ``left``); zero-padded where outside."""
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    img = _as_image_array(img)
    _check_image(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        pads = [max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)]
        img = pad(img, pads, fill=0)
        top, left = top + pads[1], left + pads[0]
    if isinstance(img, Tensor):
        return Tensor._from_array(img._data[..., top:top + height, left:left + width].copy())
    return _np.ascontiguousarray(img[top:top + height, left:left + width])


def center_crop(img, output_size):
    """The central ``output_size`` region (zero-padded first when the image is smaller)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    th, tw = output_size
    if tw > w or th > h:
        padding_ltrb = [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                        (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0]
        img = pad(img, padding_ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if tw == w and th == h:
            return img
    top = int(round((h - th) / 2.0))
    left = int(round((w - tw) / 2.0))
    return crop(img, top, left, th, tw)


class InterpolationMode(enum.Enum):
    """torchvision's interpolation names. Tensors: NEAREST, NEAREST_EXACT, BILINEAR; PIL images: Pillow's filters."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_INT_MODES = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                  4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interp_mode(interpolation):
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int) and not isinstance(interpolation, bool) and interpolation in _PIL_INT_MODES:
        return _PIL_INT_MODES[interpolation]               # Pillow's integer constants, as torchvision accepts
    raise TypeError("Argument interpolation should be of type InterpolationMode instead of "
                    f"{type(interpolation).__name__}")


def _resized_output_size(h, w, size, max_size):
    """torchvision's rule: one number = the smaller edge (the other keeps the aspect ratio, truncated),
    two = (height, width); ``max_size`` caps the longer edge."""
    if isinstance(size, numbers.Number):
        size = [int(size)]
    size = list(size)
    if len(size) == 1:
        short, long = (w, h) if w <= h else (h, w)
        requested = size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                         "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    return [int(size[0]), int(size[1])]


def _aa_bilinear_weights(n_in, n_out, np_dtype):
    """The ``n_out x n_in`` matrix of torch's antialiased bilinear resampling (``interpolate(...,
    mode="bilinear", align_corners=False, antialias=True)``), computed in the input's precision as torch does:
    output pixel i has centre ``s * (i + 0.5)`` (``s = n_in / n_out``), a triangle filter of half-width
    ``max(s, 1)`` over the input pixel centres, weights normalised to sum 1."""
    f = np_dtype.type
    scale = f(n_in) / f(n_out)
    support = f(scale) if scale >= 1 else f(1.0)
    invscale = f(1) / scale if scale >= 1 else f(1.0)
    w = _np.zeros((n_out, n_in), dtype=np_dtype)
    for i in range(n_out):
        center = scale * (f(i) + f(0.5))
        xmin = max(int(center - support + f(0.5)), 0)
        xmax = min(int(center + support + f(0.5)), n_in)
        j = _np.arange(xmin, xmax)
        x = (j.astype(np_dtype) - center + f(0.5)) * invscale
        wt = _np.maximum(f(1) - _np.abs(x), f(0)).astype(np_dtype)
        total = wt.sum(dtype=np_dtype)
        if total != 0:
            wt = wt / total
        w[i, xmin:xmax] = wt
    return w


def _nearest_index(n_in, n_out, exact):
    """torch's nearest source index: ``min(floor(i * s), n_in - 1)`` (``nearest-exact``: ``floor((i + 0.5) * s)``),
    ``s = n_in / n_out`` in float32."""
    f = _np.float32
    scale = f(n_in) / f(n_out)
    i = _np.arange(n_out, dtype=f)
    src = _np.floor((i + f(0.5)) * scale if exact else i * scale).astype(_np.int64)
    return _np.minimum(src, n_in - 1)


def _resize_tensor(img, out_h, out_w, mode, antialias):
    arr = img._data
    xp = _backend.array_module(arr)
    h, w = arr.shape[-2], arr.shape[-1]
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = mode is InterpolationMode.NEAREST_EXACT
        out = arr[..., xp.asarray(_nearest_index(h, out_h, exact)), :][..., xp.asarray(_nearest_index(w, out_w, exact))]
        return Tensor._from_array(xp.ascontiguousarray(out))
    if mode is not InterpolationMode.BILINEAR:
        raise TypeError(f"resize of a tensor image supports NEAREST, NEAREST_EXACT and BILINEAR interpolation, "
                        f"not {mode}; convert to a PIL image (ToPILImage) for Pillow's other filters")
    if not antialias:
        raise TypeError("resize of a tensor image: only antialias=True (torchvision's default) is supported")
    in_dtype = arr.dtype
    work = in_dtype if in_dtype in (_np.float32, _np.float64) else _np.dtype(_np.float32)
    x = arr.astype(work, copy=False)
    if out_w != w:                                     # along the width first, then the height, as torch
        x = xp.matmul(x, xp.asarray(_aa_bilinear_weights(w, out_w, work).T))
    if out_h != h:
        x = xp.matmul(xp.asarray(_aa_bilinear_weights(h, out_h, work)), x)
    if work != in_dtype:
        if in_dtype.kind in "iub":
            x = xp.rint(x)
        x = x.astype(in_dtype)
    return Tensor._from_array(xp.ascontiguousarray(x))


_PIL_FILTERS = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5, InterpolationMode.LANCZOS: 1}


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size``: an int (or 1-sequence) sets the smaller edge, keeping the aspect ratio
    (the longer edge is truncated: ``int(size * long / short)``); ``(h, w)`` sets both.

    Tensor ``[..., H, W]``: torch's antialiased bilinear (or nearest) interpolation; integer images are
    computed in float32 and rounded. PIL image: ``img.resize((w, h), filter)``. Image array: through Pillow.
    """
    mode = _interp_mode(interpolation)
    if antialias is None:
        antialias = True
    _, h, w = get_dimensions(img)
    out_h, out_w = _resized_output_size(h, w, size, max_size)
    if [h, w] == [out_h, out_w]:
        return img
    if isinstance(img, Tensor):
        return _resize_tensor(img, out_h, out_w, mode, antialias)
    if _is_pil(img):
        if mode is InterpolationMode.NEAREST_EXACT:
            raise TypeError("resize of a PIL image: NEAREST_EXACT is for tensors only")
        return img.resize((out_w, out_h), _PIL_FILTERS[mode])
    from PIL import Image                    # an image array: resized as the PIL image it stands for
    return _np.asarray(resize(Image.fromarray(_as_image_array(img)), [out_h, out_w], mode))


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize`` to ``size``."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def to_pil_image(pic, mode=None):
    """A tensor ``C x H x W`` (or ``H x W``) or an array ``H x W (x C)`` as a PIL image.

    Floating point values are taken as [0, 1] and become ``uint8`` as ``(x * 255).astype(uint8)``
    (truncated), unless ``mode="F"``. Mode from the channels: 1 -> ``L`` (int16 ``I;16``, int32 ``I``,
    float32 ``F``), 2 -> ``LA``, 3 -> ``RGB``, 4 -> ``RGBA``.
    """
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("to_pil_image needs Pillow: pip install pillow (or, from the minitorch clone, "
                          "pip install -e \".[vision]\")") from None
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = _backend.to_numpy(pic.detach().contiguous()._data)
    elif not isinstance(pic, _np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = _np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if _np.issubdtype(npimg.dtype, _np.floating) and mode != "F":
        npimg = (npimg * 255).astype(_np.uint8)
    if npimg.shape[2] == 1:
        expected_mode = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == _np.uint8:
            expected_mode = "L"
        elif npimg.dtype == _np.int16:
            expected_mode = "I;16"
        elif npimg.dtype == _np.int32:
            expected_mode = "I"
        elif npimg.dtype == _np.float32:
            expected_mode = "F"
        if mode is not None and mode != expected_mode:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {_np.dtype}. Should be {expected_mode}")
        mode = expected_mode
    elif npimg.shape[2] == 2:
        permitted = ["LA"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and npimg.dtype == _np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == _np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == _np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    npimg = _np.ascontiguousarray(npimg)
    out = Image.fromarray(npimg)
    if out.mode != mode:
        out = Image.frombuffer(mode, (npimg.shape[1], npimg.shape[0]), npimg.tobytes(), "raw", mode, 0, 1)
    return out


def _uniform(a, b):
    return empty(1).uniform_(a, b).item()


def _rand():
    return rand(1).item()


def _randint(high):
    return int(randint(0, high, size=(1,)).item())


# ------------------------------------------------------------------------------------------- transforms
class Compose:
    """Apply transforms one after another: ``Compose([t1, t2])(x) = t2(t1(x))``."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        format_string = self.__class__.__name__ + "("
        for t in self.transforms:
            format_string += "\n"
            format_string += f"    {t}"
        format_string += "\n)"
        return format_string


class ToTensor:
    """Image array ``H x W (x C)`` -> tensor ``C x H x W``; ``uint8`` values scaled to [0, 1] (``x / 255``)."""

    def __call__(self, pic):
        return to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """Image array (or PIL image) ``H x W (x C)`` -> tensor ``C x H x W`` of the same dtype, values unchanged."""

    def __call__(self, pic):
        return pil_to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ConvertImageDtype:
    """Cast a tensor image to ``dtype``, rescaling as torchvision does (``uint8`` -> float: ``x / 255``)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return convert_image_dtype(image, self.dtype)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Normalize:
    """Per channel ``(x - mean[c]) / std[c]`` of a float tensor image ``[..., C, H, W]``."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Pad:
    """Pad the borders (see ``pad``: int, (lr, tb) or (l, t, r, b); constant/edge/reflect/symmetric)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
            raise ValueError(
                f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img):
        return pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p`` (one draw of ``rand(1) < p`` per call)."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        if _rand() < self.p:
            return hflip(img)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip:
    """Mirror top-bottom with probability ``p``."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        if _rand() < self.p:
            return vflip(img)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomApply:
    """Apply the list of ``transforms`` with probability ``p`` (all or none)."""

    def __init__(self, transforms, p=0.5):
        self.transforms = transforms
        self.p = p

    def __call__(self, img):
        if self.p < _rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        format_string = self.__class__.__name__ + "("
        format_string += f"\n    p={self.p}"
        for t in self.transforms:
            format_string += "\n"
            format_string += f"    {t}"
        format_string += "\n)"
        return format_string


class RandomCrop:
    """Crop a random ``size`` region, after optional ``padding`` (and ``pad_if_needed`` to reach ``size``).

    The corner is ``top = randint(0, H - th + 1)``, ``left = randint(0, W - tw + 1)``
    on the padded image, as torchvision's ``get_params``.
    """

    @staticmethod
    def get_params(img, output_size):
        """The random crop box ``(top, left, height, width)``."""
        _, h, w = get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = _randint(h - th + 1)
        j = _randint(w - tw + 1)
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img):
        if self.padding is not None:
            img = pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return crop(img, i, j, h, w)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class CenterCrop:
    """Crop the central ``size`` region (zero-padding first if the image is smaller)."""

    def __init__(self, size):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))

    def __call__(self, img):
        return center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class Resize:
    """Resize to ``size`` (an int: the smaller edge, keeping the aspect ratio; ``(h, w)``: both); see ``resize``."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, (int, list, tuple)) or isinstance(size, bool):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interp_mode(interpolation)
        self.antialias = antialias

    def __call__(self, img):
        return resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        detail = f"(size={self.size}, interpolation={self.interpolation.value}, max_size={self.max_size}, " \
                 f"antialias={self.antialias})"
        return f"{self.__class__.__name__}{detail}"


class RandomResizedCrop:
    """A random crop (area fraction in ``scale``, aspect ratio in ``ratio``, log-uniform), resized to ``size``.

    The box is drawn as torchvision's ``get_params``: up to 10 tries of
    ``area * U(scale)`` and ``exp(U(log ratio))``, then a central crop fallback.
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        if not isinstance(scale, (tuple, list)):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, (tuple, list)):
            raise TypeError("Ratio should be a sequence")
        self.interpolation = _interp_mode(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """The random box ``(top, left, height, width)``."""
        _, height, width = get_dimensions(img)
        area = height * width
        f32 = _np.float32
        log_ratio = (float(_np.log(f32(ratio[0]))), float(_np.log(f32(ratio[1]))))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = float(_np.exp(f32(_uniform(log_ratio[0], log_ratio[1]))))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = _randint(height - h + 1)
                j = _randint(width - w + 1)
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w = width
            h = height
        i = (height - h) // 2
        j = (width - w) // 2
        return i, j, h, w

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class ToPILImage:
    """Tensor ``C x H x W`` or array ``H x W x C`` -> PIL image (see ``to_pil_image``)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return to_pil_image(pic, self.mode)

    def __repr__(self):
        format_string = self.__class__.__name__ + "("
        if self.mode is not None:
            format_string += f"mode={self.mode}"
        format_string += ")"
        return format_string
