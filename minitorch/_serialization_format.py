"""The minitorch file format behind ``save`` / ``load``: its layout constants, and the codec between an
object tree and what the archive holds -- the manifest's tagged JSON nodes plus a table of raw arrays.

``_Encoder`` (save) turns tensors, state dicts and other plain data into nodes and arrays; ``_Decoder`` (load)
turns them back, reading each array's bytes from the archive (bounded chunks, CRC checked, or ``mmap``) and
placing tensors per ``map_location``. The errors a damaged or forged file can raise while being read
(``_Corrupt``, ``_FILE_ERRORS``) and the text ``load`` reports them with (``_bad``, ``_why``) live here too.

Kept apart from ``serialization.py`` (the public ``save`` / ``load``, the ZIP container, atomic writes and
the checks of an archive against its file) so that the node format is defined in one place, encoder beside
decoder; the pickled path (whole models) is in ``_serialization_pickle.py``. Moved verbatim from
``serialization.py`` (issue #13); ``MAX_DEPTH`` and the names tests use stay importable from there.
"""
import collections
import math
import struct
import sys
import zipfile

from . import _backend, _dtype
from .tensor import Tensor, Size
from .nn.parameter import Parameter

_np = _backend.numpy

FORMAT_NAME = "minitorch.save"
FORMAT_VERSION = 2            # 2 added complex, set/frozenset nodes, pickled objects and aligned arrays
_PREFIX = "minitorch_archive/"
_MANIFEST = _PREFIX + "manifest.json"
_PICKLE = _PREFIX + "data.pkl"
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 24
_ALIGN = 64
_PAD_FIELD = 0x6D74            # ZIP extra-field id of our alignment padding ("tm")
_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same object saves to the same bytes

MAX_DEPTH = 100                # containers nested deeper than this are refused (on save and on load)


class _NeedsPickle(Exception):
    """Raised by the JSON encoder for an object only pickle can store."""


# ------------------------------------------------------------------------------------------------ saving
class _Encoder:
    """Turns an object tree into JSON nodes and a list of numpy arrays (the tensors' and arrays' bytes)."""

    def __init__(self):
        self.arrays = []          # numpy arrays, C-contiguous, little-endian
        self.table = []           # manifest entries for them
        self._tensor_refs = {}    # id(tensor) -> ref, so the same object is stored once
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

    def encode(self, obj, depth=0):
        """The JSON node for ``obj`` (arrays go to ``self.arrays``); ``_NeedsPickle`` for what JSON cannot hold."""
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            if math.isfinite(obj):
                return obj
            return {"$": "float", "v": repr(obj)}
        if type(obj) is complex:
            return {"$": "complex", "v": [self.encode(obj.real), self.encode(obj.imag)]}
        if isinstance(obj, Tensor):
            return self._encode_tensor(obj)
        if isinstance(obj, _dtype.dtype):
            return {"$": "dtype", "v": obj.name}
        if isinstance(obj, _backend.device):
            return {"$": "device", "v": str(obj)}
        if isinstance(obj, _np.ndarray):
            if type(obj) is not _np.ndarray or _np_dtype_name(obj.dtype) not in _ALLOWED_NP:
                raise _NeedsPickle(obj)
            return {"$": "ndarray", "ref": self._add_array(obj, "ndarray")}
        if isinstance(obj, _np.generic):
            if _np_dtype_name(obj.dtype) not in _ALLOWED_NP:
                raise _NeedsPickle(obj)
            return {"$": "npscalar", "ref": self._add_array(_np.asarray(obj), "npscalar")}
        if type(obj) in (bytes, bytearray):
            return {"$": type(obj).__name__, "ref": self._add_array(_np.frombuffer(bytes(obj), _np.uint8), "bytes")}
        if depth >= MAX_DEPTH:
            raise ValueError(f"minitorch.save: the object is nested more than {MAX_DEPTH} containers deep; "
                             "minitorch files hold at most that (so that loading stays bounded)")
        if type(obj) in (dict, collections.OrderedDict, collections.defaultdict):     # (a defaultdict as a dict)
            with self._visiting(obj):
                items = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]
            return {"$": "dict", "ordered": type(obj) is collections.OrderedDict, "items": items}
        if type(obj) in (list, tuple, Size, set, frozenset):
            tag = {list: "list", tuple: "tuple", Size: "size", set: "set", frozenset: "frozenset"}[type(obj)]
            with self._visiting(obj):
                return {"$": tag, "v": [self.encode(x, depth + 1) for x in obj]}
        if isinstance(obj, int):                       # int subclasses (IntEnum...) as plain ints
            return int(obj)
        if isinstance(obj, float):
            return self.encode(float(obj))
        raise _NeedsPickle(obj)

    def _encode_tensor(self, t):
        ref = self.tensor_ref(t)
        return {"$": "tensor", "ref": ref, "requires_grad": bool(t._requires_grad), "device": str(t.device),
                "parameter": _is_parameter(t)}

    def tensor_ref(self, t):
        """The array-table index of tensor ``t``'s data (added on first sight)."""
        key = id(t)
        if key not in self._tensor_refs:
            self._tensor_refs[key] = self._add_array(_backend.to_numpy(t._data), "tensor")
            self._keep.append(t)
        return self._tensor_refs[key]

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
    return sys.byteorder == "little"


def _np_dtype_name(dt):
    return "bool" if dt.kind == "b" else dt.newbyteorder("=").name


_ALLOWED_NP = {"bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64", "float16",
               "float32", "float64", "complex64", "complex128"}
_TENSOR_DTYPES = {d.name for d in _dtype.ALL}


def _is_parameter(t):
    mod = sys.modules.get(__package__ + ".nn.parameter")      # no Parameter can exist before it is imported
    return mod is not None and isinstance(t, mod.Parameter)


# ---------------------------------------------------------------------------------------- errors on loading
class _Corrupt(Exception):
    """A problem with the file's contents; ``load`` turns it into a ``RuntimeError`` naming the file."""


class _UserCodeError(Exception):
    """Wraps an exception raised by the caller's ``map_location`` callable, re-raised as is."""

    def __init__(self, exc):
        super().__init__(exc)
        self.exc = exc


# What reading a damaged or forged archive can raise from zipfile, json, struct, numpy or our checks.
_FILE_ERRORS = (_Corrupt, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError,
                IndexError, TypeError, AttributeError, struct.error, NotImplementedError, RecursionError,
                OverflowError)


def _bad(source, why):
    return RuntimeError(f"minitorch.load: {source} {why}")


def _why(e):
    if isinstance(e, _Corrupt):
        return str(e)
    if isinstance(e, RecursionError):
        return "is corrupted: its manifest is nested too deeply."
    if isinstance(e, zipfile.BadZipFile):
        return f"is truncated or corrupted ({e})."
    return f"is corrupted: malformed archive or manifest ({type(e).__name__}: {e})."


# ----------------------------------------------------------------------------------------------- decoding
class _Decoder:
    def __init__(self, zf, fh, end, source, opts):
        self.zf, self.fh, self.end, self.source = zf, fh, end, source
        self.map_location, self.mmap_path = opts["map_location"], opts["mmap_path"]
        self.table = []
        self._arrays = {}         # ref -> numpy array, each array read once
        self._tensors = {}        # ref -> Tensor
        self._values = {}         # ref -> bytes / numpy scalar

    # ---- archive members
    def read_member(self, name):
        """The bytes of entry ``name``: read in bounded chunks, exactly its declared size, CRC checked."""
        info = self.zf.getinfo(name)
        out = bytearray(info.file_size)
        self._read_into(info, memoryview(out))
        return bytes(out)

    def _read_into(self, info, flat):
        n = len(flat)
        with self.zf.open(info) as fh:
            pos = 0
            while pos < n:
                chunk = fh.read(min(_CHUNK, n - pos))
                if not chunk:
                    raise _Corrupt(f"is truncated or corrupted: entry {info.filename!r} ends early.")
                flat[pos:pos + len(chunk)] = chunk
                pos += len(chunk)
            if fh.read(1):                     # reaching the end is what makes zipfile check the CRC
                raise _Corrupt(f"is corrupted: entry {info.filename!r} is longer than declared.")

    def _data_offset(self, info):
        self.fh.seek(info.header_offset)
        header = self.fh.read(30)
        if len(header) != 30 or header[:4] != _ZIP_MAGIC:
            raise _Corrupt(f"is corrupted: bad local header for entry {info.filename!r}.")
        n, m = struct.unpack("<HH", header[26:30])
        offset = info.header_offset + 30 + n + m
        if offset + info.file_size > self.end:
            raise _Corrupt(f"is truncated: entry {info.filename!r} does not fit in the file.")
        return offset

    # ---- the object tree
    def decode(self, node, depth=0):
        """The object a JSON node describes (arrays read from the archive); ``ValueError`` on bad nodes."""
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict):
            raise ValueError(f"unexpected node {type(node).__name__}")
        tag = node["$"]
        if depth >= MAX_DEPTH and tag in ("dict", "list", "tuple", "set", "frozenset", "size"):
            raise _Corrupt(f"is corrupted: its objects are nested more than {MAX_DEPTH} containers deep.")
        if tag == "dict":
            items = [(self._key(self.decode(k, depth + 1)), self.decode(v, depth + 1)) for k, v in node["items"]]
            return collections.OrderedDict(items) if node.get("ordered") else dict(items)
        if tag in ("list", "tuple", "set", "frozenset"):
            values = node["v"]
            if not isinstance(values, list):
                raise ValueError(f"bad {tag} node")
            out = [self.decode(x, depth + 1) for x in values]
            return out if tag == "list" else {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](out)
        if tag == "size":
            values = node["v"]
            if not isinstance(values, list) or not all(type(x) is int for x in values):
                raise ValueError("bad size node")
            return Size(values)
        if tag == "float":
            v = node["v"]
            if v not in ("nan", "inf", "-inf"):
                raise ValueError(f"bad float {v!r}")
            return float(v)
        if tag == "complex":
            re_, im = (self.decode(x, depth + 1) for x in node["v"])
            if type(re_) is not float or type(im) is not float:
                raise ValueError("bad complex node")
            return complex(re_, im)
        if tag == "tensor":
            return self._tensor(node["ref"], node.get("requires_grad", False), node.get("device", "cpu"),
                                node.get("parameter", False))
        if tag == "ndarray":
            return self._array(node["ref"], "ndarray")
        if tag in ("npscalar", "bytes", "bytearray"):
            ref = node["ref"]
            key = (ref, tag)
            if key not in self._values:
                arr = self._array(ref, "npscalar" if tag == "npscalar" else "bytes")
                self._values[key] = arr[()] if tag == "npscalar" else arr.tobytes()
            value = self._values[key]
            return bytearray(value) if tag == "bytearray" else value
        if tag == "dtype":
            name = node["v"]
            if not isinstance(name, str) or name not in _dtype._NAMES:
                raise ValueError(f"unknown dtype {name!r}")
            return _dtype._by_name(name)
        if tag == "device":
            return self._device(node["v"])
        raise ValueError(f"unknown node type {tag!r}")

    @staticmethod
    def _key(k):
        if isinstance(k, (list, dict, set, bytearray)):
            raise ValueError(f"a dict key cannot be a {type(k).__name__}")
        return k

    @staticmethod
    def _device(v):
        if not isinstance(v, str):
            raise ValueError(f"bad device {v!r}")
        try:
            return _backend.device(v)
        except (RuntimeError, ValueError, TypeError) as e:
            raise ValueError(f"bad device {v!r} ({e})") from None

    def _array(self, ref, kind):
        """Array ``ref`` of the table (read once; later references share it)."""
        if type(ref) is not int or not 0 <= ref < len(self.table):
            raise ValueError(f"array reference {ref!r} out of range")
        if ref in self._arrays:
            arr, first_kind = self._arrays[ref]
            if first_kind != kind:
                raise ValueError(f"array {ref} used both as {first_kind!r} and {kind!r}")
            return arr
        entry = self.table[ref]
        if entry.get("kind") != kind:
            raise ValueError(f"array {ref} is a {entry.get('kind')!r}, expected a {kind!r}")
        name = entry.get("dtype")
        if name not in _ALLOWED_NP or (kind == "tensor" and name not in _TENSOR_DTYPES):
            raise ValueError(f"unsupported dtype {name!r}")
        dt = _np.dtype(name).newbyteorder("<")
        shape = entry.get("shape")
        if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and s >= 0 for s in shape):
            raise ValueError(f"bad shape {shape!r}")
        count = 1
        for s in shape:
            count *= s
        nbytes = count * dt.itemsize
        member = f"{_PREFIX}data/{ref}"
        try:
            info = self.zf.getinfo(member)
        except KeyError:
            raise _Corrupt(f"is truncated or corrupted: the bytes of array {ref} ({member}) are missing.") from None
        if info.file_size != nbytes or entry.get("nbytes") != nbytes:
            raise _Corrupt(f"is corrupted: array {ref} should hold {nbytes} bytes ({name} {shape}) but its "
                           f"entry holds {info.file_size}.")
        if self.mmap_path is not None and nbytes > 0:
            raw = _np.memmap(self.mmap_path, dtype=_np.uint8, mode="c", offset=self._data_offset(info),
                             shape=(nbytes,))
            arr = _np.ndarray(tuple(shape), dtype=dt, buffer=raw)
        else:
            arr = _np.empty(shape, dtype=dt)
            self._read_into(info, memoryview(arr.reshape(-1).view(_np.uint8)))
        if dt.byteorder not in ("=", "|") and not _little_endian():
            arr = arr.astype(dt.newbyteorder("="))
        self._arrays[ref] = (arr, kind)
        return arr

    def _tensor(self, ref, requires_grad, location, parameter):
        if type(ref) is int and ref in self._tensors:
            return self._tensors[ref]
        if not isinstance(requires_grad, bool) or not isinstance(parameter, bool) or not isinstance(location, str):
            raise ValueError("bad tensor node")
        self._device(location)
        arr = self._array(ref, "tensor")
        t = self._place(Tensor._from_array(arr), location)
        if parameter:
            t = Parameter(t, requires_grad)
        elif requires_grad:
            if not t.dtype.is_floating_point and not t.dtype.is_complex:
                raise ValueError("only floating point tensors can require gradients")
            t.requires_grad_(True)
        self._tensors[ref] = t
        return t

    def _place(self, t, location):
        ml = self.map_location
        if callable(ml) and not isinstance(ml, (str, _backend.device, dict)):
            try:
                out = ml(t, location)
            except BaseException as e:
                raise _UserCodeError(e) from None
            if out is not None:
                return out if isinstance(out, Tensor) else Tensor._from_array(out._data)
            target = location
        elif ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        else:
            target = ml
        try:
            dev = _backend.as_device(target)
        except BaseException as e:
            raise _UserCodeError(e) from None
        if dev.type == "cuda" and not _backend.cuda_available():
            raise _UserCodeError(RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."))
        if dev.type == "cpu":
            return t
        return Tensor._from_array(_backend.to_device(t._data, dev))

    def persistent_tensor(self, pid):
        """The tensor a pickle's persistent id ``('tensor', ref, requires_grad, device, parameter)`` names."""
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "tensor":
            raise _Corrupt(f"is corrupted: unknown persistent id in its pickle ({pid!r:.80}).")
        return self._tensor(*pid[1:])
