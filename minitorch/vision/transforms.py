"""Image transforms with torchvision's names, arguments and formulas, without PIL.

Images come in two forms, as in torchvision:

* an *image array* -- what a PIL image is in torchvision: a numpy array of
  shape ``H x W`` (grayscale) or ``H x W x C``, usually ``uint8``. The datasets
  (``MNIST``, ``CIFAR10``, ...) return these. A PIL image is also accepted
  wherever an image array is (it is read with ``numpy.asarray``), though PIL is
  never needed.
* a *tensor image* -- a tensor of shape ``[..., C, H, W]``, what ``ToTensor``
  returns.

``ToTensor``: ``uint8`` ``H x W (x C)`` -> float ``C x H x W`` in [0, 1] (``x / 255``);
other dtypes only change layout, as torchvision does. ``Normalize``:
``out[c] = (x[c] - mean[c]) / std[c]``. The geometric transforms
(``RandomHorizontalFlip``, ``RandomVerticalFlip``, ``RandomCrop``, ``CenterCrop``,
``Pad``) take either form and return the same form. Random choices are drawn
from minitorch's global generator (``minitorch.manual_seed`` makes them
reproducible), exactly where torchvision draws from torch's.
"""
import numbers

from .. import _backend, _dtype
from ..tensor import Tensor

_np = _backend.numpy

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda", "Pad",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomApply",
           "to_tensor", "pil_to_tensor", "normalize", "hflip", "vflip", "pad", "crop", "center_crop",
           "get_dimensions"]


# ---------------------------------------------------------------------------------------------- helpers
def _is_pil(img):
    return type(img).__module__.startswith("PIL.") and hasattr(img, "mode")


def _as_image_array(pic):
    """A numpy ``H x W`` or ``H x W x C`` array from an image array or a PIL image."""
    if _is_pil(pic):
        arr = _np.asarray(pic)
        if pic.mode == "1":
            arr = arr.astype(_np.uint8) * 255
        return arr
    return pic


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
    """``[channels, height, width]`` of a tensor image ``[..., C, H, W]`` or an image array ``H x W (x C)``."""
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
    from ..creation import as_tensor
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
    img = _as_image_array(img)
    _check_image(img)
    if isinstance(img, Tensor):
        return img.flip(-1)
    return _np.ascontiguousarray(img[:, ::-1])


def vflip(img):
    """Mirror top-bottom (reverse the height axis)."""
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


def _rand():
    from ..creation import rand
    return rand(1).item()


def _randint(high):
    from ..creation import randint
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
        img = _as_image_array(img)
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
