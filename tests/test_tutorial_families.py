"""The tutorial families our users bring, run by import swap: each test below is a shortened program written
in our own words that makes the calls a family's programs make, in the same API shapes, and runs it twice --
once with real torch (``import torch``; torchvision's few parts come from the small stand-in ``_TorchVision``
below, since torchvision is not installed here) and once with ``import minitorch as torch`` /
``minitorch.vision``. The two runs print into a ``Log``; the logs must agree line by line: the same text
(reprs of tensors and modules, ``grad_fn`` names and ``next_functions`` chains, shapes, dtypes, messages) with
the numbers in it equal within the rounding of the printed form plus float32 error.

Families: Learn the Basics (tensors, datasets & dataloaders, transforms, build the model, autograd,
optimization, save & load, quickstart), the 60-minute blitz (tensors, autograd, neural networks, the CIFAR-10
classifier), Learning PyTorch with Examples (tensors, autograd, a custom ``autograd.Function``, nn, optim, a
custom Module, a dynamic net), What is torch.nn really?, pytorch/examples' mnist/main.py, micrograd's
torch-side tests, the makemore bigram and MLP notebooks, and the project's own source tutorials
(``../shared/seeds/``).

Deterministic by construction: weights are copied into both engines from one numpy generator (``load_state_dict``
of ``seeded_state``), inputs come from numpy, loaders used for training do not shuffle. Random calls the
programs make (``torch.rand``, ``randn``, ``randint``, ``multinomial`` with a ``Generator``, shuffling loaders,
dropout) still run, and are compared by shape, dtype and range only: minitorch's random streams are its own
(PCG64), not torch's. FashionMNIST and CIFAR-10 cannot be downloaded here: MNIST (../shared/datasets) and a
small CIFAR-format file written by the test stand in for them.
"""
import contextlib
import csv
import gzip
import io
import math
import os
import pickle
import random
import re
import types
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch as real_torch

import minitorch
import minitorch.vision

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "datasets"
MNIST_ROOT = DATA / "mnist"
NAMES = DATA / "makemore" / "names.txt"

needs_mnist = pytest.mark.skipif(not (MNIST_ROOT / "t10k-images-idx3-ubyte.gz").exists(),
                                 reason="the MNIST files of ../shared/datasets are not on this machine")
needs_names = pytest.mark.skipif(not NAMES.exists(), reason="../shared/datasets/makemore/names.txt is absent")


# ====================================================================================== torchvision stand-in
class _TorchVision:
    """What the tutorials take from torchvision, for the real-torch run (torchvision is not installed here),
    written from torchvision's documented behaviour: datasets hand out PIL images, ``ToTensor`` makes a
    float CHW tensor in [0, 1], ``Normalize`` subtracts and divides per channel, ``make_grid`` tiles a batch with
    2-pixel padding, ``read_image`` decodes to a uint8 CHW tensor."""

    def __init__(self):
        from PIL import Image
        self._Image = Image
        T = real_torch

        class Compose:
            def __init__(self, ts):
                self.transforms = ts

            def __call__(self, x):
                for t in self.transforms:
                    x = t(x)
                return x

        class ToTensor:
            def __call__(self, pic):
                arr = np.array(pic)
                if arr.ndim == 2:
                    arr = arr[:, :, None]
                t = T.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))
                return t.float().div(255) if t.dtype == T.uint8 else t

        class Normalize:
            def __init__(self, mean, std):
                self.mean, self.std = mean, std

            def __call__(self, t):
                m = T.as_tensor(self.mean, dtype=t.dtype)[:, None, None]
                s = T.as_tensor(self.std, dtype=t.dtype)[:, None, None]
                return t.sub(m).div(s)

        class Lambda:
            def __init__(self, f):
                self.lambd = f

            def __call__(self, x):
                return self.lambd(x)

        class MNIST:
            classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
                       "7 - seven", "8 - eight", "9 - nine"]

            def __init__(s, root, train=True, transform=None, target_transform=None, download=False):
                split = "train" if train else "t10k"
                s.images = _idx(MNIST_ROOT / f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
                s.labels = _idx(MNIST_ROOT / f"{split}-labels-idx1-ubyte.gz", 8)
                s.transform, s.target_transform = transform, target_transform

            def __len__(s):
                return len(s.labels)

            def __getitem__(s, i):
                img, target = Image.fromarray(s.images[i]), int(s.labels[i])
                if s.transform is not None:
                    img = s.transform(img)
                if s.target_transform is not None:
                    target = s.target_transform(target)
                return img, target

        class CIFAR10(MNIST):
            def __init__(s, root, train=True, transform=None, target_transform=None, download=False):
                folder = Path(root) / "cifar-10-batches-py"
                names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
                data, labels = [], []
                for n in names:
                    with open(folder / n, "rb") as f:
                        entry = pickle.load(f, encoding="latin1")
                    data.append(entry["data"])
                    labels += entry["labels"]
                s.images = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
                s.labels = np.array(labels)
                s.transform, s.target_transform = transform, target_transform

        def make_grid(t, nrow=8, padding=2, pad_value=0.0):
            if t.dim() == 4 and t.shape[1] == 1:
                t = T.cat((t, t, t), 1)
            n, c, h, w = t.shape
            cols = min(nrow, n)
            rows = (n + cols - 1) // cols
            grid = t.new_full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value)
            for k in range(n):
                r, q = divmod(k, cols)
                top, left = r * (h + padding) + padding, q * (w + padding) + padding
                grid[:, top:top + h, left:left + w].copy_(t[k])
            return grid

        def read_image(path):
            arr = np.array(Image.open(path))
            if arr.ndim == 2:
                arr = arr[:, :, None]
            return T.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))

        def resnet18(weights=None):
            from reference.vision_models import build_twin
            return build_twin("resnet18")

        self.transforms = types.SimpleNamespace(Compose=Compose, ToTensor=ToTensor, Normalize=Normalize,
                                                Lambda=Lambda)
        self.datasets = types.SimpleNamespace(MNIST=MNIST, FashionMNIST=MNIST, CIFAR10=CIFAR10)
        self.utils = types.SimpleNamespace(make_grid=make_grid)
        self.io = types.SimpleNamespace(read_image=read_image)
        self.models = types.SimpleNamespace(resnet18=resnet18)


_IDX_CACHE = {}


def _idx(path, offset):
    if path not in _IDX_CACHE:
        with gzip.open(path, "rb") as f:
            _IDX_CACHE[path] = np.frombuffer(f.read(), np.uint8, offset=offset)
    return _IDX_CACHE[path]


class Env:
    """One engine as a tutorial sees it: ``torch``, ``nn``, ``F``, ``optim`` and torchvision's ``vision``."""

    def __init__(self, name, mod, vision):
        self.name, self.torch, self.vision = name, mod, vision
        self.nn, self.F, self.optim = mod.nn, mod.nn.functional, mod.optim

    def __repr__(self):
        return self.name


ENGINES = None


def engines():
    global ENGINES
    if ENGINES is None:
        ENGINES = [Env("torch", real_torch, _TorchVision()), Env("minitorch", minitorch, minitorch.vision)]
    return ENGINES


# =============================================================================================== the logs
class Log:
    """What a program prints (``log.print`` takes ``print``'s arguments) and the numbers it computes."""

    def __init__(self):
        self.rows = []

    def print(self, *args, sep=" "):
        self.rows.append(sep.join(str(a) for a in args))

    def value(self, label, x):
        self.rows.append((label, float(x)))


_ADDR = re.compile(r" at 0x[0-9a-fA-F]+")
_NUM = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _resolution(text):
    """One unit in the last printed place of a number written as ``text`` (0 for an integer)."""
    mant, _, exp = text.lower().partition("e")
    if "." not in mant:
        return 0.0 if not exp else 10.0 ** int(exp)
    decimals = len(mant.split(".")[1])
    return 10.0 ** (-decimals + (int(exp) if exp else 0))


def same_text(a, b, rtol, atol=0.0):
    """Equal text outside numbers (object addresses blanked); numbers equal within one unit of their last printed
    place plus ``rtol`` relative (float32 results of a short computation) plus ``atol``."""
    a, b = _ADDR.sub(" at 0x", a), _ADDR.sub(" at 0x", b)
    if _NUM.sub("#", a) != _NUM.sub("#", b):
        return False
    for x, y in zip(_NUM.findall(a), _NUM.findall(b)):
        fx, fy = float(x), float(y)
        if abs(fx - fy) > _resolution(x) + _resolution(y) + rtol * max(abs(fx), abs(fy)) + atol:
            return False
    return True


def assert_same_logs(logs, rtol=2e-5, vtol=None, atol=0.0):
    """The torch log and the minitorch log agree row by row. ``rtol``: float32 error of the program's values
    relative to their size: a few ulps (1.2e-7) times the length of the reductions and steps involved (set per
    family); ``vtol`` for ``Log.value`` rows (default ``rtol``); ``atol`` for values that cancel to near 0."""
    lt, lm = logs["torch"].rows, logs["minitorch"].rows
    vtol = rtol if vtol is None else vtol
    for i, (t, m) in enumerate(zip(lt, lm)):
        if isinstance(t, tuple):
            assert isinstance(m, tuple) and m[0] == t[0], (i, t, m)
            assert abs(m[1] - t[1]) <= vtol * max(1.0, abs(t[1])), f"row {i} {t[0]}: torch {t[1]!r}, minitorch {m[1]!r}"
        else:
            assert isinstance(m, str) and same_text(t, m, rtol, atol), f"row {i}:\ntorch:     {t!r}\nminitorch: {m!r}"
    assert len(lt) == len(lm), (len(lt), len(lm), lt[len(lm):], lm[len(lt):])


def run_both(program, *args, **kwargs):
    """Run ``program(env, log, *args)`` with torch and with minitorch; return the two logs by engine name."""
    logs = {}
    for env in engines():
        log = Log()
        program(env, log, *args, **kwargs)
        logs[env.name] = log
    return logs


def seeded_state(model, seed):
    """State-dict values for ``model`` from numpy (the same in both engines): weights ~ U(-1/sqrt(fan_in), ..),
    running variances in [0.5, 1.5], integer buffers kept."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, v in model.state_dict().items():
        shape = tuple(v.shape)
        if not v.dtype.is_floating_point:
            out[k] = np.asarray(v.detach().cpu().numpy())
            continue
        if k.endswith("running_var"):
            arr = rng.uniform(0.5, 1.5, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else max(shape[0] if shape else 1, 1)
            arr = rng.uniform(-1, 1, shape) / math.sqrt(fan_in)
        out[k] = arr.astype(np.float32)
    return out


def load_seeded(env, model, seed):
    state = seeded_state(model, seed)
    model.load_state_dict({k: env.torch.tensor(a) for k, a in state.items()})
    return model


def nprand(seed, *shape, dtype=np.float32, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


@contextlib.contextmanager
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def mnist_subset(env, n, train=True, transform=None, target_transform=None):
    """An MNIST split (the FashionMNIST stand-in) and a Subset of its first ``n`` items."""
    T, V = env.torch, env.vision
    ds = V.datasets.MNIST(str(DATA), train=train, download=True, transform=transform,
                          target_transform=target_transform)
    return ds, T.utils.data.Subset(ds, range(n))


# =========================================================================== Learn the Basics: tensors
def prog_basics_tensors(env, log):
    torch = env.torch
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    log.print(x_np, x_np.dtype)
    x_ones = torch.ones_like(x_data)
    log.print(f"Ones Tensor: \n {x_ones} \n")
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    log.print(x_rand.shape, x_rand.dtype, bool(((x_rand >= 0) & (x_rand < 1)).all()))
    shape = (2, 3,)
    log.print(torch.rand(shape).shape, f"Ones Tensor: \n {torch.ones(shape)} \n", f"Zeros Tensor: \n {torch.zeros(shape)}")
    tensor = torch.rand(3, 4)
    log.print(f"Shape of tensor: {tensor.shape}")
    log.print(f"Datatype of tensor: {tensor.dtype}")
    log.print(f"Device tensor is stored on: {tensor.device}")
    # the device lines of the three generations of the tutorials
    if torch.cuda.is_available() & (torch.device('cuda').index is not None):
        tensor = tensor.to('cuda')
    if torch.accelerator.is_available():
        tensor = tensor.to(torch.accelerator.current_accelerator())
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    old = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    log.print(device, old, tensor.device)

    tensor = torch.ones(4, 4)
    log.print('First row: ', tensor[0])
    log.print('First column: ', tensor[:, 0])
    log.print('Last column:', tensor[..., -1])
    tensor[:, 1] = 0
    log.print(tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    log.print(t1)
    log.print(torch.stack([tensor[0], tensor[1]]).shape)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(tensor)
    r = torch.matmul(tensor, tensor.T, out=y3)
    log.print(y1, torch.equal(y1, y2), torch.equal(y1, y3), r is y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    log.print(z1, torch.equal(z1, z2), torch.equal(z1, z3))
    agg = tensor.sum()
    agg_item = agg.item()
    log.print(agg_item, type(agg_item))
    log.print(tensor, "\n")
    tensor.add_(5)
    log.print(tensor)
    # the numpy bridge shares memory both ways
    t = torch.ones(5)
    log.print(f"t: {t}")
    n = t.numpy()
    log.print(f"n: {n}")
    t.add_(1)
    log.print(f"t: {t}")
    log.print(f"n: {n}")
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    log.print(f"t: {t}")
    log.print(f"n: {n}")
    # the blitz's version of the same page
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    log.print(f"Random Tensor: \n {x_rand.shape} \n")
    log.print(tensor.mul(tensor), tensor * tensor, tensor.matmul(tensor.T), tensor @ tensor.T, sep="\n")


def test_learn_the_basics_tensors():
    assert_same_logs(run_both(prog_basics_tensors), rtol=0)


# ============================================================ Learn the Basics: datasets, dataloaders, transforms
def prog_basics_data(env, log, tmp):
    torch, V = env.torch, env.vision
    ToTensor, Lambda = V.transforms.ToTensor, V.transforms.Lambda
    training_data = V.datasets.MNIST(   # the FashionMNIST stand-in
        root=str(DATA), train=True, download=True, transform=ToTensor())
    test_data = V.datasets.MNIST(   # the FashionMNIST stand-in
        root=str(DATA), train=False, download=True, transform=ToTensor())
    log.print(len(training_data), len(test_data))
    labels_map = {0: "T-Shirt", 1: "Trouser", 2: "Pullover", 3: "Dress", 4: "Coat", 5: "Sandal", 6: "Shirt",
                  7: "Sneaker", 8: "Bag", 9: "Ankle Boot"}
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    log.print(type(sample_idx).__name__, 0 <= sample_idx < len(training_data))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure = plt.figure(figsize=(2, 2))
    for i, idx in enumerate([7, 1234]):
        img, label = training_data[idx]
        figure.add_subplot(1, 2, i + 1)
        plt.title(labels_map[label])
        plt.axis("off")
        plt.imshow(img.squeeze(), cmap="gray")
        log.print(labels_map[label], img.shape, img.dtype, img.squeeze().shape, img.sum(), img.max())
    plt.close(figure)

    # a custom Dataset: a labels file and image files, decoded with read_image
    class CustomImageDataset(torch.utils.data.Dataset):
        def __init__(self, annotations_file, img_dir, transform=None, target_transform=None):
            with open(annotations_file) as f:
                self.img_labels = list(csv.reader(f))
            self.img_dir = img_dir
            self.transform = transform
            self.target_transform = target_transform

        def __len__(self):
            return len(self.img_labels)

        def __getitem__(self, idx):
            img_path = os.path.join(self.img_dir, self.img_labels[idx][0])
            image = V.io.read_image(img_path)
            label = int(self.img_labels[idx][1])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    custom = CustomImageDataset(tmp / "labels.csv", tmp, transform=lambda im: im.float() / 255)
    for k in range(len(custom)):
        im, lab = custom[k]
        log.print(im.shape, im.dtype, im.sum(), lab)
    loader = torch.utils.data.DataLoader(custom, batch_size=2)
    im, lab = next(iter(loader))
    log.print(im.shape, lab)

    train_dataloader = torch.utils.data.DataLoader(training_data, batch_size=64, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    log.print(f"Feature batch shape: {train_features.size()}")
    log.print(f"Labels batch shape: {train_labels.size()}")
    img = train_features[0].squeeze()
    label = train_labels[0]
    log.print(img.shape, label.shape, label.dtype)
    ordered = torch.utils.data.DataLoader(test_data, batch_size=64)
    x, y = next(iter(ordered))
    log.print(x.shape, x.sum(), y[:10], len(ordered), len(ordered.dataset))

    # transforms: the one-hot target_transform of the tutorial
    ds = V.datasets.MNIST(   # the FashionMNIST stand-in
        
        root=str(DATA), train=False, download=True, transform=ToTensor(),
        target_transform=Lambda(lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)))
    img, target = ds[0]
    log.print(target, img.mean())
    norm = V.transforms.Compose([ToTensor(), V.transforms.Normalize((0.1307,), (0.3081,))])
    log.print(norm(ds.__class__(str(DATA), train=False)[0][0]).mean())


def _write_images(tmp):
    from PIL import Image
    rng = np.random.default_rng(5)
    rows = []
    for k, mode in enumerate(["L", "RGB", "RGB"]):
        shape = (6, 7) if mode == "L" else (6, 7, 3)
        name = f"img{k}.png"
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(tmp / name)
        rows.append([name, str(k)])
    # two of the same shape for the batch
    Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)).save(tmp / "img3.png")
    rows.append(["img3.png", "3"])
    with open(tmp / "labels.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows[1:] + rows[:1])


@needs_mnist
def test_learn_the_basics_data_and_transforms(tmp_path):
    _write_images(tmp_path)
    assert_same_logs(run_both(prog_basics_data, tmp_path), rtol=1e-6)


# ====================================================== Learn the Basics: build the model, autograd
def _neural_network_class(env):
    nn = env.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    # module level, under one name per engine, so that a whole-model save can pickle it by reference
    name = f"NeuralNetwork_{env.name}"
    NeuralNetwork.__qualname__ = name             # (its __name__, which repr prints, stays NeuralNetwork)
    NeuralNetwork.__module__ = __name__
    globals()[name] = NeuralNetwork
    return NeuralNetwork


def prog_basics_model(env, log):
    torch, nn = env.torch, env.nn
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    log.print(f"Using {device} device")
    model = _neural_network_class(env)().to(device)
    load_seeded(env, model, 1)
    log.print(model)
    X = torch.rand(1, 28, 28, device=device)
    log.print(X.shape, X.device)
    X = torch.tensor(nprand(2, 1, 28, 28))
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    log.print(f"Predicted class: {y_pred}")
    log.print(logits, pred_probab)

    input_image = torch.tensor(nprand(3, 3, 28, 28))
    log.print(input_image.size())
    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    log.print(flat_image.size())
    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    load_seeded(env, layer1, 4)
    hidden1 = layer1(flat_image)
    log.print(hidden1.size())
    log.print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    log.print(f"After ReLU: {hidden1}")
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
    load_seeded(env, seq_modules, 5)
    input_image = torch.tensor(nprand(6, 3, 28, 28))
    logits = seq_modules(input_image)
    softmax = nn.Softmax(dim=1)
    log.print(softmax(logits), seq_modules)
    log.print(f"Model structure: {model}\n\n")
    for name, param in model.named_parameters():
        log.print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")


def prog_basics_autograd(env, log):
    torch = env.torch
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    log.print(w.shape, w.requires_grad, b.is_leaf)
    w = torch.tensor(nprand(7, 5, 3), requires_grad=True)
    b = torch.tensor(nprand(8, 3), requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    log.print(f"Gradient function for z = {z.grad_fn}")
    log.print(f"Gradient function for loss = {loss.grad_fn}")
    log.print(loss.grad_fn.next_functions, z.grad_fn.next_functions[0][0].next_functions)
    loss.backward()
    log.print(w.grad)
    log.print(b.grad)
    z = torch.matmul(x, w) + b
    log.print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    log.print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    log.print(z_det.requires_grad)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    log.print(out.grad_fn, out.grad_fn.next_functions)
    out.backward(torch.ones_like(out), retain_graph=True)
    log.print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    log.print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    log.print(f"\nCall after zeroing gradients\n{inp.grad}")


def test_learn_the_basics_build_model():
    assert_same_logs(run_both(prog_basics_model), rtol=2e-5)


def test_learn_the_basics_autograd():
    assert_same_logs(run_both(prog_basics_autograd), rtol=1e-6)


# ================================================= Learn the Basics: optimization, save & load, quickstart
def prog_quickstart(env, log, tmp):
    torch, nn = env.torch, env.nn
    V = env.vision
    training_data, train_part = mnist_subset(env, 256, True, transform=V.transforms.ToTensor())
    test_data, test_part = mnist_subset(env, 128, False, transform=V.transforms.ToTensor())
    batch_size = 64
    train_dataloader = torch.utils.data.DataLoader(train_part, batch_size=batch_size)
    test_dataloader = torch.utils.data.DataLoader(test_part, batch_size=batch_size)
    for X, y in test_dataloader:
        log.print(f"Shape of X [N, C, H, W]: {X.shape}")
        log.print(f"Shape of y: {y.shape} {y.dtype}")
        break
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    log.print(f"Using {device} device")
    NeuralNetwork = _neural_network_class(env)
    model = NeuralNetwork().to(device)
    load_seeded(env, model, 11)
    log.print(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)

    def train(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 2 == 0:
                loss, current = loss.item(), (batch + 1) * len(X)
                log.print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test(dataloader, model, loss_fn):
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        log.print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")

    for t in range(2):
        log.print(f"Epoch {t+1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer)
        test(test_dataloader, model, loss_fn)
    log.print("Done!")

    # save & load: a state dict (safe default), then the whole model (pickled: weights_only=False)
    path = str(tmp / f"model_{env.name}.pth")
    torch.save(model.state_dict(), path)
    log.print("Saved PyTorch Model State to model.pth")
    model = NeuralNetwork().to(device)
    log.print(model.load_state_dict(torch.load(path, weights_only=True)))
    model.eval()
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    x, y = test_data[0][0], test_data[0][1]
    with torch.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        log.print(f'Predicted: "{predicted}", Actual: "{actual}"')
    whole = str(tmp / f"whole_{env.name}.pth")
    torch.save(model, whole)
    try:
        torch.load(whole)                                  # weights_only=True by default: refused
    except Exception as e:
        log.print(type(e).__name__, "Weights only load failed" in str(e), "weights_only" in str(e))
    model2 = torch.load(whole, weights_only=False)
    log.print(type(model2).__name__, model2.training, torch.equal(model2(x), pred))
    model2.load_state_dict(torch.load(path))               # a state dict loads with the safe default
    opt_state = optimizer.state_dict()
    torch.save({"epoch": 2, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt_state,
                "loss": 0.5}, str(tmp / f"ckpt_{env.name}.tar"))
    ckpt = torch.load(str(tmp / f"ckpt_{env.name}.tar"), weights_only=True)
    log.print(ckpt["epoch"], ckpt["loss"], sorted(ckpt["optimizer_state_dict"]["param_groups"][0]))


@needs_mnist
def test_learn_the_basics_quickstart_optimization_save_load(tmp_path):
    assert_same_logs(run_both(prog_quickstart, tmp_path), rtol=1e-4)


def test_save_load_vision_models(tmp_path):
    """The save & load page with vision.models: pretrained weights are refused with a message (no downloads
    here); the weights enums import; a state dict round-trips into a fresh model."""
    from minitorch.vision import models
    from minitorch.vision.models import ResNet18_Weights, VGG16_Weights
    with pytest.raises(RuntimeError, match="cannot download pretrained weights"):
        models.vgg16(weights='IMAGENET1K_V1')
    with pytest.raises(RuntimeError, match=r"resnet18\(weights=ResNet18_Weights.IMAGENET1K_V1\)"):
        models.resnet18(weights=ResNet18_Weights.DEFAULT)
    assert VGG16_Weights.DEFAULT is VGG16_Weights.IMAGENET1K_V1 and repr(VGG16_Weights.DEFAULT) == \
        "VGG16_Weights.IMAGENET1K_V1"
    model = models.resnet18(weights=None)
    minitorch.save(model.state_dict(), tmp_path / "model_weights.pth")
    model2 = models.resnet18()
    model2.load_state_dict(minitorch.load(tmp_path / "model_weights.pth", weights_only=True))
    model2.eval()
    assert all(minitorch.equal(a, b) for a, b in zip(model.state_dict().values(), model2.state_dict().values()))


# ========================================================================= the 60-minute blitz: autograd
def prog_blitz_autograd(env, log):
    torch, nn, V = env.torch, env.nn, env.vision
    model = V.models.resnet18(weights=None)
    load_seeded(env, model, 21)
    data = torch.rand(1, 3, 64, 64)
    labels = torch.rand(1, 1000)
    log.print(data.shape, labels.shape)
    data = torch.tensor(nprand(22, 1, 3, 64, 64))
    labels = torch.tensor(nprand(23, 1, 1000))
    model.train()
    prediction = model(data)
    loss = (prediction - labels).sum()
    log.print(prediction.shape, loss.grad_fn)
    log.value("loss", loss)
    loss.backward()
    log.value("conv1 grad", model.conv1.weight.grad.abs().sum())
    log.value("fc grad", model.fc.weight.grad.sum())
    optim = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    optim.step()
    log.value("fc weight", model.fc.weight.sum())
    log.value("bn", model.layer1[0].bn1.running_mean.sum())

    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a**3 - b**2
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    log.print(9 * a**2 == a.grad)
    log.print(-2 * b == b.grad)
    log.print(Q, Q.grad_fn.next_functions)
    x = torch.rand(5, 5)
    y = torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)
    a = x + y
    log.print(f"Does `a` require gradients?: {a.requires_grad}")
    b = x + z
    log.print(f"Does `b` require gradients?: {b.requires_grad}")
    # finetuning: freeze everything, replace the classifier
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(512, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    log.print(sum(p.requires_grad for p in model.parameters()), model.fc)
    out = model(data).sum()
    out.backward()
    log.print(model.fc.weight.grad.shape, model.conv1.weight.grad.shape)   # conv1's: from the first backward
    log.value("conv1 grad kept", model.conv1.weight.grad.abs().sum())
    optimizer.step()


def test_blitz_autograd():
    # float32 through a ResNet-18: 20 layers of reductions up to 4608 long
    assert_same_logs(run_both(prog_blitz_autograd), rtol=1e-5, vtol=5e-4)


# ================================================================== the 60-minute blitz: neural networks
def _lenet(env, in_ch=1, flatten_by_view=True):
    nn, F, torch = env.nn, env.F, env.torch

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(in_ch, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            if flatten_by_view:
                x = x.view(-1, self.num_flat_features(x))
            else:
                x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

        def num_flat_features(self, x):
            size = x.size()[1:]
            num_features = 1
            for s in size:
                num_features *= s
            return num_features

    return Net()


def prog_blitz_nn(env, log):
    torch, nn = env.torch, env.nn
    for by_view in (True, False):
        net = _lenet(env, flatten_by_view=by_view)
        load_seeded(env, net, 31)
        log.print(net)
        params = list(net.parameters())
        log.print(len(params))
        log.print(params[0].size())
        input = torch.tensor(nprand(32, 1, 1, 32, 32))
        out = net(input)
        log.print(out)
        net.zero_grad()
        out.backward(torch.tensor(nprand(33, 1, 10)))
        log.print(net.conv1.bias.grad)
        output = net(input)
        for target in (torch.tensor(nprand(34, 10)), torch.arange(1, 11)):   # both versions of the page
            target = target.view(1, -1)
            criterion = nn.MSELoss()
            loss = criterion(output, target)
            log.print(loss)
            log.print(loss.grad_fn)
            log.print(loss.grad_fn.next_functions[0][0])
            log.print(loss.grad_fn.next_functions[0][0].next_functions[0][0])
            log.print(loss.grad_fn.next_functions, loss.grad_fn.next_functions[0][0].next_functions)
        net.zero_grad()
        log.print('conv1.bias.grad before backward')
        log.print(net.conv1.bias.grad)
        loss.backward()
        log.print('conv1.bias.grad after backward')
        log.print(net.conv1.bias.grad)
        learning_rate = 0.01
        for f in net.parameters():
            f.data.sub_(f.grad.data * learning_rate)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
        optimizer.zero_grad()
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        log.print(net(input))


def test_blitz_neural_networks():
    assert_same_logs(run_both(prog_blitz_nn), rtol=2e-5)


# ======================================================================= the 60-minute blitz: CIFAR-10
def _write_cifar(root, n_per_batch=8):
    """A CIFAR-10 'python version' in miniature (the real files cannot be downloaded here)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(41)
    base = rng.integers(0, 256, (10, 3072))
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.integers(0, 10, n_per_batch)
        data = np.clip(base[labels] + rng.integers(-40, 41, (n_per_batch, 3072)), 0, 255).astype(np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({"batch_label": name, "labels": [int(v) for v in labels], "data": data,
                         "filenames": [f"{k}.png" for k in range(n_per_batch)]}, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                     "ship", "truck"], "num_vis": 3072, "num_cases_per_batch": n_per_batch}, f)


def prog_blitz_cifar(env, log, root):
    torch, nn, F, V = env.torch, env.nn, env.F, env.vision
    optim = env.optim
    transforms = V.transforms
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    batch_size = 4
    trainset = V.datasets.CIFAR10(root=str(root), train=True, download=True, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=batch_size, shuffle=True, num_workers=2)
    testset = V.datasets.CIFAR10(root=str(root), train=False, download=True, transform=transform)
    # (the tutorial gives both loaders num_workers=2; worker processes cost torch seconds per pass, so the
    # test loader, iterated three times, loads in the main process)
    testloader = torch.utils.data.DataLoader(testset, batch_size=batch_size, shuffle=False, num_workers=0)
    classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
    log.print(len(trainset), len(testset), len(trainloader))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def imshow(img):
        img = img / 2 + 0.5
        npimg = img.numpy()
        plt.imshow(np.transpose(npimg, (1, 2, 0)))
        plt.close("all")
        return npimg

    dataiter = iter(trainloader)
    images, labels = next(dataiter)                     # shuffled: shapes only
    grid = V.utils.make_grid(images)
    log.print(images.shape, labels.shape, grid.shape, imshow(grid).shape)
    log.print(len(' '.join(f'{classes[labels[j]]:5s}' for j in range(batch_size))))
    fixed = torch.utils.data.DataLoader(trainset, batch_size=batch_size)
    images, labels = next(iter(fixed))
    log.print(V.utils.make_grid(images).sum(), V.utils.make_grid(images, nrow=2, padding=1).shape)
    log.print(' '.join(f'{classes[labels[j]]:5s}' for j in range(batch_size)))

    class Net(nn.Module):
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
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = Net()
    load_seeded(env, net, 42)
    log.print(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')
    log.print(device)
    net.to(device)
    for epoch in range(2):
        running_loss = 0.0
        for i, data in enumerate(fixed, 0):             # the tutorial shuffles; fixed order to compare
            inputs, labels = data[0].to(device), data[1].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 5 == 4:
                log.print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 5:.3f}')
                running_loss = 0.0
    log.print('Finished Training')
    PATH = str(root / f"cifar_net_{env.name}.pth")
    torch.save(net.state_dict(), PATH)
    images, labels = next(iter(testloader))
    log.print('GroundTruth: ', ' '.join(f'{classes[labels[j]]:5s}' for j in range(4)))
    net = Net()
    net.load_state_dict(torch.load(PATH, weights_only=True))
    outputs = net(images)
    _, predicted = torch.max(outputs, 1)
    log.print('Predicted: ', ' '.join(f'{classes[predicted[j]]:5s}' for j in range(4)))
    log.print(outputs)
    correct = 0
    total = 0
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    log.print(f'Accuracy of the network on the {total} test images: {100 * correct // total} %')
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predictions = torch.max(outputs, 1)
            for label, prediction in zip(labels, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1
    for classname, correct_count in correct_pred.items():
        if total_pred[classname]:
            accuracy = 100 * float(correct_count) / total_pred[classname]
            log.print(f'Accuracy for class: {classname:5s} is {accuracy:.1f} %')


def test_blitz_cifar10_classifier(tmp_path):
    _write_cifar(tmp_path)
    assert_same_logs(run_both(prog_blitz_cifar, tmp_path), rtol=1e-4)


# ====================================================================== Learning PyTorch with Examples
def prog_with_examples(env, log):
    torch = env.torch
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    init = [0.1, -0.2, 0.05, 0.02]
    lr = 1e-6
    # tensors: the gradient by hand
    a = torch.randn((), device=device, dtype=dtype)
    log.print(a.shape, a.dtype)
    a, b, c, d = (torch.tensor(v, device=device, dtype=dtype) for v in init)
    for t in range(30):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        if t % 10 == 9:
            log.print(t, loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= lr * grad_a
        b -= lr * grad_b
        c -= lr * grad_c
        d -= lr * grad_d
    log.print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
    # autograd
    a, b, c, d = (torch.tensor(v, dtype=dtype, requires_grad=True) for v in init)
    for t in range(30):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 10 == 9:
            log.print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            c -= lr * c.grad
            d -= lr * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    log.print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')

    # a custom autograd.Function
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(30):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 10 == 9:
            log.print(t, loss.item(), y_pred.grad_fn.next_functions[1][0].next_functions[1][0].__class__.__name__)
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    log.print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')

    # nn
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    log.print(xx.shape, xx.dtype)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    load_seeded(env, model, 51)
    loss_fn = torch.nn.MSELoss(reduction='sum')
    for t in range(30):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 10 == 9:
            log.print(t, loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    linear_layer = model[0]
    log.print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
              f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
    # optim
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    load_seeded(env, model, 52)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(30):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 10 == 9:
            log.print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    log.print(model[0].weight, model[0].bias)

    # a custom Module
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'

    model = Polynomial3()
    model.load_state_dict({k: torch.tensor(v) for k, v in zip("abcd", init)})
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(30):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 10 == 9:
            log.print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    log.print(f'Result: {model.string()}', model)

    # a dynamic net: the graph changes each step (Python's random, seeded the same in both runs)
    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, rnd.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

        def string(self):
            return (f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + '
                    f'{self.e.item()} x^4 ? + {self.e.item()} x^5 ?')

    rnd = random.Random(3)
    model = DynamicNet()
    model.load_state_dict({k: torch.tensor(v) for k, v in zip("abcde", init + [0.001])})
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for t in range(30):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 10 == 9:
            log.print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    log.print(f'Result: {model.string()}')


def test_learning_pytorch_with_examples():
    # float32 sums of 2000 terms over 30 steps; the coefficients that stay near 0 (1e-10) move by lr * gradient:
    # 5e-6 * (2000 terms * eps32 * |term| ~ 1) ~ 1e-9 of rounding per step
    assert_same_logs(run_both(prog_with_examples), rtol=2e-5, atol=1e-7)


# ============================================================================ What is torch.nn really?
def prog_nn_really(env, log):
    torch, nn, F = env.torch, env.nn, env.F
    from_numpy = env.torch.utils.data
    imgs = _idx(MNIST_ROOT / "train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    labs = _idx(MNIST_ROOT / "train-labels-idx1-ubyte.gz", 8)
    x_train, y_train = (imgs[:384] / 255).astype(np.float32), labs[:384].astype(np.int64)
    x_valid, y_valid = (imgs[384:512] / 255).astype(np.float32), labs[384:512].astype(np.int64)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    log.print(x_train, y_train)
    log.print(x_train.shape)
    log.print(y_train.min(), y_train.max())

    weights = torch.randn(784, 10) / math.sqrt(784)
    weights = torch.tensor(seeded_state(nn.Linear(784, 10), 61)["weight"].T.copy())
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 64
    xb = x_train[0:bs]
    preds = model(xb)
    log.print(preds[0], preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll
    yb = y_train[0:bs]
    log.print(loss_func(preds, yb))

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    log.print(accuracy(preds, yb))
    lr = 0.5
    epochs = 1
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    log.print(loss_func(model(xb), yb), accuracy(model(xb), yb))

    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    log.print(loss_func(model(xb), yb), accuracy(model(xb), yb))

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))
            self.bias = nn.Parameter(torch.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    model = Mnist_Logistic()
    load_seeded(env, model, 62)
    log.print(loss_func(model(xb), yb))

    def fit_by_hand():
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()

    fit_by_hand()
    log.print(loss_func(model(xb), yb))

    class Mnist_Logistic2(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    model = Mnist_Logistic2()
    load_seeded(env, model, 63)
    fit_by_hand()
    log.print(loss_func(model(xb), yb))

    from_module = env.optim
    opt = from_module.SGD(model.parameters(), lr=lr)
    TensorDataset, DataLoader = from_numpy.TensorDataset, from_numpy.DataLoader
    train_ds = TensorDataset(x_train, y_train)
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = train_ds[i * bs: i * bs + bs]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
    log.print(loss_func(model(xb), yb))
    train_dl = DataLoader(train_ds, batch_size=bs)
    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
        log.print(epoch, valid_loss / len(valid_dl))

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)
            model.eval()
            with torch.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
            log.print(epoch, val_loss)

    def get_data(train_ds, valid_ds, bs):
        return (DataLoader(train_ds, batch_size=bs, shuffle=False),      # the tutorial shuffles
                DataLoader(valid_ds, batch_size=bs * 2))

    train_dl, valid_dl = get_data(train_ds, valid_ds, bs)

    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)
            xb = F.relu(self.conv1(xb))
            xb = F.relu(self.conv2(xb))
            xb = F.relu(self.conv3(xb))
            xb = F.avg_pool2d(xb, 4)
            return xb.view(-1, xb.size(1))

    model = Mnist_CNN()
    load_seeded(env, model, 64)
    opt = env.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(1, model, loss_func, opt, train_dl, valid_dl)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x, y):
        return x.view(-1, 1, 28, 28), y

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield (self.func(*b))

    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    dev = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else dev
    train_dl = WrappedDataLoader(train_dl, lambda x, y: preprocess(x.to(dev), y.to(dev)))
    valid_dl = WrappedDataLoader(valid_dl, lambda x, y: preprocess(x.to(dev), y.to(dev)))
    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    load_seeded(env, model, 65)
    model.to(dev)
    log.print(model)
    opt = env.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(1, model, loss_func, opt, train_dl, valid_dl)


@needs_mnist
def test_what_is_torch_nn_really():
    assert_same_logs(run_both(prog_nn_really), rtol=1e-4)


# ============================================================================ pytorch/examples mnist/main.py
def prog_examples_mnist(env, log, dropout):
    torch, nn, F, optim, V = env.torch, env.nn, env.F, env.optim, env.vision
    StepLR = optim.lr_scheduler.StepLR

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25 if dropout else 0.0)
            self.dropout2 = nn.Dropout(0.5 if dropout else 0.0)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    args = types.SimpleNamespace(batch_size=32, test_batch_size=100, epochs=2, lr=1.0, gamma=0.7, no_accel=False,
                                 dry_run=False, seed=1, log_interval=1, save_model=True)

    def train(args, model, device, train_loader, optimizer, epoch):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                line = 'Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100. * batch_idx / len(train_loader), loss.item())
                log.print(line if not dropout else line.split("Loss")[0])
                if args.dry_run:
                    break

    def test(model, device, test_loader):
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction='sum').item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        test_loss /= len(test_loader.dataset)
        if dropout:
            log.print(math.isfinite(test_loss), 0 <= correct <= len(test_loader.dataset))
        else:
            log.print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
                test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    if use_accel:
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    train_kwargs = {'batch_size': args.batch_size}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_accel:
        accel_kwargs = {'num_workers': 1, 'persistent_workers': True, 'pin_memory': True, 'shuffle': True}
        train_kwargs.update(accel_kwargs)
        test_kwargs.update(accel_kwargs)
    transform = V.transforms.Compose([V.transforms.ToTensor(), V.transforms.Normalize((0.1307,), (0.3081,))])
    dataset1 = V.datasets.MNIST(str(DATA), train=True, download=True, transform=transform)
    dataset2 = V.datasets.MNIST(str(DATA), train=False, transform=transform)
    dataset1 = torch.utils.data.Subset(dataset1, range(64))     # shortened: 2 batches, 100 test images
    dataset2 = torch.utils.data.Subset(dataset2, range(100))
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)
    model = Net().to(device)
    load_seeded(env, model, 71)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    test(model, device, test_loader)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()
        log.print(scheduler.get_last_lr())
    if args.save_model:
        buf = io.BytesIO()
        torch.save(model.state_dict(), buf)
        buf.seek(0)
        log.print(sorted(torch.load(buf).keys()))


@needs_mnist
@pytest.mark.parametrize("dropout", [False, True], ids=["dropout-off-compared", "as-written"])
def test_pytorch_examples_mnist(dropout):
    """As written (dropout on: random masks, so the log keeps only what does not depend on them), and with
    the dropout probabilities set to 0 so that the two engines' training runs can be compared number for number
    (Adadelta with lr=1.0 and StepLR)."""
    assert_same_logs(run_both(prog_examples_mnist, dropout), rtol=2e-4)


# ======================================================================== micrograd's torch-side tests
def prog_micrograd(env, log):
    torch = env.torch
    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    log.print(y.data.item(), x.grad.item(), y, x.grad, y.grad_fn)

    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    log.print(repr(g.data.item()), repr(a.grad.item()), repr(b.grad.item()), g.dtype, a.grad.dtype)


def test_micrograd_engine_tests():
    logs = run_both(prog_micrograd)
    assert_same_logs(logs, rtol=0)          # float64, the same operations: the same numbers to the last digit
    # micrograd's own expectations (its Value engine's results)
    assert logs["minitorch"].rows[0].startswith("-20.0 46.0 ")
    assert logs["minitorch"].rows[1].startswith("24.70408163265306 138.83381924198252 645.5772594752186")


# ================================================================================ makemore: bigrams
def _words(n):
    return open(NAMES, 'r').read().splitlines()[:n]


def prog_makemore_bigram(env, log, words):
    torch, F = env.torch, env.F
    log.print(words[:10], len(words), min(len(w) for w in words), max(len(w) for w in words))
    N = torch.zeros((27, 27), dtype=torch.int32)
    chars = sorted(list(set(''.join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i: s for s, i in stoi.items()}
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure(figsize=(2, 2))
    plt.imshow(N, cmap='Blues')
    for i in range(3):
        for j in range(3):
            plt.text(j, i, itos[i] + itos[j], ha="center", va="bottom", color='gray')
            plt.text(j, i, N[i, j].item(), ha="center", va="top", color='gray')
    plt.axis('off')
    plt.close("all")
    log.print(N[0], N.dtype, N.sum())
    p = N[0].float()
    p = p / p.sum()
    log.print(p)
    g = torch.Generator().manual_seed(2147483647)
    ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
    log.print(type(ix).__name__, itos[ix] in stoi)
    g = torch.Generator().manual_seed(2147483647)
    q = torch.rand(3, generator=g)
    q = q / q.sum()
    s = torch.multinomial(q, num_samples=100, replacement=True, generator=g)
    log.print(q.shape, s.shape, s.dtype, bool(((s >= 0) & (s < 3)).all()))
    g2 = torch.Generator().manual_seed(2147483647)
    log.print(torch.equal(torch.multinomial(q, 100, replacement=True, generator=g2),
                          torch.multinomial(q, 100, replacement=True,
                                            generator=torch.Generator().manual_seed(2147483647))))
    P = (N + 1).float()
    log.print(P.sum(1, keepdim=True).shape, P.sum(1).shape)
    P /= P.sum(1, keepdims=True)
    log.print(P[0].sum(), P.shape)
    g = torch.Generator().manual_seed(2147483647)
    for i in range(5):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        name = ''.join(out)
        log.print(name.endswith('.') and all(ch in stoi for ch in name))
    log_likelihood = 0.0
    n = 0
    for w in words[:50]:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[stoi[ch1], stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    log.print(f'{log_likelihood=}')
    nll = -log_likelihood
    log.print(f'{nll=}')
    log.print(f'{nll/n}')

    xs, ys = [], []
    for w in words[:1]:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    log.print(xs, ys)
    xenc = F.one_hot(xs, num_classes=27).float()
    log.print(xenc, xenc.shape, xenc.dtype, F.one_hot(xs).shape, F.one_hot(xs).dtype)
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((27, 27), generator=g)
    log.print(W.shape, W.dtype)
    W = torch.tensor(nprand(81, 27, 27))
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    log.print(probs.shape, probs[0].sum())
    nlls = torch.zeros(5)
    for i in range(5):
        x = xs[i].item()
        y = ys[i].item()
        log.print(f'bigram example {i+1}: {itos[x]}{itos[y]} (indexes {x},{y})')
        log.print('output probabilities from the neural net:', probs[i])
        p = probs[i, y]
        logp = torch.log(p)
        log.print('log likelihood:', logp.item())
        nlls[i] = -logp
    log.print('average negative log likelihood, i.e. loss =', nlls.mean().item())

    xs, ys = [], []
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()
    log.print('number of examples: ', num)
    W = torch.tensor(nprand(82, 27, 27), requires_grad=True)
    for k in range(10):
        xenc = F.one_hot(xs, num_classes=27).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        log.print(loss.item())
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    log.print(loss.grad_fn, loss.grad_fn.next_functions)
    g = torch.Generator().manual_seed(2147483647)
    for i in range(3):
        out = []
        ix = 0
        while True:
            xenc = F.one_hot(torch.tensor([ix]), num_classes=27).float()
            logits = xenc @ W
            counts = logits.exp()
            p = counts / counts.sum(1, keepdims=True)
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        log.print(''.join(out).endswith('.'))


@needs_names
def test_makemore_bigram():
    assert_same_logs(run_both(prog_makemore_bigram, _words(400)), rtol=2e-5)


# ==================================================================================== makemore: MLP
def prog_makemore_mlp(env, log, words):
    torch, F = env.torch, env.F
    words = list(words)
    log.print(words[:8], len(words))
    chars = sorted(list(set(''.join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i: s for s, i in stoi.items()}
    log.print(itos)
    block_size = 3

    def build_dataset(words):
        X, Y = [], []
        for w in words:
            context = [0] * block_size
            for ch in w + '.':
                ix = stoi[ch]
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix]
        X = torch.tensor(X)
        Y = torch.tensor(Y)
        log.print(X.shape, Y.shape)
        return X, Y

    rnd = random.Random(42)
    rnd.shuffle(words)
    n1 = int(0.8 * len(words))
    n2 = int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1])
    Xdev, Ydev = build_dataset(words[n1:n2])
    Xte, Yte = build_dataset(words[n2:])
    log.print((Xtr.shape, Xtr.dtype, Ytr.shape, Ytr.dtype))

    # the lecture's first steps: embedding by indexing, three ways to flatten
    C = torch.tensor(nprand(91, 27, 2))
    emb = C[Xtr[:32]]
    log.print(emb.shape, C[5], F.one_hot(torch.tensor(5), num_classes=27).float() @ C)
    cat = torch.cat([emb[:, 0, :], emb[:, 1, :], emb[:, 2, :]], 1)
    log.print(cat.shape, torch.cat(torch.unbind(emb, 1), 1).shape, (emb.view(32, 6) == cat).all())
    a = torch.arange(18)
    log.print(a.view(2, 9), a.view(3, 3, 2).shape, a.view(9, 2).is_contiguous())
    W1 = torch.tensor(nprand(92, 6, 100))
    b1 = torch.tensor(nprand(93, 100))
    h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    log.print(h.shape, h[0, :5])
    W2 = torch.tensor(nprand(94, 100, 27))
    b2 = torch.tensor(nprand(95, 27))
    logits = h @ W2 + b2
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    loss = -prob[torch.arange(32), Ytr[:32]].log().mean()
    log.print(prob.shape, loss, F.cross_entropy(logits, Ytr[:32]))

    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
    log.print(C.shape, W1.shape, C.dtype)
    C = torch.tensor(nprand(96, 27, 10))
    W1 = torch.tensor(nprand(97, 30, 200, scale=0.2))
    b1 = torch.tensor(nprand(98, 200, scale=0.01))
    W2 = torch.tensor(nprand(99, 200, 27, scale=0.01))
    b2 = torch.tensor(np.zeros(27, np.float32))
    parameters = [C, W1, b1, W2, b2]
    log.print(sum(p.nelement() for p in parameters))
    for p in parameters:
        p.requires_grad = True
    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    log.print(lre[:3], lrs[-3:], lrs.shape)
    ix = torch.randint(0, Xtr.shape[0], (32,))
    log.print(ix.shape, ix.dtype, bool(((ix >= 0) & (ix < Xtr.shape[0])).all()))
    batches = np.random.default_rng(100).integers(0, len(Xtr), (40, 32))
    lossi, stepi = [], []
    for i in range(40):
        ix = torch.tensor(batches[i])
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 30 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        stepi.append(i)
        lossi.append(loss.log10().item())
    log.print(lossi[::10])
    for X, Y in ((Xtr, Ytr), (Xdev, Ydev)):
        emb = C[X]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        log.print(F.cross_entropy(logits, Y))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure(figsize=(2, 2))
    plt.plot(stepi, lossi)
    plt.scatter(C[:, 0].data, C[:, 1].data, s=200)
    for i in range(C.shape[0]):
        plt.text(C[i, 0].item(), C[i, 1].item(), itos[i], ha="center", va="center", color='white')
    plt.grid('minor')
    plt.close("all")
    context = [0] * block_size
    log.print(C[torch.tensor([context])].shape)
    g = torch.Generator().manual_seed(2147483647 + 10)
    for _ in range(3):
        out = []
        context = [0] * block_size
        while True:
            emb = C[torch.tensor([context])]
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0 or len(out) > 40:
                break
        log.print(len(''.join(itos[i] for i in out)) >= 1)


@needs_names
def test_makemore_mlp():
    # float32: 40 steps of SGD through sums of a few thousand terms
    assert_same_logs(run_both(prog_makemore_mlp, _words(1200)), rtol=1e-4)


# ========================================================= the project's source tutorials (../shared/seeds)
def prog_seeds(env, log):
    torch, nn, F = env.torch, env.nn, env.F

    def record(fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = fn()
        msgs = [str(x.message).split(" (Triggered internally")[0] for x in w
                if issubclass(x.category, UserWarning)]
        log.print(out, msgs)
        return out

    # tensors: old constructors and types, creation with out=, deprecated forms that still run
    log.print(torch.FloatTensor([1, 2]), torch.LongTensor([1, 2]).dtype, torch.DoubleTensor(2, 3).shape)
    x = torch.tensor([[1.5, -2.0], [3.0, 4.0]])
    log.print(x.type(), x.type(torch.DoubleTensor).type(), x.type(torch.LongTensor), x.type(torch.IntTensor).dtype)
    out_t = torch.tensor([1])
    t = torch.zeros((3, 3), out=out_t)
    log.print(t, out_t, id(t) == id(out_t))
    record(lambda: torch.range(1, 4))
    record(lambda: torch.add(torch.ones(2, 2), 10, torch.ones(2, 2)))
    log.print(torch.arange(2, 10, 2), torch.linspace(2, 10, 5), torch.full((2, 2), 10), torch.eye(3))
    n_data = torch.ones(100, 2)
    x0 = torch.normal(2 * n_data, 1)
    x1 = torch.normal(-2 * n_data, 1)
    y0, y1 = torch.zeros(100), torch.ones(100)
    xx = torch.cat((x0, x1), 0).type(torch.FloatTensor)
    yy = torch.cat((y0, y1), ).type(torch.LongTensor)
    log.print(xx.shape, xx.dtype, yy.shape, yy.dtype, torch.normal(0., 1., size=(4,)).shape,
              torch.normal(torch.arange(1., 5.), torch.ones(4)).shape)
    a = torch.tensor(nprand(101, 2, 5))
    log.print(torch.chunk(a, dim=1, chunks=2), torch.split(a, [2, 1, 2], dim=1))
    log.print(torch.split(a, 2, dim=1)[-1].shape)
    t = torch.tensor(nprand(102, 3, 3))
    idx = torch.tensor([0, 2], dtype=torch.long)
    log.print(torch.index_select(t, dim=0, index=idx), torch.masked_select(t, t.ge(0)))
    log.print(torch.reshape(t, (-1, 9)).shape, torch.transpose(t, 0, 1), torch.squeeze(torch.ones(1, 2, 1)).shape)
    log.print(torch.randperm(8).sort()[0])
    t0, t1 = torch.tensor(nprand(103, 3)), torch.tensor(nprand(104, 3))
    for name in ("log", "log10", "log2", "exp", "abs", "cosh", "cos", "sin", "atan", "sigmoid"):
        log.print(name, getattr(torch, name)(t0.abs() + 0.5))
    log.print(torch.acos(t0 / 4), torch.asin(t0 / 4), torch.atan2(t0, t1), torch.pow(t0, 2), torch.div(t0, t1),
              torch.sub(t0, t1), torch.mean(t0), torch.max(t0), torch.addcmul(t0, t0, t1, value=2),
              torch.addcdiv(t0, t0, t1.abs() + 1, value=0.5))
    # autograd details
    w = torch.tensor([1.], requires_grad=True)
    xv = torch.tensor([2.], requires_grad=True)
    a = torch.add(w, xv)
    a.retain_grad()
    b = torch.add(w, 1)
    y = torch.mul(a, b)
    y.backward(retain_graph=True)
    with warnings.catch_warnings(record=True) as caught:          # b.grad of a non-leaf: torch's warning
        warnings.simplefilter("always")
        log.print(w.grad, a.grad, b.grad, w.is_leaf, a.is_leaf, y.grad_fn, a.grad_fn, b.grad_fn)
    log.print([str(m.message).split(" (Triggered internally")[0] for m in caught])
    w.grad.zero_()
    xs = torch.tensor([3.], requires_grad=True)
    ys = torch.pow(xs, 2)
    grad_1 = torch.autograd.grad(ys, xs, create_graph=True)
    grad_2 = torch.autograd.grad(grad_1[0], xs)
    log.print(grad_1, grad_2)
    v = torch.autograd.Variable(torch.tensor([1., 2.]), requires_grad=True)
    (v * v).sum().backward()
    log.print(v, v.grad, v.data, v.grad.data.zero_())
    try:
        wl = torch.ones(1, requires_grad=True)
        wl.add_(1)
    except RuntimeError as e:
        log.print(e)
    # models: containers, activations, regularisation
    net = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Dropout(0.5), nn.BatchNorm1d(10), nn.Linear(10, 2))
    ml = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
    md = nn.ModuleDict({'conv': nn.Conv2d(1, 2, 3), 'pool': nn.MaxPool2d(2)})
    acts = nn.ModuleDict([['relu', nn.ReLU()], ['prelu', nn.PReLU()], ['lrelu', nn.LeakyReLU(0.1)],
                          ['sig', nn.Sigmoid()]])
    log.print(net, ml, md, acts, nn.BatchNorm2d(3), nn.BatchNorm3d(3), nn.Flatten())
    load_seeded(env, net, 105)
    net.eval()
    log.print(net(torch.tensor(nprand(106, 4, 2))))
    log.print(acts['prelu'](torch.tensor([-1.0, 2.0])), acts['lrelu'](torch.tensor([-1.0, 2.0])))
    net.train()
    log.print(net(torch.tensor(nprand(106, 4, 2))).shape)
    bce = nn.BCELoss()
    p = torch.sigmoid(torch.tensor(nprand(107, 6)))
    log.print(bce(p, torch.tensor([0., 1., 1., 0., 1., 0.])), nn.CrossEntropyLoss()(torch.tensor(nprand(108, 3, 4)),
                                                                                     torch.tensor([0, 3, 1])))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-2)
    log.print(opt)
    log.print(torch.manual_seed(1).__class__.__name__)


def test_source_tutorials():
    assert_same_logs(run_both(prog_seeds), rtol=1e-6)


# ==================================================== what the families found missing, checked op by op
def test_found_by_the_families():
    """addcmul/addcdiv (the source tutorials' list of math ops), scatter_ with a 0-d index (Learn the Basics'
    one-hot target_transform), gather with a 0-d index, and torch.range's deprecation warning."""
    from harness import compare
    rng = np.random.default_rng(7)
    x, a = rng.standard_normal((2, 3)), rng.standard_normal((3,))
    b = rng.uniform(0.5, 2.0, (2, 1)) * rng.choice([-1, 1], (2, 1))
    compare(lambda x, a, b: x.addcmul(a, b, value=0.5), [x, a, b])
    compare(lambda x, a, b: x.addcdiv(a, b, value=-2), [x, a, b])
    compare(lambda x, a, b: x.addcdiv(a, b), [x.astype(np.float32), a.astype(np.float32), b.astype(np.float32)])
    for lib in (real_torch, minitorch):
        assert lib.addcmul(lib.tensor([1, 2]), lib.tensor([1, 2]), lib.tensor([3, 4]), value=1.7).tolist() == [4, 10]
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        minitorch.addcdiv(minitorch.tensor([1]), minitorch.tensor([1]), minitorch.tensor([1]))
    compare(lambda x: x.scatter(0, x.new_tensor(2).long(), 7.0), [rng.standard_normal(5)])
    compare(lambda x, s: x.scatter(0, x.new_tensor(3).long(), s), [rng.standard_normal(5), rng.standard_normal(())])
    compare(lambda x, s: x.scatter_add(0, x.new_tensor(1).long(), s), [rng.standard_normal(5),
                                                                      rng.standard_normal(())])
    compare(lambda x: x.gather(0, x.new_tensor(4).long()), [rng.standard_normal(5)])
    compare(lambda x: x.gather(0, x.new_tensor([0]).long()), [rng.standard_normal(())])
    for lib in (real_torch, minitorch):
        assert lib.zeros(10).scatter_(0, lib.tensor(3), value=1).tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        with pytest.warns(UserWarning, match=r"torch.range is deprecated .* \[start, end\)\.") as w:
            assert lib.range(1, 4).tolist() == [1.0, 2.0, 3.0, 4.0]
        assert w[0].filename == __file__


# ============================================ the 60-minute blitz, the earlier version of its first two pages
def prog_blitz_earlier(env, log):
    torch = env.torch
    x = torch.empty(5, 3)
    log.print(x.shape, x.dtype)
    log.print(torch.zeros(5, 3, dtype=torch.long), torch.tensor([5.5, 3]))
    x = torch.tensor([5.5, 3]).new_ones(5, 3, dtype=torch.double)
    log.print(x)
    x = torch.randn_like(x, dtype=torch.float)
    log.print(x.size(), x.dtype)
    x, y = torch.tensor(nprand(111, 5, 3)), torch.ones(5, 3)
    log.print(x + y, torch.add(x, y))
    result = torch.empty(5, 3)
    torch.add(x, y, out=result)
    y.add_(x)
    log.print(result, y, x[:, 1])
    x = torch.arange(16.).view(4, 4)
    log.print(x.size(), x.view(16).size(), x.view(-1, 8).size())
    x = torch.tensor([0.7])
    log.print(x, x.item())
    log.print(x.to("cpu", torch.double))
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    log.print(x, y, y.grad_fn)
    z = y * y * 3
    out = z.mean()
    log.print(z, out)
    a = torch.tensor([[1., 2.], [3., 4.]])
    a = ((a * 3) / (a - 1))
    log.print(a.requires_grad)
    a.requires_grad_(True)
    log.print(a.requires_grad, (a * a).sum().grad_fn)
    out.backward()
    log.print(x.grad)
    x = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    log.print(y)
    y.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))
    log.print(x.grad, x.requires_grad, (x ** 2).requires_grad)
    with torch.no_grad():
        log.print((x ** 2).requires_grad)
    y = x.detach()
    log.print(y.requires_grad, x.eq(y).all())
    with warnings.catch_warnings():                  # their warnings: once per process (test_T_warns_once_as_torch)
        warnings.simplefilter("ignore")
        log.print(x.T, torch.tensor(2.).T)


def test_T_warns_once_as_torch():
    """``x.T`` off 2-d warns once per process and message (torch's TORCH_WARN_ONCE): a fresh process each."""
    code = ("import warnings, sys; warnings.simplefilter('always'); import {lib} as torch\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    for _ in range(2): torch.ones(3).T; torch.tensor(2.).T; torch.ones(2, 2, 2).T\n"
            "print([str(m.message).split(' (Triggered internally')[0] for m in w])")
    outs = [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True, text=True,
                           check=True).stdout for lib in ("torch", "minitorch")]
    assert outs[0] == outs[1] and outs[0].count("deprecated") == 2


def test_blitz_earlier_pages():
    assert_same_logs(run_both(prog_blitz_earlier), rtol=1e-6)


# ============================================ the source tutorials' TensorBoard section (003, section 5)
def prog_tensorboard(env, log, tmp):
    import importlib
    torch, nn, V = env.torch, env.nn, env.vision
    SummaryWriter = importlib.import_module(env.torch.__name__ + ".utils.tensorboard").SummaryWriter
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    logdir = tmp / env.name
    writer = SummaryWriter(str(logdir))
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    load_seeded(env, model, 121)
    images = torch.tensor(nprand(122, 4, 1, 28, 28)).clamp(0, 1)
    for n_iter in range(3):
        writer.add_scalar('Loss/train', 1.0 / (n_iter + 1), n_iter)
        writer.add_scalars('run_14h', {'xsinx': n_iter * np.sin(n_iter), 'xcosx': n_iter * np.cos(n_iter)}, n_iter)
    grid = V.utils.make_grid(images)
    writer.add_image('mnist_images', grid, 0)
    writer.add_histogram('fc.weight', model[1].weight, 0)
    writer.close()
    acc = EventAccumulator(str(logdir), size_guidance={"images": 0, "histograms": 0, "scalars": 0})
    acc.Reload()
    tags = acc.Tags()
    log.print(sorted(tags["scalars"]), sorted(tags["images"]), sorted(tags["histograms"]))
    log.print([(e.step, e.value) for e in acc.Scalars('Loss/train')])
    im = acc.Images('mnist_images')[0]
    log.print(im.width, im.height, grid.shape)
    h = acc.Histograms('fc.weight')[0].histogram_value
    log.print(h.min, h.max, h.num, h.sum)
    for sub in sorted(p.name for p in logdir.iterdir() if p.is_dir()):
        sacc = EventAccumulator(str(logdir / sub))
        sacc.Reload()
        log.print(sub, [(e.step, e.value) for t in sacc.Tags()["scalars"] for e in sacc.Scalars(t)])


def test_source_tutorials_tensorboard(tmp_path):
    assert_same_logs(run_both(prog_tensorboard, tmp_path), rtol=1e-6)
