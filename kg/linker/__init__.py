"""Linking the curated resources to Wikidata, VIAF and Open Library (``kg link``).

``client`` is the EDGE that talks to the network and keeps the cache; ``services`` speaks the
three APIs; ``match`` is pure (scoring candidates, checking linked records); ``review`` writes the
review files and merges accepted links; ``workflow`` strings them into reconcile, verify and
enrich. The linker never runs inside a build: it writes reviewed links into ``data/``."""
from kg.linker.settings import LinkSettings, load_link_settings

__all__ = ["LinkSettings", "load_link_settings"]
