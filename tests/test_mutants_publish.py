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


# ------------------------------------------------------------------ survivors of kg/release.py and kg/upload.py

import requests  # noqa: E402
from rdflib import Literal, URIRef  # noqa: E402
from rdflib.namespace import DCAT, DCTERMS, RDFS, XSD  # noqa: E402

from kg.config import Config  # noqa: E402
from kg.release import Changes, Distribution, Release, changelog, citation_cff, describe_release  # noqa: E402
from kg.upload import Target, _describe_http, _graph_order  # noqa: E402

BASE = "https://example.org/kg/"


def _config(**kw) -> Config:  # noqa: ANN003
    return Config(**{**dict(root=Path("."), base_iri=BASE, title="Trotsky’s book", description="D",
                            creator="Die Kuratorinnen (Zürich)", license="https://example.org/licence"), **kw})


def _release() -> Release:
    return Release("1.1.0", "2026-01-02", 7, "releases/1.1.0/", BASE + "dumps/releases/1.1.0/",
                   BASE + "id/dataset/1.1.0", "1.0.0",
                   (Distribution("dataset.nt.gz", BASE + "dumps/releases/1.1.0/dataset.nt.gz",
                                 "application/n-triples", 123, "ab" * 32),))


def test_a_release_describes_itself_in_english_with_typed_sizes() -> None:
    g = describe_release(_release(), _config())
    ds = URIRef(BASE + "id/dataset/1.1.0")
    assert g.value(ds, RDFS.label) == Literal("Trotsky’s book, release 1.1.0", lang="en") == g.value(ds, DCTERMS.title)
    assert {o.language for o in g.objects(None, RDFS.label)} == {"en"}
    dist = URIRef(f"{ds}/distribution/dataset.nt.gz")
    assert g.value(dist, DCAT.byteSize) == Literal(123, datatype=XSD.nonNegativeInteger)


def test_the_citation_is_exact_utf8_yaml() -> None:
    cff = citation_cff(_release(), _config())
    assert cff.splitlines()[:10] == [
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite this release of it as below."',
        "type: dataset", 'title: "Trotsky’s book"', 'version: "1.1.0"', 'date-released: "2026-01-02"',
        'abstract: "D"', "authors:", '  - name: "Die Kuratorinnen (Zürich)"',
        f'url: "{BASE}dumps/releases/1.1.0/"']
    assert 'license-url: "https://example.org/licence"' in cff
    assert 'license: "CC0-1.0"' in citation_cff(_release(), _config(license="https://creativecommons.org/publicdomain/zero/1.0/"))


def test_the_changelog_table_and_sections_are_exact() -> None:
    changes = Changes(added=(BASE + "id/a",), removed=(), changed=(BASE + "id/b",), triples_added=3,
                      triples_removed=1, per_class=(("", 1, 0), ("https://schema.org/Person", 2, 1)),
                      labels={BASE + "id/a": "A"}, detail={BASE + "id/b": (2, 1)})
    md = changelog("1.1.0", "2026-01-02", changes, 7, BASE, _release())
    assert ("## Triples added and removed per class\n\n"
            "A triple counts toward every class of its subject (the new data's classes for an added triple, "
            "the old data's for a removed one).\n\n"
            "| class | added | removed |\n| --- | ---: | ---: |\n"
            "| `schema:Person` | 2 | 1 |\n| (no class) | 1 | 0 |\n") in md
    assert "## Resources added\n\n- `kg:a` (A)\n" in md
    assert ("## Resources changed\n\nTriples with the resource as subject, added / removed.\n\n"
            "- `kg:b`: +2 / −1\n") in md


def test_store_sessions_carry_the_credentials() -> None:
    t = Target("http://s/q", "http://s/u", None, token="tok")
    assert t.session().headers["Authorization"] == "Bearer tok"
    assert t.session().headers["User-Agent"] == "kg-publish"
    digest = Target("http://s/q", "http://s/u", None, user="u", auth_scheme="digest").session().auth
    assert isinstance(digest, requests.auth.HTTPDigestAuth) and (digest.username, digest.password) == ("u", "")
    assert Target("http://s/q", "http://s/u", None, user="u").session().auth == ("u", "")


def test_graphs_are_written_ontology_first_and_metadata_last() -> None:
    names = ["https://e/graph/metadata", "https://e/graph/b", "https://e/graph/ontology", "https://e/graph/a"]
    assert sorted(names, key=_graph_order) == [
        "https://e/graph/ontology", "https://e/graph/a", "https://e/graph/b", "https://e/graph/metadata"]
    assert _graph_order("https://e/GRAPH/METADATA")[0] == 1


def _response(status: int, body: bytes, reason: str = "R") -> requests.Response:
    r = requests.Response()
    r.status_code, r._content, r.reason = status, body, reason  # noqa: SLF001
    return r


def test_store_errors_are_described_with_their_hint() -> None:
    msg, hint = _describe_http(_response(401, b""), "PUT g")
    assert msg == "PUT g: HTTP 401 R" and hint.startswith("Give credentials with --user/--password")
    assert hint.endswith("--token (KG_STORE_TOKEN); Virtuoso needs --auth digest.")
    msg, hint = _describe_http(_response(403, b"no\nway"), "PUT g")
    assert (msg, hint) == ("PUT g: HTTP 403 R: no way", "The account may not write to this store; check its permissions.")
    assert _describe_http(_response(404, b""), "x")[1].startswith("Check the store URL and --preset")
    assert _describe_http(_response(500, b""), "x")[1] == ("The store reported an error; see its log. "
                                                          "Publishing again replaces every graph.")
