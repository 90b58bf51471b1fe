"""torchvision's classification models, built from ``minitorch.nn``: ``alexnet``, ``vgg11`` ... ``vgg19_bn``,
``resnet18``, ``resnet34``, ``resnet50``.

Same module names, layer order and shapes as torchvision, so a torchvision
``state_dict`` has exactly our keys (``features.0.weight``, ``layer1.0.bn1.running_mean``,
``fc.bias``, ...), and torchvision's initialisation:

* AlexNet: PyTorch's default layer initialisation (torchvision adds none).
* VGG: convolutions ``kaiming_normal_(mode="fan_out", nonlinearity="relu")`` with zero bias,
  BatchNorm weight 1 / bias 0, linear layers ``normal_(0, 0.01)`` with zero bias.
* ResNet: convolutions ``kaiming_normal_(mode="fan_out", nonlinearity="relu")``,
  BatchNorm weight 1 / bias 0, ``fc`` PyTorch's default; ``zero_init_residual=True``
  zeroes the last BatchNorm weight of each residual branch.

Builders take torchvision's keyword arguments: ``weights=None`` (the only value:
minitorch runs offline and cannot download pretrained weights; any other value,
or the legacy ``pretrained=True``, raises ``RuntimeError``), ``progress``
(ignored: nothing is downloaded) and the model's own arguments (``num_classes``,
``dropout``, ``zero_init_residual``, ...). To use pretrained weights, build with
``weights=None`` and load a state_dict you have converted yourself.
"""
import enum as _enum

from .. import nn
from ..tensor import Tensor  # noqa: F401  (documentation: forward takes a Tensor)
from .. import flatten as _flatten

__all__ = ["AlexNet", "alexnet", "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn", "ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50",
           "WeightsEnum", "AlexNet_Weights", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
           "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "ResNet18_Weights",
           "ResNet34_Weights", "ResNet50_Weights"]


# ------------------------------------------------------------------------------------- weights enums
class WeightsEnum(_enum.Enum):
    """torchvision's weights enums, by name only, so that ``from torchvision.models import resnet18,
    ResNet18_Weights`` and ``resnet18(weights=ResNet18_Weights.DEFAULT)`` run up to the builder, which then
    says that pretrained weights cannot be had here (no files, no downloads). ``DEFAULT`` is an alias of the
    newest member, as in torchvision."""

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"

    __str__ = __repr__


def _weights_enum(name, *members, default=None):
    ns = {m: m for m in members}
    ns["DEFAULT"] = default or members[-1]         # same value: an alias (torchvision's default member)
    return WeightsEnum(name, ns, module=__name__)


AlexNet_Weights = _weights_enum("AlexNet_Weights", "IMAGENET1K_V1")
VGG11_Weights = _weights_enum("VGG11_Weights", "IMAGENET1K_V1")
VGG11_BN_Weights = _weights_enum("VGG11_BN_Weights", "IMAGENET1K_V1")
VGG13_Weights = _weights_enum("VGG13_Weights", "IMAGENET1K_V1")
VGG13_BN_Weights = _weights_enum("VGG13_BN_Weights", "IMAGENET1K_V1")
VGG16_Weights = _weights_enum("VGG16_Weights", "IMAGENET1K_V1", "IMAGENET1K_FEATURES",
                              default="IMAGENET1K_V1")
VGG16_BN_Weights = _weights_enum("VGG16_BN_Weights", "IMAGENET1K_V1")
VGG19_Weights = _weights_enum("VGG19_Weights", "IMAGENET1K_V1")
VGG19_BN_Weights = _weights_enum("VGG19_BN_Weights", "IMAGENET1K_V1")
ResNet18_Weights = _weights_enum("ResNet18_Weights", "IMAGENET1K_V1")
ResNet34_Weights = _weights_enum("ResNet34_Weights", "IMAGENET1K_V1")
ResNet50_Weights = _weights_enum("ResNet50_Weights", "IMAGENET1K_V1", "IMAGENET1K_V2")


def _no_weights(name, weights, kwargs):
    """torchvision's ``weights``/``pretrained`` arguments: only "no pretrained weights" is possible here."""
    pretrained = kwargs.pop("pretrained", False)
    if pretrained:
        raise RuntimeError(
            f"{name}(pretrained=True): minitorch cannot download pretrained weights (it runs offline and has no "
            f"weight files). Build the model with {name}(weights=None) and load a state_dict yourself "
            "(model.load_state_dict(...)).")
    if weights is not None:
        raise RuntimeError(
            f"{name}(weights={weights!r}): minitorch cannot download pretrained weights (it runs offline and has no "
            f"weight files); weights=None is the only value. Build the model with {name}(weights=None) and load a "
            "state_dict yourself (model.load_state_dict(...)).")


# ------------------------------------------------------------------------------------------------ AlexNet
class AlexNet(nn.Module):
    """AlexNet ("One weird trick" variant, as torchvision): five convolutions, then a 3-layer classifier
    after ``AdaptiveAvgPool2d((6, 6))``. Inputs of at least 63 x 63."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = _flatten(x, 1)
        return self.classifier(x)


def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet (torchvision's ``alexnet``); ``weights`` must be None."""
    _no_weights("alexnet", weights, kwargs)
    return AlexNet(**kwargs)


# ---------------------------------------------------------------------------------------------------- VGG
class VGG(nn.Module):
    """VGG: ``features`` (from ``make_layers``), ``AdaptiveAvgPool2d((7, 7))``, a 3-layer classifier."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = _flatten(x, 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """VGG's feature extractor: an int is a 3x3 convolution with that many channels (+ BatchNorm) + ReLU,
    ``"M"`` a 2x2 max-pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            v = int(v)
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(name, cfg, batch_norm, weights, kwargs):
    _no_weights(name, weights, kwargs)
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG 11-layer model (configuration "A"); ``weights`` must be None."""
    return _vgg("vgg11", "A", False, weights, kwargs)


def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG 11-layer model (configuration "A") with BatchNorm; ``weights`` must be None."""
    return _vgg("vgg11_bn", "A", True, weights, kwargs)


def vgg13(*, weights=None, progress=True, **kwargs):
    """VGG 13-layer model (configuration "B"); ``weights`` must be None."""
    return _vgg("vgg13", "B", False, weights, kwargs)


def vgg13_bn(*, weights=None, progress=True, **kwargs):
    """VGG 13-layer model (configuration "B") with BatchNorm; ``weights`` must be None."""
    return _vgg("vgg13_bn", "B", True, weights, kwargs)


def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG 16-layer model (configuration "D"); ``weights`` must be None."""
    return _vgg("vgg16", "D", False, weights, kwargs)


def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG 16-layer model (configuration "D") with BatchNorm; ``weights`` must be None."""
    return _vgg("vgg16_bn", "D", True, weights, kwargs)


def vgg19(*, weights=None, progress=True, **kwargs):
    """VGG 19-layer model (configuration "E"); ``weights`` must be None."""
    return _vgg("vgg19", "E", False, weights, kwargs)


def vgg19_bn(*, weights=None, progress=True, **kwargs):
    """VGG 19-layer model (configuration "E") with BatchNorm; ``weights`` must be None."""
    return _vgg("vgg19_bn", "E", True, weights, kwargs)


# ------------------------------------------------------------------------------------------------- ResNet
def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution with padding, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the input (through ``downsample`` when given), then ReLU."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class Bottleneck(nn.Module):
    """conv1x1-BN-ReLU-conv3x3(stride)-BN-ReLU-conv1x1-BN, plus the input, then ReLU (ResNet V1.5)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    """ResNet: 7x7/2 stem, 3x3/2 max-pool, four stages of ``block``, global average pool, ``fc``."""

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None "
                             f"or a 3-element tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = _flatten(x, 1)
        return self.fc(x)


def _resnet(name, block, layers, weights, kwargs):
    _no_weights(name, weights, kwargs)
    return ResNet(block, layers, **kwargs)


def resnet18(*, weights=None, progress=True, **kwargs):
    """ResNet-18 (BasicBlock, [2, 2, 2, 2]); ``weights`` must be None."""
    return _resnet("resnet18", BasicBlock, [2, 2, 2, 2], weights, kwargs)


def resnet34(*, weights=None, progress=True, **kwargs):
    """ResNet-34 (BasicBlock, [3, 4, 6, 3]); ``weights`` must be None."""
    return _resnet("resnet34", BasicBlock, [3, 4, 6, 3], weights, kwargs)


def resnet50(*, weights=None, progress=True, **kwargs):
    """ResNet-50 (Bottleneck, [3, 4, 6, 3]); ``weights`` must be None."""
    return _resnet("resnet50", Bottleneck, [3, 4, 6, 3], weights, kwargs)
