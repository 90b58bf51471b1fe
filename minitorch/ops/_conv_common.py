"""What the convolution's two kernel modules share: strided views, the batch's chunk size with its tuning
constants, and the GEMM batched over groups. ``conv.py`` (the plain im2col, the one dispatcher, the Functions)
imports ``conv_fast.py`` (the stride-1 formulations), and both import this module at their top: no cycle.
The constants are read from here (by ``_chunk``; ``THIN_ROWS`` also by ``conv.conv_input_grad``): a test
that changes one sets it on this module.
"""


def _strided(xp, arr, shape, strides):
    return xp.lib.stride_tricks.as_strided(arr, shape=shape, strides=strides)


# Work on the batch in chunks of images whose column matrix fits in about this many bytes: the columns
# are then written and read back by the GEMM while still in cache, and no large temporary is allocated
# (fresh large arrays cost a page fault per 4 KiB page on every call). But give each GEMM at least
# CHUNK_MIN_FLOPS of work: many tiny multi-threaded BLAS calls cost more in thread hand-offs than they
# save (and stall badly when another process holds a core). Except for thin products: with at most
# THIN_ROWS output channels per group (LeNet's first layer has 6), each column element takes part in only
# 2 * rows flops, the GEMM is bound by reading the columns, and keeping them in cache (THIN_CHUNK_BYTES)
# wins over large GEMMs (LeNet's conv1 forward: 3.0 ms -> 1.7 ms on 2 cores). On a GPU: one chunk.
CHUNK_BYTES = 2 << 20
CHUNK_MIN_FLOPS = 128e6
THIN_ROWS = 8
THIN_CHUNK_BYTES = 512 << 10


def _chunk(xp, n, per_image_bytes, per_image_flops, rows):
    """Images per chunk for a product of ``rows`` output rows (output channels per group)."""
    if xp.__name__ != "numpy":
        return n
    if rows <= THIN_ROWS:
        return max(1, min(n, THIN_CHUNK_BYTES // max(per_image_bytes, 1)))
    by_cache = CHUNK_BYTES // max(per_image_bytes, 1)
    by_work = int(-(-CHUNK_MIN_FLOPS // max(per_image_flops, 1)))
    return max(1, min(n, max(by_cache, by_work)))


def _mm(xp, a, b, out=None):
    """Product batched over the group axis (a plain 2-D GEMM when there is one group)."""
    if a.shape[0] == 1:
        if out is not None:
            xp.matmul(a[0], b[0], out=out[0])
            return out
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b, out=out)
