"""Content negotiation and the query's canonical text, value by value (tests written against
surviving mutants of kg/server/negotiate.py and kg/sparql.py, see docs/testing.md): which format a
client gets for its Accept header, and what the policy says about an escape."""
from __future__ import annotations

import pytest

from kg.server.negotiate import graph_format, media_type, negotiate, parse_accept, result_format
from kg.sparql import MalformedQuery, canonical


def test_accept_headers_are_parsed_with_q_values() -> None:
    assert parse_accept(None) == [("*/*", 1.0, 0)] == parse_accept("  ") == parse_accept(",")
    assert parse_accept("Text/CSV;Q=0.5 , application/json;charset=utf-8;q=2, text/xml;q=x, ;q=1, a/b;q=-1") == [
        ("text/csv", 0.5, 0), ("application/json", 1.0, 1), ("text/xml", 0.0, 2), ("a/b", 0.0, 4)]


@pytest.mark.parametrize(("accept", "fmt"), [
    (None, "json"), ("*/*", "json"), ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("application/xml", "xml"), ("text/*", "xml"),  # text/xml is offered before text/csv
    ("text/csv;q=0, */*;q=0.1", "json"), ("text/csv;q=0", None), ("text/*;q=0.9, text/csv;q=0", "xml"),
    ("text/csv;q=0.4, application/json;q=0.5", "json"), ("application/json;q=0.5, text/csv;q=0.5", "json"),
    ("text/csv, application/json", "json"),  # a tie: the server's order of preference
    ("text/csv;q=1, text/*;q=0.1", "csv"), ("text/*;q=1, text/csv;q=0.2", "xml"),
    ("image/png", None), ("application/sparql-results+json;q=0.001", "json"),
    ("application/sparql-results+json;q=0, application/json", "json"),  # the format's other media type
])
def test_result_formats_are_negotiated(accept: str | None, fmt: str | None) -> None:
    assert result_format(accept) == fmt


def test_graph_formats_and_media_types() -> None:
    assert graph_format(None) == "turtle" and graph_format("text/plain") == "ntriples"
    assert graph_format("application/ld+json, text/turtle;q=0.9") == "jsonld"
    assert graph_format("application/rdf+xml") == "rdfxml" and graph_format("text/csv") is None
    assert media_type("csv") == "text/csv; charset=utf-8" and media_type("json") == "application/sparql-results+json; charset=utf-8"
    assert media_type("xml") == "application/sparql-results+xml" and media_type("rdfxml") == "application/rdf+xml"
    assert media_type("html") == "text/html; charset=utf-8" and media_type("turtle") == "text/turtle; charset=utf-8"
    with pytest.raises(KeyError):
        media_type("pdf")
    offers = {"a": ("x/a", ("x/a",)), "b": ("x/b", ("x/b",))}
    assert negotiate("x/*", offers) == "a" and negotiate("x/b, x/*;q=1", offers) == "b"


def test_escapes_are_decoded_once_and_suspicious_ones_refused() -> None:
    assert canonical(r'SELECT * { ?s ?p "\u0041\U0001F600" }') == 'SELECT * { ?s ?p "A😀" }'
    assert canonical("ASK {}") == "ASK {}" and canonical(r'ASK { FILTER("\\n") }') == r'ASK { FILTER("\\n") }'
    with pytest.raises(MalformedQuery, match=r"invalid codepoint escape '\\\\uD800' at 2:3") as err:
        canonical("ASK\n  \\uD800 {}")
    with pytest.raises(MalformedQuery, match=r"invalid codepoint escape '\\\\uD800' at 1:5"):  # not the last line
        canonical("ASK \\uD800\n{\n}")
    assert err.value.code == "malformed_query"
    with pytest.raises(MalformedQuery, match=r"invalid codepoint escape '\\\\U00110000' at 1:1"):
        canonical("\\U00110000")
    with pytest.raises(MalformedQuery, match=r"invalid codepoint escape '\\\\u0000' at 1:5"):
        canonical("ASK \\u0000")
    with pytest.raises(MalformedQuery, match=r"the query contains a NUL character at 1:5"):
        canonical("ASK \x00")
    with pytest.raises(MalformedQuery, match=r"still holds the escape '\\\\u0022' at 1:8") as err:
        canonical("ASK { \"\\u005Cu0022\" }")
    assert err.value.hint.startswith("Write the character itself")
    assert canonical("\\uDFFF".replace("DFFF", "E000")) == "\ue000" and canonical("\\uD7FF") == "\ud7ff"


def test_survivors_of_the_query_group() -> None:
    from kg.sparql import check_query

    assert check_query("ASK {}").has_from is False and check_query("ASK {}").form == "ASK"
    # a refused media type does not end the search among the offer's other media types
    assert result_format("application/sparql-results+json;q=0, application/json") == "json"
    with pytest.raises(KeyError, match="pdf"):
        media_type("pdf")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { _:b ?p ?o }",                      # a blank node label (not a fast-path token)
    'ASK { ?s ?p "x"@en-GB }',                           # a language tag
    "SELECT * WHERE { ?s ?p ?o FILTER(?o > 9e3) }",      # a number the fast path leaves to the slow one
    "SELECT * WHERE { ?s ?p 9.5e-1 }",
])
def test_terms_the_fast_path_leaves_are_allowed_on_both_paths(query: str) -> None:
    from kg.sparql import check_query, tokens

    for fast in (True, False):
        assert check_query(query, _fast_path=fast).form in ("SELECT", "ASK")
    kinds = {t.kind for t in tokens(query)}
    assert kinds & {"bnode", "langtag", "number"}


def test_a_prefix_declaration_does_not_end_the_check() -> None:
    from kg.sparql import PolicyError, check_query

    for query, code in [("PREFIX ex: <http://e/> SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                         "service_refused"),
                        ("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }", "update_refused"),
                        ("BASE <http://e/> PREFIX ex: <g> SELECT * FROM ex: WHERE { ?s ?p ?o }", "unknown_graph")]:
        with pytest.raises(PolicyError) as err:
            check_query(query)
        assert err.value.code == code
    # the declared prefix and base are used to resolve FROM: <http://e/g> is the store's graph here
    assert check_query("BASE <http://e/> PREFIX ex: <g> SELECT * FROM ex: WHERE { ?s ?p ?o }", ["http://e/g"]).has_from


def test_policy_refusals_name_what_and_say_what_to_do() -> None:
    from kg.sparql import PolicyError, check_query

    with pytest.raises(PolicyError) as err:
        check_query("SELECT * WHERE { servicex:a ?p ?o }")
    assert err.value.code == "service_refused"
    assert str(err.value) == ("'servicex:a' is read by the engine as SERVICE followed by a name: federated queries "
                              "(SERVICE) are not allowed")
    assert err.value.hint == ("Query the other endpoint yourself and combine the results. "
                              "Rename a prefix that contains 'service'.")
    with pytest.raises(PolicyError) as err:
        check_query("SELECT * FROM")
    assert (err.value.code, str(err.value)) == ("unknown_graph", "FROM without a graph IRI")
    assert err.value.hint.startswith("Name one of the store's graphs")
    with pytest.raises(PolicyError) as err:
        check_query("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")
    assert (err.value.code, str(err.value)) == (
        "unknown_graph", "FROM NAMED <http://127.0.0.1:9/g> is not allowed: only the graphs this store holds can be "
                         "named (no remote graph is fetched)")
    assert err.value.hint.startswith("Name one of the store's graphs")


def test_two_character_operators_are_one_token_on_the_slow_path() -> None:
    from kg.sparql import check_query, tokens

    query = 'ASK { FILTER(1 != 2 && (1 >= 1 || 1 <= 1) && "1"^^<http://www.w3.org/2001/XMLSchema#int> = 1) }'
    assert check_query(query, _fast_path=False).form == "ASK" == check_query(query).form
    assert [t.text for t in tokens(query) if t.kind == "punct"] == ["!=", "&&", ">=", "||", "<=", "&&", "^^", "="]


def test_every_token_has_its_kind() -> None:
    """``tokens`` gives each terminal with its kind: ``<`` as less-than (no IRI follows), a
    language tag, a blank node, a number that starts with a dot (here the last token)."""
    from kg.sparql import Token, tokens

    assert tokens('ASK { ?s ?p "x"@en . _:b ?q ?o FILTER(?a < ?b && ?c <= 1) } LIMIT .5') == [
        Token("word", "ASK"), Token("open", "{"), Token("var", "?s"), Token("var", "?p"), Token("string", '"x"'),
        Token("langtag", "@en"), Token("punct", "."), Token("bnode", "_:b"), Token("var", "?q"), Token("var", "?o"),
        Token("word", "FILTER"), Token("open", "("), Token("var", "?a"), Token("punct", "<"), Token("var", "?b"),
        Token("punct", "&&"), Token("var", "?c"), Token("punct", "<="), Token("number", "1"), Token("close", ")"),
        Token("close", "}"), Token("word", "LIMIT"), Token("number", ".5")]


def test_an_update_is_refused_saying_what_to_send() -> None:
    from kg.sparql import PolicyError, check_query

    with pytest.raises(PolicyError) as err:
        check_query("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    assert (err.value.code, str(err.value)) == ("update_refused",
                                                "updates are not allowed here (INSERT): the graph is read-only")
    assert err.value.hint == "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query."


def test_a_question_mark_path_modifier_is_one_token() -> None:
    """``?`` that starts no variable (the zero-or-one path modifier) is one punctuation token, on
    both paths, and the scan goes on after it."""
    from kg.sparql import PolicyError, Token, check_query, tokens

    query = "SELECT * WHERE { ?s <http://e/p>? ?o }"
    for fast in (True, False):
        assert check_query(query, _fast_path=fast).form == "SELECT"
        with pytest.raises(PolicyError):
            check_query("SELECT * WHERE { ?s <http://e/p>? ?o SERVICE <http://e/> { } }", _fast_path=fast)
    assert tokens(query)[5:8] == [Token("iri", "<http://e/p>"), Token("punct", "?"), Token("var", "?o")]
