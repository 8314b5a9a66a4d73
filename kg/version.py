"""The package's version, in a module of its own so that any layer can name it (``kg/__init__.py``
is the top of the layers: it re-exports the build)."""

__version__ = "0.1.0"
