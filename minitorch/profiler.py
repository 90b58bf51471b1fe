"""``minitorch.profiler``: where does a training step spend its time?

Three lines around any code::

    with minitorch.profiler.profile() as prof:
        loss = loss_fn(model(x), y); loss.backward(); opt.step()
    print(prof.key_averages().table(sort_by="total_time", row_limit=20))

While the ``with`` block runs, every op is timed:

* forward ops under the name of their ``Function`` class (``Mul``, ``MatMul``,
  ``Convolution``, ...), one event per ``Function.apply`` call;
* backward nodes under their ``grad_fn`` name (``MulBackward0``, ...), one
  event per node the backward pass runs, and
  ``torch::autograd::AccumulateGrad`` for each gradient added into a leaf's ``.grad``.

A backward node is written with tensor ops, so its event contains the forward
ops it calls (``MulBackward0`` calls ``Mul``). As in torch, "total" time counts
an event with everything inside it, "self" time without the events nested in it;
the self times add up to the time spent in ops ("Self CPU time total"). An
optimizer's ``step()`` and ``zero_grad()`` get a row each, named as torch names
them (``Optimizer.step#SGD.step``, ``Optimizer.zero_grad#SGD.zero_grad``). The
table's last line is the wall time of the whole block: the difference is Python
between ops; wrap any region in ``record_function("name")`` to give it a row. ``prof.summary()`` returns the
rows as dicts, for reports.

How it hooks in: while it records, the profiler is installed as a
``FunctionHook`` (``autograd.function.install_hook``): every ``Function.apply``
and every node the backward pass runs is called through its ``forward`` /
``backward``. Outside a ``with profile()`` block nothing is installed, so a
program that does not profile pays nothing.

On a GPU, kernels run asynchronously; the profiler waits for each op's kernels
to finish (``synchronize=None``, the default, does it for ops whose result lives
on a GPU), so the times are the ops' real times, at the price of losing overlap.
"""
import functools
import json
import time

from . import _backend
from .autograd.function import FunctionHook, _profiling, install_hook, remove_hook

__all__ = ["profile", "record_function", "ProfilerActivity", "EventList", "FunctionEvent", "FunctionEventAvg"]

_clock = time.perf_counter


class ProfilerActivity:
    """torch's activity names, accepted for compatibility (minitorch measures wall time on the host)."""
    CPU = "CPU"
    CUDA = "CUDA"


class FunctionEvent:
    """One timed call: ``name``, ``kind`` ('forward', 'backward' or 'user'), start and durations in seconds.

    ``depth``: how many op events (forward or backward) enclose it; 0 for an op called by user code.
    """
    __slots__ = ("name", "kind", "start", "duration", "self_duration", "input_shapes", "depth")

    def __init__(self, name, kind, start, duration, self_duration, input_shapes, depth):
        self.name, self.kind, self.start = name, kind, start
        self.duration, self.self_duration = duration, self_duration
        self.input_shapes, self.depth = input_shapes, depth

    @property
    def key(self):
        return self.name

    @property
    def cpu_time_total(self):
        """Duration in microseconds (torch's unit)."""
        return self.duration * 1e6

    @property
    def self_cpu_time_total(self):
        return self.self_duration * 1e6

    def __repr__(self):
        return (f"<FunctionEvent name={self.name!r} kind={self.kind} "
                f"total={_fmt_time(self.duration)} self={_fmt_time(self.self_duration)}>")


class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped by them) added up.

    Times are in microseconds, as in torch: ``cpu_time_total``, ``self_cpu_time_total``
    and ``cpu_time`` (the average per call); ``count`` is the number of calls.
    """

    def __init__(self, key, kind, input_shapes=None):
        self.key, self.kind, self.input_shapes = key, kind, input_shapes
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, ev):
        self.count += 1
        self.cpu_time_total += ev.duration * 1e6
        self.self_cpu_time_total += ev.self_duration * 1e6
        return self

    @property
    def cpu_time(self):
        """Average time per call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key!r} count={self.count} "
                f"cpu_time_total={_fmt_us(self.cpu_time_total)} self_cpu_time_total="
                f"{_fmt_us(self.self_cpu_time_total)}>")


# sort_by: torch's keys and the plain words of the learners' version
_SORT_KEYS = {
    "total_time": "cpu_time_total", "cpu_time_total": "cpu_time_total", "cuda_time_total": "cpu_time_total",
    "device_time_total": "cpu_time_total",
    "self_time": "self_cpu_time_total", "self_cpu_time_total": "self_cpu_time_total",
    "self_cuda_time_total": "self_cpu_time_total", "self_device_time_total": "self_cpu_time_total",
    "avg_time": "cpu_time", "cpu_time": "cpu_time", "cuda_time": "cpu_time", "device_time": "cpu_time",
    "calls": "count", "count": "count",
}


class EventList(list):
    """A list of ``FunctionEventAvg`` (from ``key_averages``) that can print itself as a table."""

    def __init__(self, items=(), self_total_us=0.0, wall_us=None):
        super().__init__(items)
        self.self_total_us = self_total_us
        self.wall_us = wall_us

    def _sorted(self, sort_by):
        if sort_by is None:
            return list(self)
        if sort_by == "name":
            return sorted(self, key=lambda e: e.key)
        attr = _SORT_KEYS.get(sort_by)
        if attr is None:
            raise ValueError(f"sort_by must be one of {sorted(_SORT_KEYS) + ['name']}, got {sort_by!r}")
        return sorted(self, key=lambda e: getattr(e, attr), reverse=True)

    def table(self, sort_by=None, row_limit=100, max_name_column_width=55, header=None, top_level_events_only=False):
        """torch's profiler table: one row per op name, sorted by ``sort_by`` (e.g. ``"total_time"``)."""
        rows = self._sorted(sort_by)
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        total = self.self_total_us or 1.0
        shapes = any(e.input_shapes is not None for e in rows)
        name_w = min(max([len(e.key) for e in rows] + [4]) + 4, max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        widths = [name_w] + [12] * len(cols) + ([max(12, *(len(str(e.input_shapes)) for e in rows))]
                                                if shapes else [])
        heads = ["Name"] + cols + (["Input Shapes"] if shapes else [])
        line = "  ".join("-" * w for w in widths) + "  "
        out = []
        if header:
            out.append(header)
        out += [line, "  ".join(h.rjust(w) for h, w in zip(heads, widths)) + "  ", line]
        for e in rows:
            name = e.key if len(e.key) <= name_w else e.key[:name_w - 3] + "..."
            cells = [name, f"{100 * e.self_cpu_time_total / total:.2f}%", _fmt_us(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / total:.2f}%", _fmt_us(e.cpu_time_total), _fmt_us(e.cpu_time),
                     str(e.count)]
            if shapes:
                cells.append("" if e.input_shapes is None else str(e.input_shapes))
            out.append("  ".join(c.rjust(w) for c, w in zip(cells, widths)) + "  ")
        out.append(line)
        out.append(f"Self CPU time total: {_fmt_us(self.self_total_us)}")
        if self.wall_us:
            out.append(f"Wall time of the profiled block: {_fmt_us(self.wall_us)}")
        return "\n".join(out) + "\n"

    def __str__(self):
        return self.table()


class profile:
    """Context manager that times every op (forward) and every backward node run inside it.

    ``with profile() as prof: ...`` then ``prof.key_averages().table(sort_by="total_time")``
    prints torch's table; ``prof.summary()`` gives the same numbers as a list of dicts;
    ``prof.events()`` every single call; ``prof.export_chrome_trace(path)`` a timeline for
    ``chrome://tracing`` or https://ui.perfetto.dev.

    Args:
        activities, profile_memory, with_stack, with_flops, schedule, on_trace_ready:
            accepted for torch compatibility; minitorch records wall time per op.
        record_shapes (bool): keep the input shapes of each forward op
            (``key_averages(group_by_input_shape=True)`` then splits rows by shape).
        synchronize (bool or None): wait for GPU kernels at the end of each op so its time is real;
            ``None`` (default) does it for ops whose result lives on a GPU.
        enabled (bool): ``False`` makes the context manager do nothing.
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 synchronize=None, enabled=True, **kwargs):
        self.record_shapes = record_shapes
        self.synchronize = synchronize
        self.enabled = enabled
        self.on_trace_ready = on_trace_ready
        self._events = []
        self._stack = [0.0]          # per open event: the time spent in events nested inside it
        self._op_depth = 0           # how many forward/backward events are open (user regions not counted)
        self._running = False
        self.step_num = 0
        self.wall_time = 0.0
        self._t0 = None
        self._hook = _ProfilerHook(self)
        self._in_forward = False      # a forward that calls other ops: only the outer one is an event

    # ------------------------------------------------------------ start / stop
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        """Begin recording (what ``with`` does on entry)."""
        if not self.enabled:
            return
        if _profiling[0] is not None:
            raise RuntimeError("a minitorch profiler is already running; profilers cannot be nested")
        self._running = True
        self._t0 = _clock()
        _profiling[0] = self
        install_hook(self._hook)

    def stop(self):
        """Stop recording (what ``with`` does on exit)."""
        if not self._running:
            return
        _profiling[0] = None
        remove_hook(self._hook)
        self._running = False
        self.wall_time += _clock() - self._t0
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self):
        """Mark the end of a training step (torch's ``prof.step()``); counted in ``step_num``."""
        self.step_num += 1

    # ------------------------------------------------------------ recording (called by the engine)
    def _sync(self, out):
        if self.synchronize is False:
            return
        arr = out[0] if type(out) is tuple and out else out
        arr = getattr(arr, "_data", arr)
        if self.synchronize or (arr is not None and not isinstance(arr, _backend._ndarray)
                                and _backend.is_array(arr)):
            try:
                _backend.synchronize(_backend.device_of(arr) if _backend.is_array(arr) else None)
            except Exception:
                pass

    def _forward(self, cls, run, args, kwargs):
        """Run one op (``run(*args, **kwargs)``, the plain ``Function.apply``), timed."""
        if self._in_forward:
            return run(*args, **kwargs)
        shapes = None
        if self.record_shapes:
            shapes = [list(a._data.shape) if hasattr(a, "_data") else [] for a in args]
        self._in_forward = True
        self._stack.append(0.0)
        self._op_depth += 1
        t0 = _clock()
        try:
            out = run(*args, **kwargs)
            self._sync(out)
        finally:
            t1 = _clock()
            self._in_forward = False
            self._op_depth -= 1
            self._close(cls.__name__, "forward", t0, t1, shapes)
        return out

    def _backward(self, node, run, grads):
        """Run one backward step of ``node`` (``run(grads)``), timed; ops it calls nest inside it."""
        self._stack.append(0.0)
        self._op_depth += 1
        t0 = _clock()
        try:
            out = run(grads)
            if self.synchronize is not False:       # a gradient it returned, or (AccumulateGrad) the one it added
                self._sync(next((g for g in (*out, *grads) if hasattr(g, "_data")), None))
        finally:
            t1 = _clock()
            self._op_depth -= 1
            self._close(node.name(), "backward", t0, t1, None)
        return out

    def _open_user(self):
        self._stack.append(0.0)
        return _clock()

    def _close(self, name, kind, t0, t1, shapes):
        stack = self._stack
        inner = stack.pop()
        dur = t1 - t0
        stack[-1] += dur
        self._events.append(FunctionEvent(name, kind, t0, dur, max(dur - inner, 0.0),
                                          shapes, self._op_depth))

    # ------------------------------------------------------------ results
    def events(self):
        """Every recorded call, in the order they finished (a list of ``FunctionEvent``)."""
        return list(self._events)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """Events added up per name (per name and input shapes with ``group_by_input_shape``)."""
        groups = {}
        for ev in self._events:
            k = (ev.name, str(ev.input_shapes)) if group_by_input_shape else ev.name
            g = groups.get(k)
            if g is None:
                g = groups[k] = FunctionEventAvg(ev.name, ev.kind, ev.input_shapes if group_by_input_shape else None)
            g.add(ev)
        return EventList(groups.values(), self_total_us=sum(e.self_duration for e in self._events) * 1e6,
                         wall_us=self.wall_time * 1e6)

    def table(self, sort_by="total_time", row_limit=20):
        """Shortcut for ``key_averages().table(...)``."""
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit)

    def summary(self, sort_by="total_time", row_limit=None):
        """The table as data: one dict per op name, times in milliseconds, sorted like ``table``.

        Keys: ``name``, ``kind`` ('forward', 'backward' or 'user'), ``calls``, ``total_ms``,
        ``self_ms``, ``avg_ms``, ``total_percent``, ``self_percent`` (of the time spent in ops).
        """
        ka = self.key_averages()
        total = ka.self_total_us or 1.0
        rows = ka._sorted(sort_by)
        if row_limit is not None:
            rows = rows[:row_limit]
        return [{"name": e.key, "kind": e.kind, "calls": e.count,
                 "total_ms": e.cpu_time_total / 1e3, "self_ms": e.self_cpu_time_total / 1e3,
                 "avg_ms": e.cpu_time / 1e3,
                 "total_percent": 100 * e.cpu_time_total / total,
                 "self_percent": 100 * e.self_cpu_time_total / total} for e in rows]

    def totals(self):
        """Seconds spent in forward ops, in backward nodes (both counted at the outermost level) and in the block."""
        fwd = sum(e.duration for e in self._events if e.depth == 0 and e.kind == "forward")
        bwd = sum(e.duration for e in self._events if e.depth == 0 and e.kind == "backward")
        return {"forward_s": fwd, "backward_s": bwd, "wall_s": self.wall_time}

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (open in chrome://tracing or https://ui.perfetto.dev)."""
        base = self._t0 or 0.0
        trace = [{"name": e.name, "cat": e.kind, "ph": "X", "ts": (e.start - base) * 1e6,
                  "dur": e.duration * 1e6, "pid": 0, "tid": 0,
                  **({"args": {"Input Shapes": e.input_shapes}} if e.input_shapes is not None else {})}
                 for e in self._events]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, f)


class _ProfilerHook(FunctionHook):
    """How a running profiler sees every op: ``Function.apply`` and each backward node go through it."""

    def __init__(self, prof):
        self.prof = prof

    def forward(self, function, run, args, kwargs):
        return self.prof._forward(function, run, args, kwargs)

    def backward(self, node, run, grads):
        return self.prof._backward(node, run, grads)


class record_function:
    """Label a region of code (``with record_function("data loading"): ...``); it shows up as a row.

    Its time is the region's total; the ops inside it keep their own rows. Usable as a decorator.
    Does nothing when no profiler is running.
    """

    def __init__(self, name, args=None):
        self.name = name
        self._prof = None

    def __enter__(self):
        prof = _profiling[0]
        if prof is not None:
            self._prof = prof
            self._t0 = prof._open_user()
        return self

    def __exit__(self, *exc):
        prof, self._prof = self._prof, None
        if prof is not None:
            prof._close(self.name, "user", self._t0, _clock(), None)
        return False

    def __call__(self, fn):

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with record_function(self.name):
                return fn(*a, **k)
        return wrapper


def _fmt_time(seconds):
    return _fmt_us(seconds * 1e6)


def _fmt_us(us):
    """torch's format: 12.345us, 1.234ms, 1.234s."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"
