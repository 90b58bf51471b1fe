"""minitorch.vision.models against torch twins (reference/vision_models.py; torchvision itself cannot be installed
beside the CPU torch wheel): state_dict keys and shapes one for one, torchvision's parameter counts and
initialisation, and -- with minitorch's weights copied into the twin -- the same forward output and the same
gradients and parameters after one SGD step (float32 against torch float32, held to the harness's error bound
around a float64 twin)."""
import gc
import math

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.vision import models
from reference.transfer import check_same_keys, to_torch
from reference.vision_models import build_twin
from harness import assert_same

# torchvision's documented parameter counts (num_classes=1000)
TORCHVISION_PARAMS = {"alexnet": 61_100_840, "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg16": 138_357_544,
                      "vgg16_bn": 138_365_992, "resnet18": 11_689_512, "resnet34": 21_797_672,
                      "resnet50": 25_557_032}
FC_IN = {"alexnet": 4096, "vgg11": 4096, "vgg11_bn": 4096, "vgg16": 4096, "vgg16_bn": 4096, "resnet18": 512,
         "resnet34": 512, "resnet50": 2048}


def _build(name, **kw):
    if name.startswith("vgg"):
        kw.setdefault("init_weights", False)     # torchvision's switch; the init is tested on its own below
    return getattr(models, name)(**kw)


@pytest.mark.parametrize("name", list(TORCHVISION_PARAMS))
def test_state_dict_keys_shapes_and_parameter_count(name):
    ours = _build(name, num_classes=10)
    twin = build_twin(name, num_classes=10)
    check_same_keys(ours, twin)
    assert list(ours.state_dict()) == list(twin.state_dict())          # same order too
    n = sum(p.numel() for p in ours.parameters())
    assert n + (1000 - 10) * (FC_IN[name] + 1) == TORCHVISION_PARAMS[name]
    del ours, twin
    gc.collect()


def test_torchvision_key_names():
    sd = models.resnet18().state_dict()
    assert len(sd) == 122                      # 62 parameters + 20 BatchNorms x 3 buffers, as torchvision's
    for k in ("conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
              "layer2.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias", "fc.weight", "fc.bias"):
        assert k in sd, k
    assert tuple(sd["fc.weight"].shape) == (1000, 512)
    alex = [k for k in models.alexnet(num_classes=3).state_dict()]
    assert alex == ["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                    "features.6.weight", "features.6.bias", "features.8.weight", "features.8.bias",
                    "features.10.weight", "features.10.bias", "classifier.1.weight", "classifier.1.bias",
                    "classifier.4.weight", "classifier.4.bias", "classifier.6.weight", "classifier.6.bias"]


@pytest.mark.parametrize("builder", [models.alexnet, models.vgg11, models.resnet18, models.resnet34])
def test_pretrained_weights_refused(builder):
    with pytest.raises(RuntimeError, match="cannot download pretrained weights"):
        builder(weights="DEFAULT")
    with pytest.raises(RuntimeError, match="cannot download pretrained weights"):
        builder(weights="IMAGENET1K_V1")
    with pytest.raises(RuntimeError, match="pretrained=True.*cannot download"):
        builder(pretrained=True)
    if builder is not models.vgg11:
        assert isinstance(builder(pretrained=False, num_classes=2), mt.nn.Module)
        assert isinstance(builder(weights=None, progress=False, num_classes=2), mt.nn.Module)
    with pytest.raises(TypeError):
        builder(num_classes=2, not_an_argument=1)


def _std_ok(t, std, what):
    a = t.detach().numpy().astype(np.float64).ravel()
    # sample std of n normals: relative standard error ~ 1/sqrt(2n); allow 6 of them
    assert abs(a.std() / std - 1) < 6 / math.sqrt(2 * a.size) + 1e-3, (what, a.std(), std)
    assert abs(a.mean()) < 6 * std / math.sqrt(a.size), (what, a.mean())


def test_resnet_init_is_torchvisions():
    mt.manual_seed(0)
    m = models.resnet18(num_classes=10)
    for name, mod in m.named_modules():
        if isinstance(mod, mt.nn.Conv2d):
            fan_out = mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]
            _std_ok(mod.weight, math.sqrt(2.0) / math.sqrt(fan_out), name)        # kaiming normal, fan_out, relu
            assert mod.bias is None
        elif isinstance(mod, mt.nn.BatchNorm2d):
            assert (mod.weight.detach().numpy() == 1).all() and (mod.bias.detach().numpy() == 0).all()
    w = m.fc.weight.detach().numpy()             # nn.Linear's own init: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(w).max() <= 1 / math.sqrt(512) and np.abs(w).max() > 0.9 / math.sqrt(512)
    z = models.resnet18(zero_init_residual=True)
    for name, mod in z.named_modules():
        if isinstance(mod, models.BasicBlock):
            assert (mod.bn2.weight.detach().numpy() == 0).all() and (mod.bn1.weight.detach().numpy() == 1).all()
    z50 = models.resnet50(zero_init_residual=True, num_classes=2)
    blocks = [mod for mod in z50.modules() if isinstance(mod, models.Bottleneck)]
    assert len(blocks) == 16 and all((b.bn3.weight.detach().numpy() == 0).all() for b in blocks)


def test_vgg_init_is_torchvisions():
    mt.manual_seed(0)
    m = models.vgg11_bn(num_classes=10)
    for name, mod in m.named_modules():
        if isinstance(mod, mt.nn.Conv2d):
            _std_ok(mod.weight, math.sqrt(2.0 / (mod.out_channels * 9)), name)
            assert (mod.bias.detach().numpy() == 0).all()
        elif isinstance(mod, mt.nn.Linear):
            _std_ok(mod.weight, 0.01, name)
            assert (mod.bias.detach().numpy() == 0).all()
        elif isinstance(mod, mt.nn.BatchNorm2d):
            assert (mod.weight.detach().numpy() == 1).all() and (mod.bias.detach().numpy() == 0).all()
    del m
    gc.collect()


def _twins(ours, name, **kw):
    """torch float32 and float64 twins holding ``ours``'s weights."""
    t32 = build_twin(name, **kw)
    t32.load_state_dict(to_torch(ours.state_dict()))
    t64 = build_twin(name, **kw).double()
    t64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in to_torch(ours.state_dict()).items()})
    return t32, t64


def _grads(model):
    return [p.grad for _, p in model.named_parameters()]


@pytest.mark.parametrize("name,size,kw", [
    ("resnet18", 64, {}),
    ("alexnet", 64, {"dropout": 0.0}),
])
def test_forward_and_one_sgd_step_match_torch(name, size, kw):
    mt.manual_seed(3)
    ours = getattr(models, name)(num_classes=10, **kw)
    t32, t64 = _twins(ours, name, num_classes=10, **kw)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, size, size)).astype(np.float32)
    y = np.array([1, 7])
    for m in (ours, t32, t64):
        m.train()
    outs = []
    for lib, m, dt in ((mt, ours, np.float32), (torch, t32, np.float32), (torch, t64, np.float64)):
        xb = (mt.from_numpy(x.astype(dt)) if lib is mt else torch.from_numpy(x.astype(dt)))
        yb = mt.from_numpy(y) if lib is mt else torch.from_numpy(y)
        out = m(xb)
        loss = lib.nn.CrossEntropyLoss()(out, yb)
        opt = lib.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
        opt.zero_grad()
        loss.backward()
        outs.append((out, loss))
        opt.step()
    (o, lo), (t, lt), (r, lr) = outs
    assert_same(o, t, what=f"{name} forward", ref=r)
    assert_same(lo, lt, what=f"{name} loss", ref=lr)
    assert_same(_grads(ours), _grads(t32), what=f"{name} grads", ref=_grads(t64))
    after_o, after_t, after_r = ([v for k, v in m.state_dict().items()] for m in (ours, t32, t64))
    assert_same(after_o, after_t, what=f"{name} state after the step", ref=after_r)
    del ours, t32, t64, outs
    gc.collect()


def test_vgg_bn_forward_matches_torch():
    """VGG's feature stack (conv, BatchNorm on batch statistics, ReLU, max-pool), the 7x7 adaptive pool of a 1x1
    map and the classifier (the SGD step through the same layer types is checked on AlexNet and ResNet above;
    VGG's 130M parameters make a step slow on a CPU)."""
    mt.manual_seed(5)
    ours = models.vgg11_bn(num_classes=10, init_weights=False)
    t32, t64 = _twins(ours, "vgg11_bn", num_classes=10)
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with mt.no_grad():
        o = ours(mt.from_numpy(x))
    with torch.no_grad():
        t, r = t32(torch.from_numpy(x)), t64(torch.from_numpy(x.astype(np.float64)))
    assert_same(o, t, what="vgg11_bn forward", ref=r)
    running = [k for k in ours.state_dict() if "running" in k]
    assert_same([ours.state_dict()[k] for k in running], [t32.state_dict()[k] for k in running],
                ref=[t64.state_dict()[k] for k in running])
    del ours, t32, t64
    gc.collect()


def test_eval_mode_forward_uses_running_stats_and_no_dropout():
    mt.manual_seed(4)
    ours = models.resnet18(num_classes=5)
    t32, t64 = _twins(ours, "resnet18", num_classes=5)
    with torch.no_grad():                       # non-trivial running statistics, same in all three
        for m in (t64,):
            for b in m.modules():
                if isinstance(b, torch.nn.BatchNorm2d):
                    b.running_mean.uniform_(-0.5, 0.5)
                    b.running_var.uniform_(0.5, 2.0)
    from reference.transfer import from_torch
    ours.load_state_dict(from_torch({k: (v.float() if v.is_floating_point() else v)
                                     for k, v in t64.state_dict().items()}))
    t32.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in t64.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((3, 3, 40, 40)).astype(np.float32)
    ours.eval(), t32.eval(), t64.eval()
    with mt.no_grad():
        o = ours(mt.from_numpy(x))
    with torch.no_grad():
        assert_same(o, t32(torch.from_numpy(x)), ref=t64(torch.from_numpy(x.astype(np.float64))))
    a = models.alexnet(num_classes=4).eval()
    xa = mt.from_numpy(np.random.default_rng(2).standard_normal((1, 3, 70, 70)).astype(np.float32))
    with mt.no_grad():
        assert np.array_equal(a(xa).numpy(), a(xa).numpy())       # dropout off in eval mode
