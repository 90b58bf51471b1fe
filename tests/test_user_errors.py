"""User mistakes raise torch's exception type with torch's message (issue 11: nothing silently wrong).

Every case runs the same source against real torch and against minitorch: both must raise the same exception
type, and both messages must contain the key part (the shapes, dtypes, argument names torch names).
"""
import numpy as np
import pytest
import torch

import minitorch


def _raised(lib, src, mode="eval"):
    env = {"t": lib, "F": lib.nn.functional, "nn": lib.nn, "np": np}
    try:
        if mode == "eval":
            eval(src, env)
        else:
            exec(src, env)
    except Exception as e:                        # noqa: BLE001  (the exception is what is compared)
        return e
    return None


def check(src, key, mode="eval"):
    expected = _raised(torch, src, mode)
    got = _raised(minitorch, src, mode)
    assert expected is not None, f"torch accepts {src!r}: fix the case"
    assert key in str(expected), f"torch's message changed: {expected!r}"
    assert got is not None, f"minitorch accepts {src!r} (torch: {type(expected).__name__}: {expected})"
    assert type(got) is type(expected), f"{src!r}: {type(got).__name__}: {got} (torch: {type(expected).__name__})"
    assert key in str(got), f"{src!r}: {got!r} lacks {key!r}"


# ---------------------------------------------------------------- wrong argument types
WRONG_TYPES = [
    ("t.cat(t.ones(2, 3))", "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
    ("t.stack(t.ones(2, 3))", "stack(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"),
    ("t.cat([t.ones(2), [1.]])", "expected Tensor as element 1 in argument 0, but got list"),
    ("t.stack([t.ones(2), 3])", "expected Tensor as element 1 in argument 0, but got int"),
    ("t.hstack(t.ones(2))", "must be tuple of Tensors, not Tensor"),
    ("F.relu([1., -1.])", "relu(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.relu([1., -1.])", "relu(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.gelu([1., -1.])", "gelu(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.leaky_relu([1.])", "argument 'input' (position 1) must be Tensor, not list"),
    ("F.cross_entropy([1.], t.ones(1))", "cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not list"),
    ("F.nll_loss([1.], t.ones(1))", "argument 'input' (position 1) must be Tensor, not list"),
    ("F.conv2d([1.], t.ones(1, 1, 1, 1))", "conv2d()"),
    ("t.exp([1.])", "exp(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.exp(1.)", "exp(): argument 'input' (position 1) must be Tensor, not float"),
    ("t.tanh(np.ones(2))", "tanh(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("t.sigmoid(None)", "sigmoid(): argument 'input' (position 1) must be Tensor, not NoneType"),
    ("t.sum([1.])", "sum(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.argmax([1.])", "argmax(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.softmax([1.], 0)", "softmax(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.reshape([1., 2.], (2,))", "reshape(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.isnan([1.])", "isnan(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.zeros_like([1.])", "zeros_like(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.add([1.], t.ones(1))", "add(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.add(t.ones(1), [1.])", "add(): argument 'other' (position 2) must be Tensor, not list"),
    ("t.add(t.ones(1), None)", "add(): argument 'other' (position 2) must be Tensor, not NoneType"),
    ("t.mul(t.ones(1), np.ones(1))", "mul(): argument 'other' (position 2) must be Tensor, not numpy.ndarray"),
    ("t.ones(2).add([1., 2.])", "must be Tensor, not list"),
    ("t.ones(2) + [1., 2.]", ""),
    ("t.ones(2) * (1., 2.)", ""),
    ("t.ones(2) ** [1., 2.]", ""),
    ("t.matmul([1.], t.ones(1))", "matmul(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.mm([[1.]], t.ones(1, 1))", "mm(): argument 'input' (position 1) must be Tensor, not list"),
    ("t.where(t.ones(2) > 0, [1., 1.], t.ones(2))", "where()"),
    ("t.index_select(t.ones(3), 0, [0])", "index_select()"),
    ("nn.Linear(2, 3)([1., 2.])", "linear(): argument 'input' (position 1) must be Tensor, not list"),
    ("nn.Linear(2, 3)(np.ones(2))", "linear(): argument 'input' (position 1) must be Tensor, not numpy.ndarray"),
    ("nn.Linear(2, 3)(None)", "linear(): argument 'input' (position 1) must be Tensor, not NoneType"),
    ("F.linear(t.ones(2), [[1., 2.]])", "linear(): argument 'weight' (position 2) must be Tensor, not list"),
    ("F.linear(t.ones(2), t.ones(3, 2), [1.])", "linear(): argument 'bias' (position 3) must be Tensor, not list"),
    ("F.embedding([0], t.ones(2, 2))", "embedding(): argument 'indices' (position 2) must be Tensor, not list"),
    ("t.ones(6).reshape((3.0, 2))", "must be tuple of ints, but found element of type float at pos 0"),
    ("t.ones(6).view(3.0, 2)", ""),
    ("t.multinomial(t.ones(2), 1.5)", "argument 'num_samples' (position 2) must be int, not float"),
    ("t.randperm(2.5)", "randperm(): argument 'n' (position 1) must be int, not float"),
]


@pytest.mark.parametrize("src,key", WRONG_TYPES)
def test_wrong_argument_types(src, key):
    check(src, key)


def test_comparison_with_a_non_tensor_is_not_equal_as_in_torch():
    for src in ("t.ones(2) == [1., 1.]", "t.ones(2) == 'a'", "t.ones(2) != (1, 1)", "t.ones(2) == None"):
        expected = eval(src, {"t": torch})
        got = eval(src, {"t": minitorch})
        assert got is expected, src
    got = minitorch.ones(2) == np.ones(2)                  # an array compares elementwise, as in torch
    assert isinstance(got, minitorch.Tensor) and got.tolist() == [True, True]


# ---------------------------------------------------------------- values out of range
BAD_VALUES = [
    ("F.binary_cross_entropy(t.tensor([0.5, 0.2]), t.tensor([1, 0]))", "Found dtype Long but expected Float"),
    ("F.binary_cross_entropy(t.tensor([0.5]).double(), t.tensor([1.]))", "Found dtype Float but expected Double"),
    ("F.binary_cross_entropy(t.tensor([1, 0]), t.tensor([1, 0]))", "\"binary_cross_entropy\" not implemented for 'Long'"),
    ("F.binary_cross_entropy(t.tensor([0.5, float('nan')]), t.tensor([1., 0]))",
     "all elements of input should be between 0 and 1"),
    ("F.binary_cross_entropy(t.tensor([0.5, 1.5]), t.tensor([1., 0]))", "all elements of input should be between 0 and 1"),
    ("F.binary_cross_entropy(t.tensor([0.5, 0.5]), t.tensor([1., 2.]))", "all elements of target should be between 0 and 1"),
    ("F.binary_cross_entropy(t.tensor([0.5]), t.tensor([float('nan')]))", "all elements of target should be between 0 and 1"),
    ("F.binary_cross_entropy_with_logits(t.ones(2), t.ones(2).long())",
     "result type Float can't be cast to the desired output type Long"),
    ("nn.Flatten()(t.tensor(1.))", "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    ("t.flatten(t.tensor(1.), 0, -2)", "Dimension out of range (expected to be in range of [-1, 0], but got -2)"),
    ("t.randperm(-1)", "Trying to create tensor with negative dimension -1: [-1]"),
    ("t.manual_seed(2**70)", "Overflow when unpacking long long"),
    ("t.manual_seed(2**64)", "Overflow when unpacking long long"),
    ("t.manual_seed(-2**63 - 1)", "Overflow when unpacking long long"),
    ("t.Generator().manual_seed(2**64)", "Overflow when unpacking long long"),
    ("float(t.ones(2))", "only one element tensors can be converted to Python scalars"),
    ("int(t.ones(0))", "only one element tensors can be converted to Python scalars"),
    ("t.ones(2).item()", "a Tensor with 2 elements cannot be converted to Scalar"),
    ("t.index_select(t.ones(3), 0, t.tensor([3]))", "index out of range in self"),
    ("t.index_select(t.ones(3), 0, t.tensor([-1]))", "index out of range in self"),
    ("t.index_select(t.ones(2, 3, 4), 2, t.tensor([4]))", "index out of range in self"),
    ("t.index_select(t.ones(3, 2), 1, t.tensor([2]))", "INDICES element is out of DATA bounds, id=2 axis_dim=2"),
    ("t.gather(t.ones(3), 0, t.tensor([3]))", "index 3 is out of bounds for dimension 0 with size 3"),
    ("t.gather(t.ones(3), 0, t.tensor([-1]))", "index -1 is out of bounds for dimension 0 with size 3"),
    ("t.scatter(t.ones(3), 0, t.tensor([3]), t.ones(1))", "index 3 is out of bounds for dimension 0 with size 3"),
    ("t.scatter_add(t.ones(3), 0, t.tensor([-1]), t.ones(1))", "index -1 is out of bounds for dimension 0 with size 3"),
    ("t.eye(-1)", "n must be greater or equal to 0, got -1"),
    ("t.eye(2, -1)", "m must be greater or equal to 0, got -1"),
    ("t.softmax(t.tensor([1, 2]), 0)", "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    ("t.softmax(t.ones(2, 3).long(), 0)", "\"softmax_kernel_impl\" not implemented for 'Long'"),
    ("F.log_softmax(t.tensor([1, 2]), 0)", "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    ("t.log_softmax(t.ones(2).int(), 0)", "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Int'"),
    ("F.cross_entropy(t.ones(2, 3).long(), t.tensor([0, 1]))", "\"log_softmax_lastdim_kernel_impl\" not implemented"),
    ("F.cross_entropy(t.ones(2, 3, 4).long(), t.zeros(2, 4).long())", "\"log_softmax_kernel_impl\" not implemented"),
    ("F.nll_loss(t.ones(2, 3).long(), t.tensor([0, 1]))", "\"nll_loss_out_frame\" not implemented for 'Long'"),
    ("F.cross_entropy(t.ones(2, 3), t.tensor([0., 1.]))", "expected target dtype to be Long or Byte, but got Float"),
    ("F.cross_entropy(t.ones(2, 3), t.tensor([0, 1], dtype=t.int32))", "expected target dtype to be Long or Byte, but got Int"),
    ("F.cross_entropy(t.ones(2, 3), t.tensor([0, 3]))", "Target 3 is out of bounds."),
    ("F.cross_entropy(t.ones(2, 3), t.ones(2, 3).long())", "Expected floating point type for target with class probabilities"),
    ("t.multinomial(t.tensor([0.5, -0.1]), 1)", "probability tensor contains either `inf`, `nan` or element < 0"),
    ("t.multinomial(t.tensor([0.5, float('inf')]), 1)", "probability tensor contains either `inf`, `nan` or element < 0"),
    ("t.multinomial(t.tensor([0.5, float('nan')]), 1)", "probability tensor contains either `inf`, `nan` or element < 0"),
    ("t.multinomial(t.tensor([0.5, 0.5]), 3)", "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    ("t.multinomial(t.tensor([0., 0.]), 1)", "invalid multinomial distribution (sum of probabilities <= 0)"),
    ("t.multinomial(t.tensor([0.5, 0.5]), 0)", "cannot sample n_sample <= 0 samples"),
    ("t.multinomial(t.tensor(0.5), 1)", "prob_dist must be 1 or 2 dim"),
    ("t.multinomial(t.tensor([1, 2]), 1)", "multinomial only supports floating-point dtypes for input, got: Long"),
    ("t.bernoulli(t.tensor([1.5]))", "Expected p_in >= 0 && p_in <= 1 to be true, but got false."),
    ("t.bernoulli(t.tensor([float('nan')]))", "Expected p_in >= 0 && p_in <= 1 to be true, but got false."),
    ("t.bernoulli(t.tensor([1, 0]))", "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"),
    ("t.bernoulli(t.ones(2), 1.5)", "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    ("t.rand_like(t.ones(2).long())", "\"check_uniform_bounds\" not implemented for 'Long'"),
    ("t.randn_like(t.ones(2).long())", "\"normal_kernel_cpu\" not implemented for 'Long'"),
    ("t.tensor([2**63])", "Overflow when unpacking long long"),
    ("t.tensor(2**63)", "Overflow when unpacking long long"),
    ("t.tensor([1, 2**63])", "Overflow when unpacking long long"),
    ("t.tensor([-2**63 - 1])", "Overflow when unpacking long long"),
    ("t.tensor([[1], [2**64]])", "Overflow when unpacking long long"),
    ("t.tensor([2**63], dtype=t.int64)", "Overflow when unpacking long long"),
    ("t.ones(2, 3).expand(3)", "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be "
                               "greater or equal to the number of dimensions in the tensor (2)"),
    ("t.ones(2, 3).double().expand_as(t.ones(4))", "expand(torch.DoubleTensor{[2, 3]}, size=[4]): the number of sizes"),
    ("t.ones(2, 3).expand(4, 3)", "The expanded size of the tensor (4) must match the existing size (2) at non-singleton "
                                  "dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]"),
    ("t.ones(2, 3).expand(-1, 2, 3)", "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing"),
    ("t.zeros(-1)", ""),
    ("t.ones(2, -1)", "Trying to create tensor with negative dimension -1: [2, -1]"),
    ("t.empty(-1)", "Trying to create tensor with negative dimension -1: [-1]"),
    ("t.rand(-1)", "Trying to create tensor with negative dimension -1: [-1]"),
    ("t.randn(2, -3)", "Trying to create tensor with negative dimension -3: [2, -3]"),
    ("t.full((-1,), 1.)", "Trying to create tensor with negative dimension -1: [-1]"),
    ("t.arange(0, 5, -1)", "upper bound and lower bound inconsistent with step sign"),
    ("t.arange(0, 5, 0)", "step must be nonzero"),
    ("t.arange(0, float('inf'))", "unsupported range: 0 -> inf"),
    ("t.arange(float('nan'))", "unsupported range: 0 -> nan"),
    ("t.linspace(0, 1, -1)", "number of steps must be non-negative"),
    ("t.ones(6).view(4, 2)", "shape '[4, 2]' is invalid for input of size 6"),
    ("t.ones(6).reshape(-1, 4)", "shape '[-1, 4]' is invalid for input of size 6"),
    ("t.ones(6).view(-1, -1)", "only one dimension can be inferred"),
    ("t.ones(6).view(2, -2)", "invalid shape dimension -2 at index 1 of shape [2, -2]"),
    ("t.ones(0).reshape(0, -1)", "cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified "
                                 "dimension size -1 can be any value and is ambiguous"),
    ("t.ones(2, 3).t().view(6)", "view size is not compatible with input tensor's size and stride"),
    ("t.ones(2, 3) @ t.ones(2, 3)", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    ("t.ones(2, 3) @ t.ones(4)", "size mismatch, got input (2), mat (2x3), vec (4)"),
    ("t.ones(3) @ t.ones(4)", "inconsistent tensor size, expected tensor [3] and src [4]"),
    ("t.ones(2, 2, 3) @ t.ones(2, 4, 3)", "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]."),
    ("t.ones(2, 3) @ t.ones(3, 2).double()", "expected m1 and m2 to have the same dtype, but got: float != double"),
    ("nn.functional.linear(t.ones(2, 3), t.ones(4, 3, dtype=t.int16))",
     "expected m1 and m2 to have the same dtype, but got: float != short int"),
    ("nn.functional.linear(t.ones(2, 3), t.ones(4, 3, dtype=t.uint8))",
     "expected m1 and m2 to have the same dtype, but got: float != unsigned char"),
    ("nn.Linear(2, 3)(t.ones(3))", "mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)"),
]


@pytest.mark.parametrize("src,key", BAD_VALUES)
def test_bad_values(src, key):
    check(src, key)


def test_valid_neighbours_still_work():
    """The checks refuse only what torch refuses."""
    m = minitorch
    assert m.flatten(m.tensor(1.), 0, 0).shape == (1,)
    assert m.flatten(m.tensor(1.), -1, -1).shape == (1,)
    assert m.ones(6).view(m.tensor(2), 3).shape == (2, 3)
    assert m.ones(6).reshape(np.int64(2), 3).shape == (2, 3)
    assert m.tensor([1.5, 2**63]).dtype is m.float32
    assert m.tensor([2**63], dtype=m.float32).item() == 2.0 ** 63
    assert m.tensor([2**63 - 1]).item() == 2**63 - 1
    assert m.add(2, m.ones(2)).tolist() == [3., 3.] and m.pow(2, m.ones(2)).tolist() == [2., 2.]
    assert m.where(m.ones(2) > 0, 1., m.zeros(2)).tolist() == [1., 1.]
    assert m.randperm(0).shape == (0,)
    assert m.manual_seed(2**64 - 1).initial_seed() == torch.manual_seed(2**64 - 1).initial_seed()
    assert m.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert m.multinomial(m.tensor([0.5, 0.5]), 3, replacement=True).shape == (3,)
    # without replacement, zero-probability categories come after the positive ones (torch does not refuse)
    for _ in range(5):
        assert m.multinomial(m.tensor([1., 0.]), 2).tolist() == [0, 1]
    assert m.bernoulli(m.tensor([0., 1.])).tolist() == [0., 1.]
    assert m.softmax(m.tensor([1, 2]), 0, dtype=m.float32).dtype is m.float32
    assert float(m.ones(1)) == 1.0 and int(m.ones(1, 1)) == 1


# ---------------------------------------------------------------- hooks that would corrupt gradients
HOOKS = [
    ("x = t.ones(3, requires_grad=True); x.register_hook(lambda g: g[:2]); x.sum().backward()",
     "hook '<lambda>' has changed the size of value"),
    ("x = t.ones(3, requires_grad=True); x.register_hook(lambda g: g[None]); x.sum().backward()",
     "hook '<lambda>' has changed the size of value"),
    ("x = t.ones(3, requires_grad=True); x.register_hook(lambda g: g.double()); x.sum().backward()",
     "hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)"),
    ("x = t.ones(3, requires_grad=True); x.register_hook(lambda g: g.to(t.float16)); x.sum().backward()",
     "hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.HalfTensor)"),
    ("x = t.ones(3, requires_grad=True); x.register_hook(lambda g: 5); x.sum().backward()",
     "expected Variable, but hook returned 'int'"),
    ("def hook(g):\n    return g[:2]\nx = t.ones(3, requires_grad=True); y = x * 2; y.register_hook(hook); "
     "y.sum().backward()", "hook 'hook' has changed the size of value"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.register_hook(lambda g: g.long()); y.sum().backward()",
     "hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.LongTensor)"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_prehook(lambda go: (go[0][:2],)); "
     "y.sum().backward()", "hook '<lambda>' has changed the size of value"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_prehook(lambda go: (go[0].double(),)); "
     "y.sum().backward()", "hook '<lambda>' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_prehook(lambda go: (go[0], go[0])); "
     "y.sum().backward()", "hook '<lambda>' has returned an incorrect number of values (got 2, but expected 1)"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_hook(lambda gi, go: (gi[0][:2],)); "
     "y.sum().backward()", "hook '<lambda>' has returned an incorrect number of values (got 1, but expected 2)"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0])); "
     "y.sum().backward()", "can't replace a None gradient with a non-None value"),
    ("x = t.ones(3, requires_grad=True); y = x * 2; y.grad_fn.register_hook(lambda gi, go: gi[0]); "
     "y.sum().backward()", "expected tuple, but hook returned 'Tensor'"),
    ("m = nn.Linear(2, 2); m.register_full_backward_hook(lambda m, gi, go: (gi[0][:1],)); "
     "x = t.ones(2, 2, requires_grad=True); m(x).sum().backward()", "hook 'hook' has changed the size of value"),
    ("m = nn.Linear(2, 2); m.register_full_backward_hook(lambda m, gi, go: (gi[0].double(),)); "
     "x = t.ones(2, 2, requires_grad=True); m(x).sum().backward()",
     "hook 'hook' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)"),
    ("m = nn.Linear(2, 2); m.register_full_backward_pre_hook(lambda m, go: (go[0][:1],)); "
     "x = t.ones(2, 2, requires_grad=True); m(x).sum().backward()", "hook 'hook' has changed the size of value"),
    ("m = nn.Linear(2, 2); m.register_full_backward_pre_hook(lambda m, go: (go[0].double(),)); "
     "x = t.ones(2, 2, requires_grad=True); m(x).sum().backward()",
     "hook 'hook' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)"),
]


@pytest.mark.parametrize("src,key", HOOKS)
def test_hooks_that_change_a_gradient(src, key):
    check(src, key, mode="exec")


def test_hooks_that_keep_size_and_dtype_still_replace_the_gradient():
    for lib in (torch, minitorch):
        x = lib.ones(3, requires_grad=True)
        x.register_hook(lambda g: g * 3)
        y = x * 2
        y.register_hook(lambda g: g + 1)
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.sum().backward()
        assert x.grad.tolist() == [24., 24., 24.]
        m = lib.nn.Linear(2, 2)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
        z = lib.ones(2, 2, requires_grad=True)
        m(z).sum().backward()
        assert z.grad.tolist() == [[0., 0.], [0., 0.]]
