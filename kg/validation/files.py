"""Validation for CI: run the shapes over curated essays (enriched the way the build enriches them)
or over any Turtle files, and point every finding at the file and line that causes it.

pySHACL reports focus nodes, paths and values; ``kg.validation.positions`` knows where each subject block and
statement sits in the Turtle source. Findings on what the build generates are traced back to what
the curator wrote: an anchor (and its selectors) to the ``kgo:evidence``/``kgo:mention`` statement it
came from, a materialised triple (an inverse SKOS link, a super-property) to the curated statement
that implies it, a missing value to the subject's block. Curated data is validated before
skolemisation, so a blank node is still a blank node and can be shown where it is written.
"""
from __future__ import annotations

import marshal
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH as _SH

from kg.config import CURATED_BASE, Config
from kg.enrich.anchors import EvidenceProblem
from kg.errors import MissingSourceError, SourceError, SourceSyntaxError
from kg.validation.positions import Anon, Place, SourceIndex, Statement
from kg.namespaces import KGO, OA
from kg.files import not_utf8, read_bytes, read_utf8
from kg.gcpolicy import fewer_collections
from kg.later import Later, forkable
from kg.model import TEXT_NAME, EssaySource
from kg.rdfmake import decode_triples, encode_triples
from kg.sources import IllTyped, essay_folders, parse_files, turtle_files
from kg.validation.report import SEVERITIES, SEVERITY_IRI, SEVERITY_OF, Finding, Report, short
from kg.validation.shacl import label_of
from kg.tripleindex import indexed_graph

Progress = Callable[[str], None]
KGS = "https://w3id.org/arthur-kg/shapes#"
EVIDENCE_COMPONENT = URIRef(KGS + "EvidenceInTextComponent")
#: The check of every typed literal's lexical form (kg.datatypes), reported as if a shape found it.
LEXICAL_CHECK = KGS + "LexicalFormCheck"
_ANCHOR = CURATED_BASE + "id/anchor/"
_TEXT = CURATED_BASE + "id/text/"
#: What each constraint component expects, read from the shape's own parameter.
_EXPECTED = {
    "DatatypeConstraintComponent": (_SH.datatype, "datatype {}"),
    "ClassConstraintComponent": (_SH["class"], "an instance of {}"),
    "PatternConstraintComponent": (_SH.pattern, "matching /{}/"),
    "MinCountConstraintComponent": (_SH.minCount, "at least {} value(s)"),
    "MaxCountConstraintComponent": (_SH.maxCount, "at most {} value(s)"),
    "HasValueConstraintComponent": (_SH.hasValue, "the value {}"),
    "InConstraintComponent": (_SH["in"], "one of {}"),
    "NodeKindConstraintComponent": (_SH.nodeKind, "a node of kind {}"),
    "LanguageInConstraintComponent": (_SH.languageIn, "a language tag in {}"),
    "QualifiedMinCountConstraintComponent": (_SH.qualifiedMinCount, "at least {} matching value(s)"),
    "QualifiedMaxCountConstraintComponent": (_SH.qualifiedMaxCount, "at most {} matching value(s)"),
    "NodeConstraintComponent": (_SH.node, "conforming to {}"),
    "UniqueLangConstraintComponent": (_SH.uniqueLang, "one value per language"),
    "LessThanConstraintComponent": (_SH.lessThan, "less than {}"),
}


def _silent(_msg: str) -> None:
    pass


def shown(path: Path) -> str:
    """A path as findings show it: relative to the working folder when inside it."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ sources to graphs

@dataclass
class Prepared:
    """The graph to validate with everything needed to trace findings back to the sources."""

    graph: Graph
    index: SourceIndex
    files: list[Path]
    anchors: dict[URIRef, Statement] = field(default_factory=dict)  # anchor IRI -> its evidence statement
    texts: dict[URIRef, Path] = field(default_factory=dict)  # source-text node -> source.txt
    #: findings made before validation: (severity, stmt, message, shape[, component])
    extra: list[tuple] = field(default_factory=list)
    curated: bool = False
    #: the essays' enriched triples (their union is in ``graph``): the partitions of the validation
    parts: list[Collection[tuple]] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _evidence_findings(prepared: Prepared, essays: tuple[EssaySource, ...], problems: list[EvidenceProblem]) -> None:
    """Each piece of evidence the enrichment could not anchor, as a violation where it is written
    (every statement of the essay's files with that predicate and literal: the text decides, not the
    subject)."""
    if not problems:
        return
    essay_of = {path: essay for essay in essays for path in essay.files}
    messages = {}
    for problem in problems:
        where = f"{problem.essay_id}/{TEXT_NAME}"
        if problem.predicate == KGO.mention:
            message = f"The kgo:mention form does not occur as a whole word in the essay's text ({where})."
        elif problem.found == 0:
            message = (f"The kgo:evidence passage is not in the essay's text ({where}); copy the passage exactly "
                       "from it (white space may differ).")
        else:
            message = (f"The kgo:evidence passage occurs more than once in the essay's text ({where}); make it "
                       "longer so that it occurs once.")
        messages[(problem.essay_id, problem.predicate, _literal_key(problem.literal))] = message
    for st in prepared.index.all_statements():  # one pass over the statements
        essay = essay_of.get(st.at.path)
        if essay is None or st.predicate not in (KGO.evidence, KGO.mention) or not isinstance(st.object, Literal):
            continue
        message = messages.get((essay.id, st.predicate, _literal_key(st.object)))
        if message is not None:
            prepared.extra.append(("violation", st, message, KGS + "EvidenceShape"))


_EVIDENCE = (KGO.evidence, KGO.mention)
_ANCHORED = (KGO.evidencedAt, KGO.mentionedAt)
_EXACT = OA.exact


def _evidence_by_essay(prepared: Prepared, essays: tuple[EssaySource, ...]) -> dict[str, list[Statement]]:
    """{essay id: the ``kgo:evidence`` and ``kgo:mention`` statements of its files, in the index's
    order}, in one pass over the statements (a pass for each essay was quadratic in a corpus: at 1 M
    triples 573 passes over every statement of every file)."""
    essay_of = {path: essay.id for essay in essays for path in essay.files}
    out: dict[str, list[Statement]] = {essay.id: [] for essay in essays}
    for st in prepared.index.all_statements():
        if st.predicate in _EVIDENCE:
            essay_id = essay_of.get(st.at.path)
            if essay_id is not None:
                out[essay_id].append(st)
    return out


def _trace_anchors(essay: EssaySource, enriched: dict, prepared: Prepared, evidence: list[Statement]) -> None:
    """Each anchor of ``enriched`` (the essay's enriched triples) traced to the curated evidence
    statement whose passage it anchors (``evidence``: the essay's, ``_evidence_by_essay``)."""
    from kg.enrich.anchors import text_iri

    prepared.texts[text_iri(essay.id)] = essay.text_path
    by_subject: dict = {}
    for st in evidence:
        by_subject.setdefault(st.subject, []).append(st)
    anchors, exact = [], {}
    for s, p, o in enriched:
        if p in _ANCHORED:
            anchors.append((s, o))
        elif p == _EXACT:
            exact.setdefault(s, o)
    for s, anchor in anchors:
        quote = exact.get(URIRef(f"{anchor}/quote"))
        for st in by_subject.get(s, ()):
            if quote is not None and _norm(str(st.object)) == _norm(str(quote)):
                prepared.anchors.setdefault(anchor, st)
                break


def essay_folder(path: Path) -> Path | None:
    """The essay folder holding ``path`` (a folder with a source.txt), if any."""
    folder = path.resolve().parent
    return folder if (folder / TEXT_NAME).is_file() else None


def _index(paths: list[Path]) -> SourceIndex:
    index = SourceIndex()
    for p in paths:
        index.add_file(p.resolve(), read_utf8(p))
    return index


#: From this many essays on, ``prepare_corpus`` has them enriched by a forked process while it indexes
#: the files' statements (as a build's ``kg.incremental.FORK_ENRICH_MIN``)
ENRICH_AHEAD_MIN = 8


def _enrich_curated(essays: tuple[EssaySource, ...], alignments, config: Config,  # noqa: ANN001
                    ill_typed: list[IllTyped]) -> list[tuple[bytes, list, list, int]]:
    """Each of ``essays`` (lazy: ``load_sources(lazy=True)``) parsed and enriched as ``prepare_corpus``
    enriches it (curated, its evidence problems collected): ``(marshal bytes of
    kg.rdfmake.encode_triples' entry, its evidence problems, its ill-typed literals, the number of its
    curated triples)``. The ill-typed literals its parsing appends to ``ill_typed`` are taken out of
    it again and given back with the essay, so that a caller adds them once, whichever process
    parsed it."""
    from kg.enrich import enrich_triples

    out = []
    for essay in essays:
        before = len(ill_typed)
        problems: list[EvidenceProblem] = []
        triples = enrich_triples(essay, alignments, config, problems=problems, curated=True)
        typed = ill_typed[before:]
        del ill_typed[before:]
        out.append((marshal.dumps(encode_triples(triples)), problems, typed, len(essay.graph)))
    return out


def prepare_corpus(config: Config, only: list[Path] | None = None, progress: Progress = _silent) -> Prepared:
    """The project's essays (all of them, or those holding ``only``) read and enriched by the build's
    own functions (``kg.sources.load_sources``, ``kg.enrich``), with the ontology; but before
    skolemisation and rebasing, and with evidence not in the text and ill-typed literals collected as
    findings instead of raised.

    The essays' files are parsed when an essay is enriched (``load_sources(lazy=True)``). From
    ``ENRICH_AHEAD_MIN`` essays on, with a second core, a forked process (``kg.later.Later``) parses
    and enriches them while this one indexes the files' statements (``_index``), each of these on
    one core; the essays come back as the build cache's entries do, the same triples term for term
    (blank nodes under the names that process's parser gave them), with their problems and ill-typed
    literals, in the essays' order. This process then never parses an essay. If the process sends
    nothing, the essays are parsed and enriched here, and an error (a file that does not parse) is
    raised here as before."""
    from kg.enrich import Alignments, enrich_triples
    from kg.sources import load_sources

    folders = None if only is None else sorted({essay_folder(p) for p in only})
    ill_typed: list[IllTyped] = []
    sources = load_sources(config, folders=folders, ill_typed=ill_typed, data_only=True, lazy=True)  # type: ignore[arg-type]
    alignments = Alignments.from_ontology(sources.ontology)
    essays = sources.essays
    ahead = (Later(_enrich_curated, essays, alignments, config, ill_typed)
             if len(essays) >= ENRICH_AHEAD_MIN and forkable() else None)
    files = [p.resolve() for p in sources.data_files]
    prepared = Prepared(indexed_graph(), _index(files + [p.resolve() for p in sources.ontology_files]), files, curated=True)
    problems: list[EvidenceProblem] = []
    graph = prepared.graph
    evidence = _evidence_by_essay(prepared, essays)
    sent = ahead.result() if ahead is not None else None
    terms: dict = {}  # the decoded entries' terms, each made once (kg.rdfmake.decode_triples)
    for i, essay in enumerate(essays):
        if sent is None:
            progress(f"enrich {essay.id}: {len(essay.graph)} curated triples")
            enriched = enrich_triples(essay, alignments, config, problems=problems, curated=True)
        else:
            entry, found, typed, curated_count = sent[i]
            sent[i] = None  # its bytes not held to the end
            progress(f"enrich {essay.id}: {curated_count} curated triples")
            enriched = dict.fromkeys(decode_triples(marshal.loads(entry), terms))  # our own child's bytes
            problems.extend(found)
            ill_typed.extend(typed)
        _trace_anchors(essay, enriched, prepared, evidence[essay.id])
        graph.store.add_all(enriched)  # RDF terms all (parsed or made): Graph.addN's checks skipped
        prepared.parts.append(enriched)  # a set of triples: one rdflib Graph of the corpus is enough
    graph.store.add_all(sources.ontology)
    _add_ill_typed(prepared, ill_typed)  # the ontology's and every essay's, now all parsed
    _evidence_findings(prepared, sources.essays, problems)
    return prepared


def prepare_plain(files: list[Path], config: Config | None = None) -> Prepared:
    """Turtle files validated as they are (another repository adopting the shapes)."""
    ill_typed: list[IllTyped] = []
    graph = parse_files(files, ill_typed)
    resolved = [p.resolve() for p in files]
    prepared = Prepared(graph, _index(resolved), resolved)
    _add_ill_typed(prepared, ill_typed)
    return prepared


def _add_ill_typed(prepared: Prepared, ill_typed: list[IllTyped]) -> None:
    """Ill-typed literals (found as the files were read) as violations at their places: pySHACL's
    sh:datatype trusts rdflib, which does not check the lexical form of several datatypes."""
    for bad in ill_typed:
        place = Place(bad.position.path.resolve(), bad.position.line, bad.position.column)
        st = Statement(bad.subject, bad.predicate, bad.literal, place, place)  # type: ignore[arg-type]
        message = f"The value is ill-typed: {bad.reason}."
        prepared.extra.append(("violation", st, message, LEXICAL_CHECK, "DatatypeConstraintComponent"))


def expand(paths: list[Path] | tuple[Path, ...]) -> list[Path]:
    """FILES as given: a folder stands for the Turtle files under it (hidden folders skipped); a
    folder without any, or a path that does not exist, is an error (exit 2)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(f for f in path.rglob("*.ttl") if f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(path).parts))
            if not found:
                raise MissingSourceError(f"{path}: no Turtle files (*.ttl) in this folder")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise MissingSourceError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


def shapes_files(config: Config, shapes: Path | None) -> list[Path]:
    """The shapes to use: --shapes (a file or folder), else the project's shapes/, else the shapes
    shipped in the package (``kg.config.packaged``)."""
    return expand([shapes if shapes is not None else config.shapes_dir])


def load_shapes(shapes: Path | list[Path]) -> Graph:
    """The shapes graph of a file, a folder or a list of files; refused (exit 2) when it holds no
    shape or SPARQL that may not run (``kg.shapes_policy``)."""
    from kg.shapes_policy import ShapesError, has_shapes
    from kg.sources import parse_shapes

    files = expand([shapes]) if isinstance(shapes, Path) else shapes
    graph = parse_shapes(files)
    if not has_shapes(graph):
        names = ", ".join(str(f) for f in files)
        raise ShapesError(f"{names}: no shapes here (no sh:NodeShape, sh:PropertyShape or target)",
                          hint="--shapes takes SHACL shapes files, or a folder of them.")
    return graph


# ------------------------------------------------------------------ findings to places

def _anon_of(prepared: Prepared, node: BNode, depth: int = 0) -> Place | None:
    """Where a blank node of the data graph is written: the [ ] block that is the object of the
    statement linking its parent to it."""
    if depth > 8:
        return None
    for s, p in prepared.graph.subject_predicates(node):
        for st in _statements(prepared, s, p, depth + 1):
            if isinstance(st.object, Anon):
                return prepared.index.blocks.get(st.object, [st.object_at])[0]
    return None


def _statements(prepared: Prepared, subject, predicate=None, depth: int = 0) -> list[Statement]:  # noqa: ANN001
    index = prepared.index
    if isinstance(subject, BNode):
        place = _anon_of(prepared, subject, depth)
        if place is None:
            return []
        anon = next((a for a, b in index.blocks.items() if isinstance(a, Anon) and b and b[0] == place), None)
        return index.find(anon, predicate) if anon is not None else []
    return index.find(subject, predicate)


def _block(prepared: Prepared, node) -> Place | None:  # noqa: ANN001
    if isinstance(node, BNode):
        return _anon_of(prepared, node)
    blocks = prepared.index.blocks.get(node)
    if blocks:
        return blocks[0]
    return None


def _anchor_root(node) -> URIRef | None:  # noqa: ANN001
    s = str(node)
    if not s.startswith(_ANCHOR):
        return None
    for suffix in ("/quote", "/position"):
        if s.endswith(suffix):
            return URIRef(s[: -len(suffix)])
    return URIRef(s)


def _literal_key(literal: Literal) -> tuple:
    return str(literal), (literal.language or "").lower(), literal.datatype


def _same(a, b) -> bool:  # noqa: ANN001
    if isinstance(a, Literal) and isinstance(b, Literal):
        return _literal_key(a) == _literal_key(b)
    return a == b


def place_of(prepared: Prepared, focus, path, value, component: str = "") -> Place | None:  # noqa: ANN001
    """The place in the sources that a finding about (focus, path, value) is best shown at."""
    anchor = _anchor_root(focus)
    if anchor is not None and anchor in prepared.anchors:
        return prepared.anchors[anchor].object_at
    if isinstance(focus, URIRef) and str(focus) in map(str, prepared.texts):
        return Place(prepared.texts[focus], 1, 1)
    if isinstance(path, (URIRef, BNode)) and value is not None:  # a BNode path: inverse, sequence…
        if isinstance(value, URIRef) and _anchor_root(value) in prepared.anchors:
            return prepared.anchors[_anchor_root(value)].object_at
        stmts = _statements(prepared, focus, path)
        for st in stmts:
            if _same(st.object, value):
                return st.object_at
        if isinstance(value, BNode):
            for st in stmts:
                if isinstance(st.object, Anon):
                    return st.object_at
        # materialised: an inverse written the other way round, or a sub-property of ``path``
        if not isinstance(value, Literal):
            back = [st for st in _statements(prepared, value) if _same(st.object, focus)]
            back.sort(key=lambda st: st.predicate == path)  # an inverse first: p(v, f) is another fact
            if back:
                return back[0].object_at
        for st in _statements(prepared, focus):
            if _same(st.object, value):
                return st.object_at
        if stmts:
            return stmts[-1].object_at if component.startswith("MaxCount") or component.startswith("UniqueLang") else stmts[0].object_at
    elif isinstance(path, URIRef):
        stmts = _statements(prepared, focus, path)
        if stmts and "MinCount" not in component:
            return stmts[-1].object_at  # the one too many (maxCount, uniqueLang, qualified counts)
    return _block(prepared, focus)


def _expected(shapes: Graph, shape, component: str) -> str:  # noqa: ANN001
    entry = _EXPECTED.get(component)
    if entry is None or shape is None:
        return ""
    param, template = entry
    value = shapes.value(shape, param)
    if value is None:
        return ""
    if param in (_SH["in"], _SH.languageIn):
        from rdflib.collection import Collection as RdfList

        items = [short(shapes, v, turtle=True) if not isinstance(v, Literal) else str(v) for v in RdfList(shapes, value)]
        return template.format(", ".join(items))
    if isinstance(value, Literal) and param != _SH.pattern:
        return template.format(str(value))
    if isinstance(value, BNode):
        return template.format("its node shape")
    return template.format(short(shapes, value, turtle=True) if not isinstance(value, Literal) else str(value))


def locate(prepared: Prepared, report: Report, shapes: Graph,
           severity_override: dict[str, str] | None = None) -> Report:
    """Every result of ``report`` with its place; plus the findings found before validation."""
    rg, data = report.graph, prepared.graph
    nm = data.namespace_manager
    for prefix, ns in shapes.namespaces():
        nm.bind(prefix, ns, override=False)
    out: list[Finding] = []
    override = severity_override or {}
    nested = set(rg.objects(None, _SH.detail))
    for r in rg.subjects(RDF.type, _SH.ValidationResult):
        if r in nested:
            continue  # the details of a result (sh:node, sh:or) are shown by the result itself
        focus = rg.value(r, _SH.focusNode)
        path = rg.value(r, _SH.resultPath)
        value = rg.value(r, _SH.value)
        shape = rg.value(r, _SH.sourceShape)
        component = short(rg, rg.value(r, _SH.sourceConstraintComponent), turtle=True).rsplit(":", 1)[-1]
        node_shape = _node_shape(shapes, shape)
        severity = SEVERITY_OF.get(rg.value(r, _SH.resultSeverity), "violation")
        rule = override.get(str(node_shape)) or override.get(f"{node_shape} {component}")
        if rule:
            severity = rule
            rg.set((r, _SH.resultSeverity, SEVERITY_IRI[severity]))
        out.append(_located(prepared, severity, str(rg.value(r, _SH.resultMessage) or "does not conform"),
                            focus, path, value, _expected(shapes, shape, component),
                            short(shapes, node_shape, turtle=True), component, nm))
    for severity, st, message, shape_iri, *component in prepared.extra:
        focus = st.subject if isinstance(st.subject, URIRef) else None
        component = component[0] if component else "EvidenceInTextComponent"
        expected = f"datatype {short(data, st.object.datatype, turtle=True)}" if component.startswith("Datatype") else ""
        out.append(Finding(severity=severity, message=message, focus=str(focus or "(blank node)"),
                           focus_label=label_of(data, focus) if focus else "", path=short(data, st.predicate, turtle=True),
                           value=short(data, st.object, turtle=True), expected=expected,
                           shape="kgs:" + shape_iri.rsplit("#", 1)[-1], component=component,
                           file=shown(st.object_at.path), line=st.object_at.line, column=st.object_at.column,
                           source_line=prepared.index.source_line(st.object_at).strip()))
        r = BNode()
        rg.add((r, RDF.type, _SH.ValidationResult))
        rg.add((r, _SH.resultSeverity, SEVERITY_IRI[severity]))
        rg.add((r, _SH.resultMessage, Literal(message)))
        if focus is not None:
            rg.add((r, _SH.focusNode, focus))
        rg.add((r, _SH.resultPath, st.predicate))
        rg.add((r, _SH.value, st.object))
        rg.add((r, _SH.sourceShape, URIRef(shape_iri)))
        rg.add((r, _SH.sourceConstraintComponent, EVIDENCE_COMPONENT if component.startswith("Evidence")
                else _SH[component]))
    unique: dict[tuple, Finding] = {}
    for f in out:  # a materialised super-property repeats its sub-property's finding at the same place
        key = (f.file, f.line, f.column, f.message, f.focus, f.value, f.severity)
        if key not in unique or (f.path and f.path in f.source_line and unique[key].path not in f.source_line):
            unique[key] = f
    out = list(unique.values())
    findings = tuple(sorted(out, key=lambda f: (f.file == "", f.file, f.line, f.column,
                                                SEVERITIES.index(f.severity), f.message, f.value)))
    conforms = not any(f.severity == "violation" for f in findings)
    for node in rg.subjects(RDF.type, _SH.ValidationReport):
        rg.set((node, _SH.conforms, Literal(conforms)))
    return Report(findings, rg, tuple(shown(p) for p in prepared.files))


def _node_shape(shapes: Graph, shape):  # noqa: ANN001, ANN202
    """The named node shape a (possibly blank) property shape belongs to."""
    seen = 0
    while isinstance(shape, BNode) and seen < 5:
        parent = shapes.value(None, _SH.property, shape) or shapes.value(None, _SH.sparql, shape)
        if parent is None:
            break
        shape, seen = parent, seen + 1
    if shape is not None and not isinstance(shape, BNode) and (shape, RDF.type, _SH.NodeShape) not in shapes:
        parent = shapes.value(None, _SH.property, shape)
        if parent is not None:
            return parent
    return shape


def _located(prepared: Prepared, severity: str, message: str, focus, path, value, expected: str,  # noqa: ANN001
             shape: str, component: str, nm) -> Finding:  # noqa: ANN001
    place = place_of(prepared, focus, path, value, component)
    data = prepared.graph
    label = label_of(data, focus) if focus is not None else ""
    if not label and _anchor_root(focus) in prepared.anchors:
        st = prepared.anchors[_anchor_root(focus)]
        label = label_of(data, st.subject) if isinstance(st.subject, URIRef) else ""
    return Finding(
        severity=severity, message=message,
        focus=str(focus) if isinstance(focus, URIRef) else "(blank node)" if isinstance(focus, BNode) else short(data, focus, turtle=True),
        focus_label=label,
        path=short(data, path, turtle=True) if isinstance(path, URIRef) else "",
        value=short(data, value, turtle=True) if value is not None and not (isinstance(value, Literal) and len(str(value)) > 200) else
        (short(data, Literal(str(value)[:80] + "…"), turtle=True) if value is not None else ""),
        expected=expected, shape=shape, component=component,
        file=shown(place.path) if place else "", line=place.line if place else 0,
        column=place.column if place else 0,
        source_line=prepared.index.source_line(place).strip() if place and place.path.suffix == ".ttl" else "",
    )


# ------------------------------------------------------------------ entry points

def run(prepared: Prepared, shapes: Graph, progress: Progress = _silent,
        focus_files: list[Path] | None = None) -> Report:
    from kg.validation.partitioned import validate_partitioned

    progress(f"validate {len(prepared.graph)} triples")
    # pySHACL validates; the targets (SPARQL ones on pyoxigraph) are computed up front, once
    # on two cores when there are essays (a plain-files run has none: one process)
    report = validate_partitioned(prepared.graph, shapes, prepared.parts)
    # Curated files may hold blank nodes (the build skolemises them): discouraged, not a break.
    override = {KGS + "NoBlankNodesShape": "warning",
                KGS + "ResourceShape NodeKindConstraintComponent": "warning"} if prepared.curated else {}
    located = locate(prepared, report, shapes, override)
    if focus_files is not None:
        keep = {shown(p) for p in focus_files}
        located = Report(tuple(f for f in located.findings if f.file in keep), located.graph, tuple(sorted(keep)))
    return located


# ------------------------------------------------------------------ files that do not parse

def syntax_errors(paths: list[Path]) -> list[Finding]:
    """Every file of ``paths`` that is not UTF-8 Turtle, as an ``error`` finding at its place."""
    from kg.sources import parse_turtle

    out = []
    for path in paths:
        raw = read_bytes(path)  # a folder, a broken link, no permission: one line naming it
        bad = not_utf8(raw)
        if bad is not None:
            out.append(_error(path, bad.line, bad.column, bad.reason, ""))
            continue
        text = raw.decode("utf-8")
        try:
            parse_turtle(path, text=text, ill_typed=[])
        except SourceSyntaxError as exc:
            lines = text.splitlines()
            at = exc.position
            out.append(_error(path, at.line, at.column, exc.reason,
                              lines[at.line - 1].strip() if 0 < at.line <= len(lines) else ""))
    return out


def _error(path: Path, line: int, column: int, message: str, source_line: str) -> Finding:
    return Finding(severity="error", message=f"Turtle syntax error: {message}", focus="", shape="turtle syntax",
                   component="TurtleSyntax", file=shown(path), line=line, column=column, source_line=source_line)


def error_report(errors: list[Finding]) -> Report:
    """A report of files that could not be validated, also as a SHACL report graph (conforms false)."""
    rg = Graph()
    rg.bind("sh", str(_SH))
    report = BNode()
    rg.add((report, RDF.type, _SH.ValidationReport))
    rg.add((report, _SH.conforms, Literal(False)))
    for f in errors:
        r = BNode()
        rg.add((report, _SH.result, r))
        rg.add((r, RDF.type, _SH.ValidationResult))
        rg.add((r, _SH.resultSeverity, _SH.Violation))
        rg.add((r, _SH.resultMessage, Literal(f"{f.where()}: {f.message}")))
    # nothing was validated: the report names only the files that stopped it
    return Report(tuple(errors), rg, tuple(dict.fromkeys(f.file for f in errors)))


# ------------------------------------------------------------------ the repository around the files

def _git(args: list[str], cwd: Path) -> str:
    import subprocess

    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SourceError("git is not installed (--context git and --changed-since need it)") from None
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise SourceError(f"git {' '.join(args)} (in {cwd}): {why}")
    return done.stdout


def git_turtle_files(cwd: Path) -> list[Path]:
    """Every Turtle file git tracks in the repository holding ``cwd`` (the index: what a commit holds)."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    names = _git(["ls-files", "-z", "--", "*.ttl"], top).split("\0")
    return [top / n for n in names if n and (top / n).is_file()]


def git_changed(ref: str, cwd: Path) -> list[Path]:
    """The Turtle files changed (added, modified, renamed; not deleted) between the merge base of
    ``ref`` and HEAD and the working tree: what a pull request against ``ref`` changes."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    base = _git(["merge-base", ref, "HEAD"], top).strip()
    names = _git(["diff", "--name-only", "-z", "--diff-filter=d", base, "--", "*.ttl"], top).split("\0")
    return [top / n for n in names if n and (top / n).is_file()]


def _within(path: Path, roots: list[Path]) -> bool:
    path = path.resolve()
    return any(path == r.resolve() or r.resolve() in path.parents for r in roots)


def _is_shapes(graph: Graph) -> bool:
    from kg.shapes_policy import has_shapes

    return has_shapes(graph)


def _plain(files: list[Path], shapes: Graph, shape_paths: set[Path], context: str | None,
           config: Config, progress: Progress) -> Report:
    """Turtle files as they are; with ``context`` (``git``: every Turtle file git tracks; or a file or
    folder), validated together with the context and reported only where FILES are."""
    from kg.sources import parse_turtle

    graphs: dict[Path, Graph] = {}
    for p in files:
        try:
            graphs[p] = parse_turtle(p, ill_typed=[])  # ill-typed values: findings of prepare_plain
        except SourceError:
            errors = syntax_errors(files)  # every file that does not parse, at its place
            if not errors:
                raise
            return error_report(errors)
    keep = [p for p in files if not _is_shapes(graphs[p])]
    for p in files:
        if p not in keep:
            progress(f"skip {shown(p)}: a shapes file (shapes are not data)")
    if not keep:
        progress("nothing to validate: every file given is a shapes file")
        return Report((), Graph())
    around: list[Graph] = []
    if context and context != "none":
        # the repository that holds the files (not necessarily the one we run in)
        pool = git_turtle_files(keep[0].resolve().parent) if context == "git" else expand([Path(context)])
        mine = {p.resolve() for p in files} | shape_paths
        for p in pool:
            if p.resolve() in mine:
                continue
            try:
                g = parse_turtle(p, ill_typed=[])
            except SourceError as exc:  # not the files under review: their context is what it can be
                progress(f"context: skip {shown(p)}: {exc}")
                continue
            if not _is_shapes(g):
                around.append(g)
        progress(f"validate {len(keep)} file(s) with {len(around)} other file(s) as context")
    else:
        progress(f"validate {len(keep)} file(s) as they are")
    prepared = prepare_plain(keep)  # the files as any plain validation reads them
    for g in around:
        prepared.graph.addN((s, p, o, prepared.graph) for s, p, o in g)
    return run(prepared, shapes, progress, focus_files=keep if around else None)


def _essays(config: Config, only: list[Path] | None, shapes: Graph, progress: Progress) -> Report:
    try:
        prepared = prepare_corpus(config, only=only, progress=progress)
    except SourceSyntaxError:
        folders = sorted({essay_folder(p) for p in only}) if only else essay_folders(config.essays_dir)
        paths = [f for folder in folders for f in turtle_files(folder)]  # type: ignore[arg-type]
        paths += list(turtle_files(config.ontology_dir)) if config.ontology_dir.is_dir() else []
        errors = syntax_errors(paths)
        if not errors:
            raise
        return error_report(errors)
    return run(prepared, shapes, progress, focus_files=only)


def _merge(a: Report, b: Report) -> Report:
    findings = tuple(sorted(a.findings + b.findings, key=lambda f: (f.file == "", f.file, f.line, f.column)))
    return Report(findings, a.graph + b.graph, a.files + b.files)


@fewer_collections
def validate_sources(config: Config, files: list[Path], shapes_path: Path | None = None,
                     progress: Progress = _silent, *, context: str | None = None,
                     changed_since: str | None = None) -> Report:
    """What ``kg validate`` does: the corpus (no ``files``), the files of essays (enriched against
    their text), or any other Turtle files as they are (with ``context``: together with the rest of
    the repository, findings only in ``files``). Folders stand for their Turtle files; shapes files
    are never validated as data. ``changed_since``: the Turtle files changed since that git ref,
    with the repository as context. A file that does not parse is an ``error`` finding."""
    shape_paths = shapes_files(config, shapes_path)
    try:
        shapes = load_shapes(shape_paths)
    except SourceSyntaxError:
        errors = syntax_errors(shape_paths)
        if not errors:
            raise
        return error_report(errors)
    mine = {p.resolve() for p in shape_paths}
    if changed_since is not None:
        changed = git_changed(changed_since, config.root)
        files = [p for p in changed if _within(p, list(files))] if files else changed
        context = context or "git"
        progress(f"{len(files)} Turtle file(s) changed since {changed_since}")
        if not files:
            return Report((), Graph())
    elif not files:
        return _essays(config, None, shapes, progress)
    else:
        files = expand(files)
    for p in files:
        if p.resolve() in mine:
            progress(f"skip {shown(p)}: a shapes file (shapes are not data)")
    files = [p for p in files if p.resolve() not in mine]
    if not files:
        progress("nothing to validate: every file given is a shapes file")
        return Report((), Graph())
    in_essays = [f for f in files if essay_folder(f) is not None]
    plain = [f for f in files if essay_folder(f) is None]
    if in_essays and plain:
        return _merge(_essays(config, in_essays, shapes, progress),
                      _plain(plain, shapes, mine, context, config, progress))
    if in_essays:
        return _essays(config, in_essays, shapes, progress)
    return _plain(plain, shapes, mine, context, config, progress)


__all__ = ["Prepared", "error_report", "expand", "git_changed", "git_turtle_files",
           "load_shapes", "locate", "place_of", "prepare_corpus", "prepare_plain", "run", "shown", "syntax_errors",
           "validate_sources"]
