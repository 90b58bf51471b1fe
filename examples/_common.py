"""Shared plumbing for the examples: command-line flags, the data choice, a progress bar, plotting.

Nothing here is part of minitorch; it keeps the example programs short so that
they read like the tutorials they come from.
"""
import argparse
import os
import sys
import time

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
def _fmt_time(seconds):
    seconds = int(seconds)
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class progress:
    """A tiny progress bar, tqdm's core without the dependency: ``for x in progress(loader, desc="train")``.

    On a terminal it redraws one line on stderr (at most ten times a second):
    ``train  45%|#########           | 423/938 [00:12<00:14, 35.2it/s, loss=0.123]``.
    When stderr is not a terminal (a log file, a test) it prints only the final
    line, so logs stay readable. ``set_postfix(loss=...)`` adds numbers to the
    line; ``write(text)`` prints a line of output without breaking the bar.
    """

    def __init__(self, iterable, total=None, desc="", width=25, file=None, min_interval=0.1):
        self.iterable = iterable
        if total is None:
            try:
                total = len(iterable)
            except TypeError:
                total = None
        self.total, self.desc, self.width = total, desc, width
        self.file = file if file is not None else sys.stderr
        self.live = hasattr(self.file, "isatty") and self.file.isatty()
        self.min_interval = min_interval
        self.n = 0
        self.postfix = ""
        self.start = self.last_draw = time.perf_counter()
        self.closed = False

    def __len__(self):
        return self.total

    def __iter__(self):
        try:
            for item in self.iterable:
                yield item
                self.n += 1
                now = time.perf_counter()
                if self.live and now - self.last_draw >= self.min_interval:
                    self.last_draw = now
                    self._draw()
        finally:
            self.close()

    def set_postfix(self, **values):
        """Show ``name=value`` pairs at the end of the line (floats with 4 significant digits)."""
        self.postfix = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())

    def write(self, text):
        """Print ``text`` (to stdout) above the bar."""
        if self.live:
            self.file.write("\r\033[K")
            self.file.flush()
        print(text, flush=True)
        if self.live and not self.closed:
            self._draw()

    def line(self):
        """The bar as text."""
        elapsed = time.perf_counter() - self.start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        head = f"{self.desc} " if self.desc else ""
        if self.total:
            frac = min(self.n / self.total, 1.0)
            filled = int(frac * self.width)
            bar = "#" * filled + " " * (self.width - filled)
            eta = (self.total - self.n) / rate if rate > 0 else 0.0
            text = (f"{head}{frac:4.0%}|{bar}| {self.n}/{self.total} "
                    f"[{_fmt_time(elapsed)}<{_fmt_time(eta)}, {rate:.1f}it/s")
        else:
            text = f"{head}{self.n}it [{_fmt_time(elapsed)}, {rate:.1f}it/s"
        return text + (f", {self.postfix}]" if self.postfix else "]")

    def _draw(self):
        self.file.write("\r\033[K" + self.line())
        self.file.flush()

    def close(self):
        """Draw the final line and end it."""
        if self.closed:
            return
        self.closed = True
        if self.live:
            self._draw()
            self.file.write("\n")
        else:
            self.file.write(self.line() + "\n")
        self.file.flush()


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
