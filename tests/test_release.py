"""`kg release`: two releases in a row give a correct changelog of a deliberate change in the data,
with their VoID/DCAT metadata, checksums, CITATION.cff and the index the landing page lists."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from kg.cli import main
from kg.release import diff, list_releases

ID = "https://w3id.org/arthur-kg/id/"


def set_version(root: Path, version: str) -> None:
    (root / "kg.toml").write_text(f'[kg]\nmodified = "2026-01-01"\nversion = "{version}"\n', encoding="utf-8")


def run(root: Path, *args: str, env: dict[str, str] | None = None):  # noqa: ANN202
    return CliRunner(env=env).invoke(main, ["--root", str(root), "-q", *args])


def build_and_release(root: Path, version: str, env: dict[str, str] | None = None) -> str:
    set_version(root, version)
    built = run(root, "build")
    assert built.exit_code == 0, built.output
    released = run(root, "release", version, env=env)
    assert released.exit_code == 0, released.output
    return released.output


def change_the_data(root: Path) -> None:
    """Add a concept, remove another (and the links to it), drop one fact of a person."""
    path = root / "data" / "essays" / "mini" / "essay.ttl"
    ttl = path.read_text(encoding="utf-8")
    ttl = ttl.replace('    schema:deathDate "1940"^^xsd:gYear ;\n', "")
    ttl = ttl.replace("skos:hasTopConcept concept:state .", "skos:hasTopConcept concept:workers-state .")
    ttl = ttl.replace("    skos:broader concept:state ;\n", "")
    start, end = ttl.index("concept:state a skos:Concept"), ttl.index("concept:workers-state a")
    ttl = ttl[:start] + (
        'concept:butterfly a skos:Concept ;\n    rdfs:label "butterfly"@en ;\n    skos:prefLabel "butterfly"@en ;\n'
        '    skos:definition "What a pupa becomes."@en ;\n    skos:inScheme scheme:mini ;\n'
        '    kgo:mention "butterfly" .\n\n') + ttl[end:]
    path.write_text(ttl, encoding="utf-8")


def section(md: str, title: str) -> list[str]:
    """The `code` names listed under a '## title' heading."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", md, re.S | re.M)
    return re.findall(r"^- `([^`]+)`", m.group(1), re.M) if m else []


def graph(nt_gz: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(data=gzip.decompress(nt_gz.read_bytes()).decode(), format="nt")


def test_two_releases_give_a_changelog_of_the_change(project: Path) -> None:
    first = build_and_release(project, "1.0.0")
    assert "the first release" in first
    change_the_data(project)
    second = build_and_release(project, "1.1.0")
    assert "since 1.0.0" in second

    old_dir, new_dir = project / "releases" / "1.0.0", project / "releases" / "1.1.0"
    md = (new_dir / "CHANGELOG.md").read_text(encoding="utf-8")
    anchors = lambda start, end: [f"kg:anchor/mini/{start}-{end}", f"kg:anchor/mini/{start}-{end}/position",  # noqa: E731
                                  f"kg:anchor/mini/{start}-{end}/quote"]
    assert section(md, "Resources added") == [*anchors(213, 222), "kg:concept/butterfly"]
    assert section(md, "Resources removed") == [*anchors(252, 257), "kg:concept/state"]
    assert section(md, "Resources changed") == ["kg:concept/workers-state", "kg:essay/mini",
                                                "kg:person/leon-trotsky", "kg:scheme/mini"]
    assert "- `kg:person/leon-trotsky` (Leon Trotsky): +0 / −1" in md
    assert "| `schema:Person` | 0 | 1 |" in md and "| `foaf:Person` | 0 | 1 |" in md

    # every per-class count agrees with an independent count over the two dumps (rdflib)
    old, new = graph(old_dir / "dataset.nt.gz"), graph(new_dir / "dataset.nt.gz")
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (g, other, col) in ((new, old, 0), (old, new, 1)):
        for s, p, o in g - other:
            for cls in g.objects(s, RDF.type):
                expected[str(cls)][col] += 1
    rows = dict(re.findall(r"^\| `([^`]+)` \| (\d+ \| \d+) \|$", md, re.M))
    assert len(rows) == len(expected)
    namer_prefixes = {"schema": "https://schema.org/", "foaf": "http://xmlns.com/foaf/0.1/",
                      "skos": "http://www.w3.org/2004/02/skos/core#", "oa": "http://www.w3.org/ns/oa#",
                      "fabio": "http://purl.org/spar/fabio/"}
    for curie, counts in rows.items():
        prefix, local = curie.split(":", 1)
        assert expected[namer_prefixes[prefix] + local] == [int(n) for n in counts.split(" | ")], curie
    changes = diff(gzip.decompress((old_dir / "dataset.nt.gz").read_bytes()),
                   gzip.decompress((new_dir / "dataset.nt.gz").read_bytes()))
    assert (changes.triples_added, changes.triples_removed) == (len(new - old), len(old - new))
    assert f"- {len(new - old)} triples added, {len(old - new)} removed" in md
    assert ID + "concept/butterfly" in changes.added and ID + "concept/state" in changes.removed

    # the index the landing page lists: newest first, linked to the previous release
    releases = list_releases(project)
    assert [r.version for r in releases] == ["1.1.0", "1.0.0"]
    assert releases[0].previous == "1.0.0" and releases[1].previous is None
    assert releases[0].triples == len(new) and releases[0].date == "2026-01-01"


def test_a_release_freezes_the_dumps_with_metadata(project: Path) -> None:
    build_and_release(project, "1.0.0", env={"SOURCE_DATE_EPOCH": "1767225600"})  # 2026-01-01
    folder = project / "releases" / "1.0.0"
    for name in ("dataset.nt.gz", "dataset.ttl.gz", "dataset.jsonld.gz", "dataset.trig.gz"):
        assert (folder / name).read_bytes() == (project / "output" / name).read_bytes()
    for name in ("argument.aif.json", "nanopubs.trig"):  # the argument's exports, gzipped
        assert gzip.decompress((folder / f"{name}.gz").read_bytes()) == (project / "output" / name).read_bytes()
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {p.name for p in folder.iterdir()} - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest

    void = rdflib.Graph().parse(folder / "void.ttl")
    rel = rdflib.URIRef(ID + "dataset/1.0.0")
    assert (rel, RDF.type, VOID.Dataset) in void and (rel, RDF.type, DCAT.Dataset) in void
    assert str(void.value(rel, rdflib.URIRef(str(DCAT) + "version"))) == "1.0.0"
    assert str(void.value(rel, DCTERMS.issued)) == "2026-01-01"
    assert str(void.value(rel, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert int(void.value(rel, VOID.triples)) == len(graph(folder / "dataset.nt.gz"))
    dists = list(void.objects(rel, DCAT.distribution))
    assert len(dists) == 6
    assert len(list(void.objects(rel, VOID.dataDump))) == 4  # the exports are distributions, not dumps
    for dist in dists:
        name = str(void.value(dist, DCTERMS.title))
        assert int(void.value(dist, DCAT.byteSize)) == (folder / name).stat().st_size
        checksum = void.value(dist, rdflib.URIRef("http://spdx.org/rdf/terms#checksum"))
        assert str(void.value(checksum, rdflib.URIRef("http://spdx.org/rdf/terms#checksumValue"))) == sums[name]

    cff = (folder / "CITATION.cff").read_text(encoding="utf-8")
    assert 'version: "1.0.0"' in cff and 'date-released: "2026-01-01"' in cff and 'license: "CC-BY-4.0"' in cff
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(cff)
    assert doc["type"] == "dataset" and doc["cff-version"] == "1.2.0" and doc["authors"][0]["name"]
    index = json.loads((project / "releases" / "index.json").read_text())
    assert [r["version"] for r in index["releases"]] == ["1.0.0"]


def test_a_release_is_frozen_and_matches_the_build(project: Path) -> None:
    build_and_release(project, "1.0.0")
    again = run(project, "release", "1.0.0")
    assert again.exit_code == 2 and "made already" in again.output
    wrong = run(project, "release", "2.0.0")
    assert wrong.exit_code == 2 and "version '1.0.0', not '2.0.0'" in wrong.output
    assert 'hint: Set version = "2.0.0" in kg.toml' in wrong.output
    bad = run(project, "release", "v2")
    assert bad.exit_code == 2 and "MAJOR.MINOR.PATCH" in bad.output


def test_an_unchanged_release_says_so(project: Path) -> None:
    build_and_release(project, "1.0.0")
    set_version(project, "1.0.1")
    assert run(project, "build").exit_code == 0
    # the version lives in the metadata graph, not in dataset.nt: the data did not change
    assert run(project, "release", "1.0.1").exit_code == 0
    md = (project / "releases" / "1.0.1" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "The data did not change." in md and "- 0 triples added, 0 removed" in md


# ---------------------------------------------------------------- version precedence (Semantic Versioning 2.0.0 §11)

def test_versions_sort_by_semantic_versioning_precedence() -> None:
    from kg.release import version_key

    spec_order = ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                  "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.0.1", "1.2.0", "1.10.0"]
    assert sorted(reversed(spec_order), key=version_key) == spec_order
    assert version_key("1.0.0-rc.1") < version_key("1.0.0")


@pytest.mark.parametrize("bad", ["1.0", "1.0.0-", "1.0.0-rc..1", "1.0.0-rc.01", "01.0.0", "1.0.0+build", "v1.0.0"])
def test_a_version_that_is_not_semantic_is_refused(bad: str) -> None:
    from kg.errors import ConfigError
    from kg.release import version_key

    with pytest.raises(ConfigError, match="is not MAJOR.MINOR.PATCH"):
        version_key(bad)


def test_the_previous_release_is_the_highest_lower_version() -> None:
    from kg.release import Release, index_json, parse_index, previous_release

    index = [Release(v, "2026-01-01", 1, f"releases/{v}/", "u", "i") for v in ("0.9.0", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10")]
    assert previous_release(index, "1.0.0").version == "1.0.0-rc.10"
    assert previous_release(index, "1.0.0-rc.11").version == "1.0.0-rc.10"
    assert previous_release(index, "1.0.0-rc.3").version == "1.0.0-rc.2"
    assert previous_release(index, "1.0.0-rc.1").version == "0.9.0"
    assert previous_release(index, "0.1.0") is None
    assert [r.version for r in parse_index(index_json(index))] == ["1.0.0-rc.10", "1.0.0-rc.2", "1.0.0-rc.1", "0.9.0"]


def test_a_release_after_its_release_candidate_compares_with_it(project: Path) -> None:
    build_and_release(project, "1.0.0-rc.1")
    change_the_data(project)
    final = build_and_release(project, "1.0.0")
    assert "since 1.0.0-rc.1" in final
    md = (project / "releases" / "1.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Compared with release 1.0.0-rc.1 (2026-01-01;" in md
    void = rdflib.Graph().parse(project / "releases" / "1.0.0" / "void.ttl")
    assert set(void.objects(None, rdflib.URIRef(str(DCAT) + "previousVersion"))) == {rdflib.URIRef(ID + "dataset/1.0.0-rc.1")}
    assert [r.version for r in list_releases(project)] == ["1.0.0", "1.0.0-rc.1"]


def test_the_curators_notes_head_the_changelog(project: Path) -> None:
    build_and_release(project, "1.0.0")
    notes = project / "releases" / "notes" / "1.1.0.md"
    notes.parent.mkdir(parents=True)
    notes.write_text("- `kgo:old` is deprecated: use `kgo:new`.\n", encoding="utf-8")
    change_the_data(project)
    build_and_release(project, "1.1.0")
    md = (project / "releases" / "1.1.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    head, _, rest = md.partition("## What changed in the triples")
    assert "## What the curators changed\n\n- `kgo:old` is deprecated: use `kgo:new`.\n" in head
    assert "Compared with release 1.0.0" in rest  # the computed changes follow the notes
    assert "What the curators changed" not in (project / "releases" / "1.0.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    sums = (project / "releases" / "1.1.0" / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{hashlib.sha256(md.encode()).hexdigest()}  CHANGELOG.md" in sums
    assert [r.version for r in list_releases(project)] == ["1.1.0", "1.0.0"]  # notes/ is not a release


def test_notes_that_are_not_utf8_are_one_line_naming_the_file(project: Path) -> None:
    set_version(project, "1.0.0")
    assert run(project, "build").exit_code == 0
    notes = project / "releases" / "notes" / "1.0.0.md"
    notes.parent.mkdir(parents=True)
    notes.write_bytes(b"caf\xe9\n")
    result = run(project, "release", "1.0.0")
    assert result.exit_code == 2 and "1.0.0.md" in result.output and "Traceback" not in result.output
    assert not (project / "releases" / "1.0.0").exists()


def test_citation_keywords_come_from_kg_toml(project: Path) -> None:
    (project / "kg.toml").write_text('[kg]\nmodified = "2026-01-01"\nversion = "1.0.0"\n'
                                     'keywords = "dialectics, Hegel ,  , Marx"\n', encoding="utf-8")
    assert run(project, "build").exit_code == 0
    assert run(project, "release", "1.0.0").exit_code == 0
    import yaml

    cff = yaml.safe_load((project / "releases" / "1.0.0" / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["keywords"] == ["dialectics", "Hegel", "Marx"]  # trimmed, empty entries dropped, in order
    settings = CliRunner().invoke(main, ["--root", str(project), "settings"])
    assert "keywords" in settings.output and "dialectics, Hegel" in settings.output


def test_a_release_leaves_output_fresh_and_ready_to_commit(project: Path, tmp_path: Path) -> None:
    build_and_release(project, "1.0.0")
    landing = (project / "output" / "site" / "index.html").read_text(encoding="utf-8")
    assert "releases/1.0.0/CHANGELOG.md" in landing  # the landing page lists the release just made
    fresh = tmp_path / "fresh"
    assert run(project, "build", "--output", str(fresh)).exit_code == 0
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert files(project / "output") == files(fresh)  # what `kg build` would write: nothing stale


def test_no_build_leaves_output_as_it_was(project: Path) -> None:
    set_version(project, "1.0.0")
    assert run(project, "build").exit_code == 0
    before = (project / "output" / "site" / "index.html").read_bytes()
    assert run(project, "release", "1.0.0", "--no-build").exit_code == 0
    assert (project / "output" / "site" / "index.html").read_bytes() == before
    assert b"releases/1.0.0/CHANGELOG.md" not in before


def test_a_broken_releases_index_is_named_when_the_sources_are_loaded(project: Path, tmp_path: Path) -> None:
    (project / "releases").mkdir(exist_ok=True)
    (project / "releases" / "index.json").write_text('{"releases": [{"version": "1.0.0"', encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(project), "-q", "build", "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{project / 'releases' / 'index.json'}: not a releases index" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
