"""minitorch.vision: MNIST-format and CIFAR readers, the restricted unpickler, built-in data, transforms.

torchvision is not installed, so transforms are checked against torchvision's
formulas written with real torch ops (``x.float() / 255``, ``(x - m) / s``,
``torch.flip``, ``torch.nn.functional.pad``). Real MNIST is read from
``$MINITORCH_DATA`` or ``../shared/datasets`` (tests skip with the reason when it
is absent); FashionMNIST and CIFAR are tested on small files the tests write in
the real formats.
"""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch as mt
from minitorch.utils.data import DataLoader
from minitorch.vision import datasets, transforms as T
from harness import assert_same

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def real_mnist_dir():
    """The folder holding real MNIST under $MINITORCH_DATA (default ../shared/datasets), or None."""
    r = os.environ.get("MINITORCH_DATA") or os.path.join(REPO, "..", "shared", "datasets")
    for d in (os.path.join(r, "mnist"), os.path.join(r, "MNIST", "raw"), r):
        if os.path.isfile(os.path.join(d, "train-images-idx3-ubyte.gz")) or \
                os.path.isfile(os.path.join(d, "train-images-idx3-ubyte")):
            return d
    return None


MNIST_DIR = real_mnist_dir()
needs_mnist = pytest.mark.skipif(MNIST_DIR is None, reason="real MNIST not found (set MINITORCH_DATA to a folder "
                                                           "holding mnist/train-images-idx3-ubyte.gz etc.)")


# ------------------------------------------------------------------------------ writing real formats
def write_idx(path, arr, gz):
    arr = np.ascontiguousarray(arr)
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}[arr.dtype]
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    body = arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if gz else open
    with opener(path + (".gz" if gz else ""), "wb") as f:
        f.write(head + body)


def write_mnist_like(folder, n_train=7, n_test=4, gz=True, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        write_idx(os.path.join(folder, f"{split}-images-idx3-ubyte"), imgs, gz)
        write_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte"), labels, gz)
        out[split] = (imgs, labels)
    return out


def write_cifar10(folder, per_batch=3, n_test=2, protocol=2, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = {"train": [], "test": []}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        n = n_test if name == "test_batch" else per_batch
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, n)]
        entry = {"batch_label": f"batch {name}", "labels": labels, "data": data,
                 "filenames": [f"img_{k}.png" for k in range(n)]}
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
        written["test" if name == "test_batch" else "train"].append((data, labels))
    meta = {"num_cases_per_batch": per_batch, "label_names": ["airplane", "automobile", "bird", "cat", "deer",
                                                              "dog", "frog", "horse", "ship", "truck"],
            "num_vis": 3072}
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        pickle.dump(meta, f, protocol=protocol)
    return written


# ------------------------------------------------------------------------------------------- MNIST
@needs_mnist
def test_real_mnist():
    train = datasets.MNIST(MNIST_DIR, train=True, transform=T.ToTensor())
    test = datasets.MNIST(MNIST_DIR, train=False)
    assert len(train) == 60000 and len(test) == 10000
    assert train.data.shape == (60000, 28, 28) and train.data.dtype == mt.uint8
    assert train.targets.shape == (60000,) and train.targets.dtype == mt.int64
    assert sorted(set(test.targets.tolist())) == list(range(10))
    # the first test image and label, read independently from the gz file
    with gzip.open(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz")) as f:
        raw = f.read()
    first = np.frombuffer(raw, np.uint8, 784, 16).reshape(28, 28)
    img, label = test[0]
    assert img.mode == "L" and np.array_equal(np.asarray(img), first)       # a PIL image, as torchvision's
    assert type(label) is int and label == int(test.targets[0])
    x, y = train[1]
    assert_same(x, torch.from_numpy(train.data.numpy()[1]).unsqueeze(0).float().div(255))
    xb, yb = next(iter(DataLoader(train, batch_size=16, shuffle=True, generator=mt.Generator().manual_seed(0))))
    assert xb.shape == (16, 1, 28, 28) and xb.dtype == mt.float32 and yb.dtype == mt.int64
    assert "Number of datapoints: 60000" in repr(train) and "Split: Train" in repr(train)


def test_mnist_default_root_from_env(tmp_path, monkeypatch):
    written = write_mnist_like(str(tmp_path / "mnist"))
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path))
    ds = datasets.MNIST(train=False)
    assert np.array_equal(ds.data.numpy(), written["t10k"][0])
    ds = datasets.MNIST(str(tmp_path / "elsewhere"), train=False, download=True)   # tutorial code, root="data"
    assert np.array_equal(ds.data.numpy(), written["t10k"][0])


@pytest.mark.parametrize("layout", ["torchvision", "flat"])
@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_format_layouts(tmp_path, layout, gz, cls):
    folder = tmp_path / cls.__name__ / "raw" if layout == "torchvision" else tmp_path
    written = write_mnist_like(str(folder), gz=gz)
    for train, key in ((True, "train"), (False, "t10k")):
        seen = []
        ds = cls(str(tmp_path), train=train, transform=T.ToTensor(), target_transform=lambda y: (seen.append(y), y)[1])
        imgs, labels = written[key]
        assert len(ds) == len(labels)
        assert np.array_equal(ds.data.numpy(), imgs) and ds.data.dtype == mt.uint8
        assert np.array_equal(ds.targets.numpy(), labels.astype(np.int64)) and ds.targets.dtype == mt.int64
        x, y = ds[2]
        assert_same(x, torch.from_numpy(imgs[2]).unsqueeze(0).float() / 255)
        assert y == int(labels[2]) and seen == [y]
    assert len(ds.classes) == 10 and ds.class_to_idx[ds.classes[3]] == 3
    if cls is datasets.FashionMNIST:
        assert ds.classes[0] == "T-shirt/top"


@pytest.mark.parametrize("download", [True, False])
def test_mnist_missing_files_message(tmp_path, download, monkeypatch):
    monkeypatch.delenv("MINITORCH_DATA", raising=False)
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), download=download)
    msg = str(e.value)
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", os.path.join("MNIST", "raw")):
        assert name in msg
    if download:
        assert "download" in msg and "offline" in msg


def test_mnist_download_true_with_files_present(tmp_path):
    write_mnist_like(str(tmp_path / "MNIST" / "raw"))
    assert len(datasets.MNIST(str(tmp_path), download=True)) == 7


def test_idx_reader_rejects_truncated_and_foreign(tmp_path):
    write_mnist_like(str(tmp_path), gz=False)
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="truncated"):
        datasets.read_idx(str(p))
    p.write_bytes(b"hello, this is text")
    with pytest.raises(RuntimeError, match="not an IDX file"):
        datasets.read_idx(str(p))


# ------------------------------------------------------------------------------------------- CIFAR
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("layout", ["torchvision", "flat"])
def test_cifar10(tmp_path, protocol, layout):
    folder = tmp_path / "cifar-10-batches-py" if layout == "torchvision" else tmp_path
    written = write_cifar10(str(folder), protocol=protocol)
    train = datasets.CIFAR10(str(tmp_path), train=True, transform=T.ToTensor())
    test = datasets.CIFAR10(str(tmp_path), train=False)
    data = np.vstack([d for d, _ in written["train"]])
    assert len(train) == 15 and len(test) == 2
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    expect_hwc = torch.from_numpy(data).reshape(-1, 3, 32, 32).permute(0, 2, 3, 1)   # torchvision's layout
    assert np.array_equal(train.data, expect_hwc.numpy())
    assert train.targets == [y for _, ys in written["train"] for y in ys]
    assert train.classes[1] == "automobile" and train.class_to_idx["truck"] == 9
    x, y = train[4]
    assert_same(x, expect_hwc[4].permute(2, 0, 1).float() / 255)
    assert y == train.targets[4]
    img, _ = test[1]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), test.data[1])     # a PIL image, as torchvision's


def test_cifar10_missing_files_message(tmp_path, monkeypatch):
    monkeypatch.delenv("MINITORCH_DATA", raising=False)
    with pytest.raises(RuntimeError) as e:
        datasets.CIFAR10(str(tmp_path), download=True)
    assert "data_batch_1" in str(e.value) and "cifar-10-batches-py" in str(e.value)


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class _EvilEval:
    def __reduce__(self):
        return (eval, ("__import__('os').getcwd()",))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_restricted_unpickler_refuses_code(tmp_path, protocol):
    marker = tmp_path / "pwned"
    for payload in (_Evil(str(marker)), {"data": [1, 2, _Evil(str(marker))]}, _EvilEval(),
                    np.array([1, "a"], dtype=object)):
        blob = pickle.dumps(payload, protocol=protocol)
        with pytest.raises(pickle.UnpicklingError, match="refus"):
            datasets.safe_pickle_load(__import__("io").BytesIO(blob))
        assert not marker.exists()
    # and as a CIFAR batch on disk
    write_cifar10(str(tmp_path))
    with open(tmp_path / "data_batch_3", "wb") as f:
        pickle.dump({"data": _Evil(str(marker)), "labels": []}, f, protocol=protocol)
    with pytest.raises(pickle.UnpicklingError):
        datasets.CIFAR10(str(tmp_path), train=True)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_restricted_unpickler_reads_plain_data(protocol):
    import collections
    import io
    obj = {"a": [1, 2.5, "s", b"by", None, True], "b": (np.arange(6, dtype=np.int16).reshape(2, 3), np.float32(2)),
           "c": collections.OrderedDict(x=np.zeros((0, 2))), "d": np.arange(4.0)[::2]}
    back = datasets.safe_pickle_load(io.BytesIO(pickle.dumps(obj, protocol=protocol)))
    assert back["a"] == obj["a"] and back["b"][1] == obj["b"][1] and type(back["c"]) is collections.OrderedDict
    assert np.array_equal(back["b"][0], obj["b"][0]) and back["b"][0].dtype == np.int16
    assert np.array_equal(back["d"], obj["d"]) and back["c"]["x"].shape == (0, 2)


# ------------------------------------------------------------------------------------ built-in data
def test_synthetic_shapes_interface_and_determinism():
    a = datasets.SyntheticShapes(train=True, num_samples=600)
    b = datasets.SyntheticShapes(train=True, num_samples=600)
    c = datasets.SyntheticShapes(train=False, num_samples=300, transform=T.Compose([T.ToTensor(),
                                                                                   T.Normalize((0.5,), (0.5,))]))
    assert np.array_equal(a.data.numpy(), b.data.numpy()) and np.array_equal(a.targets.numpy(), b.targets.numpy())
    assert a.data.shape == (600, 28, 28) and a.data.dtype == mt.uint8 and a.targets.dtype == mt.int64
    assert np.bincount(a.targets.numpy()).tolist() == [60] * 10
    assert not np.array_equal(a.data.numpy()[:300], c.data.numpy())
    img, y = a[0]
    assert img.mode == "L" and np.array_equal(np.asarray(img), a.data.numpy()[0]) and type(y) is int
    xb, yb = next(iter(DataLoader(c, batch_size=8)))
    assert xb.shape == (8, 1, 28, 28) and xb.dtype == mt.float32 and yb.dtype == mt.int64
    assert len(a.classes) == 10 and datasets.SyntheticShapes(seed=1, num_samples=10).data.numpy().any()


def test_synthetic_shapes_are_class_separable():
    """A nearest-class-mean classifier, fitted on train, is far above chance (10%) on test."""
    train = datasets.SyntheticShapes(train=True, num_samples=2000)
    test = datasets.SyntheticShapes(train=False, num_samples=1000)
    xtr = train.data.numpy().reshape(len(train), -1).astype(np.float64) / 255
    xte = test.data.numpy().reshape(len(test), -1).astype(np.float64) / 255
    means = np.stack([xtr[train.targets.numpy() == k].mean(0) for k in range(10)])
    pred = ((xte[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    assert (pred == test.targets.numpy()).mean() > 0.5


def test_two_blobs():
    x, y = datasets.two_blobs(100)
    x2, _ = datasets.two_blobs(100)
    assert x.shape == (200, 2) and x.dtype == mt.float32 and y.shape == (200,) and y.dtype == mt.int64
    assert np.array_equal(x.numpy(), x2.numpy()) and y.numpy()[:100].sum() == 0 and y.numpy()[100:].all()
    m0, m1 = x.numpy()[:100].mean(0), x.numpy()[100:].mean(0)
    assert (m0 > 1.5).all() and (m1 < -1.5).all()


# ------------------------------------------------------------------------------------------ transforms
@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (4, 6, 1)])
def test_to_tensor_matches_torchvision_formula(shape):
    arr = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    ref = torch.from_numpy(arr if arr.ndim == 3 else arr[:, :, None]).permute(2, 0, 1).contiguous()
    assert_same(T.ToTensor()(arr), ref.float().div(255))
    assert_same(T.PILToTensor()(arr), ref)
    f = arr.astype(np.float64)       # non-uint8: layout changes, values and dtype do not
    assert_same(T.ToTensor()(f), torch.from_numpy(f if f.ndim == 3 else f[:, :, None]).permute(2, 0, 1))
    with pytest.raises(TypeError):
        T.ToTensor()(mt.zeros(3, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_matches_formula(dtype):
    x = np.random.default_rng(1).random((2, 3, 4, 5)).astype(dtype)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    ref = (torch.from_numpy(x) - torch.tensor(mean, dtype=torch.from_numpy(x).dtype)[:, None, None]) \
        / torch.tensor(std, dtype=torch.from_numpy(x).dtype)[:, None, None]
    assert_same(T.Normalize(mean, std)(mt.from_numpy(x.copy())), ref)
    y = mt.from_numpy(x.copy())
    assert T.Normalize(mean, std, inplace=True)(y) is y
    assert_same(y, ref)
    xg, tg = mt.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(x.copy()).requires_grad_()
    T.Normalize(mean, std)(xg).sum().backward()          # through autograd when the input requires grad
    m_t, s_t = torch.tensor(mean, dtype=tg.dtype)[:, None, None], torch.tensor(std, dtype=tg.dtype)[:, None, None]
    ((tg - m_t) / s_t).sum().backward()
    assert_same(xg.grad, tg.grad)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(mean, std)(mt.zeros(3, 2, 2, dtype=mt.uint8))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.0,), (0.0,))(mt.zeros(1, 2, 2))


def test_compose_lambda_and_reprs():
    tf = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2), T.Normalize((0.5,), (0.5,))])
    arr = np.full((2, 2), 255, np.uint8)
    assert_same(tf(arr), torch.full((1, 2, 2), 3.0))
    assert repr(tf) == ("Compose(\n    ToTensor()\n    Lambda()\n    Normalize(mean=(0.5,), std=(0.5,))\n)")
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        T.Lambda(3)


def test_random_flips():
    x = np.random.default_rng(2).random((3, 4, 5)).astype(np.float32)
    assert_same(T.RandomHorizontalFlip(p=1.0)(mt.from_numpy(x.copy())), torch.flip(torch.from_numpy(x), [-1]))
    assert_same(T.RandomHorizontalFlip(p=0.0)(mt.from_numpy(x.copy())), torch.from_numpy(x))
    assert_same(T.RandomVerticalFlip(p=1.0)(mt.from_numpy(x.copy())), torch.flip(torch.from_numpy(x), [-2]))
    img = (x[0] * 255).astype(np.uint8)                           # an image array H x W: flips the width axis
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(img), img[:, ::-1])
    mt.manual_seed(0)
    flips = [bool(np.array_equal(T.RandomHorizontalFlip()(img), img[:, ::-1])) for _ in range(200)]
    assert 50 < sum(flips) < 150
    mt.manual_seed(0)
    assert flips == [bool(np.array_equal(T.RandomHorizontalFlip()(img), img[:, ::-1])) for _ in range(200)]


@pytest.mark.parametrize("mode,torch_mode", [("constant", "constant"), ("edge", "replicate"),
                                             ("reflect", "reflect")])
@pytest.mark.parametrize("padding", [2, (1, 3), (1, 2, 3, 0)])
def test_pad_matches_torch(mode, torch_mode, padding):
    x = np.random.default_rng(3).random((2, 5, 6)).astype(np.float32)
    if isinstance(padding, int):
        l, t, r, b = (padding,) * 4
    else:
        l, t, r, b = padding * 2 if len(padding) == 2 else padding
    ref = TF.pad(torch.from_numpy(x)[None], (l, r, t, b), mode=torch_mode)[0]
    assert_same(T.Pad(padding, padding_mode=mode)(mt.from_numpy(x.copy())), ref)
    img = (x[0] * 255).astype(np.uint8)
    got = T.Pad(padding, padding_mode=mode)(img)
    assert np.array_equal(got, (ref[0].numpy() * 255).astype(np.uint8) if mode != "constant"
                          else np.pad(img, ((t, b), (l, r))))


@pytest.mark.parametrize("padding", [None, 4, (2, 1)])
def test_random_crop_is_a_window_of_the_padded_image(padding):
    x = np.arange(3 * 8 * 9, dtype=np.float32).reshape(3, 8, 9) + 1
    p = 0 if padding is None else padding
    l, t = (p, p) if isinstance(p, int) else p
    padded = TF.pad(torch.from_numpy(x), (l, l, t, t)).numpy()
    crop = T.RandomCrop((8, 9), padding=padding)
    mt.manual_seed(1)
    corners = set()
    for _ in range(60):
        out = crop(mt.from_numpy(x.copy())).numpy()
        assert out.shape == (3, 8, 9)
        hits = [(i, j) for i in range(padded.shape[1] - 7) for j in range(padded.shape[2] - 8)
                if np.array_equal(padded[:, i:i + 8, j:j + 9], out)]
        assert len(hits) == 1
        corners.add(hits[0])
    assert len(corners) == 1 if padding is None else len(corners) > 3
    mt.manual_seed(1)
    first = crop(mt.from_numpy(x.copy())).numpy()
    mt.manual_seed(1)
    assert np.array_equal(crop(mt.from_numpy(x.copy())).numpy(), first)
    img = x[0].astype(np.uint8)
    assert T.RandomCrop(5, padding=2)(img).shape == (5, 5)
    assert T.RandomCrop((10, 12), pad_if_needed=True)(img).shape == (10, 12)
    with pytest.raises(ValueError, match="Required crop size"):
        T.RandomCrop(20)(img)


def test_center_crop_matches_formula():
    x = np.random.default_rng(4).random((1, 7, 10)).astype(np.float32)
    th, tw = 4, 5
    top, left = int(round((7 - th) / 2.0)), int(round((10 - tw) / 2.0))
    assert_same(T.CenterCrop((th, tw))(mt.from_numpy(x.copy())),
                torch.from_numpy(x)[:, top:top + th, left:left + tw])
    big = T.CenterCrop(12)(mt.from_numpy(x.copy()))
    assert big.shape == (1, 12, 12) and float(big.sum()) == pytest.approx(float(x.sum()), rel=1e-5)


def test_tensor_transforms_stay_on_the_device(fake_cuda):
    x = np.random.default_rng(5).random((3, 6, 7)).astype(np.float32)
    t = mt.from_numpy(x.copy()).cuda()
    tf = T.Compose([T.RandomCrop(6, padding=2, padding_mode="reflect"), T.RandomHorizontalFlip(1.0),
                    T.Normalize((0.5, 0.5, 0.5), (0.2, 0.2, 0.2)), T.CenterCrop(4), T.Pad(1)])
    out = tf(t)
    assert out.device.type == "cuda" and out.shape == (3, 6, 6)
    assert_same(T.Normalize((0.5,) * 3, (0.2,) * 3)(t).cpu(), (torch.from_numpy(x) - 0.5) / 0.2)
