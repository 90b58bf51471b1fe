"""The base of the image datasets: ``VisionDataset`` (root, transforms, ``repr``), ``StandardTransform``
and the shared ``__getitem__`` of the in-memory classification datasets."""
import os

from ...tensor import Tensor
from ...utils.data import ConcatDataset
from .utils import _as_sample_image


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
