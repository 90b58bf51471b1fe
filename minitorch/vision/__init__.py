"""``minitorch.vision``: what ``torchvision`` is to torch, for the parts the PyTorch tutorials use.

``vision.datasets``: ``MNIST``, ``FashionMNIST``, ``CIFAR10``, ``CIFAR100`` (from local
files), ``ImageFolder`` / ``DatasetFolder``, ``SyntheticShapes`` (built in, no files) and ``two_blobs``.
``vision.transforms`` (and ``vision.transforms.v2``): ``ToTensor``, ``Normalize``, ``Compose``, ``Resize``,
``RandomHorizontalFlip``, ``RandomCrop``, ``ToImage``, ``ToDtype``, ...
``vision.models``: ``alexnet``, ``vgg11``/``vgg16`` (and ``_bn``), ``resnet18``/``34``/``50`` (``weights=None``).
``vision.utils``: ``make_grid``, ``save_image``. ``vision.io``: ``read_image``, ``decode_image``.
Use it as ``torchvision``::

    from minitorch.vision import datasets, transforms, models

Pillow is optional (``pip install pillow``, or ``pip install -e ".[vision]"`` from the clone):
with it, datasets hand PIL images to
the transforms exactly as torchvision does; without it, numpy ``uint8`` arrays.
"""
from . import datasets, transforms, models, utils, io

__all__ = ["datasets", "transforms", "models", "utils", "io"]
