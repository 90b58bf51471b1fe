"""``summary(model, input_size)``: the Keras-style layer table of ``torchsummary``.

``torchsummary`` (``pip install torchsummary``) is the package PyTorch tutorials
use to print a model's layers; this is the same table for minitorch models::

    >>> from minitorch.utils import summary
    >>> summary(model, (1, 28, 28))
    ----------------------------------------------------------------
            Layer (type)               Output Shape         Param #
    ================================================================
               Flatten-1                  [-1, 784]               0
                Linear-2                  [-1, 512]         401,920
    ...

How it works (torchsummary's algorithm): a forward hook is registered on every
module except ``Sequential``/``ModuleList`` containers and the model itself; one
forward pass runs on random input of batch 2 (2, not 1, so ``BatchNorm`` works
in training mode); each call of a hooked module appends a row ``<Class>-<i>``
with its output shape (batch dimension shown as ``batch_size``, -1 by default)
and the number of parameters it owns. The memory estimates assume 4 bytes per
number (float32):

* Input size (MB) = numel(one input sample) x |batch_size| x 4 / 2^20
* Forward/backward pass size (MB) = 2 x (sum over rows of numel(output)) x 4 / 2^20
  (x2: every activation has a gradient of the same size)
* Params size (MB) = Total params x 4 / 2^20
* Estimated Total Size (MB) = the sum of the three

Differences from torchsummary, on purpose: a row counts all the parameters the
module owns directly (torchsummary counts only attributes named ``weight`` and
``bias``, so it reports 0 for e.g. ``LSTM``); trainable parameters are those with
``requires_grad`` (torchsummary looks only at ``weight.requires_grad``); a module
called twice gets two rows but its parameters count once in the totals;
several inputs add their sizes (torchsummary multiplies all their dimensions
together); a model without submodules gets one row for itself. The summary leaves
the model and the random stream as it found them (torchsummary's forward pass
updates ``BatchNorm`` running statistics and draws from the global generator).
"""
from collections import OrderedDict

__all__ = ["summary", "summary_string"]

_RULE = "-" * 64
_DOUBLE_RULE = "=" * 64


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def summary_string(model, input_size, batch_size=-1, device=None, dtypes=None):
    """The table ``summary`` prints, as ``(text, (total_params, trainable_params))``.

    ``input_size``: the shape of one sample without the batch dimension, e.g.
    ``(1, 28, 28)``, or a list of such shapes for a model taking several inputs.
    ``batch_size``: the number shown as the first dimension of every output shape
    (-1 by default) and used in the memory estimates (|-1| = 1 sample).
    ``device``: where the random input is created (default: the device of the
    model's first parameter, else the CPU). ``dtypes``: one dtype (or tensor type
    such as ``torch.FloatTensor``) per input, default float32.
    """
    import minitorch as torch     # the whole package (which loads this module): imported when first needed
    from minitorch import nn

    if isinstance(input_size, tuple) or (isinstance(input_size, list) and input_size
                                         and all(isinstance(s, int) for s in input_size)):
        input_size = [tuple(input_size)]
    input_size = [tuple(s) for s in input_size]
    if dtypes is None:
        dtypes = [torch.float32] * len(input_size)
    if device is None:
        first = next(iter(model.parameters()), None)
        device = first.device if first is not None else torch.device("cpu")

    rows = OrderedDict()            # "Linear-2" -> {"output_shape": [...], "params": [Parameter, ...]}
    hooks = []

    def hook(module, inputs, output):
        key = "%s-%i" % (type(module).__name__, len(rows) + 1)
        if isinstance(output, (list, tuple)):
            shape = [[-1] + list(o.size())[1:] for o in output if isinstance(o, torch.Tensor)]
        elif isinstance(output, torch.Tensor):
            shape = list(output.size())
            if shape:
                shape[0] = batch_size
        else:
            shape = []
        rows[key] = {"output_shape": shape, "params": list(module.parameters(recurse=False))}

    has_children = any(True for _ in model.children())

    def register_hook(module):
        if isinstance(module, (nn.Sequential, nn.ModuleList)):
            return
        if module is model and has_children:
            return
        hooks.append(module.register_forward_hook(hook))

    # batch of 2 so that BatchNorm works in training mode; keep the model's buffers and the RNG untouched
    rng_state = torch.get_rng_state()
    saved_buffers = [(b, b.detach().clone()) for b in model.buffers()]
    try:
        x = [torch.rand(2, *size).type(dt).to(device=device) for size, dt in zip(input_size, dtypes)]
        model.apply(register_hook)
        with torch.no_grad():
            model(*x)
    finally:
        for h in hooks:
            h.remove()
        with torch.no_grad():
            for buf, saved in saved_buffers:
                buf.copy_(saved)
        torch.set_rng_state(rng_state)

    lines = [_RULE, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"), _DOUBLE_RULE]
    total_output = 0
    seen = {}                       # id(parameter) -> parameter, each counted once
    for name, row in rows.items():
        n_params = sum(p.numel() for p in row["params"])
        lines.append("{:>20}  {:>25} {:>15}".format(name, str(row["output_shape"]), "{0:,}".format(n_params)))
        shape = row["output_shape"]
        if shape and isinstance(shape[0], list):
            total_output += sum(abs(_numel(s)) for s in shape)
        else:
            total_output += abs(_numel(shape))
        for p in row["params"]:
            seen[id(p)] = p
    total_params = sum(p.numel() for p in seen.values())
    trainable_params = sum(p.numel() for p in seen.values() if p.requires_grad)

    mb = 1024.0 ** 2
    total_input_size = abs(sum(_numel(s) for s in input_size) * batch_size * 4.0 / mb)
    total_output_size = abs(2.0 * total_output * 4.0 / mb)
    total_params_size = abs(total_params * 4.0 / mb)
    total_size = total_params_size + total_output_size + total_input_size

    lines += [
        _DOUBLE_RULE,
        "Total params: {0:,}".format(total_params),
        "Trainable params: {0:,}".format(trainable_params),
        "Non-trainable params: {0:,}".format(total_params - trainable_params),
        _RULE,
        "Input size (MB): %0.2f" % total_input_size,
        "Forward/backward pass size (MB): %0.2f" % total_output_size,
        "Params size (MB): %0.2f" % total_params_size,
        "Estimated Total Size (MB): %0.2f" % total_size,
        _RULE,
    ]
    return "\n".join(lines) + "\n", (total_params, trainable_params)


def summary(model, input_size, batch_size=-1, device=None, dtypes=None):
    """Print torchsummary's layer table for ``model`` and return ``(total_params, trainable_params)``.

    Arguments as ``summary_string``: ``input_size`` is one sample's shape without
    the batch dimension (``(1, 28, 28)`` for MNIST), or a list of shapes for
    several inputs. See the module docstring for how the numbers are computed.
    """
    text, params_info = summary_string(model, input_size, batch_size, device, dtypes)
    print(text)
    return params_info
