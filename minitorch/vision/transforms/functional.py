"""``transforms.functional`` (torchvision's ``F``): the functions behind the transform classes.

Each takes an image in any of the three forms the package docstring describes (PIL image, image array,
tensor image) and returns it in the same form; ``InterpolationMode`` is defined here, as in torchvision,
and re-exported by ``transforms``. The classes that call these functions are in ``transforms.py``.
"""
import enum
import numbers

from ... import _backend, _dtype
from ...tensor import Tensor
from ...creation import as_tensor

_np = _backend.numpy

__all__ = ["to_tensor", "pil_to_tensor", "convert_image_dtype", "normalize", "hflip", "vflip", "pad", "crop",
           "center_crop", "resize", "resized_crop", "to_pil_image", "get_dimensions", "InterpolationMode"]


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
