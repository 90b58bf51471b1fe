"""minitorch.load against hostile and damaged files: decompression bombs, forged sizes, deep nesting, every byte
of a checkpoint flipped, truncations; the CIFAR restricted unpickler; stale temporaries of killed saves."""
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import minitorch as mt
from minitorch import serialization
from minitorch.vision import datasets

MANIFEST = serialization._MANIFEST


class NamedBytes(io.BytesIO):
    """An in-memory file with a name, like an open file (the exhaustive loops below stay off the slow disk);
    load names it in errors as it names a path."""

    def __init__(self, data, name):
        super().__init__(data)
        self.name = name


def same(a, b):
    """Equal object trees: same container types and keys, tensors with the same dtype, values, requires_grad."""
    if isinstance(b, mt.Tensor):
        return (isinstance(a, mt.Tensor) and type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and a.requires_grad == b.requires_grad and np.array_equal(a.detach().numpy(), b.detach().numpy()))
    if type(a) is not type(b):
        return False
    if isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def small_state():
    mt.manual_seed(0)
    return {"w": mt.randn(3, 2), "p": mt.nn.Parameter(mt.ones(2)), "epoch": 3, "hist": [1.5, (2, None)]}


def write_zip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in entries.items():
            if isinstance(data, (bytes, str)):
                z.writestr(name, data)
            else:                                   # an iterable of chunks, streamed
                with z.open(name, "w", force_zip64=True) as f:
                    for chunk in data:
                        f.write(chunk)


def write_deflated_zip(path, entries):
    """A ZIP of deflated entries ``name: (chunk, repeats)`` whose data inflates to ``chunk * repeats``, built by
    repeating one fully-flushed deflate block (fast: compresses ``chunk`` once). Sizes and CRCs are true."""
    import struct
    import zlib
    out, central = bytearray(), bytearray()
    for name, (chunk, repeats) in entries.items():
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        data = block * repeats + c.flush()
        crc = 0
        for _ in range(repeats):
            crc = zlib.crc32(chunk, crc)
        size, raw = len(chunk) * repeats, name.encode()
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(data), size, len(raw), 0)
        out += raw + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))


def manifest_for(root, arrays):
    return json.dumps({"format": "minitorch.save", "version": 2, "byteorder": "little", "root": root,
                       "arrays": arrays})


def tensor_entry(shape, dtype="float32", itemsize=4):
    n = int(np.prod(shape)) * itemsize
    return {"kind": "tensor", "dtype": dtype, "shape": list(shape), "nbytes": n}


def load_bounded(path, limit_bytes, **kw):
    """load(path), asserting Python-visible allocations (numpy's included) stay under ``limit_bytes``."""
    tracemalloc.start()
    try:
        try:
            return mt.load(path, **kw)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            assert peak < limit_bytes, f"load allocated {peak} bytes"
    finally:
        tracemalloc.stop()


def assert_refused(path, match=None):
    with pytest.raises(RuntimeError) as e:
        load_bounded(path, 8 << 20)
    assert str(path) in str(e.value), str(e.value)
    if match:
        assert match in str(e.value).replace(str(path), "<path>"), str(e.value)
    return str(e.value)


# ------------------------------------------------------------------------------------------- damaged files
@pytest.mark.parametrize("pattern", [0xFF, 0x01])
def test_every_byte_flipped_gives_equal_value_or_runtime_error_naming_the_file(tmp_path, pattern):
    good = tmp_path / "good.pt"
    original = small_state()
    mt.save(original, good)
    data = good.read_bytes()
    bad = str(tmp_path / "flipped.pt")
    outcomes = {"equal": 0, "refused": 0}
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= pattern
        try:
            back = mt.load(NamedBytes(bytes(damaged), bad))
        except RuntimeError as e:
            assert str(bad) in str(e), f"byte {i}: {e}"
            outcomes["refused"] += 1
            continue
        except Exception as e:                      # noqa: BLE001 -- any other type is the failure we test for
            pytest.fail(f"byte {i} flipped with {pattern:#x}: {type(e).__name__}: {e}")
        assert same(back, original), f"byte {i} flipped with {pattern:#x} loaded a different value"
        outcomes["equal"] += 1
    assert outcomes["refused"] > len(data) // 2, outcomes      # CRCs and checks catch most flips


def test_every_truncation_refused_naming_the_file(tmp_path):
    good = tmp_path / "good.pt"
    mt.save(small_state(), good)
    data = good.read_bytes()
    bad = str(tmp_path / "cut.pt")
    for n in range(len(data)):
        with pytest.raises(RuntimeError) as e:
            mt.load(NamedBytes(data[:n], bad))
        assert bad in str(e.value), f"cut at {n}: {e.value}"
    for n in (0, 4, 22, len(data) // 2, len(data) - 1):                    # and as files on disk
        (tmp_path / "cut.pt").write_bytes(data[:n])
        with pytest.raises(RuntimeError, match="cut.pt"):
            mt.load(tmp_path / "cut.pt")


def test_pickled_file_damaged_is_refused_without_unpickling(tmp_path, monkeypatch):
    # a whole-object save, every byte flipped, default weights_only=True: refused, never unpickled
    class Boom(pickle.Unpickler):
        def __init__(self, *a, **k):
            raise AssertionError("unpickled under weights_only=True")
    good = tmp_path / "good.pt"
    mt.save({"w": mt.ones(2), "obj": datasets.SyntheticShapes.__name__, "cls": {1: np.array(["s"])}}, good)
    data = good.read_bytes()
    monkeypatch.setattr(pickle, "Unpickler", Boom)
    monkeypatch.setattr(pickle, "_Unpickler", Boom)
    bad = str(tmp_path / "bad.pt")
    for i in range(0, len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0xFF
        with pytest.raises((RuntimeError, pickle.UnpicklingError)) as e:
            mt.load(NamedBytes(bytes(damaged), bad))
        assert bad in str(e.value) and "unpickled" not in str(e.value)


# ----------------------------------------------------------------------------------------- hostile files
def test_compressed_manifest_bomb_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.pt"
    write_deflated_zip(path, {MANIFEST: (b" " * (16 << 20), 32)})         # 512 MiB of JSON whitespace
    assert path.stat().st_size <= (1 << 20)
    with zipfile.ZipFile(path) as z:                                        # a real bomb: zipfile would inflate it
        assert z.getinfo(MANIFEST).file_size == 512 << 20
        with z.open(MANIFEST) as f:
            assert f.read(1 << 20) == b" " * (1 << 20)
    assert_refused(path, "compressed")


def test_compressed_array_bomb_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.pt"
    n = 64 << 20                                                            # 256 MiB of float32 zeros
    manifest = manifest_for({"$": "tensor", "ref": 0}, [tensor_entry([n])]).encode()
    write_deflated_zip(path, {MANIFEST: (manifest, 1), serialization._PREFIX + "data/0": (bytes(16 << 20), 16)})
    assert path.stat().st_size <= (1 << 20)
    assert_refused(path, "compressed")


def test_stored_but_oversized_manifest_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "MAX_MANIFEST_BYTES", 4096)
    path = tmp_path / "big.pt"
    write_zip(path, {MANIFEST: manifest_for({"$": "list", "v": list(range(2000))}, [])})
    assert_refused(path, "MAX_MANIFEST_BYTES")
    with pytest.raises(ValueError, match="more than"):                      # and save never writes one
        mt.save(list(range(2000)), tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


def test_array_referenced_many_times_is_loaded_once_and_shared(tmp_path):
    path = tmp_path / "shared.pt"
    n = 1 << 18                                                             # 1 MiB of float32
    refs = {"$": "list", "v": [{"$": "tensor", "ref": 0}] * 128 + [{"$": "ndarray", "ref": 1}] * 128}
    arrays = [tensor_entry([n]), dict(tensor_entry([n]), kind="ndarray")]
    write_zip(path, {MANIFEST: manifest_for(refs, arrays),
                     serialization._PREFIX + "data/0": np.arange(n, dtype=np.float32).tobytes(),
                     serialization._PREFIX + "data/1": np.ones(n, np.float32).tobytes()})
    out = load_bounded(path, 6 << 20)                                       # 2 arrays, not 256 copies
    assert len(out) == 256 and all(t is out[0] for t in out[:128]) and all(a is out[128] for a in out[128:])
    assert np.array_equal(out[0].numpy(), np.arange(n, dtype=np.float32))


def test_forged_terabyte_size_refused(tmp_path):
    path = tmp_path / "forged.pt"
    n = 1 << 38                                                             # 1 TiB of float32
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(MANIFEST, manifest_for({"$": "tensor", "ref": 0}, [tensor_entry([n])]))
        z.writestr(serialization._PREFIX + "data/0", b"\0" * 64)
        info = z.getinfo(serialization._PREFIX + "data/0")
        info.file_size = info.compress_size = n * 4                         # the central directory lies
    assert_refused(path, "does not fit")


def test_declared_size_must_match_entry_size(tmp_path):
    path = tmp_path / "mismatch.pt"
    write_zip(path, {MANIFEST: manifest_for({"$": "tensor", "ref": 0}, [tensor_entry([1000])]),
                     serialization._PREFIX + "data/0": bytes(16)})
    assert_refused(path, "should hold 4000 bytes")


def test_sizes_declared_beyond_the_file_refused(tmp_path):
    # two entries whose declared sizes each fit but together exceed the file (overlapping data)
    path = tmp_path / "overlap.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(MANIFEST, manifest_for({"$": "list", "v": []}, []))
        z.writestr("pad2", bytes(10))
        z.writestr("pad", bytes(1000))
        z.getinfo("pad2").file_size = z.getinfo("pad2").compress_size = 900
    assert_refused(path, "declare")


@pytest.mark.parametrize("depth", [5000, serialization.MAX_DEPTH + 5])
def test_deep_nesting_refused_without_recursion_error(tmp_path, depth):
    path = tmp_path / "deep.pt"
    root = "[]"
    for _ in range(depth):
        root = '{"$":"list","v":[' + root + "]}"
    text = manifest_for(None, []).replace("null", root)
    write_zip(path, {MANIFEST: text})
    assert_refused(path, "nested")


def test_nesting_limit_is_the_same_for_save_and_load(tmp_path):
    obj = {"t": mt.ones(1)}                                                  # MAX_DEPTH containers, a tensor inside
    for _ in range(serialization.MAX_DEPTH - 1):
        obj = [obj]
    mt.save(obj, tmp_path / "ok.pt")
    assert same(mt.load(tmp_path / "ok.pt"), obj)
    with pytest.raises(ValueError, match="nested more than"):
        mt.save([obj], tmp_path / "deep.pt")


def test_recompressed_archive_and_encrypted_flag_refused(tmp_path):
    good = tmp_path / "good.pt"
    mt.save(small_state(), good)
    with zipfile.ZipFile(good) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    re = tmp_path / "deflated.pt"
    write_zip(re, entries, zipfile.ZIP_DEFLATED)
    assert_refused(re, "compressed")
    dup = tmp_path / "dup.pt"
    with pytest.warns(UserWarning):
        write_zip(dup, dict(entries) | {"x": b""}) or None
        with zipfile.ZipFile(dup, "a") as z:
            z.writestr(MANIFEST, entries[MANIFEST])
    assert_refused(dup, "two entries")


@pytest.mark.parametrize("node", [
    {"$": "device", "v": "tpu:7"}, {"$": "dtype", "v": "object"}, {"$": "size", "v": ["a"]},
    {"$": "dict", "items": [[{"$": "list", "v": []}, 1]]}, {"$": "dict", "items": [[1, 2, 3]]},
    {"$": "complex", "v": [1]}, {"$": "tensor", "ref": 0, "requires_grad": "yes"},
    {"$": "tensor", "ref": True}, {"$": "ndarray", "ref": 0}, {"$": "float", "v": "1e999"},
    {"$": "pickle", "x": 1}, {"$": "list", "v": {"a": 1}}, {"$": []}, [1], {"$": "bytes", "ref": 0},
])
def test_malformed_nodes_refused_naming_the_file(tmp_path, node):
    path = tmp_path / "node.pt"
    write_zip(path, {MANIFEST: manifest_for(node, [tensor_entry([2])]),
                     serialization._PREFIX + "data/0": bytes(8)})
    assert_refused(path)


# ----------------------------------------------------------------------------------- CIFAR unpickler
class _ObjectArray:
    def __reduce__(self):
        return (np.ndarray, ((3,), "O"))


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_restricted_unpickler_refuses_object_and_structured_dtypes(protocol):
    for payload in (_ObjectArray(), np.zeros(2, dtype=[("a", "f8")]), np.array([None, 1], dtype=object)):
        with pytest.raises(pickle.UnpicklingError, match="refus"):
            datasets.safe_pickle_load(io.BytesIO(pickle.dumps(payload, protocol=protocol)))
    ok = datasets.safe_pickle_load(io.BytesIO(pickle.dumps(np.arange(6, dtype=">i4").reshape(2, 3), protocol)))
    assert np.array_equal(ok, np.arange(6).reshape(2, 3))


def test_restricted_unpickler_refuses_dtype_state_that_marks_objects():
    # a void dtype, then BUILD with flags saying it holds Python objects (numpy would accept it)
    evil = (b"\x80\x02cnumpy\ndtype\nX\x02\x00\x00\x00f8\x89\x88\x87R"
            b"(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb.")
    assert pickle.loads(evil).hasobject                                      # the stock unpickler is fooled
    with pytest.raises(pickle.UnpicklingError, match="refusing to set the state"):
        datasets.safe_pickle_load(io.BytesIO(evil))


# ---------------------------------------------------------------------------------- stale temporaries
def test_next_save_removes_only_its_own_stale_temporaries(tmp_path):
    target = tmp_path / "model.pt"
    old = time.time() - 3600
    stale = tmp_path / ".model.pt.0123456789ab.tmp"
    keep = [tmp_path / ".model.pt.0123456789ab.tmp.bak", tmp_path / ".other.pt.0123456789ab.tmp",
            tmp_path / ".model.pt.xyz.tmp", tmp_path / "model.pt.0123456789ab.tmp",
            tmp_path / ".model.pt.0123456789AB.tmp"]
    fresh = tmp_path / ".model.pt.ffffffffffff.tmp"
    for p in [stale, fresh] + keep:
        p.write_bytes(b"partial")
        if p is not fresh:
            os.utime(p, (old, old))
    locked = tmp_path / ".model.pt.aaaaaaaaaaaa.tmp"                        # a save in progress holds its lock
    locked.write_bytes(b"partial")
    os.utime(locked, (old, old))
    import fcntl
    with open(locked, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        mt.save({"epoch": 1}, target)
    assert not stale.exists()
    assert fresh.exists() and locked.exists() and all(p.exists() for p in keep)
    assert mt.load(target) == {"epoch": 1}


def test_save_killed_mid_write_is_cleaned_by_the_next_save(tmp_path):
    target = tmp_path / "ck.pt"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {os.getcwd()!r})
        import minitorch as mt
        from minitorch import serialization
        real = serialization._write_array
        def slow(zf, name, arr):
            real(zf, name, arr)
            print("writing", flush=True)
            time.sleep(60)
        serialization._write_array = slow
        mt.save({{"w": mt.ones(1000)}}, {str(target)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    left = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".ck.pt.") and not target.exists()
    old = time.time() - 60
    os.utime(tmp_path / left[0], (old, old))
    mt.save({"epoch": 2}, target)
    assert os.listdir(tmp_path) == ["ck.pt"] and mt.load(target) == {"epoch": 2}
