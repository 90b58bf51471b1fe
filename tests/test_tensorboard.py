"""minitorch.utils.tensorboard: the event files SummaryWriter writes, read back with TensorBoard's own readers,
record for record equal to what torch.utils.tensorboard writes for the same calls (wall times aside); the graph
of add_graph; the real TensorBoard server serving our runs; the message when the package is missing."""
import glob
import importlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import zlib

import numpy as np
import pytest

import minitorch
import minitorch.nn as mnn

try:
    import tensorboard  # noqa: F401
    HAVE_TB = True
except ImportError:
    HAVE_TB = False

needs_tb = pytest.mark.skipif(not HAVE_TB, reason="the tensorboard package is not installed (pip install tensorboard)")


def _torch_writer():
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter
    return torch, SummaryWriter


def _events(logdir):
    """{run (relative dir): [Event, ...]} of every event file under logdir, as written (no migration), wall times
    zeroed."""
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    runs = {}
    for f in sorted(glob.glob(os.path.join(str(logdir), "**", "events.out.tfevents.*"), recursive=True)):
        run = os.path.relpath(os.path.dirname(f), str(logdir))
        for e in LegacyEventFileLoader(f).Load():
            e.wall_time = 0
            runs.setdefault(run, []).append(e)
    return runs


def _accumulator(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(path), size_guidance={"images": 0, "histograms": 0, "scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def _pixels(png):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)))


rng = np.random.default_rng(0)
VALUES = rng.standard_normal(1000).astype(np.float32)
IMG = rng.random((3, 5, 7)).astype(np.float32)
IMGS = rng.random((10, 1, 4, 6)).astype(np.float32)
HIST_CASES = {
    "normal": VALUES,
    "ints": rng.integers(-5, 6, 300).astype(np.int64),
    "one_value": np.full(7, 2.5, np.float64),
    "negative": -np.abs(VALUES[:50]) - 1,
    "zeros": np.zeros(4, np.float32),
    "tiny_and_huge": np.array([1e-15, -3e-13, 5e18, 0.0], np.float64),
}


def _write_everything(SummaryWriter, T, logdir):
    """The same calls, for torch (T = torch) and for minitorch (T = minitorch)."""
    with SummaryWriter(logdir) as w:
        w.add_scalar("loss/train", 1.5, 3)
        w.add_scalar("loss/train", T.tensor(0.75), 4)
        w.add_scalar("new", T.tensor(2.25), 4, new_style=True)
        w.add_scalar("new64", 1 / 3, 4, new_style=True, double_precision=True)
        w.add_scalar("nostep", 7)
        w.add_scalars("grp/x", {"sin": 1.0, "cos": T.tensor(3.0)}, 1)
        w.add_scalars("grp/x", {"sin": 2.0, "cos": -1.0}, 2)
        for name, v in HIST_CASES.items():
            w.add_histogram(f"hist/{name}", T.tensor(v), 2)
        w.add_histogram("hist/auto", T.tensor(VALUES), 2, bins="auto")
        w.add_histogram("hist/fd", VALUES, 2, bins="fd")
        w.add_histogram("hist/max_bins", T.tensor(VALUES), 2, bins=100, max_bins=30)
        w.add_histogram("hist/tf_max_bins", T.tensor(VALUES), 2, max_bins=7)
        w.add_histogram_raw("raw", 0.0, 3.0, 4, 6.0, 14.0, [1.0, 2.0, 3.0], [1, 2, 1], 8)
        w.add_image("img/chw", T.tensor(IMG), 5)
        w.add_image("img/hwc_u8", T.tensor((IMG * 255).astype(np.uint8)).permute(1, 2, 0), 5, dataformats="HWC")
        w.add_image("img/hw", T.tensor(IMG[0]), 5, dataformats="HW")
        w.add_image("img/1hw", T.tensor(IMG[:1]), 5)
        w.add_image("img/rgba", T.tensor(np.concatenate([IMG, IMG[:1]])), 5)
        w.add_image("img/clipped", T.tensor(IMG * 3 - 1), 5)
        w.add_image("img/numpy", IMG, 5)
        w.add_images("imgs/nchw", T.tensor(IMGS), 6)
        w.add_images("imgs/nhwc", T.tensor(IMGS[:3].repeat(3, axis=1).transpose(0, 2, 3, 1)), 6, dataformats="NHWC")
        w.add_text("notes", "hello *markdown* ü", 7)
        w.add_hparams({"lr": 0.1, "opt": "sgd", "flag": True, "n": 3, "skip": None}, {"hp/acc": 0.5},
                      hparam_domain_discrete={"opt": ["sgd", "adam"]}, run_name="trial", global_step=1)
        w.add_audio("snd", T.tensor(np.sin(np.arange(100) / 5)[None].astype(np.float32)), 1, sample_rate=8000)
        w.add_pr_curve("pr", T.tensor((VALUES > 0).astype(np.int64)),
                       T.tensor((1 / (1 + np.exp(-VALUES - 0.3))).astype(np.float32)), 3, num_thresholds=50)
        w.add_custom_scalars_multilinechart(["loss/train", "new"])
        w.add_custom_scalars_marginchart(["loss/train", "new", "new64"], category="c", title="m")
        w.add_tensor("tensor/int", T.tensor([[1, 2], [3, 4]]), 1)
        w.add_tensor("tensor/float", T.tensor([[1.5, 2.0], [3.0, -4.0]]), 1)


# ---------------------------------------------------------------- every record equals torch's
@needs_tb
def test_every_record_equals_torchs(tmp_path):
    torch, TorchWriter = _torch_writer()
    from minitorch.utils.tensorboard import SummaryWriter
    _write_everything(TorchWriter, torch, tmp_path / "torch")
    _write_everything(SummaryWriter, minitorch, tmp_path / "mini")
    theirs, ours = _events(tmp_path / "torch"), _events(tmp_path / "mini")
    assert sorted(ours) == sorted(theirs) == [".", "grp_x_cos", "grp_x_sin", "trial"]
    for run in theirs:
        assert len(ours[run]) == len(theirs[run]), run
        for a, b in zip(ours[run], theirs[run]):
            assert a == b, f"run {run}:\nours {str(a)[:800]}\ntorch {str(b)[:800]}"


# ---------------------------------------------------------------- read back, value by value
@needs_tb
def test_scalars_read_back(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("y", minitorch.tensor(step * 0.5), step)
        w.add_scalars("pair", {"a": 1.0, "b": 2.0}, 9)
    acc = _accumulator(tmp_path)
    assert [(s.step, s.value) for s in acc.Scalars("y")] == [(i, i * 0.5) for i in range(5)]
    for key, value in (("a", 1.0), ("b", 2.0)):
        sub = _accumulator(tmp_path / f"pair_{key}")
        assert sub.Tags()["scalars"] == ["pair"]
        assert [(s.step, s.value) for s in sub.Scalars("pair")] == [(9, value)]
    with pytest.raises(AssertionError, match="one element"):
        SummaryWriter(tmp_path / "bad").add_scalar("v", minitorch.tensor([1.0, 2.0]))


@needs_tb
def test_images_decode_to_the_pixels(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter
    u8 = (IMG * 255).astype(np.uint8)        # torch truncates x·255 to uint8 after clipping to [0, 255]
    with SummaryWriter(tmp_path) as w:
        w.add_image("chw", minitorch.tensor(IMG), 1)
        w.add_image("hwc", minitorch.tensor(IMG.transpose(1, 2, 0)), 1, dataformats="HWC")
        w.add_image("u8", minitorch.tensor(u8), 1)
        w.add_image("gray", minitorch.tensor(IMG[0]), 1, dataformats="HW")
        w.add_image("wh", minitorch.tensor(IMG[0].T.copy()), 1, dataformats="WH")
        w.add_images("grid", minitorch.tensor(IMGS), 1)
    acc = _accumulator(tmp_path)
    expect = {"chw": u8.transpose(1, 2, 0), "hwc": u8.transpose(1, 2, 0), "u8": u8.transpose(1, 2, 0),
              "gray": np.stack([u8[0]] * 3, 2), "wh": np.stack([u8[0]] * 3, 2)}
    for tag, pixels in expect.items():
        (ev,) = acc.Images(tag)
        assert (ev.step, ev.height, ev.width) == (1, 5, 7)
        np.testing.assert_array_equal(_pixels(ev.encoded_image_string), pixels)
    (ev,) = acc.Images("grid")            # 10 images of 4x6, 8 a row: 2 rows, the last 6 cells black
    assert (ev.height, ev.width) == (8, 48)
    grid = _pixels(ev.encoded_image_string)
    g = (IMGS * 255).astype(np.uint8)[:, 0]
    for i in range(10):
        r, c = divmod(i, 8)
        for ch in range(3):
            np.testing.assert_array_equal(grid[r * 4:(r + 1) * 4, c * 6:(c + 1) * 6, ch], g[i])
    assert not grid[4:, 12:].any()
    with pytest.raises(AssertionError):
        SummaryWriter(tmp_path / "bad").add_image("x", minitorch.tensor(IMG), dataformats="HWCC")
    with pytest.raises(AssertionError):
        SummaryWriter(tmp_path / "bad").add_image("x", minitorch.tensor(IMG), dataformats="HW")


@needs_tb
def test_png_without_pillow_has_the_same_pixels(monkeypatch):
    from minitorch.utils.tensorboard import _summary
    pytest.importorskip("PIL")
    cases = [(IMG * 255).astype(np.uint8).transpose(1, 2, 0),
             (np.concatenate([IMG, IMG[:1]]) * 255).astype(np.uint8).transpose(1, 2, 0)]
    with_pillow = [_summary.encode_png(c) for c in cases]
    monkeypatch.setitem(sys.modules, "PIL", None)          # `from PIL import Image` raises ImportError
    without = [_summary.encode_png(c) for c in cases]
    monkeypatch.delitem(sys.modules, "PIL")
    for c, a, b in zip(cases, with_pillow, without):
        assert a != b                                     # the fallback really ran
        np.testing.assert_array_equal(_pixels(b), c)
        np.testing.assert_array_equal(_pixels(a), c)
    # and the PNG chunks check out (CRC of each chunk, zlib stream of filter-0 rows)
    png = without[0]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        assert int.from_bytes(png[pos + 8 + n:pos + 12 + n], "big") == zlib.crc32(kind + data)
        chunks[kind] = data
        pos += 12 + n
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(5, 1 + 7 * 3)
    assert not rows[:, 0].any()
    np.testing.assert_array_equal(rows[:, 1:].reshape(5, 7, 3), cases[0])


@needs_tb
@pytest.mark.parametrize("case", sorted(HIST_CASES))
def test_histogram_buckets_equal_torchs(tmp_path, case):
    torch, TorchWriter = _torch_writer()
    from minitorch.utils.tensorboard import SummaryWriter
    values = HIST_CASES[case]
    for W, T, d in ((TorchWriter, torch, "t"), (SummaryWriter, minitorch, "m")):
        with W(tmp_path / d) as w:
            w.add_histogram("h", T.tensor(values), 3)
            w.add_histogram("h_auto", T.tensor(values), 3, bins="auto")
            w.add_histogram("h_10", T.tensor(values), 3, bins=10, max_bins=4)
    for tag in ("h", "h_auto", "h_10"):
        (ours,), (theirs,) = _accumulator(tmp_path / "m").Histograms(tag), _accumulator(tmp_path / "t").Histograms(tag)
        assert ours.step == theirs.step == 3
        assert ours.histogram_value == theirs.histogram_value
        h = ours.histogram_value
        assert (h.num, h.min, h.max) == (values.size, values.min(), values.max())
        assert sum(h.bucket) == values.size and h.bucket[0] == 0 and len(h.bucket) == len(h.bucket_limit)
    with pytest.raises(ValueError, match="no element"):
        SummaryWriter(tmp_path / "e").add_histogram("e", minitorch.tensor([]))


@needs_tb
def test_text_tensor_audio_pr_read_back(tmp_path):
    from tensorboard.util.tensor_util import make_ndarray
    from minitorch.utils.tensorboard import SummaryWriter
    with SummaryWriter(tmp_path) as w:
        w.add_text("note", "**bold** ü", 4)
        w.add_tensor("t16", minitorch.tensor([1.5, -2.0], dtype=minitorch.float16), 1)
        w.add_tensor("tu8", minitorch.tensor([0, 7, 255], dtype=minitorch.uint8), 1)
        w.add_tensor("tb", minitorch.tensor([True, False]), 1)
        w.add_audio("snd", minitorch.tensor([[0.0, 0.5, -0.5, 1.0]]), 2, sample_rate=100)
    acc = _accumulator(tmp_path)
    (ev,) = acc.Tensors("note/text_summary")
    assert ev.step == 4 and make_ndarray(ev.tensor_proto).tolist() == ["**bold** ü".encode()]
    assert acc.SummaryMetadata("note/text_summary").plugin_data.plugin_name == "text"
    # TensorBoard reads these back (torch's half_val / uint32_val records it cannot read)
    assert make_ndarray(acc.Tensors("t16")[0].tensor_proto).tolist() == [1.5, -2.0]
    assert make_ndarray(acc.Tensors("tu8")[0].tensor_proto).tolist() == [0, 7, 255]
    assert make_ndarray(acc.Tensors("tb")[0].tensor_proto).tolist() == [True, False]
    (snd,) = acc.Audio("snd")
    import wave
    with wave.open(io.BytesIO(snd.encoded_audio_string)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (100, 1, 4)
        pcm = np.frombuffer(wav.readframes(4), "<i2")
    assert pcm.tolist() == [0, 16383, -16383, 32767]


# ---------------------------------------------------------------- graph
class _Block(mnn.Module):
    def __init__(self):
        super().__init__()
        self.conv = mnn.Conv2d(1, 2, 3, padding=1)
        self.bn = mnn.BatchNorm2d(2)

    def forward(self, x):
        return mnn.functional.relu(self.bn(self.conv(x))) + x


class _Net(mnn.Module):
    def __init__(self):
        super().__init__()
        self.block = _Block()
        self.head = mnn.Sequential(mnn.Flatten(), mnn.Linear(2 * 4 * 4, 3), mnn.Dropout(0.5))

    def forward(self, x):
        y = self.head(self.block(x))
        return y * 2, y.sum()


@needs_tb
def test_add_graph_names_ops_by_module(tmp_path, capsys):
    from minitorch.utils.tensorboard import SummaryWriter
    model = _Net()
    model.block.bn.train(True)
    model.head.train(False)
    running = model.block.bn.running_mean.detach().clone()
    hooks_before = [(len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()]
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, minitorch.randn(2, 1, 4, 4), verbose=True)
    assert "Net/_Block[block]/Conv2d[conv]/Convolution = ConvolutionBackward0(" in capsys.readouterr().out
    # the model as it was: modes, buffers, hooks
    assert model.training and model.block.bn.training and not model.head.training
    assert minitorch.equal(model.block.bn.running_mean, running)
    assert hooks_before == [(len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()]

    acc = _accumulator(tmp_path)
    graph = acc.Graph()
    nodes = {n.name: n for n in graph.node}
    shape = {n.name: [[d.size for d in s.dim] for s in n.attr["_output_shapes"].list.shape] for n in graph.node}
    conv = "_Net/_Block[block]/Conv2d[conv]"
    bn = "_Net/_Block[block]/BatchNorm2d[bn]"
    lin = "_Net/Sequential[head]/Linear[1]"
    expected = {
        "input/x": ("IO Node", [], [[2, 1, 4, 4]]),
        f"{conv}/weight": ("Parameter", [], [[2, 1, 3, 3]]),
        f"{conv}/bias": ("Parameter", [], [[2]]),
        f"{conv}/Convolution": ("ConvolutionBackward0", ["input/x", f"{conv}/weight", f"{conv}/bias"],
                                [[2, 2, 4, 4]]),
        f"{bn}/NativeBatchNorm": ("NativeBatchNormBackward0", [f"{conv}/Convolution", f"{bn}/weight", f"{bn}/bias"],
                                  [[2, 2, 4, 4]]),
        "_Net/_Block[block]/Relu": ("ReluBackward0", [f"{bn}/NativeBatchNorm"], [[2, 2, 4, 4]]),
        "_Net/_Block[block]/Add": ("AddBackward0", ["_Net/_Block[block]/Relu", "input/x"], [[2, 2, 4, 4]]),
        "_Net/Sequential[head]/Flatten[0]/View": ("ViewBackward0", ["_Net/_Block[block]/Add"], [[2, 32]]),
        f"{lin}/Addmm": ("AddmmBackward0", [f"{lin}/bias", "_Net/Sequential[head]/Flatten[0]/View", f"{lin}/T"],
                         [[2, 3]]),                   # torch's autograd edges: (bias, input, weight.t())
        f"{lin}/T": ("TBackward0", [f"{lin}/weight"], [[32, 3]]),
        "_Net/Mul": ("MulBackward0", [f"{lin}/Addmm"], [[2, 3]]),
        "_Net/Sum": ("SumBackward0", [f"{lin}/Addmm"], [[]]),
        "output/output.1": ("IO Node", ["_Net/Mul"], [[2, 3]]),
        "output/output.2": ("IO Node", ["_Net/Sum"], [[]]),
    }
    for name, (op, inputs, shapes) in expected.items():
        assert name in nodes, (name, sorted(nodes))
        assert (nodes[name].op, list(nodes[name].input), shape[name]) == (op, inputs, shapes), name
    # every parameter of the model is a node in its module's scope, every input names an existing node
    assert {f"_Net/{n.replace('block.', '_Block[block]/').replace('head.1.', 'Sequential[head]/Linear[1]/')}"
            .replace("conv.", "Conv2d[conv]/").replace("bn.", "BatchNorm2d[bn]/")
            for n, _ in model.named_parameters()} == {n for n in nodes if nodes[n].op == "Parameter"}
    assert all(i.split(":")[0] in nodes for n in graph.node for i in n.input)
    assert len(nodes) == len(graph.node)
    meta = acc.RunMetadata("step1")
    assert meta.step_stats.dev_stats[0].device == "/device:CPU:0"


@needs_tb
def test_add_graph_shared_module_and_several_inputs(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter

    class Twice(mnn.Module):
        def __init__(self):
            super().__init__()
            self.lin = mnn.Linear(3, 3)

        def forward(self, a, b):
            return self.lin(self.lin(a) * b)

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Twice(), (minitorch.randn(2, 3), minitorch.randn(2, 3)))
    nodes = {n.name: n for n in _accumulator(tmp_path).Graph().node}
    assert {"input/a", "input/b", "Twice/Linear[lin]/Addmm", "Twice/Linear[lin]/Addmm_1", "Twice/Mul"} <= set(nodes)
    assert list(nodes["Twice/Mul"].input) == ["Twice/Linear[lin]/Addmm", "input/b"]
    assert list(nodes["Twice/Linear[lin]/Addmm_1"].input)[1] == "Twice/Mul"       # (bias, input, weight.t())
    with pytest.raises(TypeError, match="Module"):
        SummaryWriter(tmp_path / "bad").add_graph(lambda x: x, minitorch.randn(2))

    class PassThrough(mnn.Module):                 # outputs with no op behind them
        def __init__(self):
            super().__init__()
            self.p = mnn.Parameter(minitorch.ones(2))

        def forward(self, x):
            return x, self.p, x.argmax()

    with SummaryWriter(tmp_path / "pass") as w:
        w.add_graph(PassThrough(), minitorch.randn(2))
    nodes = {n.name: (n.op, list(n.input)) for n in _accumulator(tmp_path / "pass").Graph().node}
    assert nodes == {"input/x": ("IO Node", []), "PassThrough/p": ("Parameter", []),
                     "output/output.1": ("IO Node", ["input/x"]), "output/output.2": ("IO Node", ["PassThrough/p"]),
                     "output/output.3": ("IO Node", [])}


# ---------------------------------------------------------------- writer lifetime and options
@needs_tb
def test_default_log_dir_and_comment(tmp_path, monkeypatch):
    from minitorch.utils.tensorboard import SummaryWriter
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.close()
    host = re.escape(socket.gethostname())
    assert re.fullmatch(rf"runs/[A-Z][a-z]{{2}}\d{{2}}_\d{{2}}-\d{{2}}-\d{{2}}_{host}_lr0\.1", w.get_logdir())
    assert glob.glob(os.path.join(w.log_dir, "events.out.tfevents.*"))
    w2 = SummaryWriter(str(tmp_path / "given"), comment="ignored")
    w2.close()
    assert w2.get_logdir() == str(tmp_path / "given")


@needs_tb
def test_purge_step_flush_close_and_reopen(tmp_path):
    from tensorboard.compat.proto.event_pb2 import SessionLog
    from minitorch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(tmp_path, purge_step=5, max_queue=1000, flush_secs=120, filename_suffix=".x")
    w.add_scalar("v", 1.0, 5)
    (f,) = glob.glob(str(tmp_path / "events.out.tfevents.*.x"))
    w.flush()
    events = _events(tmp_path)["."]
    assert events[1].step == 5 and events[1].file_version == "brain.Event:2"
    assert events[2].step == 5 and events[2].session_log.status == SessionLog.START
    assert events[3].step == 5 and events[3].summary.value[0].simple_value == 1.0
    w.close()
    w.close()                                   # closing twice is fine
    w.add_scalar("v", 2.0, 6)                   # a closed writer opens a new event file
    w.close()
    assert len(glob.glob(str(tmp_path / "events.out.tfevents.*"))) == 2
    assert [(s.step, s.value) for s in _accumulator(tmp_path).Scalars("v")] == [(5, 1.0), (6, 2.0)]


@needs_tb
def test_flush_secs_writes_without_flush(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter
    w = SummaryWriter(tmp_path, max_queue=1000, flush_secs=1)
    try:
        w.add_scalar("v", 3.0, 1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if any(e.HasField("summary") for e in _events(tmp_path).get(".", [])):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the record was not on disk 10 s after flush_secs=1")
    finally:
        w.close()


@needs_tb
def test_hparams_and_errors(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.01, "layers": 2}, {"acc": 0.9}, run_name="t1")
        with pytest.raises(TypeError, match="dictionary"):
            w.add_hparams([("lr", 1)], {"acc": 1})
        with pytest.raises(ValueError, match="one of int, float, str, bool"):
            w.add_hparams({"lr": [1]}, {"acc": 1})
        with pytest.raises(NotImplementedError, match="add_video"):
            w.add_video("v", minitorch.zeros(1, 2, 3, 4, 4))
    acc = _accumulator(tmp_path / "t1")
    assert [(s.step, s.value) for s in acc.Scalars("acc")] == [(0, pytest.approx(0.9))]
    assert sorted(acc.PluginTagToContent("hparams")) == [
        "_hparams_/experiment", "_hparams_/session_end_info", "_hparams_/session_start_info"]


# ---------------------------------------------------------------- the real TensorBoard server
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.read()


@needs_tb
def test_tensorboard_server_serves_our_runs(tmp_path):
    from minitorch.utils.tensorboard import SummaryWriter
    with SummaryWriter(tmp_path / "exp1") as w:
        for step in range(3):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_scalars("lr", {"a": 0.1}, 0)
        w.add_histogram("w", minitorch.randn(100), 0)
        w.add_image("img", minitorch.tensor(IMG), 0)
        w.add_text("note", "hi", 0)
        w.add_graph(_Net(), minitorch.randn(2, 1, 4, 4))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path), "--host", "127.0.0.1",
         "--port", str(port), "--load_fast=false", "--reload_interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, runs = time.monotonic() + 60, []
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                runs = json.loads(_get(port, "/data/runs", timeout=2))
                if "exp1" in runs and "exp1/lr_a" in runs:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert sorted(runs) == ["exp1", "exp1/lr_a"], (runs, proc.poll())
        tags = json.loads(_get(port, "/data/plugin/scalars/tags"))
        assert sorted(tags["exp1"]) == ["loss"] and sorted(tags["exp1/lr_a"]) == ["lr"]
        points = json.loads(_get(port, "/data/plugin/scalars/scalars?run=exp1&tag=loss"))
        assert [(p[1], p[2]) for p in points] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
        assert "w" in json.loads(_get(port, "/data/plugin/histograms/tags"))["exp1"]
        assert "img" in json.loads(_get(port, "/data/plugin/images/tags"))["exp1"]
        assert "note/text_summary" in json.loads(_get(port, "/data/plugin/text/tags"))["exp1"]
        graph = _get(port, "/data/plugin/graphs/graph?run=exp1&conversions=false").decode()
        assert 'name: "_Net/_Block[block]/Conv2d[conv]/Convolution"' in graph
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# ---------------------------------------------------------------- without the package
def test_import_minitorch_does_not_import_tensorboard():
    code = ("import sys, minitorch; print('tensorboard' in sys.modules, "
            "'minitorch.utils.tensorboard' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


def _forget_our_module(monkeypatch):
    for name in [m for m in sys.modules if m.startswith("minitorch.utils.tensorboard")]:
        monkeypatch.delitem(sys.modules, name)
    if "tensorboard" in vars(minitorch.utils):
        monkeypatch.delattr(minitorch.utils, "tensorboard")


def test_missing_package_says_pip_install(monkeypatch):
    _forget_our_module(monkeypatch)
    monkeypatch.setitem(sys.modules, "tensorboard", None)     # `import tensorboard` raises ModuleNotFoundError
    with pytest.raises(ModuleNotFoundError, match="pip install tensorboard") as err:
        importlib.import_module("minitorch.utils.tensorboard")
    assert err.value.name == "tensorboard"
    with pytest.raises(ImportError, match="pip install tensorboard"):
        from minitorch.utils.tensorboard import SummaryWriter  # noqa: F401
    with pytest.raises(ImportError, match="pip install tensorboard"):
        minitorch.utils.tensorboard


@needs_tb
def test_too_old_tensorboard_gives_torchs_message(monkeypatch):
    _forget_our_module(monkeypatch)
    monkeypatch.setattr(sys.modules["tensorboard"], "__version__", "1.14.0")
    with pytest.raises(ImportError, match=r"^TensorBoard logging requires TensorBoard version 1\.15 or above$"):
        importlib.import_module("minitorch.utils.tensorboard")


# ---------------------------------------------------------------- tensors on any device
@needs_tb
def test_tensors_on_the_device_log_as_on_the_cpu(tmp_path, device):
    from minitorch.utils.tensorboard import SummaryWriter

    def write(d, T):
        with SummaryWriter(tmp_path / d) as w:
            w.add_scalar("s", T(VALUES[:10]).sum(), 1)
            w.add_histogram("h", T(VALUES), 1)
            w.add_image("i", T(IMG), 1)
            w.add_images("b", T(IMGS), 1)

    write("dev", lambda a: minitorch.tensor(a, device=device))
    write("np", lambda a: minitorch.tensor(a))
    assert _events(tmp_path / "dev")["."][1:] == _events(tmp_path / "np")["."][1:]
    model = mnn.Linear(3, 2).to(device)
    with SummaryWriter(tmp_path / "g") as w:
        w.add_graph(model, minitorch.randn(4, 3, device=device))
    names = {n.name for n in _accumulator(tmp_path / "g").Graph().node}
    assert names == {"input/input", "Linear/weight", "Linear/bias", "Linear/T", "Linear/Addmm", "output/output.1"}
