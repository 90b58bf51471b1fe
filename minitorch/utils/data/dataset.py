"""Datasets: the map-style ``Dataset`` protocol and its helpers, as in ``torch.utils.data``.

A map-style dataset answers ``len(ds)`` and ``ds[i]`` for ``0 <= i < len(ds)``;
an ``IterableDataset`` is a stream (``iter(ds)``). ``TensorDataset`` wraps
tensors sharing their first dimension, ``Subset`` picks indices of another
dataset, ``ConcatDataset`` chains datasets end to end, and ``random_split``
cuts a dataset into random non-overlapping ``Subset``s.
"""
import bisect
import itertools
import math
import warnings

from ... import creation
from ...creation import randperm
from ...random import default_generator

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split"]


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` (and usually ``__len__``).

    ``a + b`` concatenates two datasets (a ``ConcatDataset``). A subclass may also
    define ``__getitems__(indices)`` returning the list of samples for a whole
    batch; the ``DataLoader`` then calls it once per batch instead of
    ``__getitem__`` once per sample.
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream of samples: subclasses define ``__iter__``.

    The ``DataLoader`` batches consecutive samples (no sampler, no shuffle).
    ``a + b`` chains two iterable datasets (a ``ChainDataset``).
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are slices of tensors along their first dimension: ``ds[i] = (t[i] for t in tensors)``.

    All tensors must have the same size in dimension 0.
    """

    def __init__(self, *tensors):
        if not tensors or not all(tensors[0].size(0) == t.size(0) for t in tensors):
            # torch asserts this; an AssertionError with its message
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)

    def _collated_batch(self, indices):
        """The batch ``default_collate([self[i] for i in indices])`` in one indexing per tensor.

        Gathering rows with one index tensor gives the same values, shapes and
        dtypes as stacking the samples one by one, at a fraction of the cost.
        default_collate turns a batch of tuples into a *list*, hence the list.
        """
        idx = creation.tensor(list(indices), dtype=None)
        out = []
        for t in self.tensors:
            i = idx if t.device.type == "cpu" else idx.to(t.device)
            out.append(t[i])
        return out


class Subset(Dataset):
    """The part of ``dataset`` at ``indices``: ``Subset(ds, idx)[k] = ds[idx[k]]``."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[idx] for idx in indices])
        return [self.dataset[self.indices[idx]] for idx in indices]

    def __len__(self):
        return len(self.indices)

    def _collated_batch(self, indices):
        return self.dataset._collated_batch([int(self.indices[i]) for i in indices])


def _can_collate_fast(dataset):
    """True when ``dataset`` can produce a default-collated batch directly (TensorDataset, or Subsets of one)."""
    while type(dataset) is Subset:
        dataset = dataset.dataset
    return type(dataset) is TensorDataset


class ConcatDataset(Dataset):
    """Datasets one after another: index ``i`` falls in the dataset whose cumulative size first exceeds ``i``."""

    @staticmethod
    def cumsum(sequence):
        """Running totals of the datasets' lengths."""
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx == 0:
            sample_idx = idx
        else:
            sample_idx = idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another (the stream of the first, then of the second, ...)."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths``.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1:
    then each split gets ``floor(frac * len(dataset))`` items and the remainder is
    handed out one by one, round-robin from the first split (torch's rule, so the
    sizes equal torch's). The permutation comes from ``generator`` (default: the
    global generator, seeded by ``manual_seed``); the indices differ from torch's
    since the random streams differ.
    """
    if generator is None:
        generator = default_generator
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(math.floor(len(dataset) * frac))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
