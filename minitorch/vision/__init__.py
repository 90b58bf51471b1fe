"""``minitorch.vision``: torchvision's datasets and transforms for the tutorials, without PIL or downloads.

``vision.datasets``: ``MNIST``, ``FashionMNIST``, ``CIFAR10``, ``CIFAR100`` (from local
files), ``SyntheticShapes`` (built in, no files) and ``two_blobs``.
``vision.transforms``: ``ToTensor``, ``Normalize``, ``Compose``, ``Lambda``,
``RandomHorizontalFlip``, ``RandomCrop``, ... Use it as ``torchvision``::

    from minitorch.vision import datasets, transforms
"""
from . import datasets, transforms

__all__ = ["datasets", "transforms"]
