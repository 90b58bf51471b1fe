"""Random small programs over minitorch's public ops, for the differential fuzzer (tests/test_fuzz.py).

A program is data: a list of leaves (numpy data, dtype, memory layout, requires_grad) and a list of
steps, each one op record (op name, Python expression over ``T``/``F`` and earlier names). ``render``
prints it as a runnable Python function, the same text for both libraries:

    def program(T):             # T = torch or minitorch
        F = T.nn.functional
        x0 = T.from_numpy(np.array([[0.25, -1.5]], dtype=np.float32)).requires_grad_()
        v0 = T.softmax(x0, -1)
        v1 = (v0 * 2.5)
        return [v0, v1]

The op table (``OPS``) is data too: name, the dtypes it is drawn for, its argument strategy (a function
drawing the extra arguments, other tensors included, for a given input) and its code templates (several
spellings of the same call: function, method, operator; ``torch_code`` where the libraries differ).

Programs are generated against torch itself: each drawn step runs at once in torch so that the next
step knows the shapes and dtypes it works on. A step on which torch raises ends the program (the
fuzzer then expects minitorch to raise the same exception type there).
"""
import dataclasses
import math
import warnings
from typing import Callable, Optional

import numpy as np
import torch
from hypothesis import strategies as st


class Code(str):
    """A code fragment, inserted into a template as is (other argument values are inserted as ``repr``)."""

    def __repr__(self):
        return str(self)


class Reject(Exception):
    """The drawn op does not apply to the drawn input: draw another one."""


@dataclasses.dataclass
class Leaf:
    name: str
    data: np.ndarray            # float data is float64 here; cast to the program's float dtype when built
    dtype: str                  # "float" (the program's float dtype), "int64", "int32" or "bool"
    layout: str                 # "contiguous", "gap" (every other element of a wider array), "perm" (transposed storage)
    requires_grad: bool

    def array(self, fdtype):
        return self.data.astype(fdtype) if self.dtype == "float" else self.data.astype(self.dtype)

    def build(self, lib, fdtype):
        a = self.array(fdtype)
        if self.layout == "gap" and a.ndim >= 1:
            t = lib.from_numpy(np.repeat(a, 2, axis=-1))[..., ::2]
        elif self.layout == "perm" and a.ndim >= 2:
            t = lib.from_numpy(np.ascontiguousarray(a.T)).permute(*reversed(range(a.ndim)))
        else:
            t = lib.from_numpy(a.copy())
        return t.requires_grad_() if self.requires_grad else t

    def code(self, fdtype):
        a = self.array(fdtype)
        dt = f"np.{a.dtype.name}" if a.dtype.kind != "b" else "bool"
        body = _literal(a)
        arr = f"np.array({body}, dtype={dt})"
        if a.size == 0 or a.ndim == 0:
            arr += f".reshape({a.shape!r})"
        if self.layout == "gap" and a.ndim >= 1:
            expr = f"T.from_numpy(np.repeat({arr}, 2, axis=-1))[..., ::2]"
        elif self.layout == "perm" and a.ndim >= 2:
            expr = f"T.from_numpy(np.ascontiguousarray({arr}.T)).permute{tuple(reversed(range(a.ndim)))!r}"
        else:
            expr = f"T.from_numpy({arr})"
        return f"{self.name} = {expr}" + (".requires_grad_()" if self.requires_grad else "")


def _literal(a):
    """Nested-list literal of ``a``, each number in its shortest round-trip form for its dtype."""
    if a.ndim == 0:
        return str(a[()])
    return "[" + ", ".join(_literal(e) for e in a) + "]"


@dataclasses.dataclass
class Step:
    out: str                    # the name bound to the result
    op: str                     # the op's name in the table
    code: str                   # the expression (for minitorch; and torch unless ``torch_code``)
    torch_code: Optional[str] = None

    def expr(self, lib_is_torch):
        return self.torch_code if (lib_is_torch and self.torch_code) else self.code


@dataclasses.dataclass
class Program:
    fdtype: str                 # "float32" or "float64": the dtype of every float leaf
    leaves: list
    steps: list
    torch_raises: Optional[str] = None   # exception type torch raised on the last step while generating

    def render(self):
        lines = ["def program(T):", "    F = T.nn.functional"]
        for leaf in self.leaves:
            lines.append("    " + leaf.code(self.fdtype))
        for s in self.steps:
            lines.append(f"    {s.out} = {s.code}" + (f"    # torch: {s.torch_code}" if s.torch_code else ""))
        lines.append(f"    return [{', '.join(s.out for s in self.steps)}]")
        if self.torch_raises:
            lines.append(f"# torch raises {self.torch_raises} on the last step")
        return "\n".join(lines)

    def prefix(self, k):
        return Program(self.fdtype, self.leaves, self.steps[:k], None)


def namespace(lib):
    """The names a program's code sees: the library as ``T``, its functional as ``F``, numpy and math."""
    return {"T": lib, "F": lib.nn.functional, "np": np, "math": math}


def run(program, lib, fdtype=None):
    """Execute ``program`` in ``lib`` (torch or minitorch) with its float leaves in ``fdtype``.

    Returns (leaves, results, error): the built leaf tensors, the value of each step run, and the
    exception of the step that raised (None if all ran).
    """
    fdtype = fdtype or program.fdtype
    is_torch = lib is torch
    ns = namespace(lib)
    leaves = {}
    for leaf in program.leaves:
        leaves[leaf.name] = ns[leaf.name] = leaf.build(lib, fdtype)
    results = []
    for s in program.steps:
        try:
            ns[s.out] = eval(s.expr(is_torch), ns)      # noqa: S307 (our own generated code)
        except Exception as e:                             # noqa: BLE001 (any error is a result to compare)
            return leaves, results, e
        results.append(ns[s.out])
    return leaves, results, None


# ---------------------------------------------------------------------------------------------------------
# the generator


@dataclasses.dataclass
class Op:
    name: str
    accepts: str                         # dtypes the first input is usually drawn from: f(loat), n(umeric), i(nt/bool), a(ny)
    args: Callable                       # args(g, x) -> dict of argument values (Code or Python values)
    code: tuple                          # spellings of the call; {x} is the input, {name} an argument
    torch_code: Optional[tuple] = None   # torch's spelling, where the libraries differ (same index as code)
    ndims: tuple = (0, 9)                # the input dims it is usually drawn for


def _kind(t):
    return "f" if t.dtype.is_floating_point else ("b" if t.dtype == torch.bool else "i")


def _accepts(op, t):
    k = _kind(t)
    if not op.ndims[0] <= t.dim() <= op.ndims[1]:
        return False
    return op.accepts == "a" or k in {"f": "f", "n": "fi", "i": "ib"}[op.accepts]


class Gen:
    """Draws one program; ``draw`` is hypothesis' ``data.draw``."""

    def __init__(self, draw, fdtype):
        self.draw = draw
        self.fdtype = fdtype
        self.leaves, self.steps = [], []
        self.ns = namespace(torch)
        self.pool = []                   # (ref, torch tensor), oldest first

    # -- primitive draws
    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def bool(self):
        return self.draw(st.booleans())

    def choice(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def chance(self, p):
        return self.draw(st.integers(0, 999)) < p * 1000

    # -- leaves
    def shape(self, max_dims=3):
        nd = self.draw(st.integers(0, max_dims))
        return tuple(self.draw(st.sampled_from([2, 3, 1, 4, 0])) for _ in range(nd))

    def leaf(self, shape, dtype=None, kind=None, hi=None, lo=None, requires_grad=True, layout=None):
        """A new leaf (its name); ``kind``: None (float data drawn widely), "unit" ([0, 1]), "pos",
        "index" (ints in [lo, hi))."""
        if dtype is None:
            dtype = self.choice(["float"] * 6 + ["int64", "bool", "int32"])
        seed = self.draw(st.integers(0, 2 ** 32 - 1))
        rng = np.random.default_rng(seed)
        shape = tuple(shape)
        if kind == "index":
            data = rng.integers(lo, hi, size=shape) if hi > lo else np.zeros(shape, np.int64)
        elif dtype == "bool":
            data = rng.random(shape) < 0.5
        elif dtype in ("int64", "int32"):
            data = rng.integers(-3, 5, size=shape)
        elif kind == "unit":
            data = rng.uniform(0, 1, size=shape)
        elif kind == "pos":
            data = rng.uniform(0.25, 2, size=shape)
        else:
            # mostly away from 0 (log, sqrt, division and their gradients are ill-conditioned there); sometimes
            # small whole numbers, which makes ties (max/min/sort/clamp at equal values) and exact zeros
            style = self.choice(["away", "away", "uniform", "whole"])
            if style == "away":
                data = rng.uniform(0.25, 2, size=shape) * rng.choice([-1, 1], size=shape)
            elif style == "uniform":
                data = rng.uniform(-3, 3, size=shape)
            else:
                data = rng.integers(-3, 4, size=shape).astype(np.float64)
        data = np.asarray(data)
        if layout is None:
            layout = self.choice(["contiguous", "contiguous", "gap", "perm"])
        name = f"x{len(self.leaves)}"
        leaf = Leaf(name, data, dtype, layout, requires_grad and dtype == "float")
        self.leaves.append(leaf)
        self.ns[name] = leaf.build(torch, self.fdtype)
        self.pool.append((name, self.ns[name]))
        return Code(name)

    def index(self, shape, size, allow_negative=True):
        """An int64 index leaf with values valid for a dim of ``size``."""
        lo = -size if (allow_negative and self.bool()) else 0
        return self.leaf(shape, "int64", kind="index", lo=lo, hi=size)

    # -- picking existing values
    def pick(self, pred=lambda t: True):
        cands = [p for p in reversed(self.pool) if pred(p[1])]
        if not cands:
            return None
        return cands[self.int(0, len(cands) - 1)]

    def scalar(self, kinds="fib"):
        k = self.choice(kinds or "fib")
        if k == "f":
            return self.choice([2.5, -0.5, 0.75, 1.5, -2.0, 0.3])
        if k == "i":
            return self.choice([2, -1, 3, 1, 0])
        return self.bool()

    def broadcastable(self, shape, dtype=None, kind=None):
        """A new leaf whose shape broadcasts with ``shape`` (a suffix of it, some dims 1, maybe more leading dims)."""
        n = self.int(0, len(shape))
        s = [d if self.chance(0.7) else 1 for d in shape[len(shape) - n:]]
        if self.chance(0.15):
            s = [self.choice([1, 2])] + s
        return self.leaf(s, dtype, kind=kind)

    def operand(self, x, kinds="fib", dtype=None):
        """A second operand for a binary op with ``x``: an existing tensor, a Python scalar or a new leaf."""
        r = self.int(0, 9)
        if r < 3 and kinds:
            return self.scalar(kinds)
        if r < 5:
            def ok(t):
                try:
                    torch.broadcast_shapes(t.shape, x.shape)
                    return True
                except RuntimeError:
                    return False
            p = self.pick(ok)
            if p is not None:
                return Code(p[0])
        if r == 9:
            return self.leaf(x.shape, dtype)
        return self.broadcastable(tuple(x.shape), dtype)

    def bool_mask(self, x):
        r = self.int(0, 3)
        if r == 0:
            p = self.pick(lambda t: t.dtype == torch.bool and t.shape == x.shape)
            if p is not None:
                return Code(p[0])
        if r == 1 and x.dtype != torch.bool:
            return Code(f"({self._ref(x)} > {self.choice([0, 0.5, 1])})")
        return self.broadcastable(tuple(x.shape), "bool")

    def _ref(self, x):
        for ref, t in self.pool:
            if t is x:
                return ref
        raise AssertionError("not in the pool")

    # -- dims
    def dim(self, x):
        nd = max(x.dim(), 1)
        if self.chance(0.02):
            return nd                    # out of range: an IndexError in both
        return self.int(-nd, nd - 1)

    def dims(self, x, allow_none=True):
        r = self.int(0, 3)
        if r == 0 and allow_none:
            return None
        if r == 1 and x.dim() > 0:
            k = self.int(1, x.dim())
            ds = self.draw(st.permutations(range(x.dim())))[:k]
            return tuple(d - x.dim() if self.bool() else d for d in ds)
        return self.dim(x)

    # -- the program
    def step(self, op, x):
        args = op.args(self, x)
        i = self.int(0, len(op.code) - 1)
        fmt = {k: (v if isinstance(v, Code) else repr(v)) for k, v in args.items()}
        fmt["x"] = self._ref(x)
        code = op.code[i].format(**fmt)
        tcode = op.torch_code[i].format(**fmt) if op.torch_code and op.torch_code[i] else None
        return Step(f"v{len(self.steps)}", op.name, code, tcode)

    def program(self, n_ops):
        first = self.leaf(self.shape(), self.choice(["float"] * 7 + ["int64", "bool", "int32"]))
        del first
        ops_by_cat = CATEGORIES
        raised = None
        while len(self.steps) < n_ops and raised is None:
            for _attempt in range(20):
                cat = self.choice(list(ops_by_cat))
                op = self.choice(ops_by_cat[cat])
                strict = self.chance(0.95)
                p = self.pick((lambda t: _accepts(op, t)) if strict else (lambda t: True))
                if p is None:
                    continue
                n_leaves = len(self.leaves)
                try:
                    s = self.step(op, p[1])
                    break
                except Reject:
                    del self.leaves[n_leaves:]          # drop leaves drawn for the rejected op
                    self.pool = [q for q in self.pool if not q[0].startswith("x") or
                                 int(q[0][1:]) < n_leaves]
                    continue
            else:
                break
            self.steps.append(s)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    val = eval(s.expr(True), self.ns)   # noqa: S307
            except Exception as e:                      # noqa: BLE001
                raised = type(e).__name__
                break
            self.ns[s.out] = val
            if isinstance(val, torch.Tensor):
                self.pool.append((s.out, val))
            elif isinstance(val, (tuple, list)):
                self.pool.extend((f"{s.out}[{i}]", v) for i, v in enumerate(val) if isinstance(v, torch.Tensor))
        return Program(self.fdtype, self.leaves, self.steps, raised)


def programs(min_ops=2, max_ops=6):
    """A hypothesis strategy for programs of ``min_ops`` to ``max_ops`` steps, float32 or float64."""
    @st.composite
    def _programs(draw):
        fdtype = draw(st.sampled_from(["float32", "float64"]))
        n = draw(st.integers(min_ops, max_ops))
        return Gen(draw, fdtype).program(n)
    return _programs()


# ---------------------------------------------------------------------------------------------------------
# argument strategies


def _size(x, d):
    """The size of dim ``d`` of ``x`` (1 when ``d`` is out of range: the op raises anyway)."""
    return x.shape[d] if x.dim() and -x.dim() <= d < x.dim() else 1


def _none(g, x):
    return {}


def _factor(g, n, max_dims=4):
    """A random shape with ``n`` elements (one -1 sometimes)."""
    nd = g.int(0 if n == 1 else 1, max_dims)
    if nd == 0:
        return ()
    if n == 0:
        s = [g.choice([0, 1, 2, 3]) for _ in range(nd)]
        s[g.int(0, nd - 1)] = 0
        return tuple(s)
    s = [1] * nd
    rest = n
    for p in range(2, n + 1):
        while rest % p == 0:
            s[g.int(0, nd - 1)] *= p
            rest //= p
    if g.chance(0.3):
        s[g.int(0, nd - 1)] = -1
    return tuple(s)


def _reshape_args(g, x):
    return {"shape": _factor(g, x.numel())}


def _perm_args(g, x):
    return {"perm": tuple(g.draw(st.permutations(range(x.dim()))))}


def _two_dims(g, x):
    return {"d": g.dim(x), "e": g.dim(x)}


def _unsq_args(g, x):
    return {"d": g.int(-x.dim() - 1, x.dim())}


def _flatten_args(g, x):
    nd = max(x.dim(), 1)
    a, b = sorted([g.int(-nd, nd - 1) % nd, g.int(-nd, nd - 1) % nd])
    return {"s": a, "e": b}


def _unflatten_args(g, x):
    if x.dim() == 0:
        raise Reject
    d = g.dim(x)
    return {"d": d, "sizes": _factor(g, _size(x, d), 2) or (1,)}


def _expand_args(g, x):
    s = [(g.choice([0, 2, 3, -1]) if d == 1 else g.choice([-1, d])) for d in x.shape]
    lead = [g.choice([1, 2, 3]) for _ in range(g.int(0, 2))]
    return {"shape": tuple(lead + s)}


def _narrow_args(g, x):
    if x.dim() == 0:
        raise Reject
    d = g.dim(x)
    n = _size(x, d)
    start = g.int(-n, n) if n else 0
    s0 = start % n if n and start < 0 else start
    return {"d": d, "start": start, "length": g.int(0, n - s0)}


def _repeat_args(g, x):
    return {"reps": tuple(g.choice([1, 2, 0, 3]) for _ in range(x.dim() + g.int(0, 1)))}


def _select_args(g, x):
    if x.dim() == 0:
        raise Reject
    d = g.dim(x)
    n = _size(x, d)
    return {"d": d, "i": g.int(-n, n - 1) if n else 0}


def _dims_args(g, x):
    return {"d": g.dims(x), "k": g.bool()}


def _dims_notnone(g, x):
    return {"d": g.dims(x, allow_none=False), "k": g.bool()}


def _dim_args(g, x):
    return {"d": g.dim(x), "k": g.bool()}


def _var_args(g, x):
    return {"d": g.dims(x), "k": g.bool(), "c": g.choice([0, 1, 2]), "u": g.bool()}


def _norm_args(g, x):
    return {"d": g.dims(x), "k": g.bool(), "p": g.choice([1, 2, 3, Code("float('inf')"), 0.5])}


def _ties(x, d):
    """Whether ``x`` has equal values along dim ``d``: the order of their indices in sort/argsort/topk is
    unspecified (torch documents no tie-breaking), so such inputs are not drawn for them."""
    if x.dim() == 0 or not -x.dim() <= d < x.dim() or x.shape[d] < 2 or x.numel() == 0:
        return False
    v = x.detach().double().sort(dim=d).values
    return bool((v.diff(dim=d) == 0).any())


def _sort_args(g, x):
    d = g.dim(x)
    if _ties(x, d):
        raise Reject
    return {"d": d, "b": g.bool()}


def _topk_args(g, x):
    d = g.dim(x)
    if _ties(x, d):
        raise Reject
    n = _size(x, d)
    return {"d": d, "b": g.bool(), "kk": g.int(0, n)}


def _basic_index(g, x):
    parts = []
    for n in x.shape[:g.int(0, x.dim())]:
        r = g.int(0, 5)
        if r == 0 and n > 0:
            parts.append(str(g.int(-n, n - 1)))
        elif r == 1:
            parts.append(":")
        else:
            a, b = g.choice(["", "1", "-1", "0"]), g.choice(["", "2", "-1", "3"])
            parts.append(f"{a}:{b}" + g.choice(["", ":2", ":3"]))
    for _ in range(g.int(0, 2)):
        parts.insert(g.int(0, len(parts)), g.choice(["None", "..."]) if "..." not in parts else "None")
    return {"idx": Code(", ".join(parts) if parts else "()")}


def _adv_index(g, x):
    if x.dim() == 0:
        raise Reject
    k = g.int(0, x.dim() - 1)
    pre = [":"] * k
    n = x.shape[k]
    r = g.int(0, 3)
    if r == 0:
        ix = Code(repr([g.int(-n, n - 1) for _ in range(g.int(0, 3))]) if n else "[]")
    else:
        ix = g.index(g.shape(2), n)
    parts = pre + [ix]
    if r == 3 and k + 1 < x.dim():
        parts.append(g.index((g.choice([1, 2]),), x.shape[k + 1]))
    return {"idx": Code(", ".join(parts))}


def _mask_index(g, x):
    if x.dim() == 0:
        raise Reject
    k = g.int(1, x.dim())
    r = g.int(0, 2)
    if r == 0 and x.dtype != torch.bool:
        return {"idx": Code(f"{g._ref(x)} > 0")}
    return {"idx": g.leaf(tuple(x.shape[:k]), "bool")}


def _index_select_args(g, x):
    d = g.dim(x)
    n = _size(x, d)
    return {"d": d, "idx": g.index((g.int(0, 4),), n, allow_negative=False)}


def _gather_args(g, x):
    if x.dim() == 0:
        raise Reject
    d = g.dim(x) % x.dim()
    shape = [g.int(0, s) for s in x.shape]
    shape[d] = g.int(0, 4) if x.shape[d] else 0
    idx = g.index(tuple(shape), x.shape[d], allow_negative=False)
    src = g.leaf(shape, "float" if x.dtype.is_floating_point else "int64")
    return {"d": d, "idx": idx, "src": src}


def _take_args(g, x):
    return {"idx": g.index(g.shape(2), x.numel())}


def _mask_args(g, x):
    return {"m": g.bool_mask(x), "v": g.scalar()}


def _cat_args(g, x):
    d = g.dim(x) if x.dim() else 0
    shape = list(x.shape)
    if shape:
        shape[d % len(shape)] = g.int(0, 3)
    p = g.pick(lambda t: t.shape == x.shape) if g.bool() else None
    y = Code(p[0]) if p else g.leaf(shape, g.choice(["float"] * 4 + ["int64", "bool"]))
    return {"d": d, "y": y, "du": g.int(-x.dim() - 1, x.dim())}


def _stack_args(g, x):
    p = g.pick(lambda t: t.shape == x.shape) if g.bool() else None
    y = Code(p[0]) if p else g.leaf(x.shape, g.choice(["float"] * 4 + ["int64"]))
    return {"y": y, "du": g.int(-x.dim() - 1, x.dim())}


def _split_args(g, x):
    d = g.dim(x)
    n = _size(x, d)
    sizes = []
    while sum(sizes) < n:
        sizes.append(g.int(0, n - sum(sizes)))
        if len(sizes) > 4:
            sizes.append(n - sum(sizes))
    return {"d": d, "sz": g.int(1, 3), "sizes": sizes, "nc": g.int(1, 4),
            "ind": sorted(g.int(0, n + 1) for _ in range(g.int(0, 2)))}


def _binary_args(kinds="fib"):
    def f(g, x):
        y = g.operand(x, kinds)
        if not kinds and not isinstance(y, Code) and g.chance(0.9):
            y = g.broadcastable(tuple(x.shape))     # tensors only (a scalar is torch's TypeError)
        return {"y": y, "alpha": g.choice([2, 0.5, -1]), "rm": g.choice(["trunc", "floor", None])}
    return f


def _clamp_args(g, x):
    def bound():
        r = g.int(0, 4)
        return None if r == 0 else (g.operand(x, "fi") if r == 1 else g.choice([-1.0, 0.5, 0, 1, -0.25]))
    return {"lo": bound(), "hi": bound()}


def _clamp1_args(g, x):
    b = _clamp_args(g, x)
    return {k: (v if v is not None else 0.5) for k, v in b.items()}


def _where_args(g, x):
    return {"c": g.bool_mask(x), "y": g.operand(x)}


def _lerp_args(g, x):
    y = g.leaf(x.shape, "float") if g.chance(0.8) else g.operand(x)
    w = g.choice([0.25, 0.5, 1.5]) if g.bool() else g.broadcastable(tuple(x.shape), "float", kind="unit")
    return {"y": y, "w": w}


def _matmul_args(g, x):
    """A right operand for matmul with ``x`` (1-D, 2-D or batched, batch dims broadcasting)."""
    k = x.shape[-1] if x.dim() else 2
    if g.chance(0.05):
        k += 1                                        # mismatched inner dims: a RuntimeError in both
    m = g.choice([1, 2, 3, 0])
    r = g.int(0, 3)
    if r == 0:
        shape = (k,)
    elif r == 1 or x.dim() <= 2:
        shape = (k, m)
    else:
        batch = [d if g.chance(0.7) else 1 for d in x.shape[:-2]][g.int(0, 1):]
        shape = tuple(batch) + (k, m)
    p = g.pick(lambda t: t.shape == shape and t.dtype == x.dtype)
    y = Code(p[0]) if p and g.bool() else g.leaf(shape, "float" if x.dtype.is_floating_point else "int64")
    return {"y": y}


def _mm_args(kind):
    def f(g, x):
        k = x.shape[-1] if x.dim() else 2
        m = g.choice([1, 2, 3, 0])
        shape = {"mm": (k, m), "bmm": (x.shape[0] if x.dim() == 3 else 1, k, m), "mv": (k,), "dot": (k,),
                 "outer": (g.choice([0, 1, 3]),)}[kind]
        return {"y": g.leaf(shape, "float")}
    return f


def _linear_args(g, x):
    k = x.shape[-1] if x.dim() else 2
    out = g.choice([1, 2, 3, 0])
    w = g.leaf((out, k) if g.chance(0.9) else (k,), "float")
    b = g.leaf((out,) if g.chance(0.9) else (), "float") if g.bool() else None
    return {"w": w, "b": b}


def _pointwise_loss_args(g, x):
    y = g.leaf(x.shape, "float", kind="unit") if g.chance(0.9) else g.operand(x)
    return {"y": y, "r": g.choice(["mean", "sum", "none"]), "beta": g.choice([1.0, 0.5, 2.0]),
            "pw": g.leaf(x.shape[-1:], "float", kind="pos") if g.chance(0.3) and x.dim() else None}


def _class_loss_args(g, x):
    if x.dim() == 0:
        raise Reject
    c = x.shape[1] if x.dim() >= 2 else x.shape[0]
    tshape = (x.shape[0],) + tuple(x.shape[2:]) if x.dim() >= 2 else ()
    if g.chance(0.2):
        t = g.leaf(x.shape, "float", kind="unit", requires_grad=False)     # class probabilities
    else:
        t = g.index(tshape, c, allow_negative=False)
    return {"t": t, "r": g.choice(["mean", "sum", "none"]), "ls": g.choice([0.0, 0.0, 0.1])}


def _kl_args(g, x):
    return {"y": g.leaf(x.shape, "float", kind="unit"), "r": g.choice(["sum", "batchmean", "none"])}


def _act_args(g, x):
    return {"a": g.choice(["none", "tanh"]), "alpha": g.choice([1.0, 0.5, 2.0]), "lo": g.choice([-1.0, -0.5]),
            "hi": g.choice([1.0, 0.5, 2.0]), "beta": g.choice([1.0, 2.0]), "th": g.choice([20.0, 1.0])}


# ---------------------------------------------------------------------------------------------------------
# the op table

UNARY = ["neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
         "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "sign", "floor", "ceil",
         "round", "trunc", "frac", "square", "erf", "erfc"]
PREDICATES = ["isnan", "isinf", "isfinite", "signbit", "logical_not"]
ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floor_divide": "//", "remainder": "%", "fmod": None,
         "pow": "**", "maximum": None, "minimum": None}
COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "logical_and": None,
           "logical_or": None, "logical_xor": None}
TENSOR_ONLY = {"maximum", "minimum", "logical_and", "logical_or", "logical_xor"}   # torch refuses a Python scalar
BITWISE = {"bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^"}


def _binary(name, sym, accepts, kinds="fib"):
    code = [f"T.{name}({{x}}, {{y}})", f"{{x}}.{name}({{y}})"]
    if sym:
        code += [f"({{x}} {sym} {{y}})", f"({{y}} {sym} {{x}})"]
    if name in ("add", "sub"):
        code.append(f"T.{name}({{x}}, {{y}}, alpha={{alpha}})")
    if name == "div":
        code.append("T.div({x}, {y}, rounding_mode={rm})")
    return Op(name, accepts, _binary_args("" if name in TENSOR_ONLY else kinds), tuple(code))


# float32 values of these functions are specified only to about an ulp: torch's (SLEEF's u10 kernels) and
# numpy's differ in the last bit, and neither is always correctly rounded (torch's float32 cos(1.0) is not).
LIBM = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "rsqrt", "sin", "cos", "tan", "asin", "acos",
        "atan", "sinh", "cosh", "tanh", "sigmoid", "erf", "erfc"}


def _unary_args(name):
    def f(g, x):
        # Not drawn: such a function of an integer tensor in a float64 program. Its value is float32 (the
        # default dtype), whose last bit torch leaves unspecified (see LIBM); the float64 steps after it then
        # expose that ulp at float64 precision, which no float64 bound can tell from an error.
        if name in LIBM and g.fdtype == "float64" and not x.dtype.is_floating_point:
            raise Reject
        return {}
    return f


CATEGORIES = {
    "unary": [Op(n, "n", _unary_args(n), (f"T.{n}({{x}})", f"{{x}}.{n}()")) for n in UNARY]
    + [Op(n, "a", _none, (f"T.{n}({{x}})",)) for n in PREDICATES]
    + [Op("bitwise_not", "i", _none, ("T.bitwise_not({x})", "~{x}"))],
    "activation": [
        Op("gelu", "f", _act_args, ("F.gelu({x}, approximate={a})",)),
        Op("silu", "f", _none, ("F.silu({x})",)),
        Op("elu", "f", _act_args, ("F.elu({x}, alpha={alpha})",)),
        Op("selu", "f", _none, ("F.selu({x})",)),
        Op("celu", "f", _act_args, ("F.celu({x}, alpha={alpha})",)),
        Op("leaky_relu", "f", _act_args, ("F.leaky_relu({x}, {alpha})",)),
        Op("softplus", "f", _act_args, ("F.softplus({x}, beta={beta}, threshold={th})",)),
        Op("relu6", "f", _none, ("F.relu6({x})",)),
        Op("hardtanh", "f", _act_args, ("F.hardtanh({x}, {lo}, {hi})",)),
        Op("logsigmoid", "f", _none, ("F.logsigmoid({x})",)),
        Op("hardsigmoid", "f", _none, ("F.hardsigmoid({x})",)),
        Op("hardswish", "f", _none, ("F.hardswish({x})",)),
        Op("softsign", "f", _none, ("F.softsign({x})",)),
        Op("tanhshrink", "f", _none, ("F.tanhshrink({x})",)),
        Op("hardshrink", "f", _act_args, ("F.hardshrink({x}, {hi})",)),
        Op("softshrink", "f", _act_args, ("F.softshrink({x}, {hi})",)),
        Op("mish", "f", _none, ("F.mish({x})",)),
        Op("softmax", "f", _dim_args, ("T.softmax({x}, {d})", "F.softmax({x}, dim={d})", "{x}.softmax({d})")),
        Op("log_softmax", "f", _dim_args, ("T.log_softmax({x}, {d})", "F.log_softmax({x}, dim={d})",
                                           "{x}.log_softmax({d})")),
    ],
    "binary": [_binary(n, s, "n") for n, s in ARITH.items()],
    "compare": [_binary(n, s, "a") for n, s in COMPARE.items()] + [_binary(n, s, "i", "ib") for n, s in BITWISE.items()],
    "select": [
        Op("clamp", "n", _clamp_args, ("T.clamp({x}, {lo}, {hi})", "{x}.clamp(min={lo}, max={hi})",
                                       "T.clip({x}, {lo}, {hi})")),
        Op("clamp_min", "n", _clamp1_args, ("T.clamp_min({x}, {lo})", "{x}.clamp_max({hi})")),
        Op("where", "a", _where_args, ("T.where({c}, {x}, {y})", "{x}.where({c}, {y})")),
        Op("lerp", "f", _lerp_args, ("T.lerp({x}, {y}, {w})", "{x}.lerp({y}, {w})")),
        Op("masked_fill", "a", _mask_args, ("{x}.masked_fill({m}, {v})", "T.masked_fill({x}, {m}, {v})")),
    ],
    "reduce": [
        Op("sum", "a", _dims_args, ("T.sum({x})", "T.sum({x}, dim={d}, keepdim={k})", "{x}.sum({d})")),
        Op("mean", "f", _dims_args, ("T.mean({x})", "T.mean({x}, dim={d}, keepdim={k})", "{x}.mean({d})")),
        Op("prod", "n", _dim_args, ("T.prod({x})", "T.prod({x}, {d}, keepdim={k})")),
        Op("amax", "n", _dims_notnone, ("T.amax({x}, dim={d}, keepdim={k})", "{x}.amin({d})")),
        Op("max", "n", _dim_args, ("T.max({x})", "T.max({x}, dim={d}, keepdim={k})", "{x}.min({d})",
                                   "{x}.max({d}).values")),
        Op("argmax", "n", _dim_args, ("T.argmax({x})", "T.argmax({x}, dim={d}, keepdim={k})", "{x}.argmin({d})")),
        Op("logsumexp", "f", _dims_notnone, ("T.logsumexp({x}, {d}, keepdim={k})",)),
        Op("var", "f", _var_args, ("T.var({x}, dim={d}, correction={c}, keepdim={k})", "T.var({x}, unbiased={u})",
                                   "{x}.std({d})", "T.std({x}, dim={d}, keepdim={k})",
                                   "T.var_mean({x}, dim={d}, keepdim={k})", "T.std_mean({x}, {d}, correction={c})")),
        Op("cumsum", "n", _dim_args, ("T.cumsum({x}, dim={d})", "{x}.cumsum({d})")),
        Op("norm", "f", _norm_args, ("T.norm({x})", "T.norm({x}, p={p}, dim={d}, keepdim={k})", "{x}.norm({p})")),
        Op("all", "a", _dim_args, ("T.all({x})", "T.any({x}, dim={d}, keepdim={k})", "{x}.all({d})",
                                   "T.count_nonzero({x}, dim={d})")),
        Op("sort", "n", _sort_args, ("T.sort({x}, dim={d}, descending={b})", "T.argsort({x}, dim={d}, descending={b})",
                                     "{x}.sort({d})[0]")),
        Op("topk", "n", _topk_args, ("T.topk({x}, {kk}, dim={d}, largest={b})",)),
    ],
    "shape": [
        Op("reshape", "a", _reshape_args, ("T.reshape({x}, {shape})", "{x}.reshape({shape})", "{x}.view({shape})")),
        Op("permute", "a", _perm_args, ("{x}.permute({perm})", "T.permute({x}, {perm})")),
        Op("transpose", "a", _two_dims, ndims=(1, 9), code= ("T.transpose({x}, {d}, {e})", "{x}.transpose({d}, {e})",
                                         "T.swapaxes({x}, {d}, {e})", "{x}.t()", "T.movedim({x}, {d}, {e})")),
        Op("squeeze", "a", _dims_args, ("T.squeeze({x})", "{x}.squeeze({d})")),
        Op("unsqueeze", "a", _unsq_args, ("T.unsqueeze({x}, {d})", "{x}[None]")),
        Op("flatten", "a", _flatten_args, ("T.flatten({x}, {s}, {e})", "{x}.flatten()", "T.ravel({x})")),
        Op("unflatten", "a", _unflatten_args, ("T.unflatten({x}, {d}, {sizes})",)),
        Op("expand", "a", _expand_args, ("{x}.expand({shape})", "T.broadcast_to({x}, {shape})")),
        Op("narrow", "a", _narrow_args, ("T.narrow({x}, {d}, {start}, {length})",)),
        Op("flip", "a", _dims_notnone, ("T.flip({x}, {d})", "{x}.flip({d})")),
        Op("contiguous", "a", _none, ("{x}.contiguous()", "{x}.clone()", "{x}.T")),
        Op("tile", "a", _repeat_args, ("T.tile({x}, {reps})", "{x}.repeat({reps})")),
        Op("select", "a", _select_args, ("T.select({x}, {d}, {i})", "T.unbind({x}, {d})")),
        Op("repeat_interleave", "a", _select_args, ("T.repeat_interleave({x}, 2, dim={d})",)),
    ],
    "index": [
        Op("getitem", "a", _basic_index, ("{x}[{idx}]",)),
        Op("advanced_index", "a", _adv_index, ("{x}[{idx}]",)),
        Op("bool_index", "a", _mask_index, ("{x}[{idx}]",)),
        Op("index_select", "a", _index_select_args, ("T.index_select({x}, {d}, {idx})", "{x}.index_select({d}, {idx})")),
        Op("gather", "a", _gather_args, ("T.gather({x}, {d}, {idx})", "T.scatter_add({x}, {d}, {idx}, {src})")),
        Op("masked_select", "a", _mask_args, ("T.masked_select({x}, {m})",)),
        Op("take", "a", _take_args, ("T.take({x}, {idx})",)),
    ],
    "join": [
        Op("cat", "a", _cat_args, ndims=(1, 9), code= ("T.cat([{x}, {y}], dim={d})", "T.cat([{y}, {x}, {y}], {d})",
                                   "T.concat([{x}, {y}], {d})")),
        Op("stack", "a", _stack_args, ("T.stack([{x}, {y}], dim={du})", "T.stack([{x}], {du})")),
        Op("split", "a", _split_args, ndims=(1, 9), code= ("T.split({x}, {sz}, dim={d})", "{x}.split({sizes}, {d})",
                                       "T.chunk({x}, {nc}, dim={d})", "T.tensor_split({x}, {nc}, dim={d})",
                                       "T.tensor_split({x}, {ind}, dim={d})")),
    ],
    "matmul": [
        Op("matmul", "f", _matmul_args, ndims=(1, 4), code= ("T.matmul({x}, {y})", "({x} @ {y})")),
        Op("mm", "f", _mm_args("mm"), ndims=(2, 2), code= ("T.mm({x}, {y})",)),
        Op("bmm", "f", _mm_args("bmm"), ndims=(3, 3), code= ("T.bmm({x}, {y})",)),
        Op("mv", "f", _mm_args("mv"), ndims=(2, 2), code= ("T.mv({x}, {y})",)),
        Op("dot", "f", _mm_args("dot"), ndims=(1, 1), code= ("T.dot({x}, {y})",)),
        Op("outer", "f", _mm_args("outer"), ndims=(1, 1), code= ("T.outer({x}, {y})",)),
        Op("linear", "f", _linear_args, ndims=(1, 4), code= ("F.linear({x}, {w}, {b})",)),
    ],
    "loss": [
        Op("mse_loss", "f", _pointwise_loss_args, ("F.mse_loss({x}, {y}, reduction={r})",)),
        Op("l1_loss", "f", _pointwise_loss_args, ("F.l1_loss({x}, {y}, reduction={r})",)),
        Op("smooth_l1_loss", "f", _pointwise_loss_args, ("F.smooth_l1_loss({x}, {y}, reduction={r}, beta={beta})",
                                                         "F.huber_loss({x}, {y}, reduction={r}, delta={beta})")),
        Op("bce_with_logits", "f", _pointwise_loss_args,
           ("F.binary_cross_entropy_with_logits({x}, {y}, reduction={r}, pos_weight={pw})",
            "F.binary_cross_entropy(T.sigmoid({x}), {y}, reduction={r})")),
        Op("cross_entropy", "f", _class_loss_args, ndims=(1, 4), code= ("F.cross_entropy({x}, {t}, reduction={r}, label_smoothing={ls})",
                                                    "F.nll_loss({x}, {t}, reduction={r})")),
        Op("kl_div", "f", _kl_args, ("F.kl_div({x}, {y}, reduction={r})",)),
    ],
}
OPS = [op for ops in CATEGORIES.values() for op in ops]
