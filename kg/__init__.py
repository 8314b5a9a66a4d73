"""Publish a scholarly essay as a validated, linked knowledge graph.

The library comes first; ``kg.cli`` is a thin layer over it. Data flows one way::

    sources (load) -> enrich (anchor, vocabularies, skolemise) -> validate (SHACL) -> publish
"""
from kg.config import Config, load_config
from kg.errors import KgError
from kg.version import __version__

__all__ = ["Config", "KgError", "__version__", "build", "load_config", "validate_corpus"]


def build(config: Config, **kwargs: object):  # noqa: ANN201 - re-exported lazily to keep imports cheap
    from kg.pipeline import build as _build

    return _build(config, **kwargs)


def validate_corpus(config: Config, **kwargs: object):  # noqa: ANN201
    from kg.pipeline import validate_corpus as _validate

    return _validate(config, **kwargs)
