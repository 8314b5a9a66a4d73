"""The site's map pages (placeholder until the interactive pages land)."""
from __future__ import annotations

from kg.config import Config


def site_files(models, config: Config) -> dict[str, bytes]:  # noqa: ANN001
    return {}
