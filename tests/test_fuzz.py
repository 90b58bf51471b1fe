"""Differential fuzzer: random programs of 2 to 6 public ops run in minitorch and in torch must agree.

Each program (tests/fuzz_programs.py: leaves with numpy data and a list of op records, printable as Python)
runs four times:

* ours: minitorch, float leaves in the program's dtype (float32 or float64);
* theirs: torch, the same;
* ref: torch with every float leaf in float64 and float64 as the default dtype (the exact answer, for error
  bounds of float32 results);
* low: torch with every float leaf in float32 (the float32 answer, which measures the conditioning of
  float64 results).

Agreement: either both raise on the same step with the same exception type, or every step's value has
torch's structure, shape, dtype and requires_grad, and its numbers within the bound below; then the
gradients of all float leaves for a random upstream gradient of the program's final values (the values no
later step uses) agree, and for float64 programs the double backward (gradient of <grads, v> for a random v
with respect to the leaves) agrees too.

Bounds, per compared tensor (never tuned on what passed):

* float32: |ours - ref| <= 8 * max|theirs - ref| + 4 * eps32 * magnitude. torch's own float32 error against
  the float64 answer measures how much rounding this program amplifies (reduction lengths, cancellation,
  ill-conditioned ops such as log or division near 0 all grow it); we may be 8x worse than torch's error
  but not more, plus a few ulps of the tensor's magnitude (max |ref|) for a lucky exact torch.
* float64: |ours - theirs| <= 1e-10 * magnitude + 8 * max|low - ref| * eps64 / eps32: tight, unless the
  float32 run shows the program amplifies rounding by more than ~1e5 (the float64 error is then that
  amplification times eps64). Or, as for float32, |ours - ref| <= 8 * max|theirs - ref| + 4 * eps64 *
  magnitude: a float64 result computed from float32 intermediates (an op of integers and numbers makes
  the default dtype, float32; ref makes float64 there) carries their float32 rounding, which torch's
  own distance from ref measures (a float64-only computation keeps theirs within float64 rounding of ref).
* no reference of the other precision for the tensor (say, the ref run raised): 64 ulps of the magnitude.
* every forward value also gets 4 ulps of the largest input the step reads: a result that cancels to (near)
  zero (the mean of values that sum to 0) is held to its inputs' rounding, not to its own size.
* a float value that fails these is compared once more, with torch's op run on OUR inputs to the step (and
  the float64 reference on them, widened): an op that amplifies its inputs' allowed differences
  (``exp(exp(x))``) is then held to its own rounding (``amplified_input_differences``).

nan/inf must sit at the same places as torch's. Elements where torch's float32 and float64 answers differ
in kind (finite in one, inf or nan in the other: float32 overflow, or a value on a singular point in one
precision only) are not compared in float32 results: the answer there depends on rounding, not on the op's
definition. They are counted (``skipped_elements``). Likewise a later value whose shape or exact integer/bool
content differs between torch's float32 and float64 runs (a mask or a boolean index of such elements) is
accepted when ours is exactly the float64 run's (``precision_dependent_values``).

Examples: ``MINITORCH_FUZZ_EXAMPLES`` if set, else 150 under the ``ci`` profile and 10x the profile's
``max_examples`` otherwise (3000 under ``thorough``). ``pytest -s tests/test_fuzz.py`` prints the counts.
``MINITORCH_FUZZ_COLLECT=1`` runs every example without stopping at the first disagreement, groups the
disagreements by kind (the first op on which they show) and fails at the end listing them (the programs go
to ``MINITORCH_FUZZ_REPORT``, a file path, when set).
"""
import collections
import contextlib
import os
import re
import warnings

import numpy as np
import torch
from hypothesis import given, settings

import minitorch as mt

import fuzz_programs as fp

EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps),
       "float16": float(np.finfo(np.float16).eps)}


def _examples():
    if os.environ.get("MINITORCH_FUZZ_EXAMPLES"):
        return int(os.environ["MINITORCH_FUZZ_EXAMPLES"])
    n = settings.default.max_examples
    return 150 if n <= 20 else 10 * n


STATS = collections.Counter()
FAILURES = []
OPS_SEEN = set()


# ---------------------------------------------------------------------------------------------------------
# running


def _exc_kind(e):
    """The builtin exception class ``e`` is (torch's own classes derive from RuntimeError, ValueError, ...)."""
    for c in type(e).__mro__:
        if c.__module__ == "builtins":
            return c.__name__
    return type(e).__name__


@contextlib.contextmanager
def _torch_default(default):
    """torch's default dtype set to ``default`` (None: left as it is), warnings off, for a run."""
    old = torch.get_default_dtype()
    if default is not None:
        torch.set_default_dtype(default)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_default_dtype(old)


def _run(prog, lib, fdtype=None, default=None):
    with _torch_default(default):
        return fp.run(prog, lib, fdtype)


def _flat(v):
    if isinstance(v, (tuple, list)):
        return [e for x in v for e in _flat(x)]
    return [v]


def _np(t):
    if isinstance(t, torch.Tensor):
        if t._is_zerotensor():
            return np.zeros(tuple(t.shape))
        return t.detach().cpu().numpy()
    return mt._backend.to_numpy(t.detach()._data)


def _cls(a):
    return np.where(np.isnan(a), 1, np.where(a == np.inf, 2, np.where(a == -np.inf, 3, 0)))


def _bound_check(what, o, t, other, dtype, scale=0.0, ref64=None):
    with np.errstate(invalid="ignore", over="ignore"):
        msg = _bound_check_(what, o, t, other, dtype, scale)
        if msg and "allowed" in msg and dtype == "float64" and ref64 is not None and ref64.shape == t.shape:
            if _within_ref(o.astype(np.float64), t.astype(np.float64), ref64.astype(np.float64), scale):
                return None
        return msg


def _within_ref(o, t, ref, scale):
    """The float64 alternative of the module doc: ours as close to the float64 answer as 8x torch's error."""
    fin = _cls(t) == 0
    if (fin & (_cls(ref) != 0)).any():
        return False
    mag = max(np.abs(ref[fin]).max(initial=0), np.abs(t[fin]).max(initial=0))
    allowed = 8 * np.abs(t - ref)[fin].max(initial=0) + 4 * EPS["float64"] * (mag + scale)
    return np.abs(o - ref)[fin].max(initial=0) <= allowed


def _bound_check_(what, o, t, other, dtype, scale):
    """None if ``o`` (ours) agrees with ``t`` (torch, same dtype) given ``other`` (torch in the other
    precision, or None); else a message. All three are numpy arrays of one shape. ``scale``: the largest
    magnitude the computation went through (gradients: a sum of terms that may cancel to below it)."""
    o, t = o.astype(np.float64), t.astype(np.float64)
    co, ct = _cls(o), _cls(t)
    compare = np.ones(t.shape, bool)
    if other is not None and other.shape == t.shape:
        other = other.astype(np.float64)
        cr = _cls(other)
        if dtype == "float32":
            compare = ct == cr              # float32-only overflow / singular points: see the module doc
            STATS["skipped_elements"] += int((~compare).sum())
    else:
        other = None
    bad = compare & (co != ct)
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        return f"{what}: at {i} ours {o[i]} but torch {t[i]} (nan/inf differ)"
    fin = compare & (ct == 0)
    if other is not None:
        fin_both = fin & (_cls(other) == 0)
    if not fin.any():
        return None
    if other is None:
        mag = np.abs(t[fin]).max()
        allowed = 64 * EPS[dtype] * mag
        ref = t
    elif dtype == "float32":
        ref = other
        mag = max(np.abs(ref[fin_both]).max(initial=0), np.abs(t[fin]).max())
        est = np.abs(t - ref)[fin_both].max(initial=0)
        allowed = 8 * est + 4 * EPS[dtype] * mag
    else:
        ref = t
        mag = np.abs(t[fin]).max()
        est = np.abs(other - t)[fin_both].max(initial=0)
        allowed = 1e-10 * mag + 8 * est * EPS["float64"] / EPS["float32"]
    allowed += 4 * EPS[dtype] * scale
    err = np.where(fin, np.abs(o - ref), 0)
    if other is not None and dtype == "float32":
        err = np.where(fin_both, err, np.where(fin, np.abs(o - t), 0))
    if err.max() > allowed:
        i = tuple(np.unravel_index(int(np.argmax(err)), err.shape))
        return (f"{what}: at {i} ours {o[i]!r}, torch {t[i]!r}, reference {ref[i]!r}: error {err.max():.3g} > "
                f"allowed {allowed:.3g}")
    return None


def _precision_dependent(o, t, ref64):
    """A value whose shape, or exact (integer, bool) content, depends on the precision torch computes in: torch's
    own float64 run gives another shape or other values than its float32 run (``x[x > 0]`` after an op that
    gives inf in float64 and nan in float32), and ours is exactly the float64 run's. Like the float32-only
    inf/nan elements (module doc), the answer there depends on rounding, not on the op's definition."""
    if not isinstance(ref64, torch.Tensor) or tuple(o.shape) != tuple(ref64.shape):
        return False
    if tuple(t.shape) != tuple(ref64.shape):
        return True
    if t.dtype.is_floating_point or str(o.dtype) != str(t.dtype):
        return False
    a, b, r = _np(o), _np(t), _np(ref64)
    return not np.array_equal(b, r) and np.array_equal(a, r)


def _same(what, o, t, other, scale=0.0, ref64=None):
    """Compare one element of a step's value (tensor or Python value)."""
    if not isinstance(t, torch.Tensor):
        if isinstance(o, mt.Tensor) or o != t:
            return f"{what}: ours {o!r} != torch {t!r}"
        return None
    if not isinstance(o, mt.Tensor):
        return f"{what}: expected a Tensor, got {type(o).__name__}"
    if _precision_dependent(o, t, ref64):
        STATS["precision_dependent_values"] += 1
        return None
    if tuple(o.shape) != tuple(t.shape):
        return f"{what}: shape {tuple(o.shape)} != torch {tuple(t.shape)}"
    if str(o.dtype) != str(t.dtype):
        return f"{what}: dtype {o.dtype} != torch {t.dtype}"
    if o.requires_grad != t.requires_grad:
        return f"{what}: requires_grad {o.requires_grad} != torch {t.requires_grad}"
    a, b = _np(o), _np(t)
    if t.dtype.is_floating_point:
        oth = _np(other) if isinstance(other, torch.Tensor) else None
        r64 = _np(ref64) if isinstance(ref64, torch.Tensor) and ref64.dtype == torch.float64 else None
        return _bound_check(what, a, b, oth, str(t.dtype).replace("torch.", ""), scale, r64)
    if not np.array_equal(a, b):
        i = tuple(np.argwhere(a != b)[0]) if a.shape == b.shape and a.size else ()
        return f"{what}: ours {a[i] if i else a} != torch {b[i] if i else b}"
    return None


def _absmax(t):
    if not isinstance(t, torch.Tensor) or not t.dtype.is_floating_point or t.numel() == 0:
        return 0.0
    a = np.abs(_np(t).astype(np.float64))
    a = a[np.isfinite(a)]
    return float(a.max()) if a.size else 0.0


def _reads(step, named):
    """The values (from ``named``, by name) that a step's code reads."""
    return {n: named[n] for n in re.findall(r"\b[xv]\d+\b", step.code) if n in named}


def _input_scale(step, named):
    """The largest magnitude among the values a step reads (torch's): an op's rounding is relative to its
    inputs, so a result that cancels to (near) zero, the mean of values summing to 0, is held to rounding of
    the inputs' size, not of its own."""
    return max([_absmax(e) for v in _reads(step, named).values() for e in _flat(v)], default=0.0)


def _as_torch(v, float64):
    """Our value as torch's: a tensor copied across with its dtype (float32 widened exactly to float64 with
    ``float64``) and requires_grad; tuples and lists element by element; numbers as they are."""
    if isinstance(v, mt.Tensor):
        t = torch.from_numpy(np.array(_np(v), copy=True))
        if float64 and t.dtype == torch.float32:
            t = t.double()
        return t.requires_grad_() if v.requires_grad and t.dtype.is_floating_point else t
    if isinstance(v, (tuple, list)):
        return [_as_torch(e, float64) for e in v]
    return v


def _op_alone(step, named_o, j, o, scale):
    """Does value ``j`` of ``step`` (ours: ``o``) agree with torch's op run on OUR inputs (and the float64
    reference on them, widened)? A step can fail the comparison with torch's own run only because its inputs
    already differed within their bounds and the op amplifies that (``exp(exp(x))``: one ulp of the inner exp
    is 7e6 ulps out); run alone on the same inputs, the op is held to its own rounding."""
    reads = _reads(step, named_o)
    runs = []
    for float64 in (False, True):
        ns = dict(fp.namespace(torch), **{n: _as_torch(v, float64) for n, v in reads.items()})
        try:
            with _torch_default(torch.float64 if float64 else None):
                runs.append(_flat(eval(step.expr(True), ns)))      # noqa: S307 (the generator's own code)
        except Exception:                                           # noqa: BLE001 (then it does not agree)
            return False
    t, ref = runs
    if len(t) <= j or len(ref) != len(t) or not isinstance(t[j], torch.Tensor):
        return False
    return _same("alone", o, t[j], ref[j] if t[j].dtype == torch.float32 else None, scale, ref64=ref[j]) is None


def _zeros_if_none(gs, xs, lib):
    return [g if g is not None else lib.zeros_like(x) for g, x in zip(gs, xs)]


def _grads(prog, run, lib, double):
    """Gradients (and the double backward when ``double``) of one run; exceptions are returned as values."""
    leaves, results, _ = run
    sink_idx = _sinks(prog)
    outs = [e for i in sink_idx for e in _flat(results[i])
            if isinstance(e, (torch.Tensor, mt.Tensor)) and e.is_floating_point() and e.requires_grad]
    xs = [leaves[leaf.name] for leaf in prog.leaves if leaf.requires_grad]
    if not outs or not xs:
        return None
    rng = np.random.default_rng(1234)
    ups = [lib.from_numpy(rng.standard_normal(tuple(o.shape)).astype(str(o.dtype).replace("torch.", "")))
           for o in outs]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gs = lib.autograd.grad(outs, xs, ups, create_graph=double, allow_unused=True)
    except Exception as e:                               # noqa: BLE001
        return e
    gs = _zeros_if_none(gs, xs, lib)
    if not double:
        return gs, None
    vs = [lib.from_numpy(rng.standard_normal(tuple(g.shape)).astype(str(g.dtype).replace("torch.", "")))
          for g in gs]
    terms = [(g * v).sum() for g, v in zip(gs, vs) if g.requires_grad]
    if not terms:
        return gs, [lib.zeros_like(x) for x in xs]
    try:
        s = terms[0]
        for tm in terms[1:]:
            s = s + tm
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gg = lib.autograd.grad(s, xs, allow_unused=True)
    except Exception as e:                               # noqa: BLE001
        return gs, e
    return gs, _zeros_if_none(gg, xs, lib)


def _sinks(prog):
    """The steps whose value no later step uses."""
    out = []
    for i, s in enumerate(prog.steps):
        pat = re.compile(rf"\b{s.out}\b")
        if not any(pat.search(later.code) for later in prog.steps[i + 1:]):
            out.append(i)
    return out


def check_program(prog):
    """None if minitorch agrees with torch on ``prog``; else (phase, step index, message)."""
    ours = _run(prog, mt)
    theirs = _run(prog, torch)
    ref = _run(prog, torch, "float64", torch.float64)
    low = theirs if prog.fdtype == "float32" else _run(prog, torch, "float32")
    leaves_o, r_o, e_o = ours
    leaves_t, r_t, e_t = theirs
    named = dict(leaves_t, **{s.out: r for s, r in zip(prog.steps, r_t)})
    named_o = dict(leaves_o, **{s.out: r for s, r in zip(prog.steps, r_o)})
    # forward: every step's value, in order
    for i in range(min(len(r_o), len(r_t))):
        fo, ft = _flat(r_o[i]), _flat(r_t[i])
        scale = _input_scale(prog.steps[i], named)
        if len(fo) != len(ft):
            return "forward", i, f"step {i}: {len(fo)} values, torch {len(ft)}"
        fr = _flat(ref[1][i]) if i < len(ref[1]) else [None] * len(ft)
        fl = _flat(low[1][i]) if i < len(low[1]) else [None] * len(ft)
        for j, (o, t) in enumerate(zip(fo, ft)):
            other = fr[j] if (isinstance(t, torch.Tensor) and t.dtype == torch.float32) else fl[j]
            msg = _same(f"step {i} value {j}", o, t, other if len(fr) == len(ft) else None, scale,
                        ref64=fr[j] if len(fr) == len(ft) else None)
            if msg and isinstance(t, torch.Tensor) and t.dtype.is_floating_point and _op_alone(
                    prog.steps[i], named_o, j, o, scale):
                STATS["amplified_input_differences"] += 1
                continue
            if msg:
                return "forward", i, msg
    if e_o is not None or e_t is not None:
        k_o = _exc_kind(e_o) if e_o is not None else None
        k_t = _exc_kind(e_t) if e_t is not None else None
        i = min(len(r_o), len(r_t))
        if k_o != k_t or len(r_o) != len(r_t):
            return "raises", i, f"step {i}: ours raised {k_o} ({e_o}), torch {k_t} ({e_t})"
        STATS["both_raised"] += 1
        return None
    # backward
    double = prog.fdtype == "float64"
    g_t = _grads(prog, theirs, torch, double)
    if g_t is None:
        return None
    g_o = _grads(prog, ours, mt, double)
    if isinstance(g_t, Exception) and not isinstance(g_o, Exception):
        # torch's backward failing inside (say pow with a bool exponent: "Subtraction ... with a bool tensor")
        # is torch's limitation, not an error of the user's: a gradient we compute is not a disagreement
        STATS["torch_backward_raised"] += 1
        return None
    if isinstance(g_t, Exception) or isinstance(g_o, Exception):
        k_t = _exc_kind(g_t) if isinstance(g_t, Exception) else None
        k_o = _exc_kind(g_o) if isinstance(g_o, Exception) else None
        if k_t != k_o:
            return "grad", len(prog.steps) - 1, f"backward: ours {g_o!r}, torch {g_t!r}"
        return None
    # gradients sum products of values that can cancel: their rounding is relative to the largest
    # magnitude the program went through (values, gradients), not to the (possibly 0) result
    scale = max([_absmax(e) for r in r_t for e in _flat(r)] + [_absmax(g) for g in g_t[0]])
    g_r = _grads(prog, ref, torch, False)
    g_l = _grads(prog, low, torch, double) if double else g_t
    for j, (a, b) in enumerate(zip(g_o[0], g_t[0])):
        other = g_r[0][j] if b.dtype == torch.float32 and isinstance(g_r, tuple) else (
            g_l[0][j] if isinstance(g_l, tuple) else None)
        msg = _same(f"grad of leaf {j}", a.detach(), b.detach(), other, scale,
                    ref64=g_r[0][j] if isinstance(g_r, tuple) else None)
        if msg:
            return "grad", len(prog.steps) - 1, msg
    if double:
        gg_o, gg_t = g_o[1], g_t[1]
        if isinstance(gg_t, Exception):
            STATS["torch_no_double_backward"] += 1     # torch lacks that derivative: nothing to compare
            return None
        if isinstance(gg_o, Exception):
            return "double", len(prog.steps) - 1, f"double backward: ours raised {gg_o!r}"
        gg_l = g_l[1] if isinstance(g_l, tuple) and not isinstance(g_l[1], Exception) else None
        for j, (a, b) in enumerate(zip(gg_o, gg_t)):
            msg = _same(f"double backward of leaf {j}", a.detach(), b.detach(), gg_l[j] if gg_l else None, scale)
            if msg:
                return "double", len(prog.steps) - 1, msg
    return None


def classify(prog, result):
    """The kind of a disagreement: its phase and the op of the first step where it shows (the shortest
    failing prefix of the program, for gradients)."""
    phase, i, _ = result
    if phase in ("grad", "double"):
        for k in range(1, len(prog.steps) + 1):
            r = check_program(prog.prefix(k))
            if r is not None:
                phase, i = r[0], k - 1
                break
    return f"{phase}:{prog.steps[i].op if i < len(prog.steps) else '?'}"


def test_fuzz_programs():
    collect = os.environ.get("MINITORCH_FUZZ_COLLECT") == "1"

    @settings(max_examples=_examples())
    @given(fp.programs())
    def one(prog):
        STATS["generated"] += 1
        OPS_SEEN.update(s.op for s in prog.steps)
        result = check_program(prog)
        if result is None:
            STATS["agreed"] += 1
            return
        STATS["disagreed"] += 1
        kind = classify(prog, result)
        text = f"{kind}: {result[2]}\n{prog.render()}"
        if collect:
            if text not in FAILURES:            # hypothesis replays an example it varies: count it once
                FAILURES.append(text)
                STATS["kind " + kind] += 1
            return
        raise AssertionError(text)

    try:
        one()
    finally:
        summary = ", ".join(f"{k}={v}" for k, v in sorted(STATS.items(), key=lambda kv: (kv[0].startswith("kind"), kv[0])))
        summary += f", ops covered={len(OPS_SEEN)}/{len(fp.OPS)}"
        print(f"\nfuzz: {summary}")
        if collect and os.environ.get("MINITORCH_FUZZ_REPORT"):
            with open(os.environ["MINITORCH_FUZZ_REPORT"], "w") as f:
                f.write(f"fuzz: {summary}\n\n" + "\n\n".join(FAILURES))
    assert not FAILURES, f"{len(FAILURES)} disagreements:\n\n" + "\n\n".join(FAILURES[:20])


@settings(max_examples=20)
@given(fp.programs())
def test_rendered_program_reproduces(prog):
    """The printed program is the program: run as Python it gives the same values as the fuzzer's run."""
    ns = {"np": np}
    exec(prog.render(), ns)                         # noqa: S102 (our own generated code)
    _, results, err = _run(prog, torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if err is not None:
            try:
                ns["program"](torch)
            except Exception as e:                  # noqa: BLE001
                assert type(e) is type(err)
                return
            raise AssertionError("the rendered program did not raise")
        values = ns["program"](torch)
    assert len(values) == len(results)
    for v, r in zip(values, results):
        for a, b in zip(_flat(v), _flat(r)):
            if isinstance(b, torch.Tensor):
                torch.testing.assert_close(a.detach(), b.detach(), rtol=0, atol=0, equal_nan=True)
            else:
                assert a == b
