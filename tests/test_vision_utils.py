"""minitorch.vision.utils (make_grid, save_image), vision.io (read_image, decode_image), the PIL side of
vision.transforms (Resize, ToPILImage, PIL inputs, v2) and datasets (ImageFolder, PIL samples).

torchvision cannot be installed beside the CPU torch wheel: make_grid is checked against a torch version
written from torchvision's documented behaviour (reference/vision_utils.py), Resize against
torch.nn.functional.interpolate (what torchvision calls), PIL paths against Pillow itself.
"""
import io
import os
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minitorch as mt
from minitorch.utils.data import DataLoader
from minitorch.vision import datasets, utils, transforms as T
from minitorch.vision import io as vio
from minitorch.vision.transforms import v2
from reference import vision_utils as R
from harness import assert_same, assert_within_float32_bound

Image = pytest.importorskip("PIL.Image")          # the test extra installs Pillow


def _batch(shape, seed=0, lo=-1.0, hi=2.0):
    return (np.random.default_rng(seed).random(shape) * (hi - lo) + lo).astype(np.float32)


# ------------------------------------------------------------------------------------------- make_grid
GRID_CASES = [
    ((5, 3, 4, 6), {}),
    ((5, 1, 4, 6), {"nrow": 2, "padding": 1, "pad_value": 0.5}),
    ((7, 3, 5, 5), {"nrow": 3, "padding": 0}),
    ((4, 3, 4, 4), {"normalize": True}),
    ((4, 3, 4, 4), {"normalize": True, "scale_each": True, "nrow": 3}),
    ((4, 3, 4, 4), {"normalize": True, "value_range": (0.0, 1.0), "padding": 3, "pad_value": 1.0}),
    ((4, 3, 4, 4), {"normalize": True, "value_range": (-0.5, 0.5), "scale_each": True}),
    ((1, 3, 4, 5), {"padding": 4}),
    ((3, 4, 6), {}),
    ((1, 6, 7), {"normalize": True}),
    ((6, 7), {}),
    ((9, 2, 3, 3), {"nrow": 4}),
]


@pytest.mark.parametrize("shape,kw", GRID_CASES)
def test_make_grid_matches_torch_reference(shape, kw):
    x = _batch(shape)
    ours_in = mt.from_numpy(x.copy())
    got = utils.make_grid(ours_in, **kw)
    want = R.make_grid(torch.from_numpy(x.copy()), **kw)
    assert_same(got, want, tol=dict(rtol=0, atol=0) if not kw.get("normalize") else None, what=str(kw))
    assert np.array_equal(ours_in.numpy(), x)                      # the input is never changed
    assert not got.requires_grad


def test_make_grid_list_dtypes_and_errors():
    imgs = [mt.from_numpy(_batch((3, 4, 4), seed=s)) for s in range(3)]
    want = R.make_grid([torch.from_numpy(i.numpy()) for i in imgs], nrow=2)
    assert_same(utils.make_grid(imgs, nrow=2), want, tol=dict(rtol=0, atol=0))
    u = (np.random.default_rng(1).random((3, 3, 5, 5)) * 255).astype(np.uint8)
    assert_same(utils.make_grid(mt.from_numpy(u), pad_value=255), R.make_grid(torch.from_numpy(u), pad_value=255))
    xg = mt.from_numpy(_batch((2, 3, 4, 4))).requires_grad_()
    assert not utils.make_grid(xg).requires_grad
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        utils.make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="got a list containing"):
        utils.make_grid([mt.zeros(3, 2, 2), np.zeros((3, 2, 2))])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(mt.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


@pytest.mark.parametrize("kw", [{}, {"nrow": 3, "padding": 1}, {"normalize": True, "scale_each": True}])
def test_save_image_reads_back_with_pillow(tmp_path, kw):
    x = _batch((5, 3, 6, 7), lo=-0.2, hi=1.2)
    path = tmp_path / "grid.png"
    utils.save_image(mt.from_numpy(x), str(path), **kw)
    back = np.asarray(Image.open(path))
    assert np.array_equal(back, R.image_bytes(torch.from_numpy(x), **kw))
    buf = io.BytesIO()                                    # a file object needs format=
    utils.save_image(mt.from_numpy(x[:1]), buf, format="PNG")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(buf.getvalue()))),
                          R.image_bytes(torch.from_numpy(x[:1])))


def test_pillow_missing_messages(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    monkeypatch.setattr(datasets.utils, "_PIL_IMAGE", False)    # the datasets look Pillow up again
    with pytest.raises(ImportError, match="pip install pillow"):
        utils.save_image(mt.zeros(3, 2, 2), str(tmp_path / "x.png"))
    with pytest.raises(ImportError, match="pip install pillow"):
        vio.decode_image(mt.tensor([1, 2, 3], dtype=mt.uint8))
    with pytest.raises(ImportError, match="pip install pillow"):
        T.ToPILImage()(mt.zeros(3, 2, 2))
    os.makedirs(tmp_path / "a")
    (tmp_path / "a" / "x.png").write_bytes(b"not read")
    ds = datasets.ImageFolder(str(tmp_path))
    with pytest.raises(ImportError, match="pip install pillow"):
        ds[0]
    # datasets fall back to numpy arrays without Pillow
    shapes = datasets.SyntheticShapes(num_samples=4)
    img, _ = shapes[0]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.shape == (28, 28)
    assert_same(T.ToTensor()(img), torch.from_numpy(shapes.data.numpy()[0]).float().div(255)[None])


# ------------------------------------------------------------------------------------------------- io
def _save(arr, path, mode=None, **kw):
    im = Image.fromarray(arr) if mode is None else Image.fromarray(arr).convert(mode)
    im.save(path, **kw)
    return im


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_read_image_png_unchanged_and_modes(tmp_path, channels):
    rng = np.random.default_rng(channels)
    arr = rng.integers(0, 256, (5, 7) if channels == 1 else (5, 7, channels), dtype=np.uint8)
    path = tmp_path / "img.png"
    Image.fromarray(arr, mode={1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[channels]).save(path)
    got = vio.read_image(str(path))
    assert got.dtype == mt.uint8 and tuple(got.shape) == (channels, 5, 7)
    hwc = arr if channels > 1 else arr[:, :, None]
    assert np.array_equal(got.numpy(), hwc.transpose(2, 0, 1))
    assert np.array_equal(vio.read_image(path, mode="UNCHANGED").numpy(), got.numpy())
    rgb = vio.read_image(str(path), mode=vio.ImageReadMode.RGB)
    gray = vio.read_image(str(path), mode=vio.ImageReadMode.GRAY)
    assert rgb.shape == (3, 5, 7) and gray.shape == (1, 5, 7)
    assert vio.read_image(str(path), mode=vio.ImageReadMode.RGB_ALPHA).shape == (4, 5, 7)
    assert vio.read_image(str(path), mode=vio.ImageReadMode.GRAY_ALPHA).shape == (2, 5, 7)
    if channels == 3:          # gray = ITU-R 601-2 luma in Pillow's fixed point: (19595 R + 38470 G + 7471 B + 2^15) >> 16
        r, g, b = (arr[..., i].astype(np.int64) for i in range(3))
        assert np.array_equal(gray.numpy()[0], ((19595 * r + 38470 * g + 7471 * b + 32768) >> 16).astype(np.uint8))
    if channels == 1:
        assert np.array_equal(rgb.numpy(), np.repeat(arr[None], 3, 0))
    data = vio.read_file(str(path))
    assert data.dtype == mt.uint8 and data.dim() == 1 and data.numel() == os.path.getsize(path)
    assert np.array_equal(vio.decode_image(data).numpy(), got.numpy())
    assert np.array_equal(vio.decode_image(str(path)).numpy(), got.numpy())


def test_read_image_palette_jpeg_and_errors(tmp_path):
    arr = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    p = Image.fromarray(arr).quantize(16)
    p.save(tmp_path / "p.png")
    got = vio.read_image(str(tmp_path / "p.png"))
    assert got.shape == (3, 6, 8) and np.array_equal(got.numpy(), np.asarray(p.convert("RGB")).transpose(2, 0, 1))
    Image.fromarray(arr).save(tmp_path / "j.jpg", quality=95)
    jpg = vio.read_image(str(tmp_path / "j.jpg"))
    assert jpg.shape == (3, 6, 8)
    assert np.array_equal(jpg.numpy(), np.asarray(Image.open(tmp_path / "j.jpg")).transpose(2, 0, 1))
    with pytest.raises(RuntimeError, match="Expected a torch.uint8 tensor"):
        vio.decode_image(mt.zeros(10))
    with pytest.raises(RuntimeError, match="non empty 1-dimensional"):
        vio.decode_image(mt.zeros(2, 3, dtype=mt.uint8))
    with pytest.raises(RuntimeError, match="Unsupported image file"):
        vio.decode_image(mt.tensor(list(b"definitely not an image"), dtype=mt.uint8))
    with pytest.raises(RuntimeError, match="No such file"):
        vio.read_image(str(tmp_path / "missing.png"))
    Image.fromarray(np.full((3, 3), 40000, np.uint16)).save(tmp_path / "deep.png")
    with pytest.raises(RuntimeError, match="more than 8 bits"):
        vio.read_image(str(tmp_path / "deep.png"))
    with pytest.raises(ValueError, match="Unknown image read mode"):
        vio.read_image(str(tmp_path / "p.png"), mode="CMYKish")


# ------------------------------------------------------------------------------------------ transforms
def _torch_resize(x, size, mode="bilinear"):
    kw = {"align_corners": False, "antialias": True} if mode == "bilinear" else {}
    return TF.interpolate(x, size=size, mode=mode, **kw)


@pytest.mark.parametrize("hw,size", [((17, 23), (8, 11)), ((10, 12), (25, 30)), ((32, 20), 9), ((9, 9), (9, 5)),
                                     ((40, 30), (13, 30))])
def test_resize_tensor_matches_torch_interpolate(hw, size):
    x = _batch((2, 3) + hw, lo=0, hi=1)
    h, w = hw
    if isinstance(size, int):          # the smaller edge; the other keeps the ratio, truncated
        out_hw = (int(size * h / w), size) if w <= h else (size, int(size * w / h))
    else:
        out_hw = size
    got = T.Resize(size)(mt.from_numpy(x))
    assert tuple(got.shape) == (2, 3) + tuple(out_hw)
    t32 = _torch_resize(torch.from_numpy(x), out_hw)
    ref = _torch_resize(torch.from_numpy(x).double(), out_hw)
    assert_within_float32_bound(got.numpy(), t32.numpy(), ref.numpy(), "resize float32")
    got64 = T.Resize(size)(mt.from_numpy(x.astype(np.float64)))
    assert_same(got64, ref)
    for mode, enum in (("nearest", T.InterpolationMode.NEAREST), ("nearest-exact", T.InterpolationMode.NEAREST_EXACT)):
        assert np.array_equal(T.Resize(size, interpolation=enum)(mt.from_numpy(x)).numpy(),
                              _torch_resize(torch.from_numpy(x), out_hw, mode).numpy())
    # uint8: computed in float32 and rounded (torchvision's v1 path); off by one only where torch's float value
    # sits within float32 rounding of a .5 boundary
    u = (x * 255).astype(np.uint8)
    got_u = T.Resize(size)(mt.from_numpy(u)).numpy()
    tf = _torch_resize(torch.from_numpy(u).float(), out_hw)
    want_u = tf.round().to(torch.uint8).numpy()
    differ = got_u != want_u
    frac = np.abs(tf.numpy() - np.floor(tf.numpy()) - 0.5)
    assert (np.abs(got_u.astype(int) - want_u)[differ] == 1).all() and (frac[differ] < 1e-4).all()
    assert T.Resize(size)(mt.from_numpy(x[0])).shape == (3,) + tuple(out_hw)       # C x H x W


def test_resize_rules_pil_and_arrays():
    img = mt.zeros(3, 20, 30)
    assert T.Resize(10)(img).shape == (3, 10, 15)
    assert T.Resize([10])(img).shape == (3, 10, 15)
    assert T.Resize(10, max_size=12)(img).shape == (3, 8, 12)
    assert T.Resize(20)(img) is img                      # already that size: returned as it is
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater"):
        T.Resize(10, max_size=10)(img)
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(TypeError, match="BILINEAR"):
        T.Resize(5, interpolation=T.InterpolationMode.BICUBIC)(img)
    arr = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    pil = Image.fromarray(arr)
    for interp, flt in ((T.InterpolationMode.BILINEAR, Image.BILINEAR), (T.InterpolationMode.BICUBIC, Image.BICUBIC),
                        (T.InterpolationMode.NEAREST, Image.NEAREST)):
        out = T.Resize(10, interpolation=interp)(pil)
        assert out.size == (15, 10) and np.array_equal(np.asarray(out), np.asarray(pil.resize((15, 10), flt)))
    out_arr = T.Resize((7, 9))(arr)
    assert isinstance(out_arr, np.ndarray) and np.array_equal(out_arr, np.asarray(pil.resize((9, 7), Image.BILINEAR)))
    assert repr(T.Resize(10)) == "Resize(size=10, interpolation=bilinear, max_size=None, antialias=True)"


def test_pil_inputs_through_v1_transforms():
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    pil = Image.fromarray(arr)
    for tf, want in ((T.RandomHorizontalFlip(1.0), arr[:, ::-1]), (T.RandomVerticalFlip(1.0), arr[::-1]),
                     (T.CenterCrop((5, 6)), arr[2:7, 2:8]), (T.Pad((1, 2)), np.pad(arr, ((2, 2), (1, 1), (0, 0)))),
                     (T.Pad(2, padding_mode="reflect"), np.pad(arr, ((2, 2), (2, 2), (0, 0)), mode="reflect")),
                     (T.CenterCrop(13), np.pad(arr, ((2, 2), (1, 1), (0, 0))))):
        out = tf(pil)
        assert isinstance(out, Image.Image) and out.mode == "RGB", tf
        assert np.array_equal(np.asarray(out), want), tf
        assert np.array_equal(tf(arr), want), tf           # the array path gives the same pixels
    mt.manual_seed(0)
    a = T.RandomCrop(5, padding=2)(pil)
    mt.manual_seed(0)
    b = T.RandomCrop(5, padding=2)(arr)
    assert isinstance(a, Image.Image) and np.array_equal(np.asarray(a), b)
    gray = Image.fromarray(arr[..., 0])
    assert_same(T.ToTensor()(gray), torch.from_numpy(arr[..., 0].copy()).float().div(255)[None])
    assert_same(T.ToTensor()(pil), torch.from_numpy(arr.copy()).permute(2, 0, 1).float().div(255))
    rgba = Image.fromarray(np.dstack([arr, arr[..., :1]]))
    assert T.ToTensor()(rgba).shape == (4, 9, 11)
    assert_same(T.PILToTensor()(pil), torch.from_numpy(arr.copy()).permute(2, 0, 1))
    bw = Image.fromarray(arr[..., 0] > 128)
    assert_same(T.ToTensor()(bw), torch.from_numpy((arr[..., 0] > 128).astype(np.float32))[None])
    assert T.PILToTensor()(bw).dtype == mt.bool
    f = Image.fromarray(arr[..., 0].astype(np.float32) / 7)
    assert_same(T.ToTensor()(f), torch.from_numpy(arr[..., 0].astype(np.float32) / 7)[None])
    pal = pil.quantize(8)
    flipped = T.RandomHorizontalFlip(1.0)(T.Pad(1)(pal))
    assert flipped.mode == "P" and flipped.getpalette() == pal.getpalette()


def test_to_pil_image():
    x = np.random.default_rng(4).random((3, 4, 5)).astype(np.float32)
    im = T.ToPILImage()(mt.from_numpy(x))
    assert im.mode == "RGB" and im.size == (5, 4)
    assert np.array_equal(np.asarray(im), (torch.from_numpy(x).permute(1, 2, 0).numpy() * 255).astype(np.uint8))
    assert T.ToPILImage()(mt.from_numpy(x[:1])).mode == "L"
    assert T.ToPILImage()(mt.from_numpy(x[:2])).mode == "LA"
    assert T.ToPILImage()(mt.from_numpy(np.concatenate([x, x[:1]]))).mode == "RGBA"
    assert T.ToPILImage(mode="F")(mt.from_numpy(x[0])).mode == "F"
    u = (x * 255).astype(np.uint8).transpose(1, 2, 0)
    assert np.array_equal(np.asarray(T.ToPILImage()(u)), u)
    assert np.array_equal(np.asarray(T.ToPILImage()(mt.from_numpy(u[..., 0].copy()))), u[..., 0])
    with pytest.raises(ValueError, match="> 4 channels"):
        T.ToPILImage()(np.zeros((3, 3, 5), np.uint8))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        T.ToPILImage()([1, 2])
    back = T.ToTensor()(T.ToPILImage()(mt.from_numpy(u.transpose(2, 0, 1).copy())))
    assert_same(back, torch.from_numpy(u.transpose(2, 0, 1).copy()).float() / 255)


def test_random_resized_crop():
    x = mt.from_numpy(_batch((3, 30, 40), lo=0, hi=1))
    tf = T.RandomResizedCrop(12)
    mt.manual_seed(0)
    boxes = [T.RandomResizedCrop.get_params(x, tf.scale, tf.ratio) for _ in range(50)]
    for i, j, h, w in boxes:
        assert 0 <= i and 0 <= j and i + h <= 30 and j + w <= 40 and h > 0 and w > 0
        assert 0.08 * 1200 * 0.95 <= h * w <= 1200 and 3 / 4 * 0.8 < w / h < 4 / 3 * 1.25
    assert len(set(boxes)) > 40
    mt.manual_seed(0)
    i, j, h, w = boxes[0]
    assert np.array_equal(tf(x).numpy(), T.resize(T.crop(x, i, j, h, w), [12, 12]).numpy())
    assert tf(Image.fromarray(np.zeros((30, 40), np.uint8))).size == (12, 12)
    # impossible ratio -> torchvision's central fallback
    assert T.RandomResizedCrop.get_params(mt.zeros(1, 10, 100), (0.9, 1.0), (1.0, 1.0)) == (0, 45, 10, 10)


def test_v2_pipeline():
    arr = np.random.default_rng(5).integers(0, 256, (8, 10, 3), dtype=np.uint8)
    pil = Image.fromarray(arr)
    img = v2.ToImage()(pil)
    assert img.dtype == mt.uint8 and tuple(img.shape) == (3, 8, 10)
    assert np.array_equal(img.numpy(), arr.transpose(2, 0, 1))
    assert np.array_equal(v2.ToImage()(arr).numpy(), img.numpy()) and v2.ToImage()(img) is img
    t = torch.from_numpy(arr.transpose(2, 0, 1).copy())
    assert_same(v2.ToDtype(mt.float32, scale=True)(img), t.to(torch.float32).mul_(1.0 / 255), tol=dict(rtol=0, atol=0))
    assert_same(v2.ToDtype(mt.float32)(img), t.to(torch.float32))
    f = v2.ToDtype(mt.float32, scale=True)(img)
    assert_same(v2.ToDtype(mt.uint8, scale=True)(f), t.to(torch.float32).mul_(1.0 / 255).mul(255 + 1.0 - 1e-3).to(torch.uint8))
    assert_same(v2.ToDtype(mt.int32, scale=True)(img), t.to(torch.int32) * 2 ** 23)
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        v2.ToDtype(mt.int64, scale=True)(f)
    tf = v2.Compose([v2.ToImage(), v2.ToDtype(mt.float32, scale=True), v2.Resize((4, 5)),
                     v2.RandomHorizontalFlip(p=1.0), v2.Normalize([0.5, 0.4, 0.3], [0.2, 0.2, 0.2]),
                     v2.Lambda(lambda z: z * 2)])
    ref = _torch_resize(t.to(torch.float32).mul_(1.0 / 255)[None], (4, 5))[0].flip(-1)
    ref = (ref - torch.tensor([0.5, 0.4, 0.3])[:, None, None]) / 0.2 * 2
    got = tf(pil)
    assert got.shape == (3, 4, 5) and np.abs(got.numpy() - ref.numpy()).max() < 1e-5 * 5 * 2
    with pytest.raises(TypeError, match="does not support PIL"):
        v2.Normalize([0.5], [0.5])(pil)
    with pytest.raises(TypeError, match="dict of dtypes"):
        v2.ToDtype({"image": mt.float32})
    assert v2.Resize(4)(pil).size == (5, 4)


# ------------------------------------------------------------------------------------------ datasets
def _image_tree(root):
    rng = np.random.default_rng(6)
    files = {"cat": ["b.png", "a.jpg", os.path.join("sub", "c.PNG")], "ant": ["z.bmp"], "dog": ["x.png"]}
    arrays = {}
    for cls, names in files.items():
        for name in names:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            a = rng.integers(0, 256, (4, 5) if cls == "dog" else (4, 5, 3), dtype=np.uint8)
            Image.fromarray(a).save(path, quality=100) if name.endswith("jpg") else Image.fromarray(a).save(
                path, format="PNG" if name.lower().endswith("png") else "BMP")
            arrays[path] = a
    with open(os.path.join(root, "cat", "notes.txt"), "w") as f:
        f.write("not an image")
    os.makedirs(os.path.join(root, "empty"))
    return arrays


def test_image_folder(tmp_path):
    arrays = _image_tree(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True)
    assert ds.classes == ["ant", "cat", "dog", "empty"]
    assert ds.class_to_idx == {"ant": 0, "cat": 1, "dog": 2, "empty": 3}
    root = str(tmp_path)
    expect = [(os.path.join(root, "ant", "z.bmp"), 0), (os.path.join(root, "cat", "a.jpg"), 1),
              (os.path.join(root, "cat", "b.png"), 1), (os.path.join(root, "cat", "sub", "c.PNG"), 1),
              (os.path.join(root, "dog", "x.png"), 2)]
    assert ds.samples == expect and ds.imgs == expect and ds.targets == [0, 1, 1, 1, 2]
    assert ds.extensions == datasets.IMG_EXTENSIONS and len(ds) == 5
    img, y = ds[4]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and y == 2        # gray PNG converted to RGB
    assert np.array_equal(np.asarray(img), np.repeat(arrays[expect[4][0]][..., None], 3, 2))
    assert np.array_equal(np.asarray(ds[2][0]), arrays[expect[2][0]])
    assert datasets.find_classes(root) == (ds.classes, ds.class_to_idx)
    tf = datasets.ImageFolder(root, allow_empty=True, transform=T.Compose([T.Resize((8, 8)), T.ToTensor()]),
                              target_transform=lambda t: t * 10)
    xb, yb = next(iter(DataLoader(tf, batch_size=5)))
    assert xb.shape == (5, 3, 8, 8) and xb.dtype == mt.float32 and yb.tolist() == [0, 10, 10, 10, 20]
    only_png = datasets.ImageFolder(root, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert [os.path.basename(p) for p, _ in only_png.samples] == ["b.png", "x.png"]
    folder = datasets.DatasetFolder(root, loader=lambda p: os.path.getsize(p), extensions=(".txt",), allow_empty=True)
    assert folder.samples == [(os.path.join(root, "cat", "notes.txt"), 1)] and folder[0][0] == 12
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        datasets.DatasetFolder(root, loader=open)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "cat" / "sub"))
    assert datasets.has_file_allowed_extension("A.JPEG", (".jpeg",)) and not datasets.is_image_file("a.gif")


def test_datasets_hand_out_pil_images_as_torchvision(tmp_path):
    from test_vision import write_cifar10, write_mnist_like
    written = write_mnist_like(str(tmp_path / "MNIST" / "raw"))
    ds = datasets.MNIST(str(tmp_path), train=True)
    img, _ = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "L" and np.array_equal(np.asarray(img), written["train"][0][3])
    write_cifar10(str(tmp_path / "cifar-10-batches-py"))
    c = datasets.CIFAR10(str(tmp_path), train=False, transform=T.Compose([T.RandomHorizontalFlip(1.0), T.ToTensor()]))
    x, _ = c[0]
    assert_same(x, torch.from_numpy(c.data[0].copy()).permute(2, 0, 1).flip(-1).float() / 255)
    raw, _ = datasets.CIFAR10(str(tmp_path), train=False)[1]
    assert raw.mode == "RGB" and np.array_equal(np.asarray(raw), c.data[1])


def test_resize_and_make_grid_stay_on_the_device(fake_cuda):
    x = _batch((2, 3, 9, 12), lo=0, hi=1)
    t = mt.from_numpy(x.copy()).cuda()
    for interp in (T.InterpolationMode.BILINEAR, T.InterpolationMode.NEAREST):
        out = T.Resize((5, 7), interpolation=interp)(t)
        assert out.device.type == "cuda" and out.shape == (2, 3, 5, 7)
        assert np.array_equal(out.cpu().numpy(), T.Resize((5, 7), interpolation=interp)(mt.from_numpy(x)).numpy())
    g = utils.make_grid(t, normalize=True)
    assert g.device.type == "cuda"
    assert np.array_equal(g.cpu().numpy(), utils.make_grid(mt.from_numpy(x), normalize=True).numpy())
    assert v2.ToDtype(mt.float32, scale=True)(mt.from_numpy((x * 255).astype(np.uint8)).cuda()).device.type == "cuda"
