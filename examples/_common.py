"""Shared plumbing for the examples: command-line flags, the data choice, the progress bar, plotting.

Nothing here is part of minitorch; it keeps the example programs short so that
they read like the tutorials they come from.
"""
import argparse
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT_DIR = os.path.join(HERE, "output")


# ------------------------------------------------------------------------------------- command line
def parser(description, epochs):
    """An ``argparse`` parser with the flags every example understands.

    ``--data PATH``: folder holding the MNIST files (default ``$MINITORCH_DATA``;
    without either, the built-in ``SyntheticShapes`` data; ``--data builtin``
    forces the built-in data). ``--epochs N``. ``--quick``: a few steps on a few
    hundred samples, for tests. ``--out DIR``: where plots and checkpoints go
    (default ``examples/output``). ``--no-plot``: skip matplotlib.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", default=os.environ.get("MINITORCH_DATA") or None, metavar="PATH",
                   help="folder with the MNIST files (default: $MINITORCH_DATA, else the built-in "
                        "SyntheticShapes data; 'builtin' forces the built-in data)")
    p.add_argument("--epochs", type=int, default=epochs, help=f"training epochs (default {epochs})")
    p.add_argument("--quick", action="store_true", help="a few steps on a small subset (for tests)")
    p.add_argument("--out", default=OUTPUT_DIR, help="folder for plots and checkpoints (default examples/output)")
    p.add_argument("--no-plot", action="store_true", help="do not draw plots")
    return p


def output_path(args, name):
    """``<args.out>/<name>``, creating the folder."""
    os.makedirs(args.out, exist_ok=True)
    return os.path.join(args.out, name)


# --------------------------------------------------------------------------------------------- data
def load_datasets(args, transform, quick_sizes=(512, 256)):
    """``(train_set, test_set, classes)``: MNIST from ``args.data``, or the built-in SyntheticShapes.

    ``classes`` are short names (``"seven"``, ``"ring"``). With ``--quick`` only the
    first ``quick_sizes`` samples of each split are kept (a ``Subset``).
    """
    from minitorch.utils.data import Subset
    from minitorch.vision import datasets

    if args.data and args.data != "builtin":
        train_set = datasets.MNIST(root=args.data, train=True, download=False, transform=transform)
        test_set = datasets.MNIST(root=args.data, train=False, download=False, transform=transform)
        where = f"MNIST from {train_set.raw_folder}"
    else:
        train_set = datasets.SyntheticShapes(train=True, transform=transform)
        test_set = datasets.SyntheticShapes(train=False, transform=transform)
        where = "the built-in SyntheticShapes (10 classes of drawn shapes; --data PATH for MNIST)"
    classes = [c.split(" - ", 1)[-1] for c in train_set.classes]
    if args.quick:
        train_set = Subset(train_set, range(min(quick_sizes[0], len(train_set))))
        test_set = Subset(test_set, range(min(quick_sizes[1], len(test_set))))
    print(f"Data: {where}: {len(train_set)} training / {len(test_set)} test images")
    return train_set, test_set, classes


# ------------------------------------------------------------------------------------- progress bar
# ``for x in progress(loader, desc="epoch 1")``, with ``bar.set_postfix(loss=...)`` and ``bar.write(text)``:
# tqdm's bar when tqdm is installed, else minitorch's plain one (one updating line on a terminal, only the
# final line in a log). See minitorch/utils/progress.py.
from minitorch.utils.progress import progress  # noqa: E402


# --------------------------------------------------------------------------------------------- plots
def pyplot(args):
    """``matplotlib.pyplot`` with a file-only backend, or None (with a note) when plots are off or
    matplotlib is not installed -- it is an optional dependency."""
    if args.no_plot:
        return None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is not installed: skipping the plot; `pip install matplotlib` to get it)")
        return None
    return plt


def save_figure(plt, args, name):
    """Save the current figure as ``<out>/<name>``, close it and say where it went."""
    path = output_path(args, name)
    plt.savefig(path, dpi=100, bbox_inches="tight")
    plt.close()
    print(f"Saved plot to {path}")
    return path
