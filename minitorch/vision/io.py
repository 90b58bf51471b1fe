"""torchvision.io's image reading: ``read_file``, ``decode_image``, ``read_image``, ``ImageReadMode`` (Pillow decodes).

``read_image(path, mode=ImageReadMode.UNCHANGED)`` returns a ``uint8`` tensor
``C x H x W``: UNCHANGED keeps the file's channels (1 gray, 2 gray+alpha, 3 RGB,
4 RGBA; a palette image becomes RGB, or RGBA when it has transparency; CMYK
becomes RGB), GRAY / GRAY_ALPHA / RGB / RGB_ALPHA (alias RGBA) convert with
Pillow (gray = ITU-R 601-2 luma, rounded, as libjpeg; torchvision's libpng path
may differ by one grey level on RGB PNGs). An animated GIF gives ``N x C x H x W``.
Images of more than 8 bits per channel are refused (minitorch has no ``uint16``).
"""
import enum
import io as _io
import os

from .. import _backend
from ..tensor import Tensor

_np = _backend.numpy

__all__ = ["ImageReadMode", "read_file", "decode_image", "read_image"]


class ImageReadMode(enum.Enum):
    """How ``decode_image``/``read_image`` convert the channels (torchvision's values)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("minitorch.vision.io needs Pillow to decode images: pip install pillow "
                          "(or, from the minitorch clone, pip install -e \".[vision]\")") from None
    return Image


def read_file(path):
    """The bytes of a file as a 1-D ``uint8`` tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return Tensor._from_array(_np.frombuffer(data, dtype=_np.uint8).copy())


def _as_mode(mode):
    if isinstance(mode, str):
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            raise ValueError(f"Unknown image read mode {mode!r}; expected one of "
                             f"{[m.name for m in ImageReadMode]}") from None
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode should be an ImageReadMode or a str, got {type(mode).__name__}")
    return mode


_TARGET = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
           ImageReadMode.RGB_ALPHA: "RGBA"}


def _frame_to_array(img, mode, where):
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F") or img.mode.startswith("I;"):
        raise RuntimeError(f"{where}: the image has more than 8 bits per channel (Pillow mode {img.mode!r}); "
                           "minitorch decodes 8-bit images only (it has no uint16 dtype)")
    if mode is ImageReadMode.UNCHANGED:
        if img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode == "PA":
            img = img.convert("RGBA")
        elif img.mode == "1":
            img = img.convert("L")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGB")           # CMYK, YCbCr, LAB, HSV, ...
    else:
        target = _TARGET[mode]
        if img.mode != target:
            if img.mode == "P" and "transparency" in img.info:
                img = img.convert("RGBA")
            img = img.convert(target)
    arr = _np.asarray(img, dtype=_np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return _np.ascontiguousarray(arr.transpose(2, 0, 1))


def _decode(fileobj, mode, apply_exif_orientation, where):
    Image = _pil()
    mode = _as_mode(mode)
    with Image.open(fileobj) as img:
        n_frames = getattr(img, "n_frames", 1)
        if n_frames > 1 and img.format == "GIF":
            frames = []
            for i in range(n_frames):
                img.seek(i)
                frames.append(_frame_to_array(img.convert("RGB") if mode is ImageReadMode.UNCHANGED else img,
                                              mode, where))
            return Tensor._from_array(_np.stack(frames))
        img.load()
        if apply_exif_orientation:
            from PIL import ImageOps
            img = ImageOps.exif_transpose(img)
        return Tensor._from_array(_frame_to_array(img, mode, where))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode an encoded image (a 1-D ``uint8`` tensor of file bytes, or a path) into a ``uint8`` ``C x H x W``
    tensor; formats: whatever Pillow reads (JPEG, PNG, GIF, BMP, WEBP, TIFF, ...)."""
    if isinstance(input, (str, bytes, os.PathLike)):
        return read_image(input, mode, apply_exif_orientation)
    if not isinstance(input, Tensor):
        raise TypeError(f"Expected a Tensor or a path, got {type(input).__name__}")
    if input.device.type != "cpu":
        raise RuntimeError("Expected a CPU tensor of encoded bytes")
    if input.dtype.np != _np.uint8:
        raise RuntimeError(f"Expected a torch.uint8 tensor, got {input.dtype}")
    if input.dim() != 1 or input.numel() == 0:
        raise RuntimeError("Expected a non empty 1-dimensional tensor")
    data = _backend.to_numpy(input._data).tobytes()
    try:
        return _decode(_io.BytesIO(data), mode, apply_exif_orientation, "decode_image")
    except (OSError, SyntaxError) as e:
        if type(e).__name__ == "UnidentifiedImageError":
            raise RuntimeError("Unsupported image file. Only jpeg, png, webp, gif and the other formats Pillow "
                               "reads are supported.") from None
        raise


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an image file into a ``uint8`` ``C x H x W`` tensor (see ``decode_image`` and ``ImageReadMode``)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RuntimeError(f"[Errno 2] No such file or directory: '{path}'")
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise RuntimeError(f"{path}: the file is empty")
    return decode_image(Tensor._from_array(_np.frombuffer(data, dtype=_np.uint8).copy()), mode,
                        apply_exif_orientation)
