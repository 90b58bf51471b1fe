"""minitorch.utils.data against torch.utils.data: collation, datasets, random_split, samplers, DataLoader.

The collate tests feed the same samples (minitorch tensors in one, torch tensors
in the other) to both ``default_collate``s and compare the results' structure,
types, dtypes, shapes and values. Shuffled orders cannot match torch's (different
random streams), so for those the tests check reproducibility under a seeded
generator and that each epoch is a permutation; the unshuffled batches must
equal torch's exactly.
"""
import collections
import math
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud
from hypothesis import given, strategies as st

import minitorch as mt
import minitorch.utils.data as mud
from harness import assert_same, to_numpy

Point = collections.namedtuple("Point", ["x", "y"])


# ----------------------------------------------------------------------------------------- helpers
def both(sample_fn):
    """The same samples built for minitorch (``lib=mt``) and torch (``lib=torch``)."""
    return sample_fn(mt), sample_fn(torch)


def assert_same_tree(ours, theirs, what="batch"):
    """Same container types (by name), same keys and lengths, tensors equal in shape, dtype and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mt.Tensor), f"{what}: {type(ours).__name__} is not a Tensor"
        assert_same(ours, theirs, what=what)
        return
    assert type(ours).__name__ == type(theirs).__name__, f"{what}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(theirs, dict):
        assert list(ours.keys()) == list(theirs.keys()), what
        for k in theirs:
            assert_same_tree(ours[k], theirs[k], f"{what}[{k!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), what
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_same_tree(o, t, f"{what}[{i}]")
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), what
    else:
        assert ours == theirs and type(ours) is type(theirs), f"{what}: {ours!r} != {theirs!r}"


def from_np(lib, a):
    return lib.from_numpy(np.array(a, copy=True))


DTYPES = [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_, np.float16, np.int16]


# ---------------------------------------------------------------------------------- default_collate
@given(batch=st.integers(1, 5), shape=st.lists(st.integers(0, 3), max_size=3), dt=st.sampled_from(DTYPES),
       seed=st.integers(0, 2 ** 16))
def test_collate_tensors_and_arrays(batch, shape, dt, seed):
    rng = np.random.default_rng(seed)
    arrays = [(rng.standard_normal(shape) * 5).astype(dt) for _ in range(batch)]
    for make in (lambda lib: [from_np(lib, a) for a in arrays],        # tensors
                 lambda lib: [a.copy() for a in arrays]):                # numpy arrays
        ours, theirs = both(make)
        assert_same_tree(mud.default_collate(ours), tud.default_collate(theirs))


@given(seed=st.integers(0, 2 ** 16), batch=st.integers(1, 4))
def test_collate_numbers_and_containers(seed, batch):
    rng = np.random.default_rng(seed)
    rows = [dict(f=float(rng.standard_normal()), i=int(rng.integers(-9, 9)), b=bool(rng.integers(2)),
                 npf=np.float32(rng.standard_normal()), npi=np.int32(rng.integers(9)), npb=np.bool_(rng.integers(2)),
                 npf64=np.float64(rng.standard_normal()), s=f"s{k}", by=b"b%d" % k,
                 arr=rng.standard_normal((2, 3)).astype(np.float32), arr0=np.array(rng.integers(9)))
            for k in range(batch)]

    def samples(lib):
        out = []
        for r in rows:
            t = from_np(lib, r["arr"])
            out.append({
                "tuple": (t, r["i"], r["f"]),
                "list": [r["f"], r["b"], t],
                "dict": {"a": r["npf"], "b": (r["npi"], r["npb"], r["npf64"]), "c": r["s"], "d": r["by"]},
                "nt": Point(t, r["i"]),
                "arr": r["arr"].copy(), "arr0": r["arr0"].copy(),
                "od": collections.OrderedDict([("z", r["i"]), ("a", [r["f"], r["f"]])]),
            })
        return out

    ours, theirs = both(samples)
    assert_same_tree(mud.default_collate(ours), tud.default_collate(theirs))


@pytest.mark.parametrize("sample", [
    lambda lib: (lib.zeros(2), 1), lambda lib: [1, 2.5], lambda lib: 3, lambda lib: 2.5, lambda lib: True,
    lambda lib: "txt", lambda lib: {"k": (1, 2)}, lambda lib: Point(1.0, 2),
])
def test_collate_simple_cases(sample):
    ours = mud.default_collate([sample(mt), sample(mt)])
    theirs = tud.default_collate([sample(torch), sample(torch)])
    assert_same_tree(ours, theirs)


def test_collate_errors_like_torch():
    class Foo:
        pass
    for bad in ([Foo(), Foo()], [[1, 2], [1]], [np.array(["a"]), np.array(["b"])]):
        with pytest.raises((TypeError, RuntimeError)) as theirs:
            tud.default_collate(bad)
        with pytest.raises(type(theirs.value)) as ours:
            mud.default_collate(bad)
        assert str(ours.value).replace("minitorch", "torch").split("'")[0] == str(theirs.value).split("'")[0]


def test_collate_keeps_graph_when_requires_grad():
    a = mt.randn(3, requires_grad=True)
    b = mt.randn(3, requires_grad=True)
    out = mud.default_collate([a, b])
    out.sum().backward()
    assert_same(a.grad, torch.ones(3))


def test_default_convert_matches_torch():
    def sample(lib):
        return {"a": np.arange(3, dtype=np.int32), "b": (np.float32(2.0), 1, "s"), "c": [np.zeros(2)],
                "n": Point(np.ones(2), 3)}
    assert_same_tree(mud.default_convert(sample(mt)), tud.default_convert(sample(torch)))


# ------------------------------------------------------------------------------------------ datasets
def test_tensor_dataset_subset_concat_like_torch():
    x = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    y = np.arange(7)
    ours = mud.TensorDataset(mt.from_numpy(x), mt.from_numpy(y))
    theirs = tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    assert len(ours) == len(theirs)
    for i in (0, 3, -1):
        assert_same_tree(ours[i], theirs[i])
    sub_o, sub_t = mud.Subset(ours, [5, 1, 2]), tud.Subset(theirs, [5, 1, 2])
    assert len(sub_o) == len(sub_t)
    for i in range(3):
        assert_same_tree(sub_o[i], sub_t[i])
    assert_same_tree(sub_o.__getitems__([0, 2]), sub_t.__getitems__([0, 2]))
    cat_o, cat_t = ours + sub_o, theirs + sub_t
    assert isinstance(cat_o, mud.ConcatDataset)
    assert len(cat_o) == len(cat_t) and cat_o.cumulative_sizes == cat_t.cumulative_sizes
    for i in (0, 6, 7, 9, -1, -3, -10):
        assert_same_tree(cat_o[i], cat_t[i])
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat_o[-11]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        mud.TensorDataset(mt.zeros(3), mt.zeros(4))
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        mud.ConcatDataset([])


class Squares(mud.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": float(i), "y": i * i}


class Stream(mud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TorchStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


# --------------------------------------------------------------------------------------- random_split
@given(n=st.integers(0, 60), k=st.integers(1, 5), seed=st.integers(0, 1000))
def test_random_split_fraction_sizes_like_torch(n, k, seed):
    rng = np.random.default_rng(seed)
    w = rng.random(k) + 0.01
    fracs = list(w / w.sum())
    if not (math.isclose(sum(fracs), 1) and sum(fracs) <= 1):
        fracs[-1] = 1 - sum(fracs[:-1])
    with warnings.catch_warnings(record=True) as w_theirs:
        warnings.simplefilter("always")
        theirs = tud.random_split(range(n), fracs, generator=torch.Generator().manual_seed(seed))
    with warnings.catch_warnings(record=True) as w_ours:
        warnings.simplefilter("always")
        ours = mud.random_split(range(n), fracs, generator=mt.Generator().manual_seed(seed))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(x.message) for x in w_ours] == [str(x.message) for x in w_theirs]
    got = sorted(i for s in ours for i in s)
    assert got == list(range(n))


@given(lengths=st.lists(st.integers(0, 10), min_size=1, max_size=4))
def test_random_split_lengths_like_torch(lengths):
    n = sum(lengths)
    ours = mud.random_split(list(range(100, 100 + n)), lengths, generator=mt.Generator().manual_seed(1))
    theirs = tud.random_split(list(range(100, 100 + n)), lengths, generator=torch.Generator().manual_seed(1))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert sorted(x for s in ours for x in s) == list(range(100, 100 + n))
    again = mud.random_split(list(range(100, 100 + n)), lengths, generator=mt.Generator().manual_seed(1))
    assert [s.indices for s in again] == [s.indices for s in ours]


def test_random_split_errors_like_torch():
    for lengths in ([3, 3], [0.5, 0.6], [1.2, -0.2]):
        with pytest.raises(ValueError) as theirs:
            tud.random_split(range(5), lengths)
        with pytest.raises(ValueError) as ours:
            mud.random_split(range(5), lengths)
        assert str(ours.value) == str(theirs.value)


def test_random_split_default_generator_follows_manual_seed():
    mt.manual_seed(5)
    a = [s.indices for s in mud.random_split(range(20), [0.5, 0.5])]
    mt.manual_seed(5)
    b = [s.indices for s in mud.random_split(range(20), [0.5, 0.5])]
    assert a == b


# ------------------------------------------------------------------------------------------ samplers
def test_samplers_lengths_and_contents_like_torch():
    data = list(range(10))
    assert list(mud.SequentialSampler(data)) == list(tud.SequentialSampler(data))
    for kw in ({}, {"num_samples": 25}, {"replacement": True, "num_samples": 70}, {"num_samples": 3}):
        ours = list(mud.RandomSampler(data, generator=mt.Generator().manual_seed(0), **kw))
        theirs = list(tud.RandomSampler(data, generator=torch.Generator().manual_seed(0), **kw))
        assert len(ours) == len(theirs) == len(mud.RandomSampler(data, **kw))
        assert all(0 <= i < 10 for i in ours)
        if not kw.get("replacement"):
            for start in range(0, len(ours), 10):      # whole permutations chained
                chunk = ours[start:start + 10]
                assert len(set(chunk)) == len(chunk)
    idx = [3, 7, 9, 11]
    ours = list(mud.SubsetRandomSampler(idx, generator=mt.Generator().manual_seed(0)))
    assert sorted(ours) == idx and len(mud.SubsetRandomSampler(idx)) == 4
    w = [0.0, 1.0, 0.0, 3.0]
    ws = list(mud.WeightedRandomSampler(w, 50, generator=mt.Generator().manual_seed(0)))
    assert len(ws) == 50 and set(ws) <= {1, 3}
    with pytest.raises(ValueError) as theirs:
        tud.RandomSampler(data, num_samples=0)
    with pytest.raises(ValueError) as ours:
        mud.RandomSampler(data, num_samples=0)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (9, 3, True), (0, 2, False), (2, 5, True),
                                       (2, 5, False)])
def test_batch_sampler_like_torch(n, bs, drop):
    ours = mud.BatchSampler(mud.SequentialSampler(range(n)), bs, drop)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


# ---------------------------------------------------------------------------------------- DataLoader
@given(n=st.integers(0, 23), bs=st.integers(1, 7), drop=st.booleans())
def test_loader_batches_like_torch_unshuffled(n, bs, drop):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    ours = mud.DataLoader(mud.TensorDataset(mt.from_numpy(x), mt.from_numpy(y)), batch_size=bs, drop_last=drop)
    theirs = tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=bs,
                            drop_last=drop)
    assert len(ours) == len(theirs)
    ob, tb = list(ours), list(theirs)
    assert len(ob) == len(tb)
    for o, t in zip(ob, tb):
        assert_same_tree(o, t)
    # a map-style dataset of dicts goes through the generic (non TensorDataset) path
    ours = mud.DataLoader(Squares(n), batch_size=bs, drop_last=drop)
    theirs = tud.DataLoader(Squares(n), batch_size=bs, drop_last=drop)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same_tree(o, t)


def test_tensor_dataset_fast_path_equals_generic_collate():
    x = mt.randn(11, 3)
    y = mt.randint(0, 5, (11,))
    ds = mud.TensorDataset(x, y)
    sub = mud.random_split(ds, [6, 5], generator=mt.Generator().manual_seed(0))[0]
    for dataset in (ds, sub):
        fast = list(mud.DataLoader(dataset, batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(3)))
        slow = list(mud.DataLoader(dataset, batch_size=4, shuffle=True, generator=mt.Generator().manual_seed(3),
                                   collate_fn=lambda b: mud.default_collate(b)))
        assert len(fast) == len(slow)
        for (fx, fy), (sx, sy) in zip(fast, slow):
            assert type(fx) is mt.Tensor and fx.dtype == sx.dtype and fy.dtype == sy.dtype
            assert np.array_equal(fx.numpy(), sx.numpy()) and np.array_equal(fy.numpy(), sy.numpy())


def _epoch(loader):
    return [int(i) for _, idx in loader for i in idx.tolist()]


def test_shuffle_is_a_permutation_and_reproducible():
    n = 37
    ds = mud.TensorDataset(mt.zeros(n, 1), mt.arange(n))
    g = mt.Generator().manual_seed(123)
    loader = mud.DataLoader(ds, batch_size=5, shuffle=True, generator=g)
    e1, e2 = _epoch(loader), _epoch(loader)
    assert sorted(e1) == list(range(n)) and sorted(e2) == list(range(n))
    assert e1 != e2 and e1 != list(range(n))                     # each epoch reshuffles
    g.manual_seed(123)
    assert _epoch(loader) == e1 and _epoch(loader) == e2          # re-seeding replays the epochs
    # without a generator: a seed is drawn from the global generator each epoch
    mt.manual_seed(7)
    a = _epoch(mud.DataLoader(ds, batch_size=5, shuffle=True))
    mt.manual_seed(7)
    b = _epoch(mud.DataLoader(ds, batch_size=5, shuffle=True))
    assert a == b and sorted(a) == list(range(n))


def test_loader_drop_last_shuffled_counts():
    ds = mud.TensorDataset(mt.arange(10))
    loader = mud.DataLoader(ds, batch_size=4, shuffle=True, drop_last=True, generator=mt.Generator().manual_seed(0))
    batches = list(loader)
    assert len(loader) == len(batches) == 2 and all(b[0].shape == (4,) for b in batches)
    assert len(set(int(i) for b in batches for i in b[0].tolist())) == 8


def test_loader_sampler_batch_sampler_and_none_batch_like_torch():
    data = list(range(10))
    ours = list(mud.DataLoader(data, sampler=[9, 1, 5], batch_size=2))
    theirs = list(tud.DataLoader(data, sampler=[9, 1, 5], batch_size=2))
    assert_same_tree(ours, theirs)
    bsamp = [[0, 1, 2], [7], [3, 3]]
    assert_same_tree(list(mud.DataLoader(data, batch_sampler=bsamp)), list(tud.DataLoader(data, batch_sampler=bsamp)))
    assert len(mud.DataLoader(data, batch_sampler=bsamp)) == 3
    arrays = [np.arange(3) + i for i in range(4)]
    assert_same_tree(list(mud.DataLoader(arrays, batch_size=None)), list(tud.DataLoader(arrays, batch_size=None)))
    ours = mud.DataLoader(Squares(5), batch_size=2, num_workers=2, pin_memory=True)   # workers ignored
    theirs = tud.DataLoader(Squares(5), batch_size=2)
    assert len(ours) == 3
    assert_same_tree(list(ours), list(theirs))


@pytest.mark.parametrize("bs,drop", [(3, False), (3, True), (None, False), (1, False)])
def test_loader_iterable_dataset_like_torch(bs, drop):
    ours = mud.DataLoader(Stream(8), batch_size=bs, drop_last=drop)
    theirs = tud.DataLoader(TorchStream(8), batch_size=bs, drop_last=drop)
    assert_same_tree(list(ours), list(theirs))
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("kwargs", [
    dict(shuffle=True, sampler=[0, 1]), dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_size=None, drop_last=True), dict(num_workers=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True),
])
def test_loader_argument_errors_like_torch(kwargs):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        mud.DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_loader_iterable_errors_and_frozen_attributes_like_torch():
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(TorchStream(3), shuffle=True)
    with pytest.raises(ValueError) as ours:
        mud.DataLoader(Stream(3), shuffle=True)
    assert str(ours.value) == str(theirs.value)
    loader_o, loader_t = mud.DataLoader([1, 2]), tud.DataLoader([1, 2])
    with pytest.raises(ValueError) as theirs:
        loader_t.batch_size = 3
    with pytest.raises(ValueError) as ours:
        loader_o.batch_size = 3
    assert str(ours.value) == str(theirs.value)
    assert mud.get_worker_info() is None


def test_loader_labels_int64_and_images_float32():
    """The tutorial shape: (image tensor, int label) samples batch into float32 images and int64 labels."""
    class Images(mud.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return mt.full((1, 4, 4), float(i)), i

    xb, yb = next(iter(mud.DataLoader(Images(), batch_size=4)))
    assert xb.shape == (4, 1, 4, 4) and xb.dtype == mt.float32 and yb.dtype == mt.int64
    assert to_numpy(yb).tolist() == [0, 1, 2, 3]


# ------------------------------------------------------------------ GPU dispatch through a FAKE cupy
def test_collate_and_loader_keep_cuda_tensors_on_the_device(fake_cuda):
    x = mt.randn(10, 3).cuda()
    y = mt.arange(10).cuda()
    batch = mud.default_collate([(x[i], y[i]) for i in range(4)])
    assert all(b.device.type == "cuda" for b in batch)
    assert np.array_equal(batch[0].cpu().numpy(), x[:4].cpu().numpy())
    for xb, yb in mud.DataLoader(mud.TensorDataset(x, y), batch_size=4, shuffle=True,
                                 generator=mt.Generator().manual_seed(0)):
        assert xb.device.type == "cuda" and yb.device.type == "cuda" and xb.shape[1:] == (3,)
