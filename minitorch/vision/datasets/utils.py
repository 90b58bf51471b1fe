"""What the datasets share: the data folder (``default_data_root``, where to look, the error for missing
files), Pillow looked up once, and the restricted unpickler for data files (``safe_pickle_load``)."""
import collections
import os
import pickle

from ... import _backend

_np = _backend.numpy


_PIL_IMAGE = False          # not looked up yet


def _pil_image_module():
    """``PIL.Image`` when Pillow is installed, else None (looked up once)."""
    global _PIL_IMAGE
    if _PIL_IMAGE is False:
        try:
            from PIL import Image
        except ImportError:
            Image = None
        _PIL_IMAGE = Image
    return _PIL_IMAGE


def _as_sample_image(arr):
    """A dataset's ``uint8`` image as torchvision hands it out: a PIL image (``Image.fromarray``), or the
    array itself without Pillow."""
    Image = _pil_image_module()
    if Image is None:
        return arr.copy()
    return Image.fromarray(arr)            # Pillow copies before any change to the pixels


def default_data_root():
    """The folder datasets are looked for in when ``root`` is None.

    ``$MINITORCH_DATA`` when set (and not empty); otherwise ``../shared/datasets``
    relative to the directory holding the ``minitorch`` package, if it exists;
    otherwise None.
    """
    env = os.environ.get("MINITORCH_DATA")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))      # .../minitorch/vision/datasets
    package = os.path.dirname(os.path.dirname(here))       # .../minitorch
    checkout = os.path.dirname(package)
    cand = os.path.normpath(os.path.join(checkout, "..", "shared", "datasets"))
    return cand if os.path.isdir(cand) else None


def _not_found(name, files, places, download, extra=""):
    """The error for missing dataset files: which files, where to put them, and where they can be fetched."""
    lines = []
    if download:
        lines.append(f"{name}: download=True cannot work -- minitorch never downloads (it runs offline). "
                     "Place the files yourself:")
    else:
        lines.append(f"{name}: dataset not found. Place the files:")
    lines.append("    " + ", ".join(files))
    lines.append("in one of these folders (searched in this order):")
    lines += ["    " + p for p in places]
    if extra:
        lines.append(extra)
    lines.append("Pass the folder as root=..., or set the MINITORCH_DATA environment variable to the folder "
                 "holding them (root=None uses it).")
    return RuntimeError("\n".join(lines))


def _search_roots(root):
    """``root``, then ``$MINITORCH_DATA`` when set: tutorial code passing ``root="data"`` finds the files
    the user pointed the environment variable at."""
    roots = [root]
    env = os.environ.get("MINITORCH_DATA")
    if env and os.path.abspath(os.path.expanduser(env)) != os.path.abspath(root):
        roots.append(os.path.expanduser(env))
    return roots


def _resolve_root(root, name):
    if root is None:
        root = default_data_root()
        if root is None:
            raise RuntimeError(f"{name}: no root folder given, MINITORCH_DATA is not set and no default data "
                               "folder (../shared/datasets next to the minitorch checkout) exists; pass root=...")
    return os.path.expanduser(os.fspath(root))


# ------------------------------------------------------------------------------------- safe unpickling
def _real_numpy_globals():
    reconstruct = _np.ndarray.__reduce__(_np.zeros(1))[0]
    scalar = _np.float64(1.0).__reduce__()[0]
    frombuffer = _np.zeros(1).__reduce_ex__(5)[0]
    return reconstruct, scalar, frombuffer


def _make_allowed():
    reconstruct, scalar, frombuffer = _real_numpy_globals()

    def _check_dtype(d):
        d = _np.dtype(d)
        if d.hasobject:
            raise pickle.UnpicklingError("refusing a numpy array of Python objects (dtype object) in a data file")
        return d

    def safe_reconstruct(subtype, shape, dtype):
        if subtype is not safe_ndarray:
            raise pickle.UnpicklingError(f"refusing to rebuild an array of type {subtype!r}")
        return reconstruct(_np.ndarray, shape, dtype)

    def safe_dtype(obj, align=False, copy=False):
        if not isinstance(obj, str):
            raise pickle.UnpicklingError(f"refusing a numpy dtype built from {type(obj).__name__}")
        d = _check_dtype(_np.dtype(obj, align, True))    # always a private copy: BUILD may set its byte order
        if d.kind not in "biufcSU":
            raise pickle.UnpicklingError(f"refusing a numpy dtype {obj!r} in a data file (numbers, bytes, str only)")
        return d

    def safe_ndarray(shape, dtype=float, *args, **kwargs):
        _check_dtype(dtype)                            # numpy.ndarray((3,), 'O') would be an object array
        return _np.ndarray(shape, dtype, *args, **kwargs)

    def safe_scalar(dtype, *args):
        _check_dtype(dtype)
        return scalar(dtype, *args)

    def safe_frombuffer(buf, dtype, shape, order):
        _check_dtype(dtype)
        return frombuffer(buf, dtype, shape, order)

    def safe_encode(obj, encoding="utf-8", errors="strict"):
        if encoding not in ("latin1", "latin-1", "iso-8859-1") or not isinstance(obj, str):
            raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
        return obj.encode("latin1")

    def safe_bytes(*args):
        if args and isinstance(args[0], int):          # bytes(n) would allocate n zero bytes
            raise pickle.UnpicklingError("refusing bytes(<int>) in a data file")
        return bytes(*args)

    allowed = {}
    for mod in ("builtins", "__builtin__"):
        allowed[(mod, "bytes")] = safe_bytes
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(mod, "_reconstruct")] = safe_reconstruct
        allowed[(mod, "scalar")] = safe_scalar
    for mod in ("numpy.core.numeric", "numpy._core.numeric"):
        allowed[(mod, "_frombuffer")] = safe_frombuffer
    allowed[("numpy", "ndarray")] = safe_ndarray
    allowed[("numpy", "dtype")] = safe_dtype
    allowed[("_codecs", "encode")] = safe_encode
    allowed[("collections", "OrderedDict")] = collections.OrderedDict
    return allowed


_ALLOWED_GLOBALS = None


class RestrictedUnpickler(pickle._Unpickler):      # (the Python implementation: BUILD is checked too)
    """An unpickler for data files: dicts, lists, tuples, strings, bytes, numbers, None, bools and numpy
    arrays (of numbers) only.

    Every global a pickle names goes through ``find_class``; only numpy's array
    and scalar reconstruction helpers (wrapped to refuse object arrays and
    subclasses), ``numpy.dtype``, ``collections.OrderedDict`` and
    ``_codecs.encode`` with latin-1 and ``bytes`` (how protocols 0-2 spell bytes) pass.
    Anything else -- ``os.system``, ``builtins.eval``, any class -- raises
    ``pickle.UnpicklingError`` before it is called. Persistent ids are refused.
    """

    def find_class(self, module, name):
        """The allowed (wrapped) callable for ``module.name``, or ``UnpicklingError``."""
        global _ALLOWED_GLOBALS
        if _ALLOWED_GLOBALS is None:
            _ALLOWED_GLOBALS = _make_allowed()
        fn = _ALLOWED_GLOBALS.get((module, name))
        if fn is None:
            raise pickle.UnpicklingError(
                f"refusing to load global '{module}.{name}': only plain containers, strings, numbers and numpy "
                "arrays are allowed in a data file (loading it could run arbitrary code)")
        return fn

    def persistent_load(self, pid):
        """Refused: plain data files have no persistent ids."""
        raise pickle.UnpicklingError("refusing a persistent id in a data file")

    def load_build(self):
        """BUILD (``obj.__setstate__(state)``) only for a numpy array of a checked dtype from bytes, or a dtype
        whose state changes nothing but its byte order (a dtype state can otherwise mark it as holding Python
        objects, or change its item size under an array already using it)."""
        state, inst = self.stack[-1], self.stack[-2]
        if type(inst) is _np.ndarray:
            ok = (isinstance(state, tuple) and len(state) == 5 and isinstance(state[2], _np.dtype)
                  and not state[2].hasobject and isinstance(state[4], (bytes, bytearray, str)))
        elif isinstance(inst, _np.dtype):
            ok = (isinstance(state, tuple) and len(state) == 8 and state[1] in ("<", ">", "|", "=")
                  and state[2:5] == (None, None, None) and state[5] in (-1, inst.itemsize)
                  and state[6] in (-1, inst.alignment) and state[7] == inst.flags)
        else:
            ok = False
        if not ok:
            raise pickle.UnpicklingError(f"refusing to set the state of a {type(inst).__name__} in a data file")
        super().load_build()

    dispatch = dict(pickle._Unpickler.dispatch)
    dispatch[pickle.BUILD[0]] = load_build


def safe_pickle_load(file, encoding="latin1"):
    """Unpickle plain data (see ``RestrictedUnpickler``) from a path or a binary file object.

    ``encoding='latin1'`` reads Python 2 pickles such as the CIFAR batches.
    """
    if isinstance(file, (str, bytes, os.PathLike)):
        with open(file, "rb") as f:
            return RestrictedUnpickler(f, encoding=encoding).load()
    return RestrictedUnpickler(file, encoding=encoding).load()
