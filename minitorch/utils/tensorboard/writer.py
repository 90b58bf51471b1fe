"""``SummaryWriter`` and ``FileWriter``: torch's API over TensorBoard's own event-file writer."""
import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import _summary
from ._summary import make_np
from ._graph import trace

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes ``Event`` protos to one event file in ``log_dir`` (a background thread flushes every ``flush_secs``)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        """The directory the event file is in."""
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(event_pb2.Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        """Write a (GraphDef, RunMetadata) pair: the graph, then its run metadata tagged ``step1``."""
        graph, stepstats = graph_profile
        self.add_event(event_pb2.Event(graph_def=graph.SerializeToString()), None, walltime)
        trm = event_pb2.TaggedRunMetadata(tag="step1", run_metadata=stepstats.SerializeToString())
        self.add_event(event_pb2.Event(tagged_run_metadata=trm), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()

    def reopen(self):
        """Start writing again after ``close()`` (into a new event file)."""
        self.event_writer.reopen()


class SummaryWriter:
    """Writes TensorBoard records to event files in ``log_dir``; ``tensorboard --logdir <parent>`` shows them.

    Args:
        log_dir: the run's directory; default ``runs/<Mon><dd>_<HH-MM-SS>_<hostname><comment>``.
        comment: suffix of the default ``log_dir`` (no effect when ``log_dir`` is given).
        purge_step: after a crash at step T+X and a restart at step T, records with step >= T
            (in this ``log_dir``) are hidden by TensorBoard.
        max_queue: how many records wait in memory before a write is forced.
        flush_secs: how often (seconds) pending records are written to disk.
        filename_suffix: added to the event file names.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            log_dir = os.path.join("runs", datetime.now().strftime("%b%d_%H-%M-%S") + "_"
                                   + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.default_bins()

    def _get_file_writer(self):
        """The run's own FileWriter, opened again (a new event file) after ``close()``."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step = self.purge_step
                self.file_writer.add_event(Event(step=step, file_version="brain.Event:2"))
                self.file_writer.add_event(Event(step=step, session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory event files are written to."""
        return self.log_dir

    # ------------------------------------------------------------ scalars
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One value of the curve ``tag`` at ``global_step`` (``new_style``: as a tensor record, plugin ``scalars``)."""
        self._get_file_writer().add_summary(
            _summary.scalar(tag, scalar_value, new_style=new_style, double_precision=double_precision),
            global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves on one chart: each key is written, under tag ``main_tag``, to its own run
        ``<log_dir>/<main_tag with / as _>_<key>`` (torch's layout), all with the same wall time."""
        walltime = time.time() if walltime is None else walltime
        base = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            run_dir = base + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(run_dir)
            if fw is None:
                fw = self.all_writers[run_dir] = FileWriter(run_dir, self.max_queue, self.flush_secs,
                                                            self.filename_suffix)
            fw.add_summary(_summary.scalar(main_tag, value), global_step, walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        """The tensor's values as a ``TensorProto`` record (plugin ``tensor``)."""
        self._get_file_writer().add_summary(_summary.tensor_proto(tag, tensor), global_step, walltime)

    # ------------------------------------------------------------ histograms
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Histogram of ``values``: ``bins='tensorflow'`` (default) is TensorFlow's exponential buckets;
        any other ``bins`` goes to ``numpy.histogram`` ('auto', 'fd', a count, or edges)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(_summary.histogram(tag, values, bins, max_bins=max_bins),
                                            global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        """A histogram given by its buckets (upper limits and counts) and statistics."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._get_file_writer().add_summary(
            _summary.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
            global_step, walltime)

    # ------------------------------------------------------------ images, audio, text
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image: floats are read as [0, 1], uint8 as [0, 255]; ``dataformats`` CHW (default), HWC, HW, ...
        One channel (or HW) is shown grey (repeated to RGB); 3 is RGB, 4 RGBA. Stored as PNG."""
        self._get_file_writer().add_summary(_summary.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images (NCHW by default, or NHWC), laid out as one grid image 8 wide."""
        self._get_file_writer().add_summary(_summary.image(tag, img_tensor, dataformats=dataformats),
                                            global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them) drawn to an image."""
        import matplotlib.pyplot as plt     # optional package: imported when a figure is logged
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        np = _summary._np

        def render(fig):
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            w, h = fig.canvas.get_width_height()
            rgb = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)[:, :, :3]
            if close:
                plt.close(fig)
            return np.moveaxis(rgb, 2, 0)

        if isinstance(figure, list):
            self.add_image(tag, np.stack([render(f) for f in figure]), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, render(figure), global_step, walltime, dataformats="CHW")

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """A sound (values in [-1, 1], shape (1, L)) as 16-bit mono WAV."""
        self._get_file_writer().add_summary(_summary.audio(tag, snd_tensor, sample_rate=sample_rate),
                                            global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Text (markdown) under tag ``<tag>/text_summary``."""
        self._get_file_writer().add_summary(_summary.text(tag, text_string), global_step, walltime)

    # ------------------------------------------------------------ graph
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The model's graph from one forward pass on ``input_to_model`` (a tensor or a tuple of arguments),
        ops grouped by module. ``use_strict_trace`` is accepted for torch's signature: minitorch does not
        use the JIT, so any output container works either way."""
        self._get_file_writer().add_graph(trace(model, input_to_model, verbose))

    # ------------------------------------------------------------ hyperparameters, curves, layouts
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """One trial for the HParams dashboard: its hyperparameters and metrics, in the sub-run
        ``<log_dir>/<run_name>`` (default: the current time)."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w:
            for record in (exp, ssi, sei):
                w.file_writer.add_summary(record, global_step)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        self._get_file_writer().add_summary(
            _summary.pr_curve(tag, make_np(labels), make_np(predictions), num_thresholds, weights),
            global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds=127,
                         weights=None, walltime=None):
        """Precision-recall curve from precomputed counts."""
        self._get_file_writer().add_summary(
            _summary.pr_curve_raw(tag, true_positive_counts, false_positive_counts, true_negative_counts,
                                  false_negative_counts, precision, recall, num_thresholds, weights),
            global_step, walltime)

    def add_custom_scalars(self, layout):
        """Layout of the Custom Scalars dashboard: {category: {chart: ['Multiline' or 'Margin', [tags]]}}."""
        self._get_file_writer().add_summary(_summary.custom_scalars(layout))

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    # ------------------------------------------------------------ not available
    def _unsupported(self, name, why):
        raise NotImplementedError(f"SummaryWriter.{name} is not available in minitorch ({why})")

    def add_video(self, *args, **kwargs):
        self._unsupported("add_video", "it needs moviepy's GIF encoder")

    def add_embedding(self, *args, **kwargs):
        self._unsupported("add_embedding", "the projector files are not written")

    def add_mesh(self, *args, **kwargs):
        self._unsupported("add_mesh", "the mesh plugin records are not written")

    def add_image_with_boxes(self, *args, **kwargs):
        self._unsupported("add_image_with_boxes", "boxes are not drawn; draw them into the image and use add_image")

    def add_onnx_graph(self, *args, **kwargs):
        self._unsupported("add_onnx_graph", "there is no ONNX export; use add_graph")

    # ------------------------------------------------------------ lifetime
    def flush(self):
        """Write every pending record to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close every event file (a later ``add_*`` opens a new one)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
