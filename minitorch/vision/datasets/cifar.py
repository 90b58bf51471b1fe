"""``CIFAR10`` and ``CIFAR100`` from the "python version" batches, read with ``safe_pickle_load``."""
import os

from ... import _backend
from .utils import _not_found, _resolve_root, _search_roots, safe_pickle_load
from .vision import _ImageClassification

_np = _backend.numpy


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
