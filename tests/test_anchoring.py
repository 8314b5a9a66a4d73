"""Anchoring evidence in the essay's text, checked by value: every published anchor's exact, prefix,
suffix, start and end agree with source.txt (anchors in the first and last 32 characters too);
ambiguous evidence (overlapping occurrences included) stops `kg build` and is a finding of
`kg validate`; a mention never matches inside a longer word."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.text import Span, find_mentions, find_passage

OA = "http://www.w3.org/ns/oa#"
ESSAY = "data/essays/mini/essay.ttl"
TEXT = "data/essays/mini/source.txt"


def anchors(output: Path) -> dict[str, dict[str, str]]:
    """{anchor IRI: {exact, prefix, suffix, start, end}} read back from the published N-Triples."""
    store = ox.Store()
    store.load(path=str(output / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)
    q = (f"SELECT ?a ?exact ?prefix ?suffix ?start ?end WHERE {{ ?a <{OA}hasSelector> ?q, ?p . "
         f"?q <{OA}exact> ?exact ; <{OA}prefix> ?prefix ; <{OA}suffix> ?suffix . "
         f"?p <{OA}start> ?start ; <{OA}end> ?end }}")
    return {row["a"].value: {k: row[k].value for k in ("exact", "prefix", "suffix", "start", "end")}
            for row in store.query(q)}


def run(root: Path, *args: str):  # noqa: ANN202
    return CliRunner().invoke(main, ["--root", str(root), "-q", *args])


def test_every_anchor_agrees_with_the_text_including_at_its_ends(built_mini: Path) -> None:
    text = (built_mini / TEXT).read_text(encoding="utf-8")
    found = anchors(built_mini / "output")
    assert len(found) >= 8
    for iri, a in found.items():
        start, end = int(a["start"]), int(a["end"])
        assert iri.endswith(f"/anchor/mini/{start}-{end}")
        assert a["exact"] == text[start:end]
        assert a["prefix"] == text[max(0, start - 32):start], iri  # 32 characters, fewer at the start
        assert a["suffix"] == text[end:end + 32], iri
    starts = {int(a["start"]): a for a in found.values()}
    # the title at offset 0 has an empty prefix; "-[.J. Arthur" (offset 27) has the 27 characters before it
    assert starts[0]["prefix"] == "" and starts[0]["exact"].startswith("‘The Revolution Betrayed’")
    arthur = text.index("-[.J. Arthur")
    assert arthur < 32 and starts[arthur]["prefix"] == text[:arthur] == "‘The Revolution Betrayed’\n\n"
    assert starts[1]["prefix"] == "‘"  # the mention "The Revolution Betrayed" inside the title's quotes
    last = max(found.values(), key=lambda a: int(a["end"]))
    assert len(text) - int(last["end"]) < 32 and last["suffix"] == text[int(last["end"]):]


def test_passages_are_found_with_overlapping_occurrences() -> None:
    assert find_passage("ha ha ha", "ha ha") == [Span(0, 5), Span(3, 8)]
    assert find_passage("xaaax", "aa") == [Span(1, 3), Span(2, 4)]
    assert find_passage("one  two\nthree", "two three") == [Span(5, 14)]  # any white space run matches
    assert find_passage("abc", " \n ") == [] and find_passage("abc", "abd") == []


def test_a_mention_never_matches_inside_a_longer_word() -> None:
    text = "State: Statehood, Stateless, the States, a State. Workers’ State"
    assert [text[s.start:s.end] for s in find_mentions(text, "State")] == ["State", "State", "State"]
    assert [s.start for s in find_mentions(text, "State")] == [0, 43, 59]
    assert find_mentions("the Statesman", "State") == [] and find_mentions("reState", "State") == []
    assert find_mentions("ha ha ha", "ha ha") == [Span(0, 5), Span(3, 8)]


def test_mentions_inside_longer_words_get_no_anchor_in_the_build(project: Path) -> None:
    text_path = project / TEXT
    before = text_path.read_text(encoding="utf-8")
    text_path.write_text(before + "Statehood and the Stateless, statewide.\n", encoding="utf-8")
    assert run(project, "build").exit_code == 0
    found = anchors(project / "output")
    state = [a for a in found.values() if a["exact"] == "State"]
    assert [int(a["start"]) for a in state] == [before.index("State is ambiguous")]


@pytest.mark.parametrize("passage,why", [
    ("Trotsky", "occurs more than once"),  # "Trotsky wrote it; Trotsky’s critics"
    ("ha ha", "occurs more than once"),  # only overlapping occurrences, in "ha ha ha"
])
def test_ambiguous_evidence_fails_the_build_and_validate(project: Path, passage: str, why: str) -> None:
    (project / TEXT).write_text((project / TEXT).read_text(encoding="utf-8") + "ha ha ha\n", encoding="utf-8")
    essay = project / ESSAY
    ttl = essay.read_text(encoding="utf-8")
    essay.write_text(ttl.replace('kgo:evidence "has still not been superseded"', f'kgo:evidence "{passage}"'),
                     encoding="utf-8")
    line = next(n for n, text in enumerate(essay.read_text(encoding="utf-8").splitlines(), 1) if f'kgo:evidence "{passage}"' in text)

    built = run(project, "build")
    assert built.exit_code == 2, built.output
    assert f"evidence '{passage}' of <https://w3id.org/arthur-kg/id/claim/still-not-superseded>: {why}" in built.output
    assert not (project / "output").exists()

    validated = run(project, "validate")
    assert validated.exit_code == 1, validated.output
    finding = next(x for x in validated.output.splitlines() if "occurs more than once" in x)
    assert finding.endswith(f"{ESSAY}:{line}:18: violation: The kgo:evidence passage occurs more than once in the essay's "
                            "text (mini/source.txt); make it longer so that it occurs once. [kgs:EvidenceShape]"), finding
