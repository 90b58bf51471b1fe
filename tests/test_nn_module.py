"""``nn.Module``, ``Parameter`` and the containers against torch: registration, iteration, state dicts, modes,
device/dtype moves, hooks, repr and error messages.

Most tests build the same model with the same code in both libraries (``build(nn)`` is called with
``torch.nn`` and with ``minitorch.nn``) and compare what the two report.
"""
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import minitorch as mt
from harness import assert_same, to_numpy

LIBS = {"torch": torch, "mt": mt}


# ---------------------------------------------------------------- helpers
def copy_weights(src, dst):
    """Load torch module ``src``'s state into minitorch module ``dst`` (through numpy)."""
    sd = OrderedDict((k, mt.from_numpy(v.detach().cpu().numpy().copy())) for k, v in src.state_dict().items())
    dst.load_state_dict(sd)


def same_error(fn, exc=Exception):
    """Run ``fn(lib)`` with torch and minitorch; both must raise the same exception type with the same text."""
    errors = {}
    for name, lib in LIBS.items():
        with pytest.raises(exc) as info:
            fn(lib)
        errors[name] = info.value
    assert type(errors["mt"]) is type(errors["torch"]), (errors["mt"], errors["torch"])
    ours = str(errors["mt"]).replace("minitorch.", "torch.")      # class paths: minitorch.nn... vs torch.nn...
    assert ours == str(errors["torch"])
    return ours


def state_shapes(module):
    return [(k, tuple(v.shape), str(v.dtype)) for k, v in module.state_dict().items()]


def lenet(lib):
    nn, F = lib.nn, lib.nn.functional

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)
    return LeNet()


def mlp(lib):
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))
    return NeuralNetwork()


def odict_seq(lib):
    nn = lib.nn
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 20, 5)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(20, 64, 5)), ("relu2", nn.ReLU())]))


def nested(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(c)
            self.register_buffer("scale", lib.ones(c))
            self.register_buffer("cache", lib.zeros(2), persistent=False)
            self.alpha = nn.Parameter(lib.zeros(1))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
            self.blocks = nn.ModuleList([Block(8), Block(8)])
            self.heads = nn.ModuleDict({"cls": nn.Linear(8, 10), "box": nn.Linear(8, 4)})
            self.extra = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), nn.Parameter(lib.zeros(4))])
            self.pd = nn.ParameterDict({"b": nn.Parameter(lib.ones(3)), "a": nn.Parameter(lib.zeros(1, 2))})
            self.none_child = None
            self.register_parameter("unused", None)
            self.plain = 3
    return Net()


MODELS = [lenet, mlp, odict_seq, nested]


# ---------------------------------------------------------------- Parameter
def test_parameter_basics():
    for lib in LIBS.values():
        p = lib.nn.Parameter(lib.ones(2, 3))
        assert isinstance(p, lib.Tensor) and isinstance(p, lib.nn.Parameter)
        assert p.requires_grad and p.is_leaf
        assert type(p * 2) is lib.Tensor
        assert type(p.detach()) is lib.Tensor and type(p.data) is lib.Tensor
        with lib.no_grad():
            assert lib.nn.Parameter(lib.ones(1)).requires_grad      # no_grad does not matter
        q = lib.nn.Parameter(lib.ones(2, requires_grad=True) * 3)  # a non-leaf's values, as a leaf
        assert q.is_leaf and q.grad_fn is None
        e = lib.nn.Parameter()
        assert e.shape == (0,) and e.dtype == lib.float32 and e.requires_grad
        assert not lib.nn.Parameter(lib.ones(2), requires_grad=False).requires_grad


def test_parameter_repr():
    a = np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)
    for rg in (True, False):
        assert repr(mt.nn.Parameter(mt.from_numpy(a), requires_grad=rg)) == \
            repr(torch.nn.Parameter(torch.from_numpy(a), requires_grad=rg))
    ints = np.array([1, 2], np.int64)
    assert repr(mt.nn.Parameter(mt.from_numpy(ints), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.from_numpy(ints), requires_grad=False))
    assert str(mt.nn.Parameter(mt.from_numpy(a))) == str(torch.nn.Parameter(torch.from_numpy(a)))


def test_parameter_int_requires_grad_error():
    same_error(lambda lib: lib.nn.Parameter(lib.tensor([1, 2])), RuntimeError)


def test_parameter_shares_memory_and_copies():
    t = mt.zeros(3)
    p = mt.nn.Parameter(t)
    with mt.no_grad():
        p.add_(1)
    assert t.tolist() == [1.0, 1.0, 1.0]          # same storage, as torch.nn.Parameter(t)
    p.grad = mt.ones(3)
    d = copy.deepcopy(p)
    assert type(d) is mt.nn.Parameter and d.requires_grad and d.grad is None   # torch drops .grad too
    assert d.tolist() == p.tolist() and d._data is not p._data
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is mt.nn.Parameter and r.requires_grad and r.tolist() == p.tolist()


def test_buffer_marker():
    for lib in LIBS.values():
        m = lib.nn.Module()
        m.a = lib.nn.Buffer(lib.ones(2))
        m.b = lib.nn.Buffer(lib.zeros(1), persistent=False)
        assert [n for n, _ in m.named_buffers()] == ["a", "b"]
        assert list(m.state_dict()) == ["a"]


# ---------------------------------------------------------------- registration and iteration
@pytest.mark.parametrize("build", MODELS)
def test_names_match_torch(build):
    t, m = build(torch), build(mt)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(x).__name__ for x in m.modules()] == [type(x).__name__ for x in t.modules()]
    assert [n for n, _ in m.named_parameters(prefix="model", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="model", recurse=False)]
    assert [n for n, _ in m.named_parameters(prefix="model")] == [n for n, _ in t.named_parameters(prefix="model")]
    assert state_shapes(m) == state_shapes(t)
    assert all(isinstance(p, mt.nn.Parameter) for p in m.parameters())


@pytest.mark.parametrize("build", MODELS)
def test_repr_matches_torch(build):
    assert repr(build(mt)) == repr(build(torch))


def shared(lib):
    nn = lib.nn
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    outer = nn.Module()
    outer.a = seq
    outer.b = seq
    outer.w = nn.Parameter(lib.ones(1))
    outer.w2 = outer.w
    return outer


def test_dedup():
    t, m = shared(torch), shared(mt)
    for kw in ({}, {"remove_duplicate": False}):
        assert [n for n, _ in m.named_parameters(**kw)] == [n for n, _ in t.named_parameters(**kw)]
        assert [n for n, _ in m.named_modules(**kw)] == [n for n, _ in t.named_modules(**kw)]
    assert len(list(m.parameters())) == len(list(t.parameters())) == 3
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert list(m.state_dict()) == list(t.state_dict())
    assert repr(m) == repr(t)


def test_attribute_rules():
    for lib in LIBS.values():
        nn = lib.nn
        m = nn.Module()
        m.w = nn.Parameter(lib.ones(2))
        m.w = None                              # a registered parameter may become None
        assert "w" in m._parameters and m.w is None
        m.sub = nn.Linear(1, 1)
        m.sub = None
        assert "sub" in m._modules and m.sub is None
        m.register_buffer("buf", lib.ones(1))
        m.buf = lib.zeros(3)                    # re-assigning a buffer keeps it a buffer
        assert m._buffers["buf"].shape == (3,)
        m.x = 5
        assert m.__dict__["x"] == 5
        m.x = nn.Parameter(lib.ones(1))         # a parameter replaces a plain attribute
        assert "x" in m._parameters and "x" not in m.__dict__
        m.sub = nn.Parameter(lib.ones(1))       # ... and a child module slot
        assert "sub" in m._parameters and "sub" not in m._modules
        m.y = nn.ReLU()
        del m.x, m.buf, m.w, m.y
        assert "x" not in m._parameters and "buf" not in m._buffers and "w" not in m._parameters
        assert "y" not in m._modules
        assert "sub" in dir(m) and "x" not in dir(m) and "weight" in dir(nn.Linear(1, 1))
        assert "0" not in dir(nn.Sequential(nn.ReLU()))


ERRORS = {
    "getattr": (lambda lib: lib.nn.Linear(1, 1).nope, AttributeError),
    "tensor_as_param": (lambda lib: setattr(lib.nn.Linear(1, 1), "weight", lib.ones(1, 1)), TypeError),
    "int_as_module": (lambda lib: setattr(_with_child(lib), "c", 3), TypeError),
    "int_as_buffer": (lambda lib: setattr(_with_buffer(lib), "b", 3), TypeError),
    "buffer_not_tensor": (lambda lib: lib.nn.Module().register_buffer("b", 3), TypeError),
    "buffer_dot": (lambda lib: lib.nn.Module().register_buffer("a.b", lib.ones(1)), KeyError),
    "buffer_empty": (lambda lib: lib.nn.Module().register_buffer("", lib.ones(1)), KeyError),
    "buffer_name_type": (lambda lib: lib.nn.Module().register_buffer(1, lib.ones(1)), TypeError),
    "buffer_exists": (lambda lib: lib.nn.Module().register_buffer("training", lib.ones(1)), KeyError),
    "param_not_param": (lambda lib: lib.nn.Module().register_parameter("p", lib.ones(1)), TypeError),
    "param_dot": (lambda lib: lib.nn.Module().register_parameter("a.b", None), KeyError),
    "param_exists": (lambda lib: lib.nn.Module().register_parameter("train", None), KeyError),
    "module_not_module": (lambda lib: lib.nn.Module().add_module("m", 3), TypeError),
    "module_dot": (lambda lib: lib.nn.Module().add_module("a.b", None), KeyError),
    "module_empty": (lambda lib: lib.nn.Module().add_module("", None), KeyError),
    "module_exists": (lambda lib: lib.nn.Module().add_module("forward", None), KeyError),
    "before_init_param": (lambda lib: _before_init(lib, "param"), AttributeError),
    "before_init_module": (lambda lib: _before_init(lib, "module"), AttributeError),
    "before_init_buffer": (lambda lib: _before_init(lib, "buffer"), AttributeError),
    "init_kwargs": (lambda lib: lib.nn.Module(foo=1), TypeError),
    "init_args": (lambda lib: lib.nn.Module(1), TypeError),
    "no_forward": (lambda lib: lib.nn.Module()(lib.ones(1)), NotImplementedError),
    "train_bool": (lambda lib: lib.nn.Linear(1, 1).train("yes"), ValueError),
    "to_int": (lambda lib: lib.nn.Linear(1, 1).to(lib.int64), TypeError),
    "get_submodule": (lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 1)).get_submodule("0.x"), AttributeError),
    "get_submodule_not_module": (lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 1)).get_submodule("0.weight"),
                                 AttributeError),
    "get_parameter": (lambda lib: lib.nn.Sequential(lib.nn.BatchNorm1d(2)).get_parameter("0.running_mean"),
                      AttributeError),
    "get_buffer": (lambda lib: lib.nn.Sequential(lib.nn.BatchNorm1d(2)).get_buffer("0.weight"), AttributeError),
    "seq_index": (lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3], IndexError),
    "modulelist_index": (lambda lib: lib.nn.ModuleList([lib.nn.ReLU()])[-2], IndexError),
    "seq_add": (lambda lib: lib.nn.Sequential() + 3, ValueError),
    "seq_mul": (lambda lib: lib.nn.Sequential() * 0, ValueError),
    "paramlist_call": (lambda lib: lib.nn.ParameterList()(1), RuntimeError),
    "paramdict_key": (lambda lib: lib.nn.ParameterDict()[1], TypeError),
    "unflatten": (lambda lib: lib.nn.Unflatten(1, 3), TypeError),
    "dropout_p": (lambda lib: lib.nn.Dropout(1.5), ValueError),
    "conv_groups": (lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2), ValueError),
    "conv_same_stride": (lambda lib: lib.nn.Conv2d(3, 4, 3, stride=2, padding="same"), ValueError),
    "hardtanh": (lambda lib: lib.nn.Hardtanh(1.0, 0.0), AssertionError),
    "huber_delta": (lambda lib: lib.nn.HuberLoss(delta="1"), TypeError),
}


def _with_child(lib):
    m = lib.nn.Module()
    m.c = lib.nn.ReLU()
    return m


def _with_buffer(lib):
    m = lib.nn.Module()
    m.register_buffer("b", lib.ones(1))
    return m


def _before_init(lib, what):
    nn = lib.nn

    class Bad(nn.Module):
        def __init__(self):
            if what == "param":
                self.p = nn.Parameter(lib.ones(1))
            elif what == "module":
                self.m = nn.ReLU()
            else:
                self.register_buffer("b", lib.ones(1))
    return Bad()


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_messages_match_torch(case):
    fn, exc = ERRORS[case]
    same_error(fn, exc)


def test_conv_bad_string_arguments():
    # torch prints a set here, whose order depends on the hash seed of the process that compiled it
    with pytest.raises(ValueError, match=r"^Invalid padding string 'full', should be one of \{"):
        mt.nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(ValueError, match=r"^padding_mode must be one of \{.*\}, but got padding_mode='mirror'$"):
        mt.nn.Conv2d(3, 4, 3, padding_mode="mirror")


# ---------------------------------------------------------------- modes and gradients
def test_train_eval_propagate():
    m = nested(mt)
    assert m.training
    assert m.eval() is m
    assert all(not x.training for x in m.modules())
    m.blocks.train()
    assert m.blocks[1].bn.training and not m.stem.training
    m.train()
    assert all(x.training for x in m.modules())


def test_zero_grad_and_requires_grad():
    m = mlp(mt)
    m(mt.randn(2, 1, 28, 28)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    grads = [p.grad for p in m.parameters()]
    m.zero_grad(set_to_none=False)
    assert all(p.grad is g and float(p.grad.abs().sum()) == 0 for p, g in zip(m.parameters(), grads))
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())


def test_apply_order_matches_torch():
    seen = {}
    for name, lib in LIBS.items():
        order = []
        lenet(lib).apply(lambda mod: order.append(type(mod).__name__))
        seen[name] = order
    assert seen["mt"] == seen["torch"]


def test_apply_init_weights():
    def init_weights(m):
        if type(m) is mt.nn.Linear:
            mt.nn.init.ones_(m.weight)
            m.bias.data.fill_(0.01)
    net = mlp(mt).apply(init_weights)
    assert float(net.linear_relu_stack[2].weight.min()) == 1.0
    assert abs(float(net.linear_relu_stack[4].bias.max()) - 0.01) < 1e-7


# ---------------------------------------------------------------- dtype / device moves
@pytest.mark.parametrize("how", ["double", "to_dtype", "to_kw", "to_tensor", "type"])
def test_cast_in_place_keeps_objects(how):
    m = nested(mt)
    m.stem[0].weight.grad = mt.ones_like(m.stem[0].weight)
    params = list(m.parameters())
    grad = m.stem[0].weight.grad
    if how == "double":
        out = m.double()
    elif how == "to_dtype":
        out = m.to(mt.float64)
    elif how == "to_kw":
        out = m.to(device="cpu", dtype=mt.float64)
    elif how == "to_tensor":
        out = m.to(mt.zeros(1, dtype=mt.float64))
    else:
        out = m.type(mt.float64)
    assert out is m
    assert all(a is b for a, b in zip(m.parameters(), params))        # optimizers keep their references
    assert all(p.dtype == mt.float64 for p in m.parameters())
    assert m.stem[0].weight.grad is grad and grad.dtype == mt.float64
    bn = m.stem[1]
    expected_int = mt.float64 if how == "type" else mt.int64            # Module.type casts integer buffers too
    assert bn.num_batches_tracked.dtype == expected_int
    assert bn.running_mean.dtype == mt.float64
    m.float()
    assert all(p.dtype == mt.float32 for p in m.parameters())
    m.half()
    assert m.stem[0].weight.dtype == mt.float16
    m.cpu()
    assert all(p.device.type == "cpu" for p in m.parameters())


def test_cast_matches_torch_dtypes():
    t, m = nested(torch), nested(mt)
    t.double()
    m.double()
    assert state_shapes(m) == state_shapes(t)
    t.to(torch.float16)
    m.to(mt.float16)
    assert state_shapes(m) == state_shapes(t)


def test_double_model_runs():
    t, m = lenet(torch).double(), lenet(mt).double()
    copy_weights(t, m)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32))
    assert_same(m(mt.from_numpy(x)), t(torch.from_numpy(x)))


# ---------------------------------------------------------------- state dicts
@pytest.mark.parametrize("build", MODELS)
def test_state_dict_roundtrip_from_torch(build):
    t, m = build(torch), build(mt)
    copy_weights(t, m)
    for (k1, v1), (k2, v2) in zip(m.state_dict().items(), t.state_dict().items()):
        assert k1 == k2
        assert_same(v1, v2)
    sd = m.state_dict()
    assert all(not v.requires_grad for v in sd.values())
    assert all(v.requires_grad for k, v in m.state_dict(keep_vars=True).items() if k in dict(m.named_parameters()))
    # values share memory with the module
    first = next(iter(m.parameters()))
    with mt.no_grad():
        first.add_(1)
    assert np.array_equal(to_numpy(next(iter(sd.values()))), to_numpy(first))
    m2 = build(mt)
    res = m2.load_state_dict(m.state_dict())
    assert repr(res) == "<All keys matched successfully>" == repr(t.load_state_dict(t.state_dict()))
    for a, b in zip(m2.state_dict().values(), m.state_dict().values()):
        assert np.array_equal(to_numpy(a), to_numpy(b))


def test_state_dict_metadata_and_prefix():
    t, m = nested(torch), nested(mt)
    assert list(m.state_dict()._metadata) == list(t.state_dict()._metadata)
    assert [v["version"] for v in m.state_dict()._metadata.values()] == \
        [v["version"] for v in t.state_dict()._metadata.values()]
    assert list(m.state_dict(prefix="net.")) == list(t.state_dict(prefix="net."))


def _sd_for(lib, model_sd, drop=(), add=(), reshape=()):
    sd = OrderedDict()
    for k, v in model_sd.items():
        if k in drop:
            continue
        arr = to_numpy(v).copy()
        if k in reshape:
            arr = np.zeros(reshape[k], arr.dtype)
        sd[k] = lib.from_numpy(arr)
    for k in add:
        sd[k] = lib.zeros(2)
    return sd


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "size", "all", "submodule_unexpected"])
def test_load_state_dict_errors_match_torch(case):
    base = lenet(torch).state_dict()
    drop = ("fc2.bias", "conv1.weight") if case in ("missing", "both", "all") else ()
    add = ("fc4.weight", "bogus") if case in ("unexpected", "both", "all") else ()
    if case == "submodule_unexpected":
        add = ("conv1.extra", "pool.weight")
    reshape = {"fc1.weight": (120, 399), "conv2.bias": (3,)} if case in ("size", "all") else {}

    def load(lib):
        return lenet(lib).load_state_dict(_sd_for(lib, base, drop, add, reshape))
    msg = same_error(load, RuntimeError)
    assert msg.startswith("Error(s) in loading state_dict for LeNet:\n\t")

    def load_loose(lib):
        net = lenet(lib)
        if reshape:
            with pytest.raises(RuntimeError) as info:
                net.load_state_dict(_sd_for(lib, base, drop, add, reshape), strict=False)
            return str(info.value)
        r = net.load_state_dict(_sd_for(lib, base, drop, add, reshape), strict=False)
        return (r.missing_keys, r.unexpected_keys, repr(r))
    assert load_loose(mt) == load_loose(torch)


def test_load_state_dict_not_a_mapping():
    same_error(lambda lib: lib.nn.Linear(1, 1).load_state_dict([1, 2]), TypeError)


def test_load_state_dict_non_tensor_value():
    same_error(lambda lib: lib.nn.Linear(1, 1).load_state_dict({"weight": 1.0, "bias": lib.zeros(1)}),
               RuntimeError)


def test_load_state_dict_assign_and_dtype():
    m = mt.nn.Linear(3, 2)
    w = m.weight
    sd = {"weight": mt.ones(2, 3, dtype=mt.float64), "bias": mt.zeros(2, dtype=mt.float64)}
    m.load_state_dict(sd)
    assert m.weight is w and m.weight.dtype == mt.float32 and float(m.weight.sum()) == 6.0   # copied, cast
    m.load_state_dict(sd, assign=True)
    assert m.weight is not w and isinstance(m.weight, mt.nn.Parameter) and m.weight.dtype == mt.float64
    assert m.weight.requires_grad


def test_batchnorm_old_checkpoint_without_num_batches_tracked():
    sd = {k: v for k, v in mt.nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    t_sd = {k: v for k, v in torch.nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    assert repr(mt.nn.BatchNorm1d(3).load_state_dict(sd)) == repr(torch.nn.BatchNorm1d(3).load_state_dict(t_sd))
    # with version metadata (a current checkpoint) the key is required
    full = mt.nn.BatchNorm1d(3).state_dict()
    del full["num_batches_tracked"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "num_batches_tracked"'):
        mt.nn.BatchNorm1d(3).load_state_dict(full)


def test_state_dict_through_save_formats():
    nn = mt.nn
    m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4, 2),
                      nn.ModuleList([nn.Linear(2, 2)]), nn.ParameterList([mt.ones(2)]))
    m2 = pickle.loads(pickle.dumps(m))
    assert repr(m2) == repr(m)
    for a, b in zip(m2.state_dict().values(), m.state_dict().values()):
        assert np.array_equal(to_numpy(a), to_numpy(b))
    m3 = copy.deepcopy(m)
    assert all(a is not b for a, b in zip(m3.parameters(), m.parameters()))
    assert list(m3.state_dict()) == list(m.state_dict())


# ---------------------------------------------------------------- hooks
def test_forward_hooks():
    calls = []
    m = mt.nn.Linear(3, 2)

    def pre(mod, args):
        calls.append(("pre", mod))
        return (args[0] * 0,)

    def post(mod, args, out):
        calls.append(("post", mod))
        return out + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    y = m(mt.randn(4, 3))
    assert calls == [("pre", m), ("post", m)]
    assert np.allclose(to_numpy(y), to_numpy(m.bias + 1))
    h1.remove()
    h2.remove()
    x = mt.randn(4, 3)
    assert np.allclose(to_numpy(m(x)), to_numpy(x @ m.weight.t() + m.bias))
    # kwargs variants, prepend, single return value wrapped in a tuple, context-manager handle
    order = []
    with m.register_forward_pre_hook(lambda mod, a, kw: (a, kw), with_kwargs=True):
        m.register_forward_pre_hook(lambda mod, a: order.append(2))
        m.register_forward_pre_hook(lambda mod, a: order.append(1), prepend=True)
        m.register_forward_hook(lambda mod, a, kw, out: order.append(3), with_kwargs=True)
        m(x)
    assert order == [1, 2, 3]
    m2 = mt.nn.Identity()
    m2.register_forward_pre_hook(lambda mod, a: a[0] * 2)
    assert np.allclose(to_numpy(m2(x)), to_numpy(x * 2))


def test_forward_hook_always_call():
    for lib in LIBS.values():
        seen = []
        m = lib.nn.Linear(3, 2)
        m.register_forward_hook(lambda mod, a, out: seen.append(out), always_call=True)
        with pytest.raises(Exception):
            m(lib.ones(2, 4))                   # forward fails: the always_call hook still runs, with None
        assert seen == [None]


def test_global_forward_hooks():
    seen = []
    h = mt.nn.modules.module.register_module_forward_hook(lambda mod, a, out: seen.append(type(mod).__name__))
    try:
        mlp(mt)(mt.randn(1, 28, 28))
    finally:
        h.remove()
    assert seen == ["Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear", "Sequential", "NeuralNetwork"]


class _TwoInputs:
    """A module taking (x, scale_not_requiring_grad, k) and returning (y1, y2)."""

    @staticmethod
    def build(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(3, 2)

            def forward(self, x, s, k):
                h = self.lin(x) * s
                return h * k, (h * h).sum(1)
        return M()


def _run_backward_hooks(lib, arrays, modify):
    records = []
    m = _TwoInputs.build(lib)
    x = lib.from_numpy(arrays["x"].copy()).requires_grad_()
    s = lib.from_numpy(arrays["s"].copy())

    def pre(mod, gout):
        records.append(("pre", [to_numpy(g) if g is not None else None for g in gout]))
        return None

    def hook(mod, gin, gout):
        records.append(("full", [to_numpy(g) if g is not None else None for g in gin],
                        [to_numpy(g) if g is not None else None for g in gout]))
        if modify:
            return tuple(g * 3 if g is not None else None for g in gin)
        return None

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(hook)
    return m, x, s, records


def test_full_backward_hook_matches_torch():
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((4, 3)).astype(np.float32), "s": rng.standard_normal((4, 2)).astype(np.float32),
              "w": rng.standard_normal((2, 3)).astype(np.float32), "g1": rng.standard_normal((4, 2)).astype(np.float32),
              "g2": rng.standard_normal(4).astype(np.float32)}
    for modify in (False, True):
        results = {}
        for name, lib in LIBS.items():
            m, x, s, records = _run_backward_hooks(lib, arrays, modify)
            with lib.no_grad():
                m.lin.weight.copy_(lib.from_numpy(arrays["w"]))
                m.lin.bias.zero_()
            y1, y2 = m(x, s, 2.0)
            lib.autograd.backward([y1, y2], [lib.from_numpy(arrays["g1"]), lib.from_numpy(arrays["g2"])])
            results[name] = (records, to_numpy(x.grad), to_numpy(m.lin.weight.grad))
        (rm, xm, wm), (rt, xt, wt) = results["mt"], results["torch"]
        assert [r[0] for r in rm] == [r[0] for r in rt] == ["pre", "full"]
        for a, b in zip(rm, rt):
            for la, lb in zip(a[1:], b[1:]):
                assert len(la) == len(lb)
                for ga, gb in zip(la, lb):
                    assert (ga is None) == (gb is None)
                    if ga is not None:
                        np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(xm, xt, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(wm, wt, rtol=1e-5, atol=1e-6)


def test_full_backward_hook_without_input_grad():
    out = {}
    for name, lib in LIBS.items():
        seen = []
        m = lib.nn.Linear(3, 2)
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append((gin, tuple(g.shape for g in gout))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m(lib.ones(4, 3)).sum().backward()
        out[name] = seen
    assert out["mt"] == [((None,), ((4, 2),))]
    assert out["torch"] == out["mt"]


def test_backward_hook_removed_and_mixing_error():
    m = mt.nn.Linear(3, 2)
    seen = []
    h = m.register_full_backward_hook(lambda *a: seen.append(1))
    h.remove()
    m(mt.ones(1, 3, requires_grad=True)).sum().backward()
    assert seen == []
    same_error(lambda lib: _mix(lib), RuntimeError)


def _mix(lib):
    m = lib.nn.Linear(1, 1)
    m.register_full_backward_hook(lambda *a: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.register_backward_hook(lambda *a: None)


def test_state_dict_hooks():
    m = mt.nn.Linear(2, 2)
    seen = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: seen.append(("pre", prefix)))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: seen.append(("post", list(sd))))
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(("load", list(keys.missing_keys))))
    m.load_state_dict(m.state_dict())
    assert seen == [("pre", ""), ("post", ["weight", "bias"]), ("load", [])]


# ---------------------------------------------------------------- lookup helpers
def test_get_submodule_parameter_buffer():
    t, m = nested(torch), nested(mt)
    for target in ("", "stem", "stem.1", "blocks.0.bn", "heads.cls"):
        assert type(m.get_submodule(target)).__name__ == type(t.get_submodule(target)).__name__
    assert tuple(m.get_parameter("blocks.1.conv.weight").shape) == tuple(t.get_parameter("blocks.1.conv.weight").shape)
    assert m.get_parameter("blocks.1.alpha") is m.blocks[1].alpha
    assert m.get_buffer("stem.1.running_var") is m.stem[1].running_var
    m.set_submodule("stem.2", mt.nn.Tanh())
    t.set_submodule("stem.2", torch.nn.Tanh())
    assert repr(m.stem) == repr(t.stem)


# ---------------------------------------------------------------- containers
def _seq_ops(lib):
    nn = lib.nn
    log = []
    s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh())
    log.append(repr(s[-1]))
    log.append(repr(s[1:3]))
    log.append(repr(s[::-2]))
    log.append(len(s))
    s.append(nn.Sigmoid())
    s.insert(1, nn.Dropout(0.2))
    s.insert(-1, nn.ELU())
    s.extend([nn.GELU(), nn.SiLU()])
    log.append(repr(s))
    del s[2]
    del s[1:3]
    log.append(repr(s))
    log.append(repr(s.pop(0)))
    s[0] = nn.Softplus()
    log.append(repr(s))
    log.append(repr(s + nn.Sequential(nn.ReLU())))
    log.append(repr(nn.Sequential(nn.ReLU(), nn.Tanh()) * 2))
    s2 = nn.Sequential(nn.ReLU())
    s2 += nn.Sequential(nn.Tanh())
    s2 *= 2
    log.append(repr(s2))
    log.append([type(x).__name__ for x in s])
    log.append(repr(nn.Sequential()))
    return log


def test_sequential_operations_match_torch():
    assert _seq_ops(mt) == _seq_ops(torch)


def test_sequential_forward_and_add_module():
    s = mt.nn.Sequential()
    s.add_module("flat", mt.nn.Flatten())
    s.add_module("fc", mt.nn.Linear(6, 2))
    x = mt.randn(4, 2, 3)
    assert np.allclose(to_numpy(s(x)), to_numpy(s.fc(x.flatten(1))))
    assert list(s.state_dict()) == ["fc.weight", "fc.bias"]


def _modulelist_ops(lib):
    nn = lib.nn
    log = []
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    log.append(repr(ml))
    ml.append(nn.ReLU())
    ml.extend([nn.ReLU(), nn.Tanh()])
    ml.insert(0, nn.Tanh())
    log.append(repr(ml))
    log.append(repr(ml[1:3]))
    log.append(repr(ml[-1]))
    del ml[0]
    del ml[::2]
    log.append(repr(ml))
    log.append(repr(ml.pop(1)))
    ml[0] = nn.GELU()
    ml += [nn.ReLU()]
    log.append(repr(ml + nn.ModuleList([nn.Tanh()])))
    log.append(len(ml))
    log.append(list(ml.state_dict()))
    log.append(repr(nn.ModuleList()))
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    md["c"] = nn.Tanh()
    md.update([("d", nn.GELU())])
    log.append(repr(md))
    log.append(list(md.keys()))
    log.append("a" in md)
    log.append(repr(md.pop("a")))
    del md["b"]
    log.append([(k, type(v).__name__) for k, v in md.items()])
    log.append(len(md))
    md.clear()
    log.append(repr(md))
    return log


def test_modulelist_moduledict_match_torch():
    assert _modulelist_ops(mt) == _modulelist_ops(torch)


def _paramcontainer_ops(lib):
    nn = lib.nn
    log = []
    pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4, dtype=lib.float64)])
    pl.append(lib.ones(1))
    pl.extend([nn.Parameter(lib.ones(5))])
    log.append(repr(pl))
    log.append(len(pl))
    log.append([type(p).__name__ for p in pl])
    log.append(repr(pl[1:]))
    log.append([n for n, _ in pl.named_parameters()])
    pd = nn.ParameterDict({"z": lib.ones(2), "a": nn.Parameter(lib.zeros(3, 1))})
    pd["m"] = lib.ones(1, dtype=lib.float64)
    pd.update(OrderedDict([("y", lib.ones(1))]))
    log.append(repr(pd))
    log.append(list(pd.keys()))
    log.append("a" in pd)
    log.append(tuple(pd.pop("z").shape))
    log.append(pd.get("nope", 7))
    log.append(list(pd.state_dict()))
    log.append(repr(pd.copy()))
    return log


def test_parameter_containers_match_torch():
    assert _paramcontainer_ops(mt) == _paramcontainer_ops(torch)


# ---------------------------------------------------------------- utils
def test_clip_grad_norm_and_value_match_torch():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(s).astype(np.float32) * 3 for s in [(3, 4), (5,), (2, 2, 2)]]
    for norm_type in (2.0, 1, float("inf"), 3.0):
        for max_norm in (0.5, 100.0):
            res = {}
            for name, lib in LIBS.items():
                ps = [lib.nn.Parameter(lib.from_numpy(g.copy() * 0)) for g in grads]
                for p, g in zip(ps, grads):
                    p.grad = lib.from_numpy(g.copy())
                total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
                res[name] = (total, [p.grad for p in ps])
            assert_same(res["mt"][0], res["torch"][0], tol=dict(rtol=1e-5, atol=1e-6))
            assert_same(res["mt"][1], res["torch"][1], tol=dict(rtol=1e-5, atol=1e-6))
    res = {}
    for name, lib in LIBS.items():
        ps = [lib.nn.Parameter(lib.zeros(g.shape)) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = lib.from_numpy(g.copy())
        lib.nn.utils.clip_grad_value_(ps, 1.5)
        res[name] = [p.grad for p in ps]
    assert_same(res["mt"], res["torch"])


def test_parameters_to_vector_roundtrip():
    res = {}
    for name, lib in LIBS.items():
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.arange(6.0).reshape(2, 3))
            m.bias.copy_(lib.tensor([7.0, 8.0]))
        v = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(v * 2, m.parameters())
        res[name] = (v.detach(), m.weight.detach(), m.bias.detach())
    assert_same(list(res["mt"]), list(res["torch"]))


def test_full_backward_hook_unused_output_and_non_tensor_args():
    out = {}
    for name, lib in LIBS.items():
        seen = []

        class M(lib.nn.Module):
            def forward(self, x, y, flag):
                return x * 2, x * y, 3

        m = M()
        m.register_full_backward_hook(
            lambda mod, gin, gout: seen.append(([None if g is None else to_numpy(g).tolist() for g in gin],
                                                [None if g is None else to_numpy(g).tolist() for g in gout])))
        x = lib.ones(2, requires_grad=True)
        y = lib.ones(2, requires_grad=True) * 3
        a, b, c = m(x, y, True)
        a.sum().backward()
        out[name] = seen
    assert out["mt"] == out["torch"]


def test_legacy_backward_hook_fires():
    seen = []
    m = mt.nn.Linear(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.register_backward_hook(lambda mod, gin, gout: seen.append(mod))
    m(mt.ones(1, 3, requires_grad=True)).sum().backward()
    assert seen == [m]


# ---------------------------------------------------------------- moving to a (FAKE) GPU
def test_module_to_cuda_in_place(fake_cuda):
    torch_net = lenet(torch)
    net = lenet(mt)
    copy_weights(torch_net, net)
    bn = mt.nn.BatchNorm1d(3)
    params = list(net.parameters())
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    net(mt.from_numpy(x)).sum().backward()
    grads = [p.grad for p in params]
    assert net.cuda() is net and bn.to("cuda") is bn
    assert all(a is b for a, b in zip(net.parameters(), params))
    assert all(p.device.type == "cuda" and p.grad is g and g.device.type == "cuda" for p, g in zip(params, grads))
    assert all(b.device.type == "cuda" for b in bn.buffers()) and bn.num_batches_tracked.dtype == mt.int64
    out = net(mt.from_numpy(x).cuda())
    assert out.device.type == "cuda"
    assert_same(out.cpu(), torch_net(torch.from_numpy(x)), tol=dict(rtol=1e-4, atol=1e-5))
    bn(mt.randn(4, 3, device="cuda"))
    assert int(bn.num_batches_tracked.cpu()) == 1
    # a CPU state dict loads into the CUDA model (copied across devices), and back
    net.load_state_dict(lenet(mt).state_dict())
    assert all(p.device.type == "cuda" for p in net.parameters())
    net.cpu()
    assert all(p.device.type == "cpu" and p.grad.device.type == "cpu" for p in net.parameters())
    m = mt.nn.Linear(3, 2, device="cuda")
    assert m.weight.device.type == "cuda" and float(m.weight.abs().max().cpu()) <= 1 / 3 ** 0.5
