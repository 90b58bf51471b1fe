"""Losses of ``minitorch.nn.functional`` against torch: every option, double backward, stability, errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, strategies as st

import minitorch as mt
import minitorch.nn.functional as F
from harness import compare, assert_same, tol_for, to_numpy, torch_device

FLOATS = [np.float32, np.float64]
dtypes = st.sampled_from(FLOATS)
seeds = st.integers(0, 2 ** 31 - 1)
REDUCTIONS = ["mean", "sum", "none"]


def data(shape, dtype, seed=0, scale=1.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def name_of(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def both(fn_m, fn_t, arrays, **kw):
    """compare, with double backward checked only where torch supports it."""
    return compare(fn_m, arrays, fn_t, **kw)


# ---------------------------------------------------------------- cross_entropy / nll_loss
@st.composite
def class_index_cases(draw):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 5))
    extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    unbatched = draw(st.booleans()) and not extra
    use_weight = draw(st.booleans())
    ignore = draw(st.sampled_from([-100, 0, 1]))
    smoothing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0]))
    reduction = draw(st.sampled_from(REDUCTIONS))
    seed = draw(seeds)
    rng = np.random.default_rng(seed)
    if unbatched:
        x_shape, t_shape = (c,), ()
    else:
        x_shape, t_shape = (n, c) + extra, (n,) + extra
    target = rng.integers(0, c, t_shape)
    if ignore == -100 and target.size and draw(st.booleans()):
        target.reshape(-1)[0] = -100                       # some ignored samples
    if ignore >= 0 and ignore < c and reduction == "mean" and not (target != ignore).any():
        target = np.full(t_shape, (ignore + 1) % c) if c > 1 else target
    weight = rng.uniform(0.2, 2.0, c) if use_weight else None
    return dict(x_shape=x_shape, target=np.asarray(target, dtype=np.int64), weight=weight, ignore_index=ignore,
                label_smoothing=smoothing, reduction=reduction, seed=seed)


def _ce_args(case, dtype):
    x = data(case["x_shape"], dtype, case["seed"], 2.0)
    arrays = [x, case["target"]] + ([case["weight"].astype(dtype)] if case["weight"] is not None else [])
    kw = dict(ignore_index=case["ignore_index"], reduction=case["reduction"], label_smoothing=case["label_smoothing"])
    return arrays, kw


@given(class_index_cases(), dtypes)
def test_cross_entropy_class_indices_matches_torch(device, case, dtype):
    arrays, kw = _ce_args(case, dtype)
    if case["reduction"] == "mean" and not (case["target"] != case["ignore_index"]).any():
        return                                                  # 0/0: both nan; nothing to compare in gradients
    out_m, out_t = compare(lambda x, t, *w: F.cross_entropy(x, t, *w, **kw), arrays,
                           lambda x, t, *w: TF.cross_entropy(x, t, *w, **kw),
                           requires_grad=[True, False, False], tol=tol_for(dtype, 5), device=device)
    if not kw["label_smoothing"] and not (kw["reduction"] == "none" and len(case["x_shape"]) in (3, 5)):
        assert name_of(out_m) == name_of(out_t)
    # without create_graph the backward reuses the softmax saved by forward: same numbers
    compare(lambda x, t, *w: F.cross_entropy(x, t, *w, **kw), arrays, lambda x, t, *w: TF.cross_entropy(x, t, *w, **kw),
            requires_grad=[True, False, False], tol=tol_for(dtype, 5), gradgrad=False, device=device)


@given(class_index_cases(), dtypes)
def test_nll_loss_matches_torch(device, case, dtype):
    arrays, kw = _ce_args(case, dtype)
    kw.pop("label_smoothing")
    if case["reduction"] == "mean" and not (case["target"] != case["ignore_index"]).any():
        return
    out_m, out_t = compare(lambda x, t, *w: F.nll_loss(x, t, *w, **kw), arrays,
                           lambda x, t, *w: TF.nll_loss(x, t, *w, **kw), requires_grad=[True, False, False],
                           device=device)
    if not (kw["reduction"] == "none" and len(case["x_shape"]) in (3, 5)):
        assert name_of(out_m) == name_of(out_t)


@given(st.integers(1, 4), st.integers(1, 5), st.lists(st.integers(1, 3), max_size=2), st.booleans(),
       st.sampled_from([0.0, 0.2]), st.sampled_from(REDUCTIONS), dtypes, seeds)
def test_cross_entropy_class_probabilities_matches_torch(device, n, c, extra, use_weight, smoothing, reduction, dtype,
                                                         seed):
    rng = np.random.default_rng(seed)
    shape = (n, c) + tuple(extra)
    x = data(shape, dtype, seed, 2.0)
    p = rng.uniform(0, 1, shape)
    p = (p / p.sum(1, keepdims=True)).astype(dtype)
    arrays = [x, p] + ([rng.uniform(0.2, 2, c).astype(dtype)] if use_weight else [])
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    compare(lambda x, t, *w: F.cross_entropy(x, t, *w, **kw), arrays, lambda x, t, *w: TF.cross_entropy(x, t, *w, **kw),
            requires_grad=[True, True, False], tol=tol_for(dtype, 5), device=device)


def test_cross_entropy_unbatched_and_byte_targets(device):
    x = data((5,), np.float64, 0)
    compare(lambda a, t: F.cross_entropy(a, t), [x, np.array(2)], lambda a, t: TF.cross_entropy(a, t),
            requires_grad=[True, False], device=device)
    compare(lambda a, t: F.cross_entropy(a, t, label_smoothing=0.3), [x, np.array(2)],
            lambda a, t: TF.cross_entropy(a, t, label_smoothing=0.3), requires_grad=[True, False], device=device)
    x2 = data((4, 3), np.float32, 1)
    compare(lambda a, t: F.cross_entropy(a, t), [x2, np.array([0, 2, 1, 1], np.uint8)],
            lambda a, t: TF.cross_entropy(a, t), requires_grad=[True, False], device=device)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_stable_for_huge_logits(device, dtype, smoothing):
    """Logits of +-1e4 (exp overflows): finite loss and gradients, equal to torch's."""
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]], dtype=dtype)
    t = np.array([1, 2, 0])
    out_m, _ = compare(lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing), [x, t],
                       lambda a, b: TF.cross_entropy(a, b, label_smoothing=smoothing), requires_grad=[True, False],
                       device=device)
    assert np.isfinite(out_m.item())
    xm = mt.tensor(x, requires_grad=True, device=device)
    F.cross_entropy(xm, mt.tensor(t, device=device), label_smoothing=smoothing).backward()
    assert xm.grad.device == xm.device and np.isfinite(to_numpy(xm.grad)).all()
    for fn, tfn in ((F.log_softmax, TF.log_softmax), (F.softmax, TF.softmax)):
        compare(lambda a: fn(a, 1), [x], lambda a: tfn(a, 1), device=device)
    z = np.array([1e4, -1e4, 3.0, -3.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    out_m, _ = compare(lambda a, b: F.binary_cross_entropy_with_logits(a, b), [z, y],
                       lambda a, b: TF.binary_cross_entropy_with_logits(a, b), device=device)
    assert np.isfinite(out_m.item())


def test_cross_entropy_fused_backward_is_softmax_minus_target(device):
    x = data((6, 4), np.float64, 3)
    t = np.array([0, 1, 2, 3, 0, 1])
    xm = mt.tensor(x, requires_grad=True, device=device)
    F.cross_entropy(xm, mt.tensor(t, device=device)).backward()
    p = np.exp(x - x.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(6), t] -= 1
    np.testing.assert_allclose(to_numpy(xm.grad), p / 6, rtol=1e-12, atol=1e-15)


def test_class_index_errors_match_torch(device):
    def randn(*shape):
        return mt.randn(*shape, device=device)

    def tensor(data):
        return mt.tensor(data, device=device)

    x = randn(3, 5)
    cases = [
        (lambda: F.cross_entropy(x, tensor([1.0, 2.0, 3.0])), RuntimeError,
         "expected target dtype to be Long or Byte, but got Float"),
        (lambda: F.cross_entropy(x, tensor([1, 2, 3]).int()), RuntimeError,
         "expected target dtype to be Long or Byte, but got Int"),
        (lambda: F.cross_entropy(x, tensor([1, 2, 5])), IndexError, "Target 5 is out of bounds."),
        (lambda: F.cross_entropy(x, tensor([1, 2, -1])), IndexError, "Target -1 is out of bounds."),
        (lambda: F.cross_entropy(x, tensor([1, 2])), ValueError,
         "Expected input batch_size (3) to match target batch_size (2)."),
        (lambda: F.cross_entropy(x, randn(3, 4)), RuntimeError,
         "0D or 1D target tensor expected, multi-target not supported"),
        (lambda: F.cross_entropy(x, randn(3, 5).long()), RuntimeError,
         "Expected floating point type for target with class probabilities, got Long"),
        (lambda: F.cross_entropy(randn(3, 5, 2), tensor([[1, 2], [0, 0]])), ValueError,
         "Expected input batch_size (3) to match target batch_size (2)."),
        (lambda: F.cross_entropy(randn(3, 5, 2), tensor([1, 2, 0])), RuntimeError,
         "Expected target size [3, 2], got [3]"),
        (lambda: F.cross_entropy(x, tensor([1, 2, 3]), reduction="foo"), ValueError,
         "foo is not a valid value for reduction"),
        (lambda: F.cross_entropy(x, tensor([1, 2, 3]), weight=mt.ones(4, device=device)), RuntimeError,
         "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]"),
        (lambda: F.cross_entropy(x, tensor([1, 2, 3]), label_smoothing=1.5), RuntimeError,
         "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
        (lambda: F.nll_loss(x, tensor([1.0, 2.0, 3.0])), RuntimeError,
         "expected target dtype to be Long or Byte, but got Float"),
        (lambda: F.nll_loss(x, tensor([1, 2, 7])), IndexError, "Target 7 is out of bounds."),
        (lambda: F.nll_loss(randn(3, 5, 2), tensor([1, 2, 7])), RuntimeError,
         "Expected target size [3, 2], got [3]"),
    ]
    for fn, kind, msg in cases:
        with pytest.raises(kind) as info:
            fn()
            if device != "cpu":
                mt.cuda.synchronize()     # a GPU kernel's bad target is raised at the next sync (as torch's asserts)
        assert str(info.value) == msg


def test_ignored_targets_may_be_out_of_range_and_all_ignored_is_nan(device):
    x = data((3, 4), np.float64, 0)
    t = np.array([1, -100, 3])
    compare(lambda a, b: F.cross_entropy(a, b), [x, t], lambda a, b: TF.cross_entropy(a, b),
            requires_grad=[True, False], device=device)
    tdev = torch_device(device)
    lm = F.cross_entropy(mt.tensor(x, device=device), mt.tensor([-100, -100, -100], device=device))
    lt = TF.cross_entropy(torch.tensor(x, device=tdev), torch.tensor([-100, -100, -100], device=tdev))
    assert np.isnan(lm.item()) and np.isnan(lt.item())


# ---------------------------------------------------------------- pointwise losses
POINTWISE = [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 1.0}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 1.0}), ("huber_loss", {"delta": 0.3}),
]


@pytest.mark.parametrize("name, extra", POINTWISE)
@given(st.sampled_from(REDUCTIONS), dtypes, seeds, st.booleans(),
       st.sampled_from([(3, 4), (5,), (2, 3, 2), ()]))
def test_pointwise_losses_match_torch(device, name, extra, reduction, dtype, seed, weighted, shape):
    rng = np.random.default_rng(seed)
    arrays = [data(shape, dtype, seed), data(shape, dtype, seed + 1)]
    has_weight = name in ("mse_loss", "l1_loss", "huber_loss") and weighted
    if has_weight:
        arrays.append(rng.uniform(0.1, 2.0, shape).astype(dtype))
    kw = dict(extra, reduction=reduction)
    fm = lambda a, b, *w: getattr(F, name)(a, b, weight=w[0] if w else None, **kw)
    ft = lambda a, b, *w: getattr(TF, name)(a, b, weight=w[0] if w else None, **kw)
    if name == "smooth_l1_loss":
        fm = lambda a, b: F.smooth_l1_loss(a, b, **kw)
        ft = lambda a, b: TF.smooth_l1_loss(a, b, **kw)
    # torch's double backward of |x| is a ZeroTensor it cannot export; the first derivatives are what we compare
    gradgrad = name in ("mse_loss", "huber_loss") or (name == "smooth_l1_loss" and extra["beta"] > 0)
    out_m, out_t = compare(fm, arrays, ft, requires_grad=[True, True, False], gradgrad=gradgrad,
                           tol=tol_for(dtype, 5), device=device)
    if not has_weight:
        assert name_of(out_m) == name_of(out_t)


def test_mse_broadcast_warns_like_torch(device):
    a, b = data((3,), np.float64, 0), data((3, 1), np.float64, 1)
    with pytest.warns(UserWarning, match="Using a target size"):
        compare(lambda x, y: F.mse_loss(x, y), [a, b], lambda x, y: TF.mse_loss(x, y), device=device)
    with pytest.raises(RuntimeError):
        F.mse_loss(mt.rand(3, device=device), mt.rand(4, device=device))
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        F.mse_loss(mt.rand(3, device=device), mt.rand(3, device=device), weight=mt.rand(2, device=device))


def test_legacy_size_average_and_reduce(device):
    a, b = data((4, 3), np.float64, 0), data((4, 3), np.float64, 1)
    for sa, red in ((False, None), (None, False), (True, True)):
        with pytest.warns(UserWarning):
            compare(lambda x, y: F.mse_loss(x, y, size_average=sa, reduce=red), [a, b],
                    lambda x, y: TF.mse_loss(x, y, size_average=sa, reduce=red), device=device)


@given(st.sampled_from(REDUCTIONS), dtypes, seeds, st.booleans(), st.sampled_from([(3, 4), (5,), ()]))
def test_binary_cross_entropy_matches_torch(device, reduction, dtype, seed, weighted, shape):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.02, 0.98, shape).astype(dtype)
    t = rng.uniform(0, 1, shape).astype(dtype)
    arrays = [x, t] + ([rng.uniform(0.1, 2, shape).astype(dtype)] if weighted else [])
    out_m, out_t = compare(lambda a, b, *w: F.binary_cross_entropy(a, b, *w, reduction=reduction), arrays,
                           lambda a, b, *w: TF.binary_cross_entropy(a, b, *w, reduction=reduction),
                           requires_grad=[True, True, False], gradgrad=False, tol=tol_for(dtype, 5), device=device)
    assert name_of(out_m) == name_of(out_t)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_double_backward_is_torchs_formula(reduction, weighted):
    """float64 second derivatives through sigmoid (the fuzzer's case among them) to 1e-13: torch differentiates its
    gradient with its own formulas, where a composition of Tensor ops rounds differently (1.6e-10 off before)."""
    r = np.random.default_rng(7)
    x0 = np.concatenate([[1.364682952812545], r.standard_normal(6) * 3])
    x1 = np.concatenate([[0.09008757558099867], r.random(6)])
    w = r.random(7) if weighted else None

    def grads(lib):
        a, b = (lib.from_numpy(v.copy()).requires_grad_() for v in (x0, x1))
        kw = {"reduction": reduction} if w is None else {"reduction": reduction, "weight": lib.from_numpy(w.copy())}
        loss = lib.nn.functional.binary_cross_entropy(lib.sigmoid(a), b, **kw).sum()
        g = lib.autograd.grad(loss, [a, b], create_graph=True)
        gg = lib.autograd.grad((g[0] * 1.3).sum() + (g[1] * 0.7).sum(), [a, b])
        return [v.detach().numpy() for v in g + gg]

    for ours, theirs in zip(grads(mt), grads(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15 * np.abs(theirs).max())


def test_binary_cross_entropy_clamps_logs_like_torch(device):
    x = np.array([0.0, 1.0, 0.5, 1e-50], dtype=np.float64)
    t = np.array([1.0, 0.0, 1.0, 0.0], dtype=np.float64)
    tdev = torch_device(device)
    lm = F.binary_cross_entropy(mt.tensor(x, device=device), mt.tensor(t, device=device), reduction="none")
    lt = TF.binary_cross_entropy(torch.tensor(x, device=tdev), torch.tensor(t, device=tdev), reduction="none")
    assert_same(lm, lt)
    xs = np.array([0.3, 0.6, 0.999], dtype=np.float64)
    compare(lambda a, b: F.binary_cross_entropy(a, b), [xs, np.array([1.0, 0.0, 1.0])],
            lambda a, b: TF.binary_cross_entropy(a, b), requires_grad=[True, False], device=device,
            gradgrad_tol=dict(rtol=1e-8, atol=1e-12))      # torch's second derivative adds 1e-12 to x and 1 - x
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(mt.rand(3, device=device) + 1, mt.rand(3, device=device))
    with pytest.raises(ValueError) as info:
        F.binary_cross_entropy(mt.rand(3, device=device), mt.rand(3, 1, device=device))
    assert str(info.value) == ("Using a target size (torch.Size([3, 1])) that is different to the input size "
                               "(torch.Size([3])) is deprecated. Please ensure they have the same size.")


@given(st.sampled_from(REDUCTIONS), dtypes, seeds, st.booleans(), st.booleans(), st.sampled_from([(3, 4), (6,)]))
def test_binary_cross_entropy_with_logits_matches_torch(device, reduction, dtype, seed, weighted, pos, shape):
    rng = np.random.default_rng(seed)
    arrays = [data(shape, dtype, seed, 3.0), rng.uniform(0, 1, shape).astype(dtype)]
    arrays.append(rng.uniform(0.1, 2, shape).astype(dtype) if weighted else None)
    arrays.append(rng.uniform(0.1, 3, shape[-1:]).astype(dtype) if pos else None)
    out_m, out_t = compare(lambda a, b, w, p: F.binary_cross_entropy_with_logits(a, b, w, reduction=reduction,
                                                                                 pos_weight=p), arrays,
                           lambda a, b, w, p: TF.binary_cross_entropy_with_logits(a, b, w, reduction=reduction,
                                                                                  pos_weight=p),
                           requires_grad=[True, True, False, False], tol=tol_for(dtype, 5), device=device)
    assert name_of(out_m) == name_of(out_t)
    with pytest.raises(ValueError) as info:
        F.binary_cross_entropy_with_logits(mt.rand(3, device=device), mt.rand(3, 1, device=device))
    assert str(info.value) == "Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3]))"


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(device, reduction, log_target):
    rng = np.random.default_rng(0)
    x = np.log(rng.dirichlet(np.ones(4), 3))
    t = rng.dirichlet(np.ones(4), 3)
    t[0, 1] = 0.0
    if log_target:
        t = np.log(t + 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), [x, t],
                lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target), requires_grad=[True, False],
                device=device)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_gradient_is_zero_off_target_for_an_inf_upstream(reduction, weighted):
    """torch's kernel writes -w[t] u at each counted row's target and leaves the rest 0: an inf upstream gradient
    (a sqrt or log of a zero loss downstream) stays there, where g * b would make 0 * inf = nan everywhere."""
    x = np.random.default_rng(0).standard_normal((3, 4, 2)).astype(np.float32)
    t = np.array([[1, -100], [3, 0], [-100, 2]])
    w = np.array([0.5, 0.0, 2.0, 1.0], dtype=np.float32) if weighted else None
    grads = []
    for L, FF in ((mt, F), (torch, TF)):
        xt = L.tensor(x, requires_grad=True)
        loss = FF.nll_loss(xt, L.tensor(t), weight=None if w is None else L.tensor(w), reduction=reduction)
        up = L.full(tuple(loss.shape), float("inf"))
        up.view(-1)[0] = 2.0 if loss.dim() else float("inf")
        grads.append(L.autograd.grad(loss, xt, up)[0])
    assert_same(grads[0], grads[1])
