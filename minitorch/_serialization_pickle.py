"""The pickled path of ``save`` / ``load``: objects the manifest cannot hold as plain data (a whole
``nn.Module``, a custom class).

``save`` pickles them with their tensors replaced by persistent ids into the array table (``_pickle_object``);
``load(..., weights_only=False)`` unpickles them (``_unpickle``), and with the default ``weights_only=True``
refuses them with torch's "Weights only load failed" text naming the first global the pickle would import,
found by reading its opcodes without executing anything (``_first_global``, ``_weights_only_message``).

Kept apart from the plain-data format (``_serialization_format.py``) because this is the one place where
code from a file can run, and from ``serialization.py`` (the public ``save`` / ``load``), which calls in here
only when a save needs pickle or a load meets a pickled file. Moved verbatim from ``serialization.py``
(issue #13).
"""
import io
import pickle
import pickletools

from .tensor import Tensor
from ._serialization_format import _FILE_ERRORS, _UserCodeError, _bad, _is_parameter, _why


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
