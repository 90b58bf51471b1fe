"""minitorch.save / minitorch.load: round trips, safety, atomicity, clear errors on bad files.

Round trips are compared with torch's own save/load round trip of the same
object (container types, key order, dtypes, values, requires_grad).
"""
import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
from minitorch import serialization
from harness import assert_same, make_noncontiguous

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]


def mirror(obj, lib):
    """Build the same object tree with ``lib``'s tensors (numpy arrays marked by a wrapper become tensors)."""
    if isinstance(obj, AsTensor):
        t = lib.from_numpy(obj.arr.copy())
        return t.requires_grad_(obj.rg) if obj.rg else t
    if isinstance(obj, dict):
        return type(obj)((mirror(k, lib), mirror(v, lib)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(mirror(x, lib) for x in obj)
    return obj


class AsTensor:
    def __init__(self, arr, rg=False):
        self.arr, self.rg = arr, rg


def assert_same_tree(ours, theirs, what="obj"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mt.Tensor), what
        assert_same(ours, theirs, tol=dict(rtol=0, atol=0), what=what)
        assert ours.requires_grad == theirs.requires_grad, f"{what}: requires_grad"
        return
    assert type(ours) is type(theirs), f"{what}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{what}: keys"
        for k in theirs:
            assert_same_tree(ours[k], theirs[k], f"{what}[{k!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_same_tree(o, t, f"{what}[{i}]")
    elif isinstance(theirs, float) and theirs != theirs:
        assert ours != ours, what
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape and np.array_equal(ours, theirs), what
    else:
        assert ours == theirs, f"{what}: {ours!r} != {theirs!r}"


def roundtrip_both(obj, tmp_path):
    ours_path, theirs_path = tmp_path / "ours.pt", tmp_path / "theirs.pt"
    mt.save(mirror(obj, mt), ours_path)
    torch.save(mirror(obj, torch), theirs_path)
    return mt.load(ours_path), torch.load(theirs_path, weights_only=False)


# --------------------------------------------------------------------------------------- round trips
@given(shape=st.lists(st.integers(0, 4), max_size=4), dt=st.sampled_from(DTYPES), seed=st.integers(0, 999),
       noncontig=st.booleans(), rg=st.booleans())
def test_tensor_roundtrip(tmp_path_factory, shape, dt, seed, noncontig, rg):
    arr = np.asarray((np.random.default_rng(seed).standard_normal(shape) * 50).astype(dt))
    src = mt.from_numpy(make_noncontiguous(arr) if noncontig and arr.ndim and arr.size > 1 else arr)
    rg = rg and arr.dtype.kind == "f"
    if rg:
        src.requires_grad_(True)
    buf = io.BytesIO()
    mt.save(src, buf)
    back = mt.load(io.BytesIO(buf.getvalue()))
    assert back.dtype == src.dtype and back.shape == src.shape and back.requires_grad == rg
    assert np.array_equal(back.detach().numpy(), arr, equal_nan=arr.dtype.kind == "f") and back.is_leaf
    assert back.is_contiguous()


def test_state_dict_and_checkpoint_like_torch(tmp_path):
    rng = np.random.default_rng(0)
    f32 = lambda *s: AsTensor(rng.standard_normal(s).astype(np.float32))   # noqa: E731
    model = collections.OrderedDict([("fc1.weight", f32(4, 3)), ("fc1.bias", f32(4)),
                                     ("bn.running_mean", f32(4)), ("bn.num_batches_tracked", AsTensor(np.array(7))),
                                     ("fc2.weight", f32(2, 4))])
    optim = {"state": {0: {"momentum_buffer": f32(4, 3), "step": AsTensor(np.array(3.0, np.float32))},
                       1: {"exp_avg": f32(4), "exp_avg_sq": f32(4)}},
             "param_groups": [{"lr": 0.01, "momentum": 0.9, "betas": (0.9, 0.999), "nesterov": False,
                               "foreach": None, "params": [0, 1, 2], "name": "main"}]}
    ckpt = {"epoch": 5, "model_state_dict": model, "optimizer_state_dict": optim, "loss": 0.25,
            "history": [1.5, float("inf"), float("nan"), -0.0], "tags": ("a", 1, None, True), "big": 2 ** 70,
            "w": AsTensor(np.ones(3, np.float64), rg=True), (1, "k"): "tuple key", 3.5: "float key",
            "empty": {}, "nested": [[], [[]], ()]}
    for obj in (model, optim, ckpt):
        ours, theirs = roundtrip_both(obj, tmp_path)
        assert_same_tree(ours, theirs)


def test_numpy_bytes_dtype_device_size_roundtrip():
    obj = {"arr": np.arange(6, dtype=np.int16).reshape(2, 3), "arr0": np.array(2.5), "s32": np.float32(1.5),
           "i64": np.int64(-3), "b": np.bool_(True), "bytes": b"\x00\xffab", "dtype": mt.float16,
           "dev": mt.device("cpu"), "size": mt.Size([2, 3]), "ba": bytearray(b"x")}
    buf = io.BytesIO()
    mt.save(obj, buf)
    back = mt.load(io.BytesIO(buf.getvalue()))
    assert back["arr"].dtype == np.int16 and np.array_equal(back["arr"], obj["arr"]) and back["arr0"].shape == ()
    for k in ("s32", "i64", "b"):
        assert type(back[k]) is type(obj[k]) and back[k] == obj[k]
    assert back["bytes"] == obj["bytes"] and back["dtype"] is mt.float16 and back["dev"] == mt.device("cpu")
    assert type(back["size"]) is mt.Size and back["size"] == (2, 3) and back["ba"] == b"x"


def test_parameters_roundtrip():
    from minitorch.nn import Parameter
    p = Parameter(mt.randn(3, 2))
    q = Parameter(mt.randn(2), requires_grad=False)
    buf = io.BytesIO()
    mt.save({"p": p, "q": q}, buf)
    back = mt.load(io.BytesIO(buf.getvalue()))
    assert type(back["p"]) is Parameter and back["p"].requires_grad and not back["q"].requires_grad
    assert np.array_equal(back["p"].detach().numpy(), p.detach().numpy())


def test_identity_kept_and_views_saved_separately():
    base = mt.arange(6.0)
    view = base[2:4]
    back = mt.load(_saved({"a": base, "b": base, "v": view}))
    assert back["a"] is back["b"]                         # the same object once
    back["a"][3] = 100.0                                  # views come back independent (documented)
    assert back["v"].tolist() == [2.0, 3.0]


def _saved(obj):
    buf = io.BytesIO()
    mt.save(obj, buf)
    buf.seek(0)
    return buf


def test_paths_and_file_objects(tmp_path):
    t = mt.randn(5)
    for target in (tmp_path / "a.pt", str(tmp_path / "b.pt")):
        mt.save(t, target)
        assert np.array_equal(mt.load(target).numpy(), t.numpy())
    with open(tmp_path / "c.pt", "wb") as f:
        mt.save(t, f)
    with open(tmp_path / "c.pt", "rb") as f:
        assert np.array_equal(mt.load(f).numpy(), t.numpy())

    class Stream(io.RawIOBase):            # a non-seekable reader
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._b.readinto(b)

        def seekable(self):
            return False
    assert np.array_equal(mt.load(Stream(_saved(t).getvalue())).numpy(), t.numpy())
    with pytest.raises(RuntimeError, match="Parent directory"):
        mt.save(t, tmp_path / "missing" / "x.pt")
    with pytest.raises(FileNotFoundError):
        mt.load(tmp_path / "nope.pt")


def test_map_location(tmp_path):
    t = mt.randn(3)
    buf = _saved({"t": t})
    for ml in ("cpu", mt.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage, None):
        buf.seek(0)
        assert mt.load(buf, map_location=ml)["t"].device == mt.device("cpu")
    # a file saved from a GPU, loaded where none is usable
    path = tmp_path / "gpu.pt"
    mt.save({"t": t}, path)
    _rewrite_manifest(path, lambda m: m["root"]["items"][0][1].update(device="cuda:0"))
    assert mt.load(path, map_location="cpu")["t"].device == mt.device("cpu")
    assert mt.load(path, map_location={"cuda:0": "cpu"})["t"].device == mt.device("cpu")
    seen = []
    mt.load(path, map_location=lambda s, loc: (seen.append(loc), s)[1])
    assert seen == ["cuda:0"]
    if not mt.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location=torch.device\\('cpu'\\)"):
            mt.load(path)


def test_gpu_roundtrip(device):
    t = mt.randn(4, 3).to(device)
    back = mt.load(_saved(t))
    assert back.device == t.device and np.array_equal(back.cpu().numpy(), t.cpu().numpy())
    assert mt.load(_saved(t), map_location="cpu").device == mt.device("cpu")


def _rewrite_manifest(path, edit):
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    m = json.loads(entries[serialization._MANIFEST])
    edit(m)
    entries[serialization._MANIFEST] = json.dumps(m).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)


# ------------------------------------------------------------------------------------------ safety
def test_unpicklable_objects_refused_without_touching_the_file(tmp_path):
    # Objects that are not plain data are pickled (tests/test_save_model.py); what pickle cannot store fails
    # with pickle's own error, as in torch.save, before the file is touched.
    path = tmp_path / "ck.pt"
    mt.save({"epoch": 1}, path)

    class Model:
        def state_dict(self):
            return {}
    for bad in (Model(), lambda: 0):
        with pytest.raises((AttributeError, pickle.PicklingError)) as ours:
            mt.save({"epoch": 2, "w": mt.ones(2), "bad": bad}, path)
        with pytest.raises(type(ours.value)):
            torch.save({"epoch": 2, "bad": bad}, io.BytesIO())
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="cycle"):
        mt.save(loop, path)
    assert mt.load(path) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["ck.pt"]


def test_load_never_unpickles(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("pickle used")
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    mt.save({"a": mt.ones(2), "b": [1, "x"]}, tmp_path / "x.pt")
    assert mt.load(tmp_path / "x.pt", weights_only=False)["b"] == [1, "x"]


def test_atomic_save_survives_failure_midway(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    old = {"w": mt.arange(1000.0), "epoch": 1}
    mt.save(old, path)
    before = path.read_bytes()
    real_write = serialization._write_array
    calls = []

    def failing_write(zf, name, arr):
        calls.append(name)
        if len(calls) == 2:                      # second array: write half its bytes, then "crash"
            with zf.open(name, "w") as f:
                f.write(arr.reshape(-1).view(np.uint8)[:arr.nbytes // 2].tobytes())
            raise OSError("disk full (simulated)")
        real_write(zf, name, arr)
    monkeypatch.setattr(serialization, "_write_array", failing_write)
    with pytest.raises(OSError, match="simulated"):
        mt.save({"w": mt.zeros(1000), "w2": mt.zeros(1000), "epoch": 2}, path)
    assert len(calls) == 2
    assert path.read_bytes() == before
    back = mt.load(path)
    assert back["epoch"] == 1 and np.array_equal(back["w"].numpy(), old["w"].numpy())
    assert os.listdir(tmp_path) == ["model.pt"]          # the temporary file was removed
    monkeypatch.setattr(serialization, "_write_array", real_write)
    mt.save({"epoch": 3}, path)
    assert mt.load(path) == {"epoch": 3}


def test_atomic_save_interrupted_before_rename(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    mt.save({"epoch": 1}, path)

    def no_replace(src, dst):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(KeyboardInterrupt):
        mt.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert mt.load(path) == {"epoch": 1} and os.listdir(tmp_path) == ["model.pt"]


@pytest.mark.parametrize("keep", [4, 30, 0.5, -1])
def test_truncated_file_clear_error(tmp_path, keep):
    path = tmp_path / "t.pt"
    mt.save({"w": mt.randn(100, 10), "epoch": 3}, path)
    data = path.read_bytes()
    n = keep if isinstance(keep, int) and keep > 0 else (int(len(data) * keep) if keep > 0 else len(data) - 1)
    path.write_bytes(data[:n])
    with pytest.raises(RuntimeError, match="truncated or corrupted"):
        mt.load(path)


def test_empty_foreign_and_corrupted_files(tmp_path):
    p = tmp_path / "f"
    cases = [(b"", "is empty"), (b"hello world, not a checkpoint\n", "not a minitorch checkpoint"),
             (pickle.dumps({"a": 1}), "not a minitorch checkpoint .* pickle"),
             (b"x" + np.random.default_rng(0).bytes(64), "not a minitorch checkpoint")]
    for content, msg in cases:
        p.write_bytes(content)
        with pytest.raises(RuntimeError, match=msg):
            mt.load(p)
    buf = io.BytesIO()                                           # a zip, but not ours
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hi")
    p.write_bytes(buf.getvalue())
    with pytest.raises(RuntimeError, match="not a minitorch checkpoint"):
        mt.load(p)
    torch.save({"w": torch.ones(2)}, p)                          # torch's own format
    with pytest.raises(RuntimeError, match="torch.save"):
        mt.load(p)
    mt.save({"w": mt.ones(1000)}, p)                             # one flipped byte in the tensor data
    data = bytearray(p.read_bytes())
    i = data.index(b"\x00\x00\x80\x3f" * 4) + 8
    data[i] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="corrupted"):
        mt.load(p)


@pytest.mark.parametrize("edit", [
    lambda m: m.update(format="other"), lambda m: m.update(version=99),
    lambda m: m["root"].update({"$": "os.system"}), lambda m: m["arrays"][0].update(dtype="object"),
    lambda m: m["arrays"][0].update(shape=[10 ** 6]), lambda m: m["root"]["items"][0][1].update(ref=5),
])
def test_malformed_manifest_clear_error(tmp_path, edit):
    path = tmp_path / "m.pt"
    mt.save({"w": mt.ones(3)}, path)
    _rewrite_manifest(path, edit)
    with pytest.raises(RuntimeError, match="minitorch.load"):
        mt.load(path)


# -------------------------------------------------------------------------------- resume == no pause
def test_save_load_resume_matches_uninterrupted_run(tmp_path):
    """Train 2 epochs, checkpoint (model, optimizer, loader generator), resume for 2 more: the same numbers
    as 4 epochs in one go."""
    from minitorch.utils.data import DataLoader, TensorDataset
    x = mt.randn(40, 3, generator=mt.Generator().manual_seed(0))
    y = x @ mt.tensor([[1.0], [-2.0], [0.5]]) + 0.1

    def fresh():
        w = mt.zeros(3, 1, requires_grad=True)
        b = mt.zeros(1, requires_grad=True)
        opt = mt.optim.SGD([w, b], lr=0.05, momentum=0.9)
        g = mt.Generator().manual_seed(1)
        return w, b, opt, g, DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, generator=g)

    def train(w, b, opt, loader, epochs):
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                ((xb @ w + b - yb) ** 2).mean().backward()
                opt.step()

    w, b, opt, g, loader = fresh()
    train(w, b, opt, loader, 4)
    straight = (w.detach().numpy().copy(), b.detach().numpy().copy())

    w, b, opt, g, loader = fresh()
    train(w, b, opt, loader, 2)
    mt.save({"epoch": 2, "model": {"w": w, "b": b}, "optimizer": opt.state_dict(), "rng": g.get_state()},
            tmp_path / "ckpt.pt")
    del w, b, opt, g, loader
    w, b, opt, g, loader = fresh()
    ck = mt.load(tmp_path / "ckpt.pt")
    with mt.no_grad():
        w.copy_(ck["model"]["w"])
        b.copy_(ck["model"]["b"])
    opt.load_state_dict(ck["optimizer"])
    g.set_state(ck["rng"])
    train(w, b, opt, loader, 4 - ck["epoch"])
    assert np.array_equal(w.detach().numpy(), straight[0]) and np.array_equal(b.detach().numpy(), straight[1])


def test_save_load_cuda_dispatch(fake_cuda):
    t = mt.randn(4, 3).cuda()
    back = mt.load(_saved({"t": t, "c": mt.ones(2)}))
    assert back["t"].device == mt.device("cuda:0") and back["c"].device == mt.device("cpu")
    assert np.array_equal(back["t"].cpu().numpy(), t.cpu().numpy())
    assert mt.load(_saved(t), map_location="cpu").device == mt.device("cpu")
    assert mt.load(_saved(mt.ones(2)), map_location="cuda").device == mt.device("cuda:0")
    assert mt.load(_saved(mt.ones(2)), map_location=lambda s, loc: s.cuda()).device.type == "cuda"
