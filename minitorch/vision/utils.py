"""torchvision.utils: ``make_grid`` (images tiled into one tensor) and ``save_image`` (needs Pillow).

``make_grid`` follows torchvision's definition step for step: a list is stacked;
a 2-D image gets a channel dim, 1-channel images are repeated to 3 channels; with
``normalize=True`` each value is clamped to ``value_range`` (default: the
tensor's min and max, per image with ``scale_each=True``), then
``(x - low) / max(high - low, 1e-5)``; a batch of one image is returned as that
image; otherwise ``ceil(B / nrow)`` rows of ``min(nrow, B)`` images, ``padding``
pixels between and around them, filled with ``pad_value``.

``save_image(tensor, fp, format=None, **make_grid_kwargs)``: the grid as
``uint8`` (``clamp(x * 255 + 0.5, 0, 255)``, truncated) written by Pillow.
"""
import math

from ..autograd import grad_mode
from ..tensor import Tensor
from .._dtype import uint8

__all__ = ["make_grid", "save_image"]


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch ``B x C x H x W`` (or a list of ``C x H x W`` images) into one ``C x H' x W'`` image."""
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    from .. import stack, cat     # the package's own stack/cat (minitorch/__init__ loads this module): imported when first needed
    with grad_mode.no_grad():
        if isinstance(tensor, list):
            tensor = stack(tensor, dim=0)
        if tensor.dim() == 2:                  # a single image H x W
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 3:                  # a single image C x H x W
            if tensor.size(0) == 1:            # one channel -> three
                tensor = cat((tensor, tensor, tensor), 0)
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 4 and tensor.size(1) == 1:
            tensor = cat((tensor, tensor, tensor), 1)

        if normalize is True:
            tensor = tensor.clone()            # never changes the caller's tensor
            if value_range is not None and not isinstance(value_range, tuple):
                raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")

            def norm_ip(img, low, high):
                img.clamp_(min=low, max=high)
                img.sub_(low).div_(max(high - low, 1e-5))

            def norm_range(t, value_range):
                if value_range is not None:
                    norm_ip(t, value_range[0], value_range[1])
                else:
                    norm_ip(t, float(t.min()), float(t.max()))

            if scale_each is True:
                for t in tensor:               # each image of the batch on its own
                    norm_range(t, value_range)
            else:
                norm_range(tensor, value_range)

        if tensor.size(0) == 1:
            return tensor.squeeze(0)

        nmaps = tensor.size(0)
        xmaps = min(nrow, nmaps)
        ymaps = int(math.ceil(float(nmaps) / xmaps))
        height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
        num_channels = tensor.size(1)
        grid = tensor.new_full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value)
        k = 0
        for y in range(ymaps):
            for x in range(xmaps):
                if k >= nmaps:
                    break
                grid.narrow(1, y * height + padding, height - padding).narrow(
                    2, x * width + padding, width - padding).copy_(tensor[k])
                k = k + 1
        return grid


def _require_pil(what):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{what} needs Pillow to write image files: pip install pillow "
                          "(or, from the minitorch clone, pip install -e \".[vision]\")") from None
    return Image


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor image (or a batch, as ``make_grid(tensor, **kwargs)``) to ``fp`` (a path or a binary file).

    Values in [0, 1] become ``uint8`` as torchvision: ``clamp(x * 255 + 0.5, 0, 255)`` then truncated.
    ``format``: Pillow's format name; needed when ``fp`` is a file object (else taken from the extension).
    """
    Image = _require_pil("save_image")
    with grad_mode.no_grad():
        grid = make_grid(tensor, **kwargs)
        ndarr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", uint8).numpy()
    im = Image.fromarray(ndarr)
    im.save(fp, format=format)
