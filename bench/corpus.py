"""A realistic synthetic corpus: N essays shaped like ours, deterministic for a seed.

Each essay gets a generated text (source.txt) and curated Turtle (essay.ttl, persons.ttl, works.ttl,
concepts.ttl) with persons, works, concepts (one shared SKOS scheme, a broader hierarchy), sections,
quotations and claims. Every resource is anchored in the generated text: ``kgo:mention`` forms occur
as whole words (several times), ``kgo:evidence`` passages carry a unique marker so that each occurs
exactly once. Persons, works and concepts come from shared pools, so that the same IRI is described
in several essays and merged by the build. External links (owl:sameAs, skos:exactMatch) use valid
Wikidata IRIs and carry kgo:checkedBy; the essay cites its works with CiTO intents.

The folder written is a kg project (kg.toml, data/, and symlinks to the repository's ontology/,
shapes/ and queries/), built with ``kg --root DIR build``::

    python bench/corpus.py --triples 100k --seed 1 --out /tmp/corpus-100k
"""
from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Published triples of one generated essay (measured), and what the ontology adds to the whole corpus.
TRIPLES_PER_ESSAY = 1745
ONTOLOGY_TRIPLES = 260


def triples_for(essays: int) -> int:
    """The ``triples`` to give ``generate`` for a corpus of exactly ``essays`` essays."""
    return essays * TRIPLES_PER_ESSAY + ONTOLOGY_TRIPLES

_CONS = "bdfgklmnprstvz"
_VOW = "aeiou"
_FILLER = ("the of and in to that a is as it which by this not but for be on with are was its from "
           "their these has have an or at what than they more society state power class labour "
           "history theory form social political economic question analysis relation process "
           "development contradiction struggle movement character production property "
           "revolution system means relations structure period position however therefore").split()
_ROLES = ("kgo:quoted", "kgo:criticised", "kgo:cited", "kgo:mentioned")
_STANCES = ("kgo:endorses", "kgo:rejects", "kgo:acceptsInPart")
_INTENTS = ("cito:discusses", "cito:critiques", "cito:citesAsEvidence", "cito:citesAsAuthority",
            "cito:agreesWith", "cito:disagreesWith", "cito:extends", "cito:qualifies",
            "cito:citesAsRelated", "cito:obtainsSupportFrom", "cito:includesQuotationFrom")
_PREFIXES = """@prefix essay: <https://w3id.org/arthur-kg/id/essay/> .
@prefix section: <https://w3id.org/arthur-kg/id/section/> .
@prefix person: <https://w3id.org/arthur-kg/id/person/> .
@prefix work: <https://w3id.org/arthur-kg/id/work/> .
@prefix scheme: <https://w3id.org/arthur-kg/id/scheme/> .
@prefix concept: <https://w3id.org/arthur-kg/id/concept/> .
@prefix quotation: <https://w3id.org/arthur-kg/id/quotation/> .
@prefix claim: <https://w3id.org/arthur-kg/id/claim/> .
@prefix kgo: <https://w3id.org/arthur-kg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""


def word(n: int, syllables: int = 3) -> str:
    """An invented word, unique for ``n`` (never an English word: consonant-vowel pairs + 'x')."""
    out = []
    for _ in range(syllables):
        n, r = divmod(n, len(_CONS) * len(_VOW))
        out.append(_CONS[r // len(_VOW)] + _VOW[r % len(_VOW)])
    return "".join(out) + "x"


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    born: int
    qid: int | None


@dataclass(frozen=True)
class Work:
    slug: str
    title: str
    creator: int
    issued: int
    qid: int | None


@dataclass(frozen=True)
class Concept:
    slug: str
    label: str
    broader: int | None
    qid: int | None


class Pools:
    """The shared persons, works and concepts every essay draws from (so IRIs recur)."""

    def __init__(self, rng: random.Random, n_essays: int) -> None:
        n_persons, n_works, n_concepts = 40 + 4 * n_essays, 30 + 3 * n_essays, 20 + 2 * n_essays
        self.persons = [Person(f"p-{i}", f"{word(7 * i + 1, 2).title()} {word(11 * i + 3).title()}",
                               1800 + rng.randrange(150), (100 + i) if rng.random() < 0.5 else None)
                        for i in range(n_persons)]
        self.works = [Work(f"w-{i}", f"The {word(13 * i + 5).title()} of {word(17 * i + 2, 2).title()}",
                           rng.randrange(n_persons), 1850 + rng.randrange(150),
                           (500000 + i) if rng.random() < 0.3 else None)
                      for i in range(n_works)]
        self.concepts = [Concept(f"c-{i}", f"{word(19 * i + 7, 2)} {word(23 * i + 11)}",
                                 None if i < 10 else rng.randrange(i // 2 if i >= 20 else 10),
                                 (900000 + i) if rng.random() < 0.4 else None)
                         for i in range(n_concepts)]


def _lit(text: str, lang: str | None = "en") -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"@{lang}' if lang else f'"{body}"'


class EssayWriter:
    """One essay: picks its resources, writes the text around them, then the Turtle."""

    def __init__(self, rng: random.Random, pools: Pools, index: int) -> None:
        self.rng, self.pools, self.index = rng, pools, index
        self.id = f"essay-{index:05d}"
        self.sentences: list[str] = []
        self.marker = 0

    def _filler(self, n: int) -> str:
        return " ".join(self.rng.choice(_FILLER) for _ in range(n))

    def _sentence(self, *forms: str) -> None:
        parts = [self._filler(self.rng.randrange(4, 10))]
        for form in forms:
            parts.append(form)
            parts.append(self._filler(self.rng.randrange(3, 8)))
        text = " ".join(parts)
        self.sentences.append(text[0].upper() + text[1:] + ".")

    def _evidence(self, *forms: str) -> str:
        """A passage that occurs exactly once: it carries a unique bracketed marker."""
        self.marker += 1
        body = " ".join([self._filler(5), *forms, self._filler(4)])
        passage = f"{body} [{self.id}/{self.marker}]"
        self.sentences.append(passage[0].upper() + passage[1:] + ".")
        return passage[0].upper() + passage[1:]

    def build(self) -> tuple[str, dict[str, str]]:
        rng, pools = self.rng, self.pools
        works = sorted(rng.sample(range(len(pools.works)), 6))
        persons = set(rng.sample(range(len(pools.persons)), 6)) | {pools.works[w].creator for w in works}
        author = rng.randrange(len(pools.persons))
        persons.add(author)
        concepts = set(rng.sample(range(len(pools.concepts)), 7))
        for c in list(concepts):
            while (b := pools.concepts[c].broader) is not None:
                concepts.add(b)
                c = b
        persons_l, concepts_l = sorted(persons), sorted(concepts)
        title = f"On the {word(31 * self.index + 3).title()} Question"

        # ---- the text: a by-line, sections with mentions, evidence passages
        self.sentences.append(f"{title} [{self.id}/title]")
        self.sentences.append(f"by {pools.persons[author].name}")
        ev_title = f"{title} [{self.id}/title]"
        headings = []
        for i in range(3):
            heading = f"{i + 1}. {word(37 * self.index + i).title()} and {word(41 * self.index + i, 2).title()}"
            headings.append(self._evidence(heading))
            for _ in range(6):
                forms = [pools.persons[rng.choice(persons_l)].name, pools.concepts[rng.choice(concepts_l)].label]
                if rng.random() < 0.5:
                    forms.append(pools.works[rng.choice(works)].title)
                self._sentence(*forms)
        for p in persons_l:  # every form occurs at least once
            self._sentence(pools.persons[p].name)
        for w in works:
            self._sentence(pools.works[w].title)
        for c in concepts_l:
            self._sentence(pools.concepts[c].label)
        quotations = []
        for q in range(4):
            speaker = rng.choice(persons_l)
            quotations.append((speaker, rng.choice(works), self._evidence("“" + self._filler(8) + "”")))
        claims = []
        for c in range(5):
            claims.append((rng.choice([author, *persons_l]), self._evidence(self._filler(6))))
        text = "\n".join(" ".join(self.sentences[i:i + 5]) for i in range(0, len(self.sentences), 5)) + "\n"

        # ---- the Turtle
        eid = self.id
        e = [_PREFIXES]
        intents = []
        for w in works:
            for intent in rng.sample(_INTENTS, 2):
                intents.append(f"    {intent} work:{pools.works[w].slug} ;")
        e.append(f"""essay:{eid} a schema:ScholarlyArticle , fabio:Essay ;
    rdfs:label {_lit(f"{title} ({pools.persons[author].name})")} ;
    dcterms:title {_lit(title)} ;
    schema:name {_lit(title)} ;
    dcterms:creator person:{pools.persons[author].slug} ;
    schema:author person:{pools.persons[author].slug} ;
    kgo:evidence {_lit(ev_title, None)} ;
    kgo:centralThesis claim:{eid}-0 ;
    schema:about {", ".join(f"concept:{pools.concepts[c].slug}" for c in concepts_l[:3])} ;
    schema:hasPart {", ".join(f"section:{eid}-{i + 1}" for i in range(3))} ;
{chr(10).join(intents)}
    cito:cites {", ".join(f"work:{pools.works[w].slug}" for w in works)} .
""")
        for i, heading in enumerate(headings):
            e.append(f"""section:{eid}-{i + 1} a kgo:Section ;
    rdfs:label {_lit(f"section {i + 1} of {title}")} ;
    dcterms:title {_lit(heading)} ;
    schema:position {i + 1} ;
    schema:isPartOf essay:{eid} ;
    kgo:evidence {_lit(heading, None)} .
""")
        for i, (speaker, work, passage) in enumerate(quotations):
            e.append(f"""quotation:{eid}-{i} a schema:Quotation , fabio:Quotation ;
    rdfs:label {_lit(f"quotation {i} of {eid}")} ;
    schema:text {_lit(passage.strip("“”"))} ;
    schema:creator person:{pools.persons[speaker].slug} ;
    schema:isBasedOn work:{pools.works[work].slug} ;
    kgo:noteNumber {i + 1} ;
    kgo:locator "p. {rng.randrange(1, 400)}" ;
    kgo:evidenceFor claim:{eid}-{rng.randrange(5)} ;
    kgo:evidence {_lit(passage, None)} .
""")
        for i, (holder, passage) in enumerate(claims):
            rel = f"\n    kgo:{rng.choice(('supports', 'opposes', 'qualifies'))} claim:{eid}-{rng.randrange(i)} ;" if i else ""
            e.append(f"""claim:{eid}-{i} a schema:Claim ;
    rdfs:label {_lit(f"claim {i} of {eid}")} ;
    schema:text {_lit(passage)} ;
    schema:author person:{pools.persons[holder].slug} ;
    schema:appearance essay:{eid} ;
    schema:about concept:{pools.concepts[concepts_l[i % len(concepts_l)]].slug} ;
    kgo:authorStance {rng.choice(_STANCES)} ;{rel}
    kgo:evidence {_lit(passage, None)} .
""")
        p_out = [_PREFIXES]
        for i in persons_l:
            p = pools.persons[i]
            link = (f"\n    owl:sameAs <http://www.wikidata.org/entity/Q{p.qid}> ;\n"
                    f"    kgo:checkedBy {_lit('synthetic corpus: QID assigned by the generator')} ;") if p.qid else ""
            p_out.append(f"""person:{p.slug} a schema:Person , foaf:Person ;
    rdfs:label {_lit(p.name)} ;
    schema:name {_lit(p.name, None)} ;
    schema:birthDate "{p.born}"^^xsd:gYear ;
    schema:deathDate "{p.born + 60}"^^xsd:gYear ;{link}
    kgo:roleInEssay {rng.choice(_ROLES)} ;
    kgo:mention {_lit(p.name, None)} .
""")
        w_out = [_PREFIXES]
        for i in works:
            w = pools.works[i]
            link = (f"\n    owl:sameAs <http://www.wikidata.org/entity/Q{w.qid}> ;\n"
                    f"    kgo:checkedBy {_lit('synthetic corpus: QID assigned by the generator')} ;") if w.qid else ""
            w_out.append(f"""work:{w.slug} a schema:Book , fabio:Book ;
    rdfs:label {_lit(w.title)} ;
    dcterms:title {_lit(w.title)} ;
    dcterms:creator person:{pools.persons[w.creator].slug} ;
    dcterms:issued "{w.issued}"^^xsd:gYear ;{link}
    kgo:mention {_lit(w.title, None)} .
""")
        c_out = [_PREFIXES, """scheme:journal a skos:ConceptScheme ;
    rdfs:label "Concepts of the synthetic journal"@en ;
    skos:prefLabel "Concepts of the synthetic journal"@en ;
    skos:definition "The shared concept scheme of every essay of the synthetic journal."@en .
"""]
        related = rng.sample(concepts_l, 2) if len(concepts_l) >= 2 else []
        for i in concepts_l:
            c = pools.concepts[i]
            extra = ""
            if c.broader is not None:
                extra += f"\n    skos:broader concept:{pools.concepts[c.broader].slug} ;"
            if related and i == related[0]:
                extra += f"\n    skos:related concept:{pools.concepts[related[1]].slug} ;"
            if c.qid:
                extra += (f"\n    skos:exactMatch <http://www.wikidata.org/entity/Q{c.qid}> ;\n"
                          f"    kgo:checkedBy {_lit('synthetic corpus: QID assigned by the generator')} ;")
            c_out.append(f"""concept:{c.slug} a skos:Concept ;
    rdfs:label {_lit(c.label)} ;
    skos:prefLabel {_lit(c.label)} ;
    skos:definition {_lit(f"The synthetic concept {c.label}.")} ;
    skos:inScheme scheme:journal ;{extra}
    kgo:mention {_lit(c.label, None)} .
""")
        files = {"essay.ttl": "\n".join(e), "persons.ttl": "\n".join(p_out),
                 "works.ttl": "\n".join(w_out), "concepts.ttl": "\n".join(c_out)}
        return text, files


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def generate(out: Path, triples: int, seed: int = 1, link: bool = True) -> int:
    """Write a kg project of about ``triples`` published triples into ``out``; returns the number
    of essays. ``out`` is replaced."""
    n_essays = max(1, round((triples - ONTOLOGY_TRIPLES) / TRIPLES_PER_ESSAY))
    rng = random.Random(seed)
    pools = Pools(rng, n_essays)
    if out.exists():
        shutil.rmtree(out)
    essays = out / "data" / "essays"
    essays.mkdir(parents=True)
    (out / "kg.toml").write_text(
        '[kg]\ntitle = "A synthetic journal archive (benchmark corpus)"\nmodified = "2026-01-01"\n', encoding="utf-8")
    for part in ("ontology", "shapes", "queries"):
        if (REPO / part).is_dir():
            (out / part).symlink_to(REPO / part) if link else shutil.copytree(REPO / part, out / part)
    for i in range(n_essays):
        writer = EssayWriter(random.Random(f"{seed}/{i}"), pools, i)
        text, files = writer.build()
        folder = essays / writer.id
        folder.mkdir()
        (folder / "source.txt").write_text(text, encoding="utf-8")
        for name, body in files.items():
            (folder / name).write_text(body, encoding="utf-8")
    return n_essays


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", default="10k", help="about how many published triples (10k, 100k, 1m)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--copy", action="store_true", help="copy ontology/ and shapes/ instead of symlinking")
    args = ap.parse_args()
    n = generate(args.out, parse_size(args.triples), args.seed, link=not args.copy)
    print(f"{n} essays in {args.out}")


if __name__ == "__main__":
    main()
