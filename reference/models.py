"""The model zoo, written once against the torch API and built in either engine.

``build("lenet", minitorch)`` and ``build("lenet", torch)`` run the same source
with a different library, so a minitorch model and its PyTorch twin always have
the same layer list, parameter names and shapes. The examples define their
models inline, tutorial style; ``tests/test_reference.py`` checks each against
the zoo (same ``repr``, same ``state_dict`` shapes) so they cannot drift apart.
"""
import functools


@functools.lru_cache(maxsize=None)
def _classes(lib):
    nn = lib.nn
    F = nn.functional

    class LogisticRegression(nn.Module):
        """The tutorial's LR: one linear layer and a sigmoid (trained with BCELoss)."""

        def __init__(self, n_features=2):
            super().__init__()
            self.features = nn.Linear(n_features, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.features(x))

    class Net(nn.Module):
        """The tutorial's two-class MLP: hidden Linear + ReLU, output Linear (trained with CrossEntropyLoss)."""

        def __init__(self, n_feature=2, n_hidden=10, n_output=2):
            super().__init__()
            self.hidden = nn.Linear(n_feature, n_hidden)
            self.out = nn.Linear(n_hidden, n_output)

        def forward(self, x):
            x = F.relu(self.hidden(x))
            return self.out(x)

    class NeuralNetwork(nn.Module):
        """The quickstart MLP: Flatten, 784-512-512-10 with ReLU; optional Dropout or BatchNorm1d variants."""

        def __init__(self, dropout=0.0, batchnorm=False, width=512):
            super().__init__()
            self.flatten = nn.Flatten()
            layers = []
            for i, (n_in, n_out) in enumerate([(28 * 28, width), (width, width)]):
                layers.append(nn.Linear(n_in, n_out))
                if batchnorm:
                    layers.append(nn.BatchNorm1d(n_out))
                if dropout:
                    layers.append(nn.Dropout(dropout))
                layers.append(nn.ReLU())
            layers.append(nn.Linear(width, 10))
            self.linear_relu_stack = nn.Sequential(*layers)

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    class LeNet(nn.Module):
        """LeNet-5 of the 60-minute blitz: two conv + max-pool stages, three linear layers.

        ``in_channels=3`` for CIFAR-10's 32x32 images; for MNIST use ``in_channels=1, padding=2``
        (28x28 padded to the same 32x32 geometry).
        """

        def __init__(self, in_channels=3, padding=0, num_classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=padding)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, num_classes)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    class BasicBlock(nn.Module):
        """A ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN, plus the input, then ReLU."""

        def __init__(self, channels):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + x)

    class SmallResNet(nn.Module):
        """A small ResNet-style net: conv stem with BatchNorm, ``blocks`` basic blocks, global average pool, linear."""

        def __init__(self, in_channels=3, channels=64, blocks=1, num_classes=10):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                                      nn.BatchNorm2d(channels), nn.ReLU())
            self.layers = nn.Sequential(*[BasicBlock(channels) for _ in range(blocks)])
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(channels, num_classes)

        def forward(self, x):
            x = self.layers(self.stem(x))
            return self.fc(self.pool(x).flatten(1))

    def mnist_mlp(hidden=200):
        """The MNIST MLP of the hand-written-SGD tutorial: 784-200-10 with ReLU."""
        return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    return {
        "logistic": LogisticRegression,
        "two_class_mlp": Net,
        "mnist_mlp": mnist_mlp,
        "mlp": NeuralNetwork,
        "lenet": LeNet,
        "resnet": SmallResNet,
    }


MODELS = ("logistic", "two_class_mlp", "mnist_mlp", "mlp", "lenet", "resnet")


def build(name, lib, **kwargs):
    """Build model ``name`` with library ``lib`` (``minitorch`` or ``torch``)."""
    return _classes(lib)[name](**kwargs)
