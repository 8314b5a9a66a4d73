"""kg.store.load_published: the store every query runs on holds the TriG's named graphs as they are,
and as its default graph their merge, each triple once, the blank nodes the graphs share one node."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.store import OxigraphStore, load_published

TRIG = """@prefix ex: <http://example.org/> .
ex:fact ex:in ex:default .
GRAPH ex:g1 {
  ex:trotsky ex:name "Trotsky" .
  ex:trotsky ex:wrote _:book .
  _:book ex:title "The Revolution Betrayed"@en .
}
GRAPH ex:g2 {
  ex:trotsky ex:name "Trotsky" .
  _:book ex:cited true .
  _:book ex:title "The Revolution Betrayed"@en .
  _:other ex:title "Their Morals and Ours"@en .
}
"""


def _quads(store: ox.Store, graph) -> set:  # noqa: ANN001
    return {q.triple for q in store.quads_for_pattern(None, None, None, graph)}


def test_the_default_graph_is_the_merge_of_the_named_graphs_each_triple_once(tmp_path: Path) -> None:
    path = tmp_path / "dataset.trig"
    path.write_text(TRIG, encoding="utf-8")
    store = load_published(path)
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    named = _quads(store, g1) | _quads(store, g2)
    default = _quads(store, ox.DefaultGraph())
    fact = ox.Triple(ox.NamedNode("http://example.org/fact"), ox.NamedNode("http://example.org/in"),
                     ox.NamedNode("http://example.org/default"))
    assert len(_quads(store, g1)) == 3 and len(_quads(store, g2)) == 4  # the graphs as written
    assert default == named | {fact}
    assert len(default) == 6  # the shared name and title once: 3 + 4 - 2 + the file's own default triple
    # the book of g1 is the node g2 says is cited: one blank node in the merge, as in the file
    books = {t.subject for t in default if isinstance(t.subject, ox.BlankNode)}
    assert len(books) == 2
    title = ox.NamedNode("http://example.org/title")
    cited = next(t.subject for t in default if t.predicate == ox.NamedNode("http://example.org/cited"))
    assert any(t.subject == cited and t.predicate == title for t in default)
    # and a query's default graph is that merge (what `kg query` and the endpoint count)
    assert len(OxigraphStore(store)) == 6  # not the named graphs' 7 quads
    rows = OxigraphStore(store).query("SELECT ?t WHERE { ?b <http://example.org/cited> true ; "
                                      "<http://example.org/title> ?t }").values()
    assert rows == [{"t": "The Revolution Betrayed"}]
