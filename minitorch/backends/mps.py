"""``minitorch.backends.mps``: Apple's Metal backend, which minitorch does not have."""

__all__ = ["is_available", "is_built"]


def is_available():
    """False: minitorch has no Metal (MPS) backend."""
    return False


def is_built():
    """False: minitorch is not built with Metal (MPS) support."""
    return False
