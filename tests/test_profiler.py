"""minitorch.profiler: per-op time and call counts, forward and backward, torch's table and names."""
import json
import re
import time

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import profiler
from minitorch.autograd.function import _profiling


def backward_counts(key_averages, backward_name):
    return {e.key: e.count for e in key_averages if backward_name(e.key)}


def is_backward_node(name):
    """A backward node's own event (torch also wraps each in 'autograd::engine::evaluate_function: ...')."""
    return (name.endswith("Backward0") or name == "torch::autograd::AccumulateGrad") and \
        not name.startswith("autograd::engine::")


def test_backward_nodes_and_counts_match_torch_profiler():
    counts = {}
    for name, lib in {"mt": mt, "torch": torch}.items():
        x = lib.ones(2, 3, requires_grad=True)
        w = lib.ones(2, 3, requires_grad=True)
        with lib.profiler.profile() as prof:
            y = (x + w) * (w + 1)
            (y.exp().sum() + y.mean()).backward()
        counts[name] = backward_counts(prof.key_averages(), is_backward_node)
    assert counts["mt"] == counts["torch"]
    assert counts["mt"]["AddBackward0"] == 3 and counts["mt"]["torch::autograd::AccumulateGrad"] == 2


def test_forward_ops_are_recorded_under_their_function_names():
    x = mt.ones(4, requires_grad=True)
    with profiler.profile() as prof:
        y = (x * 2 + 1).relu()
        with mt.no_grad():
            x.exp()                                       # ops run without grad are timed too
    kinds = {e.key: (e.kind, e.count) for e in prof.key_averages()}
    assert kinds == {"Mul": ("forward", 1), "Add": ("forward", 1), "Relu": ("forward", 1), "Exp": ("forward", 1)}
    assert y.grad_fn.name() == "ReluBackward0"           # the profiled op still records its node


def test_backward_node_contains_the_ops_it_calls():
    x = mt.ones(100, requires_grad=True)
    with profiler.profile() as prof:
        (x * x).sum().backward()
    events = prof.events()
    mulb = next(e for e in events if e.name == "MulBackward0")
    inner = [e for e in events if e.depth == 1]
    assert inner and all(e.kind == "forward" for e in inner)          # Mul ops inside MulBackward0 (and Expand)
    nested = [e for e in inner if mulb.start <= e.start <= mulb.start + mulb.duration]
    assert nested and mulb.self_duration == pytest.approx(mulb.duration - sum(e.duration for e in nested), abs=1e-9)
    assert all(e.self_duration <= e.duration for e in events)
    # self times add up to the total time spent in ops
    ka = prof.key_averages()
    assert ka.self_total_us == pytest.approx(sum(e.self_cpu_time_total for e in ka))
    top = sum(e.duration for e in events if e.depth == 0)
    assert ka.self_total_us == pytest.approx(top * 1e6)


class Slow(mt.autograd.Function):
    """y = 2x, with a forward that takes 20 ms and a backward that takes 40 ms."""

    @staticmethod
    def forward(ctx, x):
        time.sleep(0.02)
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        time.sleep(0.04)
        return grad * 2


def test_time_is_attributed_to_the_right_op_and_direction():
    x = mt.ones(3, requires_grad=True)
    with profiler.profile() as prof:
        Slow.apply(x).sum().backward()
    rows = {r["name"]: r for r in prof.summary()}
    assert rows["Slow"]["kind"] == "forward" and rows["SlowBackward"]["kind"] == "backward"
    assert 0.019 < rows["Slow"]["total_ms"] / 1e3 < 0.2
    assert 0.039 < rows["SlowBackward"]["total_ms"] / 1e3 < 0.3
    assert [r["name"] for r in prof.summary()][:2] == ["SlowBackward", "Slow"]   # sorted by total time
    t = prof.totals()
    assert t["backward_s"] > 0.039 and t["forward_s"] > 0.019 and t["wall_s"] >= t["forward_s"] + t["backward_s"]


def test_table_looks_like_torch():
    x = mt.ones(3, requires_grad=True)
    with profiler.profile() as prof:
        for _ in range(3):
            Slow.apply(x).sum().backward()
    table = prof.key_averages().table(sort_by="total_time", row_limit=2)
    lines = table.splitlines()
    assert re.fullmatch(r"\s+Name\s+Self CPU %\s+Self CPU\s+CPU total %\s+CPU total\s+CPU time avg\s+# of Calls\s*",
                        lines[1])
    assert lines[0] == lines[2] == lines[5] and set(lines[0]) == {"-", " "}
    assert lines[3].split()[0] == "SlowBackward" and lines[3].split()[-1] == "3"
    assert lines[4].split()[0] == "Slow" and re.search(r"\d+\.\d{3}ms", lines[4])
    assert lines[6].startswith("Self CPU time total: ")
    assert lines[7].startswith("Wall time of the profiled block: ")
    assert len(lines) == 8                                          # row_limit=2
    # torch's sort keys work too, and every row is sorted
    for key, attr in [("cpu_time_total", "cpu_time_total"), ("self_cpu_time_total", "self_cpu_time_total"),
                      ("count", "count"), ("calls", "count"), ("self_time", "self_cpu_time_total")]:
        rows = prof.key_averages()._sorted(key)
        vals = [getattr(r, attr) for r in rows]
        assert vals == sorted(vals, reverse=True)
    with pytest.raises(ValueError, match="sort_by"):
        prof.key_averages().table(sort_by="bogus")


def test_summary_is_data():
    x = mt.ones(3, requires_grad=True)
    with profiler.profile() as prof:
        (x * 2).sum().backward()
    s = prof.summary()
    assert isinstance(s, list) and all(isinstance(r, dict) for r in s)
    assert set(s[0]) == {"name", "kind", "calls", "total_ms", "self_ms", "avg_ms", "total_percent", "self_percent"}
    assert sum(r["self_percent"] for r in s) == pytest.approx(100)
    assert json.loads(json.dumps(s)) == s                           # ready for a JSON report
    assert len(prof.summary(row_limit=2)) == 2


def test_three_lines_around_a_training_step():
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(10, 32), mt.nn.ReLU(), mt.nn.Linear(32, 2))
    opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = mt.randn(16, 10), mt.randint(0, 2, (16,))

    with mt.profiler.profile() as prof:
        opt.zero_grad(); mt.nn.functional.cross_entropy(model(x), y).backward(); opt.step()   # noqa: E702
    table = prof.key_averages().table(sort_by="total_time", row_limit=20)

    names = {e.key for e in prof.key_averages()}
    assert {"AddmmBackward0", "ReluBackward0", "torch::autograd::AccumulateGrad"} <= names
    assert backward_counts(prof.key_averages(), lambda n: n == "torch::autograd::AccumulateGrad") == {
        "torch::autograd::AccumulateGrad": 4}
    assert "AddmmBackward0" in table and len(table.splitlines()) <= 20 + 6


def test_profiler_is_off_outside_the_block_even_after_an_error():
    x = mt.ones(2, requires_grad=True)
    assert _profiling[0] is None
    with pytest.raises(RuntimeError):
        with profiler.profile() as prof:
            x * 2
            mt.ones(2) @ mt.ones(3)                                  # fails inside an op
    assert _profiling[0] is None
    n = len(prof.events())
    assert n >= 1 and prof._stack == [prof._stack[0]]                 # the failed op's frame was closed
    x * 3                                                            # not recorded any more
    assert len(prof.events()) == n


def test_profilers_do_not_nest_and_disabled_does_nothing():
    with profiler.profile():
        with pytest.raises(RuntimeError, match="already running"):
            profiler.profile().start()
    with profiler.profile(enabled=False) as prof:
        mt.ones(2) * 2
    assert prof.events() == [] and _profiling[0] is None


def test_start_stop_step_and_on_trace_ready():
    ready = []
    prof = profiler.profile(on_trace_ready=ready.append)
    prof.start()
    for _ in range(2):
        mt.ones(2) + 1
        prof.step()
    prof.stop()
    assert prof.step_num == 2 and ready == [prof]
    assert {e.key: e.count for e in prof.key_averages()} == {"Add": 2}


def test_record_function_labels_a_region():
    x = mt.ones(3, requires_grad=True)
    with profiler.profile() as prof:
        with profiler.record_function("my step"):
            time.sleep(0.005)
            (x * 2).sum().backward()

        @profiler.record_function("helper")
        def helper():
            return x + 1
        helper()
    rows = {r["name"]: r for r in prof.summary()}
    assert rows["my step"]["kind"] == "user" and rows["my step"]["total_ms"] >= 5
    assert rows["my step"]["total_percent"] == pytest.approx(100 * rows["my step"]["total_ms"] /
                                                             sum(r["self_ms"] for r in rows.values()))
    assert rows["helper"]["calls"] == 1
    muls = [e.depth for e in prof.events() if e.name == "Mul"]
    assert muls == [0, 1]             # x * 2 (a user region is not an op: depth 0), then grad * 2 in MulBackward0
    with profiler.record_function("no profiler"):                        # harmless without a profiler
        pass


def test_record_shapes_and_group_by_input_shape():
    with profiler.profile(record_shapes=True) as prof:
        mt.ones(2, 3) * 2
        mt.ones(4) * 2
        mt.ones(4) * 3
    groups = {(e.key, str(e.input_shapes)): e.count for e in prof.key_averages(group_by_input_shape=True)}
    assert groups == {("Mul", "[[2, 3], []]"): 1, ("Mul", "[[4], []]"): 2}
    assert "Input Shapes" in prof.key_averages(group_by_input_shape=True).table()


def test_export_chrome_trace(tmp_path):
    with profiler.profile() as prof:
        (mt.ones(2, requires_grad=True) * 2).sum().backward()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())["traceEvents"]
    assert {e["name"] for e in trace} >= {"Mul", "MulBackward0", "SumBackward0"}
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in trace)


def test_profiling_does_not_change_results():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 4)).astype(np.float32)

    def run():
        x = mt.tensor(a, requires_grad=True)
        y = (x.tanh() @ x.T).exp().sum(1).log().mean()
        (g,) = mt.autograd.grad(y, x, create_graph=True)
        g.pow(2).sum().backward()
        return y.item(), x.grad.numpy().copy()
    plain = run()
    with profiler.profile():
        profiled = run()
    assert plain[0] == profiled[0] and np.array_equal(plain[1], profiled[1])


def test_gpu_ops_are_synchronized_before_their_time_is_taken(monkeypatch):
    """With a (numpy-backed, FAKE) cupy: each op on a GPU tensor waits for its kernels; CPU ops never do."""
    import fake_cupy
    fake_cupy.install(device_count=1)
    try:
        synced = []
        real = mt._backend.synchronize
        monkeypatch.setattr(mt._backend, "synchronize", lambda dev=None: synced.append(dev) or real(dev))
        x = mt.ones(3, device="cuda", requires_grad=True)
        with profiler.profile() as prof:
            (x * 2).sum().backward()
        assert len(synced) == len(prof.events()) > 0 and all(str(d) == "cuda:0" for d in synced)
        synced.clear()
        with profiler.profile(synchronize=False):
            (x * 2).sum()
        with profiler.profile():
            (mt.ones(3) * 2).sum()
        assert synced == []
    finally:
        fake_cupy.uninstall()
