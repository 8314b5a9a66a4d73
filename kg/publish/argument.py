"""Pure: the essay's argument in its field's own formats (docs/contract.md, "The argument in other
formats").

- **xAIF** (the Argument Interchange Format as JSON, read by AIFdb, OVA and the ``xaif`` package):
  ``argument.aif.json``, or ``argument-<essay>.aif.json`` per essay of a corpus. A claim is an
  I-node, each of its holders a participant speaking an L-node anchored to it by a YA-node
  (``Asserting``); ``kgo:supports`` is an RA-node, ``kgo:opposes`` a CA-node, ``kgo:qualifies`` a
  CA-node with the text ``Qualifying``, a quotation offered as evidence an I-node (spoken by the
  person quoted) with an RA-node to the claim. Node ids are the resources' IRIs relative to
  ``<base>id/`` (``claim/…``), so they stay the same across builds. What AIF has no place for (the
  author's stance, the central thesis, relations that leave the essay, cycles of support) is in the
  top-level object ``kg``.
- **Nanopublications**: ``nanopubs/<claim>.trig``, one per claim (head, assertion, provenance,
  publication info), with a Trusty URI, signed when a key is configured; ``nanopubs.trig`` holds them
  all (the distribution the dataset description lists). The Trusty URI and the signature follow the
  ``nanopub`` library (2.0) step for step, with a sort key instead of its comparison function (the
  library took 60 % of the export's time); the tests check the text hashed against the library's and
  every URI and signature with both the library and nanopub-rs. The library itself is not imported
  here: importing it turns rdflib's literal normalisation off for the whole process.

``argument_exports(dataset, config)`` returns ``{relative path: bytes}``; it reads the built union
graph, touches each claim's triples a constant number of times (linear in the claims) and sorts
everything it writes, so the same data give the same bytes.
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Signature import PKCS1_v1_5
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from kg.config import Config
from kg.enrich.anchors import essay_node
from kg.maps.model import CLAIM_RELATIONS, STANCES, _first, _label
from kg.namespaces import KGO, OA, SCHEMA
from kg.publish.nanopubmemo import NanopubMemo
from kg.publish.serialize import Namer, _subject_blocks, group
from kg.jsontext import dumps as json_text

NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
#: The AIF node type and the node's text for each relation between claims.
AIF_RELATIONS = {"supports": ("RA", "Default Inference"), "opposes": ("CA", "Default Conflict"),
                 "qualifies": ("CA", "Qualifying")}
EVIDENCE = ("RA", "Default Inference")
ASSERTING = "Asserting"
AIF_CONFORMS_TO = "http://www.arg.dundee.ac.uk/aif"
NANOPUB_CONFORMS_TO = str(NP)
NANOPUBS = "nanopubs"
#: The files of the exports that the dataset description lists as distributions (the per-claim
#: nanopublications are not listed one by one: ``nanopubs.trig`` holds them all).
BUNDLE = f"{NANOPUBS}.trig"
#: The local names under a nanopublication's ``sub:`` prefix.
SUB_NAMES = ("Head", "assertion", "provenance", "pubinfo", "sig")


def aif_name(essay_id: str, corpus: bool) -> str:
    return f"argument-{essay_id}.aif.json" if corpus else "argument.aif.json"


def is_distribution(name: str) -> bool:
    return name == BUNDLE or (name.startswith("argument") and name.endswith(".aif.json"))


# ---------------------------------------------------------------- xAIF

class _Ids:
    """A resource's node id: its IRI relative to ``<base>id/`` (the whole IRI when outside)."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri + "id/"

    def __call__(self, iri) -> str:  # noqa: ANN001
        s = str(iri)
        return s[len(self.base):] if s.startswith(self.base) and len(s) > len(self.base) else s


def _sccs(nodes: Iterable[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node or a loop (Tarjan, iterative: linear)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(edges.get(w, ()))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in edges.get(v, ()):
                    out.append(sorted(comp))
    return sorted(out)


def essay_aif(g: Graph, essay: URIRef, config: Config) -> dict:
    """The xAIF document of one essay's argument: its claims (``schema:appearance`` the essay), every
    relation that starts or ends at one of them, and the quotations offered as evidence for them."""
    ids = _Ids(config.base_iri)
    claims = {c for c in g.subjects(SCHEMA.appearance, essay) if (c, RDF.type, SCHEMA.Claim) in g}
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    locutions: dict[str, dict] = {}
    participants: dict[str, dict] = {}
    stance: dict[str, str] = {}
    outside: set[URIRef] = set()
    notes: list[str] = []

    def edge(a: str, b: str) -> None:
        eid = f"{a}>{b}"
        edges[eid] = {"edgeID": eid, "fromID": a, "toID": b}

    def spoken(prop: str, text: str, holder: URIRef) -> None:
        pid = ids(holder)
        participants[pid] = {"participantID": pid, "firstname": _label(g, holder), "surname": ""}
        lid, yid = f"{prop}|L|{pid}", f"{prop}|YA|{pid}"
        nodes[lid] = {"nodeID": lid, "type": "L", "text": f"{_label(g, holder)}: {text}"}
        nodes[yid] = {"nodeID": yid, "type": "YA", "text": ASSERTING}
        locutions[lid] = {"nodeID": lid, "personID": pid}
        edge(lid, yid)
        edge(yid, prop)

    def proposition(node: URIRef, with_holders: bool) -> str:
        nid = ids(node)
        if nid in nodes:
            return nid
        text = _first(g, node, SCHEMA.text) or _label(g, node)
        nodes[nid] = {"nodeID": nid, "type": "I", "text": text}
        if with_holders:
            holder_p = SCHEMA.author if (node, RDF.type, SCHEMA.Claim) in g else SCHEMA.creator
            for h in sorted(g.objects(node, holder_p)):
                if isinstance(h, URIRef):
                    spoken(nid, text, h)
        return nid

    for c in sorted(claims):
        proposition(c, True)
        for s in g.objects(c, KGO.authorStance):
            if s in STANCES:
                stance[ids(c)] = STANCES[s]
    support: dict[str, list[str]] = {}
    for kind, prop in CLAIM_RELATIONS.items():
        pairs = {(c, o) for c in claims for o in g.objects(c, prop)} | \
                {(s, c) for c in claims for s in g.subjects(prop, c)}
        aif_type, text = AIF_RELATIONS[kind]
        for s, o in sorted(pairs):
            for end in (s, o):
                if end not in claims:
                    outside.add(end)
            a, b = proposition(s, s in claims), proposition(o, o in claims)
            rid = f"{a}|{kind}|{b}"
            nodes[rid] = {"nodeID": rid, "type": aif_type, "text": text}
            edge(a, rid)
            edge(rid, b)
            if kind == "supports":
                support.setdefault(a, []).append(b)
    for c in sorted(claims):
        for q in sorted(g.subjects(KGO.evidenceFor, c)):
            a = proposition(q, True)
            rid = f"{a}|evidenceFor|{ids(c)}"
            nodes[rid] = {"nodeID": rid, "type": EVIDENCE[0], "text": EVIDENCE[1]}
            edge(a, rid)
            edge(rid, ids(c))
    for o in sorted(outside):
        what = "a claim of another essay" if (o, RDF.type, SCHEMA.Claim) in g else "not a claim of the dataset"
        notes.append(f"{ids(o)} is related to this essay's claims but does not appear in it ({what})")
    for comp in _sccs(sorted(support), {k: sorted(v) for k, v in support.items()}):
        notes.append("cycle of support: " + ", ".join(comp))
    central = sorted(ids(c) for c in g.objects(essay, KGO.centralThesis))
    return {
        "AIF": {
            "nodes": [nodes[k] for k in sorted(nodes)],
            "edges": [edges[k] for k in sorted(edges)],
            "locutions": [locutions[k] for k in sorted(locutions)],
            "participants": [participants[k] for k in sorted(participants)],
            "schemefulfillments": [],
            "descriptorfulfillments": [],
        },
        "text": "",
        "dialog": False,
        "kg": {
            "essay": str(essay),
            "title": _label(g, essay),
            "base": ids.base,
            "centralThesis": central,
            "stance": dict(sorted(stance.items())),
            "outside": sorted(ids(o) for o in outside),
            "notes": notes,
        },
    }


def aif_bytes(doc: dict) -> bytes:
    return (json_text(doc, sort_keys=True) + "\n").encode("utf-8")


# ---------------------------------------------------------------- nanopublications

def claim_slug(claim: URIRef, config: Config) -> str:
    base = config.base_iri + "id/claim/"
    s = str(claim)
    local = s[len(base):] if s.startswith(base) else s
    return re.sub(r"[^A-Za-z0-9._-]+", "-", local).strip("-") or "claim"


def _anchor_triples(g: Graph, anchor: URIRef) -> list[tuple]:
    """The anchor and its selectors (``oa:hasSelector``), as the dump describes them."""
    out = list(g.triples((anchor, None, None)))
    for sel in sorted(g.objects(anchor, OA.hasSelector)):
        out.extend(g.triples((sel, None, None)))
    return out


def nanopub_quads(g: Graph, claim: URIRef, config: Config, ns: str) -> list[tuple]:
    """The quads ``(graph, s, p, o)`` of the claim's nanopublication under the temporary namespace
    ``ns`` (the nanopublication is ``ns`` without its last ``/``; its graphs ``ns + "assertion"`` …)."""
    this = URIRef(ns[:-1])
    sub = Namespace(ns)
    head, assertion, provenance, pubinfo = sub["Head"], sub["assertion"], sub["provenance"], sub["pubinfo"]
    quads: list[tuple] = [
        (head, this, RDF.type, NP.Nanopublication), (head, this, NP.hasAssertion, assertion),
        (head, this, NP.hasProvenance, provenance), (head, this, NP.hasPublicationInfo, pubinfo),
    ]
    quads.extend((assertion, s, p, o) for s, p, o in g.triples((claim, None, None)))
    curators = URIRef(config.base_iri + "id/agent/curators")
    quads.append((provenance, assertion, PROV.wasAttributedTo, curators))
    anchors = sorted(set(g.objects(claim, PROV.wasDerivedFrom)) | set(g.objects(claim, KGO.evidencedAt)))
    for a in anchors:
        quads.append((provenance, assertion, PROV.wasDerivedFrom, a))
        quads.extend((provenance, s, p, o) for s, p, o in _anchor_triples(g, a))
    quads.extend((provenance, q, KGO.evidenceFor, claim) for q in g.subjects(KGO.evidenceFor, claim))
    quads.extend((provenance, e, KGO.centralThesis, claim) for e in g.subjects(KGO.centralThesis, claim))
    dataset = URIRef(config.base_iri + "id/dataset")
    quads += [
        (pubinfo, this, DCTERMS.created, Literal(f"{config.modified}T00:00:00Z", datatype=XSD.dateTime)),
        (pubinfo, this, DCTERMS.creator, curators),
        (pubinfo, this, DCTERMS.license, URIRef(config.license)),
        (pubinfo, this, DCTERMS.isPartOf, dataset),
        (pubinfo, this, RDFS.label, Literal(f"Claim: {_label(g, claim)}", lang="en")),
        (pubinfo, this, NPX.introduces, claim),
        (pubinfo, curators, FOAF.name, Literal(config.creator)),
    ]
    return quads


_XSD_STRING = str(XSD.string)


def _rename(ns: str, code: str):  # noqa: ANN202
    """The Trusty URI module's renaming (as the ``nanopub`` library's RdfUtils.get_trustyuri does it
    for a namespace ending in ``/``), on IRIs as strings: the nanopublication ``ns[:-1]`` (and ``ns``)
    becomes ``ns + code`` and ``ns + local`` becomes ``ns + code + "#" + local``; ``code`` is " "
    while hashing."""
    np_iri = ns[:-1]

    def rename(iri: str) -> str:
        if iri == np_iri or iri == ns:
            return ns + code
        if iri.startswith(ns):
            return f"{ns}{code}#{iri[len(ns):]}"
        return iri
    return rename


def _escape_trusty(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _trusty_line(term, rename) -> str:  # noqa: ANN001
    if isinstance(term, Literal):
        if term.language is not None:
            return f"@{term.language.lower()} {_escape_trusty(str(term))}\n"
        return f"^{term.datatype or _XSD_STRING} {_escape_trusty(str(term))}\n"
    return f"{rename(str(term))}\n"


def _object_key(term, rename) -> tuple:  # noqa: ANN001
    if not isinstance(term, Literal):
        return (0, rename(str(term)).encode("utf-8"))
    kind = (0, "") if term.language is not None else (1, str(term.datatype or _XSD_STRING))
    return (1, str(term).encode("utf-8"), kind, term.language or "")


def normalised(quads: list[tuple], ns: str) -> str:
    """The text a Trusty URI (module RA) hashes and a nanopublication's signature signs: the quads
    with the nanopublication's own IRIs renamed to the placeholder, sorted by graph, subject,
    predicate, object (URIs before literals; literals by text, datatype, language), one term a line,
    duplicates once. The same text as the ``nanopub`` library's RdfHasher.normalize_quads (checked in
    tests/test_argument.py), computed with one sort key per quad instead of a comparison function."""
    rename = _rename(ns, " ")
    rows = []
    for c, s, p, o in quads:
        c, s, p = rename(str(c)), rename(str(s)), rename(str(p))
        key = (c.encode("utf-8"), s.encode("utf-8"), p.encode("utf-8"), _object_key(o, rename))
        rows.append((key, f"{c}\n{s}\n{p}\n" + _trusty_line(o, rename)))
    rows.sort(key=lambda r: r[0])
    out, previous = [], None
    for _key, line in rows:
        if line != previous:
            out.append(line)
        previous = line
    return "".join(out)


def make_trusty(quads: list[tuple], ns: str, signing_key: str = "", signer: str = "") -> list[tuple]:
    """The quads under their Trusty URI, ``ns`` + ``RA`` + the URL-safe base64 of the sha256 of
    ``normalised(quads)`` (nanopub's RdfHasher.make_hash); signed first (RSA, as ``nanopub`` signs)
    when ``signing_key`` is given."""
    if signing_key:
        quads = _signed(quads, ns, signing_key, signer)
    digest = hashlib.sha256(normalised(quads, ns).encode("utf-8")).digest()
    code = "RA" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    rename = _rename(ns, code)
    memo: dict = {}

    def final(term):  # noqa: ANN001, ANN202
        if not isinstance(term, URIRef):
            return term
        if term not in memo:
            memo[term] = URIRef(rename(str(term)))
        return memo[term]
    return [(final(c), final(s), final(p), final(o)) for c, s, p, o in quads]


def _signed(quads: list[tuple], ns: str, key: str, signer: str) -> list[tuple]:
    """``nanopub``'s signing (sign_utils.add_signature, before its Trusty URI step): the signature's
    triples in the publication info, then an RSA PKCS#1 v1.5 signature of the sha256 of the
    normalised quads."""
    private = RSA.import_key(base64.b64decode(key))
    public = base64.b64encode(private.publickey().export_key(format="DER")).decode("ascii")
    pubinfo, sig = URIRef(ns + "pubinfo"), URIRef(ns + "sig")
    quads = list(quads) + [
        (pubinfo, sig, NPX.hasPublicKey, Literal(public)),
        (pubinfo, sig, NPX.hasAlgorithm, Literal("RSA")),
        (pubinfo, sig, NPX.hasSignatureTarget, URIRef(ns)),
        (pubinfo, sig, NPX.signedBy, URIRef(signer)),
    ]
    signed = PKCS1_v1_5.new(private).sign(SHA256.new(normalised(quads, ns).encode("utf-8")))
    return quads + [(pubinfo, sig, NPX.hasSignature, Literal(base64.b64encode(signed).decode("ascii")))]


def nanopub_trig(quads: list[tuple], namer: Namer) -> bytes:
    """TriG of one nanopublication: prefixes ``this:``/``sub:``, then head, assertion, provenance,
    publication info, each graph's subjects sorted (``namer``: ``nanopub_namer(base_iri)``)."""
    this, head = next((s, c) for c, s, p, o in quads if p == RDF.type and o == NP.Nanopublication)
    order = [head] + [next(o for c, s, p, o in quads if c == head and s == this and p == rel)
                      for rel in (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo)]
    graphs: dict = {name: [] for name in order}
    for c, s, p, o in quads:
        graphs[c].append((s, p, o))
    lines = [f"@base <{namer.id_base}> .", f"@prefix this: <{this}> .", f"@prefix sub: <{this}#> ."]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in namer.prefixes.items()]
    out = []
    for name in order:
        body = "\n".join(_subject_blocks(None, namer, indent="    ", grouped=group(graphs[name])))
        out.append(f"<{name}> {{\n{body}}}\n\n")
    text = "".join(out).replace(f"<{this}>", "this:")
    for local in SUB_NAMES:
        text = text.replace(f"<{this}#{local}>", f"sub:{local}")
    return ("\n".join(lines) + "\n\n" + text).encode("utf-8")


def nanopub_namer(base_iri: str) -> Namer:
    return Namer(base_iri, extra={"np": str(NP), "npx": str(NPX)})


def claim_nanopub(g: Graph, claim: URIRef, config: Config, namer: Namer, signing_key: str = "",
                  slug: str = "", memo=None) -> bytes:  # noqa: ANN001
    """The claim's nanopublication as TriG, under ``<base>np/<slug>/RA…`` (``memo``: a
    ``kg.publish.nanopubmemo.NanopubMemo``, which reads it back when the same quads made it before)."""
    ns = f"{config.base_iri}np/{slug or claim_slug(claim, config)}/"
    signer = config.nanopub_signer or config.base_iri + "id/agent/curators"
    quads = nanopub_quads(g, claim, config, ns)

    def make() -> bytes:
        return nanopub_trig(make_trusty(quads, ns, signing_key, signer), namer)
    return make() if memo is None else memo(quads, ns, make, signing_key, signer, namer)


# ---------------------------------------------------------------- the extra

def essay_nodes(dataset) -> dict:  # noqa: ANN001
    """{essay id: its schema:ScholarlyArticle} (``dataset.essay_nodes`` when the build found them)."""
    known = getattr(dataset, "essay_nodes", None)
    if known is not None:
        return known
    return {essay_id: n for essay_id, eg in dataset.essays.items() if (n := essay_node(eg)) is not None}


def argument_distributions(dataset) -> list[str]:  # noqa: ANN001
    """The names of ``argument_exports``' files that the description lists (``is_distribution``),
    without making them: the xAIF file of each essay, and ``nanopubs.trig``."""
    corpus = len(dataset.essays) > 1
    return [*(aif_name(essay_id, corpus) for essay_id in sorted(essay_nodes(dataset))), BUNDLE]


def argument_exports(dataset, config: Config, cache=None) -> dict[str, bytes]:  # noqa: ANN001
    """The xAIF file of each essay and the nanopublication of each claim (plus ``nanopubs.trig``);
    ``cache``: the build cache, where the nanopublications are kept (``kg.publish.nanopubmemo``)."""
    memo = NanopubMemo(cache)
    g = dataset.union
    files: dict[str, bytes] = {}
    corpus = len(dataset.essays) > 1
    nodes = essay_nodes(dataset)
    for essay_id in sorted(nodes):
        files[aif_name(essay_id, corpus)] = aif_bytes(essay_aif(g, nodes[essay_id], config))
    namer = nanopub_namer(config.base_iri)
    key = getattr(dataset, "nanopub_key", "")
    bundle = []
    slugs: dict[str, URIRef] = {}
    for claim in sorted(c for c in set(g.subjects(RDF.type, SCHEMA.Claim)) if isinstance(c, URIRef)):
        slug = claim_slug(claim, config)
        if slug in slugs:  # two IRIs outside the base that slug alike: keep both, apart
            slug = f"{slug}-{len(slugs)}"
        slugs[slug] = claim
        data = claim_nanopub(g, claim, config, namer, key, slug, memo)
        files[f"{NANOPUBS}/{slug}.trig"] = data
        bundle.append(data)
    files[BUNDLE] = b"".join(bundle)
    memo.save()  # this build's, for the next
    return files


__all__ = ["argument_distributions", "argument_exports", "essay_nodes", "essay_aif", "claim_nanopub", "nanopub_quads", "make_trusty", "is_distribution"]
