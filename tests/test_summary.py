"""``minitorch.utils.summary``: torchsummary's table, checked against the PyTorch twin of each model.

The expected table is built from the real-torch twin (``reference.models.build(name, torch)``):
forward hooks on the same modules give the layer names and output shapes, the parameter counts
are sums of ``numel`` over the twin's parameters, and the memory lines use torchsummary's formulas
(4 bytes a number; activations counted twice, for their gradients). One table is also compared
verbatim with the output printed in torchsummary's README.
"""
import pytest
import torch

import minitorch
from minitorch.utils import summary
from minitorch.utils.summary import summary_string
from reference.models import build

MB = 1024.0 ** 2


def torch_rows(model, input_sizes, batch_size):
    """(name, output shape, parameters owned) per hooked module call, from a real-torch forward pass."""
    rows, hooks = [], []
    has_children = any(True for _ in model.children())

    def hook(module, inputs, output):
        shape = list(output.shape)
        shape[0] = batch_size
        rows.append(("%s-%i" % (type(module).__name__, len(rows) + 1), shape,
                     list(module.parameters(recurse=False))))

    for m in model.modules():
        if isinstance(m, (torch.nn.Sequential, torch.nn.ModuleList)) or (m is model and has_children):
            continue
        hooks.append(m.register_forward_hook(hook))
    with torch.no_grad():
        model(*[torch.rand(2, *s) for s in input_sizes])
    for h in hooks:
        h.remove()
    return rows


def expected_table(model, input_sizes, batch_size=-1):
    """torchsummary's text for the torch ``model``, parameter totals taken from the twin's parameters."""
    rows = torch_rows(model, input_sizes, batch_size)
    params = {id(p): p for _, _, ps in rows for p in ps}
    assert sum(p.numel() for p in params.values()) == sum(p.numel() for p in model.parameters())
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    lines = ["-" * 64, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"), "=" * 64]
    total_output = 0
    for name, shape, ps in rows:
        lines.append("{:>20}  {:>25} {:>15}".format(name, str(shape), "{0:,}".format(sum(p.numel() for p in ps))))
        n = 1
        for s in shape:
            n *= s
        total_output += abs(n)
    n_input = 0
    for s in input_sizes:
        n = 1
        for d in s:
            n *= d
        n_input += n
    input_mb = abs(n_input * batch_size * 4.0 / MB)
    output_mb = 2.0 * total_output * 4.0 / MB
    params_mb = total * 4.0 / MB
    lines += ["=" * 64, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", "-" * 64,
              "Input size (MB): %0.2f" % input_mb, "Forward/backward pass size (MB): %0.2f" % output_mb,
              "Params size (MB): %0.2f" % params_mb,
              "Estimated Total Size (MB): %0.2f" % (input_mb + output_mb + params_mb), "-" * 64]
    return "\n".join(lines) + "\n", (total, trainable)


ZOO = [
    ("logistic", {}, (2,)),
    ("two_class_mlp", {}, (2,)),
    ("mnist_mlp", {}, (784,)),
    ("mlp", {}, (1, 28, 28)),
    ("mlp", {"dropout": 0.5, "batchnorm": True}, (1, 28, 28)),
    ("lenet", {}, (3, 32, 32)),
    ("lenet", {"in_channels": 1, "padding": 2}, (1, 28, 28)),
    ("resnet", {"channels": 8, "blocks": 2}, (3, 16, 16)),
]


@pytest.mark.parametrize("name,kwargs,size", ZOO, ids=lambda v: str(v))
@pytest.mark.parametrize("batch_size", [-1, 16])
def test_table_matches_the_torch_twin(name, kwargs, size, batch_size):
    text, info = summary_string(build(name, minitorch, **kwargs), size, batch_size=batch_size)
    want, want_info = expected_table(build(name, torch, **kwargs), [size], batch_size)
    assert text == want
    assert info == want_info


def test_known_parameter_counts():
    """The counts every tutorial quotes: the quickstart MLP and the blitz's LeNet (3 input channels)."""
    _, (total, trainable) = summary_string(build("mlp", minitorch), (1, 28, 28))
    assert total == trainable == 669_706 == sum(p.numel() for p in build("mlp", torch).parameters())
    _, (total, _) = summary_string(build("lenet", minitorch), (3, 32, 32))
    assert total == 62_006 == sum(p.numel() for p in build("lenet", torch).parameters())


def test_frozen_layers_are_non_trainable():
    """BatchNorm model with the first Linear and BatchNorm frozen: the split follows requires_grad."""
    ours = build("mlp", minitorch, batchnorm=True)
    twin = build("mlp", torch, batchnorm=True)
    for model in (ours, twin):
        model.linear_relu_stack[0].requires_grad_(False)
        model.linear_relu_stack[1].requires_grad_(False)
    text, (total, trainable) = summary_string(ours, (1, 28, 28))
    assert (text, (total, trainable)) == expected_table(twin, [(1, 28, 28)])
    assert trainable == sum(p.numel() for p in twin.parameters() if p.requires_grad)
    assert total - trainable == 784 * 512 + 512 + 2 * 512
    assert f"Non-trainable params: {total - trainable:,}\n" in text


def test_torchsummary_readme_example():
    """The MNIST CNN of torchsummary's README (functional pooling/dropout, Dropout2d): its printed table."""
    nn, F = minitorch.nn, minitorch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

        def forward(self, x):
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 320)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    text, _ = summary_string(Net(), (1, 28, 28))
    assert text == """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1           [-1, 10, 24, 24]             260
            Conv2d-2             [-1, 20, 8, 8]           5,020
         Dropout2d-3             [-1, 20, 8, 8]               0
            Linear-4                   [-1, 50]          16,050
            Linear-5                   [-1, 10]             510
================================================================
Total params: 21,840
Trainable params: 21,840
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.06
Params size (MB): 0.08
Estimated Total Size (MB): 0.15
----------------------------------------------------------------
"""


def test_prints_and_returns_counts(capsys):
    info = summary(build("two_class_mlp", minitorch), (2,))
    assert info == (52, 52)
    out = capsys.readouterr().out
    assert out.startswith("-" * 64 + "\n        Layer (type)               Output Shape         Param #\n")
    assert "            Linear-1                   [-1, 10]              30\n" in out
    assert out.endswith("-" * 64 + "\n\n")


def test_leaves_model_and_random_stream_untouched():
    model = build("mlp", minitorch, batchnorm=True, dropout=0.5)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    minitorch.manual_seed(3)
    summary_string(model, (1, 28, 28))
    after_summary = minitorch.rand(4)
    minitorch.manual_seed(3)
    assert minitorch.equal(after_summary, minitorch.rand(4))
    for k, v in model.state_dict().items():
        assert minitorch.equal(v, before[k]), k
    assert model.training and not model.linear_relu_stack[0]._forward_hooks


def test_single_module_shared_module_and_several_inputs():
    nn = minitorch.nn
    text, info = summary_string(nn.Linear(3, 4), (3,))
    assert "            Linear-1                    [-1, 4]              16\n" in text and info == (16, 16)

    class Twice(nn.Module):
        """One Linear applied to two inputs: two rows, its parameters counted once."""

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(5, 5)

        def forward(self, x, y):
            return self.fc(x) + self.fc(y)

    text, info = summary_string(Twice(), [(5,), (5,)], batch_size=10)
    assert "Linear-1" in text and "Linear-2" in text and info == (30, 30)
    assert "[10, 5]" in text
    assert "Input size (MB): %0.2f\n" % (10 * 10 * 4 / MB) in text
