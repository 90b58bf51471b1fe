"""Hypothesis strategies for the parity tests: shapes, broadcast pairs, dtypes and array data.

Arrays are drawn from a seed (not element by element) so that examples stay
cheap; shapes include scalars (0-dim), size-0 and size-1 dims. ``MT``/``TORCH``
are the two libraries: a test lambda takes the library as its first argument
(``lambda T, x: T.exp(x)``) so that the same code runs in both, functional and
method forms alike (``check``).
"""
import contextlib
import functools

import numpy as np
import pytest
import torch
from hypothesis import settings, strategies as st
from hypothesis.extra import numpy as hnp

import minitorch as mt

import harness
from harness import compare

MT, TORCH = mt, torch

# For the big per-op tables: half of the profile's examples per op (10 in `ci`, 150 in `thorough`);
# the examples of all the ops of a table together still cover the shapes well.
FEW = settings(max_examples=max(1, settings.default.max_examples // 2))
FLOATS = [np.float32, np.float64]

dtypes = st.sampled_from(FLOATS)


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    """Array shapes with 0..max_dims dims, sizes in [min_side, max_side] (0 and 1 included by default)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcast_pairs(min_dims=0, max_dims=4, min_side=0, max_side=4):
    """Two shapes that broadcast together (size-1 and missing leading dims on either side)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda r: r.input_shapes)


def broadcast_triples(min_dims=0, max_dims=3, min_side=0, max_side=3):
    """Three mutually broadcastable shapes (``where``, ``clamp`` with tensor bounds)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda r: r.input_shapes)


seeds = st.integers(0, 2 ** 32 - 1)


def rand(shape, dtype=np.float64, lo=-2.0, hi=2.0, seed=0):
    """Uniform random data in [lo, hi) of ``shape`` and ``dtype`` (ints for integer dtypes)."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        a = rng.integers(int(lo), int(hi), size=shape)
    elif np.dtype(dtype).kind == "b":
        a = rng.random(shape) < 0.5
    else:
        a = rng.uniform(lo, hi, size=shape)
    return np.asarray(a).astype(dtype)          # always an array, 0-d included (never a numpy scalar)


def distinct(shape, dtype=np.float64, seed=0):
    """Data without ties (a shuffled, spaced-out range): max/min/sort gradients are then unambiguous."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    vals = (rng.permutation(n) - n / 2) * 0.37 + rng.uniform(-0.1, 0.1, n)
    return vals.reshape(shape).astype(dtype)


def check(f, arrays, names=True, **kw):
    """``compare`` for a lambda taking the library first: ``check(lambda T, x: T.exp(x), [a])``.

    Also checks that each output's ``grad_fn`` has torch's name (``names=False`` skips that).
    """
    out_m, out_t = compare(functools.partial(f, MT), arrays, functools.partial(f, TORCH), **kw)
    if names:
        outs_m = out_m if isinstance(out_m, (tuple, list)) else (out_m,)
        outs_t = out_t if isinstance(out_t, (tuple, list)) else (out_t,)
        for o, t in zip(outs_m, outs_t):
            if isinstance(t, torch.Tensor):
                assert grad_fn_name(o) == grad_fn_name(t), f"grad_fn: {grad_fn_name(o)} != {grad_fn_name(t)}"
    return out_m, out_t


def check_or_raises(f, arrays, device="cpu", **kw):
    """``check``, or, when torch refuses the call, that minitorch refuses it too (same kind of exception).

    The inputs live on ``device`` in both engines (torch's on ``harness.torch_device(device)``).
    """
    tdev = harness.torch_device(device)
    try:
        f(TORCH, *[torch.from_numpy(a.copy()).to(tdev) if isinstance(a, np.ndarray) else a for a in arrays])
    except Exception as e:
        kind = next(k for k in (IndexError, ValueError, TypeError, RuntimeError, Exception) if isinstance(e, k))
        with pytest.raises(kind):
            f(MT, *[mt.from_numpy(a.copy()).to(device) if isinstance(a, np.ndarray) else a for a in arrays])
        return
    return check(f, arrays, device=device, **kw)


@contextlib.contextmanager
def context(**what):
    """Name the case in a failure raised inside a loop of cases (``with context(dtype=d): ...``)."""
    try:
        yield
    except Exception as e:
        raise AssertionError(f"case {what}: {type(e).__name__}: {e}") from e


def grad_fn_name(t):
    """The class name of ``t.grad_fn`` (None for leaves), in either library."""
    return None if t.grad_fn is None else type(t.grad_fn).__name__
