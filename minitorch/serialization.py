"""``save`` / ``load``: tensors, ``state_dict``s, checkpoints and whole models on disk -- atomic, and safe by default.

File format (a ZIP archive; every entry stored uncompressed)::

    minitorch_archive/manifest.json    the object tree as JSON, plus a table of arrays
    minitorch_archive/data/0, 1, ...   each array's raw bytes, C order, little-endian, 64-byte aligned in the file
    minitorch_archive/data.pkl         only for "pickled" saves (see below)

Plain data -- ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``,
``bytes``, dicts (``OrderedDict`` too, keys of any supported type), lists,
tuples, sets, ``Size``, dtypes, devices, numpy arrays and scalars of numbers,
and tensors (dtype, shape, device, ``requires_grad``, whether it was an
``nn.Parameter``) -- is written as tagged JSON nodes in the manifest, tensors by
reference into the array table. That covers tensors, ``state_dict``s,
optimizer ``state_dict``s and checkpoint dicts. ``load`` reads such a file by
parsing JSON and copying bytes into fresh arrays: nothing from the file is
executed or imported.

Anything else (a whole ``nn.Module``, a custom class, a numpy array of strings)
is pickled, as ``torch.save`` does, into ``data.pkl``; its tensors are still
written as raw arrays and referenced from the pickle by persistent id. As in
torch >= 2.6, ``load`` defaults to ``weights_only=True`` and then never
unpickles: such a file is refused with ``pickle.UnpicklingError`` ("Weights only
load failed...") naming the first class/function the pickle would import.
``load(f, weights_only=False)`` unpickles it -- which can run arbitrary code:
do it only for files you trust. Plain-data files load the same either way.

Hostile and damaged files: ``load`` checks the archive before reading it --
only stored (uncompressed) entries, no duplicate names, each entry's size
within the file and all sizes together no larger than the file, a manifest of
at most ``MAX_MANIFEST_BYTES``, object nesting at most ``MAX_DEPTH`` levels, and
every array's declared bytes (shape x itemsize) equal to its entry's size -- so
memory use is bounded by the file's size (an array referenced many times is
loaded once and shared). Any truncated, corrupted, forged or foreign file
raises ``RuntimeError`` naming the file. ZIP's CRC-32 catches flipped bits in
what is read (``mmap=True`` maps the arrays instead and skips that check, as
torch's does).

Atomicity: saving to a path writes ``.<name>.<12 hex>.tmp`` in the same
directory, flushes it to disk and renames it over the target
(``os.replace``), so a crash mid-save leaves the previous file untouched; the
next save of that target removes such temporaries left by killed saves.
Saving to an open file object writes straight into it (no atomicity there).

Differences from torch, on purpose: in plain-data files, tensors that are views
of one another (share storage) are saved as separate arrays and come back
independent; the same tensor object appearing twice comes back as one object.
``.grad`` is not saved (nor by torch). There is no allowlist of extra globals
(``torch.serialization.add_safe_globals``). Files written by ``torch.save`` are
not readable here; ``reference/`` has the converter.
"""
import collections
import io
import json
import math
import os
import pickle
import pickletools
import re
import stat
import struct
import sys
import time
import zipfile

from . import _backend, _dtype
from .tensor import Tensor, Size
from .nn.parameter import Parameter

_np = _backend.numpy

__all__ = ["save", "load"]

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

MAX_MANIFEST_BYTES = 16 << 20  # a manifest larger than this is refused (on save and on load)
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


def _pickle_object(obj, enc, pickle_module, protocol):
    """``obj`` pickled with its tensors replaced by persistent ids ``('tensor', ref, requires_grad, device,
    parameter)`` into ``enc``'s array table (so their bytes stay raw arrays)."""
    module = pickle if pickle_module is None else pickle_module

    class _Pickler(module.Pickler):
        def persistent_id(self, o):
            if isinstance(o, Tensor):
                return ("tensor", enc.tensor_ref(o), bool(o._requires_grad), str(o.device), _is_parameter(o))
            return None

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def _write_archive(fileobj, manifest_bytes, arrays, pickled):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(_zipinfo(_MANIFEST), manifest_bytes)
        if pickled is not None:
            zf.writestr(_zipinfo(_PICKLE), pickled)
        for i, arr in enumerate(arrays):
            _write_array(zf, f"{_PREFIX}data/{i}", arr)


def _zipinfo(name):
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _write_array(zf, name, arr):
    """Write one array's bytes as the zip entry ``name``, starting at a multiple of 64 bytes in the file
    (padding in an extra field) so that ``load(..., mmap=True)`` maps aligned arrays."""
    info = _zipinfo(name)
    zip64 = arr.nbytes > 0x7FFFFFFF
    header = 30 + len(name.encode("utf-8")) + 4 + (20 if zip64 else 0)
    pad = (-(zf.start_dir + header)) % _ALIGN
    info.extra = struct.pack("<HH", _PAD_FIELD, pad) + bytes(pad)
    with zf.open(info, "w", force_zip64=zip64) as f:
        f.write(memoryview(arr.reshape(-1).view(_np.uint8)))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to the path or binary file object ``f`` (see the module docstring for the format).

    Tensors, ``state_dict``s and checkpoint dicts are stored as plain data, loadable
    with the default ``weights_only=True``; any other picklable object (a whole
    model) is pickled with ``pickle_module`` (default ``pickle``) at
    ``pickle_protocol``, its tensors kept as raw arrays, and needs
    ``load(f, weights_only=False)``. Writing to a path is atomic: a temporary file
    in the same directory is written, synced and renamed over ``f``.
    """
    if not _use_new_zipfile_serialization:
        raise TypeError("minitorch.save writes only the zip-based format: _use_new_zipfile_serialization=False "
                        "(torch's legacy format) is not supported")
    enc = _Encoder()
    pickled = None
    try:
        root = enc.encode(obj)
    except _NeedsPickle:
        enc = _Encoder()
        pickled = _pickle_object(obj, enc, pickle_module, pickle_protocol)
        root = {"$": "pickle"}
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "byteorder": "little", "root": root,
                "arrays": enc.table}
    manifest_bytes = json.dumps(manifest, allow_nan=False, separators=(",", ":")).encode("utf-8")
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise ValueError(f"minitorch.save: the object's description takes {len(manifest_bytes)} bytes, more than "
                         f"the {MAX_MANIFEST_BYTES} a minitorch file may hold; keep large data in tensors or "
                         "numpy arrays (stored as raw bytes) rather than in long lists of Python numbers")
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        _write_archive(f, manifest_bytes, enc.arrays, pickled)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or directory} does not exist.")
    base = os.path.basename(path)
    _remove_stale_temporaries(directory, base)
    tmp = os.path.join(directory, f".{base}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _lock(fh)
            _write_archive(fh, manifest_bytes, enc.arrays, pickled)
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, path)            # (still locked: a concurrent save never takes it for stale)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


_STALE_AGE = 5.0     # seconds: younger temporaries are never removed (their save may not hold its lock yet)


def _lock(fh):
    """Hold an exclusive advisory lock on a temporary while it is written (released if the process dies)."""
    try:
        import fcntl     # POSIX only (no fcntl on Windows): imported where a lock is taken
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass


def _remove_stale_temporaries(directory, base):
    """Delete ``.<base>.<12 hex>.tmp`` files that a killed save of this very target left behind: only that
    pattern, only files older than a few seconds, and (where ``fcntl`` exists) only unlocked ones -- a save
    still in progress holds its temporary's lock."""
    pattern = re.compile(re.escape(f".{base}.") + r"[0-9a-f]{12}\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return
    now = time.time()
    for name in names:
        if not pattern.fullmatch(name):
            continue
        p = os.path.join(directory, name)
        try:
            st = os.lstat(p)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < _STALE_AGE:
                continue
            fd = os.open(p, os.O_RDONLY)
            try:
                try:
                    import fcntl     # POSIX only (no fcntl on Windows): imported where a lock is taken
                except ImportError:
                    fcntl = None
                if fcntl is not None:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue                       # a live save is writing it
                os.unlink(p)
            finally:
                os.close(fd)
        except OSError:
            pass


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


def _describe(f):
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(os.fspath(f)))
    name = getattr(f, "name", None)
    if isinstance(name, str):
        return f"the file object {name!r}"
    return "the file object"


def _foreign_reason(head):
    msg = (f"is not a minitorch checkpoint (it does not start with a ZIP header; first bytes: {head[:8]!r}). "
           "minitorch.load reads files written by minitorch.save.")
    if head[:1] == b"\x80":
        msg += (" It looks like a Python pickle (for instance a legacy torch.save file): minitorch never "
                "unpickles foreign files (that could run code); load it with torch and convert it (see reference/).")
    return msg


_UNPICKLER_ARGS = ("encoding", "errors", "fix_imports")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ``minitorch.save`` from a path or binary file object.

    ``map_location``: None (each tensor back on the device it was saved from), a
    device or string (everything there), a dict ``{'cuda:0': 'cpu'}`` mapping
    saved locations, or a callable ``fn(tensor, location)`` returning the tensor
    to use (``None`` keeps the default).

    ``weights_only`` (default True, as torch >= 2.6; False by default when a
    ``pickle_module`` is given, as torch): plain data (tensors, state dicts,
    checkpoints) loads either way and never runs code; a pickled object (a whole
    model) is refused with ``pickle.UnpicklingError`` unless
    ``weights_only=False`` -- which unpickles it and can run arbitrary code: only
    for files you trust. ``pickle_module`` and ``pickle_load_args`` (``encoding``,
    ``errors``, ``fix_imports``) are used for that unpickling.

    ``mmap=True`` (``f`` must be a path): tensors map the file's bytes
    (copy-on-write) instead of reading them.

    A truncated, corrupted, forged or foreign file raises a ``RuntimeError``
    naming the file.
    """
    for k in pickle_load_args:
        if k not in _UNPICKLER_ARGS:
            raise TypeError(f"'{k}' is an invalid keyword argument for Unpickler()")
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap is not None and not isinstance(mmap, bool):
        raise TypeError(f"minitorch.load: mmap must be a bool or None, got {type(mmap).__name__}")
    opts = dict(map_location=map_location, weights_only=bool(weights_only), pickle_module=pickle_module,
                pickle_load_args=pickle_load_args, mmap_path=None)
    source = _describe(f)
    if isinstance(f, (str, bytes, os.PathLike)):
        if mmap:
            opts["mmap_path"] = os.fspath(f)
        with open(f, "rb") as fh:
            return _load_from(fh, source, opts)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not hasattr(f, "read"):
        raise TypeError(f"minitorch.load expects a path or a binary file object, got {type(f).__name__}")
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():
        f = io.BytesIO(f.read())
    return _load_from(f, source, opts)


def _load_from(fh, source, opts):
    start = fh.tell()
    head = fh.read(8)
    if isinstance(head, str):
        raise TypeError("minitorch.load needs a file opened in binary mode ('rb')")
    end = fh.seek(0, io.SEEK_END)
    fh.seek(start)
    if len(head) == 0:
        raise _bad(source, "is empty (0 bytes): not a minitorch checkpoint, or a save that never completed.")
    if head[:4] != _ZIP_MAGIC:
        raise _bad(source, _foreign_reason(head))
    try:
        zf = zipfile.ZipFile(fh, "r")
    except _FILE_ERRORS as e:
        raise _bad(source, f"is truncated or corrupted: it starts like a minitorch (ZIP) archive but cannot "
                           f"be read as one ({e}). Was the save interrupted or the copy incomplete?") from None
    with zf:
        try:
            dec, root = _open_archive(zf, fh, start, end, source, opts)
            if root == {"$": "pickle"}:
                data = dec.read_member(_PICKLE)
            else:
                return dec.decode(root)
        except _UserCodeError as e:
            raise e.exc
        except _FILE_ERRORS as e:
            raise _bad(source, _why(e)) from None
        if opts["weights_only"]:
            raise pickle.UnpicklingError(_weights_only_message(data, source))
        return _unpickle(data, dec, opts)


def _why(e):
    if isinstance(e, _Corrupt):
        return str(e)
    if isinstance(e, RecursionError):
        return "is corrupted: its manifest is nested too deeply."
    if isinstance(e, zipfile.BadZipFile):
        return f"is truncated or corrupted ({e})."
    return f"is corrupted: malformed archive or manifest ({type(e).__name__}: {e})."


def _open_archive(zf, fh, start, end, source, opts):
    """Check the archive's directory against the file, read and check the manifest; a ``_Decoder`` and the
    manifest's root node."""
    infos = zf.infolist()
    seen, total = set(), 0
    for info in infos:
        name = info.filename
        if name in seen:
            raise _Corrupt(f"is corrupted: the archive holds two entries named {name!r}.")
        seen.add(name)
        if info.compress_type != zipfile.ZIP_STORED:
            raise _Corrupt(f"is corrupted or not a minitorch file: entry {name!r} is compressed (method "
                           f"{info.compress_type}); minitorch writes uncompressed entries only.")
        if info.flag_bits & 0x61:      # encrypted, patched, strongly encrypted
            raise _Corrupt(f"is corrupted or not a minitorch file: entry {name!r} is encrypted or patched.")
        if info.compress_size != info.file_size:
            raise _Corrupt(f"is corrupted: entry {name!r} declares {info.file_size} bytes but stores "
                           f"{info.compress_size}.")
        if info.header_offset < 0 or info.header_offset + 30 + info.file_size > end:
            raise _Corrupt(f"is truncated or corrupted: entry {name!r} ({info.file_size} bytes at offset "
                           f"{info.header_offset}) does not fit in the file ({end} bytes).")
        total += info.file_size
    if total > end - start:
        raise _Corrupt(f"is corrupted or forged: its entries declare {total} bytes in all, more than the file "
                       f"holds ({end - start}).")
    if _MANIFEST not in seen:
        if any(n.endswith("/data.pkl") or n == "data.pkl" for n in seen):
            raise _Corrupt("was written by torch.save (a pickle inside a ZIP archive). minitorch never "
                           "unpickles foreign files (that could run code); convert it with the tools in reference/.")
        raise _Corrupt(f"is a ZIP archive but not a minitorch checkpoint (no {_MANIFEST} entry).")
    size = zf.getinfo(_MANIFEST).file_size
    if size > MAX_MANIFEST_BYTES:
        raise _Corrupt(f"is corrupted or forged: its manifest declares {size} bytes, more than the "
                       f"{MAX_MANIFEST_BYTES} allowed (serialization.MAX_MANIFEST_BYTES).")
    dec = _Decoder(zf, fh, end, source, opts)
    text = dec.read_member(_MANIFEST)
    manifest = json.loads(text.decode("utf-8"))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _Corrupt("is corrupted: its manifest is not a minitorch manifest.")
    version = manifest.get("version")
    if type(version) is not int or version > FORMAT_VERSION:
        raise _Corrupt(f"was written by a newer minitorch (format version {version!r}; this one reads up to "
                       f"{FORMAT_VERSION}).")
    table = manifest.get("arrays")
    if not isinstance(table, list) or not all(isinstance(e, dict) for e in table):
        raise _Corrupt("is corrupted: malformed manifest (no array table).")
    dec.table = table
    return dec, manifest.get("root")


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


def _unpickle(data, dec, opts):
    """Unpickle a whole-object save (``weights_only=False``: the caller trusts the file)."""
    module = opts["pickle_module"] or pickle
    source = dec.source

    class _Unpickler(module.Unpickler):
        def persistent_load(self, pid):
            try:
                return dec.persistent_tensor(pid)
            except _UserCodeError as e:
                raise e.exc
            except _FILE_ERRORS as e:
                raise _bad(source, _why(e)) from None

    return _Unpickler(io.BytesIO(data), **opts["pickle_load_args"]).load()


_STRUCTURAL_GLOBALS = {"collections.OrderedDict", "builtins.set", "builtins.frozenset", "builtins.complex",
                       "builtins.bytearray", "builtins.object", "_codecs.encode", "copyreg._reconstructor",
                       "copy_reg._reconstructor"}
_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}


def _first_global(data):
    """``module.name`` of the first class/function (beyond containers) that the pickle ``data`` would import,
    found by reading its opcodes (nothing is executed); None if there is none or it cannot be parsed."""
    memo, strings, n_memo = {}, [], 0
    try:
        for op, arg, _ in pickletools.genops(data):
            name = None
            if op.name in ("GLOBAL", "INST"):
                name = str(arg).replace(" ", ".", 1)
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                name = f"{strings[-2]}.{strings[-1]}"
            if name is not None:
                if name.startswith("__builtin__."):       # protocol <= 2 spells builtins the Python 2 way
                    name = "builtins." + name[len("__builtin__."):]
                if name not in _STRUCTURAL_GLOBALS:
                    return name
            elif op.name in _STRING_OPS:
                strings.append(str(arg))
                continue
            elif op.name == "MEMOIZE":
                memo[n_memo] = strings[-1] if strings else None
                n_memo += 1
                continue
            elif op.name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = strings[-1] if strings else None
                continue
            elif op.name in ("GET", "BINGET", "LONG_BINGET") and memo.get(arg) is not None:
                strings.append(memo[arg])
                continue
            strings = []
    except Exception:
        return None
    return None


def _weights_only_message(data, source):
    name = _first_global(data)
    what = (f"Unsupported global: GLOBAL {name} was not an allowed global by default" if name else
            "the file holds a pickled object")
    return ("Weights only load failed. This file can still be loaded, to do so you have two options, do those "
            "steps only if you trust the source of the checkpoint. \n\t(1) As torch.load since PyTorch 2.6, "
            "minitorch.load defaults to `weights_only=True`. Re-running `load` with `weights_only` set to `False` "
            "will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file "
            "from a trusted source.\n\t(2) Alternatively, save the model's `state_dict()` (plain tensors, loadable "
            "with `weights_only=True`) and load it into a new model with `load_state_dict`; minitorch has no "
            "allowlist of extra globals (`torch.serialization.add_safe_globals`).\n\tWeightsUnpickler error: "
            f"{what} (in {source}): minitorch.save pickled it because it is not plain data (tensors, numbers, "
            "strings, dicts, lists, tuples...).")
