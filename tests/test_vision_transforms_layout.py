"""``minitorch.vision.transforms`` is laid out as torchvision's ``torchvision/transforms/``: ``functional.py`` holds
the functions (and ``InterpolationMode``), ``transforms.py`` the classes, ``__init__`` re-exports both. The split
changed no behaviour: the public names and pickles (also ones made before the split) are checked here, the
transforms themselves in test_vision.py and test_vision_utils.py."""
import pickle
import types

import numpy as np
import pytest

import minitorch
from minitorch.vision import transforms as T
from minitorch.vision.transforms import functional as F, transforms as TT, v2

# __all__ of the single module minitorch/vision/transforms/__init__.py before the split
OLD_ALL = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda", "Pad",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomApply", "Resize",
           "RandomResizedCrop", "ToPILImage", "InterpolationMode",
           "to_tensor", "pil_to_tensor", "normalize", "hflip", "vflip", "pad", "crop", "center_crop",
           "get_dimensions", "resize", "resized_crop", "to_pil_image", "convert_image_dtype"]

CLASSES = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Lambda", "Pad",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "CenterCrop", "RandomApply", "Resize",
           "RandomResizedCrop", "ToPILImage"]
FUNCTIONS = ["to_tensor", "pil_to_tensor", "normalize", "hflip", "vflip", "pad", "crop", "center_crop",
             "get_dimensions", "resize", "resized_crop", "to_pil_image", "convert_image_dtype"]


def test_public_names_are_the_old_modules():
    assert T.__all__ == OLD_ALL
    assert sorted(CLASSES + FUNCTIONS + ["InterpolationMode"]) == sorted(OLD_ALL)
    ns = {}
    exec("from minitorch.vision.transforms import *", ns)
    assert sorted(n for n in ns if n != "__builtins__") == sorted(OLD_ALL)


def test_submodules_are_torchvisions():
    assert isinstance(T.functional, types.ModuleType) and isinstance(T.transforms, types.ModuleType)
    assert T.functional is F and F.__name__ == "minitorch.vision.transforms.functional"
    assert T.transforms is TT and TT.__name__ == "minitorch.vision.transforms.transforms"


@pytest.mark.parametrize("name", CLASSES)
def test_classes_live_in_transforms_py(name):
    """torchvision: ``torchvision.transforms.transforms.Compose``."""
    cls = getattr(T, name)
    assert isinstance(cls, type)
    assert cls.__module__ == "minitorch.vision.transforms.transforms"
    assert getattr(TT, name) is cls


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_live_in_functional_py(name):
    """torchvision: ``torchvision.transforms.functional.normalize``."""
    fn = getattr(T, name)
    assert isinstance(fn, types.FunctionType)
    assert fn.__module__ == "minitorch.vision.transforms.functional"
    assert getattr(F, name) is fn


def test_interpolation_mode_is_defined_in_functional_and_shared():
    assert T.InterpolationMode.__module__ == "minitorch.vision.transforms.functional"
    assert T.InterpolationMode is F.InterpolationMode is TT.InterpolationMode is v2.InterpolationMode


def test_v2_reuses_the_v1_classes():
    for name in ["Compose", "Lambda", "Resize", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop",
                 "CenterCrop", "RandomResizedCrop", "Pad", "RandomApply", "ToPILImage", "PILToTensor"]:
        assert getattr(v2, name) is getattr(T, name), name


def _pipeline():
    return T.Compose([T.Pad(1), T.ToTensor(), T.Normalize((0.5,), (0.25,)),
                      T.Resize((3, 5), interpolation=T.InterpolationMode.BILINEAR)])


def _check_same(back, tf):
    assert type(back) is T.Compose and repr(back) == repr(tf)
    img = (np.arange(20, dtype=np.uint8) * 12).reshape(4, 5)
    a, b = tf(img), back(img)
    assert a.shape == (1, 3, 5) and (a.numpy() == b.numpy()).all()


def test_pickle_round_trip_of_a_compose():
    tf = _pipeline()
    blob = pickle.dumps(tf, protocol=2)                # protocol 2 spells each class as text: module\nname\n
    assert b"cminitorch.vision.transforms.transforms\nCompose\n" in blob
    assert b"cminitorch.vision.transforms.functional\nInterpolationMode\n" in blob
    _check_same(pickle.loads(blob), tf)
    _check_same(pickle.loads(pickle.dumps(tf, protocol=pickle.HIGHEST_PROTOCOL)), tf)


def test_pickles_made_before_the_split_still_load():
    """Before the split a pickle named ``minitorch.vision.transforms.Compose``: it resolves through the re-export."""
    tf = _pipeline()
    old = pickle.dumps(tf, protocol=2)
    for mod in (b"transforms", b"functional"):
        old = old.replace(b"minitorch.vision.transforms." + mod + b"\n", b"minitorch.vision.transforms\n")
    assert b"minitorch.vision.transforms.transforms" not in old
    _check_same(pickle.loads(old), tf)


def test_minitorch_save_load_of_a_compose(tmp_path):
    tf = _pipeline()
    minitorch.save(tf, tmp_path / "tf.pt")
    _check_same(minitorch.load(tmp_path / "tf.pt", weights_only=False), tf)
