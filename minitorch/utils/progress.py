"""``minitorch.utils.progress``: a progress bar for long loops, tqdm's when it is installed.

::

    from minitorch.utils.progress import progress

    bar = progress(loader, desc="epoch 1")
    for x, y in bar:
        ...
        bar.set_postfix(loss=loss.item())       # running numbers at the end of the line

On a terminal this draws one updating line on stderr, with the count, the rate
and the estimated time left::

    epoch 1  45%|#########           | 423/938 [00:12<00:14, 35.2it/s, loss=0.1234]

It is ``tqdm.tqdm`` when tqdm is installed (minitorch does not need it), else
a small bar of our own with the same methods (``set_postfix``, ``update``,
``write``, ``close``, use as a context manager). When stderr is not a terminal
(a log file, a test, a pipe), neither redraws: only the final line is written,
so logs stay readable. ``MINITORCH_PROGRESS=0`` switches bars off, ``=plain``
uses ours even where tqdm is installed.
"""
import os
import sys
import time

__all__ = ["progress", "PlainProgress"]


def progress(iterable=None, total=None, desc="", file=None, disable=False, min_interval=0.1, **kwargs):
    """A progress bar over ``iterable`` (or, without one, moved by ``update(n)`` up to ``total``).

    Returns a ``tqdm.tqdm`` when tqdm is installed and ``file`` (default stderr) is a terminal,
    else a ``PlainProgress``. ``min_interval``: seconds between redraws. Extra keyword arguments
    go to tqdm (and are ignored by the plain bar).
    """
    file = sys.stderr if file is None else file
    mode = os.environ.get("MINITORCH_PROGRESS", "")
    if mode == "0":
        disable = True
    live = hasattr(file, "isatty") and file.isatty()
    if live and not disable and mode != "plain":
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(iterable, total=total, desc=desc or None, file=file, dynamic_ncols=True,
                        mininterval=min_interval, **kwargs)
    return PlainProgress(iterable, total=total, desc=desc, file=file, min_interval=min_interval, disable=disable)


def _fmt_time(seconds):
    seconds = int(seconds)
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class PlainProgress:
    """tqdm's core without the dependency: one line redrawn on a terminal (at most ten times a second),
    only the final line elsewhere."""

    def __init__(self, iterable=None, total=None, desc="", width=25, file=None, min_interval=0.1, disable=False):
        self.iterable = iterable
        if total is None and iterable is not None:
            try:
                total = len(iterable)
            except TypeError:
                total = None
        self.total, self.desc, self.width = total, desc, width
        self.file = file if file is not None else sys.stderr
        self.live = hasattr(self.file, "isatty") and self.file.isatty()
        self.min_interval = min_interval
        self.disable = disable
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
                self.update(1)
        finally:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def update(self, n=1):
        """Advance the count by ``n`` (redrawing on a terminal)."""
        self.n += n
        now = time.perf_counter()
        if self.live and not self.disable and now - self.last_draw >= self.min_interval:
            self.last_draw = now
            self._draw()

    def set_postfix(self, ordered_dict=None, refresh=True, **values):
        """Show ``name=value`` pairs at the end of the line (floats with 4 significant digits)."""
        values = {**(ordered_dict or {}), **values}
        self.postfix = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
        if refresh and self.live and not self.disable and not self.closed:
            self._draw()

    def set_description(self, desc=None, refresh=True):
        self.desc = desc or ""

    def write(self, text, file=None):
        """Print a line of output (stdout by default) without breaking the bar."""
        if self.live and not self.disable and not self.closed:
            self.file.write("\r\033[K")
            self.file.flush()
        print(text, file=file if file is not None else sys.stdout, flush=True)
        if self.live and not self.disable and not self.closed:
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
        if self.disable:
            return
        if self.live:
            self._draw()
            self.file.write("\n")
        else:
            self.file.write(self.line() + "\n")
        self.file.flush()
