"""Datasets generated in memory, no files: ``SyntheticShapes`` (a stand-in for MNIST) and ``two_blobs``."""
from ... import _backend, _dtype
from ...tensor import Tensor
from .vision import _ImageClassification

_np = _backend.numpy


# ---------------------------------------------------------------------------------- built-in datasets
_SHAPE_NAMES = ["disk", "ring", "square", "square outline", "horizontal bar", "vertical bar", "plus", "cross",
                "triangle", "diamond"]


def _render_shapes(labels, rng, size=28):
    """Draw one anti-aliased shape per label (0..9) into ``len(labels)`` float32 images in [0, 1]."""
    n = len(labels)
    f32 = _np.float32
    cx = rng.uniform(size * 0.38, size * 0.62, n).astype(f32)[:, None, None]
    cy = rng.uniform(size * 0.38, size * 0.62, n).astype(f32)[:, None, None]
    s = rng.uniform(size * 0.2, size * 0.3, n).astype(f32)[:, None, None]          # half size
    t = rng.uniform(1.2, 2.2, n).astype(f32)[:, None, None]                         # stroke half-width
    theta = rng.uniform(-0.2, 0.2, n).astype(f32)[:, None, None]                    # rotation jitter
    amp = rng.uniform(0.75, 1.0, n).astype(f32)[:, None, None]
    noise = rng.normal(0.0, 0.04, (n, size, size)).astype(f32)

    grid = _np.arange(size, dtype=f32) + f32(0.5)
    labels = _np.asarray(labels)
    sdf = _np.empty((n, size, size), dtype=f32)
    rt2 = f32(_np.sqrt(2))
    for k in range(10):
        sel = _np.nonzero(labels == k)[0]
        if not len(sel):
            continue
        sk, tk, th = s[sel], t[sel], theta[sel]
        dx = grid[None, None, :] - cx[sel]
        dy = grid[None, :, None] - cy[sel]
        c, sn = _np.cos(th), _np.sin(th)
        u = c * dx + sn * dy
        v = -sn * dx + c * dy
        au, av = _np.abs(u), _np.abs(v)
        if k == 0:          # disk
            d = _np.sqrt(u * u + v * v) - sk
        elif k == 1:        # ring
            d = _np.abs(_np.sqrt(u * u + v * v) - sk) - tk
        elif k == 2:        # square
            d = _np.maximum(au, av) - 0.8 * sk
        elif k == 3:        # square outline
            d = _np.abs(_np.maximum(au, av) - 0.8 * sk) - tk
        elif k == 4:        # horizontal bar
            d = _np.maximum(au - sk, av - tk)
        elif k == 5:        # vertical bar
            d = _np.maximum(au - tk, av - sk)
        elif k in (6, 7):   # plus; cross = plus turned 45 degrees
            if k == 7:
                au, av = _np.abs(u + v) / rt2, _np.abs(u - v) / rt2
            d = _np.minimum(_np.maximum(au - sk, av - tk), _np.maximum(au - tk, av - sk))
        elif k == 8:        # triangle, apex up
            d = _np.maximum(v - 0.6 * sk, (au * 1.6 - (v + sk)) / f32(_np.sqrt(3.56)))
        else:               # diamond
            d = (au + av) / rt2 - 0.75 * sk
        sdf[sel] = d
    img = amp * _np.clip(0.5 - sdf, 0.0, 1.0) + noise
    return _np.clip(img, 0.0, 1.0)


class SyntheticShapes(_ImageClassification):
    """A built-in stand-in for MNIST that needs no files: 28 x 28 grayscale images of 10 simple shapes.

    Classes: 0 disk, 1 ring, 2 square, 3 square outline, 4 horizontal bar,
    5 vertical bar, 6 plus, 7 cross (x), 8 triangle, 9 diamond. Each image is one
    white anti-aliased shape on black, like an MNIST digit, with a random centre
    (within the middle quarter), size, stroke width, rotation (+-0.2 rad),
    brightness and a little Gaussian pixel noise. The classes are separable
    (an MLP learns them to high accuracy in an epoch) but not trivially so.

    Deterministic: the images depend only on ``seed`` and ``train`` (the test
    split uses a different stream), never on the global generator. Defaults:
    ``num_samples`` 10,000 for train and 2,000 for test, classes balanced
    (``i % 10`` then shuffled). Same interface as ``MNIST`` (``data`` uint8
    tensor N x 28 x 28, ``targets`` int64 tensor, ``classes``, ``transform``,
    ``target_transform``; samples are ``(PIL image of mode L, int)``, or ``(uint8 28 x 28 array, int)``
    without Pillow), so
    examples can swap one for the other. ``root`` and ``download`` are accepted
    and ignored.
    """

    classes = [f"{i} - {n}" for i, n in enumerate(_SHAPE_NAMES)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False, *,
                 num_samples=None, seed=0):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self.seed = seed
        n = num_samples if num_samples is not None else (10000 if train else 2000)
        rng = _np.random.Generator(_np.random.PCG64([int(seed), 0 if train else 1]))
        labels = _np.arange(n, dtype=_np.int64) % 10
        rng.shuffle(labels)
        images = _np.empty((n, 28, 28), dtype=_np.uint8)
        chunk = 4096
        for start in range(0, n, chunk):
            part = _render_shapes(labels[start:start + chunk], rng)
            images[start:start + chunk] = _np.rint(part * 255).astype(_np.uint8)
        self._images = images
        self._labels = labels
        self.data = Tensor._from_array(images)
        self.targets = Tensor._from_array(labels)


def two_blobs(n_per_class=100, mean=2.0, std=1.0, seed=0, dtype=None):
    """The tutorials' two-class toy data: two Gaussian blobs in the plane.

    Class 0: ``n_per_class`` points ~ N((mean, mean), std^2 I); class 1: ~ N((-mean, -mean), std^2 I)
    -- what ``torch.normal(2 * torch.ones(n, 2), 1)`` / ``torch.normal(-2 * torch.ones(n, 2), 1)``
    draw in the tutorials. Returns ``(x, y)``: ``x`` a (2n, 2) float tensor (``dtype``,
    default float32) with class 0 first, ``y`` the (2n,) int64 labels. Deterministic in ``seed``.
    """
    dt = _dtype.as_dtype(dtype) if dtype is not None else _dtype.float32
    rng = _np.random.Generator(_np.random.PCG64(int(seed)))
    x0 = rng.normal(mean, std, (n_per_class, 2))
    x1 = rng.normal(-mean, std, (n_per_class, 2))
    x = _np.concatenate([x0, x1]).astype(dt.np)
    y = _np.concatenate([_np.zeros(n_per_class, _np.int64), _np.ones(n_per_class, _np.int64)])
    return Tensor._from_array(x), Tensor._from_array(y)
