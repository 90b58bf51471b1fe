"""``MNIST`` and ``FashionMNIST`` from their IDX files (``read_idx``), gzipped or not."""
import gzip
import os
import struct

from ... import _backend
from ...tensor import Tensor
from .utils import _not_found, _resolve_root, _search_roots
from .vision import _ImageClassification

_np = _backend.numpy


# ------------------------------------------------------------------------------------------------ MNIST
_IDX_TYPES = {0x08: _np.dtype(_np.uint8), 0x09: _np.dtype(_np.int8), 0x0B: _np.dtype(">i2"),
              0x0C: _np.dtype(">i4"), 0x0D: _np.dtype(">f4"), 0x0E: _np.dtype(">f8")}


def _open_maybe_gzip(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_idx(path):
    """Read an IDX file (the MNIST format; gzipped or not) into a numpy array of native byte order.

    Layout: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C
    int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension
    as a big-endian uint32, then the values (big-endian), C order.
    """
    with _open_maybe_gzip(path) as f:
        try:
            raw = f.read()
        except (OSError, EOFError) as e:
            raise RuntimeError(f"{path}: cannot read the IDX file ({e}); is it truncated?") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    dt, nd = _IDX_TYPES[raw[2]], raw[3]
    if len(raw) < 4 + 4 * nd:
        raise RuntimeError(f"{path}: truncated IDX header")
    shape = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
    count = 1
    for s in shape:
        count *= s
    offset = 4 + 4 * nd
    if len(raw) - offset != count * dt.itemsize:
        raise RuntimeError(f"{path}: IDX file holds {len(raw) - offset} bytes of data, its header "
                           f"{list(shape)} of {dt.name} needs {count * dt.itemsize}; is it truncated?")
    arr = _np.frombuffer(raw, dtype=dt, count=count, offset=offset).reshape(shape)
    return arr.astype(dt.newbyteorder("="), copy=True)


class MNIST(_ImageClassification):
    """MNIST handwritten digits: 28 x 28 grayscale images, 10 classes (60,000 train / 10,000 test).

    Args (torchvision's): ``root`` -- a folder holding ``MNIST/raw/<files>``
    (torchvision's layout), ``MNIST/<files>``, ``mnist/<files>`` or the files
    themselves (None: ``default_data_root()``; ``$MINITORCH_DATA`` is searched
    after ``root``); ``train`` -- the training or the
    test split; ``transform`` / ``target_transform`` -- applied to the image
    (a PIL image of mode ``L``, as torchvision's; without Pillow the ``uint8`` ``28 x 28`` array) and
    to the ``int`` label; ``download`` -- cannot download (offline): if the
    files are missing, the error lists them and where to put them.

    Attributes: ``data`` (``uint8`` tensor N x 28 x 28), ``targets`` (``int64``
    tensor N), ``classes``, ``class_to_idx``, ``raw_folder`` (where the files
    were found).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    _folder_aliases = ("mnist",)

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        name = self.__class__.__name__
        root = _resolve_root(root, name)
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        split = "train" if train else "t10k"
        wanted = [f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"]
        places = self._candidate_folders()
        found = None
        for folder in places:
            paths = [_with_optional_gz(os.path.join(folder, w)) for w in wanted]
            if all(p is not None for p in paths):
                found = folder, paths
                break
        if found is None:
            raise _not_found(name, [r + ".gz" for r in self.resources], places, download,
                             extra=f"(or the same names without .gz). They can be fetched from {self.mirrors[0]}"
                                   f" on a machine with internet access.")
        self.raw_folder, (img_path, lbl_path) = found
        images = read_idx(img_path)
        labels = read_idx(lbl_path)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise RuntimeError(f"{name}: {img_path} holds {images.shape} and {lbl_path} {labels.shape}; expected "
                               "N x H x W images and N labels")
        self._images = images.astype(_np.uint8, copy=False)
        self._labels = labels.astype(_np.int64)
        self.data = Tensor._from_array(self._images)
        self.targets = Tensor._from_array(self._labels)

    def _candidate_folders(self):
        name = self.__class__.__name__
        out = []
        for root in _search_roots(self.root):
            out += [os.path.join(root, name, "raw"), os.path.join(root, name)]
            for alias in self._folder_aliases:
                out += [os.path.join(root, alias, "raw"), os.path.join(root, alias)]
            out.append(root)
        return out

    @property
    def processed_folder(self):
        """torchvision's cache folder (unused: minitorch reads the raw files directly)."""
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def train_labels(self):
        """Old torchvision name of ``targets``."""
        return self.targets

    @property
    def test_labels(self):
        """Old torchvision name of ``targets``."""
        return self.targets

    @property
    def train_data(self):
        """Old torchvision name of ``data``."""
        return self.data

    @property
    def test_data(self):
        """Old torchvision name of ``data``."""
        return self.data


def _with_optional_gz(path):
    for p in (path, path + ".gz"):
        if os.path.isfile(p):
            return p
    return None


class FashionMNIST(MNIST):
    """Fashion-MNIST: 28 x 28 grayscale images of clothing, 10 classes, in MNIST's file format and layout
    (``<root>/FashionMNIST/raw/<files>``, or a flat folder). Same interface as ``MNIST``."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    _folder_aliases = ("fashion-mnist", "fashion_mnist", "fashionmnist")
