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
"""
import collections
import gzip
import os
import pickle
import struct

from .. import _backend, _dtype
from ..tensor import Tensor
from ..utils.data import ConcatDataset

_np = _backend.numpy

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "SyntheticShapes", "two_blobs",
           "read_idx", "safe_pickle_load", "RestrictedUnpickler", "default_data_root", "DatasetFolder",
           "ImageFolder", "find_classes", "make_dataset", "default_loader", "pil_loader", "IMG_EXTENSIONS",
           "has_file_allowed_extension", "is_image_file"]


_PIL_IMAGE = False          # not looked up yet


def _pil_image_module():
    """``PIL.Image`` when Pillow is installed, else None (looked up once)."""
    global _PIL_IMAGE
    if _PIL_IMAGE is False:
        try:
            from PIL import Image
        except ImportError:
            Image = None
        _PIL_IMAGE = Image
    return _PIL_IMAGE


def _as_sample_image(arr):
    """A dataset's ``uint8`` image as torchvision hands it out: a PIL image (``Image.fromarray``), or the
    array itself without Pillow."""
    Image = _pil_image_module()
    if Image is None:
        return arr.copy()
    return Image.fromarray(arr)            # Pillow copies before any change to the pixels


def default_data_root():
    """The folder datasets are looked for in when ``root`` is None.

    ``$MINITORCH_DATA`` when set (and not empty); otherwise ``../shared/datasets``
    relative to the directory holding the ``minitorch`` package, if it exists;
    otherwise None.
    """
    env = os.environ.get("MINITORCH_DATA")
    if env:
        return env
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))     # .../minitorch
    checkout = os.path.dirname(package)
    cand = os.path.normpath(os.path.join(checkout, "..", "shared", "datasets"))
    return cand if os.path.isdir(cand) else None


# ------------------------------------------------------------------------------------------------- base
class VisionDataset:
    """Base of the image datasets: ``root``, ``transform`` (for the image) and ``target_transform`` (the label)."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, (str, bytes)) or root is None:
            self.root = root
        else:
            self.root = os.fspath(root)
        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __add__(self, other):
        return ConcatDataset([self, other])

    def extra_repr(self):
        """Extra lines for ``repr`` (subclasses: the split)."""
        return ""

    def __repr__(self):
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format_transform_repr(transform, head):
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + ["{}{}".format(" " * len(head), line) for line in lines[1:]]

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


def _index(index):
    if isinstance(index, Tensor):
        return int(index.item())
    return index


class _ImageClassification(VisionDataset):
    """Shared ``__getitem__``/``__len__`` for datasets holding ``self._images`` (N x H x W [x C] uint8 numpy)
    and ``self._labels`` (N int64 numpy)."""

    def __getitem__(self, index):
        """``(image, target)``: the image as a PIL image (a ``uint8`` numpy array without Pillow), passed
        through ``transform``; the class index as an ``int``, passed through ``target_transform``."""
        index = _index(index)
        img = _as_sample_image(self._images[index])
        target = int(self._labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self._images)

    @property
    def class_to_idx(self):
        """``{class name: index}``."""
        return {_class: i for i, _class in enumerate(self.classes)}

    def extra_repr(self):
        """``Split: Train`` or ``Split: Test``."""
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


def _not_found(name, files, places, download, extra=""):
    """The error for missing dataset files: which files, where to put them, and where they can be fetched."""
    lines = []
    if download:
        lines.append(f"{name}: download=True cannot work -- minitorch never downloads (it runs offline). "
                     "Place the files yourself:")
    else:
        lines.append(f"{name}: dataset not found. Place the files:")
    lines.append("    " + ", ".join(files))
    lines.append("in one of these folders (searched in this order):")
    lines += ["    " + p for p in places]
    if extra:
        lines.append(extra)
    lines.append("Pass the folder as root=..., or set the MINITORCH_DATA environment variable to the folder "
                 "holding them (root=None uses it).")
    return RuntimeError("\n".join(lines))


def _search_roots(root):
    """``root``, then ``$MINITORCH_DATA`` when set: tutorial code passing ``root="data"`` finds the files
    the user pointed the environment variable at."""
    roots = [root]
    env = os.environ.get("MINITORCH_DATA")
    if env and os.path.abspath(os.path.expanduser(env)) != os.path.abspath(root):
        roots.append(os.path.expanduser(env))
    return roots


def _resolve_root(root, name):
    if root is None:
        root = default_data_root()
        if root is None:
            raise RuntimeError(f"{name}: no root folder given, MINITORCH_DATA is not set and no default data "
                               "folder (../shared/datasets next to the minitorch checkout) exists; pass root=...")
    return os.path.expanduser(os.fspath(root))


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


# ------------------------------------------------------------------------------------- safe unpickling
def _real_numpy_globals():
    reconstruct = _np.ndarray.__reduce__(_np.zeros(1))[0]
    scalar = _np.float64(1.0).__reduce__()[0]
    frombuffer = _np.zeros(1).__reduce_ex__(5)[0]
    return reconstruct, scalar, frombuffer


def _make_allowed():
    reconstruct, scalar, frombuffer = _real_numpy_globals()

    def _check_dtype(d):
        d = _np.dtype(d)
        if d.hasobject:
            raise pickle.UnpicklingError("refusing a numpy array of Python objects (dtype object) in a data file")
        return d

    def safe_reconstruct(subtype, shape, dtype):
        if subtype is not safe_ndarray:
            raise pickle.UnpicklingError(f"refusing to rebuild an array of type {subtype!r}")
        return reconstruct(_np.ndarray, shape, dtype)

    def safe_dtype(obj, align=False, copy=False):
        if not isinstance(obj, str):
            raise pickle.UnpicklingError(f"refusing a numpy dtype built from {type(obj).__name__}")
        d = _check_dtype(_np.dtype(obj, align, True))    # always a private copy: BUILD may set its byte order
        if d.kind not in "biufcSU":
            raise pickle.UnpicklingError(f"refusing a numpy dtype {obj!r} in a data file (numbers, bytes, str only)")
        return d

    def safe_ndarray(shape, dtype=float, *args, **kwargs):
        _check_dtype(dtype)                            # numpy.ndarray((3,), 'O') would be an object array
        return _np.ndarray(shape, dtype, *args, **kwargs)

    def safe_scalar(dtype, *args):
        _check_dtype(dtype)
        return scalar(dtype, *args)

    def safe_frombuffer(buf, dtype, shape, order):
        _check_dtype(dtype)
        return frombuffer(buf, dtype, shape, order)

    def safe_encode(obj, encoding="utf-8", errors="strict"):
        if encoding not in ("latin1", "latin-1", "iso-8859-1") or not isinstance(obj, str):
            raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
        return obj.encode("latin1")

    def safe_bytes(*args):
        if args and isinstance(args[0], int):          # bytes(n) would allocate n zero bytes
            raise pickle.UnpicklingError("refusing bytes(<int>) in a data file")
        return bytes(*args)

    allowed = {}
    for mod in ("builtins", "__builtin__"):
        allowed[(mod, "bytes")] = safe_bytes
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(mod, "_reconstruct")] = safe_reconstruct
        allowed[(mod, "scalar")] = safe_scalar
    for mod in ("numpy.core.numeric", "numpy._core.numeric"):
        allowed[(mod, "_frombuffer")] = safe_frombuffer
    allowed[("numpy", "ndarray")] = safe_ndarray
    allowed[("numpy", "dtype")] = safe_dtype
    allowed[("_codecs", "encode")] = safe_encode
    allowed[("collections", "OrderedDict")] = collections.OrderedDict
    return allowed


_ALLOWED_GLOBALS = None


class RestrictedUnpickler(pickle._Unpickler):      # (the Python implementation: BUILD is checked too)
    """An unpickler for data files: dicts, lists, tuples, strings, bytes, numbers, None, bools and numpy
    arrays (of numbers) only.

    Every global a pickle names goes through ``find_class``; only numpy's array
    and scalar reconstruction helpers (wrapped to refuse object arrays and
    subclasses), ``numpy.dtype``, ``collections.OrderedDict`` and
    ``_codecs.encode`` with latin-1 and ``bytes`` (how protocols 0-2 spell bytes) pass.
    Anything else -- ``os.system``, ``builtins.eval``, any class -- raises
    ``pickle.UnpicklingError`` before it is called. Persistent ids are refused.
    """

    def find_class(self, module, name):
        """The allowed (wrapped) callable for ``module.name``, or ``UnpicklingError``."""
        global _ALLOWED_GLOBALS
        if _ALLOWED_GLOBALS is None:
            _ALLOWED_GLOBALS = _make_allowed()
        fn = _ALLOWED_GLOBALS.get((module, name))
        if fn is None:
            raise pickle.UnpicklingError(
                f"refusing to load global '{module}.{name}': only plain containers, strings, numbers and numpy "
                "arrays are allowed in a data file (loading it could run arbitrary code)")
        return fn

    def persistent_load(self, pid):
        """Refused: plain data files have no persistent ids."""
        raise pickle.UnpicklingError("refusing a persistent id in a data file")

    def load_build(self):
        """BUILD (``obj.__setstate__(state)``) only for a numpy array of a checked dtype from bytes, or a dtype
        whose state changes nothing but its byte order (a dtype state can otherwise mark it as holding Python
        objects, or change its item size under an array already using it)."""
        state, inst = self.stack[-1], self.stack[-2]
        if type(inst) is _np.ndarray:
            ok = (isinstance(state, tuple) and len(state) == 5 and isinstance(state[2], _np.dtype)
                  and not state[2].hasobject and isinstance(state[4], (bytes, bytearray, str)))
        elif isinstance(inst, _np.dtype):
            ok = (isinstance(state, tuple) and len(state) == 8 and state[1] in ("<", ">", "|", "=")
                  and state[2:5] == (None, None, None) and state[5] in (-1, inst.itemsize)
                  and state[6] in (-1, inst.alignment) and state[7] == inst.flags)
        else:
            ok = False
        if not ok:
            raise pickle.UnpicklingError(f"refusing to set the state of a {type(inst).__name__} in a data file")
        super().load_build()

    dispatch = dict(pickle._Unpickler.dispatch)
    dispatch[pickle.BUILD[0]] = load_build


def safe_pickle_load(file, encoding="latin1"):
    """Unpickle plain data (see ``RestrictedUnpickler``) from a path or a binary file object.

    ``encoding='latin1'`` reads Python 2 pickles such as the CIFAR batches.
    """
    if isinstance(file, (str, bytes, os.PathLike)):
        with open(file, "rb") as f:
            return RestrictedUnpickler(f, encoding=encoding).load()
    return RestrictedUnpickler(file, encoding=encoding).load()


# ---------------------------------------------------------------------------------------------- CIFAR
class CIFAR10(_ImageClassification):
    """CIFAR-10: 32 x 32 colour images, 10 classes (50,000 train in 5 batches / 10,000 test).

    Reads the "python version" of the dataset: ``data_batch_1`` ... ``data_batch_5``,
    ``test_batch`` and ``batches.meta`` in ``<root>/cifar-10-batches-py/`` (the
    extracted ``cifar-10-python.tar.gz``, torchvision's layout) or a flat folder.
    The batches are pickles; they are read with ``safe_pickle_load``, which never
    runs code from the file. As torchvision: ``data`` is a numpy ``uint8`` array
    N x 32 x 32 x 3 (HWC), ``targets`` a list of ``int``, ``classes`` from the
    meta file; a sample is ``(image, target)`` with the image a PIL ``RGB`` image
    (without Pillow the ``uint8`` ``32 x 32 x 3`` array). The files' md5 sums are not
    checked. ``download=True`` cannot download (offline).
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    _labels_key = "labels"

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        name = self.__class__.__name__
        root = _resolve_root(root, name)
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        files = (self.train_list if train else self.test_list) + [self.meta["filename"]]
        places = [p for r in _search_roots(self.root) for p in (os.path.join(r, self.base_folder), r)]
        folder = next((p for p in places if all(os.path.isfile(os.path.join(p, f)) for f in files)), None)
        if folder is None:
            raise _not_found(name, self.train_list + self.test_list + [self.meta["filename"]], places, download,
                             extra=f"(the contents of {self.url}, extracted).")
        self.raw_folder = folder
        data, targets = [], []
        for f in (self.train_list if train else self.test_list):
            entry = safe_pickle_load(os.path.join(folder, f))
            if not isinstance(entry, dict) or "data" not in entry:
                raise RuntimeError(f"{name}: {os.path.join(folder, f)} is not a CIFAR batch (no 'data' key)")
            data.append(_np.asarray(entry["data"], dtype=_np.uint8))
            targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = _np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self.targets = [int(t) for t in targets]
        self._images = self.data
        self._labels = _np.asarray(self.targets, dtype=_np.int64)
        meta = safe_pickle_load(os.path.join(folder, self.meta["filename"]))
        self.classes = list(meta[self.meta["key"]])

    def extra_repr(self):
        """``Split: Train`` or ``Split: Test``."""
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like ``CIFAR10`` with 100 classes; files ``train``, ``test``, ``meta`` in ``cifar-100-python/``."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}


# ---------------------------------------------------------------------------------- built-in datasets
_SHAPE_NAMES = ["disk", "ring", "square", "square outline", "horizontal bar", "vertical bar", "plus", "cross",
                "triangle", "diamond"]


def _render_shapes(labels, rng, size=28):
    """Draw one anti-aliased shape per label (0..9) into ``len(labels)`` float32 images in [0, 1]."""
    n = len(labels)
    f32 = _np.float32
    cx = rng.uniform(size * 0.38, size * 0.62, n).astype(f32)[:, None, None]
    cy = rng.uniform(size * 0.38, size * 0.62, n).astype(f32)[:, None, None]
    s = rng.uniform(size * 0.2, size * 0.3, n).astype(f32)[:, None, None]          # half size
    t = rng.uniform(1.2, 2.2, n).astype(f32)[:, None, None]                         # stroke half-width
    theta = rng.uniform(-0.2, 0.2, n).astype(f32)[:, None, None]                    # rotation jitter
    amp = rng.uniform(0.75, 1.0, n).astype(f32)[:, None, None]
    noise = rng.normal(0.0, 0.04, (n, size, size)).astype(f32)

    grid = _np.arange(size, dtype=f32) + f32(0.5)
    labels = _np.asarray(labels)
    sdf = _np.empty((n, size, size), dtype=f32)
    rt2 = f32(_np.sqrt(2))
    for k in range(10):
        sel = _np.nonzero(labels == k)[0]
        if not len(sel):
            continue
        sk, tk, th = s[sel], t[sel], theta[sel]
        dx = grid[None, None, :] - cx[sel]
        dy = grid[None, :, None] - cy[sel]
        c, sn = _np.cos(th), _np.sin(th)
        u = c * dx + sn * dy
        v = -sn * dx + c * dy
        au, av = _np.abs(u), _np.abs(v)
        if k == 0:          # disk
            d = _np.sqrt(u * u + v * v) - sk
        elif k == 1:        # ring
            d = _np.abs(_np.sqrt(u * u + v * v) - sk) - tk
        elif k == 2:        # square
            d = _np.maximum(au, av) - 0.8 * sk
        elif k == 3:        # square outline
            d = _np.abs(_np.maximum(au, av) - 0.8 * sk) - tk
        elif k == 4:        # horizontal bar
            d = _np.maximum(au - sk, av - tk)
        elif k == 5:        # vertical bar
            d = _np.maximum(au - tk, av - sk)
        elif k in (6, 7):   # plus; cross = plus turned 45 degrees
            if k == 7:
                au, av = _np.abs(u + v) / rt2, _np.abs(u - v) / rt2
            d = _np.minimum(_np.maximum(au - sk, av - tk), _np.maximum(au - tk, av - sk))
        elif k == 8:        # triangle, apex up
            d = _np.maximum(v - 0.6 * sk, (au * 1.6 - (v + sk)) / f32(_np.sqrt(3.56)))
        else:               # diamond
            d = (au + av) / rt2 - 0.75 * sk
        sdf[sel] = d
    img = amp * _np.clip(0.5 - sdf, 0.0, 1.0) + noise
    return _np.clip(img, 0.0, 1.0)


class SyntheticShapes(_ImageClassification):
    """A built-in stand-in for MNIST that needs no files: 28 x 28 grayscale images of 10 simple shapes.

    Classes: 0 disk, 1 ring, 2 square, 3 square outline, 4 horizontal bar,
    5 vertical bar, 6 plus, 7 cross (x), 8 triangle, 9 diamond. Each image is one
    white anti-aliased shape on black, like an MNIST digit, with a random centre
    (within the middle quarter), size, stroke width, rotation (+-0.2 rad),
    brightness and a little Gaussian pixel noise. The classes are separable
    (an MLP learns them to high accuracy in an epoch) but not trivially so.

    Deterministic: the images depend only on ``seed`` and ``train`` (the test
    split uses a different stream), never on the global generator. Defaults:
    ``num_samples`` 10,000 for train and 2,000 for test, classes balanced
    (``i % 10`` then shuffled). Same interface as ``MNIST`` (``data`` uint8
    tensor N x 28 x 28, ``targets`` int64 tensor, ``classes``, ``transform``,
    ``target_transform``; samples are ``(PIL image of mode L, int)``, or ``(uint8 28 x 28 array, int)``
    without Pillow), so
    examples can swap one for the other. ``root`` and ``download`` are accepted
    and ignored.
    """

    classes = [f"{i} - {n}" for i, n in enumerate(_SHAPE_NAMES)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False, *,
                 num_samples=None, seed=0):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.seed = seed
        n = num_samples if num_samples is not None else (10000 if train else 2000)
        rng = _np.random.Generator(_np.random.PCG64([int(seed), 0 if train else 1]))
        labels = _np.arange(n, dtype=_np.int64) % 10
        rng.shuffle(labels)
        images = _np.empty((n, 28, 28), dtype=_np.uint8)
        chunk = 4096
        for start in range(0, n, chunk):
            part = _render_shapes(labels[start:start + chunk], rng)
            images[start:start + chunk] = _np.rint(part * 255).astype(_np.uint8)
        self._images = images
        self._labels = labels
        self.data = Tensor._from_array(images)
        self.targets = Tensor._from_array(labels)


def two_blobs(n_per_class=100, mean=2.0, std=1.0, seed=0, dtype=None):
    """The tutorials' two-class toy data: two Gaussian blobs in the plane.

    Class 0: ``n_per_class`` points ~ N((mean, mean), std^2 I); class 1: ~ N((-mean, -mean), std^2 I)
    -- what ``torch.normal(2 * torch.ones(n, 2), 1)`` / ``torch.normal(-2 * torch.ones(n, 2), 1)``
    draw in the tutorials. Returns ``(x, y)``: ``x`` a (2n, 2) float tensor (``dtype``,
    default float32) with class 0 first, ``y`` the (2n,) int64 labels. Deterministic in ``seed``.
    """
    dt = _dtype.as_dtype(dtype) if dtype is not None else _dtype.float32
    rng = _np.random.Generator(_np.random.PCG64(int(seed)))
    x0 = rng.normal(mean, std, (n_per_class, 2))
    x1 = rng.normal(-mean, std, (n_per_class, 2))
    x = _np.concatenate([x0, x1]).astype(dt.np)
    y = _np.concatenate([_np.zeros(n_per_class, _np.int64), _np.ones(n_per_class, _np.int64)])
    return Tensor._from_array(x), Tensor._from_array(y)



# ------------------------------------------------------------------------------------ folders of images
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether ``filename`` ends (case-insensitively) with one of ``extensions`` (a str or a tuple)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    """Whether ``filename`` has one of ``IMG_EXTENSIONS``."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """``(classes, class_to_idx)``: the sub-folder names of ``directory``, sorted, and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    class_to_idx = {cls_name: i for i, cls_name in enumerate(classes)}
    return classes, class_to_idx


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The ``(path, class_index)`` samples under ``directory/<class>/`` (any depth, symlinks followed),
    classes and files in sorted order; a file is kept when it has one of ``extensions`` or
    ``is_valid_file(path)`` is true (exactly one of the two must be given). A class without any file is an
    error unless ``allow_empty``."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    both_none = extensions is None and is_valid_file is None
    both_something = extensions is not None and is_valid_file is not None
    if both_none or both_something:
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(x):
            return has_file_allowed_extension(x, extensions)
    instances = []
    available_classes = set()
    for target_class in sorted(class_to_idx.keys()):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available_classes.add(target_class)
    empty_classes = set(class_to_idx.keys()) - available_classes
    if empty_classes and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty_classes))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path):
    """Open an image file with Pillow and convert it to RGB."""
    Image = _pil_image_module()
    if Image is None:
        raise ImportError("ImageFolder's default loader needs Pillow to decode image files: pip install pillow "
                          "(or, from the minitorch clone, pip install -e \".[vision]\"), or pass loader=... yourself")
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def default_loader(path):
    """torchvision's default loader: ``pil_loader`` (a PIL RGB image)."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """Samples arranged as ``root/<class>/.../<file>``: ``loader(path)`` gives the sample, the sub-folder its class.

    Attributes as torchvision: ``classes`` (sorted folder names), ``class_to_idx``,
    ``samples`` (list of ``(path, class_index)``), ``targets`` (the class indices),
    ``extensions``, ``loader``. Override ``find_classes`` / ``make_dataset`` to change the layout.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        if isinstance(root, (str, bytes, os.PathLike)):
            root = os.path.expanduser(os.fspath(root))
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        """The ``(path, class_index)`` samples (see the module-level ``make_dataset``)."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions, is_valid_file=is_valid_file,
                            allow_empty=allow_empty)

    def find_classes(self, directory):
        """``(classes, class_to_idx)`` of ``directory`` (see the module-level ``find_classes``)."""
        return find_classes(directory)

    def __getitem__(self, index):
        """``(sample, target)``: ``loader(path)`` through ``transform``, the class index through
        ``target_transform``."""
        path, target = self.samples[_index(index)]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images arranged as ``root/<class>/<image file>`` (``IMG_EXTENSIONS``), loaded as PIL RGB images
    (Pillow needed); ``imgs`` is ``samples``. torchvision's arguments."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
