"""The ``Summary`` protos ``SummaryWriter`` writes, built as ``torch.utils.tensorboard`` builds them.

Every builder takes minitorch tensors, numpy arrays or Python numbers and
returns a ``tensorboard.compat.proto.summary_pb2.Summary``.
"""
import io
import struct
import wave
import zlib

from ... import _backend
from ...tensor import Tensor

from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

_np = _backend.numpy


# ---------------------------------------------------------------- inputs
def make_np(x):
    """A numpy array holding ``x`` (a tensor, an array, or a number: then an array of one element)."""
    if isinstance(x, _np.ndarray):
        return x
    if isinstance(x, Tensor):
        return _backend.to_numpy(x._data)
    if _np.isscalar(x):
        return _np.array([x])
    if _backend.is_array(x):                     # a cupy array
        return _backend.to_numpy(x)
    raise NotImplementedError(f"Got {type(x)}, but numpy array or torch tensor are expected.")


# ---------------------------------------------------------------- scalars, tensors, text
def scalar(tag, value, new_style=False, double_precision=False):
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: {arr.size} "
                             f"and {arr.ndim} dimensions.")
    v = float(arr)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=v)])
    if double_precision:
        proto = TensorProto(double_val=[v], dtype="DT_DOUBLE")
    else:
        proto = TensorProto(float_val=[v], dtype="DT_FLOAT")
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=meta)])


def _shape_proto(shape):
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])


def tensor_proto(tag, tensor):
    """``add_tensor``'s record: the tensor's values in a ``TensorProto`` (plugin ``tensor``)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"add_tensor(): tensor must be a Tensor, not {type(tensor).__name__}")
    arr = make_np(tensor)
    if arr.nbytes >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    kind = arr.dtype
    shape = _shape_proto(arr.shape)
    flat = arr.reshape(-1)
    if kind == _np.float16:                       # half_val holds the 16-bit patterns, as TensorBoard reads them
                                                  # (torch writes float32 patterns there, which it cannot read)
        fields = dict(dtype="DT_HALF", half_val=flat.view(_np.uint16).tolist())
    elif kind == _np.float32:
        fields = dict(dtype="DT_FLOAT", float_val=flat.tolist())
    elif kind == _np.float64:
        fields = dict(dtype="DT_DOUBLE", double_val=flat.tolist())
    elif kind == _np.int8:
        fields = dict(dtype="DT_INT8", int_val=flat.tolist())
    elif kind == _np.uint8:                       # int_val, where TensorBoard reads DT_UINT8 (torch: uint32_val)
        fields = dict(dtype="DT_UINT8", int_val=flat.tolist())
    elif kind == _np.int16:
        fields = dict(dtype="DT_INT16", int_val=flat.tolist())
    elif kind == _np.int32:
        fields = dict(dtype="DT_INT32", int_val=flat.tolist())
    elif kind == _np.int64:
        fields = dict(dtype="DT_INT64", int64_val=flat.tolist())
    elif kind == _np.bool_:
        fields = dict(dtype="DT_BOOL", bool_val=flat.tolist())
    else:
        raise ValueError(f"{tag} has unsupported tensor dtype {tensor.dtype}")
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="tensor"))
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=TensorProto(tensor_shape=shape, **fields))])


def text(tag, text_string):
    """``add_text``'s record: tag ``<tag>/text_summary``, plugin ``text``, the string as a 1-element DT_STRING."""
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    proto = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")], tensor_shape=_shape_proto([1]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=proto)])


# ---------------------------------------------------------------- histograms
def default_bins():
    """torch's (TensorFlow's) default bucket edges: ±1e-12·1.1^k up to 1e20, and 0."""
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return [-p for p in reversed(pos)] + [0] + pos


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=bucket_limits, bucket=bucket_counts)
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def histogram(tag, values, bins, max_bins=None):
    """``add_histogram``'s record: numpy's histogram of the values over ``bins``, trimmed to the occupied range.

    The buckets kept run from the one just below the first occupied bucket (its count is 0; it
    gives TensorBoard the lower edge) to the last occupied one; ``bucket_limit`` holds each
    kept bucket's upper edge. ``max_bins`` merges neighbouring buckets first, as torch does.
    """
    values = make_np(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    counts, limits = _np.histogram(values, bins=bins)
    n = len(counts)
    if max_bins is not None and n > max_bins:
        group = n // max_bins
        pad = (-n) % group
        if pad:
            counts = _np.concatenate([counts, _np.zeros(pad, counts.dtype)])
        counts = counts.reshape(-1, group).sum(axis=-1)
        limits = _np.concatenate([limits[:-1:group], limits[-1:]])
    occupied = _np.flatnonzero(counts)
    if occupied.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    first, last = int(occupied[0]), int(occupied[-1])
    kept_counts = [0] + counts[first:last + 1].tolist()
    kept_limits = limits[first:last + 2].tolist()
    hist = HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                          sum_squares=values.dot(values), bucket_limit=kept_limits, bucket=kept_counts)
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


# ---------------------------------------------------------------- images
def make_grid(batch, ncols=8):
    """N×C×H×W (C 1 or 3) -> one 3×(H·rows)×(W·cols) image, up to 8 images a row, zeros in empty cells."""
    if batch.shape[1] == 1:
        batch = _np.concatenate([batch, batch, batch], 1)
    if batch.ndim != 4 or batch.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = batch.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = _np.zeros((3, h * nrows, w * ncols), dtype=batch.dtype)
    for i in range(n):
        r, c = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, c * w:(c + 1) * w] = batch[i]
    return canvas


def convert_to_HWC(arr, dataformats):
    """Reorder an image (or a batch, laid out as a grid) given its ``dataformats`` (``CHW``, ``HWC``, ``NCHW``, ...)."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {dataformats}")
    if arr.ndim != len(dataformats):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: {arr.shape}, "
                             f"input_format: {dataformats}")
    fmt = dataformats.upper()
    if len(fmt) == 4:
        return make_grid(arr.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = _np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    if len(fmt) == 2:
        hw = arr.transpose([fmt.find(c) for c in "HW"])
        return _np.stack([hw, hw, hw], 2)
    raise AssertionError(f"dataformats must have 2, 3 or 4 letters (HW, CHW, HWC, NCHW, ...), got {dataformats!r}")


def _to_uint8(hwc):
    """uint8 images are kept; any other dtype is read as [0, 1] and scaled by 255 (clipped), as torch does."""
    scale = 1 if hwc.dtype == _np.uint8 else 255
    return (hwc.astype(_np.float32) * scale).clip(0, 255).astype(_np.uint8)


def _png_zlib(hwc):
    """PNG bytes of an H×W×C uint8 image (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), filter 0, zlib level 6."""
    h, w, c = hwc.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}.get(c)
    if color_type is None:
        raise ValueError(f"an image needs 1, 2, 3 or 4 channels to be written as PNG, got {c}")

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = _np.concatenate([_np.zeros((h, 1), _np.uint8), _np.ascontiguousarray(hwc).reshape(h, w * c)], axis=1)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def encode_png(hwc):
    """PNG bytes of an H×W×C uint8 image: Pillow's encoder when installed (torch's bytes), else ``_png_zlib``."""
    try:
        from PIL import Image
    except ImportError:
        return _png_zlib(hwc)
    out = io.BytesIO()
    img = Image.fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc)
    # torch resizes by its ``rescale`` (1 for add_image) with LANCZOS; at scale 1 that is a copy
    img = img.resize((hwc.shape[1], hwc.shape[0]), Image.Resampling.LANCZOS)
    img.save(out, format="PNG")
    return out.getvalue()


def image(tag, img_tensor, dataformats="NCHW"):
    hwc = _to_uint8(convert_to_HWC(make_np(img_tensor), dataformats))
    h, w, c = hwc.shape
    img = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=img)])


# ---------------------------------------------------------------- audio
def audio(tag, snd_tensor, sample_rate=44100):
    arr = make_np(snd_tensor).squeeze()
    if abs(arr).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        arr = arr.clip(-1, 1)
    if arr.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    pcm = (arr * _np.iinfo(_np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    snd = Summary.Audio(sample_rate=sample_rate, num_channels=1, length_frames=pcm.shape[-1],
                        encoded_audio_string=buf.getvalue(), content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=snd)])


# ---------------------------------------------------------------- precision-recall curves
def _pr_summary(tag, data, num_thresholds):
    from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="pr_curves", content=content))
    proto = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(), tensor_shape=_shape_proto(data.shape))
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=proto)])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    labels, predictions = make_np(labels), make_np(predictions)
    w = 1.0 if weights is None else weights
    buckets = _np.int32(_np.floor(predictions * (num_thresholds - 1)))
    y = labels.astype(_np.float64)
    rng = (0, num_thresholds - 1)
    tp_b, _ = _np.histogram(buckets, bins=num_thresholds, range=rng, weights=y * w)
    fp_b, _ = _np.histogram(buckets, bins=num_thresholds, range=rng, weights=(1.0 - y) * w)
    tp = _np.cumsum(tp_b[::-1])[::-1]
    fp = _np.cumsum(fp_b[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / _np.maximum(1e-7, tp + fp)
    recall = tp / _np.maximum(1e-7, tp + fn)
    return _pr_summary(tag, _np.stack((tp, fp, tn, fn, precision, recall)), num_thresholds)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = _np.stack([make_np(a) for a in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


# ---------------------------------------------------------------- custom scalars layout
def custom_scalars(layout):
    from tensorboard.plugins.custom_scalar import layout_pb2
    categories = []
    for title, charts in layout.items():
        chart_protos = []
        for chart_name, (kind, tags) in charts.items():
            if kind == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1], upper=tags[2])
                chart_protos.append(layout_pb2.Chart(title=chart_name,
                                                     margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                chart_protos.append(layout_pb2.Chart(title=chart_name,
                                                     multiline=layout_pb2.MultilineChartContent(tag=tags)))
        categories.append(layout_pb2.Category(title=title, chart=chart_protos))
    proto = TensorProto(dtype="DT_STRING", string_val=[layout_pb2.Layout(category=categories).SerializeToString()],
                        tensor_shape=TensorShapeProto())
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="custom_scalars"))
    return Summary(value=[Summary.Value(tag="custom_scalars__config__", tensor=proto, metadata=meta)])


# ---------------------------------------------------------------- hyperparameters
def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The three records of ``add_hparams``: the experiment, the session start (values) and end."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo

    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    discrete = hparam_domain_discrete or {}
    if not isinstance(discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")

    def domain(k, field):
        if k not in discrete:
            return None
        return struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in discrete[k]])

    infos = []
    start = SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # bool is an int: torch records True/False as numbers 1/0 (its bool branch is never reached)
        if isinstance(v, (int, float)):
            start.hparams[k].number_value = v
            infos.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_FLOAT64"),
                                    domain_discrete=domain(k, "number_value")))
        elif isinstance(v, str):
            start.hparams[k].string_value = v
            infos.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_STRING"),
                                    domain_discrete=domain(k, "string_value")))
        elif isinstance(v, Tensor):
            start.hparams[k].number_value = make_np(v).reshape(-1)[0]
            infos.append(HParamInfo(name=k, type=DataType.Value("DATA_TYPE_FLOAT64")))
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")

    def record(tag, **content):
        data = HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **content).SerializeToString()
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=metadata.PLUGIN_NAME, content=data))
        return Summary(value=[Summary.Value(tag=tag, metadata=meta)])

    exp = Experiment(hparam_infos=infos, metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (record(metadata.EXPERIMENT_TAG, experiment=exp),
            record(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            record(metadata.SESSION_END_INFO_TAG,
                   session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))))
