"""Shape ops against torch: views, joins and splits, over random shapes (size-0/1 dims, non-contiguous)."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
from harness import torch_device
from strategies import FEW, check, check_or_raises, dtypes, rand, seeds, shapes


@st.composite
def reshape_target(draw, shape):
    """Another shape with the same number of elements (merged, split, permuted sizes; maybe a -1)."""
    sizes = list(shape)
    if len(sizes) >= 2 and draw(st.booleans()):
        i = draw(st.integers(0, len(sizes) - 2))
        sizes[i:i + 2] = [sizes[i] * sizes[i + 1]]
    sizes = draw(st.permutations(sizes))
    for _ in range(draw(st.integers(0, 2))):
        sizes.insert(draw(st.integers(0, len(sizes))), 1)
    if sizes and draw(st.booleans()) and all(s != 0 for s in sizes):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return tuple(sizes)


@FEW
@given(data=st.data(), shape=shapes(), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_reshape_view(data, shape, dtype, seed, nc, device):
    target = data.draw(reshape_target(shape))
    x = rand(shape, dtype, seed=seed)
    check(lambda T, x: x.reshape(target) * 2, [x], noncontiguous=nc, device=device)
    check(lambda T, x: T.reshape(x, target), [x], noncontiguous=nc, device=device)
    check(lambda T, x: x.reshape(*target) if target else x.reshape(()), [x], device=device)
    check(lambda T, x: x.view(target), [x], device=device)
    check(lambda T, x: x.view(*target) if target else x.view(()), [x], device=device)
    check(lambda T, x: x.flatten(), [x], noncontiguous=nc, device=device)
    check(lambda T, x: T.ravel(x), [x], noncontiguous=nc, device=device)
    check(lambda T, x: x.view(-1).view_as(x), [x], device=device)
    check(lambda T, x: x.reshape_as(x.reshape(-1)), [x], noncontiguous=nc, device=device)
    if nc and x.ndim >= 2 and x.shape[-1] > 1 and x.shape[-2] > 1:
        # torch's "use .reshape(...)" error
        check_or_raises(lambda T, x: x.transpose(-1, -2).view(-1), [x], device=device)


# name: f(T, x, d) with d a valid dim of x (x has at least one dim)
DIMS = {
    "flatten_from": lambda T, x, d: x.flatten(d),
    "flatten_range": lambda T, x, d: T.flatten(x, 0, d),
    "unflatten": lambda T, x, d: x.unflatten(d, (x.shape[d], 1)),
    "squeeze_all": lambda T, x, d: x.squeeze(),
    "squeeze_d": lambda T, x, d: T.squeeze(x, d),
    "squeeze_tuple": lambda T, x, d: x.squeeze((0, d)),
    "unsqueeze": lambda T, x, d: x.unsqueeze(d),
    "unsqueeze_end": lambda T, x, d: T.unsqueeze(x, -1),
    "unsqueeze_neg": lambda T, x, d: x.unsqueeze(-d - 1),
    "transpose": lambda T, x, d: x.transpose(0, d),
    "transpose_fn": lambda T, x, d: T.transpose(x, d, -1),
    "swapaxes": lambda T, x, d: T.swapaxes(x, d, 0),
    "swapdims": lambda T, x, d: x.swapdims(-1, d),
    "movedim": lambda T, x, d: T.movedim(x, d, 0),
    "movedim_m": lambda T, x, d: x.movedim(0, d),
    "T": lambda T, x, d: x.T,
    "mT": lambda T, x, d: x.mT if x.dim() >= 2 else x * 1,
    "t": lambda T, x, d: x.t() if x.dim() <= 2 else x * 1,
    "t_fn": lambda T, x, d: T.t(x) if x.dim() <= 2 else x * 1,
    "flip": lambda T, x, d: x.flip(d),
    "flip_fn": lambda T, x, d: T.flip(x, (0, d)),
    "narrow": lambda T, x, d: x.narrow(d, 0, x.shape[d] // 2),
    "narrow_fn": lambda T, x, d: T.narrow(x, d, x.shape[d] // 3, x.shape[d] - x.shape[d] // 3),
    "split": lambda T, x, d: x.split(2, d),
    "split_fn": lambda T, x, d: T.split(x, 1, dim=d),
    "split_sections": lambda T, x, d: x.split([x.shape[d] // 2, x.shape[d] - x.shape[d] // 2], d),
    "chunk": lambda T, x, d: x.chunk(2, d),
    "chunk_fn": lambda T, x, d: T.chunk(x, 3, dim=d),
    "tensor_split": lambda T, x, d: T.tensor_split(x, 3, d),
    "tensor_split_idx": lambda T, x, d: x.tensor_split([1, 3], dim=d),
    "unbind": lambda T, x, d: x.unbind(d),
    "unbind_fn": lambda T, x, d: T.unbind(x, d),
    "repeat_interleave": lambda T, x, d: x.repeat_interleave(2, d),
    "repeat_interleave_flat": lambda T, x, d: T.repeat_interleave(x, 3),
    "cat_self": lambda T, x, d: T.cat([x, x * 2, x[..., :0] if d in (-1, x.dim() - 1) else x], d),
    "cat_kw": lambda T, x, d: T.cat((x, x.exp()), dim=d),
    "concat": lambda T, x, d: T.concat([x, x], d),
    "stack": lambda T, x, d: T.stack([x, x * 3], d),
    "stack_end": lambda T, x, d: T.stack((x, x, x.sin()), dim=-1),
    "contiguous": lambda T, x, d: x.transpose(0, d).contiguous(),
    "clone": lambda T, x, d: x.clone(),
    "clone_fn": lambda T, x, d: T.clone(x.transpose(0, d)),
    "select_view_chain": lambda T, x, d: x.transpose(0, d).unsqueeze(1).flatten(1).squeeze(),
}


@FEW
@pytest.mark.parametrize("name", DIMS)
@given(data=st.data(), shape=shapes(min_dims=1), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_dim_ops(name, data, shape, dtype, seed, nc, device):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_or_raises(lambda T, x: DIMS[name](T, x, d), [rand(shape, dtype, seed=seed)], noncontiguous=nc,
                    device=device)


@FEW
@given(data=st.data(), shape=shapes(), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_permute_expand_repeat(data, shape, dtype, seed, nc, device):
    x = rand(shape, dtype, seed=seed)
    perm = data.draw(st.permutations(range(len(shape))))
    check(lambda T, x: x.permute(*perm) if perm else x.permute(()), [x], noncontiguous=nc, device=device)
    check(lambda T, x: T.permute(x, perm), [x], noncontiguous=nc, device=device)
    check(lambda T, x: x.permute(perm).permute(np.argsort(perm).tolist()), [x], device=device)
    # expand: size-1 dims grow, new leading dims, -1 keeps
    target = data.draw(st.tuples(*[st.sampled_from([s, -1]) if s != 1 else st.integers(0, 3) for s in shape]))
    lead = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    check(lambda T, x: x.expand(*(lead + target)) if lead + target else x.expand(()), [x], noncontiguous=nc,
          device=device)
    check(lambda T, x: x.expand(lead + target), [x], device=device)
    shp = tuple(abs(s) if s != -1 else x.shape[i] for i, s in enumerate(target))
    check(lambda T, x: T.broadcast_to(x, lead + shp), [x], device=device)
    check(lambda T, x: x.expand_as(T.zeros(lead + shp, dtype=x.dtype, device=x.device)), [x], device=device)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape) + 1)))
    check(lambda T, x: x.repeat(*reps) if reps else x.repeat(()), [x], noncontiguous=nc, device=device)
    check(lambda T, x: T.tile(x, reps), [x], device=device)
    check(lambda T, x: x.tile(reps[:1]), [x], device=device)


@given(shapes=st.lists(shapes(1, 3, 0, 3), min_size=1, max_size=3), dtype=dtypes, seed=seeds, data=st.data())
def test_cat_stack_broadcast(shapes, dtype, seed, data, device):
    # make the shapes agree except along one dim
    base = shapes[0]
    d = data.draw(st.integers(-len(base), len(base) - 1))
    shs = [tuple(s[(d % len(base))] if i == d % len(base) and len(s) > i else b for i, b in enumerate(base))
           for s in shapes]
    xs = [rand(s, dtype, seed=seed + i) for i, s in enumerate(shs)]
    check(lambda T, *xs: T.cat(xs, d), xs, device=device)
    check(lambda T, *xs: T.stack([x.sum(d) for x in xs] * 2 if len({x.shape for x in xs}) > 1 else xs, d), xs,
          device=device)
    check(lambda T, *xs: T.hstack(xs) if len({x.shape for x in xs}) == 1 else xs[0] * 1, xs, device=device)
    check(lambda T, *xs: T.vstack(xs) if len({x.shape for x in xs}) == 1 else xs[0] * 1, xs, device=device)
    check(lambda T, *xs: T.broadcast_tensors(xs[0], xs[0].sum(0, keepdim=True)), xs, device=device)


@pytest.mark.parametrize("f", [
    lambda T, x, y: T.cat([x, y], 0),                       # sizes differ outside the cat dim
    lambda T, x, y: T.cat([x, y.sum(0)], 0),                # number of dims differs
    lambda T, x, y: T.cat([], 0),
    lambda T, x, y: T.cat([x.sum()], 0),
    lambda T, x, y: T.cat([x, x], 2),
    lambda T, x, y: T.stack([x, y]),
    lambda T, x, y: x.view(5, 2),
    lambda T, x, y: x.view(-1, -1),
    lambda T, x, y: x.reshape(4, 2),
    lambda T, x, y: x.expand(3, 3),
    lambda T, x, y: x.expand(2),
    lambda T, x, y: x.permute(0, 0),
    lambda T, x, y: x.permute(0),
    lambda T, x, y: x.squeeze(2),
    lambda T, x, y: x.unsqueeze(3),
    lambda T, x, y: x.transpose(0, 2),
    lambda T, x, y: x.split([1, 1], 0),
    lambda T, x, y: x.narrow(1, 2, 2),
    lambda T, x, y: x.chunk(0),
    lambda T, x, y: x.flatten(1, 0),
    lambda T, x, y: x.t().t().reshape(-1, 2, 3),
    lambda T, x, y: T.broadcast_tensors(x, y),
    lambda T, x, y: x.repeat(2),
])
def test_errors(f, device):
    """Each bad call raises torch's kind of error; shape mismatches name both shapes, as torch's do."""
    check_or_raises(f, [rand((2, 3)), rand((3, 4), seed=1)], device=device)


def test_error_messages_name_shapes(device):
    x, y = mt.zeros(2, 3, device=device), mt.zeros(3, 4, device=device)
    with pytest.raises(RuntimeError, match=r"Sizes of tensors must match except in dimension 0. Expected size 3 "
                                           r"but got size 4 for tensor number 1 in the list"):
        mt.cat([x, y])
    with pytest.raises(RuntimeError, match=r"shape '\[5, 2\]' is invalid for input of size 6"):
        x.view(5, 2)
    with pytest.raises(RuntimeError, match=r"view size is not compatible with input tensor's size and stride"):
        mt.zeros(3, 4, device=device).t().view(-1)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(3\) must match the existing size "
                                           r"\(2\) at non-singleton dimension 0.  Target sizes: \[3, 3\].  "
                                           r"Tensor sizes: \[2, 3\]"):
        x.expand(3, 3)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2, 3\] at "
                                           r"entry 0 and \[3, 4\] at entry 1"):
        mt.stack([x, y])


VIEWS = [lambda b: b.view(3, 4), lambda b: b.reshape(3, 4), lambda b: b.view(3, 4).t(), lambda b: b.view(3, 4)[1],
         lambda b: b[2:8:2], lambda b: b.view(3, 4).transpose(0, 1), lambda b: b.view(2, 6).permute(1, 0),
         lambda b: b.unsqueeze(0), lambda b: b.view(1, 12).squeeze(), lambda b: b.view(3, 4).narrow(1, 1, 2),
         lambda b: b.expand(2, 12), lambda b: b.view(3, 4).split(2, 1)[1], lambda b: b.flatten(),
         lambda b: b.view(3, 4).unbind(0)[2], lambda b: b.view(3, 4).chunk(2, 1)[0], lambda b: b.view(3, 4).T,
         lambda b: b.detach(), lambda b: b.view(4, 3).unflatten(0, (2, 2)), lambda b: b.view(3, 4).movedim(0, 1),
         lambda b: b.view(12, 1).squeeze(1), lambda b: b.view(3, 4)[:, None, 1:3], lambda b: b.view(3, 4)[..., 1],
         lambda b: b.data, lambda b: b.view_as(b), lambda b: b.view(2, 2, 3).select(1, 0),
         lambda b: b.view(3, 4).select(-1, -1), lambda b: b.view(2, 6).T.diagonal() if hasattr(b, "diagonal")
         else b.view(2, 6)[:, 0]]


@pytest.mark.parametrize("f", VIEWS)
def test_views_share_memory(f, device):
    """A view sees its base change, the base sees writes through the view; versions move as torch's do."""
    for T in (mt, torch):
        dev = device if T is mt else torch_device(device)
        base = T.arange(12.0, device=dev)
        v = f(base)
        base.mul_(2)
        assert np.array_equal(v.cpu().numpy(), f(T.arange(12.0, device=dev) * 2).cpu().numpy())
        if v.numel() and v.stride()[0] != 0:                 # not the expanded view: torch forbids writing it
            v.fill_(-1.0)
            assert (base == -1).sum().item() == v.numel()
        if T is mt:
            ours = (base._version, v._version)
    assert ours == (base._version, v._version)


def test_copies_do_not_share(device):
    base = mt.arange(12.0, device=device)
    c = base.view(3, 4).t().contiguous()          # non-contiguous: a copy
    c.fill_(0)
    assert base.sum().item() == 66
    r = base.view(3, 4).t().reshape(-1)            # reshape of non-contiguous: a copy, as torch
    r.fill_(0)
    assert base.sum().item() == 66
    assert base.view(3, 4).is_contiguous() and not base.view(3, 4).t().is_contiguous()
    assert base.view(3, 4).t().contiguous().is_contiguous()
    assert base.view(3, 4).stride() == torch.arange(12.0).view(3, 4).stride() == (4, 1)
    assert base.view(3, 4).t().stride() == (1, 4) and base.view(3, 4).t().stride(0) == 1
