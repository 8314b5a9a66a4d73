"""The three services, over ``Client``: Wikidata's API (``wbsearchentities``, ``wbgetentities``),
VIAF (``AutoSuggest``, ``<id>/viaf.json``) and Open Library (``search.json``,
``search/authors.json``, ``authors/OL…A.json``, ``works/OL…W.json``). Base URLs come from
``LinkSettings``. Each answer is turned into ``Record`` values by a pure ``parse_*`` function;
an answer that does not have the documented shape is a ``ServiceError`` naming the service and
the identifier."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from kg.errors import ServiceError
from kg.linker.client import Client, Fetched
from kg.linker.match import Record, year_of
from kg.linker.settings import LinkSettings

WD_ENTITY = "http://www.wikidata.org/entity/"
VIAF_IRI = "http://viaf.org/viaf/"
OL_IRI = "https://openlibrary.org"
#: Languages of the labels we fetch from Wikidata (verification and enrichment).
LANGUAGES = ("en", "de", "fr", "es", "it", "ru", "pl", "pt", "zh", "ja")
BATCH = 50  # wbgetentities takes at most 50 ids


def _shape(service: str, ident: str, why: str) -> ServiceError:
    return ServiceError(f"{service}: {ident}: unexpected answer ({why})",
                        hint="The service's API may have changed; see README, Linking.")


# ================================================================== Wikidata

def _claim_values(claims: dict[str, Any], prop: str) -> list[Any]:
    out = []
    for statement in claims.get(prop, []) or []:
        if not isinstance(statement, dict) or statement.get("rank") == "deprecated":
            continue
        snak = statement.get("mainsnak") or {}
        if snak.get("snaktype") != "value":
            continue
        value = (snak.get("datavalue") or {}).get("value")
        if value is not None:
            out.append(value)
    return out


def _item_ids(claims: dict[str, Any], prop: str) -> tuple[str, ...]:
    ids = []
    for v in _claim_values(claims, prop):
        if isinstance(v, dict):
            qid = v.get("id") or (f"Q{v['numeric-id']}" if "numeric-id" in v else None)
            if qid:
                ids.append(qid)
    return tuple(dict.fromkeys(ids))


def _years(claims: dict[str, Any], prop: str) -> tuple[int, ...]:
    years = []
    for v in _claim_values(claims, prop):
        if isinstance(v, dict) and isinstance(v.get("time"), str) and int(v.get("precision", 11)) >= 9:
            y = year_of(v["time"])
            if y is not None:
                years.append(y)
    return tuple(dict.fromkeys(years))


def parse_wikidata_entity(ent: dict[str, Any], source: str = "", fetched: str = "") -> Record:
    qid = ent["id"]
    labels = {lang: v["value"] for lang, v in (ent.get("labels") or {}).items() if isinstance(v, dict) and "value" in v}
    aliases = tuple(a["value"] for a in (ent.get("aliases") or {}).get("en", []) if isinstance(a, dict) and "value" in a)
    claims = ent.get("claims") or {}
    if not isinstance(claims, dict):  # an entity without statements has "claims": []
        claims = {}
    return Record(
        service="wikidata", id=qid, iri=WD_ENTITY + qid, label=labels.get("en", next(iter(labels.values()), "")),
        description=((ent.get("descriptions") or {}).get("en") or {}).get("value", ""),
        aliases=aliases, labels=labels, types=_item_ids(claims, "P31"),
        births=_years(claims, "P569"), deaths=_years(claims, "P570"), published=_years(claims, "P577"),
        creators=tuple(WD_ENTITY + q for q in _item_ids(claims, "P50")),
        sitelinks={site: v["title"] for site, v in (ent.get("sitelinks") or {}).items() if isinstance(v, dict) and "title" in v},
        source=source, fetched=fetched,
    )


def parse_wikidata_entities(data: Any, asked: list[str], source: str = "", fetched: str = "") -> dict[str, Record]:
    """``wbgetentities`` → a record per asked id: found, missing, or a redirect to its target
    (the answer then carries ``"redirects": {"from": …, "to": …}``)."""
    where = "|".join(asked)
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        raise _shape("wikidata", where, "no 'entities' object")
    out: dict[str, Record] = {}
    for key, ent in data["entities"].items():
        if not isinstance(ent, dict):
            raise _shape("wikidata", key, "an entity is not an object")
        if "missing" in ent:
            qid = ent.get("id", key)
            out[qid] = Record("wikidata", qid, WD_ENTITY + qid, status="missing", source=source, fetched=fetched)
            continue
        if "id" not in ent:
            raise _shape("wikidata", key, "an entity without 'id'")
        record = parse_wikidata_entity(ent, source, fetched)
        out[record.id] = record
        redirect = ent.get("redirects")
        if isinstance(redirect, dict) and redirect.get("from"):
            src = redirect["from"]
            out[src] = Record("wikidata", src, WD_ENTITY + src, status="redirect", target=redirect.get("to", record.id),
                              source=source, fetched=fetched)
    return out


def wikidata_search(client: Client, s: LinkSettings, name: str, ident: str, limit: int = 7) -> list[str]:
    """QIDs of the items whose label or alias matches ``name``, best first."""
    got = client.get_json("wikidata", ident, s.wikidata_api, {
        "action": "wbsearchentities", "search": name, "language": "en", "uselang": "en", "type": "item",
        "limit": str(limit), "format": "json"})
    data = got.data
    if isinstance(data, dict) and "error" in data:
        raise ServiceError(f"wikidata: {ident}: API error {data['error'].get('code', '?')}: {data['error'].get('info', '')}")
    if got.status != 200 or not isinstance(data, dict) or not isinstance(data.get("search"), list):
        raise _shape("wikidata", ident, "no 'search' list")
    return [hit["id"] for hit in data["search"] if isinstance(hit, dict) and re.fullmatch(r"Q\d+", str(hit.get("id", "")))]


def wikidata_entities(client: Client, s: LinkSettings, ids: list[str]) -> tuple[dict[str, Record], list[str]]:
    """Records for ``ids``, fetched 50 at a time; failures are returned (one message per batch)."""
    records: dict[str, Record] = {}
    failures: list[str] = []
    todo = sorted(set(ids), key=lambda q: (len(q), q))
    for i in range(0, len(todo), BATCH):
        batch = todo[i:i + BATCH]
        while batch:
            try:
                got = _get_entities(client, s, batch)
            except ServiceError as exc:
                failures.append(str(exc))
                break
            error = got.data.get("error") if isinstance(got.data, dict) else None
            if isinstance(error, dict):
                bad = error.get("id")
                if error.get("code") == "no-such-entity" and bad in batch:
                    records[bad] = Record("wikidata", bad, WD_ENTITY + bad, status="missing", source=got.url, fetched=got.fetched)
                    batch = [q for q in batch if q != bad]
                    continue
                failures.append(f"wikidata: {'|'.join(batch)}: API error {error.get('code', '?')}: {error.get('info', '')}")
                break
            try:
                records.update(parse_wikidata_entities(got.data, batch, got.url, got.fetched))
            except ServiceError as exc:
                failures.append(str(exc))
            break
    return records, failures


def _get_entities(client: Client, s: LinkSettings, batch: list[str]) -> Fetched:
    return client.get_json("wikidata", "|".join(batch), s.wikidata_api, {
        "action": "wbgetentities", "ids": "|".join(batch), "props": "labels|aliases|descriptions|claims|sitelinks",
        "languages": "|".join(LANGUAGES), "sitefilter": "enwiki", "redirects": "yes", "format": "json"})


# ================================================================== VIAF

NAMETYPES = {"personal": "person", "uniformtitlework": "work", "uniformtitleexpression": "work",
             "corporate": "organisation", "geographic": "place"}


#: MARC's non-sorting markers (NSB/NSE, U+0098/U+009C) that VIAF leaves in some headings ("\x98de\x9c").
_NON_SORTING = str.maketrans("", "", "\x98\x9c")


def _viaf_heading(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """"Trotsky, Leon, 1879-1940" → ("Leon Trotsky", (1879,), (1940,))."""
    text = unicodedata.normalize("NFC", text.translate(_NON_SORTING))  # VIAF sends some headings decomposed
    births: tuple[int, ...] = ()
    deaths: tuple[int, ...] = ()
    m = re.search(r",?\s*(\d{3,4})?\??-(\d{3,4})?\.?\s*$", text)
    if m and (m.group(1) or m.group(2)):
        births = (int(m.group(1)),) if m.group(1) else ()
        deaths = (int(m.group(2)),) if m.group(2) else ()
        text = text[:m.start()]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    name = f"{parts[1]} {parts[0]}" if len(parts) >= 2 else (parts[0] if parts else text)
    return " ".join(name.split()), births, deaths


def _viaf_label(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
    """A heading → (label, births, deaths, creator names). A work's heading names its author first:
    "Benedetti, Mario, 1920-2009. | Works. 1993" → ("Works. 1993", (), (), ("Mario Benedetti",));
    the author's dates are the author's, not the work's."""
    if "|" not in text:
        return (*_viaf_heading(text), ())
    author, *title = [p.strip() for p in text.split("|")]
    creator = _viaf_heading(author.rstrip(". "))[0]
    label = " | ".join(t for t in title if t) or creator
    return label, (), (), (creator,) if creator else ()


def parse_viaf_suggest(data: Any, ident: str, source: str = "", fetched: str = "") -> list[Record]:
    if not isinstance(data, dict) or "result" not in data:
        raise _shape("viaf", ident, "no 'result'")
    out = []
    for hit in data["result"] or []:
        viaf_id = str(hit.get("viafid", "")) if isinstance(hit, dict) else ""
        if not viaf_id.isdigit():
            continue
        display = unicodedata.normalize("NFC", str(hit.get("displayForm") or hit.get("term") or ""))
        name, births, deaths, creators = _viaf_label(display)
        kind = NAMETYPES.get(str(hit.get("nametype", "")).lower())
        out.append(Record("viaf", viaf_id, VIAF_IRI + viaf_id, label=name, aliases=(display,),
                          types=(kind,) if kind else (), births=births, deaths=deaths, creator_names=creators,
                          description=", ".join(creators), source=source, fetched=fetched))
    return out


def _strip_ns(value: Any) -> Any:
    if isinstance(value, dict):
        return {k.split(":", 1)[-1]: _strip_ns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_ns(v) for v in value]
    return value


def parse_viaf_record(data: Any, viaf_id: str, status: int, source: str = "", fetched: str = "") -> Record:
    iri = VIAF_IRI + viaf_id
    if status == 404:
        return Record("viaf", viaf_id, iri, status="missing", source=source, fetched=fetched)
    if not isinstance(data, dict):
        raise _shape("viaf", viaf_id, "not a JSON object")
    # the cluster sits under "VIAFCluster" with whatever namespace prefix the answer chose
    # (viaf.json: ns1:; SRU answers number them ns2:, ns3:, …), or is the object itself
    cluster = next((v for k, v in data.items() if k.rsplit(":", 1)[-1] == "VIAFCluster"), data)
    data = _strip_ns(cluster) if isinstance(cluster, dict) else {}
    if "redirect" in data:
        target = str((data["redirect"] or {}).get("directto", "")) or None
        return Record("viaf", viaf_id, iri, status="redirect", target=target, source=source, fetched=fetched)
    if "scavenged" in data or "abandoned" in data:
        return Record("viaf", viaf_id, iri, status="deleted", source=source, fetched=fetched)
    headings = (data.get("mainHeadings") or {}).get("data") or []
    if isinstance(headings, dict):
        headings = [headings]
    texts = [unicodedata.normalize("NFC", str(h["text"])) for h in headings if isinstance(h, dict) and h.get("text")]
    if not texts:
        raise _shape("viaf", viaf_id, "no mainHeadings")
    labels = [_viaf_label(t) for t in texts]
    names = [lab[0] for lab in labels]
    creators = labels[0][3]
    kind = NAMETYPES.get(str(data.get("nameType", "")).lower())
    # "0" or 0 when unknown: then the dates of the first heading, if it has any
    births = tuple(y for y in [year_of(str(data.get("birthDate", "")))] if y) or labels[0][1]
    deaths = tuple(y for y in [year_of(str(data.get("deathDate", "")))] if y) or labels[0][2]
    return Record("viaf", str(data.get("viafID", viaf_id)), iri, label=names[0],
                  aliases=tuple(dict.fromkeys(names + texts)), types=(kind,) if kind else (),
                  births=births, deaths=deaths, creator_names=creators, description=", ".join(creators),
                  source=source, fetched=fetched)


def viaf_suggest(client: Client, s: LinkSettings, name: str, ident: str) -> list[Record]:
    got = client.get_json("viaf", ident, s.viaf_url.rstrip("/") + "/AutoSuggest", {"query": name})
    return parse_viaf_suggest(got.data, ident, got.url, got.fetched)


def viaf_record(client: Client, s: LinkSettings, viaf_id: str) -> Record:
    got = client.get_json("viaf", viaf_id, f"{s.viaf_url.rstrip('/')}/{viaf_id}/viaf.json")
    return parse_viaf_record(got.data, viaf_id, got.status, got.url, got.fetched)


# ================================================================== Open Library

def _ol_key(key: str, kind: str) -> str:
    return key.rstrip("/").rsplit("/", 1)[-1] if key else ""


def parse_ol_author_search(data: Any, ident: str, source: str = "", fetched: str = "") -> list[Record]:
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        raise _shape("openlibrary", ident, "no 'docs' list")
    out = []
    for doc in data["docs"]:
        olid = _ol_key(str(doc.get("key", "")), "authors") if isinstance(doc, dict) else ""
        if not re.fullmatch(r"OL\d+A", olid):
            continue
        births = tuple(y for y in [year_of(doc.get("birth_date"))] if y)
        deaths = tuple(y for y in [year_of(doc.get("death_date"))] if y)
        out.append(Record("openlibrary", olid, f"{OL_IRI}/authors/{olid}", label=doc.get("name", ""),
                          aliases=tuple(doc.get("alternate_names") or ()), types=("person",), births=births,
                          deaths=deaths, description=f"top work: {doc['top_work']}" if doc.get("top_work") else "",
                          source=source, fetched=fetched))
    return out


def parse_ol_work_search(data: Any, ident: str, source: str = "", fetched: str = "") -> list[Record]:
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        raise _shape("openlibrary", ident, "no 'docs' list")
    out = []
    for doc in data["docs"]:
        olid = _ol_key(str(doc.get("key", "")), "works") if isinstance(doc, dict) else ""
        if not re.fullmatch(r"OL\d+W", olid):
            continue
        title = doc.get("title", "")
        aliases = (f"{title}: {doc['subtitle']}",) if doc.get("subtitle") else ()
        year = doc.get("first_publish_year")
        out.append(Record("openlibrary", olid, f"{OL_IRI}/works/{olid}", label=title, aliases=aliases, types=("work",),
                          published=(int(year),) if isinstance(year, int) else (),
                          creators=tuple(f"{OL_IRI}/authors/{k}" for k in doc.get("author_key") or ()),
                          creator_names=tuple(doc.get("author_name") or ()),
                          description=", ".join(doc.get("author_name") or ()), source=source, fetched=fetched))
    return out


def parse_ol_record(data: Any, olid: str, status: int, source: str = "", fetched: str = "") -> Record:
    kind = "authors" if olid.endswith("A") else "works"
    iri = f"{OL_IRI}/{kind}/{olid}"
    if status == 404:
        return Record("openlibrary", olid, iri, status="missing", source=source, fetched=fetched)
    if not isinstance(data, dict) or not isinstance(data.get("type"), dict):
        raise _shape("openlibrary", olid, "no 'type'")
    rtype = data["type"].get("key")
    if rtype == "/type/redirect":
        return Record("openlibrary", olid, iri, status="redirect", target=_ol_key(str(data.get("location", "")), kind) or None,
                      source=source, fetched=fetched)
    if rtype == "/type/delete":
        return Record("openlibrary", olid, iri, status="deleted", source=source, fetched=fetched)
    key = _ol_key(str(data.get("key", "")), kind)
    if key and key != olid:  # an HTTP redirect within the host took us to another record
        return Record("openlibrary", olid, iri, status="redirect", target=key, source=source, fetched=fetched)
    if kind == "authors":
        names = [n for n in [data.get("name"), data.get("personal_name"), data.get("fuller_name")] if n]
        return Record("openlibrary", olid, iri, label=names[0] if names else "",
                      aliases=tuple(dict.fromkeys(names[1:] + list(data.get("alternate_names") or ()))), types=("person",),
                      births=tuple(y for y in [year_of(data.get("birth_date"))] if y),
                      deaths=tuple(y for y in [year_of(data.get("death_date"))] if y), source=source, fetched=fetched)
    title = data.get("title", "")
    authors = []
    for a in data.get("authors") or []:
        k = ((a or {}).get("author") or {}).get("key") if isinstance(a, dict) else None
        if k:
            authors.append(f"{OL_IRI}/authors/{_ol_key(k, 'authors')}")
    return Record("openlibrary", olid, iri, label=title,
                  aliases=(f"{title}: {data['subtitle']}",) if data.get("subtitle") else (), types=("work",),
                  published=tuple(y for y in [year_of(str(data.get("first_publish_date", "")))] if y),
                  creators=tuple(authors), source=source, fetched=fetched)


def ol_search_authors(client: Client, s: LinkSettings, name: str, ident: str) -> list[Record]:
    got = client.get_json("openlibrary", ident, s.openlibrary_url.rstrip("/") + "/search/authors.json",
                          {"q": name, "limit": "5"})
    return parse_ol_author_search(got.data, ident, got.url, got.fetched)


def ol_search_works(client: Client, s: LinkSettings, title: str, author: str | None, ident: str) -> list[Record]:
    params = {"title": title, "limit": "5", "fields": "key,title,subtitle,author_name,author_key,first_publish_year"}
    if author:
        params["author"] = author
    got = client.get_json("openlibrary", ident, s.openlibrary_url.rstrip("/") + "/search.json", params)
    return parse_ol_work_search(got.data, ident, got.url, got.fetched)


def ol_record(client: Client, s: LinkSettings, olid: str) -> Record:
    kind = "authors" if olid.endswith("A") else "works"
    got = client.get_json("openlibrary", olid, f"{s.openlibrary_url.rstrip('/')}/{kind}/{olid}.json")
    return parse_ol_record(got.data, olid, got.status, got.url, got.fetched)
