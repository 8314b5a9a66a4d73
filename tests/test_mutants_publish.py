"""Releases: the order of versions decides which release a changelog is computed against, so
pre-releases must sort as SemVer says (tests written against surviving mutants, see docs/testing.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import ConfigError
from kg.release import index_json, list_releases, parse_index, version_key

from test_release import build_and_release


def test_versions_sort_as_semver_says() -> None:
    shuffled = ["1.0.0", "1.0.0-rc.10", "0.9.0", "1.0.0-alpha", "1.0.0-rc.2", "1.1.0", "1.0.0-rc.1",
                "1.0.0-alpha.1", "1.0.0-alpha.beta", "0.10.0", "1.0.0-1"]
    assert sorted(shuffled, key=version_key) == [
        "0.9.0", "0.10.0", "1.0.0-1", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
        "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.1.0"]
    assert version_key("1.0.0-rc.1") < version_key("1.0.0") < version_key("1.0.1-rc.1")


@pytest.mark.parametrize("bad", ["v1.0.0", "1.0", "1.0.0.0", "1.0.0-", "1.0.0-rc 1", "01.0.x"])
def test_a_version_that_is_not_semver_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"is not MAJOR\.MINOR\.PATCH\[-PRERELEASE\]"):
        version_key(bad)


def test_the_index_lists_the_newest_version_first() -> None:
    entry = {"date": "2026-01-01", "triples": 1, "path": "p", "url": "u", "iri": "i"}
    data = json.dumps({"releases": [{"version": v, **entry} for v in ("1.0.0-rc.2", "1.0.0", "1.0.0-rc.10")]})
    releases = parse_index(data.encode())
    assert [r.version for r in releases] == ["1.0.0", "1.0.0-rc.10", "1.0.0-rc.2"]
    again = json.loads(index_json(list(reversed(releases))))
    assert [r["version"] for r in again["releases"]] == ["1.0.0", "1.0.0-rc.10", "1.0.0-rc.2"]
    assert parse_index(b"") == ()


def test_a_release_after_its_release_candidate_is_compared_with_the_candidate(project: Path) -> None:
    build_and_release(project, "1.0.0-rc.1")
    build_and_release(project, "1.0.0")
    releases = list_releases(project)
    assert [(r.version, r.previous) for r in releases] == [("1.0.0", "1.0.0-rc.1"), ("1.0.0-rc.1", None)]
    md = (project / "releases" / "1.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "1.0.0-rc.1" in md and "The data did not change." in md
