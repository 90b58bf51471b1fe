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
import io
import json
import os
import pickle
import re
import stat
import struct
import time
import zipfile

from . import _backend
# The format (its constants, the encoder/decoder of the manifest and arrays, the errors of reading a file) and
# the pickled path (whole models, weights_only's refusal) live in private modules; this one holds the public
# save / load, the ZIP container they write and check, and atomic writes. FORMAT_NAME, FORMAT_VERSION,
# MAX_DEPTH and the layout names tests read (_PREFIX, _MANIFEST, _PICKLE) stay importable from here.
from ._serialization_format import (FORMAT_NAME, FORMAT_VERSION, MAX_DEPTH, _ALIGN, _DATE, _FILE_ERRORS,  # noqa: F401
                                    _MANIFEST, _PAD_FIELD, _PICKLE, _PREFIX, _ZIP_MAGIC, _Corrupt, _Decoder,
                                    _Encoder, _NeedsPickle, _UserCodeError, _bad, _why)
from ._serialization_pickle import _pickle_object, _unpickle, _weights_only_message

_np = _backend.numpy

__all__ = ["save", "load"]

MAX_MANIFEST_BYTES = 16 << 20  # a manifest larger than this is refused (on save and on load)


# ------------------------------------------------------------------------------------------------ saving
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
