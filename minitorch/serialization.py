"""``save`` / ``load``: tensors, ``state_dict``s and checkpoints on disk -- safe, atomic, no pickle.

File format (a ZIP archive, entries stored uncompressed)::

    minitorch_archive/manifest.json    the object tree as JSON, plus a table of arrays
    minitorch_archive/data/0, 1, ...   each array's raw bytes, C order, little-endian

The manifest describes the saved object with tagged JSON nodes: ``None``,
``bool``, ``int``, ``float`` and ``str`` as themselves; dicts (``OrderedDict``
too, keys of any supported type), lists, tuples, ``Size``, dtypes, devices,
``bytes``, numpy arrays and scalars, and tensors (dtype, shape, device,
``requires_grad``, whether it was an ``nn.Parameter``) by reference into the
array table. That covers tensors, ``state_dict``s and checkpoint dicts
(``{'epoch': 5, 'model': model.state_dict(), 'optimizer': opt.state_dict(), ...}``).

Safety: ``load`` parses JSON and copies bytes into fresh arrays; nothing from
the file is ever executed or imported, so ``weights_only`` changes nothing
(it is accepted for torch compatibility). The price: ``save`` refuses arbitrary
objects (a whole ``nn.Module``, a lambda, a custom class) with a ``TypeError``
-- save ``model.state_dict()`` instead, as the PyTorch docs recommend.

Atomicity: saving to a path writes a temporary file in the same directory,
flushes it to disk and renames it over the target (``os.replace``), so a crash
or an error mid-save leaves the previous file untouched. Saving to an open file
object writes straight into it (no atomicity possible there).

Differences from torch, on purpose: tensors that are views of one another
(share storage) are saved as separate arrays and come back as independent
tensors; the same tensor object appearing twice comes back as one object.
``.grad`` is not saved (nor by torch). Files written by ``torch.save`` are
not readable here (they are pickles); ``reference/`` has the converter.
"""
import collections
import io
import json
import math
import os
import zipfile

from . import _backend, _dtype
from .tensor import Tensor, Size

_np = _backend.numpy

__all__ = ["save", "load"]

FORMAT_NAME = "minitorch.save"
FORMAT_VERSION = 1
_PREFIX = "minitorch_archive/"
_MANIFEST = _PREFIX + "manifest.json"
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 24


# ------------------------------------------------------------------------------------------------ saving
class _Encoder:
    """Turns an object tree into JSON nodes and a list of numpy arrays (the tensors' and arrays' bytes)."""

    def __init__(self):
        self.arrays = []          # numpy arrays, C-contiguous, little-endian
        self.table = []           # manifest entries for them
        self._tensor_refs = {}    # id(tensor) -> node, so the same object is stored once
        self._keep = []           # keep encoded objects alive so ids stay unique
        self._path = set()        # ids of containers being encoded (cycle detection)

    def _add_array(self, arr, kind):
        if not arr.flags.c_contiguous:            # (np.ascontiguousarray would turn 0-d into 1-d)
            arr = arr.copy(order="C")
        if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and not _little_endian()):
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        self.arrays.append(arr)
        self.table.append({"kind": kind, "dtype": _np_dtype_name(arr.dtype), "shape": list(arr.shape),
                           "nbytes": int(arr.nbytes)})
        return len(self.arrays) - 1

    def encode(self, obj):
        """The JSON node for ``obj`` (arrays go to ``self.arrays``); ``TypeError`` for what cannot be stored."""
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            if math.isfinite(obj):
                return obj
            return {"$": "float", "v": repr(obj)}
        if isinstance(obj, Tensor):
            return self._encode_tensor(obj)
        if isinstance(obj, _dtype.dtype):
            return {"$": "dtype", "v": obj.name}
        if isinstance(obj, _backend.device):
            return {"$": "device", "v": str(obj)}
        if isinstance(obj, _np.ndarray):
            _check_np_dtype(obj.dtype)
            return {"$": "ndarray", "ref": self._add_array(obj, "ndarray")}
        if isinstance(obj, _np.generic):
            _check_np_dtype(obj.dtype)
            return {"$": "npscalar", "ref": self._add_array(_np.asarray(obj), "npscalar")}
        if isinstance(obj, (bytes, bytearray)):
            return {"$": "bytes", "ref": self._add_array(_np.frombuffer(bytes(obj), _np.uint8), "bytes")}
        if isinstance(obj, dict):
            kind = type(obj)
            if kind not in (dict, collections.OrderedDict, collections.defaultdict):
                raise _unsupported(obj)
            with self._visiting(obj):
                items = [[self.encode(k), self.encode(v)] for k, v in obj.items()]
            return {"$": "dict", "ordered": kind is collections.OrderedDict, "items": items}
        if type(obj) in (list, tuple, Size):
            tag = {list: "list", tuple: "tuple", Size: "size"}[type(obj)]
            with self._visiting(obj):
                return {"$": tag, "v": [self.encode(x) for x in obj]}
        if isinstance(obj, int) and not isinstance(obj, bool):     # int subclasses (IntEnum...) as plain ints
            return int(obj)
        if isinstance(obj, float):
            return self.encode(float(obj))
        raise _unsupported(obj)

    def _encode_tensor(self, t):
        key = id(t)
        if key in self._tensor_refs:
            return self._tensor_refs[key]
        arr = _backend.to_numpy(t._data)
        ref = self._add_array(arr, "tensor")
        node = {"$": "tensor", "ref": ref, "requires_grad": bool(t._requires_grad),
                "device": str(t.device), "parameter": _is_parameter(t)}
        self._tensor_refs[key] = node
        self._keep.append(t)
        return node

    class _Visit:
        def __init__(self, enc, obj):
            self.enc, self.key = enc, id(obj)

        def __enter__(self):
            if self.key in self.enc._path:
                raise ValueError("minitorch.save: the object contains a reference cycle (a container that "
                                 "holds itself); it cannot be saved")
            self.enc._path.add(self.key)

        def __exit__(self, *exc):
            self.enc._path.discard(self.key)

    def _visiting(self, obj):
        return self._Visit(self, obj)


def _little_endian():
    import sys
    return sys.byteorder == "little"


def _np_dtype_name(dt):
    return "bool" if dt.kind == "b" else dt.newbyteorder("=").name


_ALLOWED_NP = {"bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64", "float16",
               "float32", "float64", "complex64", "complex128"}
_TENSOR_DTYPES = {d.name for d in _dtype.ALL}


def _check_np_dtype(dt):
    if _np_dtype_name(dt) not in _ALLOWED_NP:
        raise TypeError(f"minitorch.save cannot store numpy arrays of dtype {dt} (only numbers and bools)")


def _is_parameter(t):
    import sys
    mod = sys.modules.get(__package__ + ".nn.parameter")      # no Parameter can exist before it is imported
    return mod is not None and isinstance(t, mod.Parameter)


def _unsupported(obj):
    name = f"{type(obj).__module__}.{type(obj).__qualname__}"
    hint = ""
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        hint = " To save a model or optimizer, save its state_dict(): minitorch.save(model.state_dict(), path)."
    return TypeError(
        f"minitorch.save cannot store an object of type {name}. It stores tensors, numpy arrays, dicts "
        "(OrderedDict too), lists, tuples, str, bytes, int, float, bool, None, dtypes and devices -- no "
        f"arbitrary objects, so that loading never runs code from the file.{hint}")


def _write_archive(fileobj, manifest, arrays):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(_MANIFEST, json.dumps(manifest, allow_nan=False, separators=(",", ":")))
        for i, arr in enumerate(arrays):
            _write_array(zf, f"{_PREFIX}data/{i}", arr)


def _write_array(zf, name, arr):
    """Write one array's bytes as the zip entry ``name``."""
    with zf.open(name, "w", force_zip64=arr.nbytes > 0x7FFFFFFF) as f:
        f.write(memoryview(arr.reshape(-1).view(_np.uint8)))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state_dicts, checkpoint dicts...) to the path or binary file object ``f``.

    Nothing is pickled (``pickle_module`` / ``pickle_protocol`` are accepted and
    ignored): see the module docstring for the format and what can be stored.
    Writing to a path is atomic: a temporary file in the same directory is
    written, synced and renamed over ``f``, so the previous file survives any
    failure mid-save.
    """
    enc = _Encoder()
    root = enc.encode(obj)
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "byteorder": "little", "root": root,
                "arrays": enc.table}
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        _write_archive(f, manifest, enc.arrays)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or directory} does not exist.")
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, manifest, enc.arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def _fsync_dir(directory):
    """Make the rename durable (POSIX); harmless to skip where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------------------------- loading
def _bad(source, why):
    return RuntimeError(f"minitorch.load: {source} {why}")


def _describe(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(os.fspath(f)))
    return "the file object"


def _foreign_reason(head):
    msg = (f"is not a minitorch checkpoint (it does not start with a ZIP header; first bytes: {head[:8]!r}). "
           "minitorch.load reads files written by minitorch.save.")
    if head[:1] == b"\x80":
        msg += (" It looks like a Python pickle (for instance a legacy torch.save file): minitorch never "
                "unpickles (that could run code); load it with torch and convert it (see reference/).")
    return msg


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ``minitorch.save`` from a path or binary file object.

    ``map_location``: None (each tensor back on the device it was saved from), a
    device or string (everything there), a dict ``{'cuda:0': 'cpu'}`` mapping
    saved locations, or a callable ``fn(tensor, location)`` returning the tensor
    to use (``None`` keeps the default). ``weights_only``, ``mmap`` and
    ``pickle_module`` are accepted for torch compatibility and change nothing:
    loading never executes code from the file, whatever they say.

    A truncated, corrupted or foreign file raises a ``RuntimeError`` saying so.
    """
    source = _describe(f)
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_from(fh, source, map_location)
    if not hasattr(f, "read"):
        raise TypeError(f"minitorch.load expects a path or a binary file object, got {type(f).__name__}")
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():
        f = io.BytesIO(f.read())
    return _load_from(f, source, map_location)


def _load_from(fh, source, map_location):
    start = fh.tell()
    head = fh.read(8)
    fh.seek(start)
    if isinstance(head, str):
        raise TypeError("minitorch.load needs a file opened in binary mode ('rb')")
    if len(head) == 0:
        raise _bad(source, "is empty (0 bytes): not a minitorch checkpoint, or a save that never completed.")
    if head[:4] != _ZIP_MAGIC:
        raise _bad(source, _foreign_reason(head))
    try:
        zf = zipfile.ZipFile(fh, "r")
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _bad(source, f"is truncated or corrupted: it starts like a minitorch (ZIP) archive but cannot "
                           f"be read as one ({e}). Was the save interrupted or the copy incomplete?") from None
    with zf:
        names = set(zf.namelist())
        if _MANIFEST not in names:
            if any(n.endswith("/data.pkl") or n == "data.pkl" for n in names):
                raise _bad(source, "was written by torch.save (a pickle inside a ZIP archive). minitorch never "
                                   "unpickles (that could run code); convert it with the tools in reference/.")
            raise _bad(source, "is a ZIP archive but not a minitorch checkpoint (no "
                               f"{_MANIFEST} entry).")
        try:
            manifest = json.loads(zf.read(_MANIFEST).decode("utf-8"))
        except (zipfile.BadZipFile, ValueError, UnicodeDecodeError, OSError, EOFError) as e:
            raise _bad(source, f"is corrupted: its manifest cannot be read ({e}).") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise _bad(source, "is corrupted: its manifest is not a minitorch manifest.")
        version = manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise _bad(source, f"was written by a newer minitorch (format version {version!r}; this one reads "
                               f"up to {FORMAT_VERSION}).")
        dec = _Decoder(zf, manifest.get("arrays"), source, map_location)
        try:
            return dec.decode(manifest.get("root"))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            raise _bad(source, f"is corrupted: malformed manifest ({type(e).__name__}: {e}).") from None


class _Decoder:
    def __init__(self, zf, table, source, map_location):
        if not isinstance(table, list):
            raise _bad(source, "is corrupted: malformed manifest (no array table).")
        self.zf, self.table, self.source, self.map_location = zf, table, source, map_location
        self._tensors = {}

    def decode(self, node):
        """The object a JSON node describes (arrays read from the archive); ``ValueError`` on bad nodes."""
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict):
            raise ValueError(f"unexpected node {type(node).__name__}")
        tag = node["$"]
        if tag == "dict":
            items = [(self._key(self.decode(k)), self.decode(v)) for k, v in node["items"]]
            return collections.OrderedDict(items) if node.get("ordered") else dict(items)
        if tag == "list":
            return [self.decode(x) for x in node["v"]]
        if tag == "tuple":
            return tuple(self.decode(x) for x in node["v"])
        if tag == "size":
            return Size(int(x) for x in node["v"])
        if tag == "float":
            v = node["v"]
            if v not in ("nan", "inf", "-inf"):
                raise ValueError(f"bad float {v!r}")
            return float(v)
        if tag == "tensor":
            return self._tensor(node)
        if tag == "ndarray":
            return self._array(node["ref"], "ndarray")
        if tag == "npscalar":
            return self._array(node["ref"], "npscalar")[()]
        if tag == "bytes":
            return self._array(node["ref"], "bytes").tobytes()
        if tag == "dtype":
            return _dtype._by_name(node["v"])
        if tag == "device":
            return _backend.device(node["v"])
        raise ValueError(f"unknown node type {tag!r}")

    @staticmethod
    def _key(k):
        if isinstance(k, list):
            raise ValueError("a dict key cannot be a list")
        return k

    def _array(self, ref, kind):
        if not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < len(self.table):
            raise ValueError(f"array reference {ref!r} out of range")
        entry = self.table[ref]
        if entry.get("kind") != kind:
            raise ValueError(f"array {ref} is a {entry.get('kind')!r}, expected a {kind!r}")
        name = entry["dtype"]
        if name not in _ALLOWED_NP or (kind == "tensor" and name not in _TENSOR_DTYPES):
            raise ValueError(f"unsupported dtype {name!r}")
        dt = _np.dtype(name).newbyteorder("<")
        shape = entry["shape"]
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise ValueError(f"bad shape {shape!r}")
        count = 1
        for s in shape:
            count *= s
        nbytes = count * dt.itemsize
        member = f"{_PREFIX}data/{ref}"
        try:
            info = self.zf.getinfo(member)
        except KeyError:
            raise _bad(self.source, f"is truncated or corrupted: the bytes of array {ref} ({member}) are "
                                    "missing.") from None
        if info.file_size != nbytes or entry.get("nbytes") != nbytes:
            raise _bad(self.source, f"is corrupted: array {ref} should hold {nbytes} bytes "
                                    f"({name} {shape}) but its entry holds {info.file_size}.")
        arr = _np.empty(shape, dtype=dt)
        flat = memoryview(arr.reshape(-1).view(_np.uint8))
        try:
            with self.zf.open(member) as fh:
                pos = 0
                while pos < nbytes:
                    chunk = fh.read(min(_CHUNK, nbytes - pos))
                    if not chunk:
                        raise EOFError("unexpected end of data")
                    flat[pos:pos + len(chunk)] = chunk
                    pos += len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise _bad(self.source, f"is truncated or corrupted: array {ref} cannot be read ({e}).") from None
        if dt.byteorder not in ("=", "|") and not _little_endian():
            arr = arr.astype(dt.newbyteorder("="))
        return arr

    def _tensor(self, node):
        ref = node["ref"]
        if ref in self._tensors:
            return self._tensors[ref]
        arr = self._array(ref, "tensor")
        location = str(node.get("device", "cpu"))
        t = Tensor._from_array(arr)
        t = self._place(t, location)
        requires_grad = bool(node.get("requires_grad", False))
        if node.get("parameter"):
            try:
                from .nn.parameter import Parameter
                t = Parameter(t, requires_grad)
            except ImportError:
                t.requires_grad_(requires_grad)
        elif requires_grad:
            t.requires_grad_(True)
        self._tensors[ref] = t
        return t

    def _place(self, t, location):
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, _backend.device, dict)):
            out = ml(t, location)
            if out is not None:
                return out if isinstance(out, Tensor) else Tensor._from_array(out._data)
            target = location
        elif ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        else:
            target = ml
        dev = _backend.as_device(target)
        if dev.type == "cuda" and not _backend.cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
        if dev.type == "cpu":
            return t
        return Tensor._from_array(_backend.to_device(t._data, dev))
