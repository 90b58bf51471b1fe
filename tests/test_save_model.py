"""Whole-model save/load with torch >= 2.6's safety: ``save(model, f)`` pickles what is not plain data (tensors
stay raw arrays); ``load`` defaults to ``weights_only=True`` and refuses such a file with torch's exception and
hint; ``weights_only=False`` loads it. Also load's torch.load arguments (map_location, mmap, pickle args)."""
import io
import pickle

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import serialization


class TinyNet(mt.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = mt.nn.Linear(4, 8)
        self.fc2 = mt.nn.Linear(8, 3)
        self.register_buffer("steps", mt.zeros((), dtype=mt.int64))
        self.note = "tiny"

    def forward(self, x):
        return self.fc2(mt.relu(self.fc1(x)))


class TorchTinyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def train_step(model, opt, x, y):
    opt.zero_grad()
    loss = mt.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def test_tutorial_flow_save_whole_model(tmp_path):
    mt.manual_seed(0)
    model = TinyNet()
    opt = mt.optim.SGD(model.parameters(), lr=0.1)
    x, y = mt.randn(16, 4), mt.randint(0, 3, (16,))
    train_step(model, opt, x, y)
    path = tmp_path / "model.pt"
    mt.save(model, path)

    # default weights_only=True: torch's exception type and hint, and the class it would import
    tmodel = TorchTinyNet()
    torch.save(tmodel, tmp_path / "torch.pt")
    with pytest.raises(Exception) as theirs:
        torch.load(tmp_path / "torch.pt")
    with pytest.raises(type(theirs.value)) as ours:
        mt.load(path)
    msg = str(ours.value)
    assert msg.startswith("Weights only load failed.") and str(theirs.value).startswith("Weights only load failed.")
    assert "`weights_only` set to `False`" in msg and "`weights_only` set to `False`" in str(theirs.value)
    assert f"GLOBAL {__name__}.TinyNet" in msg and str(path) in msg

    back = mt.load(path, weights_only=False)
    assert type(back) is TinyNet and back.note == "tiny"
    assert list(back.state_dict()) == list(model.state_dict())
    for (k, a), b in zip(model.state_dict().items(), back.state_dict().values()):
        assert a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy()), k
    assert all(type(p) is mt.nn.Parameter and p.requires_grad for p in back.parameters())
    assert np.array_equal(back(x).detach().numpy(), model(x).detach().numpy())
    # and it trains: the same step on both gives the same parameters
    opt2 = mt.optim.SGD(back.parameters(), lr=0.1)
    assert train_step(back, opt2, x, y) == train_step(model, opt, x, y)
    for a, b in zip(model.parameters(), back.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_plain_data_loads_with_default_and_never_unpickles(tmp_path, monkeypatch):
    mt.manual_seed(1)
    model = TinyNet()
    opt = mt.optim.Adam(model.parameters())
    train_step(model, opt, mt.randn(5, 4), mt.randint(0, 3, (5,)))
    ck = {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(), "loss": [0.5, float("nan")],
          "meta": (None, "s", 2 + 1j, {1, 2}, frozenset({3}), b"raw", bytearray(b"x")), "dtype": mt.float16}

    def boom(*a, **k):
        raise AssertionError("pickle used")
    for name in ("Unpickler", "_Unpickler", "loads", "load"):
        monkeypatch.setattr(pickle, name, boom)
    for weights_only in (None, True, False):
        mt.save(ck, tmp_path / "ck.pt")
        back = mt.load(tmp_path / "ck.pt", weights_only=weights_only)
        assert back["meta"] == ck["meta"] and type(back["meta"][-1]) is bytearray and back["dtype"] is mt.float16
        assert back["optimizer"]["param_groups"] == ck["optimizer"]["param_groups"]
        assert list(back["model"]) == list(ck["model"])
    with zipfile_names(tmp_path / "ck.pt") as names:
        assert serialization._PICKLE not in names


class zipfile_names:
    def __init__(self, path):
        import zipfile
        self.z = zipfile.ZipFile(path)

    def __enter__(self):
        return set(self.z.namelist())

    def __exit__(self, *a):
        self.z.close()


def test_hostile_pickle_refused_under_weights_only(tmp_path):
    class Evil:
        def __reduce__(self):
            return (exec, ("import pathlib; pathlib.Path(%r).touch()" % str(tmp_path / "pwned"),))
    mt.save({"w": mt.ones(2), "x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL builtins.exec"):
        mt.load(tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError):
        mt.load(tmp_path / "evil.pt", weights_only=True, map_location="cpu")
    assert not (tmp_path / "pwned").exists()
    mt.load(tmp_path / "evil.pt", weights_only=False)                  # the caller said they trust it
    assert (tmp_path / "pwned").exists()


def test_shared_tensors_and_identity_in_pickled_objects(tmp_path):
    model = TinyNet()
    obj = {"model": model, "same": model.fc1.weight, "opt": mt.optim.SGD(model.parameters(), lr=0.5)}
    buf = io.BytesIO()
    mt.save(obj, buf)
    buf.seek(0)
    back = mt.load(buf, weights_only=False)
    assert back["same"] is back["model"].fc1.weight
    assert back["opt"].param_groups[0]["params"][0] is back["model"].fc1.weight
    # tensors are raw arrays beside the pickle, not inside it
    buf.seek(0)
    import zipfile
    with zipfile.ZipFile(buf) as z:
        assert z.getinfo(serialization._PICKLE).file_size < 4000
        assert len([n for n in z.namelist() if "/data/" in n]) == len(model.state_dict())


def test_unsupported_arguments_refused_like_torch(tmp_path):
    path = tmp_path / "sd.pt"
    mt.save({"w": mt.ones(2)}, path)
    torch.save({"w": torch.ones(2)}, tmp_path / "t.pt")
    for kwargs in ({"foo": 1, "weights_only": False}, {"weights_only": True, "pickle_module": pickle}):
        with pytest.raises(Exception) as theirs:
            torch.load(tmp_path / "t.pt", **kwargs)
        with pytest.raises(type(theirs.value)) as ours:
            mt.load(path, **kwargs)
        assert str(ours.value) == str(theirs.value)
    with open(tmp_path / "t.pt", "rb") as f, pytest.raises(Exception) as theirs:
        torch.load(f, mmap=True)
    with open(path, "rb") as f, pytest.raises(type(theirs.value)) as ours:
        mt.load(f, mmap=True)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="_use_new_zipfile_serialization"):
        mt.save({"w": mt.ones(2)}, tmp_path / "x.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(TypeError, match="mmap"):
        mt.load(path, mmap="yes")
    # a pickle_module alone means weights_only=False, as in torch; encoding is passed to the unpickler
    model = TinyNet()
    mt.save(model, tmp_path / "m.pt", pickle_module=pickle, pickle_protocol=4)
    assert type(mt.load(tmp_path / "m.pt", pickle_module=pickle, encoding="utf-8")) is TinyNet


def test_mmap_maps_aligned_arrays_copy_on_write(tmp_path):
    mt.manual_seed(2)
    sd = TinyNet().state_dict()
    path = tmp_path / "sd.pt"
    mt.save(sd, path)
    before = path.read_bytes()
    back = mt.load(path, mmap=True)
    for k, t in back.items():
        arr = t._data
        assert isinstance(arr.base, np.memmap) or isinstance(getattr(arr.base, "base", None), np.memmap), k
        assert arr.ctypes.data % 64 == 0 or arr.nbytes == 0, k
        assert np.array_equal(t.numpy(), sd[k].numpy()), k
    with mt.no_grad():
        back["fc1.weight"].add_(1.0)                                      # copy-on-write: the file is unchanged
    del back
    assert path.read_bytes() == before
    model = TinyNet()
    model.load_state_dict(mt.load(path, mmap=True, map_location="cpu"))
    assert np.array_equal(model.fc1.weight.detach().numpy(), sd["fc1.weight"].numpy())


def test_map_location_applies_to_pickled_models(tmp_path):
    model = TinyNet()
    mt.save(model, tmp_path / "m.pt")
    seen = []

    def where(t, location):
        seen.append(location)
        return None
    back = mt.load(tmp_path / "m.pt", weights_only=False, map_location=where)
    assert seen == ["cpu"] * len(model.state_dict()) and type(back) is TinyNet
