"""Torch twins of ``minitorch.vision.models`` (torchvision cannot be installed beside the CPU torch wheel).

Written here with plain ``torch.nn``, from torchvision's architecture description: the same module names
and nesting as torchvision (``features.<i>``, ``classifier.<i>``, ``layer<k>.<j>.conv1``, ``downsample.0/1``,
``fc``), so a state_dict moves between torchvision, this twin and minitorch key for key. Written apart from
minitorch's code on purpose: a wrong layer there does not repeat here. Initialisation is torch's default
(the tests copy minitorch's weights in).
"""
import torch
from torch import nn

VGG_CFGS = {
    "vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512,
              "M"],
}
RESNET_LAYERS = {"resnet18": ("basic", [2, 2, 2, 2]), "resnet34": ("basic", [3, 4, 6, 3]),
                 "resnet50": ("bottleneck", [3, 4, 6, 3])}


class TwinAlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        spec = [(3, 64, 11, 4, 2, True), (64, 192, 5, 1, 2, True), (192, 384, 3, 1, 1, False),
                (384, 256, 3, 1, 1, False), (256, 256, 3, 1, 1, True)]
        feats = []
        for cin, cout, k, s, p, pool in spec:
            feats += [nn.Conv2d(cin, cout, k, stride=s, padding=p), nn.ReLU()]
            if pool:
                feats.append(nn.MaxPool2d(3, 2))
        self.features = nn.Sequential(*feats)
        self.avgpool = nn.AdaptiveAvgPool2d(6)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(dropout),
                                        nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).reshape(x.shape[0], -1))


class TwinVGG(nn.Module):
    def __init__(self, cfg, batch_norm=False, num_classes=1000, dropout=0.5):
        super().__init__()
        feats, c = [], 3
        for v in cfg:
            if v == "M":
                feats.append(nn.MaxPool2d(2, 2))
                continue
            feats.append(nn.Conv2d(c, v, 3, padding=1))
            if batch_norm:
                feats.append(nn.BatchNorm2d(v))
            feats.append(nn.ReLU())
            c = v
        self.features = nn.Sequential(*feats)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(), nn.Dropout(dropout),
                                        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
                                        nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TwinBasic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(y + skip)


class TwinBottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        skip = x if self.downsample is None else self.downsample(x)
        return self.relu(y + skip)


class TwinResNet(nn.Module):
    def __init__(self, kind, layers, num_classes=1000):
        super().__init__()
        block = TwinBasic if kind == "basic" else TwinBottleneck
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                down = None
                if j == 0 and (stride != 1 or cin != planes * block.expansion):
                    down = nn.Sequential(nn.Conv2d(cin, planes * block.expansion, 1, stride, bias=False),
                                         nn.BatchNorm2d(planes * block.expansion))
                blocks.append(block(cin, planes, stride, down))
                cin = planes * block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def build_twin(name, **kwargs):
    """The torch twin of ``minitorch.vision.models.<name>(**kwargs)``."""
    if name == "alexnet":
        return TwinAlexNet(**kwargs)
    if name.startswith("vgg"):
        return TwinVGG(VGG_CFGS[name.replace("_bn", "")], batch_norm=name.endswith("_bn"), **kwargs)
    kind, layers = RESNET_LAYERS[name]
    return TwinResNet(kind, layers, **kwargs)
