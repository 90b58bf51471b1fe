"""Matrix products against torch: matmul / @ with 1-D operands and broadcast batch dims, mm, bmm, mv, dot,
inner, outer, addmm, baddbmm, einsum; shape and dtype errors with torch's messages."""
import functools

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import minitorch as mt
from strategies import FEW, check, dtypes, rand, seeds

sizes = st.integers(0, 4)
batch = st.lists(st.integers(1, 3), max_size=2)


@st.composite
def matmul_shapes(draw):
    """Two shapes matmul accepts: 1-D or N-D, batch dims broadcasting (size 1 or missing on either side)."""
    n, k, m = draw(sizes), draw(sizes), draw(sizes)
    a = tuple(draw(batch)) + (n, k) if draw(st.integers(0, 3)) else (k,)
    b = tuple(draw(batch)) + (k, m) if draw(st.integers(0, 3)) else (k,)
    ba, bb = list(a[:-2]), list(b[:-2])
    for i in range(1, min(len(ba), len(bb)) + 1):          # make batch dims broadcastable
        if ba[-i] != bb[-i] and draw(st.booleans()):
            ba[-i] = 1
        elif ba[-i] != bb[-i]:
            bb[-i] = 1 if draw(st.booleans()) else ba[-i]
    return tuple(ba) + a[len(ba):], tuple(bb) + b[len(bb):]


@given(shapes=matmul_shapes(), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_matmul(shapes, dtype, seed, nc, device):
    a, b = rand(shapes[0], dtype, seed=seed), rand(shapes[1], dtype, seed=seed + 1)
    # torch names a broadcast batched product CloneBackward0 or UnsafeViewBackward0 by memory layout: not compared
    names = a.ndim <= 2 and b.ndim <= 2
    check(lambda T, x, y: x @ y, [a, b], noncontiguous=nc, names=names, device=device)
    check(lambda T, x, y: T.matmul(x, y), [a, b], names=names, device=device)
    check(lambda T, x, y: x.matmul(y.sin()), [a, b], names=names, device=device)


@FEW
@given(n=sizes, k=sizes, m=sizes, b=st.integers(0, 3), dtype=dtypes, seed=seeds, nc=st.booleans())
def test_products(n, k, m, b, dtype, seed, nc, device):
    r = lambda s, i: rand(s, dtype, seed=seed + i)
    check(lambda T, x, y: T.mm(x, y), [r((n, k), 0), r((k, m), 1)], noncontiguous=nc, device=device)
    check(lambda T, x, y: x.mm(y), [r((n, k), 0), r((k, m), 1)], device=device)
    check(lambda T, x, y: T.bmm(x, y), [r((b, n, k), 0), r((b, k, m), 1)], noncontiguous=nc, device=device)
    check(lambda T, x, y: x.bmm(y), [r((b, n, k), 0), r((b, k, m), 1)], device=device)
    check(lambda T, x, y: T.mv(x, y), [r((n, k), 0), r((k,), 1)], noncontiguous=nc, device=device)
    check(lambda T, x, y: x.mv(y), [r((n, k), 0), r((k,), 1)], device=device)
    check(lambda T, x, y: T.dot(x, y), [r((k,), 0), r((k,), 1)], noncontiguous=nc, device=device)
    check(lambda T, x, y: x.dot(y), [r((k,), 0), r((k,), 1)], device=device)
    check(lambda T, x, y: T.inner(x, y), [r((n, k), 0), r((m, k), 1)], names=False, device=device)
    check(lambda T, x, y: T.outer(x, y), [r((n,), 0), r((m,), 1)], noncontiguous=nc, device=device)
    check(lambda T, x, y: x.ger(y), [r((n,), 0), r((m,), 1)], device=device)
    check(lambda T, c, x, y: T.addmm(c, x, y), [r((m,), 2), r((n, k), 0), r((k, m), 1)], device=device)
    check(lambda T, c, x, y: T.addmm(c, x, y, beta=0.5, alpha=2), [r((n, m), 2), r((n, k), 0), r((k, m), 1)],
          device=device)
    check(lambda T, c, x, y: c.addmm(x, y, alpha=-1), [r((1, m), 2), r((n, k), 0), r((k, m), 1)], device=device)
    check(lambda T, c, x, y: T.baddbmm(c, x, y, beta=2), [r((b, n, m), 2), r((b, n, k), 0), r((b, k, m), 1)],
          device=device)
    check(lambda T, x, y: T.einsum("ij,jk->ik", x, y), [r((n, k), 0), r((k, m), 1)], names=False, device=device)
    check(lambda T, x, y: T.einsum("bij,bjk->bik", x, y), [r((b, n, k), 0), r((b, k, m), 1)], names=False,
          device=device)
    check(lambda T, x, y: T.einsum("i,j->ij", x, y), [r((n,), 0), r((m,), 1)], names=False, device=device)
    check(lambda T, x, y: T.einsum("ij,ij->", x, y), [r((n, k), 0), r((n, k), 1)], names=False, device=device)
    check(lambda T, x, y: T.einsum("ij->ji", x), [r((n, k), 0), r((n, k), 1)], names=False, device=device)
    check(lambda T, x, y: T.einsum("bij,jk", x, y), [r((b, n, k), 0), r((k, m), 1)], names=False, device=device)


@pytest.mark.parametrize("f, match", [
    (lambda T, Z: Z(2, 3) @ Z(4, 5), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    (lambda T, Z: T.mm(Z(2, 3), Z(4, 5)), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    (lambda T, Z: Z(3) @ Z(4, 5), r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x5\)"),
    (lambda T, Z: Z(3) @ Z(4), r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have "
                               r"the same number of elements, but got 3 and 4 elements respectively"),
    (lambda T, Z: Z(2, 3) @ Z(4), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (lambda T, Z: T.bmm(Z(2, 2, 3), Z(3, 3, 4)), r"Expected size for first two dimensions of batch2 "
                                                 r"tensor to be: \[2, 3\] but got: \[3, 3\]."),
    (lambda T, Z: Z(5, 2, 3) @ Z(4, 3, 5), r"The size of tensor a \(5\) must match the size of tensor b "
                                           r"\(4\) at non-singleton dimension 0"),
    (lambda T, Z: Z(2, 3) @ Z(3, 4, dtype=T.float64), r"expected m1 and m2 to have the same dtype, but "
                                                      r"got: float != double"),
    (lambda T, Z: Z(2, 3) @ Z(()), r"both arguments to matmul need to be at least 1D, but they are 2D and "
                                   r"0D"),
    (lambda T, Z: T.mm(Z(2), Z(2, 3)), r"self must be a matrix"),
    (lambda T, Z: T.bmm(Z(2, 3), Z(3, 4)), r"batch1 must be a 3D tensor"),
    (lambda T, Z: T.dot(Z(2, 3), Z(3)), r"1D tensors expected, but got 2D and 1D tensors"),
    (lambda T, Z: T.dot(Z(3), Z(3, dtype=T.float64)), r"dot : expected both vectors to have same dtype, "
                                                      r"but found Float and Double"),
    (lambda T, Z: T.bmm(Z(2, 2, 3), Z(2, 3, 4, dtype=T.float64)), r"expected scalar type Float but "
                                                                  r"found Double"),
])
def test_errors(f, match, device):
    """Shape and dtype mismatches raise torch's error, naming both shapes (on any device: minitorch checks them
    before the array library sees the arrays). Torch, the spec, runs on the CPU, where these messages come from."""
    for T, dev in ((torch, "cpu"), (mt, device)):
        with pytest.raises(RuntimeError, match=match):
            f(T, functools.partial(T.zeros, device=dev))
    with pytest.raises(TypeError, match=r"matmul\(\): argument 'other' \(position 2\) must be Tensor, not int"):
        mt.matmul(mt.zeros(3, device=device), 2)


def test_integer_matmul(device):
    a, b = rand((2, 3), np.int64, -3, 3), rand((3, 4), np.int64, -3, 3, 1)
    check(lambda T, x, y: x @ y, [a, b], device=device)
    check(lambda T, x, y: x[0] @ y, [a, b], device=device)
    check(lambda T, x, y: x[0].dot(y[:, 0]), [a, b], device=device)
