"""The cheaper ways the build makes the site give what the slower ones gave: a resource page's
property tables written in Python (``kg.publish.pages._rows``) are the HTML of the Jinja loop they
replace, and the extras rendered partly in a forked process (``render_extras(fork=True)``) are the
files rendered in one process, also when the forked process fails."""
from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest
from markupsafe import Markup

from jinja2 import UndefinedError

from kg.publish import render_extras
from kg.publish import site as site_links
from kg.publish.pages import _alternate_links, _list_item, _rows, environment

# the two loops of kg/templates/resource.html before they were written in Python
OLD = ('{% macro also(p) %}{% if p.also %}<br><small class="also">also: {% for q in p.also %}{% if q.href %}'
       '<a href="{{ q.href }}" title="{{ q.iri }}">{{ q.curie }}</a>{% else %}{{ q.curie }}{% endif %}'
       '{% if not loop.last %}, {% endif %}{% endfor %}</small>{% endif %}{% endmacro %}\n'
       '<table><tbody>\n'
       '{% for p in properties %}<tr><th><a href="{{ p.pred.href }}" title="{{ p.pred.iri }}">{{ p.curie }}</a>'
       '{{ also(p) }}</th><td>{% for v in p.vals %}{{ v.html }}{% if not loop.last %}<br>{% endif %}{% endfor %}'
       '</td></tr>\n{% endfor %}\n</tbody></table>\n'
       '<table><tbody>\n'
       '{% for p in incoming %}<tr><th><a href="{{ p.pred.href }}" title="{{ p.pred.iri }}">{{ p.curie }}</a> of'
       '{{ also(p) }}</th><td>{% for v in p.vals %}{{ v.html }}{% if not loop.last %}<br>{% endif %}{% endfor %}'
       '{% if p.count > p.vals|length %}<br><small>and {{ p.count - p.vals|length }} more</small>{% endif %}'
       '</td></tr>\n{% endfor %}\n</tbody></table>\n')
NEW = "<table><tbody>\n{{ properties_rows }}</tbody></table>\n<table><tbody>\n{{ incoming_rows }}</tbody></table>\n"


def _val(text: str) -> dict:
    return {"html": Markup('<a href="x">{}</a>').format(text)}


PROPS = [
    {"pred": {"href": "../p?a=1&b=\"2\"", "iri": "http://ex.org/p<'>"}, "curie": "ex:p&q", "also": [],
     "vals": [_val("one & two"), _val("<three>")]},
    {"pred": {"href": "", "iri": "urn:x"}, "curie": "urn:x", "vals": [],
     "also": [{"href": "a&b.html", "iri": "http://ex.org/q\"", "curie": "ex:q"}, {"href": "", "iri": "i", "curie": "x<y"}]},
]
INCOMING = [
    {"pred": {"href": "p.html", "iri": "http://ex.org/p"}, "curie": "ex:p", "also": [], "count": 5,
     "vals": [_val("a"), _val("b")]},
    {"pred": {"href": "p.html", "iri": "http://ex.org/p"}, "curie": "ex:p", "count": 1, "vals": [_val("c")],
     "also": [{"href": "q.html", "iri": "http://ex.org/q", "curie": "ex:q"}]},
]


@pytest.mark.parametrize("props,incoming", [(PROPS, INCOMING), ([], []), (PROPS[:1], []),
                                           # one property in both tables: its cell with " of" and without
                                           ([{k: v for k, v in INCOMING[0].items() if k != "count"}], INCOMING)])
def test_rows_written_in_python_are_the_jinja_loops_html(props, incoming) -> None:  # noqa: ANN001
    env = environment()
    old = env.from_string(OLD).render(properties=props, incoming=incoming)
    new = env.from_string(NEW).render(properties_rows=_rows(props), incoming_rows=_rows(incoming, " of"))
    assert new == old


def test_rows_escape_and_count_what_is_not_shown() -> None:
    html = str(_rows(INCOMING, " of"))
    assert html.splitlines()[0] == ('<tr><th><a href="p.html" title="http://ex.org/p">ex:p</a> of</th><td>'
                                    '<a href="x">a</a><br><a href="x">b</a><br><small>and 3 more</small></td></tr>')
    first = str(_rows(PROPS[:1]))
    assert first == ('<tr><th><a href="../p?a=1&amp;b=&#34;2&#34;" title="http://ex.org/p&lt;&#39;&gt;">ex:p&amp;q</a>'
                     '</th><td><a href="x">one &amp; two</a><br><a href="x">&lt;three&gt;</a></td></tr>\n')


# the alternates' two loops of kg/templates/resource.html before they were written in Python
OLD_ALTERNATES = ('{% for a in alternates %}\n<link rel="alternate" type="{{ a.type }}" href="{{ a.href }}">\n'
                  '{% endfor %}\n<p class="formats">{% for a in alternates %}<a href="{{ a.href }}" type="{{ a.type }}">'
                  '{{ a.label }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>\n')
NEW_ALTERNATES = '{{ alternates.head }}<p class="formats">{{ alternates.links }}</p>\n'


@pytest.mark.parametrize("name", ["leon-trotsky", 'a&b<"c">', ""])
def test_alternates_written_in_python_are_the_jinja_loops_html(name: str) -> None:
    env = environment()
    alternates = site_links.alternates(name)
    old = env.from_string(OLD_ALTERNATES).render(alternates=alternates)
    assert env.from_string(NEW_ALTERNATES).render(alternates=_alternate_links(alternates)) == old
    assert old.count("<link ") == 3 and old.count(" · ") == 2


def test_a_template_reads_a_dicts_key_first_and_an_objects_attribute_as_jinja_does() -> None:
    env = environment()
    html = env.from_string("{{ d.items }} {{ d.html }} {{ n.real }} {{ loop_ok }}").render(
        d={"items": "mine", "html": "<b>"}, n=3, loop_ok=Markup("<i>ok</i>"))
    assert html == "mine &lt;b&gt; 3 <i>ok</i>"
    with pytest.raises(UndefinedError):  # a key a dict does not have is still an error
        env.from_string("{{ d.nothing }}").render(d={})
    assert env.from_string("{{ d.keys()|list|length }}").render(d={"a": 1}) == "1"  # a method, when no such key


def test_the_site_header_is_the_included_template_made_once_per_root() -> None:
    env = environment()
    header = env.globals["site_header"]
    site = {"title": "Arthur & <Trotsky>"}
    deep, shallow = header("../..", site), header("..", site)
    assert deep == env.get_template("_header.html").render(root="../..", site=site)
    assert 'href="../../index.html"' in deep and 'href="../index.html"' in shallow
    assert "Arthur &amp; &lt;Trotsky&gt;" in deep
    assert header("../..", dict(site)) is deep  # made once
    assert header("../..", {"title": "Other"}) != deep


# the list of kg/templates/kind.html before it was written in Python
OLD_KIND = ('<ul class="kind">\n{% for i in items %}<li><a href="{{ i.term.href }}" title="{{ i.term.iri }}">'
            '{{ i.term.text }}</a> {% if i.types %}<small>{{ i.types }}</small>{% endif %}</li>\n{% endfor %}\n</ul>')
NEW_KIND = '<ul class="kind">\n{{ items_html }}</ul>'


def test_kind_lists_written_in_python_are_the_jinja_loops_html() -> None:
    local = {"href": "../id/person/a&b.html", "iri": "https://ex.org/id/person/a&b", "text": "A <&> B", "local": True}
    local["html"] = Markup('<a href="{}" title="{}">{}</a>').format(local["href"], local["iri"], local["text"])
    ontology = {"href": "../ontology.html#Claim", "iri": "https://ex.org/ontology#Claim", "text": "kgo:Claim"}
    items = [{"term": local, "types": "schema:Person, foaf:<Agent>"}, {"term": ontology, "types": ""},
             {"term": local, "types": ""}]
    env = environment()
    for some in (items, items[:1], []):
        lines = Markup("".join(_list_item(i["term"], i["types"])[2].decode("utf-8") for i in some))
        assert env.from_string(NEW_KIND).render(items_html=lines) == env.from_string(OLD_KIND).render(items=some)


def _maps(_dataset, _config) -> dict:  # noqa: ANN001
    return {"site/a.html": b"maps", "site/shared.html": b"from maps"}


def _pages(_dataset, _config) -> dict:  # noqa: ANN001
    return {"site/b.html": f"pages {len(_dataset)}".encode(), "site/shared.html": b"from pages"}


PARENT = os.getpid()


def _pages_failing_when_forked(dataset, config) -> dict:  # noqa: ANN001
    if os.getpid() != PARENT:
        os._exit(7)  # the forked process dies without a word
    return _pages(dataset, config)


def _pages_raising(_dataset, _config) -> dict:  # noqa: ANN001
    raise ValueError("page 3 of 3 is broken")


def test_forked_extras_are_the_files_of_one_process() -> None:
    dataset = [1, 2, 3]
    one = render_extras(dataset, None, (_maps, _pages))
    assert one == {"site/a.html": b"maps", "site/shared.html": b"from pages", "site/b.html": b"pages 3"}
    assert render_extras(dataset, None, (_maps, _pages), fork=True) == one
    assert render_extras(dataset, None, (_maps, _pages_failing_when_forked), fork=True) == one


def test_an_error_of_a_forked_extra_is_raised_by_the_parent() -> None:
    with pytest.raises(ValueError, match="page 3 of 3 is broken"):
        render_extras([], None, (_maps, _pages_raising), fork=True)


def _pages_pid(_dataset, _config) -> dict:  # noqa: ANN001
    return {"site/pid": str(os.getpid()).encode()}


def test_the_last_extra_is_rendered_in_another_process_on_two_cores(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert render_extras([], None, (_maps, _pages_pid), fork=True)["site/pid"] != str(PARENT).encode()
    assert render_extras([], None, (_maps, _pages_pid))["site/pid"] == str(PARENT).encode()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert render_extras([], None, (_maps, _pages_pid), fork=True)["site/pid"] == str(PARENT).encode()


def test_terms_are_kept_for_the_current_folder_only_and_link_relative_to_it() -> None:
    """A term's link is relative to its page's folder; the renderer keeps only the current folder's
    terms (the pages come folder by folder), so a term asked again from another folder is made for
    that folder, never taken from the last one."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.config import Config
    from kg.publish.pages import Renderer

    base = "https://example.org/kg/"
    g = Graph()
    nodes = [URIRef(f"{base}id/person/p{i}") for i in range(5)]
    for i, n in enumerate(nodes):
        g.add((n, RDFS.label, Literal(f"P {i}")))
    r = Renderer([g], Config(root=Path("."), base_iri=base))
    first = [r.term(n, "id/claim/c1.html")["href"] for n in nodes]
    assert first == [f"../person/p{i}.html" for i in range(5)] and len(r._terms) == 5
    assert r.term(nodes[0], "id/claim/c2.html") is r._terms[nodes[0]]  # the same folder: kept
    assert r.term(nodes[0], "kinds/person.html")["href"] == "../id/person/p0.html"
    assert len(r._terms) == 1  # the claims' folder's terms were dropped
    assert r.term(nodes[0], "index.html")["href"] == "id/person/p0.html"
    assert [r.term(n, "id/claim/c3.html")["href"] for n in nodes] == first  # made again for its folder


@pytest.mark.parametrize("keep", [1, 2, 50_000])
def test_a_nodes_parts_kept_across_folders_give_each_folders_html(monkeypatch, keep: int) -> None:  # noqa: ANN001
    """What a term is made of whatever the page (``Renderer._node_parts``: the label, the escaped IRI
    and label, the link of an IRI that is not the dataset's) is kept across folders, at most
    ``KEEP_NODES`` in each of two generations: each term's HTML is still the one written out here for its folder, for one
    of the dataset's resources, its ontology term, an external http IRI and one no page may link to,
    with labels and IRIs that need escaping."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    import kg.publish.pages as pages_module
    from kg.config import Config
    from kg.publish.pages import Renderer

    monkeypatch.setattr(pages_module, "KEEP_NODES", keep)
    base = "https://example.org/kg/"
    person, term = URIRef(base + "id/person/p&q"), URIRef(base + "ontology#Claim")
    wiki, script = URIRef("https://www.wikidata.org/wiki/Q33391?a=1&b=2"), URIRef("javascript:alert(1)")
    g = Graph()
    g.add((person, RDFS.label, Literal('Trotsky <"L.">')))
    g.add((wiki, RDFS.label, Literal("Q & A")))
    r = Renderer([g], Config(root=Path("."), base_iri=base))
    expected = {
        "id/claim/c1.html": [
            '<a href="../person/p&amp;q.html" title="https://example.org/kg/id/person/p&amp;q">Trotsky &lt;&#34;L.&#34;&gt;</a>',
            '<a href="../../ontology.html#Claim" class="ext" title="https://example.org/kg/ontology#Claim">https://example.org/kg/ontology#Claim</a>',
            '<a href="https://www.wikidata.org/wiki/Q33391?a=1&amp;b=2" class="ext" '
            'title="https://www.wikidata.org/wiki/Q33391?a=1&amp;b=2">Q &amp; A</a>',
            '<span class="iri" title="javascript:alert(1)">javascript:alert(1)</span>'],
        "index.html": [
            '<a href="id/person/p&amp;q.html" title="https://example.org/kg/id/person/p&amp;q">Trotsky &lt;&#34;L.&#34;&gt;</a>',
            '<a href="ontology.html#Claim" class="ext" title="https://example.org/kg/ontology#Claim">https://example.org/kg/ontology#Claim</a>',
            '<a href="https://www.wikidata.org/wiki/Q33391?a=1&amp;b=2" class="ext" '
            'title="https://www.wikidata.org/wiki/Q33391?a=1&amp;b=2">Q &amp; A</a>',
            '<span class="iri" title="javascript:alert(1)">javascript:alert(1)</span>']}
    for _round in range(2):  # the second round from the parts kept (or made again past the bound)
        for page, html in expected.items():
            made = [r.term(n, page) for n in (person, term, wiki, script)]
            assert [str(m["html"]) for m in made] == html
            assert [m["href"] for m in made][2:] == ["https://www.wikidata.org/wiki/Q33391?a=1&b=2", ""]
            assert [m["local"] for m in made] == [True, False, False, False]
            assert len(r._nodes) <= keep and len(r._nodes.old) <= keep  # two generations, each bounded


@pytest.mark.parametrize("shares", [1, 2, 3, 4])
def test_the_page_processes_share_the_resources_in_runs_dealt_in_turn(shares: int) -> None:
    """``share_of``: every resource in exactly one share; each share is runs of ``run`` resources in
    their order (a folder's pages stay together), the k-th, (k + n)-th, ... run; a site too small for
    a run a share is dealt in shorter runs."""
    from kg.publish.pages import share_of

    for n in [0, 1, 2, 3, 7, 10, 101, 3289]:
        for run in [1, 3, 256]:
            nodes = [f"id/anchor/{i:05d}" for i in range(n)]
            parts = [share_of(nodes, k, shares, run) for k in range(shares)]
            assert sorted(x for part in parts for x in part) == nodes
            size = max(1, min(run, -(-n // shares)))  # a small site: every share has a run
            for k, part in enumerate(parts):
                assert part == [x for i, x in enumerate(nodes) if (i // size) % shares == k]
                assert part or n < shares
    assert share_of(list(range(10)), 0, 2, 3) == [0, 1, 2, 6, 7, 8]
    assert share_of(list(range(10)), 1, 2, 3) == [3, 4, 5, 9]
    assert share_of(list(range(600)), 1, 2) == list(range(256, 512))
    assert share_of(list(range(9)), 2, 3) == [6, 7, 8]  # fewer than three runs of 256: runs of 3


def test_escaping_a_str_is_markupsafes_escaping() -> None:
    """``kg.publish.escaping``: the same characters as ``markupsafe.escape`` for every generated
    string (the five special characters, an escape already written, other text), and ``markup`` a
    ``Markup`` that is not escaped again."""
    import random

    from markupsafe import escape

    from kg.publish.escaping import escape_text, markup

    rng = random.Random(11)
    alphabet = ['&', '<', '>', '"', "'", "&amp;", "&#39;", "a", "é", " ", "\n", "https://x.org/a?b=1&c=2", "…", "\x00"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert escape_text(text) == str(escape(text)), text
        assert type(escape_text(text)) is str
    made = markup('<a href="x">y</a>')
    assert type(made) is Markup and made == Markup('<a href="x">y</a>')
    assert escape(made) == made and str(made + "<") == '<a href="x">y</a>&lt;'


class _Ended:
    """A process already ended (what ``_forked_result`` joins)."""

    def join(self) -> None:
        pass


@pytest.mark.parametrize("answer", [b"not marshal", marshal.dumps(("staged", {"site/b.html": "0" * 64})),
                                    marshal.dumps(["site/b.html"]), marshal.dumps(None),
                                    marshal.dumps({"site/b.html": b"pages 3"})[:-3]])
def test_an_answer_that_is_not_an_extras_files_has_them_rendered_here(answer: bytes) -> None:
    """The forked extras' answer is ``marshal`` of their files (``_extras_worker``): anything else
    (cut short, another shape, a failure's None) and this process renders them itself."""
    import multiprocessing

    from kg.publish import _forked_result

    receive, send = multiprocessing.Pipe(duplex=False)
    send.send_bytes(answer)
    send.close()
    assert _forked_result((_Ended(), receive), [1, 2, 3], None, (_pages,)) == _pages([1, 2, 3], None)


def test_the_extras_answer_is_taken_as_sent() -> None:
    import multiprocessing

    from kg.publish import _forked_result

    receive, send = multiprocessing.Pipe(duplex=False)
    send.send_bytes(marshal.dumps({"site/b.html": b"sent"}))
    send.close()
    assert _forked_result((_Ended(), receive), [1, 2, 3], None, (_pages,)) == {"site/b.html": b"sent"}


def test_an_essay_looked_up_by_its_id() -> None:
    """``Renderer.essay_of`` (the reader pages' look-up of an essay by its id): the first of the sorted
    essays whose IRI ends in that id, None for an id no essay has or a resource that is no essay."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from kg.config import Config
    from kg.namespaces import SCHEMA
    from kg.publish.pages import Renderer

    base = "https://example.org/kg/"
    g = Graph()
    essays = [URIRef(f"{base}id/essay/{x}") for x in ("b", "a", "c")] + [URIRef(f"{base}id/other/a")]
    for e in essays:
        g.add((e, RDF.type, SCHEMA.ScholarlyArticle))
    g.add((URIRef(f"{base}id/person/d"), RDF.type, SCHEMA.Person))
    r = Renderer([g], Config(root=Path("."), base_iri=base))
    assert r.essay_of("a") == URIRef(f"{base}id/essay/a")  # id/essay/a sorts before id/other/a
    assert r.essay_of("c") == URIRef(f"{base}id/essay/c") and r.essay_of("b") == essays[0]
    assert r.essay_of("d") is None and r.essay_of("essay/a") is None and r.essay_of("") is None


def test_a_templates_globals_are_one_plain_dict() -> None:
    """``_Environment.make_globals``: a template's globals are a plain dict (each page's context copies
    them: a ``ChainMap`` cost three times as much), the environment's every global (the
    Content-Security-Policy, the header, the map kinds, Jinja's own) with a template's own over them,
    as Jinja's ``ChainMap`` gave; the environment's globals themselves unchanged."""
    env = environment()
    template = env.get_template("resource.html")
    assert type(template.globals) is dict and template.globals == dict(env.globals)
    assert {"csp", "site_header", "map_kinds", "range"} <= set(template.globals)
    own = env.from_string("{{ csp }}|{{ extra }}", globals={"csp": "mine", "extra": "x"})
    assert own.render() == "mine|x" and env.globals["csp"] != "mine" and "extra" not in env.globals
    assert env.from_string("{{ csp|length > 10 }}").render() == "True"


@pytest.mark.parametrize("title", ["Arthur & <Trotsky>", "a title with the list's mark \0kg-list\0 in it"])
def test_a_kind_page_lists_its_members_by_label_then_iri_whatever_its_title(title: str) -> None:
    """A kind's page lists its members by label without case, then IRI (two labelled "a" and "A"), each
    once, in the bytes the template gives with the list joined into it; a title holding the mark that
    ``_list_page`` splices the list at (NULs) gets the same page written the slower way, not a list
    cut into its title."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS

    from kg.config import Config
    from kg.publish.pages import _LIST_MARK, Renderer

    base = "https://example.org/kg/"
    person = URIRef("https://schema.org/Person")
    labels = {"p3": "B", "p2": "a", "p1": "A", "p0": "<c>"}  # "a" given before "A": sorted by IRI, not kept
    g = Graph()
    nodes = [URIRef(f"{base}id/person/{k}") for k in labels]
    for n, label in zip(nodes, labels.values()):
        g.add((n, RDFS.label, Literal(label)))
        g.add((n, RDF.type, person))
    r = Renderer([g], Config(root=Path("."), base_iri=base, title=title))
    path, data = r.kind_page("person", nodes)
    assert path == "kinds/person.html"
    html = data.decode("utf-8")
    # "<c>" first ("<" before letters), then "A" and "a" by their IRIs, then "B" (without case)
    order = [html.index(f'title="{base}id/person/{k}"') for k in ("p0", "p1", "p2", "p3")]
    assert order == sorted(order)
    lines = sorted((_list_item(r._term(n, path, keep=False), "schema:Person") for n in nodes), key=lambda i: i[:2])
    expected = r.env.get_template("kind.html").render(
        root="..", kind="person", count=4, site=r.site_meta(), heading="Resources of kind “person”", iri="",
        iri_href="", definition="", items_html=Markup("".join(i[2].decode("utf-8") for i in lines)))
    assert data == expected.encode("utf-8")
    assert html.count("<li>") == 4 and html.count(_LIST_MARK) == (2 if _LIST_MARK in title else 0)


def test_a_renderer_forgets_its_terms_and_makes_the_same_html_after() -> None:
    """``Renderer.forget_terms`` (before a page process's lists) drops the folder's terms and the nodes'
    parts of both generations; a term made after is the same HTML."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    from kg.config import Config
    from kg.publish.pages import Renderer

    base = "https://example.org/kg/"
    node = URIRef(base + "id/person/p&q")
    g = Graph()
    g.add((node, RDFS.label, Literal("P & Q")))
    r = Renderer([g], Config(root=Path("."), base_iri=base))
    before = str(r.term(node, "id/claim/c1.html")["html"])
    r._nodes.old = dict(r._nodes)
    r.forget_terms()
    assert (r._terms, len(r._nodes), len(r._nodes.old), r._folder) == ({}, 0, 0, None)
    assert str(r.term(node, "id/claim/c1.html")["html"]) == before and len(r._nodes) == 1
