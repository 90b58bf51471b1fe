"""The import structure is a layer order you can draw: each module imports (at its top) only from its own
layer or below, so no import cycle needs a placeholder.

    backend (_backend, _kernels, _onednn, _dtype, _grad_mode, _args, _default_device, random, _size, _errors, _conversions)  ->  tensor  ->  autograd  ->  ops  ->  creation  ->  everything else

An import inside a function (made when the function first runs) may reach upwards: that is how a lower layer
calls a higher one (``Tensor.backward`` calls the engine). This test reads the top-level imports with ``ast``.
"""
import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "minitorch"
LAYERS = [("_backend", "_kernels", "_onednn", "_dtype", "_grad_mode", "_args", "_default_device", "random", "_size", "_errors",
           "_conversions"), ("tensor",), ("autograd",), ("ops",), ("creation",)]


def layer_of(module):
    """0..4 for the layers above, 5 for the rest of the package (nn, optim, utils, ...)."""
    first = module.split(".")[1] if module.startswith("minitorch.") else None
    for i, names in enumerate(LAYERS):
        if first in names:
            return i
    return len(LAYERS)


def module_name(path):
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path):
    """The minitorch modules a file imports at module level (not inside functions or classes)."""
    tree = ast.parse(path.read_text())
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("minitorch"):
                if node.module is None or target == "minitorch":     # from . import x / from .. import x
                    found += [(f"{target}.{a.name}", node.lineno) for a in node.names]
                else:
                    found.append((target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("minitorch")]
    return found


FILES = sorted(p for p in PKG.rglob("*.py") if layer_of(module_name(p)) < len(LAYERS))


@pytest.mark.parametrize("path", FILES, ids=[module_name(p) for p in FILES])
def test_imports_only_from_its_layer_or_below(path):
    mine = layer_of(module_name(path))
    upward = [f"line {line}: {target}" for target, line in top_level_imports(path) if layer_of(target) > mine]
    assert not upward, f"{module_name(path)} (layer {mine}) imports from a higher layer at its top: {upward}"


def test_the_layers_are_checked():
    """The test sees the imports it is about (guards against a parser change making it vacuous)."""
    imports = dict(top_level_imports(PKG / "autograd" / "function.py"))
    assert "minitorch.tensor" in imports and layer_of("minitorch.tensor") == 1
    assert layer_of("minitorch.autograd.engine") == 2 and layer_of("minitorch.nn.functional") == 5


def test_no_placeholder_for_the_tensor_class():
    from minitorch.autograd import function
    from minitorch.tensor import Tensor
    assert function.Tensor is Tensor
