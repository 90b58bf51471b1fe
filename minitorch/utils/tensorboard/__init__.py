"""``minitorch.utils.tensorboard``: ``SummaryWriter`` writes TensorBoard event files, as ``torch.utils.tensorboard``.

::

    from minitorch.utils.tensorboard import SummaryWriter
    with SummaryWriter() as writer:                    # runs/<Mon><day>_<HH-MM-SS>_<host>
        for step in range(100):
            writer.add_scalar("loss", loss.item(), step)
        writer.add_graph(model, x)                     # the model graph, module names as scopes

then ``tensorboard --logdir runs``. The records are the ones ``torch.utils.tensorboard``
writes (same protos, same tags, same sub-run layout, same histogram buckets, same
PNG images), through TensorBoard's own event-file writer. ``add_graph`` is built
from one forward pass: the autograd graph (``grad_fn.next_functions``) gives the
ops and edges, forward hooks on every module give each op its module scope
(``Net/Linear[fc1]/Addmm``), named as torch names scopes.

Needs the ``tensorboard`` package (``pip install tensorboard``, or the extra
``pip install -e ".[tensorboard]"`` from the clone); importing this module without it raises
``ModuleNotFoundError`` saying so, as importing ``torch.utils.tensorboard`` does.
Images are PNG-encoded with Pillow when it is installed (as torch does, same
bytes), else with a small zlib encoder of our own (same pixels).
"""
try:
    import tensorboard as _tensorboard
except ImportError as _e:                     # ModuleNotFoundError, or a broken install
    raise ModuleNotFoundError(
        "TensorBoard logging requires the tensorboard package (TensorBoard version 1.15 or above): "
        "pip install tensorboard  (or, from the minitorch clone, pip install -e \".[tensorboard]\")",
        name="tensorboard") from _e


def _version_tuple(v):
    out = []
    for part in str(v).split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit()) if part[:1].isdigit() else ""
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


if not hasattr(_tensorboard, "__version__") or _version_tuple(_tensorboard.__version__) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above")

del _tensorboard

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402  (re-exported, as torch does)

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
