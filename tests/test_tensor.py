"""The Tensor object against torch: attributes and queries, conversions (item, tolist, numpy, Python
numbers), dtypes (names, aliases, legacy type objects and strings, casts), Size, copying and pickling."""
import copy
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given

import minitorch as mt
from harness import assert_same
from strategies import check, check_or_raises, dtypes, rand, seeds, shapes

BOTH = pytest.mark.parametrize("T", [mt, torch], ids=["minitorch", "torch"])


@given(shape=shapes(), dtype=dtypes, seed=seeds)
def test_attributes(shape, dtype, seed):
    a = rand(shape, dtype, seed=seed)
    x, t = mt.from_numpy(a.copy()), torch.from_numpy(a.copy())
    assert x.shape == t.shape and x.size() == t.size() and isinstance(x.shape, tuple)
    assert repr(x.shape) == repr(t.shape) and x.shape == tuple(shape)
    for d in range(-len(shape), len(shape)):
        assert x.size(d) == t.size(d) and x.shape[d] == t.shape[d]
    assert x.dim() == t.dim() == x.ndim == t.ndim == x.ndimension()
    assert x.numel() == t.numel() == x.nelement() and x.shape.numel() == t.shape.numel()
    assert str(x.dtype) == str(t.dtype) and x.element_size() == t.element_size() == x.itemsize
    assert str(x.device) == str(t.device) == "cpu" and x.device.type == "cpu" and not x.is_cuda
    assert x.is_leaf and not x.requires_grad and x.grad is None and x.grad_fn is None
    assert x.is_floating_point() == t.is_floating_point() and x.is_contiguous()
    assert x.stride() == torch.zeros(shape).stride() and x.nbytes == t.nbytes
    assert x.tolist() == t.tolist()
    if x.ndim:
        assert len(x) == len(t) and [r.tolist() for r in x] == [r.tolist() for r in t]
    if x.numel() == 1:
        assert x.item() == t.item() and float(x) == float(t)
    if x.ndim == 2:
        assert_same(x.T, t.T)
        assert_same(x.mT, t.mT)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(len(shape) + 1)


@BOTH
def test_conversions(T):
    x = T.tensor([[1.5, -2.0], [3.0, 4.25]])
    assert x[0, 0].item() == 1.5 and isinstance(x[0, 0].item(), float)
    assert isinstance(T.tensor(3).item(), int) and isinstance(T.tensor(True).item(), bool)
    assert x.tolist() == [[1.5, -2.0], [3.0, 4.25]] and T.tensor(2.5).tolist() == 2.5
    assert int(T.tensor(3.7)) == 3 and float(T.tensor(2)) == 2.0 and bool(T.tensor([1]))
    assert [1, 2, 3][T.tensor(1)] == 2 and list(range(5))[T.tensor(1):T.tensor(3)] == [1, 2]
    assert f"{T.tensor(2.5):.2f}" == "2.50"
    with pytest.raises(TypeError):
        [1, 2][T.tensor(1.0)]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(T.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(T.tensor(1.0))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(T.ones(2))
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        T.ones(2).item()
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        T.ones(2, requires_grad=True).numpy()
    assert T.ones(2, requires_grad=True).detach().numpy().tolist() == [1.0, 1.0]
    assert T.ones(2, requires_grad=True).tolist() == [1.0, 1.0]          # tolist is allowed
    assert T.ones(1, requires_grad=True).item() == 1.0


DT_NAMES = ["float32", "float", "float64", "double", "float16", "half", "int64", "long", "int32", "int", "int16",
            "short", "int8", "uint8", "bool"]


@pytest.mark.parametrize("name", DT_NAMES)
def test_dtype_names(name):
    d, td = getattr(mt, name), getattr(torch, name)
    assert repr(d) == repr(td) and str(d) == str(td)
    assert d.is_floating_point == td.is_floating_point and d.itemsize == td.itemsize
    assert d.is_signed == td.is_signed
    x, t = mt.zeros(2, dtype=d), torch.zeros(2, dtype=td)
    assert str(x.dtype) == str(t.dtype) and x.type() == t.type()
    assert pickle.loads(pickle.dumps(d)) is d


@pytest.mark.parametrize("f", [
    lambda T, x: x.float(), lambda T, x: x.double(), lambda T, x: x.half(), lambda T, x: x.long(),
    lambda T, x: x.int(), lambda T, x: x.short(), lambda T, x: x.char(), lambda T, x: x.byte(),
    lambda T, x: x.bool(), lambda T, x: x.to(T.float64), lambda T, x: x.to(dtype=T.int32),
    lambda T, x: x.to("cpu", T.float16), lambda T, x: x.to(T.zeros(1, dtype=T.int64)),
    lambda T, x: x.to(float), lambda T, x: x.to(int), lambda T, x: x.to(bool), lambda T, x: x.type(T.float64),
    lambda T, x: x.type(T.DoubleTensor), lambda T, x: x.type("torch.LongTensor"), lambda T, x: x.type(T.IntTensor),
    lambda T, x: x.type_as(T.ones(1, dtype=T.float64)), lambda T, x: x.type(), lambda T, x: x.double().type(),
    lambda T, x: x.long().type(), lambda T, x: x.bool().type(), lambda T, x: x.to(T.float32) is x,
    lambda T, x: x.float() is x, lambda T, x: x.to("cpu") is x, lambda T, x: x.cpu() is x,
    lambda T, x: x.to(T.float32, copy=True) is x, lambda T, x: x.type("torch.FloatTensor") is x,
    lambda T, x: x.double().float(), lambda T, x: x.to(device="cpu", dtype=T.float64),
    lambda T, x: x.type("torch.Nope"),
])
def test_casts(f):
    """Casts keep values (truncating to integers), are differentiable, and return self when nothing changes."""
    check_or_raises(f, [np.array([[1.7, -2.5], [0.0, 3.25]], np.float32)])


def test_legacy_types():
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor",
                 "HalfTensor", "ShortTensor", "CharTensor"):
        L, TL = getattr(mt, name), getattr(torch, name)
        x, t = L([1, 0]), TL([1, 0])
        assert str(x.dtype) == str(t.dtype) and x.type() == t.type() == "torch." + name
        assert isinstance(x, L) and isinstance(t, TL) and isinstance(x, mt.Tensor)
        assert not isinstance(x, mt.FloatTensor if name != "FloatTensor" else mt.DoubleTensor)
        assert x.type(mt.FloatTensor).type() == "torch.FloatTensor"
    assert isinstance(mt.ones(2), mt.FloatTensor) and isinstance(mt.ones(2).double(), mt.DoubleTensor)
    assert mt.Tensor(2, 3).shape == (2, 3) and mt.Tensor(2, 3).dtype == mt.float32
    assert mt.Tensor([1, 2]).dtype == mt.float32 and mt.FloatTensor(3).shape == (3,)
    assert isinstance(mt.ones(1), mt.Tensor) and mt.is_tensor(mt.ones(1)) and not mt.is_tensor([1])
    # the old tutorial idiom
    x = mt.randn(3, 2).type(mt.DoubleTensor)
    assert x.dtype == mt.float64 and x.type() == "torch.DoubleTensor"


@BOTH
def test_default_dtype(T):
    assert T.get_default_dtype() == T.float32
    assert T.tensor(1.5).dtype == T.float32 and T.tensor(1).dtype == T.int64 and T.tensor(True).dtype == T.bool
    assert T.ones(1).dtype == T.float32 and T.arange(3).dtype == T.int64 and T.arange(3.0).dtype == T.float32
    assert (T.ones(2, dtype=T.int32) * 2.5).dtype == T.float32 and (T.ones(2, dtype=T.int32) * 2).dtype == T.int32
    assert (T.ones(2) + T.ones((), dtype=T.float64)).dtype == T.float32        # 0-dim: category only
    assert (T.ones(2, dtype=T.int64) + T.ones((), dtype=T.float64)).dtype == T.float64
    assert (T.ones(2, dtype=T.uint8) + T.ones(2, dtype=T.int8)).dtype == T.int16
    assert (T.ones(2, dtype=T.bool) + T.ones(2, dtype=T.bool)).dtype == T.bool
    assert (T.ones(2, dtype=T.bool) + 1).dtype == T.int64 and (T.ones(2, dtype=T.bool) * 1.5).dtype == T.float32


def test_size():
    s, ts = mt.Size([2, 3]), torch.Size([2, 3])
    assert repr(s) == repr(ts) and s == (2, 3) and s.numel() == ts.numel() == 6
    assert isinstance(s[1:], mt.Size) and repr(s[1:]) == repr(ts[1:]) and s[0] == 2
    assert repr(s + (4,)) == repr(ts + (4,))
    assert mt.zeros(s).shape == s and mt.ones(2, 3).size() == s


def test_repr_integration():
    """repr itself is tested in tests/test_repr.py; here: grad_fn names and requires_grad show up as torch's."""
    for f in (lambda T: T.tensor([1.0, 2.0], requires_grad=True), lambda T: T.tensor([1.0, 2.0],
              requires_grad=True) * 2, lambda T: (T.tensor([1.0, 2.0], requires_grad=True) ** 2).sum(),
              lambda T: T.tensor([1.0, 2.0], requires_grad=True).mean(), lambda T: T.tensor(3, dtype=T.int32),
              lambda T: T.tensor([1.0, 2.0], requires_grad=True)[0], lambda T: T.tensor([1.0, 2.0], dtype=T.float64),
              lambda T: T.zeros(2, 2).t(), lambda T: T.ones(2, requires_grad=True).detach(),
              lambda T: T.ones(2, requires_grad=True).exp().data):
        assert repr(f(mt)) == repr(f(torch))
        assert str(f(mt)) == str(f(torch))


@BOTH
def test_deepcopy_pickle_clone(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.tolist() == x.tolist() and y.grad.tolist() == [2.0, 2.0]
    y.data.add_(1)
    assert x.tolist() == [1.0, 2.0]
    z = pickle.loads(pickle.dumps(x))
    assert z.tolist() == [1.0, 2.0] and z.requires_grad and z.dtype == T.float32
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)
    c = x.clone()
    assert type(c.grad_fn).__name__ == "CloneBackward0" and c.tolist() == x.tolist()


@BOTH
def test_grad_assignment_checks(T):
    x = T.ones(2, requires_grad=True)
    x.grad = T.zeros(2)
    assert x.grad.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[3\]' to a tensor of "
                                           r"size '\[2\]'. Please ensure that the gradient and the tensor are the "
                                           r"same size"):
        x.grad = T.zeros(3)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'double' to a tensor with "
                                           "grad_dtype 'Float'"):
        x.grad = T.zeros(2, dtype=T.float64)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got grad of type list"):
        x.grad = [1.0, 2.0]
    del x.grad
    assert x.grad is None


def test_hash_and_identity_ops():
    a, b = mt.ones(2), mt.ones(2)
    assert len({a, b}) == 2 and a in {a} and (a == None) is False and (a != None) is True  # noqa: E711
    assert hash(a) != hash(b)
    assert (+a) is a and mt.numel(a) == 2 and mt.is_floating_point(a)
