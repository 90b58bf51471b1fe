"""No numpy RuntimeWarning escapes from an op, even under ``warnings.simplefilter('error')``: torch never warns
about an inf or nan result (overflow in a sum, a cast or a product, inf - inf in a gradient sum), it is the
answer. Covers the op modules whose forwards run quiet (shape, conv, inplace, index), linear's array backward,
a plain write ``x[i] = v`` and the engine's sum of gradients arriving from several consumers.
"""
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt

INF = float("inf")


def _big(lib, *shape):
    """float32 values whose sum or product overflows."""
    return lib.from_numpy(np.full(shape, 3e38, np.float32))


def _sum_to_size(T):
    return _big(T, 2, 4).sum_to_size(1, 4)


def _expand_grad(T):
    x = _big(T, 1, 4).requires_grad_()
    return T.autograd.grad(x.expand(3, 4), x, _big(T, 3, 4))[0]


def _conv2d(T):
    return T.nn.functional.conv2d(_big(T, 1, 1, 4, 4), _big(T, 1, 1, 2, 2))


def _conv1d(T):
    return T.nn.functional.conv1d(_big(T, 1, 1, 4), _big(T, 1, 1, 2))


def _linear(T):
    return T.nn.functional.linear(_big(T, 2, 4), _big(T, 3, 4))


def _linear_grad(T):
    x = T.ones(2, 2, requires_grad=True)
    w = T.ones(2, 2, requires_grad=True)
    y = T.nn.functional.linear(x, w) * T.tensor([INF, -INF])
    return T.autograd.grad(y.sum(), [x, w])[1]


def _copy(T):
    return T.zeros(2).copy_(T.tensor([1e300, 1.0], dtype=T.float64))


def _fill(T):
    return T.zeros(2, dtype=T.float16).fill_(T.tensor(1e10))


def _setitem(T):
    x = T.zeros(2, dtype=T.float16)          # (torch writes a float into a half tensor unchecked: inf)
    x[0] = 1e10
    return x


def _grad_sum(T):
    """Two consumers send inf and -inf: the engine's sum is nan, silently."""
    x = T.ones(1, requires_grad=True)
    return T.autograd.grad((x * INF + x * -INF).sum(), x)[0]


CASES = {"sum_to_size": _sum_to_size, "expand_grad": _expand_grad, "conv2d": _conv2d, "conv1d": _conv1d,
         "linear": _linear, "linear_grad": _linear_grad, "copy_": _copy, "fill_": _fill, "setitem": _setitem,
         "grad_sum": _grad_sum}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_numpy_warning_and_torch_values(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = CASES[name](mt)
    theirs = CASES[name](torch)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


@pytest.mark.parametrize("dtype,value", [("float32", 1e300), ("float32", -1e300), ("float16", 1e10),
                                         ("int32", 2 ** 40), ("int8", 300), ("uint8", 300), ("int16", 1e300)])
@pytest.mark.parametrize("how", ["fill_", "setitem"])
def test_number_that_overflows_the_dtype_is_refused_as_torch_does(dtype, value, how):
    """A finite number beyond the dtype's range is refused by fill_ and ``x[i] = v`` (torch's RuntimeError),
    not silently cast to inf or wrapped; where torch writes it unchecked (a float into a half tensor by
    ``x[i] = v``), we do too."""
    def run(T):
        x = T.zeros(2, dtype=getattr(T, dtype))
        if how == "fill_":
            x.fill_(value)
        else:
            x[0] = value
        return x
    try:
        expected = run(torch)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match="without overflow") as info:
            run(mt)
        assert str(info.value) == str(e)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(run(mt).numpy(), expected.numpy())
