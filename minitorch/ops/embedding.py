"""Embedding lookup (``nn.functional.embedding``) and its backward, a scatter-add of rows."""
from ..autograd.function import Function
from ..tensor import Tensor
from .index import _add_at

_T = Tensor._from_array


class Embedding(Function):
    """y = weight[indices].   dL/dweight: each row of dL/dy added into its index's row (none for padding_idx)."""
    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.padding_idx, ctx.n = idx, padding_idx, weight.shape[0]
        ctx.scale = scale_grad_by_freq
        return weight[idx]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingScatter.apply(grad, ctx.idx, ctx.n, ctx.padding_idx, ctx.scale), None, None, None


class EmbeddingScatter(Function):
    """dW = zeros(n, d); dW[idx[k]] += g[k] (rows at padding_idx stay 0; optionally divided by frequency)."""
    node_name = "EmbeddingBackwardBackward0"

    @staticmethod
    def forward(ctx, g, idx, n, padding_idx, scale):
        xp = ctx.xp
        flat = idx.reshape(-1)
        rows = g.reshape(flat.shape[0], -1)
        factor = None
        if scale:
            counts = xp.bincount(flat, minlength=n)
            factor = (1.0 / xp.maximum(counts[flat], 1)).astype(g.dtype)
            rows = rows * factor[:, None]
        if padding_idx is not None:
            keep = (flat != padding_idx).astype(g.dtype)
            factor = keep if factor is None else factor * keep
            rows = rows * keep[:, None]
        ctx.idx, ctx.factor, ctx.g_shape = idx, factor, g.shape
        out = xp.zeros((n,) + g.shape[idx.ndim:], dtype=g.dtype)
        _add_at(xp, out, flat, rows.reshape((flat.shape[0],) + g.shape[idx.ndim:]))
        return out

    @staticmethod
    def backward(ctx, grad):
        picked = grad[_T(ctx.idx)]
        if ctx.factor is not None:
            picked = picked * _T(ctx.factor.reshape(ctx.idx.shape + (1,) * (picked.dim() - ctx.idx.ndim)))
        return picked, None, None, None, None


