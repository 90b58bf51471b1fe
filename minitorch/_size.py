"""``Size`` (a tensor's shape) and the dimension helpers that shapes and strides share: below ``tensor`` in the
layer order, so ``Tensor`` and the ops import them at the top (``tensor`` re-exports them)."""
import builtins


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""
    __slots__ = ()
    __module__ = "minitorch.tensor"      # where users (and pickles) find it, as before the split

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim into ``range(ndim)``, with torch's IndexError."""
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= builtins.max(s, 1)
    return tuple(reversed(st))
