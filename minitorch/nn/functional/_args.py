"""Argument helpers shared by the modules of ``minitorch.nn.functional``."""
from ...autograd import grad_mode
from ...tensor import Tensor
from ...ops._out import scalar_name
from ...ops.inplace import check_inplace, commit_inplace, snapshot

_T = Tensor._from_array


# ---------------------------------------------------------------- argument helpers
def _ntuple(v, n, name="argument"):
    """An int (or 1-element sequence) repeated ``n`` times, or a sequence of ``n`` ints, as a tuple."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(a) for a in v)
        if len(v) == 1 and n > 1:
            return v * n
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
        return v
    return (int(v),) * n


def _check_float(input, name, kernel=None):
    """torch's refusal of an integer or bool input by a float-only kernel (``kernel`` defaults to name_cpu)."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel or name + '_cpu'}\" not implemented for '{scalar_name(input.dtype)}'")


def _apply_maybe_inplace(fn, input, inplace, *args):
    if not inplace:
        return fn(input, *args)
    recorded = check_inplace(input)
    if recorded:
        result = fn(snapshot(input), *args)
    else:
        with grad_mode.no_grad():
            result = fn(input, *args)
    return commit_inplace(input, result, recorded)
