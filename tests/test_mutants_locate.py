"""Finding positions, value by value (tests written against surviving mutants of kg/validation/positions.py, see
docs/testing.md): the line and column a finding names, the IRIs relative references resolve to."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.validation.positions import Anon, Place, SourceIndex, _unescape, index_files, resolve, tokenize, too_deep

BASE = "http://a/b/c/d;p?q"


@pytest.mark.parametrize(("ref", "expected"), [  # RFC 3986 §5.4.1 and §5.4.2, every example
    ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"),
    (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"), ("g;x?y#s", "http://a/b/c/g;x?y#s"),
    ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"),
    ("../", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../", "http://a/"),
    ("../../g", "http://a/g"),
    ("../../../g", "http://a/g"), ("../../../../g", "http://a/g"), ("/./g", "http://a/g"),
    ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"), ("g..", "http://a/b/c/g.."),
    ("..g", "http://a/b/c/..g"), ("./../g", "http://a/b/g"), ("./g/.", "http://a/b/c/g/"),
    ("g/./h", "http://a/b/c/g/h"), ("g/../h", "http://a/b/c/h"), ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
    ("g;x=1/../y", "http://a/b/c/y"), ("g?y/./x", "http://a/b/c/g?y/./x"), ("g?y/../x", "http://a/b/c/g?y/../x"),
    ("g#s/./x", "http://a/b/c/g#s/./x"), ("g#s/../x", "http://a/b/c/g#s/../x"), ("http:g", "http:g"),
])
def test_references_resolve_as_rfc_3986_says(ref: str, expected: str) -> None:
    assert resolve(BASE, ref) == expected


def test_resolution_corner_cases() -> None:
    assert resolve("http://a", "g") == "http://a/g"  # an authority and an empty path
    assert resolve("http://a/b", "#") == "http://a/b#"  # an empty fragment is kept
    assert resolve("http://a/b?q", "") == "http://a/b?q" and resolve("http://a/b?q", "?") == "http://a/b?"
    assert resolve("file:///x/y", "z") == "file:///x/z"
    assert resolve("http://a/b/c", "//h/./p/../q") == "http://h/q"
    assert resolve("urn:x", "http://h/a/./b/../c") == "http://h/a/c"


def test_tokens_know_their_line_and_column() -> None:
    text = '@prefix ex: <http://e/> .\n# a comment\nex:a  ex:p "x\\"y"@en , 12 ;\n   ex:q """two\nlines""" , _:b1 .'
    toks = [(t.kind, t.text, t.line, t.column) for t in tokenize(text)]
    assert toks == [
        ("lang", "@prefix", 1, 1), ("pname", "ex:", 1, 9), ("iri", "<http://e/>", 1, 13), ("punct", ".", 1, 25),
        ("pname", "ex:a", 3, 1), ("pname", "ex:p", 3, 7), ("string", '"x\\"y"', 3, 12), ("lang", "@en", 3, 18),
        ("punct", ",", 3, 22), ("number", "12", 3, 24), ("punct", ";", 3, 27),
        ("pname", "ex:q", 4, 4), ("long", '"""two\nlines"""', 4, 9), ("punct", ",", 5, 10),
        ("bnode", "_:b1", 5, 12), ("punct", ".", 5, 17),
    ]


def test_nesting_deeper_than_the_limit_is_found_where_it_opens() -> None:
    assert too_deep("[ [ ] ]", 2) is None and too_deep("( [ ( ) ] )", 3) is None
    assert too_deep("x\n  [ [\n [ ] ] ]", 2) == (3, 2)
    assert too_deep('"[[[" [ ]', 1) is None  # brackets inside a string do not nest
    assert too_deep("[ ] [ ] [ ]", 1) is None and too_deep("((", 1) == (1, 2)


def test_string_escapes_are_decoded() -> None:
    assert _unescape(r"a\tb\nc\rd\be\ff\"g\'h\\i") == "a\tb\nc\rd\be\ff\"g'h\\i"
    assert _unescape(r"\u00E9\U0001F600\u00e9") == "é😀é"
    assert _unescape(r"\q") == "q" and _unescape("plain") == "plain"


def test_statements_name_the_predicate_and_each_object() -> None:
    path = Path("data/x.ttl")
    text = ("@prefix ex: <http://e/> .\n"
            "ex:a ex:p ex:b , ex:c ;\n"
            "    ex:q\n"
            "        \"v\"^^ex:t ;\n"
            "    ex:r [ ex:s 1.5 ] ;\n"
            "    a ex:K .\n")
    index = index_files({path: text})
    a = URIRef("http://e/a")
    found = {(str(s.predicate), str(s.object)): (s.at.line, s.at.column, s.object_at.line, s.object_at.column)
             for s in index.find(a)}
    assert found[("http://e/p", "http://e/b")] == (2, 6, 2, 11)
    assert found[("http://e/p", "http://e/c")] == (2, 6, 2, 18)
    assert found[("http://e/q", "v")] == (3, 5, 4, 9)
    assert found[(str(RDF.type), "http://e/K")] == (6, 5, 6, 7)
    [lit] = [s.object for s in index.find(a, URIRef("http://e/q"))]
    assert lit == Literal("v", datatype=URIRef("http://e/t"))
    [blank] = [s for s in index.find(a, URIRef("http://e/r"))]
    assert isinstance(blank.object, Anon) and index.parents[blank.object] == blank
    [inner] = index.find(blank.object)
    assert (inner.predicate, inner.object, inner.object_at.line, inner.object_at.column) == (
        URIRef("http://e/s"), Literal("1.5", datatype=XSD.decimal), 5, 17)
    assert index.blocks[a] == [Place(path, 2, 1)]
    assert index.source_line(Place(path, 2, 1)) == "ex:a ex:p ex:b , ex:c ;"
    assert index.source_line(Place(path, 0, 1)) == "" and index.source_line(Place(path, 99, 1)) == ""
    assert index.source_line(Place(Path("other.ttl"), 1, 1)) == ""
    assert len(list(index.all_statements())) == 6


def test_relative_iris_resolve_against_the_base() -> None:
    index = SourceIndex()
    index.add_file(Path("x.ttl"), "@base <http://h/a/b> .\n<c> <../p> <#o> .\n", base="http://ignored/")
    [st] = index.all_statements()
    assert (st.subject, st.predicate, st.object) == (URIRef("http://h/a/c"), URIRef("http://h/p"), URIRef("http://h/a/b#o"))


def test_a_list_as_subject_has_its_block_where_it_opens() -> None:
    path = Path("l.ttl")
    index = index_files({path: "@prefix ex: <http://e/> .\n\n  ( ex:a ex:b ) ex:p ex:o .\n"})
    [(subject, places)] = [(s, p) for s, p in index.blocks.items() if isinstance(s, Anon)]
    assert places == [Place(path, 3, 3)]
    assert [(st.predicate, st.object) for st in index.find(subject, URIRef("http://e/p"))] == [
        (URIRef("http://e/p"), URIRef("http://e/o"))]


def test_dot_segments_of_a_reference_with_a_scheme_are_removed() -> None:
    assert resolve(BASE, "http:./g") == "http:g" and resolve(BASE, "http:../g") == "http:g"
    assert resolve(BASE, "http:..") == "http:" and resolve(BASE, "http:.") == "http:"


def test_the_nesting_check_counts_the_tokenizers_brackets_on_generated_texts() -> None:
    """``too_deep`` reads the brackets of ``tokenize``'s punctuation tokens only (not those inside
    strings, IRIs, comments or escaped in a local name), and names the token's line and column."""
    import random

    def by_tokens(text: str, limit: int) -> tuple[int, int] | None:
        depth = 0
        for tok in tokenize(text):
            if tok.kind == "punct" and tok.text in "[(":
                depth += 1
                if depth > limit:
                    return tok.line, tok.column
            elif tok.kind == "punct" and tok.text in "])":
                depth -= 1
        return None

    rng = random.Random(5)
    pieces = ["[", "(", "]", ")", " ", "\n", '"[("', "'(('", '"""[\n("""', "<http://x.org/a(b[>", "# [ ( [\n",
              "ex:a\\(b", "ex:c", "_:b(", "1.5", ";", ".", ",", "a", "\\", '"', "@en", "^^"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        limit = rng.randrange(0, 5)
        assert too_deep(text, limit) == by_tokens(text, limit), (text, limit)


def test_the_nesting_check_of_well_formed_files_needs_no_tokenizer() -> None:
    """The project's Turtle files (strings with escapes, comments, IRIs) are read by the small
    pattern alone; a backslash outside them (a local name's escape) sends the text to the tokenizer,
    whose brackets it then counts (``ex:a\\(`` is no bracket)."""
    from kg.validation import positions

    root = Path(__file__).resolve().parent.parent
    files = [p for part in ("data", "shapes", "ontology") for p in (root / part).rglob("*.ttl")]
    assert len(files) >= 8
    positions._token.cache_clear()
    for p in files:
        too_deep(p.read_text(encoding="utf-8"), 0)
    assert positions._token.cache_info().currsize == 0
    assert too_deep("ex:a\\( [ ( ", 1) == (1, 10)
    assert positions._token.cache_info().currsize == 1
    assert too_deep("ex:a\\( [ ( ", 2) is None
