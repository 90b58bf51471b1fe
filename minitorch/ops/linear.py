"""The dense layer on arrays: ``linear`` (``torch.nn.functional.linear``), one fused op with a hand-written
backward, recorded as torch records it (``AddmmBackward0`` / ``MmBackward0``, with torch's edges)."""
from ..autograd.function import Function
from ..tensor import Tensor, _not_tensor
from ._out import c_name, scalar_name


def _rows(shape):
    """The product of the leading dims: the rows of the 2-D product (counted, not inferred with a -1, which a
    reshape of 0 elements cannot do)."""
    rows = 1
    for n in shape[:-1]:
        rows *= n
    return rows


class Linear(Function):
    """y = x @ W^T + b  (x: (*, in), W: (out, in), b: (out,)).

    dX = dY @ W,   dW = dY^T @ X (over all leading dims),   db = sum of dY over leading dims.
    """
    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        xp = ctx.xp
        ctx.save_for_backward(x, w)
        if x.ndim == 2:
            y = xp.matmul(x, w.T)
        elif x.ndim == 1:
            y = xp.matmul(w, x)
        else:
            rows = _rows(x.shape)
            y = xp.matmul(x.reshape(rows, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, grad):
        from .linalg import MatMul
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        nd = x._data.ndim
        out_f, in_f = w._data.shape          # sizes spelled out: a reshape of 0 elements cannot infer a -1
        if nd == 1:
            if need[0]:
                gx = MatMul.apply(grad.reshape(1, out_f), w).reshape(in_f)
            if need[1]:
                gw = grad.reshape(out_f, 1) * x.reshape(1, in_f)
            if len(need) > 2 and need[2]:
                gb = grad
            return gx, gw, gb
        rows = _rows(x._data.shape)
        g2 = grad if nd == 2 else grad.reshape(rows, out_f)
        if need[0]:
            gx = MatMul.apply(g2, w)
            if nd != 2:
                gx = gx.reshape(x._data.shape)
        if need[1]:
            x2 = x if nd == 2 else x.reshape(rows, in_f)
            gw = MatMul.apply(g2.t(), x2)
        if len(need) > 2 and need[2]:
            gb = g2.sum(0)
        return gx, gw, gb

    @staticmethod
    def array_backward(ctx, grad):
        """``backward``'s products on arrays (nothing recorded): the same GEMMs, with x's leading dims as rows."""
        x, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        rows = _rows(x.shape)
        g2 = grad.reshape(rows, w.shape[0])
        gx = (g2 @ w).reshape(x.shape) if need[0] else None
        gw = g2.T @ x.reshape(rows, w.shape[1]) if need[1] else None
        gb = g2.sum(0) if len(need) > 2 and need[2] else None     # the engine sums it to a (1,) or () bias
        return gx, gw, gb


LinearNoBias = Linear.named("MmBackward0")     # without a bias torch records an mm (profiler row: "Mm")


def _addmm_next_functions(node):
    """torch's edges of ``AddmmBackward0`` / ``MmBackward0``: ``(bias, input, TBackward0)`` / ``(input,
    TBackward0)``, where the ``TBackward0`` node (of ``weight.t()``) leads to the weight. Ours is one fused node
    with edges (input, weight, bias); this lists them in torch's order, with a ``TBackward0`` node made once
    per node for the weight (a node for inspection: the engine sends the weight's gradient straight to it)."""
    from .shape import T
    edges = node._edges
    pair = lambda e: (e[0], e[1]) if e else (None, 0)
    w = node.__dict__.get("_t_node")
    if w is None and edges[1] and edges[1][0] is not None:
        w = node.__dict__["_t_node"] = T._Node()
        w._edges = [edges[1]]
        w._output_meta = [(tuple(edges[1][2])[::-1], edges[1][3])]      # weight.t()'s shape, for graph viewers
    out = (pair(edges[0]), (w, 0) if w is not None else (None, 0))
    return (pair(edges[2]),) + out if type(node) is Linear._Node else out


Linear._Node.next_functions = LinearNoBias._Node.next_functions = property(_addmm_next_functions)


def linear(input, weight, bias=None):
    """y = input @ weight^T + bias, one fused op (torch.nn.functional.linear)."""
    if not isinstance(input, Tensor):
        _not_tensor("linear", input)
    if not isinstance(weight, Tensor):
        _not_tensor("linear", weight, "weight", 2)
    if bias is not None and not isinstance(bias, Tensor):
        _not_tensor("linear", bias, "bias", 3)
    xs, ws = input._data.shape, weight._data.shape
    if not xs or not ws:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {len(xs)}D and "
                           f"{len(ws)}D")
    if len(ws) > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {len(ws)}D")
    if len(ws) == 1:                      # torch: input @ weight.t() (+ bias), an addmm only for a 2-D input
        if bias is not None and (len(xs) == 2 or (input.is_contiguous() and bias._data.ndim == 1)):
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")     # torch's addmm paths (2-D, flattened)
        from .linalg import matmul
        y = matmul(input, weight)
        return y if bias is None else y + bias
    rows = _rows(xs)
    if xs[-1] != ws[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xs[-1] if xs else 1} and "
                           f"{'x'.join(map(str, ws[::-1]))})")
    if bias is None:                      # torch: matmul(input, weight.t())
        if input._data.dtype != weight._data.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_name(input.dtype)} != "
                               f"{c_name(weight.dtype)}")
    else:                                 # torch: addmm(bias, input, weight.t()): self, mat1, mat2
        if bias._data.dtype != weight._data.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_name(bias.dtype)} and "
                               f"{scalar_name(weight.dtype)}")
        if input._data.dtype != weight._data.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {scalar_name(input.dtype)} and "
                               f"{scalar_name(weight.dtype)}")
        if bias._data.shape not in ((ws[0],), (1,), ()):
            raise RuntimeError(f"The expanded size of the tensor ({ws[0]}) must match the existing size "
                               f"({bias._data.shape[-1] if bias._data.ndim else 1}) at non-singleton dimension 1.  "
                               f"Target sizes: [{rows}, {ws[0]}].  Tensor sizes: {list(bias._data.shape)}")
    if bias is None:
        return LinearNoBias.apply(input, weight, None)
    return Linear.apply(input, weight, bias)

