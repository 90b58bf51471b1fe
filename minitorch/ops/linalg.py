"""Matrix products: matmul (``@``) with torch's 1-D and batch-broadcasting rules, mm, bmm, mv, dot, outer, addmm.

For C = A @ B:   dL/dA = dL/dC @ B^T,   dL/dB = A^T @ dL/dC.
Batch dims that were broadcast are summed back by the engine.
"""
from ..autograd.function import Function
from ..tensor import Tensor
from .elementwise import _promote
from .shape import reshape, transpose, unsqueeze, squeeze


class MatMul(Function):
    """C = A @ B (both at least 2-D, batch dims broadcast).   dA = dC @ B^T,  dB = A^T @ dC."""
    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = matmul(grad, transpose(b, -1, -2)) if need[0] else None
        gb = matmul(transpose(a, -1, -2), grad) if need[1] else None
        return ga, gb


class BMM(MatMul):
    node_name = "BmmBackward0"


class Batched(MatMul):
    node_name = "UnsafeViewBackward0"


def _check_dtypes(a, b, name):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}"
                           if name != "matmul" else
                           f"expected scalar type {a.dtype._legacy[:-6]} but found {b.dtype._legacy[:-6]}")


def matmul(input, other):
    """The matrix product with numpy/torch rules: 1-D operands are vectors, leading dims broadcast as batches."""
    a, b = input, other
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' (position 2) must be Tensor")
    if a._data.ndim == 0 or b._data.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a._data.ndim}D and {b._data.ndim}D")
    _check_dtypes(a, b, "matmul")
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if b._data.ndim > 1 else b._data.shape[0]
    if ka != kb:
        if a._data.ndim == 1 and b._data.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{ka}] and src [{kb}] to have the same "
                               "number of elements, but got " + f"{ka} and {kb} elements respectively")
        sa = "x".join(map(str, (a._data.shape if a._data.ndim > 1 else (1,) + a._data.shape)[-2:]))
        sb = "x".join(map(str, (b._data.shape if b._data.ndim > 1 else b._data.shape + (1,))[-2:]))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    if a._data.ndim == 1 and b._data.ndim == 1:
        return Dot.apply(a, b)
    if a._data.ndim == 1:
        return squeeze(matmul(unsqueeze(a, 0), b), -2)
    if b._data.ndim == 1:
        return squeeze(matmul(a, unsqueeze(b, 1)), -1)
    if a._data.ndim == 2 and b._data.ndim == 2:
        return MatMul.apply(a, b)
    return Batched.apply(a, b)


def mm(input, mat2):
    """Product of two matrices (2-D only, no broadcasting)."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):
    """Batched product of (b, n, m) and (b, m, p) tensors (no broadcasting)."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    if input._data.shape[2] != mat2._data.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0]}, {input._data.shape[2]}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    _check_dtypes(input, mat2, "bmm")
    return BMM.apply(input, mat2)


class Dot(Function):
    """c = sum_i a_i b_i.   dc/da = b,  dc/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.dot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    return matmul(input, other)


inner = dot


def mv(input, vec):
    """Matrix-vector product."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def outer(input, vec2):
    """Outer product of two vectors: out[i, j] = input[i] * vec2[j]."""
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    prod = mm(mat1, mat2)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    return prod + (input if beta == 1 else input * beta)


def einsum(equation, *operands):
    """Einstein summation, built from permutes, broadcasting products and sums (so it is differentiable)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    from .reduce import sum as _sum
    lhs, _, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    letters = []
    for term in terms:
        for c in term:
            if c not in letters:
                letters.append(c)
    if not _:
        rhs = "".join(sorted(c for c in letters if lhs.count(c) == 1))
    out = None
    for term, op in zip(terms, operands):
        # diagonal entries (repeated letters in one term) are not supported
        if len(set(term)) != len(term):
            raise NotImplementedError("einsum with repeated indices in one operand is not supported")
        perm = [term.index(c) for c in letters if c in term]
        x = op.permute(*perm) if perm != list(range(len(perm))) else op
        shape = [x.shape[[c for c in letters if c in term].index(c)] if c in term else 1 for c in letters]
        x = reshape(x, shape)
        out = x if out is None else out * x
    reduce_dims = tuple(i for i, c in enumerate(letters) if c not in rhs)
    if reduce_dims:
        out = _sum(out, reduce_dims)
    kept = [c for c in letters if c in rhs]
    perm = [kept.index(c) for c in rhs]
    return out.permute(*perm) if perm != list(range(len(perm))) else out
