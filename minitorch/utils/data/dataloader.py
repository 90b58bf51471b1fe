"""``DataLoader``: iterate over a dataset in (shuffled) batches, as ``torch.utils.data.DataLoader``.

Loading is always done in the calling process: ``num_workers`` is accepted (so
tutorial code runs unchanged) and ignored, every batch is produced exactly as
torch does with ``num_workers=0``. ``pin_memory``, ``timeout``,
``worker_init_fn``, ``multiprocessing_context``, ``prefetch_factor`` and
``persistent_workers`` are accepted for the same reason and have no effect.

Reproducible order: with ``shuffle=True`` the order of an epoch comes from
``generator`` (a seeded ``minitorch.Generator``), or, without one, from a seed
drawn from the global generator at the start of each epoch, so
``minitorch.manual_seed(s)`` also fixes it. The orders are not the ones torch
would produce (different random streams); every index still appears exactly
once per epoch.
"""
import math

from . import _collate
from .dataset import IterableDataset, _can_collate_fast
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info():
    """Information about the current loader worker process: always None (minitorch loads in the main process)."""
    return None


class _InfiniteConstantSampler:
    """The sampler of an iterable dataset: yields None forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Combines a dataset and a sampler into an iterable over batches (collated with ``collate_fn``).

    ::

        train = minitorch.vision.datasets.MNIST(root, train=True, transform=minitorch.vision.transforms.ToTensor())
        loader = minitorch.utils.data.DataLoader(train, batch_size=64, shuffle=True)
        for x, y in loader:         # x: (64, 1, 28, 28) float32, y: (64,) int64
            ...

    Each batch is ``collate_fn`` applied to a list of ``dataset[i]``: the default
    stacks tensors, numpy arrays and numbers into tensors with a new first
    dimension, and recurses into tuples, lists and dicts, as torch's does.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``) or an iterable one.
        batch_size (int or None): samples per batch (default 1); ``None`` yields single samples.
        shuffle (bool): a new random order every epoch (default False), drawn from
            ``generator`` or minitorch's global generator (``manual_seed`` fixes it).
        sampler, batch_sampler: the order of indices (or of batches of indices) instead of
            ``shuffle`` / ``batch_size``.
        collate_fn: how a list of samples becomes a batch (default ``default_collate``, or
            ``default_convert`` when not batching).
        drop_last (bool): drop the last batch when it is smaller than ``batch_size``.
        generator (Generator): the source of the shuffle order.
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
            prefetch_factor, persistent_workers: checked as torch checks them, but loading always
            runs in-process (as torch's ``num_workers=0``).

    ``len(loader)`` is the number of batches per epoch. Seen at work in
    examples/quickstart.py; the loop around it: docs/05-gradient-accumulation.md.
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = "map"

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                                 "with drop_last")

        if sampler is None:
            if self._dataset_kind == "iterable":
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = _collate.default_collate if self._auto_collation else _collate.default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                           "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        return _SingleProcessDataLoaderIter(self)

    def __len__(self):
        if self._dataset_kind == "iterable":
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """torch warns about too many workers; minitorch has none, so there is nothing to check."""


class _SingleProcessDataLoaderIter:
    """One pass over a ``DataLoader``: fetch each batch's samples and collate them."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._kind = loader._dataset_kind
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._drop_last = loader.drop_last
        self._batch_size = loader.batch_size
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._fast = (self._kind == "map" and self._auto_collation
                      and self._collate_fn is _collate.default_collate and _can_collate_fast(self._dataset))
        if self._kind == "iterable":
            self._dataset_iter = iter(self._dataset)
            self._ended = False
        try:
            self._length = len(loader)
        except TypeError:
            self._length = None

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._index_sampler)

    def _fetch_map(self, index):
        if not self._auto_collation:
            return self._collate_fn(self._dataset[index])
        if self._fast:
            return self._dataset._collated_batch(index)
        getitems = getattr(self._dataset, "__getitems__", None)
        if callable(getitems):
            data = getitems(index)
        else:
            data = [self._dataset[i] for i in index]
        return self._collate_fn(data)

    def _fetch_iterable(self):
        if self._ended:
            raise StopIteration
        if not self._auto_collation:
            try:
                return self._collate_fn(next(self._dataset_iter))
            except StopIteration:
                self._ended = True
                raise
        data = []
        for _ in range(self._batch_size):
            try:
                data.append(next(self._dataset_iter))
            except StopIteration:
                self._ended = True
                break
        if not data or (self._drop_last and len(data) < self._batch_size):
            raise StopIteration
        return self._collate_fn(data)

    def __next__(self):
        if self._kind == "iterable":
            batch = self._fetch_iterable()
        else:
            index = next(self._sampler_iter)
            batch = self._fetch_map(index)
        self._num_yielded += 1
        return batch
