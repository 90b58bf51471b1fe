"""conv1d/conv2d and the pools of ``minitorch.nn.functional`` against torch.

Forward values, gradients of every input (input, weight, bias) and double
backward are compared on the same data (``harness.compare``); hypothesis
draws shapes and hyper-parameters: stride / padding (ints, pairs, 'same',
'valid') / dilation / groups, odd sizes, batch 1, ceil_mode, count_include_pad.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, assume, strategies as st

import minitorch as mt
import minitorch.nn.functional as F
# each tuning constant is set on the module whose functions read it (a constant set elsewhere changes nothing):
# conv.py (the plain im2col, the dispatcher), conv_fast.py (padded rows, tall blocks), _conv_common.py (chunks)
from minitorch.ops import conv as C, conv_fast as CF, _conv_common as CC
from harness import compare, assert_same, tol_for, to_numpy, torch_device

FLOATS = [np.float32, np.float64]
dtypes = st.sampled_from(FLOATS)
seeds = st.integers(0, 2 ** 31 - 1)
TOL32 = tol_for(np.float32, 10)          # sums of many float32 products: a little above elementwise noise


def data(shape, dtype, seed=0, scale=1.0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def distinct(shape, dtype, seed=0):
    """No ties (max pooling's gradient is then unambiguous)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2) * 0.37).reshape(shape).astype(dtype)


class tuned:
    """Set module constants for the duration of a ``with`` block, then restore them. Only names the module
    already has: a constant that moved to another module must fail here, not be set where nothing reads it."""

    def __init__(self, settings):
        self.settings = settings                 # [(module, name, value)]

    def __enter__(self):
        for mod, name, _ in self.settings:
            assert hasattr(mod, name), f"{mod.__name__} has no {name}"
        self.saved = [(mod, name, getattr(mod, name)) for mod, name, _ in self.settings]
        for mod, name, value in self.settings:
            setattr(mod, name, value)

    def __exit__(self, *exc):
        for mod, name, value in self.saved:
            setattr(mod, name, value)


def chunks(small):
    """Force the conv kernels to walk the batch image by image (``small=True``: minitorch's numpy code, oneDNN
    off) or leave the defaults (float32 on the CPU then runs in oneDNN where it is installed: test_onednn.py)."""
    names = [(CC, "CHUNK_BYTES", 1), (CC, "CHUNK_MIN_FLOPS", 0), (CC, "THIN_CHUNK_BYTES", 1),
             (CF, "TALL_CHUNK_BYTES", 1), (CF, "PLANES_CHUNK_BYTES", 1), (mt.backends.mkldnn, "enabled", False)]
    return tuned(names if small else [])


def tol(dtype):
    return TOL32 if dtype == np.float32 else None


def name_of(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# ---------------------------------------------------------------- conv2d
@st.composite
def conv2d_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    # 9 channels per group now and then: products wider than conv.THIN_ROWS take the other code paths
    cin, cout = groups * draw(st.sampled_from([1, 2, 2, 9])), groups * draw(st.sampled_from([1, 2, 2, 9]))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.sampled_from([1, 2, 3, (1, 2), (2, 1)]))
    dilation = draw(st.sampled_from([1, 1, 2, (1, 2)]))
    padding = draw(st.sampled_from([0, 1, 2, (0, 1), (2, 0), "valid", "same"]))
    if padding == "same":
        stride = 1
    n = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    p = (0, 0) if padding in ("valid", "same") else (padding if isinstance(padding, tuple) else (padding,) * 2)
    if padding != "same":
        assume(h + 2 * p[0] >= d[0] * (kh - 1) + 1 and w + 2 * p[1] >= d[1] * (kw - 1) + 1)
    bias = draw(st.booleans())
    return dict(n=n, cin=cin, cout=cout, h=h, w=w, k=(kh, kw), stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=bias)


@given(conv2d_cases(), dtypes, seeds, st.booleans())
def test_conv2d_matches_torch(device, case, dtype, seed, small_chunks):
    x = data((case["n"], case["cin"], case["h"], case["w"]), dtype, seed)
    wt = data((case["cout"], case["cin"] // case["groups"]) + case["k"], dtype, seed + 1)
    arrays = [x, wt] + ([data((case["cout"],), dtype, seed + 2)] if case["bias"] else [])
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    with chunks(small_chunks):
        out_m, out_t = compare(lambda *a: F.conv2d(*a, **kw), arrays, lambda *a: TF.conv2d(*a, **kw), tol=tol(dtype),
                               device=device)
    assert name_of(out_m) == name_of(out_t) == "ConvolutionBackward0"


@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(3, 12), st.integers(1, 4),
       st.sampled_from([1, 2, 3]), st.sampled_from([0, 1, 2, "same"]), st.sampled_from([1, 2]), dtypes, seeds,
       st.booleans())
def test_conv1d_matches_torch(device, n, cin, cout, length, k, stride, padding, dilation, dtype, seed, small_chunks):
    if padding == "same":
        stride = 1
    else:
        assume(length + 2 * padding >= dilation * (k - 1) + 1)
    arrays = [data((n, cin, length), dtype, seed), data((cout, cin, k), dtype, seed + 1), data((cout,), dtype, seed + 2)]
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    with chunks(small_chunks):
        compare(lambda *a: F.conv1d(*a, **kw), arrays, lambda *a: TF.conv1d(*a, **kw), tol=tol(dtype), device=device)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape, kw", [
    ((4, 3, 32, 32, 6, 5), dict()),                                   # LeNet conv1
    ((4, 6, 14, 14, 16, 5), dict()),                                  # LeNet conv2
    ((2, 8, 12, 12, 8, 3), dict(padding=1)),                          # ResNet block
    ((2, 8, 12, 12, 16, 3), dict(padding=1, stride=2)),               # ResNet downsample
    ((2, 8, 12, 12, 16, 1), dict(stride=2)),                          # 1x1 projection shortcut
    ((2, 8, 11, 13, 8, 3), dict(padding=1, groups=8)),                # depthwise
    # more than 8 input channels per group: the input gradient is the "full" correlation of dY (conv.py)
    ((2, 16, 10, 10, 8, 3), dict(padding=1)),
    ((2, 12, 9, 10, 6, 4), dict(padding="same")),                     # even kernel: asymmetric padding
    ((2, 12, 10, 9, 6, 3), dict(padding=2, dilation=2)),
    ((2, 18, 8, 8, 4, 3), dict(padding=2, groups=2)),
    ((2, 12, 6, 6, 5, 1), dict(padding=1)),                           # padding wider than the kernel
])
@pytest.mark.parametrize("onednn", [True, False], ids=["default", "numpy"])
def test_conv2d_network_shapes(device, dtype, shape, kw, onednn):
    n, c, h, w, o, k = shape
    arrays = [data((n, c, h, w), dtype, 1), data((o, c // kw.get("groups", 1), k, k), dtype, 2, 0.2),
              data((o,), dtype, 3)]
    # float32: sums of thousands of terms (the bias gradient) cancel; compare on the scale of the terms
    with tuned([] if onednn else [(mt.backends.mkldnn, "enabled", False)]):
        compare(lambda *a: F.conv2d(*a, **kw), arrays, lambda *a: TF.conv2d(*a, **kw),
                tol=dict(rtol=1e-4, atol=2e-3) if dtype == np.float32 else None, device=device)


def test_conv2d_chunked_batches_match_whole_batch(monkeypatch):
    """The kernels walk the batch in chunks that fit in cache; any chunk size gives the same numbers."""
    x, w = data((7, 3, 9, 9), np.float64, 4), data((5, 3, 3, 3), np.float64, 5)
    g = data((7, 5, 5, 4), np.float64, 6)
    geo = C.Geometry((2, 2), (1, 2, 1, 0), (1, 1), 1)
    ref = (C.conv_forward(np, x, w, None, geo), C.conv_weight_grad(np, x, g, w.shape, geo),
           C.conv_input_grad(np, g, w, x.shape, geo))
    g1 = data((7, 5, 9, 7), np.float64, 7)                                      # stride 1: the row-layout input grad
    geo1 = C.Geometry((1, 1), (1, 1, 1, 1), (1, 2), 1)
    ref1 = C.conv_input_grad(np, g1, w, x.shape, geo1)
    for chunk in (1, 3000, 10 ** 9):
        monkeypatch.setattr(CC, "CHUNK_BYTES", chunk)
        monkeypatch.setattr(CC, "THIN_CHUNK_BYTES", chunk)          # 5 output channels: a thin product
        monkeypatch.setattr(CC, "CHUNK_MIN_FLOPS", 0)
        got = (C.conv_forward(np, x, w, None, geo), C.conv_weight_grad(np, x, g, w.shape, geo),
               C.conv_input_grad(np, g, w, x.shape, geo))
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(C.conv_input_grad(np, g1, w, x.shape, geo1), ref1, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- fast formulations against the plain im2col
def formulation(rows=None, flipped=None, few=None, tall=None):
    """Force conv.py's dispatcher: ``rows`` True/False takes the padded-rows forward and weight gradient always /
    never (stride 1); ``flipped`` True/False takes the flipped-kernel input gradient always / never (stride 1).
    (oneDNN off: these are minitorch's own formulations.)"""
    settings = [(mt.backends.mkldnn, "enabled", False)]
    if tall is not None:                       # tall blocks for every one-group stride-1 product / for none
        settings += zip([CF] * 3, ("TALL_MAX_CHANNELS", "TALL_MIN_KH", "TALL_ROWS"),
                        (10 ** 9, 1, 10 ** 9) if tall else (-1, 99, 0))
    if rows is not None:
        settings.append((CF, "ROWS_MAX_WASTE", float("inf") if rows else 0.0))
    if flipped is not None:
        settings.append((CC, "THIN_ROWS", -1 if flipped else 10 ** 9))
    if few is not None:                        # "rows" with the few-channel (whole-batch, transposed dW) variant
        settings.append((CF, "FEW_CHANNELS", 10 ** 9 if few else -1))
    return tuned(settings)


@st.composite
def stride1_cases(draw, symmetric=False):
    """Stride-1 geometries (the fast paths' domain): asymmetric padding, dilation, groups, thin and wide."""
    g = draw(st.sampled_from([1, 1, 2]))
    cg, og = draw(st.sampled_from([1, 3, 9])), draw(st.sampled_from([1, 4, 10]))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.sampled_from([1, 1, 2])), draw(st.sampled_from([1, 1, 2]))
    pads = tuple(draw(st.integers(0, 3)) for _ in range(4))
    if symmetric:                                      # torch's conv2d takes symmetric padding
        pads = (pads[0], pads[0], pads[2], pads[2])
    n, h, w = draw(st.integers(1, 4)), draw(st.integers(1, 10)), draw(st.integers(1, 10))
    assume(h + pads[0] + pads[1] >= dh * (kh - 1) + 1 and w + pads[2] + pads[3] >= dw * (kw - 1) + 1)
    return n, g * cg, h, w, g * og, kh, kw, C.Geometry((1, 1), pads, (dh, dw), g)


@given(stride1_cases(), seeds, st.booleans())
def test_fast_conv_formulations_match_the_plain_im2col(case, seed, small_chunks):
    """Every formulation the dispatcher can pick gives the plain im2col's numbers (float64: to rounding)."""
    n, c, h, w, o, kh, kw, geo = case
    x, wt = data((n, c, h, w), np.float64, seed), data((o, c // geo.groups, kh, kw), np.float64, seed + 1)
    b = data((o,), np.float64, seed + 2)
    ho, wo = geo.out_size(h, w, kh, kw)
    gy = data((n, o, ho, wo), np.float64, seed + 3)
    close = dict(rtol=1e-12, atol=1e-11)
    with chunks(small_chunks):
        y_ref = C.conv_forward_im2col(np, x, wt, b, geo)
        gw_ref = C.conv_weight_grad_im2col(np, x, gy, wt.shape, geo)
        gx_ref = C.conv_input_grad_im2col(np, gy, wt, x.shape, geo)
        for few in (True, False):
            with formulation(few=few):
                np.testing.assert_allclose(CF._forward_rows(np, x, wt, b, geo), y_ref, **close)
                np.testing.assert_allclose(CF._weight_grad_rows(np, x, gy, wt.shape, geo), gw_ref, **close)
        saved = CF.TALL_CHUNK_BYTES
        for r in [r for r in range(1, ho + 1) if ho % r == 0] if geo.groups == 1 else []:
            # tall blocks: every block height that tiles the output; chunks of 2 images (a partial last chunk
            # when n is odd) and the defaults
            per_image = c * (r + (kh - 1) * geo.dilation[0]) * kw * (ho // r) * (w + geo.pads[2] + geo.pads[3]) * 8
            for chunk in (2 * per_image, saved):
                CF.TALL_CHUNK_BYTES = chunk
                try:
                    np.testing.assert_allclose(CF._forward_tall(np, x, wt, b, geo, r), y_ref, **close)
                    np.testing.assert_allclose(CF._weight_grad_tall(np, x, gy, wt.shape, geo, r), gw_ref, **close)
                    np.testing.assert_allclose(CF._input_grad_tall(np, gy, wt, x.shape, geo, r), gx_ref, **close)
                finally:
                    CF.TALL_CHUNK_BYTES = saved
        for rows in (True, False):
            for tall in (True, False):
                with formulation(rows=rows, tall=tall):
                    np.testing.assert_allclose(C.conv_forward(np, x, wt, b, geo), y_ref, **close)
                    np.testing.assert_allclose(C.conv_weight_grad(np, x, gy, wt.shape, geo), gw_ref, **close)
        for flipped in (True, False):
            for rows in (True, False):
                for tall in (True, False):
                    with formulation(rows=rows, flipped=flipped, tall=tall):
                        np.testing.assert_allclose(C.conv_input_grad(np, gy, wt, x.shape, geo), gx_ref, **close)


@given(stride1_cases(symmetric=True), dtypes, seeds, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_fast_conv_formulations_match_torch(device, case, dtype, seed, rows, flipped, few, tall):
    """Each forced formulation through F.conv2d (forward, gradients, double backward) against torch."""
    n, c, h, w, o, kh, kw, geo = case
    pt, _, pl, _ = geo.pads
    arrays = [data((n, c, h, w), dtype, seed), data((o, c // geo.groups, kh, kw), dtype, seed + 1),
              data((o,), dtype, seed + 2)]
    kw_ = dict(padding=(pt, pl), dilation=geo.dilation, groups=geo.groups)
    with formulation(rows=rows, flipped=flipped, few=few, tall=tall):
        compare(lambda *a: F.conv2d(*a, **kw_), arrays, lambda *a: TF.conv2d(*a, **kw_), tol=tol(dtype),
                device=device)


def test_dispatcher_picks_rows_for_the_benchmark_shapes():
    """The table in conv_fast.py: LeNet's and ResNet's stride-1 layers take the padded-rows formulation on the CPU."""
    for x_shape, k, pads in (((64, 3, 32, 32), 5, 0), ((64, 6, 14, 14), 5, 0), ((32, 64, 32, 32), 3, 1)):
        assert CF._use_rows(np, x_shape, k, k, C.Geometry((1, 1), (pads,) * 4, (1, 1), 1))
    assert not CF._use_rows(np, (2, 8, 12, 12), 3, 3, C.Geometry((2, 2), (1,) * 4, (1, 1), 1))     # stride 2
    assert not CF._use_rows(np, (2, 8, 4, 4), 3, 3, C.Geometry((1, 1), (0,) * 4, (1, 1), 1))       # Wp/Wo = 2


def test_dispatcher_table():
    """The choice table of docs chapter 7: tall blocks of 4 rows for LeNet's thin conv1, padded rows for its
    conv2 and ResNet's layers, the plain im2col for stride 2 (and on a GPU, which is not numpy)."""
    one = lambda s, p: C.Geometry((s, s), (p,) * 4, (1, 1), 1)
    assert C._formulation(np, (64, 3, 32, 32), (6, 3, 5, 5), one(1, 0)) == ("tall", 4)
    assert C._formulation(np, (64, 6, 14, 14), (16, 6, 5, 5), one(1, 0)) == ("rows", 0)
    assert C._formulation(np, (32, 64, 32, 32), (64, 64, 3, 3), one(1, 1)) == ("rows", 0)
    assert C._formulation(np, (8, 3, 32, 32), (6, 3, 1, 1), one(1, 0)) == ("rows", 0)       # 1-row kernel
    assert C._formulation(np, (8, 3, 32, 32), (8, 3, 3, 3), one(1, 1)) == ("rows", 0)       # 3-row: measured slower
    assert C._formulation(np, (8, 3, 32, 32), (6, 3, 5, 5), one(2, 0)) == ("im2col", 0)


def test_tall_weight_layout():
    """W_t[(o, t), (c, u, j)] = w[o, c, i, j] where u = t + i*dh, else 0 (the comment in conv_fast.py)."""
    w = data((2, 3, 2, 3), np.float64, 0)
    r, dh = 3, 2
    u = r + (w.shape[2] - 1) * dh
    wt = CF._tall_weight(np, w, r, dh).reshape(2, r, 3, u, 3)
    for t in range(r):
        for uu in range(u):
            i, rem = divmod(uu - t, dh)
            want = w[:, :, i, :] if uu >= t and rem == 0 and i < w.shape[2] else 0.0
            np.testing.assert_array_equal(wt[:, t, :, uu, :], want)


def test_im2col_layout():
    """cols[(c, i, j), (n, oy, ox)] = xpad[n, c, oy*sh + i*dh, ox*sw + j*dw] (the docstring's definition)."""
    x = data((2, 3, 6, 7), np.float64, 0)
    geo = C.Geometry((2, 1), (1, 1, 0, 2), (1, 2), 1)
    cols = C.im2col(np, x, 2, 3, geo)[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 2)))
    ho, wo = geo.out_size(6, 7, 2, 3)
    for c in range(3):
        for i in range(2):
            for j in range(3):
                for n in range(2):
                    for oy in range(ho):
                        for ox in range(wo):
                            assert cols[(c * 2 + i) * 3 + j, (n * ho + oy) * wo + ox] == xp[n, c, oy * 2 + i, ox + 2 * j]


def test_conv2d_noncontiguous_and_unbatched(device):
    x, w, b = data((2, 3, 7, 8), np.float64, 0), data((4, 3, 3, 3), np.float64, 1), data((4,), np.float64, 2)
    compare(lambda *a: F.conv2d(*a, padding=1), [x, w, b], lambda *a: TF.conv2d(*a, padding=1), noncontiguous=True,
            device=device)
    compare(lambda *a: F.conv2d(*a, stride=2), [x[0], w, b], lambda *a: TF.conv2d(*a, stride=2), device=device)
    compare(lambda *a: F.conv1d(*a), [x[0, :, 0], w[:, :, 0], b], lambda *a: TF.conv1d(*a), device=device)


def test_conv2d_triple_backward(device):
    """The three conv Functions differentiate into each other: third-order gradients agree with torch."""
    x, w = data((2, 2, 5, 5), np.float64, 0), data((3, 2, 3, 3), np.float64, 1)
    res = []
    for T, mod, dev in ((mt, F, device), (torch, TF, torch_device(device))):
        xx, ww = T.tensor(x, requires_grad=True, device=dev), T.tensor(w, requires_grad=True, device=dev)
        y = mod.conv2d(xx, ww, padding=1, stride=2)
        g1, = T.autograd.grad((y * y).sum(), ww, create_graph=True)
        g2, = T.autograd.grad((g1 * g1).sum(), xx, create_graph=True)
        g3, = T.autograd.grad((g2 ** 2).sum(), ww)
        res.append((g1, g2, g3))
    for a, b in zip(*res):
        assert_same(a, b)


def test_conv_errors_match_torch(device):
    def randn(*shape):
        return mt.randn(*shape, device=device)

    x = randn(2, 3, 8, 8)
    w = randn(4, 3, 3, 3)
    # torch adds the MKLDNN clause only on the CPU, where an MKLDNN input may meet a dense weight
    types = ("torch.FloatTensor", "torch.DoubleTensor", " or input should be a MKLDNN tensor and weight is a dense "
             "tensor") if device == "cpu" else ("torch.cuda.FloatTensor", "torch.cuda.DoubleTensor", "")
    cases = [
        (lambda: F.conv2d(randn(2, 5, 8, 8), w), RuntimeError,
         "Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 5, 8, 8] to have 3 channels, but got 5 "
         "channels instead"),
        (lambda: F.conv2d(randn(5, 8, 8), w), RuntimeError,
         "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 5, 8, 8] to have 3 channels, but got 5 "
         "channels instead"),
        (lambda: F.conv2d(randn(8, 8), w), RuntimeError,
         "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]"),
        (lambda: F.conv2d(randn(2, 3, 2, 2), w), RuntimeError,
         "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater "
         "than actual input size"),
        (lambda: F.conv2d(x, w, stride=2, padding="same"), RuntimeError,
         "padding='same' is not supported for strided convolutions"),
        (lambda: F.conv2d(x, w, padding="foo"), RuntimeError, "Invalid padding string: 'foo'"),
        (lambda: F.conv2d(x, w.double()), RuntimeError,
         "Input type ({}) and weight type ({}) should be the same{}".format(*types)),
        (lambda: F.conv2d(randn(2, 4, 8, 8), randn(3, 2, 3, 3), groups=2), RuntimeError,
         "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size "
         "[[3, 2, 3, 3]] instead"),
        (lambda: F.conv2d(x, w, randn(5)), RuntimeError,
         "Given weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias of "
         "size [5] instead"),
        (lambda: F.conv2d(x, w, stride=0), RuntimeError, "non-positive stride is not supported"),
        (lambda: F.conv2d(x, w, padding=-1), RuntimeError, "negative padding is not supported"),
        (lambda: F.conv1d(randn(2, 5, 8), randn(4, 3, 3)), RuntimeError,
         "Given groups=1, weight of size [4, 3, 3], expected input[2, 5, 8] to have 3 channels, but got 5 "
         "channels instead"),
    ]
    for fn, kind, msg in cases:
        with pytest.raises(kind) as info:
            fn()
        assert str(info.value) == msg


# ---------------------------------------------------------------- max pooling
@st.composite
def pool_cases(draw, with_dilation=True):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, 3, (1, 2)]))
    dilation = draw(st.sampled_from([1, 2, (1, 2)])) if with_dilation else 1
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    ph = draw(st.integers(0, kh // 2))
    pw = draw(st.integers(0, kw // 2))
    ceil_mode = draw(st.booleans())
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    s = stride if isinstance(stride, tuple) else ((kh, kw) if stride is None else (stride, stride))
    from minitorch.ops.pool import pool_out_size
    for size, k, st_, p, dd in ((h, kh, s[0], ph, d[0]), (w, kw, s[1], pw, d[1])):
        out = pool_out_size(size, k, st_, p, dd, ceil_mode)
        assume(out >= 1)
        # every window must see the input (windows of padding only give torch an out-of-range index)
        assume(all(any(0 <= o * st_ - p + t * dd < size for t in range(k)) for o in range(out)))
    kw_ = dict(kernel_size=(kh, kw), stride=stride, padding=(ph, pw), ceil_mode=ceil_mode)
    if with_dilation:
        kw_["dilation"] = dilation
    return (n, c, h, w), kw_


@given(pool_cases(), dtypes, seeds, st.booleans())
def test_max_pool2d_matches_torch(device, case, dtype, seed, return_indices):
    shape, kw = case
    kw = dict(kw, return_indices=return_indices)
    out_m, out_t = compare(lambda x: F.max_pool2d(x, **kw), [distinct(shape, dtype, seed)],
                           lambda x: TF.max_pool2d(x, **kw), device=device)
    if return_indices:
        assert out_m[1].dtype == mt.int64 and out_m[1].device == out_m[0].device
        np.testing.assert_array_equal(to_numpy(out_m[1]), to_numpy(out_t[1]))


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (1, 2, 7, 9), (2, 2, 6, 5)])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=2, ceil_mode=True),
                                dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=(2, 3), stride=(1, 2))])
def test_max_pool2d_ties_go_to_the_first_maximum(device, shape, kw):
    """Windows full of equal values: the gradient goes to the first one (row-major), as in torch."""
    x = np.random.default_rng(0).integers(0, 3, shape).astype(np.float64)
    x[0, 0] = 1.0                                                       # a plane of all ties
    out_m, out_t = compare(lambda a: F.max_pool2d(a, return_indices=True, **kw), [x],
                           lambda a: TF.max_pool2d(a, return_indices=True, **kw), device=device)
    np.testing.assert_array_equal(to_numpy(out_m[1]), to_numpy(out_t[1]))


def test_max_pool2d_fast_path_details(device):
    x = distinct((2, 3, 8, 8), np.float32, 1)
    out_m, out_t = compare(lambda a: F.max_pool2d(a, 2), [x], lambda a: TF.max_pool2d(a, 2), noncontiguous=True,
                           device=device)
    assert name_of(out_m) == name_of(out_t) == "MaxPool2DWithIndicesBackward0"
    compare(lambda a: F.max_pool2d(a, 2), [x[0]], lambda a: TF.max_pool2d(a, 2), device=device)          # unbatched
    y = np.array([[[[1.0, np.nan], [3.0, 2.0]]]])
    compare(lambda a: F.max_pool2d(a, 2), [y], lambda a: TF.max_pool2d(a, 2), gradgrad=False, device=device)


@given(st.integers(1, 2), st.integers(1, 3), st.integers(2, 12), st.integers(1, 4), st.sampled_from([None, 1, 2]),
       st.integers(0, 2), st.booleans(), dtypes, seeds)
def test_max_pool1d_matches_torch(device, n, c, length, k, stride, pad, ceil_mode, dtype, seed):
    assume(pad <= k // 2 and length + 2 * pad >= k)
    kw = dict(kernel_size=k, stride=stride, padding=pad, ceil_mode=ceil_mode, return_indices=True)
    if stride == 1 and k == 2:
        kw["dilation"] = 2
        assume(length + 2 * pad >= 3)
    out_m, out_t = compare(lambda x: F.max_pool1d(x, **kw), [distinct((n, c, length), dtype, seed)],
                           lambda x: TF.max_pool1d(x, **kw), device=device)
    np.testing.assert_array_equal(to_numpy(out_m[1]), to_numpy(out_t[1]))


# ---------------------------------------------------------------- average pooling
@given(pool_cases(with_dilation=False), st.booleans(), st.sampled_from([None, None, 3]), dtypes, seeds)
def test_avg_pool2d_matches_torch(device, case, count_include_pad, divisor_override, dtype, seed):
    shape, kw = case
    kw = dict(kw, count_include_pad=count_include_pad, divisor_override=divisor_override)
    out_m, out_t = compare(lambda x: F.avg_pool2d(x, **kw), [data(shape, dtype, seed)],
                           lambda x: TF.avg_pool2d(x, **kw), tol=tol(dtype), device=device)
    assert name_of(out_m) == name_of(out_t)


@given(st.integers(1, 2), st.integers(1, 3), st.integers(2, 12), st.integers(1, 4), st.sampled_from([None, 1, 2]),
       st.integers(0, 2), st.booleans(), st.booleans(), dtypes, seeds)
def test_avg_pool1d_matches_torch(device, n, c, length, k, stride, pad, ceil_mode, count_include_pad, dtype, seed):
    assume(pad <= k // 2 and length + 2 * pad >= k)
    kw = dict(kernel_size=k, stride=stride, padding=pad, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    compare(lambda x: F.avg_pool1d(x, **kw), [data((n, c, length), dtype, seed)], lambda x: TF.avg_pool1d(x, **kw),
            tol=tol(dtype), device=device)


# ---------------------------------------------------------------- adaptive pooling
def _adaptive_window(size, out):
    """The longest window of adaptive pooling from ``size`` to ``out`` positions."""
    return max(-(-(o + 1) * size // out) - (o * size) // out for o in range(out))


@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 10), st.integers(1, 10),
       st.one_of(st.integers(1, 6), st.tuples(st.integers(1, 6), st.one_of(st.none(), st.integers(1, 6)))),
       dtypes, seeds, st.booleans())
def test_adaptive_pools_match_torch(device, n, c, h, w, out, dtype, seed, batched):
    shape = (n, c, h, w) if batched else (c, h, w)
    x = data(shape, dtype, seed)
    oh, ow = (out, out) if isinstance(out, int) else (out[0], out[1] if out[1] is not None else w)
    k = _adaptive_window(h, oh) * _adaptive_window(w, ow)        # the largest window averaged
    compare(lambda x: F.adaptive_avg_pool2d(x, out), [x], lambda x: TF.adaptive_avg_pool2d(x, out), tol=tol(dtype),
            device=device, forward_scale=k * float(np.abs(x).max(initial=0.0)) / 4)
    out_m, out_t = compare(lambda x: F.adaptive_max_pool2d(x, out, return_indices=True), [distinct(shape, dtype, seed)],
                           lambda x: TF.adaptive_max_pool2d(x, out, return_indices=True), device=device)
    np.testing.assert_array_equal(to_numpy(out_m[1]), to_numpy(out_t[1]))


@pytest.mark.parametrize("out", [1, 2, 3, 5])
def test_adaptive_1d_pools_match_torch(device, out):
    x = distinct((2, 3, 7), np.float64, 0)
    compare(lambda a: F.adaptive_avg_pool1d(a, out), [x], lambda a: TF.adaptive_avg_pool1d(a, out), device=device)
    compare(lambda a: F.adaptive_max_pool1d(a, out), [x], lambda a: TF.adaptive_max_pool1d(a, out), device=device)


def test_global_average_pool_and_grad_fn_names(device):
    x = data((2, 3, 8, 8), np.float32, 0)
    out_m, out_t = compare(lambda a: F.adaptive_avg_pool2d(a, 1), [x], lambda a: TF.adaptive_avg_pool2d(a, 1),
                           device=device)
    out_m, out_t = compare(lambda a: F.adaptive_avg_pool2d(a, (3, 5)), [x], lambda a: TF.adaptive_avg_pool2d(a, (3, 5)),
                           device=device)
    assert name_of(out_m) == name_of(out_t) == "AdaptiveAvgPool2DBackward0"


def test_pool_errors_match_torch(device):
    def randn(*shape):
        return mt.randn(*shape, device=device)

    x = randn(2, 3, 8, 8)
    cases = [
        (lambda: F.max_pool2d(x, 3, padding=2), "pad should be at most half of effective kernel size, but got pad=2, "
                                                "kernel_size=3 and dilation=1"),
        (lambda: F.max_pool2d(x, 9), "Given input size: (3x8x8). Calculated output size: (3x0x0). Output size is "
                                     "too small"),
        (lambda: F.max_pool2d(randn(8, 8), 2), "non-empty 3D or 4D (batch mode) tensor expected for input"),
        (lambda: F.max_pool2d(x, 2, stride=0), "stride should not be zero"),
        (lambda: F.avg_pool2d(x, 3, padding=2), "pad should be at most half of effective kernel size, but got pad=2, "
                                                "kernel_size=3 and dilation=1"),
        (lambda: F.adaptive_avg_pool2d(randn(3, 4), 2), "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                                                        "[3, 4]"),
        (lambda: F.max_pool2d(randn(1, 1, 9, 9), (3, 1), padding=(2, 0), dilation=2),
         "pad should be smaller than or equal to half of kernel size, but got padW = 0, padH = 2, kW = 1, kH = 3"),
        (lambda: F.max_pool1d(randn(1, 1, 9), 3, padding=2, dilation=2),
         "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=3"),
        (lambda: F.max_pool1d(randn(1, 1, 2), 3), "max_pool1d() Invalid computed output size: 0"),
        (lambda: F.avg_pool1d(randn(1, 1, 2), 3),
         "Given input size: (1x1x2). Calculated output size: (1x1x0). Output size is too small"),
        (lambda: F.max_pool1d(randn(2), 2), "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                                            "batch size for input, but got:[2]"),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError) as info:
            fn()
        assert str(info.value) == msg


def test_max_pool_output_edited_in_place_keeps_its_gradient(device):
    """torch saves indices, so relu_ on the pooled output is allowed and the gradient is unaffected."""
    x = distinct((2, 3, 6, 6), np.float64, 3)
    res = []
    for T, mod, dev in ((mt, F, device), (torch, TF, torch_device(device))):
        xx = T.tensor(x, requires_grad=True, device=dev)
        y = mod.max_pool2d(xx, 2)
        mod.relu(y, inplace=True)
        (y * T.tensor(np.arange(y.numel(), dtype=np.float64).reshape(y.shape), device=dev)).sum().backward()
        res.append(xx.grad)
    assert_same(*res)
