"""Tensor printing, ported from PyTorch's ``torch/_tensor_str.py``.

The goal of this module is that ``repr`` of a minitorch tensor is character
for character identical to ``repr`` of the equivalent ``torch.Tensor``.  The
algorithm is PyTorch's, operating on ``numpy.ndarray`` instead of tensors:

* :class:`_Formatter` looks at (a summary of) the values once and decides on
  a common element width and on the number style (integer-valued floats
  ``1.``, fixed point ``1.2500`` or scientific ``1.2500e+03``);
* :func:`_tensor_str` recursively lays the values out as nested brackets,
  replacing the middle of long dimensions with ``...`` once the tensor has
  more than ``threshold`` elements, and wrapping 1-d rows at ``linewidth``;
* :func:`tensor_repr` (PyTorch's ``_str_intern``) wraps the result in
  ``tensor(...)`` and appends the ``device=``, ``size=``, ``dtype=``,
  ``grad_fn=`` / ``requires_grad=`` suffixes.

Only what a dense, strided, real-valued CPU/CUDA tensor can need is ported:
sparse, quantized, nested, meta, complex and functorch-wrapped tensors, and
forward-mode tangents, have no counterpart in minitorch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any

import numpy as np

from . import _backend

__all__ = [
    "PRINT_OPTS",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "tensor_repr",
]


@dataclasses.dataclass
class _PrinterOptions:
    """The global print options (same fields and defaults as PyTorch)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing tensors (same semantics as ``torch.set_printoptions``).

    Args:
        precision: number of digits after the decimal point for floating
            point output (default 4).
        threshold: total number of elements above which the tensor is
            summarized with ``...`` instead of printed in full (default 1000).
        edgeitems: number of items kept at the beginning and at the end of
            each summarized dimension (default 3).
        linewidth: number of characters per line used to wrap 1-d rows
            (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``; resets precision,
            threshold, edgeitems and linewidth to that preset before the
            other arguments are applied.
        sci_mode: ``True``/``False`` forces scientific notation on/off;
            ``None`` lets the formatter decide.  Note that, as in PyTorch,
            ``sci_mode`` is always (re)set by this call, even to ``None``.
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict usable as ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily applies ``set_printoptions(**kwargs)``."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


class _Formatter:
    """Decides how every element of a tensor is rendered.

    Given the (possibly summarized) values, it computes

    * ``int_mode``: every finite nonzero float is integer valued, so floats
      print as ``3.`` (the dot marks a floating dtype);
    * ``sci_mode``: scientific notation, used when the ratio of the largest
      to the smallest nonzero finite magnitude exceeds 1000, or the largest
      exceeds 1e8, or the smallest is below 1e-4 (unless forced by
      ``PRINT_OPTS.sci_mode``);
    * ``max_width``: the width every element is right-aligned to.
    """

    def __init__(self, values: np.ndarray):
        self.floating_dtype = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = values.reshape(-1)

        if not self.floating_dtype:
            # Integers and bools print as str(value); the longest string is
            # always that of the minimum or of the maximum.
            if flat.size:
                for value in (flat.min().item(), flat.max().item()):
                    self.max_width = max(self.max_width, len(f"{value}"))
            return

        nonzero_finite_vals = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite_vals.size == 0:
            # no valid number, do nothing
            return

        # Magnitudes are compared in double precision (as PyTorch does).
        nonzero_finite_abs = np.abs(nonzero_finite_vals).astype(np.float64)
        nonzero_finite_min = float(nonzero_finite_abs.min())
        nonzero_finite_max = float(nonzero_finite_abs.max())

        self.int_mode = bool(
            np.all(nonzero_finite_vals == np.ceil(nonzero_finite_vals))
        )

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                nonzero_finite_max / nonzero_finite_min > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # Width of the widest rendered value (duplicates cannot change it).
        precision = PRINT_OPTS.precision
        for value in np.unique(nonzero_finite_vals).tolist():
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                # +1 for the trailing "." that marks a floating dtype
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def width(self) -> int:
        """Width (in characters) every formatted element is padded to."""
        return self.max_width

    def format(self, value) -> str:
        """Render one Python scalar, right-aligned to :meth:`width`."""
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _scalar_str(data: np.ndarray, formatter: _Formatter) -> str:
    """Contents of a 0-d tensor: just the formatted value."""
    return formatter.format(data.item())


def _vector_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """A 1-d row ``[a, b, c]``, wrapped so lines fit ``linewidth`` after ``indent`` columns."""
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and not edgeitems:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edgeitems:
        items = (
            [formatter.format(v) for v in data[:edgeitems].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in data[-edgeitems:].tolist()]
        )
    else:
        items = [formatter.format(v) for v in data.tolist()]

    lines = [
        ", ".join(items[i : i + elements_per_line])
        for i in range(0, len(items), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    """Nested-bracket layout of ``data``; sub-tensors of a k-d tensor are separated by k-1 newlines."""
    dim = data.ndim

    if dim == 0:
        return _scalar_str(data, formatter)
    if dim == 1:
        return _vector_str(data, indent, summarize, formatter)

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and data.shape[0] > 2 * edgeitems:
        slices = (
            [
                _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
                for i in range(edgeitems)
            ]
            + ["..."]
            + [
                _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
                for i in range(len(data) - edgeitems, len(data))
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter)
            for i in range(data.shape[0])
        ]

    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def _get_summarized_data(data: np.ndarray) -> np.ndarray:
    """The values that remain visible once ``data`` is summarized (the ``edgeitems`` at both ends of every dim).

    The formatter is fitted on these only, so that hidden values do not widen
    the columns.  Quirks kept from PyTorch: with ``edgeitems == 0`` a 1-d
    tensor keeps all its values (``x[-0:]`` is all of ``x``), and a
    higher-dimensional one keeps none.
    """
    dim = data.ndim
    edgeitems = PRINT_OPTS.edgeitems
    if dim == 0:
        return data
    if dim == 1:
        if data.shape[0] > 2 * edgeitems:
            return np.concatenate((data[:edgeitems], data[-edgeitems:]))
        return data
    if not edgeitems:
        return np.empty([0] * dim, dtype=data.dtype)
    if data.shape[0] > 2 * edgeitems:
        rows = [data[i] for i in range(edgeitems)] + [
            data[i] for i in range(len(data) - edgeitems, len(data))
        ]
    else:
        rows = list(data)
    return np.stack([_get_summarized_data(row) for row in rows])


def _tensor_str(data: np.ndarray, indent: int) -> str:
    """The bracketed contents of a tensor (without the ``tensor(`` prefix and suffixes)."""
    if data.size == 0:
        return "[]"

    summarize = data.size > PRINT_OPTS.threshold
    formatter = _Formatter(_get_summarized_data(data) if summarize else data)
    return _tensor_str_with_formatter(data, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, force_newline: bool) -> str:
    """Append ``, suffix`` items and the closing ``)``, breaking onto a new line when ``linewidth`` would be exceeded."""
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def tensor_repr(
    data,
    dtype_name,
    *,
    is_default_float,
    device=None,
    requires_grad=False,
    grad_fn_name=None,
    is_parameter=False,
) -> str:
    """``repr`` of a tensor holding ``data``, exactly as PyTorch prints it (port of ``_str_intern``).

    Args:
        data: the values, a ``numpy.ndarray`` of any shape.
        dtype_name: torch's dtype name without the ``torch.`` prefix
            (``'float32'``, ``'int64'``, ``'bool'``, ...).
        is_default_float: whether the dtype is the default float dtype; such
            tensors (and int64 and bool ones) print without ``dtype=``.
        device: ``None`` for the CPU, else the device string shown as
            ``device='cuda:0'``.
        requires_grad: adds ``requires_grad=True`` when there is no grad_fn.
        grad_fn_name: adds ``grad_fn=<Name>`` (e.g. ``'MulBackward0'``).
        is_parameter: prefix the result with ``Parameter containing:`` as
            ``torch.nn.Parameter.__repr__`` does (pass ``requires_grad`` too,
            as a parameter normally requires grad).
    """
    if not isinstance(data, np.ndarray):
        # e.g. a cupy array; printing happens on the host
        data = _backend.to_numpy(data)

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dtype_str = "torch." + dtype_name

    # Only the non-default device is shown.
    if device is not None and str(device) != "cpu":
        suffixes.append("device='" + str(device) + "'")

    has_default_dtype = is_default_float or dtype_name in ("int64", "bool")

    if data.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        # In an empty tensor there are no elements to infer the dtype from,
        # so any dtype but the default float one is shown.
        if not is_default_float:
            suffixes.append("dtype=" + dtype_str)
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + dtype_str)
        tensor_str = _tensor_str(data, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    string_repr = _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
    if is_parameter:
        string_repr = "Parameter containing:\n" + string_repr
    return string_repr
