"""The names PyTorch's tutorials use (Learn the Basics, the 60-minute blitz, Learning PyTorch with Examples,
What is torch.nn really?, pytorch/examples MNIST, makemore, micrograd's tests), checked against torch:
forward values, gradients (and double backward) where differentiable, and torch's errors and warnings.

Random numbers are minitorch's own (PCG64), not torch's (Mersenne Twister): random functions are checked for
shape, dtype, range, distribution and reproducibility under a seed, never for torch's values.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt
import minitorch.nn.functional as MF
import torch.nn.functional as TF
from harness import compare, assert_same

rng = np.random.default_rng(12)


def raises_like(fn_m, fn_t, same_message=True):
    """Both raise the same exception type with the same message (``same_message=False``: the type only, for
    torch's overload listings, which minitorch does not print)."""
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(Exception) as em:
        fn_m()
    assert type(em.value) is type(et.value), (em.value, et.value)
    if same_message:
        assert str(em.value) == str(et.value), (str(em.value), str(et.value))


def _record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message).split(" (Triggered internally")[0] for x in w if issubclass(x.category, UserWarning)]


# ---------------------------------------------------------------- accelerator / backends / default device
def test_accelerator_without_gpu():
    assert mt.accelerator.is_available() is torch.accelerator.is_available() is False
    assert mt.accelerator.current_accelerator() is None and torch.accelerator.current_accelerator() is None
    assert mt.accelerator.current_accelerator(check_available=True) is None
    assert mt.accelerator.device_count() == torch.accelerator.device_count() == 0
    for name, args in (("current_device_index", ()), ("set_device_index", (0,)), ("synchronize", ())):
        raises_like(lambda: getattr(mt.accelerator, name)(*args), lambda: getattr(torch.accelerator, name)(*args))
    # the tutorials' idiom
    dev = mt.accelerator.current_accelerator().type if mt.accelerator.is_available() else "cpu"
    assert dev == "cpu"


def test_accelerator_with_fake_cuda():
    """With the FAKE cupy of tests/fake_cupy.py (not a GPU test): the accelerator is device('cuda')."""
    import fake_cupy
    fake_cupy.install(device_count=2)
    try:
        assert mt.accelerator.is_available()
        assert mt.accelerator.current_accelerator() == mt.device("cuda")
        assert mt.accelerator.device_count() == 2
        assert mt.accelerator.current_device_index() == 0
        mt.accelerator.set_device_index(1)
        assert mt.accelerator.current_device_index() == 1 and mt.cuda.current_device() == 1
        with mt.accelerator.device_index(0):
            assert mt.accelerator.current_device_index() == 0
        assert mt.accelerator.current_device_index() == 1
        mt.accelerator.set_device_index(0)
        mt.accelerator.synchronize()
    finally:
        fake_cupy.uninstall()


def test_backends_flags():
    for name in ("mps", "cudnn", "cuda"):
        assert hasattr(mt.backends, name)
    assert mt.backends.mps.is_available() is False and mt.backends.mps.is_built() is False
    assert mt.backends.cuda.is_built() is False            # no cupy on this machine (torch here: a CPU build)
    assert mt.backends.cuda.is_built() == torch.backends.cuda.is_built()
    assert mt.backends.cudnn.is_available() is False and mt.backends.cudnn.version() is None
    for flag in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(mt.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag), flag
    assert mt.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    mt.backends.cudnn.benchmark = True                     # tutorials assign them
    try:
        with mt.backends.cudnn.flags(enabled=False, deterministic=True):
            assert mt.backends.cudnn.enabled is False and mt.backends.cudnn.deterministic is True
        assert mt.backends.cudnn.enabled is True and mt.backends.cudnn.benchmark is True
    finally:
        mt.backends.cudnn.benchmark = False


def test_default_device_cpu_and_errors():
    assert mt.get_default_device() == mt.device("cpu") and str(torch.get_default_device()) == "cpu"
    mt.set_default_device("cpu")
    try:
        assert mt.zeros(2).device.type == "cpu"
    finally:
        mt.set_default_device(None)
    raises_like(lambda: mt.set_default_device(0), lambda: torch.set_default_device(0))
    with pytest.raises(RuntimeError):
        mt.set_default_device("foo")
    # 'cuda' is accepted without a GPU (as torch), and the next factory call raises torch's error type
    mt.set_default_device("cuda")
    torch.set_default_device("cuda")
    try:
        raises_like_type = []
        for fm, ft in ((lambda: mt.zeros(2), lambda: torch.zeros(2)), (mt.get_default_device, torch.get_default_device),
                       (lambda: mt.nn.Linear(2, 2), lambda: torch.nn.Linear(2, 2))):
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                fm()
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                ft()
            raises_like_type.append(True)
    finally:
        mt.set_default_device(None)
        torch.set_default_device(None)
    assert mt.zeros(1).device.type == "cpu"


def test_default_device_fake_cuda():
    """Factories, tensor(), as_tensor() and nn layers follow the default device; *_like, from_numpy, legacy
    constructors and normal(float, float, size) do not (as in torch 2.13, checked there with device 'meta')."""
    import fake_cupy
    fake_cupy.install(device_count=1)
    mt.set_default_device("cuda")
    try:
        assert mt.get_default_device() == mt.device("cuda", 0)
        made = {
            "zeros": mt.zeros(2), "ones": mt.ones(2), "empty": mt.empty(2), "full": mt.full((2,), 1.0),
            "arange": mt.arange(3), "linspace": mt.linspace(0, 1, 3), "eye": mt.eye(2), "rand": mt.rand(2),
            "randn": mt.randn(2), "randint": mt.randint(3, (2,)), "randperm": mt.randperm(3),
            "tensor_list": mt.tensor([1.0]), "tensor_np": mt.tensor(np.ones(2)),
            "tensor_t": mt.tensor(mt.ones(1, device="cpu")), "as_tensor_np": mt.as_tensor(np.ones(2)),
            "as_tensor_t": mt.as_tensor(mt.ones(1, device="cpu")),
            "Linear.weight": mt.nn.Linear(2, 2).weight, "Conv2d.bias": mt.nn.Conv2d(1, 1, 3).bias,
            "Embedding.weight": mt.nn.Embedding(3, 2).weight,
        }
        for name, t in made.items():
            assert t.device.type == "cuda", name
        cpu = mt.ones(2, device="cpu")
        assert cpu.device.type == "cpu"
        assert mt.zeros_like(cpu).device.type == "cpu"
        assert mt.from_numpy(np.ones(2)).device.type == "cpu"
        assert mt.FloatTensor([1.0]).device.type == "cpu"
        assert mt.normal(0.0, 1.0, (2,)).device.type == "cpu"
        mt.set_default_device("cpu")
        assert mt.zeros(2).device.type == "cpu"
    finally:
        mt.set_default_device(None)
        fake_cupy.uninstall()


# ---------------------------------------------------------------- numpy's names, deprecated overloads, type()
KEEPDIM_FNS = ["sum", "mean", "var", "std", "amax", "amin", "argmax", "argmin", "logsumexp", "prod", "all", "any"]


@pytest.mark.parametrize("name", KEEPDIM_FNS)
def test_axis_keepdims_aliases(name):
    a = rng.standard_normal((3, 4)).astype(np.float32) + 2
    m, t = mt.from_numpy(a), torch.from_numpy(a)
    for kw in ({"axis": 1}, {"dim": 1, "keepdims": True}, {"axis": 0, "keepdims": True}, {"axis": 1, "keepdim": True}):
        assert_same(getattr(mt, name)(m, **kw), getattr(torch, name)(t, **kw), what=f"{name} {kw}")
        assert_same(getattr(m, name)(**kw), getattr(t, name)(**kw), what=f"Tensor.{name} {kw}")
    simple = name in ("sum", "amax", "amin", "argmax", "argmin", "logsumexp", "prod")   # one overload in torch
    raises_like(lambda: getattr(mt, name)(m, dim=1, axis=1), lambda: getattr(torch, name)(t, dim=1, axis=1), simple)
    raises_like(lambda: getattr(m, name)(dim=1, axis=1), lambda: getattr(t, name)(dim=1, axis=1), simple)


def test_axis_aliases_other_functions():
    a = rng.standard_normal((3, 4)).astype(np.float32)
    m, t = mt.from_numpy(a), torch.from_numpy(a)
    assert_same(mt.max(m, axis=1, keepdims=True), torch.max(t, axis=1, keepdims=True))
    assert_same(mt.min(m, axis=0), torch.min(t, axis=0))
    assert_same(mt.var_mean(m, axis=1, keepdims=True), torch.var_mean(t, axis=1, keepdims=True))
    assert_same(mt.std_mean(m, axis=1), torch.std_mean(t, axis=1))
    for name in ("cumsum", "cumprod", "softmax", "log_softmax", "argsort", "count_nonzero"):
        assert_same(getattr(mt, name)(m, axis=1), getattr(torch, name)(t, axis=1), what=name)
        assert_same(getattr(m, name)(axis=1), getattr(t, name)(axis=1), what=name)
        raises_like(lambda: getattr(mt, name)(m, axis=1, keepdims=True),
                    lambda: getattr(torch, name)(t, axis=1, keepdims=True), False)
    assert_same(mt.cat([m, m], axis=1), torch.cat([t, t], axis=1))
    assert_same(mt.stack([m, m], axis=0), torch.stack([t, t], axis=0))
    assert_same(mt.unsqueeze(m, axis=0), torch.unsqueeze(t, axis=0))
    assert_same(m.squeeze(axis=0), t.squeeze(axis=0))
    assert_same(list(mt.chunk(m, 2, axis=1)), list(torch.chunk(t, 2, axis=1)))
    assert_same(mt.sort(m, axis=0), torch.sort(t, axis=0))
    assert_same(mt.topk(m, 2, axis=1), torch.topk(t, 2, axis=1))
    # Python-level functions in torch take no alias: neither do ours
    raises_like(lambda: mt.split(m, 1, axis=1), lambda: torch.split(t, 1, axis=1))
    with pytest.raises(TypeError):
        MF.softmax(m, axis=1)
    with pytest.raises(TypeError):
        m.flip(axis=0)
    # gradient flows through the aliased call
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x.sum(axis=1, keepdims=True).pow(2).sum().backward()
    xt = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    xt.sum(axis=1, keepdims=True).pow(2).sum().backward()
    assert_same(x.grad, xt.grad)


def test_deprecated_add_overload():
    import minitorch._compat_args as C
    t0, t1 = np.ones(2, np.float32), np.full(2, 2.0, np.float32)
    cases = [
        (lambda m, a, b: m.add(a, 10, b)), (lambda m, a, b: m.sub(a, 10, b)),
        (lambda m, a, b: a.add(10, b)), (lambda m, a, b: a.sub(10, b)),
        (lambda m, a, b: a.clone().add_(2.5, b)), (lambda m, a, b: a.clone().sub_(2.5, b)),
    ]
    for fn in cases:
        C._warned[0] = False
        om, wm = _record(lambda: fn(mt, mt.from_numpy(t0), mt.from_numpy(t1)))
        ot, wt = _record(lambda: fn(torch, torch.from_numpy(t0), torch.from_numpy(t1)))
        assert_same(om, ot)
        assert len(wm) == 1
        assert wt in ([], wm), (wm, wt)          # torch warns once per process: compare when it did
    # once per process, for all of the overloads together
    C._warned[0] = False
    _, w1 = _record(lambda: (mt.add(mt.ones(1), 2, mt.ones(1)), mt.sub(mt.ones(1), 2, mt.ones(1))))
    assert len(w1) == 1 and w1[0].startswith("This overload of add is deprecated:\n\tadd(Tensor input, Number alpha")
    # the exact texts of torch (taken from a fresh interpreter, where torch has not warned yet)
    C._warned[0] = False
    _, w = _record(lambda: mt.add(mt.ones(1), 2, mt.ones(1)))
    assert w == ["This overload of add is deprecated:\n\tadd(Tensor input, Number alpha, Tensor other, *, Tensor out "
                 "= None)\nConsider using one of the following signatures instead:\n\tadd(Tensor input, Tensor "
                 "other, *, Number alpha = 1, Tensor out = None)"]
    C._warned[0] = False
    _, w = _record(lambda: mt.ones(1).add_(2, mt.ones(1)))
    assert w == ["This overload of add_ is deprecated:\n\tadd_(Number alpha, Tensor other)\nConsider using one of the "
                 "following signatures instead:\n\tadd_(Tensor other, *, Number alpha = 1)"]
    # gradient and out=
    a, b = mt.ones(2, requires_grad=True), mt.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt.add(a, 3, b).sum().backward()
        out = mt.empty(2)
        mt.add(mt.ones(2), 10, mt.ones(2), out=out)
    assert b.grad.tolist() == [3.0, 3.0] and a.grad.tolist() == [1.0, 1.0] and out.tolist() == [11.0, 11.0]
    # what torch refuses
    m0, tt0 = mt.ones(2), torch.ones(2)
    raises_like(lambda: mt.add(m0, m0, m0), lambda: torch.add(tt0, tt0, tt0))
    raises_like(lambda: mt.add(m0, m0, 2), lambda: torch.add(tt0, tt0, 2))
    with pytest.raises(TypeError):
        mt.add(m0, 2, m0, alpha=3)


def test_type_to_cuda_legacy_type_without_gpu():
    x, xt = mt.ones(2), torch.ones(2)
    for arg_m, arg_t in ((mt.cuda.FloatTensor, torch.cuda.FloatTensor), ("torch.cuda.FloatTensor",) * 2,
                         (mt.cuda.LongTensor, torch.cuda.LongTensor)):
        with pytest.raises(RuntimeError, match="^Cannot initialize CUDA without ATen_cuda library"):
            x.type(arg_m)
        with pytest.raises(RuntimeError, match="^Cannot initialize CUDA without ATen_cuda library"):
            xt.type(arg_t)
    for arg in ("torch.DoubleTensor", "torch.LongTensor"):
        assert_same(x.type(arg), xt.type(arg))
    assert_same(x.type(mt.DoubleTensor), xt.type(torch.DoubleTensor))
    for bad in ("torch.Foo", "FloatTensor", "torch.float32"):
        raises_like(lambda: x.type(bad), lambda: xt.type(bad))


def test_type_legacy_cuda_with_fake_cuda():
    import fake_cupy
    fake_cupy.install(device_count=1)
    try:
        x = mt.ones(2)
        y = x.type(mt.cuda.FloatTensor)
        assert y.is_cuda and y.dtype is mt.float32 and y.type() == "torch.cuda.FloatTensor"
        z = y.type("torch.DoubleTensor")                  # a CPU legacy type brings it back to the CPU
        assert not z.is_cuda and z.dtype is mt.float64
        assert x.type("torch.cuda.LongTensor").type() == "torch.cuda.LongTensor"
    finally:
        fake_cupy.uninstall()


# ---------------------------------------------------------------- Embedding, one_hot
def test_embedding_module():
    e, et = mt.nn.Embedding(10, 3), torch.nn.Embedding(10, 3)
    assert repr(e) == repr(et) == "Embedding(10, 3)"
    assert list(dict(e.named_parameters())) == ["weight"] and e.weight.shape == (10, 3)
    w = e.weight.detach().numpy()
    assert abs(w.mean()) < 0.8 and 0.5 < w.std() < 1.6                         # N(0, 1), 30 draws
    for kw in ({"padding_idx": 0, "max_norm": 1.0}, {"padding_idx": -2, "norm_type": 1.0, "scale_grad_by_freq": True}):
        assert repr(mt.nn.Embedding(10, 3, **kw)) == repr(torch.nn.Embedding(10, 3, **kw))
    p = mt.nn.Embedding(10, 3, padding_idx=-1)
    assert p.padding_idx == 9 and p.weight[9].tolist() == [0.0, 0.0, 0.0]
    raises_like(lambda: mt.nn.Embedding(10, 3, padding_idx=10), lambda: torch.nn.Embedding(10, 3, padding_idx=10))
    raises_like(lambda: mt.nn.Embedding(10, 3, padding_idx=-11), lambda: torch.nn.Embedding(10, 3, padding_idx=-11))
    raises_like(lambda: mt.nn.Embedding(2, 2, _weight=mt.ones(3, 2)),
                lambda: torch.nn.Embedding(2, 2, _weight=torch.ones(3, 2)))
    with pytest.raises(TypeError, match="sparse"):
        mt.nn.Embedding(3, 2, sparse=True)
    assert mt.nn.Embedding(3, 2, dtype=mt.float64).weight.dtype is mt.float64
    assert e.state_dict().keys() == et.state_dict().keys()


def test_embedding_forward_backward_vs_torch():
    w = rng.standard_normal((6, 4)).astype(np.float32)
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    for kw in ({}, {"padding_idx": 2}, {"scale_grad_by_freq": True}, {"padding_idx": 0, "scale_grad_by_freq": True}):
        e = mt.nn.Embedding.from_pretrained(mt.from_numpy(w.copy()), freeze=False, **kw)
        et = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), freeze=False, **kw)
        ym, yt = e(mt.from_numpy(idx)), et(torch.from_numpy(idx))
        assert_same(ym, yt)
        g = rng.standard_normal(yt.shape).astype(np.float32)
        (ym * mt.from_numpy(g)).sum().backward()
        (yt * torch.from_numpy(g)).sum().backward()
        assert_same(e.weight.grad, et.weight.grad, what=str(kw))
    # max_norm renormalises the looked-up rows in place
    e = mt.nn.Embedding.from_pretrained(mt.from_numpy(w.copy()), max_norm=1.0)
    et = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()), max_norm=1.0)
    assert_same(e(mt.tensor([1, 3])), et(torch.tensor([1, 3])))
    assert_same(e.weight, et.weight)
    # from_pretrained: frozen by default; 2-D only
    f, ft = mt.nn.Embedding.from_pretrained(mt.ones(3, 2)), torch.nn.Embedding.from_pretrained(torch.ones(3, 2))
    assert f.weight.requires_grad is ft.weight.requires_grad is False and repr(f) == repr(ft)
    raises_like(lambda: mt.nn.Embedding.from_pretrained(mt.ones(3)),
                lambda: torch.nn.Embedding.from_pretrained(torch.ones(3)))
    compare(lambda W: MF.embedding(mt.tensor([[1, 0], [3, 3]]), W, padding_idx=1), [w],
            lambda W: TF.embedding(torch.tensor([[1, 0], [3, 3]]), W, padding_idx=1))


def test_one_hot():
    i = np.array([[0, 3], [2, 1]])
    assert_same(MF.one_hot(mt.from_numpy(i)), TF.one_hot(torch.from_numpy(i)))
    assert_same(MF.one_hot(mt.from_numpy(i), 6), TF.one_hot(torch.from_numpy(i), 6))
    raises_like(lambda: MF.one_hot(mt.from_numpy(i), 3), lambda: TF.one_hot(torch.from_numpy(i), 3))
    raises_like(lambda: MF.one_hot(mt.tensor([1.0])), lambda: TF.one_hot(torch.tensor([1.0])))


# ---------------------------------------------------------------- Generator, multinomial
def test_generator_makemore_sampling():
    """makemore: g = Generator().manual_seed(2147483647); multinomial(p, 1, replacement=True, generator=g)."""
    p = mt.tensor([0.1, 0.6, 0.3])
    g = mt.Generator().manual_seed(2147483647)
    assert isinstance(g, mt.Generator) and g.initial_seed() == 2147483647
    a = [mt.multinomial(p, num_samples=1, replacement=True, generator=g).item() for _ in range(20)]
    g2 = mt.Generator().manual_seed(2147483647)
    b = [mt.multinomial(p, num_samples=1, replacement=True, generator=g2).item() for _ in range(20)]
    assert a == b
    # the global generator is untouched by draws from g
    mt.manual_seed(0)
    x = mt.rand(3)
    mt.manual_seed(0)
    mt.randn(5, generator=mt.Generator().manual_seed(1))
    assert mt.rand(3).tolist() == x.tolist()
    # distribution: 20000 draws, each frequency within 5 standard deviations
    g.manual_seed(3)
    s = mt.multinomial(p, 20000, replacement=True, generator=g)
    assert s.dtype is mt.int64 and s.shape == (20000,)
    freq = np.bincount(s.numpy(), minlength=3) / 20000
    for f, q in zip(freq, [0.1, 0.6, 0.3]):
        assert abs(f - q) < 5 * math.sqrt(q * (1 - q) / 20000)
    # rows of a 2-D input, without replacement: distinct indices per row
    r = mt.multinomial(mt.ones(4, 5), 5, generator=g)
    assert r.shape == (4, 5) and all(sorted(row) == list(range(5)) for row in r.tolist())


def test_generator_state_and_every_draw():
    g = mt.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    g.manual_seed(42)
    state = g.get_state()
    draws = lambda: [
        mt.rand(3, generator=g), mt.randn(3, generator=g), mt.randint(0, 10, (3,), generator=g),
        mt.randperm(5, generator=g), mt.multinomial(mt.ones(4), 2, generator=g),
        mt.normal(mt.zeros(3), mt.ones(3), generator=g), mt.normal(0.0, 1.0, (3,), generator=g),
        mt.bernoulli(mt.full((3,), 0.5), generator=g)]
    first = [t.tolist() for t in draws()]
    g.set_state(state)
    assert [t.tolist() for t in draws()] == first
    g.manual_seed(42)
    assert [t.tolist() for t in draws()] == first
    dtypes = [str(t.dtype) for t in draws()]
    g_t = torch.Generator().manual_seed(42)
    dtypes_t = [str(t.dtype) for t in [
        torch.rand(3, generator=g_t), torch.randn(3, generator=g_t), torch.randint(0, 10, (3,), generator=g_t),
        torch.randperm(5, generator=g_t), torch.multinomial(torch.ones(4), 2, generator=g_t),
        torch.normal(torch.zeros(3), torch.ones(3), generator=g_t), torch.normal(0.0, 1.0, (3,), generator=g_t),
        torch.bernoulli(torch.full((3,), 0.5), generator=g_t)]]
    assert dtypes == dtypes_t
    raises_like(lambda: mt.Generator().manual_seed(2 ** 64), lambda: torch.Generator().manual_seed(2 ** 64))


# ---------------------------------------------------------------- new ops, against torch
@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("k", [0, 1, -1, 5, -5])
def test_tril_triu(name, k):
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    compare(lambda x: getattr(x.__class__ and (mt if isinstance(x, mt.Tensor) else torch), name)(x, k), [a])
    compare(lambda x: getattr(x, name)(diagonal=k), [a[0]])
    m, t = mt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert_same(getattr(m, name + "_")(k), getattr(t, name + "_")(k))
    assert_same(m, t)
    assert_same(getattr(mt, name)(mt.ones(3, 3, dtype=mt.bool)), getattr(torch, name)(torch.ones(3, 3, dtype=torch.bool)))
    raises_like(lambda: getattr(mt, name)(mt.ones(3)), lambda: getattr(torch, name)(torch.ones(3)))


def test_tril_makemore_attention_mask():
    """The masked-attention idiom: wei.masked_fill(tril == 0, -inf).softmax(-1)."""
    T = 4
    a = rng.standard_normal((T, T)).astype(np.float32)

    def fn(lib):
        return lambda w: w.masked_fill(lib.tril(lib.ones(T, T)) == 0, float("-inf")).softmax(-1)
    compare(fn(mt), [a], fn(torch))


@pytest.mark.parametrize("case", ["plain", "one zero", "two zeros", "zero first", "zero last", "3d dim1"])
def test_cumprod_with_gradients(case):
    a = rng.uniform(0.5, 1.5, (3, 5)) * rng.choice([-1, 1], (3, 5))
    if case == "one zero":
        a[1, 2] = 0
    elif case == "two zeros":
        a[0, 1] = a[0, 3] = 0
        a[2, 4] = 0
    elif case == "zero first":
        a[:, 0] = 0
    elif case == "zero last":
        a[:, -1] = 0
    if case == "3d dim1":
        a = rng.uniform(0.5, 1.5, (2, 4, 3))
        a[0, 1, 2] = 0
        compare(lambda x: x.cumprod(1), [a])
        compare(lambda x: x.cumprod(-1), [a.astype(np.float32)])
        return
    compare(lambda x: x.cumprod(1), [a])
    compare(lambda x: (mt if isinstance(x, mt.Tensor) else torch).cumprod(x, 0), [a.astype(np.float32)])


def test_cumprod_dtypes_and_errors():
    i = np.array([[1, 2], [3, 4]])
    for arr in (i, i.astype(np.int32), i > 2):
        assert_same(mt.cumprod(mt.from_numpy(arr), 0), torch.cumprod(torch.from_numpy(arr), 0))
    assert_same(mt.cumprod(mt.from_numpy(i), 1, dtype=mt.float64), torch.cumprod(torch.from_numpy(i), 1, dtype=torch.float64))
    assert_same(mt.cumprod(mt.tensor(3.0), 0), torch.cumprod(torch.tensor(3.0), 0))
    m, t = mt.from_numpy(i.copy()), torch.from_numpy(i.copy())
    assert_same(m.cumprod_(0), t.cumprod_(0))
    raises_like(lambda: mt.cumprod(mt.from_numpy(i), 2), lambda: torch.cumprod(torch.from_numpy(i), 2))
    raises_like(lambda: mt.cumprod(mt.from_numpy(i)), lambda: torch.cumprod(torch.from_numpy(i)))


def test_atan2():
    y = rng.standard_normal((3, 1)).astype(np.float32)
    x = rng.standard_normal((1, 4)).astype(np.float32)
    compare(lambda a, b: (mt if isinstance(a, mt.Tensor) else torch).atan2(a, b), [y, x])
    compare(lambda a, b: (mt if isinstance(a, mt.Tensor) else torch).arctan2(a, b), [y.astype(np.float64), x.astype(np.float64)])
    compare(lambda a, b: a.atan2(b), [y, x])
    # the four quadrants and the axes
    pts = np.array([1.0, -1.0, 0.0, 1.0, -1.0]), np.array([1.0, 1.0, -1.0, 0.0, -0.0])
    assert_same(mt.atan2(mt.tensor(pts[0]), mt.tensor(pts[1])), torch.atan2(torch.tensor(pts[0]), torch.tensor(pts[1])))
    ii = np.array([[1, -2], [3, 0]])
    assert_same(mt.atan2(mt.from_numpy(ii), mt.from_numpy(ii)), torch.atan2(torch.from_numpy(ii), torch.from_numpy(ii)))
    assert_same(mt.atan2(mt.tensor([True]), mt.tensor([True])), torch.atan2(torch.tensor([True]), torch.tensor([True])))
    assert_same(mt.atan2(mt.ones(2, dtype=mt.float64), mt.ones(2)), torch.atan2(torch.ones(2, dtype=torch.float64), torch.ones(2)))
    m, t = mt.from_numpy(y.copy()), torch.from_numpy(y.copy())
    assert_same(m.atan2_(mt.ones(3, 1)), t.atan2_(torch.ones(3, 1)))
    raises_like(lambda: mt.atan2(mt.ones(2), 2.0), lambda: torch.atan2(torch.ones(2), 2.0))
    raises_like(lambda: mt.from_numpy(ii).atan2_(mt.from_numpy(ii)), lambda: torch.from_numpy(ii).atan2_(torch.from_numpy(ii)))


@pytest.mark.parametrize("args", [(1,), (-2,), (7,), ((1, 2), (0, 1)), (1, 0), (-1, -1), ((2,), (1,)), ((1, 1), (1, 1))])
def test_roll(args):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    compare(lambda x: (mt if isinstance(x, mt.Tensor) else torch).roll(x, *args), [a])
    compare(lambda x: x.roll(*args), [a.astype(np.float64)])


def test_roll_errors():
    m, t = mt.ones(2, 2), torch.ones(2, 2)
    raises_like(lambda: mt.roll(m, (1, 1), (0,)), lambda: torch.roll(t, (1, 1), (0,)))
    raises_like(lambda: mt.roll(m, (), ()), lambda: torch.roll(t, (), ()))
    raises_like(lambda: mt.roll(m, 1, 2), lambda: torch.roll(t, 1, 2))
    raises_like(lambda: mt.roll(mt.tensor(3), 1, 0), lambda: torch.roll(torch.tensor(3), 1, 0))
    assert_same(mt.roll(mt.tensor(3), 1), torch.roll(torch.tensor(3), 1))
    assert_same(mt.roll(mt.arange(6).reshape(2, 3), 1), torch.roll(torch.arange(6).reshape(2, 3), 1))


@pytest.mark.parametrize("k", [0, 1, -1, 3, -4])
def test_diag(k):
    v = rng.standard_normal(3).astype(np.float32)
    m = rng.standard_normal((3, 4))
    lib = lambda x: mt if isinstance(x, mt.Tensor) else torch
    compare(lambda x: lib(x).diag(x, k), [v])
    compare(lambda x: lib(x).diag(x, k), [m])
    compare(lambda x: x.diag(k), [m.astype(np.float32)])
    assert_same(mt.diag(mt.arange(3), k), torch.diag(torch.arange(3), k))


def test_diag_errors_and_names():
    raises_like(lambda: mt.diag(mt.ones(2, 2, 2)), lambda: torch.diag(torch.ones(2, 2, 2)))
    raises_like(lambda: mt.diag(mt.tensor(1.0)), lambda: torch.diag(torch.tensor(1.0)))
    x, xt = mt.ones(3, 3, requires_grad=True), torch.ones(3, 3, requires_grad=True)
    v, vt = mt.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    for ours, theirs in ((mt.diag(v), torch.diag(vt)), (mt.diag(x), torch.diag(xt)), (x.diagonal(), xt.diagonal()),
                         (mt.tril(x), torch.tril(xt)), (x.triu(1), xt.triu(1)), (x.cumprod(0), xt.cumprod(0)),
                         (mt.atan2(x, x), torch.atan2(xt, xt)), (x.roll(1), xt.roll(1))):
        assert ours.grad_fn.name() == theirs.grad_fn.name()


@pytest.mark.parametrize("args", [(), (1,), (-1,), (0, 0, 2), (1, 2, 0), (-1, -1, 0), (2, 0, 1), (9, 0, 1)])
def test_diagonal(args):
    a = rng.standard_normal((3, 4, 5))
    compare(lambda x: (mt if isinstance(x, mt.Tensor) else torch).diagonal(x, *args), [a])
    compare(lambda x: x.diagonal(*args), [a.astype(np.float32)])


def test_diagonal_is_a_view():
    m, t = mt.zeros(3, 3), torch.zeros(3, 3)
    m.diagonal().fill_(1)
    t.diagonal().fill_(1)
    assert_same(m, t)
    d = m.diagonal(1)
    m.add_(1)
    assert d.tolist() == [1.0, 1.0] and d._base is m
    raises_like(lambda: mt.diagonal(mt.ones(2, 3, 4), 0, 1, 1), lambda: torch.diagonal(torch.ones(2, 3, 4), 0, 1, 1))
    raises_like(lambda: mt.diagonal(mt.ones(2)), lambda: torch.diagonal(torch.ones(2)))
    # in-place through the view is seen by autograd: grad of the base
    w = mt.ones(3, 3, requires_grad=True)
    wt = torch.ones(3, 3, requires_grad=True)
    y, yt = w * 2, wt * 2
    y.diagonal().mul_(5)
    yt.diagonal().mul_(5)
    y.sum().backward()
    yt.sum().backward()
    assert_same(w.grad, wt.grad)


@pytest.mark.parametrize("data", [[3, 1, 3, 2], [[3, 1], [3, 2]], [2.5, -1.0, 2.5, float("nan"), float("nan")],
                                  [True, False, True], []])
def test_unique(data):
    m, t = mt.tensor(data), torch.tensor(data)
    for kw in ({}, {"sorted": False}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}):
        assert_same(mt.unique(m, **kw), torch.unique(t, **kw), what=str(kw))
        assert_same(m.unique(**kw), t.unique(**kw), what=str(kw))


def test_unique_dim():
    a = np.array([[3, 1, 3], [3, 1, 3], [0, 2, 0]])
    for d in (0, 1, -1):
        for kw in ({}, {"return_inverse": True, "return_counts": True}):
            assert_same(mt.unique(mt.from_numpy(a), dim=d, **kw), torch.unique(torch.from_numpy(a), dim=d, **kw))
    assert_same(mt.unique(mt.ones(0, 2), dim=0), torch.unique(torch.ones(0, 2), dim=0))
    raises_like(lambda: mt.unique(mt.from_numpy(a), dim=3), lambda: torch.unique(torch.from_numpy(a), dim=3))
    u = mt.unique(mt.tensor([1.0, 2.0], requires_grad=True))
    assert not u.requires_grad                     # divergence: torch records a node whose backward raises


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    a, b, c = rng.standard_normal(2), rng.standard_normal(3), rng.standard_normal(4)
    lib = lambda x: mt if isinstance(x, mt.Tensor) else torch
    compare(lambda x, y: lib(x).meshgrid(x, y, indexing=indexing), [a, b])
    compare(lambda x, y, z: lib(x).meshgrid([x, y, z], indexing=indexing), [a, b, c])
    compare(lambda x: lib(x).meshgrid(x, indexing=indexing), [a])
    assert_same(mt.meshgrid(mt.tensor(1.0), mt.arange(3.0), indexing=indexing),
                torch.meshgrid(torch.tensor(1.0), torch.arange(3.0), indexing=indexing))


def test_meshgrid_warning_and_errors():
    from minitorch.ops import tutorial_ops
    tutorial_ops._meshgrid_warned[0] = False
    om, wm = _record(lambda: mt.meshgrid(mt.arange(2), mt.arange(3)))
    ot, wt = _record(lambda: torch.meshgrid(torch.arange(2), torch.arange(3)))
    assert_same(om, ot)
    assert wm == ["torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."]
    assert wt in ([], wm)                                  # torch warns once per process
    _, again = _record(lambda: mt.meshgrid(mt.arange(2), mt.arange(3)))
    assert again == []
    x = mt.arange(2)
    raises_like(lambda: mt.meshgrid(x, x, indexing="foo"), lambda: torch.meshgrid(torch.arange(2), torch.arange(2), indexing="foo"))
    raises_like(lambda: mt.meshgrid(indexing="xy"), lambda: torch.meshgrid(indexing="xy"))
    raises_like(lambda: mt.meshgrid(x, mt.ones(3), indexing="xy"),
                lambda: torch.meshgrid(torch.arange(2), torch.ones(3), indexing="xy"))
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor in the tensor list"):
        mt.meshgrid(mt.ones(2, 2), indexing="xy")


def test_numel_pad_linspace():
    assert mt.numel(mt.ones(2, 3)) == torch.numel(torch.ones(2, 3)) == 6
    raises_like(lambda: mt.numel([1]), lambda: torch.numel([1]))
    a = rng.standard_normal((1, 2, 3))
    lib = lambda x: MF if isinstance(x, mt.Tensor) else TF
    compare(lambda x: lib(x).pad(x, (1, 2)), [a])
    assert_same(mt.linspace(-1, 1, 5), torch.linspace(-1, 1, 5))


# ---------------------------------------------------------------- the blitz's grad_fn chain
def _chain(loss):
    n0 = loss.grad_fn
    n1 = n0.next_functions[0][0]
    n2 = n1.next_functions[0][0]
    return [n.name() for n in (n0, n1, n2)]


def _walk_names(node, depth=4):
    """(name, [child names]) for every node down to ``depth``, depth first."""
    if node is None or depth < 0:
        return []
    out = [(node.name(), [c.name() if c is not None else None for c, _ in node.next_functions])]
    for c, _ in node.next_functions:
        out += _walk_names(c, depth - 1)
    return out


def _blitz_net(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = lib.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)
    return Net()


def test_blitz_loss_grad_fn_chain():
    """print(loss.grad_fn); print(loss.grad_fn.next_functions[0][0]); ...: MSELoss, Linear, then the bias's
    AccumulateGrad, as the blitz prints it."""
    x = rng.standard_normal((1, 1, 32, 32)).astype(np.float32)
    target = rng.standard_normal((1, 10)).astype(np.float32)
    out_m = _blitz_net(mt)(mt.from_numpy(x))
    out_t = _blitz_net(torch)(torch.from_numpy(x))
    loss_m = mt.nn.MSELoss()(out_m, mt.from_numpy(target))
    loss_t = torch.nn.MSELoss()(out_t, torch.from_numpy(target))
    assert _chain(loss_m) == _chain(loss_t) == ["MseLossBackward0", "AddmmBackward0", "torch::autograd::AccumulateGrad"]
    assert _walk_names(loss_m.grad_fn, 6) == _walk_names(loss_t.grad_fn, 6)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_next_functions_order(bias):
    """AddmmBackward0: (bias, input, TBackward0 -> weight); MmBackward0: (input, TBackward0 -> weight)."""
    def build(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 8, bias=bias), lib.nn.Tanh(), lib.nn.Linear(8, 2, bias=bias))
        x = lib.ones(3, 4)
        return ((model(x) - 1) ** 2).mean(), model
    (lm, mm), (lt, mt_) = build(mt), build(torch)
    assert _walk_names(lm.grad_fn, 8) == _walk_names(lt.grad_fn, 8)
    last = lm.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]   # Addmm/Mm of the last layer
    fns = last.next_functions
    assert fns is not None and fns == last.next_functions        # the TBackward0 node is the same object each time
    t_node = fns[-1][0]
    assert t_node.name() == "TBackward0" and t_node.next_functions[0][0].variable is mm[2].weight
    if bias:
        assert fns[0][0].variable is mm[2].bias
    # frozen pieces: None in their place, as torch
    for freeze in ("weight", "bias") if bias else ("weight",):
        lin_m, lin_t = mt.nn.Linear(4, 2, bias=bias), torch.nn.Linear(4, 2, bias=bias)
        getattr(lin_m, freeze).requires_grad_(False)
        getattr(lin_t, freeze).requires_grad_(False)
        ym = lin_m(mt.ones(3, 4, requires_grad=True))
        yt = lin_t(torch.ones(3, 4, requires_grad=True))
        assert _walk_names(ym.grad_fn) == _walk_names(yt.grad_fn)
    # backward is unchanged: gradients equal torch's on copied weights
    w, b = rng.standard_normal((2, 4)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
    compare(lambda x, W, B: (mt if isinstance(x, mt.Tensor) else torch).nn.functional.linear(x, W, B if bias else None),
            [rng.standard_normal((3, 4)).astype(np.float32), w, b])
