"""Image datasets with torchvision's interface, read from local files only (minitorch never downloads).

* ``MNIST`` / ``FashionMNIST``: the four IDX files (``train-images-idx3-ubyte``,
  ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte``), gzipped (``.gz``) or not, in torchvision's layout
  ``<root>/MNIST/raw/`` (``<root>/FashionMNIST/raw/``) or directly in a flat folder.
* ``CIFAR10`` / ``CIFAR100``: the "python version" batches in
  ``<root>/cifar-10-batches-py/`` (``<root>/cifar-100-python/``) or a flat folder,
  read with a restricted unpickler (``safe_pickle_load``) that admits only
  plain containers, strings, numbers and numpy arrays -- never arbitrary code.
* ``SyntheticShapes``: generated in memory, no files at all (see its docstring);
  ``two_blobs``: the tutorials' two-Gaussian-blob classification data.

* ``ImageFolder`` / ``DatasetFolder``: one sub-folder per class (torchvision's
  ``find_classes``, ``make_dataset``, ``IMG_EXTENSIONS``); ``default_loader``
  opens a file with Pillow and converts it to RGB.

Images: with Pillow installed, a sample's image is a PIL image, as torchvision's
(``Image.fromarray(img)``: mode ``L`` for MNIST, ``RGB`` for CIFAR). Without Pillow
it is the numpy ``uint8`` array ``H x W`` (grayscale) or ``H x W x 3`` the PIL
image would hold; ``transforms.ToTensor`` takes either, so
``MNIST(root, transform=ToTensor())`` gives the same ``(1 x 28 x 28 float32
tensor, int label)`` samples as torchvision. ``ImageFolder`` needs Pillow.

``root=None`` means the default data folder: ``$MINITORCH_DATA`` if set, else
``../shared/datasets`` next to the minitorch checkout when it exists
(``default_data_root``). When the files are not under an explicit ``root``,
``$MINITORCH_DATA`` (if set) is searched next, so unchanged tutorial code
(``MNIST(root="data", download=True, ...)``) runs once the variable points at
the files. ``download=True`` cannot fetch anything: when the files
are missing it raises an error naming the files to place and where.

The modules, laid out as torchvision's ``torchvision/datasets/``: ``vision``
(``VisionDataset``, ``StandardTransform``), ``mnist`` (with ``read_idx``),
``cifar``, ``folder``, ``synthetic`` (ours: ``SyntheticShapes``, ``two_blobs``)
and ``utils`` (the data folder, Pillow, ``safe_pickle_load``). The classes'
``__module__`` is their module, as torchvision's (``torchvision.datasets.mnist.MNIST``);
they are all importable from here, under the names they had when this was one file,
so pickles made then still load. The cache of the Pillow lookup is
``datasets.utils._PIL_IMAGE``.
"""
from .cifar import CIFAR10, CIFAR100
from .folder import (IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, find_classes,
                     has_file_allowed_extension, is_image_file, make_dataset, pil_loader)
from .mnist import MNIST, FashionMNIST, read_idx
from .synthetic import SyntheticShapes, two_blobs
from .utils import RestrictedUnpickler, default_data_root, safe_pickle_load
from .vision import StandardTransform, VisionDataset          # StandardTransform: public, not in __all__, as before

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "SyntheticShapes", "two_blobs",
           "read_idx", "safe_pickle_load", "RestrictedUnpickler", "default_data_root", "DatasetFolder",
           "ImageFolder", "find_classes", "make_dataset", "default_loader", "pil_loader", "IMG_EXTENSIONS",
           "has_file_allowed_extension", "is_image_file"]
