"""``nn.functional``'s shapes, encodings and lookups: ``flatten``, ``one_hot``, ``embedding``
(the lookup's work: ``minitorch/ops/embedding.py``)."""
from ... import _backend
from ..._args import defaults_only, FALSE
from ..._dtype import int64
from ...tensor import Tensor, _not_tensor
from ...ops import shape as _S
from ...ops.embedding import Embedding
from ._args import _T


# ---------------------------------------------------------------- shapes, encodings, lookups
def flatten(input, start_dim=0, end_dim=-1):
    """``torch.flatten``: merge dims start_dim..end_dim into one."""
    return _S.flatten(input, start_dim, end_dim)


def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dim of size ``num_classes`` holding 1 at each index, 0 elsewhere."""
    if not isinstance(tensor, Tensor):
        _not_tensor("one_hot", tensor)
    if tensor._data.dtype != int64.np:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = _backend.array_module(tensor._data)
    t = tensor._data
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if int(t.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(t.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return _T((t[..., None] == xp.arange(num_classes)).astype(xp.int64))


@defaults_only(sparse=FALSE)                      # sparse gradients: not supported
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; ``padding_idx``'s row gets no gradient.

    ``max_norm`` renormalises (in place, without gradient) the picked rows whose ``norm_type``-norm exceeds it.
    """
    if not isinstance(input, Tensor):
        _not_tensor("embedding", input, "indices", 2)
    if not isinstance(weight, Tensor):
        _not_tensor("embedding", weight, "weight", 1)
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    if input._data.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    idx = input._data.astype(int64.np, copy=False)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        xp = _backend.array_module(weight._data)
        rows = xp.unique(idx.reshape(-1))
        w = weight._data
        norms = (xp.abs(w[rows]) ** norm_type).sum(-1) ** (1.0 / norm_type)
        over = norms > max_norm
        if over.any():
            w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
            weight._vc[0] += 1
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)
