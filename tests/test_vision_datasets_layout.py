"""``minitorch.vision.datasets`` is a package laid out as torchvision's ``torchvision/datasets/``: one module per
family (``mnist``, ``cifar``, ``folder``, ``vision`` for the base class, ``utils`` for what they share; ours add
``synthetic``). The split changed no behaviour: the public names, the default data folder and pickles made
before the split are checked here (the datasets themselves in test_vision.py and test_vision_utils.py)."""
import ast
import os
import pickle
from pathlib import Path

import pytest

import minitorch
from minitorch.vision import datasets

PACKAGE = Path(datasets.__file__).resolve().parent

# __all__ of the single module minitorch/vision/datasets.py before the split
OLD_ALL = ["VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "SyntheticShapes", "two_blobs",
           "read_idx", "safe_pickle_load", "RestrictedUnpickler", "default_data_root", "DatasetFolder",
           "ImageFolder", "find_classes", "make_dataset", "default_loader", "pil_loader", "IMG_EXTENSIONS",
           "has_file_allowed_extension", "is_image_file"]

# where torchvision defines each class (torchvision.datasets.mnist.MNIST, ...); SyntheticShapes is ours
MODULE_OF = {"VisionDataset": "vision", "StandardTransform": "vision", "MNIST": "mnist", "FashionMNIST": "mnist",
             "CIFAR10": "cifar", "CIFAR100": "cifar", "DatasetFolder": "folder", "ImageFolder": "folder",
             "SyntheticShapes": "synthetic"}


def test_public_names_are_the_old_modules():
    assert datasets.__all__ == OLD_ALL
    missing = [n for n in OLD_ALL + ["StandardTransform"] if not hasattr(datasets, n)]
    assert not missing
    ns = {}
    exec("from minitorch.vision.datasets import *", ns)
    assert sorted(n for n in ns if n != "__builtins__") == sorted(OLD_ALL)


@pytest.mark.parametrize("name", sorted(MODULE_OF))
def test_classes_live_in_torchvisions_modules(name):
    cls = getattr(datasets, name)
    assert cls.__module__ == f"minitorch.vision.datasets.{MODULE_OF[name]}"
    assert getattr(getattr(datasets, MODULE_OF[name]), name) is cls


def _sibling_imports(path):
    """The sibling modules ``path`` imports at its top (``from .x import ...``)."""
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_no_import_cycle_inside_the_package():
    """utils imports no sibling, vision only utils, the families only utils and vision; __init__ gathers them."""
    graph = {p.stem: _sibling_imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert set(graph) == {"utils", "vision", "mnist", "cifar", "folder", "synthetic"}
    assert graph["utils"] == set()
    assert graph["vision"] == {"utils"}
    for family in ("mnist", "cifar", "folder", "synthetic"):
        assert graph[family] <= {"utils", "vision"}, (family, graph[family])


def test_default_data_root_is_unchanged(monkeypatch):
    """``$MINITORCH_DATA`` when set and not empty, else ``../shared/datasets`` next to the checkout when it exists."""
    checkout = Path(minitorch.__file__).resolve().parent.parent
    expected = os.path.normpath(os.path.join(checkout, "..", "shared", "datasets"))
    monkeypatch.delenv("MINITORCH_DATA", raising=False)
    seen = []

    def isdir(p):
        seen.append(p)
        return p == expected
    monkeypatch.setattr(os.path, "isdir", isdir)
    assert datasets.default_data_root() == expected and seen == [expected]
    monkeypatch.setattr(os.path, "isdir", lambda p: False)
    assert datasets.default_data_root() is None
    monkeypatch.setenv("MINITORCH_DATA", "")
    assert datasets.default_data_root() is None
    monkeypatch.setenv("MINITORCH_DATA", "/some/where")
    assert datasets.default_data_root() == "/some/where"


def test_pickles_made_before_the_split_still_load():
    """A pickle names a class by module: ``minitorch.vision.datasets.SyntheticShapes`` (before the split) still
    resolves, through the package's re-export."""
    ds = datasets.SyntheticShapes(num_samples=4)
    new = pickle.dumps(ds, protocol=2)                 # protocol 2 spells the class as text: module\nname\n
    assert b"cminitorch.vision.datasets.synthetic\nSyntheticShapes\n" in new
    old = new.replace(b"minitorch.vision.datasets.synthetic\n", b"minitorch.vision.datasets\n")
    for blob in (new, old):
        back = pickle.loads(blob)
        assert type(back) is datasets.SyntheticShapes and len(back) == 4
        assert (back.data.numpy() == ds.data.numpy()).all() and back.targets.tolist() == ds.targets.tolist()
