"""Matrix products: matmul (``@``) with torch's 1-D and batch-broadcasting rules, mm, bmm, mv, dot, outer, addmm.

For C = A @ B:   dL/dA = dL/dC @ B^T,   dL/dB = A^T @ dL/dC.
Batch dims that were broadcast are summed back by the engine.
"""
from .. import _backend
from ..autograd.function import Function
from ._out import out_arg, scalar_name
from ..tensor import Tensor, _not_tensor
from .shape import Squeeze, reshape, transpose, unsqueeze, squeeze
from .shape import broadcast_shapes
from .reduce import sum as _sum
from ._common import _cast


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


class Mv(Function):
    """y = A @ v (matrix times vector).   dA = outer(dy, v),  dv = A^T @ dy."""

    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return ctx.xp.matmul(a, v)

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (outer(grad, v) if need[0] else None,
                matmul(transpose(a, 0, 1), grad) if need[1] else None)


_BOOL_DT = _backend.numpy.dtype(bool)


def _refuse_bool(kernel):
    raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _folds(a, b):
    """Whether torch's matmul folds a batched operand into a matrix (mm/mv) instead of calling bmm: a >= 3-D
    operand against a <= 2-D one, foldable without a copy (torch's ``should_fold``)."""
    na, nb = a._data.ndim, b._data.ndim
    larger = na >= nb
    t1 = a if larger else b.transpose(-1, -2)
    if not (t1._data.ndim >= 3 and (nb if larger else na) <= 2):
        return False
    if b.requires_grad and not larger:
        return True
    if na == 2:
        return False
    if t1._data.size == 0:
        return True
    shape, strides = t1._data.shape, t1.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1._data.ndim - 2))


def _check_same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_c_name(a)} != {_c_name(b)}")


def _check_mv_dtypes(mat, vec):
    if mat._data.dtype != vec._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {scalar_name(vec.dtype)}, "
                           f"{scalar_name(mat.dtype)}, and {scalar_name(vec.dtype)}")


def _bmm_operand(a, b, empty):
    """``a`` as torch's bmm takes it: with nothing to compute (an empty result, or k = 0) no kernel runs and the
    result takes b's dtype; otherwise the kernel is dispatched on a's dtype (no bool kernel), then b must match."""
    if empty:
        return _cast(a, b.dtype)
    if a._data.dtype is _BOOL_DT:
        _refuse_bool("bmm")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_name(a.dtype)} but found {scalar_name(b.dtype)}")
    return a


def _c_name(t):
    """torch's C type name of a dtype, as its error messages print it (float, double, long, ...)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}[t.dtype.name]


def _shape_str(shape):
    return "x".join(map(str, shape))


@out_arg("matmul", "expected")
def matmul(input, other):
    """The matrix product with numpy/torch rules: 1-D operands are vectors, leading dims broadcast as batches."""
    a, b = input, other
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        bad = b if isinstance(a, Tensor) else a
        raise TypeError(f"matmul(): argument '{'other' if isinstance(a, Tensor) else 'input'}' (position "
                        f"{2 if isinstance(a, Tensor) else 1}) must be Tensor, not {type(bad).__name__}")
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    sa, sb = a._data.shape, b._data.shape
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    is_bool = a._data.dtype is _BOOL_DT                 # (one test on the hot path; torch has no bool kernels)
    route = None
    if is_bool or a._data.dtype != b._data.dtype:      # which kernel torch's matmul reaches decides the error
        route = "mm" if (na <= 2 and nb <= 2) else "bmm" if not _folds(a, b) else "mv" if 1 in (na, nb) else "mm"
        if route == "mv":                              # folded into mv: the >= 3-D operand is the matrix
            _check_mv_dtypes(*((a, b) if nb == 1 else (b, a)))
        elif route == "mm":
            _check_same_dtype(a, b)
    ka, kb = sa[-1], (sb[-2] if nb > 1 else sb[0])
    if ka != kb:
        if na <= 2 or nb <= 2:
            ma = sa[-2:] if na > 1 else (1,) + sa
            mb = sb[-2:] if nb > 1 else sb + (1,)
            if na > 2 and nb == 2:
                ma = (builtins_prod(sa[:-1]), sa[-1])
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(ma)} and {_shape_str(mb)})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_batch_size(sa, sb)}, {ka}] but got: [{_batch_size(sa, sb)}, {kb}].")
    if na > 2 or nb > 2:
        try:
            batch = broadcast_shapes(sa[:-2], sb[:-2])
        except RuntimeError:
            for i in range(1, min(len(sa), len(sb)) - 1):
                if sa[-2 - i] != sb[-2 - i] and 1 not in (sa[-2 - i], sb[-2 - i]):
                    raise RuntimeError(f"The size of tensor a ({sa[-2 - i]}) must match the size of tensor b "
                                       f"({sb[-2 - i]}) at non-singleton dimension {max(na, nb) - 3 - i + 1}") from None
            raise
    if route == "bmm":
        a = _bmm_operand(a, b, builtins_prod(batch) * (sa[-2] if na > 1 else 1) * (sb[-1] if nb > 1 else 1) * ka == 0)
    elif is_bool and a._data.size and b._data.size:
        _refuse_bool("addmv_impl_cpu" if route == "mv" else "addmm_impl_cpu_")   # no bool kernels
    if na == 1:
        return Squeeze.named("SqueezeBackward4").apply(matmul(unsqueeze(a, 0), b), sb[:-2] + (sb[-1],))
    if nb == 1:
        return squeeze(matmul(a, unsqueeze(b, 1)), -1)
    if na == 2 and nb == 2:
        return MatMul.apply(a, b)
    return MatMul.named("UnsafeViewBackward0").apply(a, b)   # torch: a bmm, then a reshape


def builtins_prod(xs):
    n = 1
    for x in xs:
        n *= x
    return n


def _batch_size(sa, sb):
    return builtins_prod(sa[:-2]) if len(sa) > 2 else builtins_prod(sb[:-2])


@out_arg("mm", "expected")
def mm(input, mat2):
    """Product of two matrices (2-D only, no broadcasting)."""
    if not isinstance(input, Tensor):
        _not_tensor("mm", input)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


@out_arg("bmm", "expected")
def bmm(input, mat2):
    """Batched product of (b, n, m) and (b, m, p) tensors (no broadcasting)."""
    if not isinstance(input, Tensor):
        _not_tensor("bmm", input)
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    b, n, m = input._data.shape
    if mat2._data.shape[:2] != (b, m):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    input = _bmm_operand(input, mat2, b * n * m * mat2._data.shape[2] == 0)
    return MatMul.named("BmmBackward0").apply(input, mat2)


class Dot(Function):
    """c = sum_i a_i b_i.   dc/da = b,  dc/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ctx.xp.dot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * b if need[0] else None), (grad * a if need[1] else None)


@out_arg("dot", "dot")
def dot(input, other):
    """Inner product of two 1-D tensors."""
    if not isinstance(input, Tensor):
        _not_tensor("dot", input)
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape != other._data.shape:
        n, m = input._data.shape[0], other._data.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                           f"number of elements, but got {n} and {m} elements respectively")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {scalar_name(input.dtype)} and "
                           f"{scalar_name(other.dtype)}")
    if input._data.dtype is _BOOL_DT:
        _refuse_bool("dot")
    return Dot.apply(input, other)


@out_arg("inner", "tensordot")
def inner(input, other):
    """Sum of products over the last dims (``dot`` for vectors; numbers multiply)."""
    if not isinstance(input, Tensor):
        _not_tensor("inner", input)
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.ndim == 1 and other._data.ndim == 1:
        return dot(input, other)
    return matmul(input, transpose(other, -1, -2) if other._data.ndim > 1 else other)


@out_arg("mv", "addmv")
def mv(input, vec):
    """Matrix-vector product."""
    if not isinstance(input, Tensor):
        _not_tensor("mv", input)
    if not input._data.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat "
                           f"({_shape_str(input._data.shape)}), vec ({vec._data.shape[0]})")
    _check_mv_dtypes(input, vec)
    if input._data.dtype is _BOOL_DT and input._data.size and vec._data.size:
        _refuse_bool("addmv_impl_cpu")
    return Mv.apply(input, vec)


@out_arg("mul")
def outer(input, vec2):
    """Outer product of two vectors: out[i, j] = input[i] * vec2[j]."""
    if not isinstance(input, Tensor):
        _not_tensor("outer", input)
    if not isinstance(vec2, Tensor):
        _not_tensor("outer", vec2, "vec2", 2)
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


class Addmm(Function):
    """y = beta*c + alpha*(a @ b).   dc = beta*dy,  da = alpha*dy @ b^T,  db = alpha*a^T @ dy."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        p = ctx.xp.matmul(a, b)
        if alpha != 1:
            p = p * alpha
        if beta == 0:
            return ctx.xp.broadcast_to(p, ctx.xp.broadcast_shapes(c.shape, p.shape)).astype(p.dtype, copy=True)
        return p + (c if beta == 1 else c * beta)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = grad if ctx.alpha == 1 else grad * ctx.alpha
        return ((grad if ctx.beta == 1 else grad * ctx.beta) if need[0] else None,
                matmul(g, transpose(b, -1, -2)) if need[1] else None,
                matmul(transpose(a, -1, -2), g) if need[2] else None, None, None)


@out_arg("addmm", "expected")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    mm(mat1, mat2) if mat1._data.ndim != 2 or mat2._data.ndim != 2 else None
    for name, t in (("self", input), ("mat1", mat1)):       # torch checks self first, then mat1, against mat2
        if isinstance(t, Tensor) and t._data.dtype != mat2._data.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got {scalar_name(t.dtype)} and "
                               f"{scalar_name(mat2.dtype)}")
    return Addmm.apply(input, mat1, mat2, beta, alpha)


@out_arg("baddbmm", "expected")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * bmm(batch1, batch2)."""
    if batch1._data.ndim != 3 or batch2._data.ndim != 3 or batch1._data.shape[2] != batch2._data.shape[1]:
        bmm(batch1, batch2)
    return Addmm.named("BaddbmmBackward0").apply(input, batch1, batch2, beta, alpha)


def einsum(equation, *operands):
    """Einstein summation, built from permutes, broadcasting products and sums (so it is differentiable)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
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


