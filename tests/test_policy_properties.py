"""The query policy (kg/sparql.py) against generated queries (hypothesis) and against the two
readers that matter: rdflib's SPARQL algebra and the engine itself (pyoxigraph, run *without* the
sandbox here, with SERVICE aimed at a loopback listener that counts connections).

Generated: strings of all four kinds with escapes (ECHAR and \\u escapes that spell quotes), comments,
IRIs, prefixed names with every PN_LOCAL_ESC and PERCENT, keywords in any case or spelt with \\u
escapes, whitespace, nested groups around SERVICE / FROM / updates. The property: an allowed query
(run as its canonical text, as the server and `kg query` do) never reaches the listener and holds
no SERVICE or remote FROM in rdflib's algebra; a query refused for SERVICE or a graph, when the
engine can parse it, does reach out (listener) or names a remote graph (algebra)."""
from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql import parser
from rdflib.plugins.sparql.algebra import translateQuery, traverse

from kg.sparql import MAX_DEPTH, MalformedQuery, PolicyError, canonical, check_query, tokens
from policyutil import Listener

LOCAL = "https://w3id.org/arthur-kg/graph/ontology"
# bounded and repeatable in CI; no shrinking (a failure is printed as generated)
SETTINGS = settings(max_examples=250, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def listener():
    with Listener() as lst:
        yield lst


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    """Every generated triple pattern (``?s PREDICATE ?o``) has a solution, in the default graph and
    in LOCAL, so that the engine evaluates the SERVICE next to it (it skips one joined with nothing)."""
    store = ox.Store()
    s, o = ox.NamedNode("http://example.org/s"), ox.Literal("o")
    for pred in PREDICATES:
        iri = next(iter(store.query(f"PREFIX ex: <http://example.org/> SELECT ?p {{ BIND({pred} AS ?p) }}",
                                    base_iri="https://w3id.org/arthur-kg/graph/")))[0]
        for g in (ox.DefaultGraph(), ox.NamedNode(LOCAL)):
            store.add(ox.Quad(s, iri, o, g))
    return store


# --- generators -------------------------------------------------------------------------------
def spelt(word: str) -> st.SearchStrategy[str]:
    """A keyword in any case, some letters written as \\u / \\U escapes (upper or lower hex)."""
    def letter(c: str) -> st.SearchStrategy[str]:
        return st.one_of(st.just(c.lower()), st.just(c.upper()),
                         st.sampled_from([f"\\u{ord(c):04X}", f"\\u{ord(c):04x}", f"\\U{ord(c):08X}"]))
    return st.tuples(*[letter(c) for c in word]).map("".join)


SEP = st.sampled_from([" ", "  ", "\n", "\t", "\r\n", " #SERVICE <x> { }\n", "#}\n", ""])
WS = st.sampled_from([" ", "\n", "\t", " # comment { SERVICE\n"])


def string_literal() -> st.SearchStrategy[str]:
    pieces = st.lists(st.sampled_from([
        "a", " ", "#", "{", "}", "<", ">", "SERVICE <http://x/> { }", "\\\\", "\\t", "\\n", '\\"', "\\'",
        "\\u0022", "\\u0027", "\\u005C", "\\u005Cu0022", "é", "\\U0001F600", ":", "?x"]), max_size=6).map("".join)

    def build(q: str, body: str) -> str:
        if len(q) == 1:
            body = body.replace(q, "\\" + q)
        return q + body + q
    return st.builds(build, st.sampled_from(['"', "'", '"""', "'''"]), pieces)


PREDICATES = ["ex:a", "ex:a\\#", "ex:a\\#b", "ex:a\\.b", "ex:a\\~\\-\\!\\$\\&\\'\\(\\)\\*\\+\\,\\;\\=\\/\\?\\#\\@\\_",
              "ex:%41b", "ex:a.b", "ex:1", "ex:a:b", "ex:", "<http://example.org/p>", "<http://example.org/a#b>",
              "<http://example.org/\\u0053ERVICE>", "<rel>", "<>"]
# (``ex:a\\%`` is a token; its IRI, ending in a lone %, is one the engine refuses)
PNAME = st.sampled_from([p for p in PREDICATES if not p.startswith("<")] + [":a", "ex:a\\\\", "ex:a\\%25"])
IRI = st.sampled_from([p for p in PREDICATES if p.startswith("<")])
TERM = st.one_of(PNAME, IRI, string_literal(), st.sampled_from(["?o", "$o", "1", "1.5", ".5e3", "true", "_:b"]))


def service(port: int) -> st.SearchStrategy[str]:
    target = st.sampled_from([f"<http://127.0.0.1:{port}/x>", f"<http://127.0.0.1\\u003A{port}/x>", ":x", "r:x"])
    return st.builds(lambda kw, sil, sep, t: f"{kw}{sil}{sep}{t} {{ ?s ?p ?o }}",
                     spelt("SERVICE"), st.sampled_from(["", " SILENT", " silent"]), SEP, target)


def item(port: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda t: f"BIND({t} AS ?v)", TERM),
        st.builds(lambda p: f"?s {p} ?o .", st.sampled_from(PREDICATES)),
        st.sampled_from(["# a comment\n", "FILTER(true)", "{ }"]),
    )


def group(port: int) -> st.SearchStrategy[str]:
    # SERVICE first in its group: Oxigraph skips a SERVICE whose left side has no solution, and
    # the oracle needs the engine to try it
    noise = st.lists(st.tuples(item(port), WS), max_size=3).map(lambda xs: "".join(a + b for a, b in xs))
    body = st.builds(lambda svc, sep, rest: svc + sep + rest, st.one_of(st.just(""), service(port)), SEP, noise)
    wrap = st.sampled_from(["{x}", "OPTIONAL { {x} }", "{ { {x} } }", "FILTER EXISTS { {x} }", "MINUS { {x} }",
                            "{ SELECT * WHERE { {x} } }", "GRAPH ?g { {x} }", "{ {x} } UNION { }"])
    return st.builds(lambda w, b: w.replace("{x}", b), wrap, body)


def dataset() -> st.SearchStrategy[str]:
    target = st.sampled_from([f"<{LOCAL}>", "<http://127.0.0.1:9/g>", "g:ontology", "r:g", "<ontology>"])
    # with FROM NAMED alone the default graph is empty and the engine would skip the SERVICE
    # joined with it: a FROM of the local graph keeps the default graph full
    return st.one_of(st.just(""), st.builds(lambda kw, named, t: (f"FROM <{LOCAL}> " if named else "") + f"{kw}{named} {t} ",
                                             spelt("FROM"), st.sampled_from(["", " NAMED", " named", " NaMeD"]), target))


def query(port: int) -> st.SearchStrategy[str]:
    prologue = (f"PREFIX : <http://127.0.0.1:{port}/> PREFIX r: <http://127.0.0.1:{port}/> "
                "PREFIX ex: <http://example.org/> PREFIX g: <https://w3id.org/arthur-kg/graph/> ")
    base = st.sampled_from(["", "BASE <https://w3id.org/arthur-kg/graph/> "])
    return st.builds(lambda b, sel, d, g: prologue + b + f"{sel} * {d}WHERE {{ {g} }}",
                     base, spelt("SELECT"), dataset(), group(port))


# --- oracles ------------------------------------------------------------------------------------
def rdflib_danger(text: str) -> bool | None:
    """Does rdflib's algebra hold SERVICE or a dataset clause of a graph other than LOCAL? None
    when rdflib cannot parse the text."""
    try:
        parsed = parser.parseQuery(text)
        algebra = translateQuery(parsed)
    except Exception:  # noqa: BLE001 - rdflib raises many kinds
        return None
    found = []
    traverse(algebra.algebra, lambda node: found.append(node) if getattr(node, "name", None) == "ServiceGraphPattern" else None)
    # (a CompValue's get() answers the key itself when it is missing: test membership)
    graphs = [str(d["default"] if "default" in d else d["named"]) for d in (getattr(parsed[1], "datasetClause", None) or [])]
    return bool(found) or any(g != LOCAL for g in graphs)


def engine_run(store: ox.Store, listener: Listener, text: str) -> tuple[bool, bool]:
    """(the engine parsed the text, the engine reached the listener), running it unsandboxed."""
    before = listener.connections
    try:
        res = store.query(text, base_iri="https://w3id.org/arthur-kg/graph/")
        if not isinstance(res, ox.QueryBoolean):
            list(res)
    except SyntaxError:
        return False, listener.connections > before
    except (OSError, ValueError, RuntimeError):
        pass
    return True, listener.connections > before


def verdict(text: str, fast: bool = True) -> str:
    try:
        check_query(text, [LOCAL], base_iri=None, _fast_path=fast)
    except (PolicyError, MalformedQuery) as exc:
        return exc.code
    return "allowed"


# --- properties ---------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_generated_queries_refused_exactly_when_they_reach_out(listener: Listener, engine: ox.Store, data) -> None:
    text = data.draw(query(listener.port))
    got = verdict(text)
    assert verdict(text, fast=False) == got, "the fast path and the slow path disagree"
    try:
        canon = canonical(text)
    except MalformedQuery:
        assert got == "malformed_query"
        return
    parsed, reached = engine_run(engine, listener, canon)
    danger = rdflib_danger(canon)
    if got == "allowed":
        assert not reached, f"allowed, and the engine reached the listener: {text!r}"
        assert not danger, f"allowed, and rdflib's algebra holds SERVICE or a remote FROM: {text!r}"
    elif got in ("service_refused", "unknown_graph") and parsed:
        assert reached or danger, f"refused ({got}) though neither the engine nor rdflib reaches out: {text!r}"
    elif got == "malformed_query":
        assert not parsed, f"refused as malformed, though the engine parses its canonical text: {text!r}"


@SETTINGS
@given(data=st.data())
def test_generated_updates_are_refused(data) -> None:
    kw = data.draw(st.sampled_from(["INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"]))
    text = data.draw(st.builds(lambda pre, k, rest: pre + k + " " + rest,
                               st.sampled_from(["", "PREFIX ex: <http://example.org/> ", "# c\n", "\n"]),
                               spelt(kw), st.sampled_from(["DATA { <a> <b> <c> }", "<http://127.0.0.1:9/x>", "ALL"])))
    with pytest.raises(PolicyError) as info:
        check_query(text, [LOCAL])
    assert info.value.code == "update_refused"


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("SERVICEselect{}()[]<>\"'#\\u0022:?$_.@ \n\tab1")), max_size=60))
def test_any_text_fast_and_slow_paths_agree(text: str) -> None:
    assert verdict(text) == verdict(text, fast=False)


# --- the spellings of issue 12 and the grammar's corners ---------------------------------------
def test_the_three_issue_spellings_never_run_service(listener: Listener, engine: ox.Store) -> None:
    url = f"http://127.0.0.1:{listener.port}/x"
    for text in (f'SELECT * WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{url}> {{ ?s ?p ?o }} BIND("\\u0022" AS ?b) }}',
                 f"SELECT * WHERE {{ BIND('\\u0027' AS ?a) SERVICE <{url}> {{ ?s ?p ?o }} BIND('\\u0027' AS ?b) }}",
                 f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:a\\# ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}"):
        assert engine_run(engine, listener, text)[1], "the raw text reaches the listener (the bug)"
        try:
            info = check_query(text)
        except PolicyError as exc:
            assert exc.code == "service_refused"
            continue
        # allowed only as its canonical text, in which SERVICE sits inside a long string
        assert '"""' in info.query or "'''" in info.query
        assert engine_run(engine, listener, info.query) == (True, False)


def test_prefixed_name_escapes_are_not_comments() -> None:
    assert [t.text for t in tokens("?s ex:a\\# ?o")] == ["?s", "ex:a\\#", "?o"]
    assert [t.text for t in tokens("?s ex:a# ?o")] == ["?s", "ex:a"]
    assert [t.kind for t in tokens("ex:%41.b. ")] == ["pname", "punct"]


def test_an_escape_that_spells_an_escape_is_refused() -> None:
    with pytest.raises(MalformedQuery, match="still holds the escape"):
        check_query('SELECT * WHERE { BIND("\\u005Cu0022" AS ?a) }')
    with pytest.raises(MalformedQuery, match="invalid codepoint"):
        check_query("SELECT * WHERE { ?s ?p '\\uD800' }")
    assert canonical("\\u0053ELECT") == "SELECT"


@pytest.mark.parametrize("text", ["SELECT * WHERE { SERVICE:x { } }", "SELECT * WHERE { SERVICEex:x { } }",
                                  "SELECT * WHERE { ?s ?p trueSERVICE:x { } }", "SELECT * WHERE { ?s ?p 1SERVICE:x {} }",
                                  "SELECT * WHERE { SERVICESILENT:x {} }"])
def test_keywords_glued_to_names_are_read_as_oxigraph_reads_them(text: str) -> None:
    with pytest.raises(PolicyError) as info:
        check_query(text)
    assert info.value.code == "service_refused"


@pytest.mark.parametrize("text", ["select * from <http://127.0.0.1:9/g> where { }",
                                  "SELECT * From <http://127.0.0.1:9/g> WHERE { }",
                                  "select * from named <http://127.0.0.1:9/g> where { }",
                                  "SELECT * fRoM nAmEd <http://127.0.0.1:9/g> WHERE { }",
                                  "PREFIX r: <http://127.0.0.1:9/> SELECT * from r:g { }",
                                  "BASE <http://127.0.0.1:9/> SELECT * FROM <ontology> { }"])
def test_remote_from_in_any_case_is_refused(text: str) -> None:
    with pytest.raises(PolicyError) as info:
        check_query(text, [LOCAL])
    assert info.value.code == "unknown_graph"


@pytest.mark.parametrize("text", [f"SELECT * FROM NAMED <{LOCAL}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                                  f"select * from named <{LOCAL}> where {{ }}",
                                  "PREFIX g: <https://w3id.org/arthur-kg/graph/> SELECT * FROM NAMED g:ontology { }",
                                  "BASE <https://w3id.org/arthur-kg/graph/> SELECT * FROM <ontology> { }"])
def test_local_from_named_is_allowed(text: str) -> None:
    info = check_query(text, [LOCAL])
    assert info.has_from and info.form == "SELECT"


def test_nesting_is_limited_before_the_engine() -> None:
    ok = "SELECT * WHERE " + "{" * MAX_DEPTH + "}" * MAX_DEPTH
    assert check_query(ok).depth == MAX_DEPTH
    for opener, closer in (("{", "}"), ("(", ")"), ("[", "]")):
        deep = "SELECT * WHERE { FILTER" + opener * MAX_DEPTH + "1" + closer * MAX_DEPTH + " }"
        with pytest.raises(MalformedQuery) as info:
            check_query(deep)
        assert info.value.code == "nesting_too_deep"
        assert f"more than {MAX_DEPTH} deep" in str(info.value)
    # NIL and ANON are terminals, not nesting
    assert check_query("SELECT * WHERE { ?s ?p () . ?s ?p [] } " + "VALUES ?x { () }" * 3).depth == 1


@pytest.mark.parametrize("text,where", [("SELECT * WHERE {\x0c}", "1:17"), ("SELECT * WHERE {\u00a0}", "1:17"),
                                        ("SELECT * WHERE { ~ }", "1:18"), ("SELECT *\nWHERE { \\ }", "2:9"),
                                        ('SELECT * WHERE { "abc }', "1:18"), ("SELECT * WHERE { 'a\\q' }", "1:18")])
def test_what_is_no_sparql_token_is_refused_with_its_position(text: str, where: str) -> None:
    with pytest.raises(MalformedQuery) as info:
        check_query(text)
    assert info.value.code == "malformed_query"
    assert where in str(info.value)


def _time(text: str) -> float:
    """CPU seconds of this thread (wall time counts the other processes of a busy machine)."""
    started = time.thread_time()
    try:
        check_query(text)
    except MalformedQuery:
        pass
    return time.thread_time() - started


@pytest.mark.parametrize("unit", ["?s a ?o ; ", "() ", '"\\u0022" ', "ex:a\\# ", "# c\n", "<http://x/a> "])
def test_the_check_is_linear(unit: str) -> None:
    def q(n: int) -> str:
        body = unit * (n // len(unit))
        return "SELECT * WHERE { " + (f"BIND({body.strip()} AS ?x)" if unit.startswith('"') else body) + " }"
    small = min(_time(q(32_000)) for _ in range(5))
    large = min(_time(q(1_024_000)) for _ in range(3))
    # 32x the text: linear is ~32x, quadratic ~1000x
    assert large < small * 64, (small, large)
