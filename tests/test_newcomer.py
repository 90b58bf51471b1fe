"""What a newcomer meets in the first hour: torch's messages for the usual mistakes, gradcheck on float32
inputs, the set-up script's usage, the missing-dependency messages, help() on the main entry points, the
progress line of long runs."""
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

import minitorch as mt

ROOT = Path(__file__).resolve().parent.parent


def _error(f):
    try:
        f()
    except Exception as e:           # noqa: BLE001 - the exception is what is compared
        return type(e), str(e)
    return None, None


def _both(make):
    """make(lib) raises in both libraries: same type, same message."""
    ours, theirs = _error(lambda: make(mt)), _error(lambda: make(torch))
    assert theirs[0] is not None, "the case must raise in torch"
    assert ours[0] is not None and ours[0].__name__ == theirs[0].__name__, (ours, theirs)
    assert ours[1] == theirs[1], (ours, theirs)


F = dict(f32="float32", f64="float64")

LINEAR_CASES = {
    # (input shape, input dtype, weight dtype, bias dtype or None)
    "float64 input, float32 layer": ((4, 3), "f64", "f32", "f32"),
    "float64 input, no bias": ((4, 3), "f64", "f32", None),
    "1-d input": ((3,), "f64", "f32", "f32"),
    "3-d input": ((2, 4, 3), "f64", "f32", "f32"),
    "3-d input, no bias": ((2, 4, 3), "f64", "f32", None),
    "float64 weight, no bias": ((4, 3), "f32", "f64", None),
    "float64 bias": ((4, 3), "f32", "f32", "f64"),
    "float64 weight and bias": ((4, 3), "f32", "f64", "f64"),
    "float64 input and bias": ((4, 3), "f64", "f32", "f64"),
    "1-d input, float64 weight": ((3,), "f32", "f64", "f32"),
    "3-d input, float64 bias": ((2, 5, 3), "f32", "f32", "f64"),
}


@pytest.mark.parametrize("case", LINEAR_CASES)
def test_linear_dtype_mismatch_says_what_torch_says(case):
    shape, xd, wd, bd = LINEAR_CASES[case]

    def make(T):
        x = T.ones(*shape, dtype=getattr(T, F[xd]))
        w = T.ones(2, 3, dtype=getattr(T, F[wd]))
        b = None if bd is None else T.ones(2, dtype=getattr(T, F[bd]))
        return T.nn.functional.linear(x, w, b)
    _both(make)


def test_linear_module_float64_input_message():
    mt.manual_seed(0)
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 must have the same dtype, but got Double "
                                                     "and Float")):
        mt.nn.Linear(3, 2)(mt.ones(4, 3, dtype=mt.float64))


@pytest.mark.parametrize("dtypes", [("f32", "f64", "f32"), ("f64", "f32", "f32"), ("f32", "f32", "f64"),
                                    ("f32", "f64", "f64"), ("f64", "f64", "f32")])
def test_addmm_refuses_mixed_dtypes_as_torch(dtypes):
    def make(T):
        s, a, b = (getattr(T, F[d]) for d in dtypes)
        return T.addmm(T.ones(2, dtype=s), T.ones(4, 3, dtype=a), T.ones(3, 2, dtype=b))
    _both(make)


INDEX_CASES = {
    "two index lists": lambda T: T.zeros(5, 5)[T.zeros(32, dtype=T.long), T.zeros(7, dtype=T.long)],
    "2-d and 1-d": lambda T: T.zeros(5, 5)[T.zeros(2, 3, dtype=T.long), T.zeros(4, dtype=T.long)],
    "three indices": lambda T: T.zeros(5, 5, 5)[T.zeros(2, 3, dtype=T.long), T.zeros(4, dtype=T.long),
                                                T.zeros(1, dtype=T.long)],
    "python lists": lambda T: T.zeros(5, 5)[[0, 1], [0, 1, 2]],
    "mask and index": lambda T: T.zeros(5, 5)[T.ones(5, dtype=T.bool), T.zeros(3, dtype=T.long)],
    "too many indices": lambda T: T.zeros(5)[T.zeros(2, dtype=T.long), T.zeros(2, dtype=T.long)],
    "too many ints": lambda T: T.zeros(5, 5)[0, 0, 0],
    "setitem": lambda T: T.zeros(5, 5).__setitem__((T.zeros(2, dtype=T.long), T.zeros(3, dtype=T.long)), 1.0),
    "index_put_": lambda T: T.zeros(5, 5).index_put_((T.zeros(2, dtype=T.long), T.zeros(3, dtype=T.long)),
                                                     T.tensor(1.0), accumulate=True),
    "setitem recorded": lambda T: T.zeros(5, 5, requires_grad=True).clone().__setitem__(
        (T.zeros(2, dtype=T.long), T.zeros(3, dtype=T.long)), 1.0),
}


@pytest.mark.parametrize("case", INDEX_CASES)
def test_indexing_shape_mismatch_says_what_torch_says(case):
    _both(INDEX_CASES[case])


# ---------------------------------------------------------------- gradcheck with a float32 input
def _gradcheck_both(make_inputs, f):
    """Run gradcheck in both libraries; return [(warnings, exception type, message)] for ours and torch's."""
    out = []
    for T in (mt, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            kind, msg = _error(lambda: T.autograd.gradcheck(f, make_inputs(T)))
        out.append(([str(x.message) for x in w if issubclass(x.category, UserWarning)], kind, msg))
    return out


@pytest.mark.parametrize("position", [0, 1, 2])
def test_gradcheck_float32_input_anywhere_warns_and_fails_as_torch(position):
    import numpy as np
    rng = np.random.default_rng(0)
    data = [rng.uniform(0.5, 1.5, 3) for _ in range(3)]

    def make_inputs(T):
        xs = [T.tensor(d, dtype=T.float64, requires_grad=True) for d in data]
        xs[position] = T.tensor(data[position], dtype=T.float32, requires_grad=True)
        return tuple(xs)

    def f(a, b, c):
        return (a.double() * b.double()).sin() + c.double()
    (ours_w, ours_t, ours_m), (torch_w, torch_t, torch_m) = _gradcheck_both(make_inputs, f)
    assert ours_w == torch_w and len(ours_w) == 1 and f"Input #{position}" in ours_w[0]
    assert "double precision" in ours_w[0]
    from minitorch.autograd.gradcheck import GradcheckError
    assert ours_t is GradcheckError
    assert ours_t.__name__ == torch_t.__name__ == "GradcheckError"
    assert issubclass(ours_t, RuntimeError)
    # torch's first line names the output and the input (among those requiring grad)
    assert ours_m.splitlines()[0] == torch_m.splitlines()[0] == \
        f"Jacobian mismatch for output 0 with respect to input {position},"
    assert ours_m.splitlines()[1].startswith("numerical:tensor(") and "analytical:tensor(" in ours_m


def test_gradcheck_counts_only_differentiable_outputs_and_inputs():
    def make_inputs(T):
        return (T.tensor([0.5, 1.0, 1.5], dtype=T.float64),
                T.tensor([0.5, 1.0, 1.5], dtype=T.float32, requires_grad=True))
    (ours_w, _, ours_m), (torch_w, _, torch_m) = _gradcheck_both(make_inputs, lambda z, y: (z * 2, y.sin()))
    assert ours_w == torch_w
    assert ours_m.splitlines()[0] == torch_m.splitlines()[0]


def test_gradcheck_error_importable_where_torch_has_it():
    from minitorch.autograd.gradcheck import GradcheckError
    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError
    assert GradcheckError.__mro__[1] is RuntimeError and TorchGradcheckError.__mro__[1] is RuntimeError


# ---------------------------------------------------------------- the profiler's optimizer rows
@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "AdamW"])
def test_profiler_names_the_optimizer_step_as_torch(opt_name):
    names = []
    for T in (mt, torch):
        T.manual_seed(0)
        model = T.nn.Linear(4, 2)
        opt = getattr(T.optim, opt_name)(model.parameters(), lr=0.1)
        x = T.ones(3, 4)
        with T.profiler.profile() as prof:
            opt.zero_grad()
            model(x).sum().backward()
            opt.step()
        names.append({e.key for e in prof.key_averages() if e.key.startswith("Optimizer.")})
    assert names[0] == names[1] == {f"Optimizer.step#{opt_name}.step", f"Optimizer.zero_grad#{opt_name}.zero_grad"}
    # outside a profiler nothing is recorded and step still works
    model = mt.nn.Linear(4, 2)
    opt = getattr(mt.optim, opt_name)(model.parameters(), lr=0.1)
    model(mt.ones(3, 4)).sum().backward()
    before = model.weight.detach().clone()
    opt.step()
    assert not mt.equal(before, model.weight.detach())


# ---------------------------------------------------------------- help() on the main entry points
def _entry_points():
    import minitorch.optim as optim
    out = {"Tensor.backward": mt.Tensor.backward, "autograd.grad": mt.autograd.grad,
           "autograd.backward": mt.autograd.backward, "autograd.Function": mt.autograd.Function,
           "nn.Module": mt.nn.Module, "utils.data.DataLoader": mt.utils.data.DataLoader}
    for name in dir(optim):
        obj = getattr(optim, name)
        if isinstance(obj, type) and issubclass(obj, optim.Optimizer):
            out[f"optim.{name}"] = obj
    return out


@pytest.mark.parametrize("name", sorted(_entry_points()))
def test_entry_points_have_docstrings_that_point_to_the_docs(name):
    import inspect
    doc = inspect.getdoc(_entry_points()[name]) or ""
    assert len(doc.splitlines()) >= 10, f"help({name}) is {len(doc.splitlines())} lines"
    chapters = re.findall(r"docs/[\w.-]+\.md", doc)
    assert chapters, f"help({name}) names no docs chapter"
    for c in chapters:
        assert (ROOT / c).is_file(), f"help({name}) points to {c}, which does not exist"
    if name.startswith("optim.") and name != "optim.Optimizer":
        assert "Example::" in doc


def test_grad_refuses_is_grads_batched():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="is_grads_batched"):
        mt.autograd.grad(x * x, x, mt.eye(2), is_grads_batched=True)
    assert mt.autograd.grad((x * x).sum(), x, is_grads_batched=False)[0].tolist() == [2.0, 4.0]


# ---------------------------------------------------------------- run.py and missing dependencies
def test_run_py_refuses_an_unknown_command_with_the_usage():
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "bogus"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stdout == ""
    assert "unknown command 'bogus'" in r.stderr
    for command in ("compare", "compare --full", "test", "setup"):
        assert f"python3 run.py {command} " in r.stderr
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "torch==2.13.0" in r.stdout and "python3 run.py setup" in r.stdout


def test_benchmarks_without_torch_says_how_to_set_up():
    code = ("import sys, runpy; sys.modules['torch'] = None; sys.argv = ['benchmarks', '--quick']; "
            "runpy.run_module('benchmarks', run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "'torch' is not installed" in r.stderr
    assert "python3 run.py compare" in r.stderr


def test_cuda_hint_installs_the_extra_from_the_clone():
    from minitorch import _backend
    import inspect
    src = inspect.getsource(_backend)
    assert 'pip install -e \\".[cuda]\\"' in src and "pip install minitorch[cuda]" not in src


# ---------------------------------------------------------------- progress bars
class _Tty(__import__("io").StringIO):
    def isatty(self):
        return True


def test_progress_plain_in_a_log_writes_one_final_line():
    import io
    from minitorch.utils.progress import progress, PlainProgress
    log = io.StringIO()
    bar = progress(range(4), desc="epoch 1", file=log)
    assert isinstance(bar, PlainProgress)
    for _ in bar:
        bar.set_postfix(loss=0.25)
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("epoch 1 100%|") and "4/4 [" in lines[0]
    assert lines[0].endswith(", loss=0.25]")


def test_progress_manual_updates_with_an_estimated_time(monkeypatch):
    from minitorch.utils.progress import progress
    monkeypatch.setenv("MINITORCH_PROGRESS", "plain")
    tty = _Tty()
    with progress(total=10, desc="benchmarks", file=tty, min_interval=0) as bar:
        bar.update(3)
        assert re.search(r"benchmarks  30%\|#+ +\| 3/10 \[\d\d:\d\d<\d\d:\d\d, ", bar.line())
        bar.update(7)
    text = tty.getvalue()
    assert text.count("\r\033[K") >= 2 and "10/10" in text and text.endswith("\n")


def test_progress_uses_tqdm_on_a_terminal_when_installed(monkeypatch):
    import types
    from minitorch.utils.progress import progress, PlainProgress
    made = []

    class FakeTqdm:
        def __init__(self, iterable=None, **kwargs):
            made.append(kwargs)
    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    monkeypatch.delenv("MINITORCH_PROGRESS", raising=False)
    assert isinstance(progress(range(3), desc="x", file=_Tty()), FakeTqdm)
    assert made[0]["desc"] == "x"
    import io
    assert isinstance(progress(range(3), file=io.StringIO()), PlainProgress)     # a log: never tqdm's redraws
    monkeypatch.setenv("MINITORCH_PROGRESS", "plain")
    assert isinstance(progress(range(3), file=_Tty()), PlainProgress)
    monkeypatch.setenv("MINITORCH_PROGRESS", "0")
    tty = _Tty()
    assert list(progress(range(3), file=tty)) == [0, 1, 2] and tty.getvalue() == ""
