"""The device model (issue 6), tested without a GPU.

- ``minitorch.device`` against ``torch.device``: repr, str, equality, hashing, errors.
- No GPU: with cupy unimportable, everything on the CPU works, ``cuda.is_available()``
  is False, and asking for CUDA gives torch's "Torch not compiled with CUDA enabled"
  with minitorch's hint, never a cupy traceback; nothing imports cupy uninvited.
- Dispatch: with ``tests/fake_cupy.py`` (a numpy-backed FAKE cupy, see its docstring:
  it checks the plumbing, not a GPU) in place of cupy, CUDA tensors hold arrays of
  a non-numpy type, ops dispatch to that module, and a training-like run gives the
  CPU run's numbers; errors for mixed devices and ``.numpy()`` are torch's.
- No op or layer module imports numpy or cupy directly (only through ``_backend``).

The tests on a real GPU are the parity suites with the ``device`` fixture (conftest).
"""
import ast
import importlib.util
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import _backend

sys.path.insert(0, os.path.dirname(__file__))
import fake_cupy  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MSG_MIXED = "Expected all tensors to be on the same device, but found at least two devices, {} and {}!"
MSG_NUMPY = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
             "memory first.")


def _outcome(fn):
    """(kind, text): the value's repr/str, or the error's type and message."""
    try:
        d = fn()
    except Exception as e:  # noqa: BLE001 - the error is the result under test
        msg = str(e)
        if msg.startswith("Expected one of "):   # torch lists its many device types; we list cpu, cuda
            msg = "Expected one of ... " + msg.split(" device type at start of device string: ")[1]
        if type(e) is TypeError:                  # torch's argument-parser wording differs; the type is the spec
            msg = ""
        return ("error", type(e).__name__, msg)
    return ("ok", repr(d), str(d), d.type, d.index)


# ---------------------------------------------------------------- device objects vs torch.device
DEVICE_ARGS = [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("cpu:0",), ("cuda", 1), ("cuda", 0), ("cpu", 0),
               ("cuda", None), ("gpu",), ("CUDA",), ("gpu:0",), ("cuda:x",), ("cuda:-1",), ("cuda:01",),
               ("cuda:",), (" cuda",), ("cuda:0 ",), ("cuda:0:1",), ("cuda:+1",), ("",), ("cuda", -1),
               ("cuda:0", 0), ("cpu", 1.5), ("cuda", True), (None,), (1.0,)]


@pytest.mark.parametrize("args", DEVICE_ARGS, ids=repr)
def test_device_construction_matches_torch(args):
    assert _outcome(lambda: mt.device(*args)) == _outcome(lambda: torch.device(*args))


def test_device_keywords_and_copies():
    assert repr(mt.device(type="cuda", index=2)) == repr(torch.device(type="cuda", index=2))
    assert mt.device(mt.device("cuda:1")) == mt.device("cuda", 1)
    assert repr(mt.device(1)) == "device(type='cuda', index=1)"      # torch: cuda:1 when CUDA is present


def test_device_equality_and_hash_match_torch():
    specs = ["cpu", "cpu:0", "cuda", "cuda:0", "cuda:1"]
    for a in specs:
        for b in specs:
            assert (mt.device(a) == mt.device(b)) == (torch.device(a) == torch.device(b)), (a, b)
            assert (mt.device(a) != mt.device(b)) == (torch.device(a) != torch.device(b)), (a, b)
        # like torch, a device is not equal to its string (compare .type instead)
        assert (mt.device(a) == a) == (torch.device(a) == a)
        assert (a == mt.device(a)) == (a == torch.device(a))
    assert len({mt.device("cuda:0"), mt.device("cuda", 0), mt.device("cuda")}) == 2
    assert mt.device("cpu") != 1


def test_device_is_immutable_and_pickles():
    d = mt.device("cuda:1")
    with pytest.raises(AttributeError):
        d.type = "cpu"
    with pytest.raises(AttributeError):
        d.index = 0
    for spec in ("cpu", "cuda", "cuda:3"):
        assert pickle.loads(pickle.dumps(mt.device(spec))) == mt.device(spec)


def test_cpu_tensor_device():
    t = mt.zeros(2)
    ref = torch.zeros(2)
    assert repr(t.device) == repr(ref.device) and str(t.device) == str(ref.device)
    assert t.device == mt.device("cpu") and t.device.type == "cpu" and not t.is_cuda
    assert mt.zeros(2, device="cpu:0").device == mt.device("cpu")
    assert mt.zeros(2, device=mt.device("cpu")).device.type == "cpu"
    assert t.cpu() is t and t.to("cpu") is t and t.to(mt.device("cpu")) is t
    assert t.type() == "torch.FloatTensor"
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda device type"):
        t.to("gpu")
    with pytest.raises(RuntimeError, match="Invalid device, must be cuda device"):
        t.cuda(mt.device("cpu"))


FACTORIES_WITH_DEVICE = ["tensor", "as_tensor", "asarray", "zeros", "ones", "empty", "full", "zeros_like",
                         "ones_like", "empty_like", "full_like", "arange", "range", "linspace", "logspace", "eye",
                         "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
                         "normal"]


@pytest.mark.parametrize("name", FACTORIES_WITH_DEVICE)
def test_factories_take_device(name):
    import inspect
    assert "device" in inspect.signature(getattr(mt, name)).parameters


# ---------------------------------------------------------------- no GPU
def _run(code, block_cupy=True):
    """Run ``code`` in a fresh interpreter (cupy made unimportable unless told otherwise); return stdout."""
    prelude = "import sys\nsys.modules['cupy'] = None\nsys.modules['cupyx'] = None\n" if block_cupy else ""
    r = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_cpu_only_install_works_without_cupy():
    out = _run("""
        import minitorch as mt
        x = mt.randn(4, 3, requires_grad=True)
        w = mt.randn(3, 2, requires_grad=True)
        loss = (x @ w).relu().sum()
        loss.backward()
        assert x.grad.shape == (4, 3) and w.grad.device == mt.device('cpu')
        assert mt.zeros(2, device='cpu').tolist() == [0.0, 0.0]
        assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
        assert mt.cuda.is_initialized() is False
        mt.cuda.manual_seed(3); mt.cuda.manual_seed_all(3)          # fine without a GPU, as in torch
        assert mt.cuda.memory_allocated() == 0 and mt.cuda.max_memory_allocated() == 0
        mt.cuda.reset_peak_memory_stats(); mt.cuda.empty_cache()
        fails = [
            lambda: x.cuda(), lambda: x.to('cuda'), lambda: x.to('cuda:0'), lambda: mt.zeros(2, device='cuda'),
            lambda: mt.randn(2, device='cuda'), lambda: mt.tensor([1.0], device='cuda'),
            lambda: mt.arange(3, device='cuda'), lambda: mt.cuda.current_device(),
            lambda: mt.cuda.get_device_name(), lambda: mt.cuda.synchronize(), lambda: mt.cuda.init(),
            lambda: mt.cuda.FloatTensor(2), lambda: mt.cuda.initial_seed(),
        ]
        for f in fails:
            try:
                f()
            except AssertionError as e:
                msg = str(e)
                assert msg.startswith('Torch not compiled with CUDA enabled'), msg
                assert 'cupy is not installed' in msg and 'pip install -e ".[cuda]"' in msg, msg
                assert e.__cause__ is None and (e.__context__ is None or e.__suppress_context__), 'chained'
            else:
                raise SystemExit('no error')
        print('ok')
    """)
    assert out.strip() == "ok"


def test_import_and_cpu_work_do_not_import_cupy():
    out = _run("""
        import sys
        import minitorch as mt
        x = mt.randn(3, 3, requires_grad=True)
        (x.exp() @ x).sum().backward()
        mt.manual_seed(0); mt.cuda.manual_seed(0)
        print(sorted(m for m in sys.modules if m.split('.')[0] in ('cupy', 'cupyx')))
    """, block_cupy=False)
    assert out.strip() == "[]"


@pytest.fixture
def no_device_cupy():
    """cupy imports, but no device answers (a GPU wheel on a machine without a GPU or driver)."""
    fake_cupy.install(device_count=0)
    yield
    fake_cupy.uninstall()


def test_cupy_without_device(no_device_cupy):
    assert mt.cuda.is_available() is False and mt.cuda.device_count() == 0
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled") as e:
        mt.ones(2).cuda()
    assert "no CUDA device answers" in str(e.value) and "cudaErrorNoDevice" in str(e.value)
    assert mt.ones(2).sum().item() == 2.0


def _real_cupy_installed():
    if getattr(sys.modules.get("cupy"), "__is_fake__", False):
        return False                     # the fake-CUDA mode of tests/harness.py has put the fake in place
    try:
        return importlib.util.find_spec("cupy") is not None
    except ValueError:
        return False


@pytest.mark.skipif(not _real_cupy_installed(), reason="real cupy is not installed here")
def test_real_cupy_answers_without_raising():
    _backend._reset_for_tests()
    avail = mt.cuda.is_available()
    assert isinstance(avail, bool) and mt.cuda.device_count() >= (1 if avail else 0)
    if not avail:
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            mt.ones(2).cuda()


# ---------------------------------------------------------------- op modules use the backend door only
FORBIDDEN = ("numpy", "cupy", "cupyx")


def _direct_imports(path):
    """(line, module) of every numpy/cupy import in a file, at any depth, including __import__/import_module."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str):
            fn = node.func
            fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if fname in ("__import__", "import_module"):
                names = [node.args[0].value]
        for n in names:
            if n.split(".")[0] in FORBIDDEN:
                found.append((node.lineno, n))
    return found


def _modules_under(*parts):
    files = []
    for part in parts:
        base = os.path.join(ROOT, "minitorch", part)
        for dirpath, _, filenames in os.walk(base):
            files += [os.path.join(dirpath, f) for f in filenames if f.endswith(".py")]
    return sorted(files)


def test_op_and_layer_modules_do_not_import_numpy_or_cupy():
    files = _modules_under("ops", "nn", "optim") + [os.path.join(ROOT, "minitorch", "_kernels.py")]
    assert any(f.endswith(os.path.join("ops", "elementwise.py")) for f in files)
    bad = {os.path.relpath(f, ROOT): imp for f in files if (imp := _direct_imports(f))}
    assert not bad, f"import numpy/cupy only through minitorch._backend: {bad}"


def test_the_import_checker_sees_imports(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import os\nimport numpy as np\ndef f():\n    import cupyx\n    from cupy import cuda\n"
                 "    __import__('numpy.linalg')\nfrom minitorch import _backend\n")
    assert [n for _, n in _direct_imports(str(p))] == ["numpy", "cupyx", "cupy", "numpy.linalg"]


# ---------------------------------------------------------------- dispatch through a fake cupy
@pytest.fixture
def cuda():
    """minitorch with the FAKE cupy of tests/fake_cupy.py as its GPU (one device)."""
    cp = fake_cupy.install(device_count=1)
    yield cp
    fake_cupy.uninstall()


@pytest.fixture
def cuda2():
    """As ``cuda``, with two fake devices."""
    cp = fake_cupy.install(device_count=2)
    yield cp
    fake_cupy.uninstall()


def _on_fake(t, index=0):
    return type(t._data) is fake_cupy.ndarray and t._data.device.id == index


def test_fake_cupy_refuses_what_cupy_refuses(cuda):
    a = cuda.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.ones(2)
    with pytest.raises(TypeError, match="Unsupported type"):
        cuda.exp(np.ones(2))
    assert type(a.sum()) is fake_cupy.ndarray and a.sum().ndim == 0
    assert type(a + np.float32(1)) is fake_cupy.ndarray
    assert not isinstance(a, np.ndarray) and isinstance(a.get(), np.ndarray)
    with pytest.raises(AttributeError):
        cuda.fromregex                              # a numpy function cupy does not have
    with pytest.raises(TypeError, match="scatter_add only supports"):
        sys.modules["cupyx"].scatter_add(cuda.zeros(3, dtype=np.int64), cuda.asarray([0, 0]), 1)


def test_availability_and_device_queries(cuda):
    assert mt.cuda.is_available() is True and mt.cuda.device_count() == 1 and mt.cuda.is_initialized()
    assert mt.cuda.current_device() == 0
    assert "Fake cupy device" in mt.cuda.get_device_name() and mt.cuda.get_device_name(0)
    assert mt.cuda.get_device_capability() == (9, 0)
    assert "Fake cupy device" in repr(mt.cuda.get_device_properties(0))
    mt.cuda.synchronize()
    mt.cuda.synchronize("cuda:0")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        mt.cuda.get_device_name(3)


def test_cuda_and_cpu_round_trip(cuda):
    x = mt.randn(3, 4)
    y = x.cuda()
    assert _on_fake(y) and not isinstance(y._data, np.ndarray)
    assert y.device == mt.device("cuda", 0) and y.is_cuda and y.device.type == "cuda"
    assert repr(y.device) == "device(type='cuda', index=0)" and str(y.device) == "cuda:0"
    assert "device='cuda:0'" in repr(y)
    assert y.type() == "torch.cuda.FloatTensor"
    assert y.cuda() is y and y.to("cuda") is y and y.to("cuda:0") is y and y.to(0) is y
    back = y.cpu()
    assert type(back._data) is np.ndarray and back.device == mt.device("cpu")
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    assert back._data is not x._data                   # a real copy came back
    for z in (x.to("cuda"), x.to(mt.device("cuda")), x.to(device="cuda:0"), x.cuda(0), x.cuda("cuda:0"),
              x.to(y)):
        assert _on_fake(z)
        np.testing.assert_array_equal(z.cpu().numpy(), x.numpy())


def test_to_with_dtype_and_device(cuda):
    x = mt.arange(6).reshape(2, 3)
    cases = [(x.to("cuda", mt.float64), mt.float64), (x.to(device="cuda", dtype=mt.float16), mt.float16),
             (x.to(mt.float32).cuda(), mt.float32), (x.cuda().to(mt.int32), mt.int32),
             (x.to(mt.zeros(1, dtype=mt.float64).cuda()), mt.float64)]
    for t, dt in cases:
        assert _on_fake(t) and t.dtype == dt
        np.testing.assert_array_equal(t.cpu().numpy(), x.numpy().astype(dt.np))
    z = x.cuda().to("cpu", mt.float64)
    assert type(z._data) is np.ndarray and z.dtype == mt.float64
    c = x.cuda()
    assert c.to("cuda", copy=True) is not c and c.to(mt.int64) is c


def test_numpy_of_a_cuda_tensor_is_torchs_error(cuda):
    y = mt.ones(2).cuda()
    with pytest.raises(TypeError) as e:
        y.numpy()
    assert str(e.value) == MSG_NUMPY
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(y)
    np.testing.assert_array_equal(y.numpy(force=True), np.ones(2, np.float32))
    assert y.tolist() == [1.0, 1.0] and y.sum().item() == 2.0 and float(y[0]) == 1.0


@pytest.mark.parametrize("op", ["add", "radd", "mul", "matmul", "cat", "where", "maximum", "sub_"])
def test_mixing_cpu_and_cuda_is_torchs_error(cuda, op):
    g, c = mt.ones(2, 2).cuda(), mt.ones(2, 2)
    fns = {"add": lambda a, b: a + b, "radd": lambda a, b: b + a, "mul": lambda a, b: a * b,
           "matmul": lambda a, b: a @ b, "cat": lambda a, b: mt.cat([a, b]),
           "where": lambda a, b: mt.where(a > 0, a, b), "maximum": lambda a, b: mt.maximum(a, b),
           "sub_": lambda a, b: a.sub_(b)}
    with pytest.raises(RuntimeError) as e:
        fns[op](g, c)
    assert str(e.value) == MSG_MIXED.format("cuda:0", "cpu")


def test_mixing_two_gpus_is_torchs_error(cuda2):
    a, b = mt.ones(2).to("cuda:0"), mt.ones(2).to("cuda:1")
    with pytest.raises(RuntimeError) as e:
        a + b
    assert str(e.value) == MSG_MIXED.format("cuda:0", "cuda:1")


def test_factories_on_cuda_match_cpu(cuda):
    makers = {
        "zeros": lambda d: mt.zeros(2, 3, device=d), "ones": lambda d: mt.ones((2, 3), dtype=mt.int64, device=d),
        "full": lambda d: mt.full((2,), 7.5, device=d), "empty": lambda d: mt.empty(0, 2, device=d),
        "arange": lambda d: mt.arange(1, 10, 2, device=d), "arange_f": lambda d: mt.arange(0, 1, 0.25, device=d),
        "linspace": lambda d: mt.linspace(-1, 1, 7, device=d), "logspace": lambda d: mt.logspace(0, 2, 3, device=d),
        "eye": lambda d: mt.eye(3, 2, device=d), "range": lambda d: mt.range(0, 3, device=d),
        "tensor": lambda d: mt.tensor([[1, 2], [3, 4]], dtype=mt.float64, device=d),
        "tensor_np": lambda d: mt.tensor(np.arange(4, dtype=np.int32), device=d),
        "as_tensor": lambda d: mt.as_tensor([1.5, 2.5], device=d), "asarray": lambda d: mt.asarray([1, 2], device=d),
        "zeros_like": lambda d: mt.zeros_like(mt.ones(2), device=d),
        "full_like": lambda d: mt.full_like(mt.ones(2, dtype=mt.int32), 3, device=d),
        "legacy": lambda d: mt.Tensor(2, 3, device=d),
    }
    for name, make in makers.items():
        g, c = make("cuda"), make("cpu")
        assert _on_fake(g), name
        assert g.dtype == c.dtype and g.shape == c.shape, name
        np.testing.assert_array_equal(g.cpu().numpy(), c.numpy(), err_msg=name)
    like = mt.ones(2, 2).cuda()
    for f in (mt.zeros_like, mt.ones_like, mt.empty_like, mt.rand_like, mt.randn_like):
        assert _on_fake(f(like)) and f(like).shape == (2, 2)
    assert _on_fake(mt.randint_like(like, 5)) and _on_fake(like.new_zeros(3)) and _on_fake(like.new_tensor([1.0]))
    assert _on_fake(mt.zeros_like(like, device="cuda")) and not _on_fake(mt.zeros_like(like, device="cpu"))
    assert mt.cuda.FloatTensor(2, 3).is_cuda and mt.cuda.LongTensor([1, 2]).dtype == mt.int64
    assert isinstance(mt.cuda.FloatTensor(2), mt.cuda.FloatTensor) and not isinstance(mt.ones(2), mt.cuda.FloatTensor)


def test_tensor_from_cuda_data_stays_on_the_device(cuda):
    g = mt.arange(4.0).cuda()
    t = mt.tensor(g)
    assert _on_fake(t) and t._data is not g._data
    np.testing.assert_array_equal(t.cpu().numpy(), [0, 1, 2, 3])
    assert not _on_fake(mt.tensor(g, device="cpu"))
    shared = mt.as_tensor(g._data)                # a cupy array is shared, as torch shares __cuda_array_interface__
    assert shared._data is g._data and _on_fake(shared)


def test_random_on_cuda(cuda):
    def draws():
        return [mt.rand(3, device="cuda"), mt.randn(2, 2, device="cuda", dtype=mt.float64),
                mt.randint(0, 10, (5,), device="cuda"), mt.randperm(6, device="cuda"),
                mt.normal(0.0, 1.0, (3,), device="cuda"), mt.randn(2, device="cuda", dtype=mt.float16),
                mt.ones(4, device="cuda").uniform_(), mt.ones(4, device="cuda").normal_(),
                mt.bernoulli(mt.full((4,), 0.5, device="cuda"))]
    mt.manual_seed(7)
    a = draws()
    mt.manual_seed(7)
    b = draws()
    for x, y in zip(a, b):
        assert _on_fake(x) and x.dtype == y.dtype
        np.testing.assert_array_equal(x.cpu().numpy(), y.cpu().numpy())
    assert [x.dtype for x in a[:6]] == [mt.float32, mt.float64, mt.int64, mt.int64, mt.float32, mt.float16]
    r = a[0].cpu().numpy()
    assert ((0 <= r) & (r < 1)).all()
    ints = a[2].cpu().numpy()
    assert ((0 <= ints) & (ints < 10)).all()
    assert sorted(a[3].tolist()) == list(range(6))
    # cuda.manual_seed seeds the CUDA numbers alone, and CUDA draws leave the CPU stream alone
    mt.cuda.manual_seed(3)
    c1 = mt.randn(4, device="cuda")
    mt.manual_seed(0)
    cpu1 = mt.randn(4)
    mt.cuda.manual_seed(3)
    mt.manual_seed(0)
    mt.cuda.manual_seed(3)
    c2 = mt.randn(4, device="cuda")
    cpu2 = mt.randn(4)
    np.testing.assert_array_equal(c1.cpu().numpy(), c2.cpu().numpy())
    np.testing.assert_array_equal(cpu1.numpy(), cpu2.numpy())
    assert mt.cuda.initial_seed() == 3


def test_gradients_flow_across_devices(cuda):
    x = mt.randn(3, requires_grad=True)
    y = x.cuda() * 2
    assert y.grad_fn.name() == "MulBackward0" and y.grad_fn.next_functions[0][0].name() == "ToCopyBackward0"
    z = y.cpu().sum()
    z.backward()
    assert type(x.grad._data) is np.ndarray
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2, np.float32))
    g = mt.randn(3, device="cuda", requires_grad=True)
    (g.cpu() ** 2).sum().backward()
    assert _on_fake(g.grad)
    np.testing.assert_allclose(g.grad.cpu().numpy(), 2 * g.detach().cpu().numpy())


def test_training_steps_on_cuda_match_cpu(cuda):
    """An MLP trained for a few SGD steps on the fake GPU gives the CPU run's numbers (the same numpy does both)."""
    rng = np.random.default_rng(0)
    data = {k: rng.standard_normal(s).astype(np.float32) for k, s in
            {"x": (16, 5), "w1": (5, 8), "b1": (8,), "w2": (8, 3), "t": (16, 3)}.items()}
    labels = rng.integers(0, 3, 16)

    def run(dev):
        p = {k: mt.tensor(data[k], device=dev, requires_grad=k in ("w1", "b1", "w2")) for k in data}
        y = mt.tensor(labels, device=dev)
        losses = []
        for _ in range(3):
            h = (p["x"] @ p["w1"] + p["b1"]).relu()
            out = h @ p["w2"]
            logp = out - out.exp().sum(1, keepdim=True).log()
            loss = -logp[mt.arange(16, device=dev), y].mean() + ((out - p["t"]) ** 2).mean() * 0.1
            for k in ("w1", "b1", "w2"):
                p[k].grad = None
            loss.backward()
            with mt.no_grad():
                for k in ("w1", "b1", "w2"):
                    assert p[k].grad.device == p[k].device
                    p[k] -= 0.1 * p[k].grad
            losses.append(loss.item())
        return losses, {k: p[k].detach().cpu().numpy() for k in ("w1", "b1", "w2")}

    gl, gp = run("cuda")
    cl, cp_ = run("cpu")
    np.testing.assert_allclose(gl, cl, rtol=1e-6)
    for k in gp:
        np.testing.assert_allclose(gp[k], cp_[k], rtol=1e-6, atol=1e-7)


def test_indexing_ops_on_cuda_match_cpu(cuda):
    x = mt.arange(12.0).reshape(3, 4)
    idx = mt.tensor([0, 2, 0, 0])
    g = x.cuda().requires_grad_()
    c = x.clone().requires_grad_()
    for t, i in ((g, idx.cuda()), (c, idx)):
        (t[i] * mt.arange(4.0, device=t.device)[:, None]).sum().backward()   # repeated rows accumulate
    np.testing.assert_array_equal(g.grad.cpu().numpy(), c.grad.numpy())
    g, c = g.detach(), c.detach()
    np.testing.assert_array_equal(g[g > 5].cpu().numpy(), c[c > 5].numpy())
    np.testing.assert_array_equal(g[:, [1, 3]].cpu().numpy(), c[:, [1, 3]].numpy())
    g[idx.cuda(), 1] = 0.5
    c[idx, 1] = 0.5
    np.testing.assert_array_equal(g.cpu().numpy(), c.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"])
def test_scatter_add_on_cuda_matches_numpy(cuda, dtype):
    out = np.zeros(5, dtype)
    key = (np.array([0, 1, 1, 4, 4, 4]),)
    vals = np.array([1, 2, 3, 1, 1, 1]).astype(dtype)
    ref = out.copy()
    np.add.at(ref, key, vals)
    dev = cuda.asarray(out)
    _backend.add_at(dev, (cuda.asarray(key[0]),), cuda.asarray(vals))
    np.testing.assert_array_equal(dev.get(), ref)


def test_two_devices(cuda2):
    assert mt.cuda.device_count() == 2
    x = mt.arange(3.0)
    a = x.to("cuda:1")
    assert _on_fake(a, 1) and a.device == mt.device("cuda", 1) and "device='cuda:1'" in repr(a)
    b = a.to("cuda:0")
    assert _on_fake(b, 0)
    np.testing.assert_array_equal(b.cpu().numpy(), [0, 1, 2])
    assert _on_fake(mt.zeros(2, device="cuda:1"), 1) and _on_fake(mt.randn(2, device="cuda:1"), 1)
    with mt.cuda.device(1):
        assert mt.cuda.current_device() == 1
        assert _on_fake(mt.zeros(2, device="cuda"), 1) and _on_fake(x.cuda(), 1)
        np.testing.assert_array_equal((a * 2).cpu().numpy(), [0, 2, 4])     # ops run on the current device
    assert mt.cuda.current_device() == 0
    mt.cuda.set_device(1)
    assert mt.ones(1, device="cuda").device == mt.device("cuda:1")
    mt.cuda.set_device(0)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        x.to("cuda:2")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        mt.zeros(1, device="cuda:5")


def test_memory_statistics(cuda):
    mt.cuda.reset_peak_memory_stats()
    base = mt.cuda.memory_allocated()
    assert mt.cuda.max_memory_allocated() == base
    big = mt.zeros(1 << 18, device="cuda")            # 1 MiB
    assert mt.cuda.memory_allocated() >= base + big.nbytes
    del big
    assert mt.cuda.memory_allocated() == base
    assert mt.cuda.max_memory_allocated() >= base + (1 << 20)
    assert mt.cuda.memory_reserved() >= mt.cuda.memory_allocated()
    mt.cuda.reset_peak_memory_stats()
    assert mt.cuda.max_memory_allocated() == mt.cuda.memory_allocated()
    mt.cuda.empty_cache()


# ---------------------------------------------------------------- every op family, dispatched through the fake
def _idx(a, values):
    return mt.tensor(values, device=a.device)


def _setitem(a, b):
    c = a.detach().clone()
    c[0] = b[1].detach()
    c[:, 1] = 0.0
    c[c > 1] = 2.0
    c[_idx(a, [1, 2])] += 1.0
    return c


_POS = ("log", "sqrt", "rsqrt", "log2", "log10", "log1p", "reciprocal")
UNARY = ["exp", "log", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "neg", "sign",
         "floor", "ceil", "round", "trunc", "frac", "reciprocal", "square", "exp2", "expm1", "log2", "log10",
         "log1p", "atan", "sinh", "cosh", "isnan", "isinf", "isfinite", "signbit"]
OPS = {n: (lambda n: lambda a, b: getattr(mt, n)(a.abs() + 0.5 if n in _POS else a))(n) for n in UNARY}
OPS.update({
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "pow": lambda a, b: a.abs() ** b, "maximum": mt.maximum, "minimum": mt.minimum, "fmod": mt.fmod,
    "remainder": mt.remainder, "floordiv": lambda a, b: a.detach() // b.detach(), "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b, "where": lambda a, b: mt.where(a > 0, a, b), "lerp": lambda a, b: mt.lerp(a, b, 0.3),
    "clamp": lambda a, b: a.clamp(-0.5, 0.5), "clamp_t": lambda a, b: a.clamp(min=b),
    "scalars": lambda a, b: 2 * a - 1 / (a.abs() + 1) + a ** 2, "sum": lambda a, b: a.sum(),
    "sum1": lambda a, b: a.sum(1, keepdim=True), "mean": lambda a, b: a.mean(0), "var": lambda a, b: a.var(1),
    "std": lambda a, b: a.std(), "max": lambda a, b: a.max(), "max1": lambda a, b: a.max(1)[0],
    "argmax": lambda a, b: a.argmax(1), "min1": lambda a, b: a.min(0).values, "amax": lambda a, b: a.amax(1),
    "logsumexp": lambda a, b: a.logsumexp(1), "prod": lambda a, b: a.prod(1), "cumsum": lambda a, b: a.cumsum(1),
    "norm": lambda a, b: a.norm(), "all": lambda a, b: (a > -5).all(), "any": lambda a, b: (a > 0).any(1),
    "sort": lambda a, b: a.sort(1)[0], "argsort": lambda a, b: a.argsort(1), "topk": lambda a, b: a.topk(2, 1)[0],
    "count_nonzero": lambda a, b: mt.count_nonzero(a > 0), "reshape": lambda a, b: a.reshape(2, 6),
    "view": lambda a, b: a.view(4, 3), "t": lambda a, b: a.t(), "permute": lambda a, b: a.permute(1, 0),
    "unsqueeze": lambda a, b: a.unsqueeze(1).squeeze(1), "flatten": lambda a, b: a.flatten(),
    "cat": lambda a, b: mt.cat([a, b], 1), "stack": lambda a, b: mt.stack([a, b]),
    "split": lambda a, b: a.split(2, 1)[1], "chunk": lambda a, b: a.chunk(2)[0], "flip": lambda a, b: a.flip(0),
    "narrow": lambda a, b: a.narrow(1, 1, 2), "expand": lambda a, b: a[:, :1].expand(3, 4),
    "repeat": lambda a, b: a.repeat(2, 1), "tile": lambda a, b: mt.tile(a, (1, 2)),
    "repeat_interleave": lambda a, b: a.repeat_interleave(2, dim=0), "contiguous": lambda a, b: a.t().contiguous(),
    "slice": lambda a, b: a[1:, ::2], "list_index": lambda a, b: a[[0, 2, 2]], "mask": lambda a, b: a[a > 0],
    "tensor_index": lambda a, b: a[_idx(a, [1, 1])],
    "index_select": lambda a, b: a.index_select(1, _idx(a, [0, 3, 3])),
    "gather": lambda a, b: a.gather(1, _idx(a, [[0], [1], [3]])), "masked_fill": lambda a, b: a.masked_fill(a > 0, 0.0),
    "scatter": lambda a, b: mt.zeros(3, 5, device=a.device).scatter(1, _idx(a, [[0], [1], [3]]), a[:, :1]),
    "scatter_add": lambda a, b: mt.zeros(3, 5, device=a.device).scatter_add(1, _idx(a, [[0, 0], [1, 1], [3, 3]]),
                                                                            a[:, :2]),
    "take": lambda a, b: mt.take(a, _idx(a, [0, 5, 5])), "nonzero": lambda a, b: (a > 0).nonzero(),
    "masked_select": lambda a, b: a.masked_select(a > 0),
    "index_put_acc": lambda a, b: a.clone().index_put_((_idx(a, [0, 0]),), mt.ones(4, device=a.device),
                                                       accumulate=True),
    "matmul": lambda a, b: a @ b.t(), "mm": lambda a, b: mt.mm(a, b.t()), "bmm": lambda a, b: mt.bmm(a[None], b.t()[None]),
    "mv": lambda a, b: mt.mv(a, b[0]), "dot": lambda a, b: mt.dot(a[0], b[0]), "outer": lambda a, b: mt.outer(a[0], b[0]),
    "addmm": lambda a, b: mt.addmm(a[:, :3], a, b.t()[:, :3]), "einsum": lambda a, b: mt.einsum("ij,kj->ik", a, b),
    "inplace": lambda a, b: a.clone().mul_(2).add_(b).clamp_(-1, 1), "setitem": _setitem,
    "isclose": lambda a, b: mt.isclose(a, a + 1e-9), "double": lambda a, b: a.double() * 2,
    "type_as": lambda a, b: a.type_as(mt.zeros(1, dtype=mt.float64, device=a.device)),
    "long": lambda a, b: (a * 10).long() // 3, "half": lambda a, b: a.half() * 2,
    "broadcast": lambda a, b: a[:, None, :] + b[None], "int_plus_float": lambda a, b: a + mt.arange(4, device=a.device),
    "int_scalar": lambda a, b: mt.arange(5, device=a.device) * 3 + 1,
    "bool_ops": lambda a, b: (a > 0) & (b > 0) | ~(a > b), "bool_mean": lambda a, b: (a > 0).float().mean(),
})


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_dispatch_on_cuda_matches_cpu(cuda, name):
    """Forward and gradients on the fake GPU equal the CPU's, and results and gradients stay on the device."""
    rng = np.random.default_rng(0)
    A, B = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    res = {}
    for dev in ("cpu", "cuda"):
        a, b = (mt.tensor(x, device=dev, requires_grad=True) for x in (A, B))
        r = OPS[name](a, b)
        if r.requires_grad:
            r.sum().backward()
        if dev == "cuda":
            assert _on_fake(r), "the result left the device"
            assert all(x.grad is None or _on_fake(x.grad) for x in (a, b)), "a gradient left the device"
        res[dev] = [r.detach().cpu().numpy()] + [x.grad.cpu().numpy() for x in (a, b) if x.grad is not None]
    assert len(res["cpu"]) == len(res["cuda"])
    for g, c in zip(res["cuda"], res["cpu"]):
        assert g.dtype == c.dtype and g.shape == c.shape
        np.testing.assert_array_equal(g, c)


def _nn():
    from minitorch.nn import functional as F     # (imported first: minitorch.nn's own import order)
    import minitorch.nn as nn
    return nn, F


def test_module_training_on_cuda_matches_cpu(cuda):
    """Module.cuda/cpu move parameters, buffers and gradients; optimizer state lives with its parameters."""
    import copy
    nn, F = _nn()
    mt.manual_seed(0)
    cpu_model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(4 * 3 * 3, 3))
    gpu_model = copy.deepcopy(cpu_model).cuda()
    assert all(_on_fake(p) for p in gpu_model.parameters()) and all(_on_fake(b) for b in gpu_model.buffers())
    x, y = mt.randn(8, 2, 6, 6), mt.randint(0, 3, (8,))
    runs = {}
    for dev, model in (("cuda", gpu_model), ("cpu", cpu_model)):
        opt = mt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = F.cross_entropy(model(x.to(dev)), y.to(dev))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if dev == "cuda":
            assert all(_on_fake(p.grad) for p in model.parameters())
            assert all(_on_fake(s["momentum_buffer"]) for s in opt.state.values())
        runs[dev] = losses, [p.detach().cpu().numpy() for p in model.parameters()]
    np.testing.assert_allclose(runs["cuda"][0], runs["cpu"][0], rtol=1e-6)
    for g, c in zip(runs["cuda"][1], runs["cpu"][1]):
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-7)
    gpu_model.cpu()
    assert all(type(p._data) is np.ndarray and type(p.grad._data) is np.ndarray for p in gpu_model.parameters())
    assert all(type(b._data) is np.ndarray for b in gpu_model.buffers())


def test_zero_dim_cpu_tensor_acts_as_a_number_in_a_gpu_op(cuda):
    """torch lets a 0-dim CPU tensor join a CUDA op (it is treated as a scalar); larger CPU tensors are refused."""
    import torch
    g = mt.ones(3).cuda()
    s = mt.tensor(2.0)
    for out in (g * s, s * g, mt.where(g > 0, g, s)):
        assert _on_fake(out)
    np.testing.assert_array_equal((g * s).cpu().numpy(), (torch.ones(3) * torch.tensor(2.0)).numpy())
    w = mt.tensor(3.0, requires_grad=True)
    x = mt.ones(2).cuda().requires_grad_()
    (x * w).sum().backward()
    assert w.grad.device == mt.device("cpu") and float(w.grad) == 2.0 and _on_fake(x.grad)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        g + mt.ones(3)


def test_a_fused_kernel_that_cannot_be_built_gives_way_to_the_generic_code():
    """minitorch/_kernels.py: a kernel that fails to compile on some machine warns once and returns None,
    and the caller's generic array code runs (here with a stand-in array module whose compiler fails)."""
    from minitorch import _kernels

    class BrokenCompiler:
        __name__ = "broken_compiler"

        @staticmethod
        def ElementwiseKernel(*args, **kwargs):
            def launch(*a, **k):
                raise RuntimeError("nvrtc: error: unknown option")
            return launch

    g = np.ones(4, np.float32)
    try:
        with pytest.warns(RuntimeWarning, match="fused GPU kernel 'threshold_backward' could not be built"):
            assert _kernels.threshold_backward(BrokenCompiler, g, g) is None
        assert "nvrtc" in _kernels.BROKEN["threshold_backward"]
        assert _kernels.threshold_backward(BrokenCompiler, g, g) is None       # no second attempt
        assert _kernels.threshold_backward(np, g, g) is None                    # numpy: never a kernel
    finally:
        _kernels.BROKEN.clear()
        _kernels._built.pop(("broken_compiler", "threshold_backward"), None)


def test_work_on_a_gpu_other_than_the_current_one_runs_there(cuda2):
    """torch puts a device guard around every op: a model on cuda:1 trains while cuda:0 is current. The fake
    refuses, as cupy does without peer access, any kernel whose inputs live on a device other than the current
    one, so every op, backward node, gradient accumulation and optimizer update must switch to cuda:1 itself."""
    assert mt.cuda.current_device() == 0
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 3))
    ref = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 3))
    ref.load_state_dict(model.state_dict())
    model.to("cuda:1")
    x, y = mt.randn(5, 4), mt.tensor([0, 2, 1, 1, 0])
    runs = []
    for net, dev in ((model, "cuda:1"), (ref, "cpu")):
        opt = mt.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = mt.nn.functional.cross_entropy(net(x.to(dev)), y.to(dev))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(losses)
    assert all(_on_fake(p, 1) and _on_fake(p.grad, 1) for p in model.parameters())
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)
    w = model[0].weight
    g1, = mt.autograd.grad((w * w).sum(), w, create_graph=True)      # recorded backward on cuda:1 too
    assert _on_fake(g1, 1) and mt.cuda.current_device() == 0


def test_pickled_cuda_tensors_come_back_on_their_device(cuda2):
    """torch unpickles a CUDA tensor (and a model's parameters) onto the device it was pickled from."""
    a = mt.arange(4.0).to("cuda:1").requires_grad_()
    b = pickle.loads(pickle.dumps(a))
    assert b.device == mt.device("cuda:1") and _on_fake(b, 1) and b.requires_grad
    np.testing.assert_array_equal(b.detach().cpu().numpy(), [0, 1, 2, 3])
    layer = mt.nn.Linear(2, 3).cuda()
    copy = pickle.loads(pickle.dumps(layer))
    assert isinstance(copy.weight, mt.nn.Parameter) and copy.weight.device == mt.device("cuda:0")
    data = pickle.dumps(mt.ones(2, device="cuda"))
    fake_cupy.install(device_count=0)
    try:
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
            pickle.loads(data)
    finally:
        fake_cupy.install(device_count=2)


@pytest.mark.parametrize("op,wrapper", [
    (lambda x, i: mt.gather(x, 0, i), "gather"),
    (lambda x, i: mt.index_select(x, 0, i.reshape(-1)), "_index_select"),
    (lambda x, i: x.scatter_add(0, i, x), "scatter_add"),
    (lambda x, i: x.scatter(0, i, x), "scatter_src"),
    (lambda x, i: x.scatter(0, i, 2.0), "scatter_value"),
])
def test_an_index_on_another_device_is_torchs_error(cuda, op, wrapper):
    """torch checks that gather/scatter/index_select indices live on the input's device (no CPU index for a
    CUDA tensor, unlike indexing with x[i]), naming the kernel in its message."""
    x, i = mt.ones(2, 2), mt.zeros(2, 2, dtype=mt.int64)
    for a, b in ((x.cuda(), i), (x, i.cuda())):
        with pytest.raises(RuntimeError) as e:
            op(a, b)
        assert str(e.value) == (MSG_MIXED.format(a.device, b.device)
                                + f" (when checking argument for argument index in method wrapper_CUDA_{wrapper})")
    np.testing.assert_array_equal(op(x.cuda(), i.cuda()).cpu().numpy(), op(x, i).numpy())
