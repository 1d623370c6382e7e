"""coursetrack: keep your own record of multi-course online programs."""

__version__ = "0.1.0"
