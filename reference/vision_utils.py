"""A torch ``make_grid``/``save_image`` written from torchvision's documented behaviour, to check
``minitorch.vision.utils`` against (torchvision cannot be installed beside the CPU torch wheel).

Built differently from minitorch's (each image padded with ``F.pad``, rows and columns concatenated), so a
slip in minitorch's index arithmetic is not repeated here.
"""
import math

import torch
import torch.nn.functional as F


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    if isinstance(tensor, list):
        tensor = torch.stack(tensor)
    x = tensor.detach()
    if x.dim() == 2:
        x = x[None]
    if x.dim() == 3:
        x = x.expand(3, -1, -1) if x.shape[0] == 1 else x
        x = x[None]
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    x = x.clone()
    if normalize:
        def scaled(img):
            low, high = (float(img.min()), float(img.max())) if value_range is None else value_range
            return (img.clamp(low, high) - low) / max(high - low, 1e-5)
        x = torch.stack([scaled(i) for i in x]) if scale_each else scaled(x)
    if x.shape[0] == 1:
        return x[0]
    b, c = x.shape[:2]
    cols = min(nrow, b)
    rows = math.ceil(b / cols)
    blank = torch.full_like(x[0], pad_value)
    cells = [F.pad(x[k] if k < b else blank, (padding, 0, padding, 0), value=pad_value)
             for k in range(rows * cols)]
    grid = torch.cat([torch.cat(cells[r * cols:(r + 1) * cols], dim=2) for r in range(rows)], dim=1)
    return F.pad(grid, (0, padding, 0, padding), value=pad_value)


def image_bytes(tensor, **kwargs):
    """The ``uint8`` H x W x C array ``save_image`` writes: ``255 * x + 0.5`` clamped to [0, 255], truncated (in
    the tensor's dtype, as torchvision)."""
    g = make_grid(tensor, **kwargs)
    return g.mul(255).add(0.5).clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
