"""The tutorial programs in ``examples/`` run end to end (``--quick``), print what the tutorials print,
save their plots, resume exactly from a checkpoint, and define the same models as ``reference.models``.

Each example is imported fresh from its file and its ``main(argv)`` called in-process (one interpreter,
so the whole file stays a few seconds); ``--data builtin`` pins the built-in data whatever
``$MINITORCH_DATA`` says, ``--out`` sends plots and checkpoints to a temporary folder.
"""
import importlib.util
import io
import itertools
import os
import re
import sys

import pytest

import minitorch
from reference.models import build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
MNIST_ROOT = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets"))
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None
_counter = itertools.count()


def load_example(name):
    """A fresh module object for ``examples/<name>.py`` (module-level models are rebuilt each time)."""
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    spec = importlib.util.spec_from_file_location(f"_example_{name}_{next(_counter)}",
                                                  os.path.join(EXAMPLES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name, capsys, tmp_path, *argv, data="builtin"):
    """Run ``examples/<name>.py --quick`` in-process; returns its stdout."""
    capsys.readouterr()
    load_example(name).main(["--quick", "--data", data, "--out", str(tmp_path), *argv])
    return capsys.readouterr().out


def assert_lines(out, *patterns):
    for pattern in patterns:
        assert re.search(pattern, out, re.MULTILINE), f"no line matching {pattern!r} in:\n{out}"


def assert_plot(tmp_path, filename):
    if HAVE_MPL:
        path = tmp_path / filename
        assert path.is_file() and path.stat().st_size > 1000, f"{filename} was not drawn"


# ------------------------------------------------------------------------------------------ running
def test_linear_regression(capsys, tmp_path):
    out = run("linear_regression", capsys, tmp_path)
    assert_lines(out, r"^Iteration: 0 Loss=\d+\.\d{4} w: \[.*\] b: \[.*\]$", r"^Iteration: 40 ",
                 r"^(Converged|Stopped) after iteration \d+: Loss=\d+\.\d+, w=",
                 r"^The least-squares line through these 20 points: w=\d+\.\d{4}, b=\d+\.\d{4} ")
    losses = [float(v) for v in re.findall(r"^Iteration: \d+ Loss=(\S+)", out, re.MULTILINE)]
    assert losses[-1] < losses[0] / 10          # the hand-written updates do descend
    assert_plot(tmp_path, "linear_regression.png")


def test_logistic_regression(capsys, tmp_path):
    out = run("logistic_regression", capsys, tmp_path)
    assert_lines(out, r"^LR\($", r"\(sigmoid\): Sigmoid\(\)",
                 r"^Iteration: 40 Loss=\d\.\d{4} w0:-?\d+\.\d\d w1:-?\d+\.\d\d b: -?\d+\.\d\d accuracy:\d+\.\d\d%$")
    acc = [float(v) for v in re.findall(r"accuracy:(\S+)%", out)]
    assert acc[-1] > 90
    assert_plot(tmp_path, "logistic_regression.png")


def test_two_class_mlp(capsys, tmp_path):
    out = run("two_class_mlp", capsys, tmp_path, "--epochs", "40")
    assert_lines(out, r"^Net\($", r"\(hidden\): Linear\(in_features=2, out_features=10, bias=True\)",
                 r"^Accuracy=\d\.\d\d$")
    acc = [float(v) for v in re.findall(r"^Accuracy=(\S+)$", out, re.MULTILINE)]
    assert len(acc) == 3 and acc[-1] >= acc[0]          # --quick caps the steps at 6
    assert_plot(tmp_path, "two_class_mlp.png")


def test_mnist_mlp(capsys, tmp_path):
    out = run("mnist_mlp", capsys, tmp_path)
    assert_lines(out, r"^Data: the built-in SyntheticShapes", r"^epoch: 1, Train Loss: \d+\.\d{6}$",
                 r"^Time used: \d+\.\d{5} s$", r"^Test Accuracy: \d+\.\d\d%$")
    assert_plot(tmp_path, "mnist_mlp_loss.png")


def test_quickstart(capsys, tmp_path):
    out = run("quickstart", capsys, tmp_path)
    assert_lines(out,
                 r"^Shape of X \[N, C, H, W\]:  torch\.Size\(\[64, 1, 28, 28\]\)$",
                 r"^Shape of y:  torch\.Size\(\[64\]\) torch\.int64$",
                 r"^Using cpu device$",
                 r"^Total params: 669,706$",
                 r"^Epoch 2\n-------------------------------$",
                 r"^loss: \d\.\d{6}  \[    0/  512\]$",
                 r"^Test Error: \n Accuracy: \d+\.\d%, Avg loss: \d\.\d{6} \n$",
                 r"^Done!$",
                 r"^Saved minitorch Model State to .*model\.pth$",
                 r"^Checkpoint .*checkpoint\.pth: epoch 2, lr 0\.1, same weights as the saved model: True$",
                 r'^Predicted: "[a-z ]+", Actual: "[a-z ]+"$')
    checkpoint = minitorch.load(str(tmp_path / "checkpoint.pth"))
    assert checkpoint["epoch"] == 2 and set(checkpoint) == {"epoch", "model_state", "optim_state"}


def test_quickstart_resume_is_exact(capsys, tmp_path):
    """Two epochs in one go, or one epoch, stop, and ``--resume`` for the second: the same weights."""
    momentum = ["--momentum", "0.9", "--no-plot"]          # momentum: the optimizer state must be restored too
    straight = run("quickstart", capsys, tmp_path / "a", "--epochs", "2", *momentum)
    run("quickstart", capsys, tmp_path / "b", "--epochs", "1", *momentum)
    resumed = run("quickstart", capsys, tmp_path / "b", "--epochs", "2", "--resume",
                  str(tmp_path / "b" / "checkpoint.pth"), *momentum)
    assert_lines(resumed, r"^Resumed from .*checkpoint\.pth after epoch 1$")
    assert "Epoch 1\n" not in resumed
    a = minitorch.load(str(tmp_path / "a" / "model.pth"))
    b = minitorch.load(str(tmp_path / "b" / "model.pth"))
    assert list(a) == list(b)
    for key in a:
        assert minitorch.equal(a[key], b[key]), key
    epoch2 = re.compile(r"Epoch 2\n-+\n(?:.*\n)*?Test Error: \n.*\n")
    assert epoch2.search(straight).group(0) == epoch2.search(resumed).group(0)


def test_quickstart_variants(capsys, tmp_path):
    out = run("quickstart", capsys, tmp_path, "--variant", "all", "--epochs", "1")
    for name in ("plain", "dropout", "l2", "batchnorm"):
        assert_lines(out, rf"^ *{name} epoch 1: train accuracy \d+\.\d%, test accuracy \d+\.\d%$")
    assert_plot(tmp_path, "quickstart_all.png")


def test_lenet(capsys, tmp_path):
    out = run("lenet", capsys, tmp_path)
    assert_lines(out, r"^Net\($", r"\(conv1\): Conv2d\(1, 6, kernel_size=\(5, 5\), stride=\(1, 1\), padding=\(2, 2\)\)",
                 r"^\[1,     2\] loss: \d\.\d{3}$", r"^Finished Training$", r"^GroundTruth: ", r"^Predicted: ",
                 r"^Accuracy of the network on the 256 test images: \d+\.\d\d %$")
    per_class = re.findall(r"^Accuracy of +[a-z ]+ : +\d+ %$", out, re.MULTILINE)
    assert len(per_class) == 10
    assert_plot(tmp_path, "lenet_predictions.png")


@pytest.mark.skipif(not os.path.isfile(os.path.join(MNIST_ROOT, "mnist", "t10k-labels-idx1-ubyte.gz")),
                    reason="real MNIST files not present in ../shared/datasets/mnist")
def test_quickstart_on_real_mnist(capsys, tmp_path):
    out = run("quickstart", capsys, tmp_path, "--epochs", "1", "--no-plot", data=MNIST_ROOT)
    assert_lines(out, r"^Data: MNIST from .*: 512 training / 256 test images$",
                 r'^Predicted: "[a-z]+", Actual: "seven"$')       # the first MNIST test digit is a 7


def test_plot_is_optional(capsys, tmp_path, monkeypatch):
    """Without matplotlib an example still runs, and says why there is no plot."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)         # `import matplotlib` now raises ImportError
    out = run("linear_regression", capsys, tmp_path)
    assert_lines(out, r"^\(matplotlib is not installed: skipping the plot")
    assert not (tmp_path / "linear_regression.png").exists()


def test_environment_variable_selects_mnist(monkeypatch):
    monkeypatch.setenv("MINITORCH_DATA", "/some/where")
    common = load_example("_common")
    assert common.parser("x", epochs=1).parse_args([]).data == "/some/where"
    monkeypatch.delenv("MINITORCH_DATA")
    assert common.parser("x", epochs=1).parse_args([]).data is None


# ------------------------------------------------------------------------------------- progress bar
class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_in_a_log_prints_one_final_line(capsys):
    common = load_example("_common")
    log = io.StringIO()
    bar = common.progress(range(5), desc="train", file=log)
    assert list(bar) == [0, 1, 2, 3, 4]
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("train 100%|") and " 5/5 [" in lines[0]


def test_progress_bar_on_a_terminal_redraws_and_writes_above(capsys, monkeypatch):
    monkeypatch.setenv("MINITORCH_PROGRESS", "plain")        # minitorch's bar even where tqdm is installed
    common = load_example("_common")
    tty = _Tty()
    bar = common.progress(iter(range(3)), total=3, desc="epoch 1", file=tty, min_interval=0)
    for i in bar:
        bar.set_postfix(loss=0.5 / (i + 1))
        if i == 1:
            bar.write("loss: 0.250000  [  64/ 192]")
    text = tty.getvalue()
    assert text.count("\r\033[K") >= 3 and text.endswith("\n")
    assert "3/3" in text and "loss=0.1667" in text
    assert capsys.readouterr().out == "loss: 0.250000  [  64/ 192]\n"
    assert common.progress(iter([1]), file=io.StringIO()).line().startswith("0it [")


# ------------------------------------------------------------------------ models match the model zoo
def _same_model(example_model, zoo_model):
    """Same layers (repr apart from the top-level class name) and the same state_dict keys and shapes."""
    body = lambda m: repr(m).split("(", 1)[1]  # noqa: E731
    assert body(example_model) == body(zoo_model)
    a, b = example_model.state_dict(), zoo_model.state_dict()
    assert [(k, tuple(v.shape)) for k, v in a.items()] == [(k, tuple(v.shape)) for k, v in b.items()]


def test_example_models_match_the_reference_zoo():
    _same_model(load_example("logistic_regression").LR(), build("logistic", minitorch))
    _same_model(load_example("two_class_mlp").Net(n_feature=2, n_hidden=10, n_output=2),
                build("two_class_mlp", minitorch))
    _same_model(load_example("mnist_mlp").net, build("mnist_mlp", minitorch))
    quickstart = load_example("quickstart")
    _same_model(quickstart.NeuralNetwork(), build("mlp", minitorch))
    _same_model(quickstart.NeuralNetwork(p=0.5), build("mlp", minitorch, dropout=0.5))
    _same_model(quickstart.NeuralNetwork(batchnorm=True), build("mlp", minitorch, batchnorm=True))
    _same_model(load_example("lenet").Net(), build("lenet", minitorch, in_channels=1, padding=2))
