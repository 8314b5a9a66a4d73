"""Which resource pages of the site need not be rendered again (the incremental build's pages).

A resource's page (``site/id/…/x.html`` and its descriptions ``x.ttl``, ``x.jsonld``, ``x.nt``) is a
function of what its rendering reads from the pages' ``Index`` and of what every page shares (the
code, the templates, the settings, the ontology's sub-properties). While a page is rendered, every read
is recorded (``Index.reads``): ``("O", node)`` a node's statements (its label, its types, its
values), ``("I", node)`` its incoming links, ``("R", essay)`` an essay's reading order, ``("S",
essay)`` its sections, ``("L", name)`` the list of resources a listing page shows (a kind's page, a
class's page, the search index: ``Renderer.listed``; a resource added or gone changes it). The pages
listing many resources are memoised like a resource's page, under their list's name after a space (no
IRI: ``" kind:person"``, ``" class:https://schema.org/Person"``, ``" all"``): at 1 M they list every
resource. The page's *fingerprint* is a hash of the current value of each of those reads.
The next build looks at the reads recorded last time: if each has the same value now (the same
fingerprint) and everything shared is the same, the rendering would read the same values and make the
same bytes, so the previous output's files are linked instead, when each is still the file the last
build wrote: the same inode, size and modification time (``Stage.keep``; a file changed, replaced or
removed since is rendered again). Their SHA-256, for ``SHA256SUMS``, is the one recorded when they
were written. This is the rule of build systems with dynamic dependencies: a result is reused when
every input it read last time is unchanged; nothing has to know in advance what a page reads.

**Without valuing every read.** Valuing each read again is most of what a rebuild's page processes
do (at 1 M triples, 20 s of CPU for some 190,000 pages, most of them unchanged). So each entry also
records the graph the pages were rendered from, as parts (``GraphParts``: each essay's triples under
the key they were enriched under, and the rest of the pages' index itself: the ontology, the
enrichments, the dataset's description) and the value of each read in that graph (``digests``: the
values the pages it records were rendered with). The next build finds the parts whose key changed, takes
their triples then and now: of the triples in one and not the other (with the rest's changed
triples), the subjects are the only nodes whose statements can differ, the objects the only ones
whose incoming links can (``GraphParts.changes_since``). A page none of whose statement reads
(``O``) is of a changed subject, none of whose incoming-link reads (``I``) is of a changed object,
and whose other reads (lists, reading orders, sections) have their recorded values, is unchanged
without valuing its reads. A page that reads a node that may have changed values those reads alone
and compares each with its recorded value (a node among them may well read the same); only a read
with no recorded value sends it back to its fingerprint. A page rendered again finds the values of
its reads of unchanged nodes recorded, too, instead of valuing them (``PageMemo._then``).

The records of each share of the pages (``kg.publish.PAGE_PROCESSES``) are one entry of the build
cache (``kg.cache``, kind ``pages``); they are hints checked against the current index and output, so
a stale, damaged or foreign entry costs time, never a wrong page. ``tests/test_pagememo.py`` renders
every page again after random changes to a corpus and compares the bytes with what the memo kept.
"""
from __future__ import annotations

import hashlib
import json
import re
import struct
from array import array
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from kg.cache import code_version, config_key, digest
from kg.graphparts import GraphParts

KIND = "pages"
FORMAT = "pages 8"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def term_text(t) -> str:  # noqa: ANN001
    """A term as self-delimiting text (no two terms or sequences of terms give the same text)."""
    if isinstance(t, Literal):
        s, lang, dt = str(t), t.language or "", str(t.datatype or "")
        return f"l{len(s)}:{s}{len(lang)}:{lang}{len(dt)}:{dt}"
    s = str(t)
    return f"{'b' if isinstance(t, BNode) else 'u'}{len(s)}:{s}"


def _encode_key(key: tuple) -> tuple:
    """A read as an entry's row: ``(tag, kind, text)``, kind ``u`` an IRI, ``b`` a blank node, ``s``
    the text of an essay's id or a list's name."""
    tag, x = key
    if tag in ("O", "I"):
        return (tag, "b" if isinstance(x, BNode) else "u", str(x))
    return (tag, "s", str(x))


def _decode_key(row) -> tuple:  # noqa: ANN001
    """The read a row stands for (``_encode_key``'s inverse); ValueError for anything else."""
    try:
        tag, kind, x = row
    except (TypeError, ValueError):
        raise ValueError(f"not a read: {row!r}") from None
    if (not isinstance(x, str) or (tag in ("O", "I") and kind not in ("u", "b"))
            or (tag in ("R", "S", "L") and kind != "s") or tag not in ("O", "I", "R", "S", "L")):
        raise ValueError(f"not a read: {row!r}")
    return (tag, URIRef(x) if kind == "u" else BNode(x) if kind == "b" else x)


def _as_row(row):  # noqa: ANN001, ANN202
    """A stored row as a dictionary key (marshal gives back the tuples it was given; a list, from an
    entry written otherwise, becomes one)."""
    return tuple(row) if type(row) is list else row


def template_sources(folder: Path) -> list[Path]:
    """The templates and their assets under ``folder``, sorted: every file but the compiled code the
    template cache keeps in ``__pycache__`` (``kg.publish.pages.TemplateCache``, written while pages
    render: counting it made the first build after the templates were compiled render every page
    again; at 1 M the first one-edit rebuild after a cold build took 191.2 s instead of 101.0 s)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.relative_to(folder).parts)


def shared_key(config, supers: dict) -> str:  # noqa: ANN001
    """What every page depends on: the code (``kg/``, the libraries), the templates and their assets,
    the settings, the ontology's sub-properties (the pages fold super-properties into them)."""
    parts: list[str | bytes] = [FORMAT, code_version(), config_key(config)]
    for path in template_sources(TEMPLATES):
        parts += [path.relative_to(TEMPLATES).as_posix(), path.read_bytes()]
    parts.append("".join(f"{term_text(p)}{len(qs)}#" + "".join(sorted(term_text(q) for q in qs))
                         for p, qs in sorted(supers.items(), key=lambda kv: str(kv[0]))))
    return digest(*parts)


class Previous:
    """The records the last build left, one cache entry per share of the pages: named (and so kept by
    the cache's pruning) by the process that forks the page processes, read by each of them: its own
    share's at once, another's only when one of its pages is not in its own (the shares moved)."""

    def __init__(self, cache, shares: int) -> None:  # noqa: ANN001
        self.cache = cache
        self.names = [entry_name(k, shares) for k in range(shares)]
        for name in self.names:
            cache.keep(KIND, name)  # this build writes them again: not pruned meanwhile
        self._docs: dict = {}

    def entry(self, name: str) -> dict | None:
        if name not in self._docs:
            doc = self.cache.get(KIND, name)
            self._docs[name] = doc if isinstance(doc, dict) else None
        return self._docs[name]

    def forget(self, name: str) -> None:
        """Drop the entry read for ``name`` (not usable here: another code version's, or damaged)."""
        self._docs[name] = None


def entry_name(k: int, shares: int) -> str:
    return f"share-{k}-of-{shares}"


def _combine(values: list[bytes]) -> str:
    """A page's fingerprint: a hash of its reads' values (``DIGEST`` bytes each), in no particular order."""
    return hashlib.blake2b(b"".join(sorted(values)), digest_size=16).hexdigest()


#: the size of a read's value (a BLAKE2b digest); an entry's ``digests`` hold one a row, this many
#: zero bytes where none is recorded
DIGEST = 16
_UNKNOWN = bytes(DIGEST)


#: what ``PageMemo._sorted`` makes of a row, from the best to the worst
_CLEAN, _OTHER, _CHANGED, _BAD = 0, 1, 2, 3
_NOT_CLEAN = re.compile(b"[^\x00]")


#: a file's record packed: its SHA-256 (32 bytes), size, modification time (ns) and inode
_FILE = struct.Struct("<32sQqQ")


def pack_files(files: dict) -> list:
    """A page's files ``{site path: [sha256 hex, size, mtime_ns, inode]}`` (``Stage.written``'s) as
    the entry keeps them: ``[their paths joined by NUL, one bytes of their records]``. marshal reads
    two objects a page back instead of some 25 (a dict, a list and four values a file): at 1 M a share's
    entry took 294 MB once read, 223 MB of it its pages; and ``previous`` checks a page's record
    without reading every file's. ValueError (or ``struct.error``) for a record that cannot be packed."""
    names = list(files)
    if not names or any("\0" in n for n in names):
        raise ValueError("no files, or a path with a NUL")
    return ["\0".join(names), b"".join(_FILE.pack(bytes.fromhex(sha), size, mtime, inode)
                                        for sha, size, mtime, inode in files.values())]


#: a read's number in a page's record: an unsigned int, 4 bytes on the platforms Python runs on
_NUMBER = "I"
_NUMBER_SIZE = array(_NUMBER).itemsize


def pack_numbers(ids) -> bytes:  # noqa: ANN001
    """A page's reads' numbers as the entry keeps them: sorted, one machine int each (``array``'s
    bytes; the cache is this machine's). marshal writes and reads a list of ints an object at a time: at
    1 M a share's entry holds some 1.6 million numbers; ``marshal.loads`` of the entry took 0.46-0.61 s
    with them as lists, 0.25-0.39 s so (``python bench/bench_pagememo.py CACHE`` prints both), and
    each page process holds 1.6 million int objects fewer."""
    return array(_NUMBER, sorted(ids)).tobytes()


def numbers(packed) -> memoryview | None:  # noqa: ANN001
    """``pack_numbers``' inverse, as a view of the bytes (indexed and iterated as ints); None for
    anything else."""
    if type(packed) is not bytes or len(packed) % _NUMBER_SIZE:
        return None
    return memoryview(packed).cast(_NUMBER)


def _is_packed(v) -> bool:  # noqa: ANN001
    """Whether ``v`` is ``pack_files``'s (exact types: marshal gives them), one record a path."""
    return (type(v) is list and len(v) == 2 and type(v[0]) is str and type(v[1]) is bytes and v[0] != ""
            and len(v[1]) == _FILE.size * (v[0].count("\0") + 1))


def unpack_files(packed: list) -> dict:
    """``pack_files``' inverse: ``{site path: [sha256 hex, size, mtime_ns, inode]}``."""
    return {name: [sha.hex(), size, mtime, inode]
            for name, (sha, size, mtime, inode) in zip(packed[0].split("\0"), _FILE.iter_unpack(packed[1]))}


class _Table:
    """An entry's table of reads, each decoded, valued (its hash now) and renumbered for this build's
    entry at most once, however many pages read it."""

    def __init__(self, keys: list, changed: tuple | None = None, stored: bytes | None = None,
                 compacted: int | None = None) -> None:
        self.keys = keys
        self.decoded: list = [None] * len(keys)
        self.values: list = [None] * len(keys)
        self.remap: list = [None] * len(keys)
        #: the nodes whose statements and those whose incoming links may have changed since the entry's
        #: graph (``GraphParts.changes_since``, as text), and each read's value in that graph
        #: (``DIGEST`` bytes a row, zeros where none was recorded); None: every read is valued
        self.changed = changed
        self.stored = stored
        #: how many rows the table had when it was last numbered afresh (``PageMemo`` continues it)
        self.compacted = compacted
        #: what ``PageMemo._unchanged`` does with each row, a byte a row, made once (``PageMemo._sorted``)
        self.sorted: bytes | None = None

    def key(self, i: int) -> tuple:
        k = self.decoded[i]
        if k is None:
            k = self.decoded[i] = _decode_key(self.keys[i])
        return k

    def recorded(self, i: int) -> bytes | None:
        """Row ``i``'s value in the entry's graph, or None where the entry recorded none."""
        v = self.stored[i * DIGEST:(i + 1) * DIGEST]
        return v if v != _UNKNOWN else None


class PageMemo:
    """One share's memo: ``fingerprint(reads)`` of a page's reads now, ``previous(node)`` what was
    recorded for ``node`` last time if it still holds (the same shared key and fingerprint), and this
    build's records (``record`` a page rendered, ``record_kept`` a page linked), saved with ``save``.

    **The new entry's table continues the last one's.** A page kept from this share's own entry keeps
    its reads' numbers, and the new entry's table starts as that entry's rows, stored as they were:
    nothing is decoded, renumbered or encoded again for the pages kept (at 1 M some 94,000 of each
    share's 95,000 after one essay changed, 300,000 rows; the child processes' CPU of such a rebuild
    about 2 s lower, docs/performance.md).
    A page rendered finds its reads among those rows (or adds them at the end). The rows no page reads
    any more stay until the table has grown by a quarter since it was last numbered afresh
    (``compacted``); then the next build numbers the reads of the pages it keeps afresh."""

    def __init__(self, renderer, shared: str, previous: Previous | None, own: int = 0,  # noqa: ANN001
                 parts: GraphParts | None = None) -> None:
        self.r = renderer
        self.parts = parts
        self._since: dict = {}    # a manifest's digest -> GraphParts.changes_since(it), as text
        self.ix = renderer.ix
        self.shared = shared
        self._values: dict = {}
        self._terms: dict = {}    # IRI -> term_text(IRI)
        self._previous = previous
        # the entries still to read, this share's first; each {node: (its reads' numbers, fingerprint,
        # files)} with its table of reads, decoded once each
        self._unread = [] if previous is None else [previous.names[own]] + [
            n for i, n in enumerate(previous.names) if i != own]
        self._own_name = None if previous is None else previous.names[own]
        self._old: dict = {}
        #: the table this share's new entry continues (this share's last one, unless it has grown by
        #: a quarter since it was numbered afresh), its rows the new table's first
        self._base: _Table | None = None
        self._order: list = []    # the new entry's rows, by number
        self._rows: dict | None = None  # row -> its number in the new entry (made when first needed)
        self._read_next()
        self._keys: dict = {}     # read -> its number in this share's new entry
        self._pages: dict = {}    # node -> [read numbers (pack_numbers), fingerprint, its files (pack_files)]
        #: the values of rows of this share's new entry that ``record_kept`` renumbered from another
        #: table: {number: value}
        self._carried: dict = {}
        #: pages linked; of them, those found unchanged without valuing their reads; pages rendered;
        #: the reads of a node (its statements, its incoming links) valued, each once a build
        self.kept = self.rendered = self.unvalued = self.valued = 0

    @property
    def empty(self) -> bool:
        """Whether the last build left no usable record (none, or another code version's): every
        page of this share is rendered."""
        return not self._old and not self._unread

    def _read_next(self) -> bool:
        while self._unread:
            name = self._unread.pop(0)
            doc = self._previous.entry(name)
            keys, pages = (doc.get("keys"), doc.get("pages")) if doc else (None, None)
            if (not doc or doc.get("format") != FORMAT or doc.get("shared") != self.shared
                    or not isinstance(keys, list) or not isinstance(pages, dict)):
                # not kept: at 1 M each share's entry takes some 325 MB once parsed, and after a
                # change of the code every process read them all
                self._previous.forget(name)
                continue
            compacted = doc.get("compacted")
            table = _Table(keys, *self._since_entry(doc),
                           compacted=compacted if type(compacted) is int and compacted > 0 else None)
            if (name == self._own_name and table.compacted is not None
                    and len(keys) <= table.compacted + table.compacted // 4):
                self._base, self._order = table, list(keys)
            for node, rec in pages.items():
                self._old.setdefault(node, (table, rec))
            return True
        return False

    def _since_entry(self, doc: dict) -> tuple[tuple | None, bytes | None]:
        """What ``_Table`` takes of an entry's graph: the nodes changed since (subjects, objects), the
        reads' values then (``digests``)."""
        graph, stored = doc.get("graph"), doc.get("digests")
        if (self.parts is None or not isinstance(graph, dict) or type(stored) is not bytes
                or len(stored) != DIGEST * len(doc["keys"])):
            return None, None
        key = digest(json.dumps(graph, sort_keys=True))  # the shares' entries of one build record one graph
        if key not in self._since:
            changes = self.parts.changes_since(graph)
            # as text, compared with the entry's reads as stored (no term made per read); a literal of
            # the same text as an IRI only makes a page valued
            self._since[key] = None if changes is None else tuple({str(t) for t in ts} for ts in changes)
        changed = self._since[key]
        return (None, None) if changed is None else (changed, stored)

    # ------------------------------------------------------------ the values read
    def _value(self, key: tuple) -> bytes:
        """The value of the read ``key`` now (``DIGEST`` bytes): recorded in this share's last entry
        if it is a read of a node unchanged since, else computed (once a build)."""
        hit = self._values.get(key)
        if hit is not None:
            return hit
        tag, x = key
        if tag == "O" or tag == "I":
            hit = self._then(key)
            if hit is not None:
                self._values[key] = hit
                return hit
            self.valued += 1
        ix = self.ix
        # in a canonical order: the index's lists follow the graph's iteration order, which varies from
        # process to process (str hashing); the pages do not depend on it (the same sources publish
        # the same bytes), so the value read is the set of statements
        term = self._term
        if tag == "O":
            text = "".join(sorted(f"{term(p)}{len(objs)}#" + "".join(sorted(map(term, objs)))
                                  for p, objs in (ix.out.get(x) or {}).items()))
        elif tag == "I":
            text = "".join(sorted(term(s) + term(p) for s, p in ix.inc.get(x, ())))
        elif tag == "L":  # a list a page shows (``Renderer.listed``): its members
            text = "\n".join(sorted(map(str, self.r.listed(x))))
        elif tag == "R":
            cov = self.r.reading_coverage.get(x)
            text = "-" if cov is None else repr(cov.spans)
        else:  # "S"
            text = repr([(start, name) for start, name, _node in self.r.sections().by_essay.get(x, [])])
        hit = self._values[key] = hashlib.blake2b(f"{tag}{term(x) if tag in 'OI' else x}\0{text}".encode(
            "utf-8", "surrogatepass"), digest_size=DIGEST).digest()
        return hit

    def _then(self, key: tuple) -> bytes | None:
        """The value this share's last entry (the table the new one continues) recorded for the read
        of a node, ``key``, when that node has not changed since: the same value (what ``_unchanged``
        relies on), found instead of computed. A page that lists many resources (a kind's page, the
        search index) reads each one's statements: at 1 M, 12,800 reads valued for one page, 1.4 s.
        None when there is no such table, row or record."""
        base = self._base
        if base is None or base.changed is None or base.stored is None:
            return None
        i = self._row_numbers().get(_encode_key(key))
        return None if i is None or i >= len(base.keys) else self._clean_value(base, i)

    def _term(self, t) -> str:  # noqa: ANN001
        """``term_text(t)``, made once per IRI (a predicate, a class, a shared resource is in many reads).
        Not literals: two that differ only in the case of their language tag are equal keys, and
        hashing a literal costs more than its text."""
        if type(t) is not URIRef:
            return term_text(t)
        hit = self._terms.get(t)
        if hit is None:
            hit = self._terms[t] = term_text(t)
        return hit

    def fingerprint(self, reads) -> str:  # noqa: ANN001
        return _combine([self._value(k) for k in reads])

    # ------------------------------------------------------------ last build's records
    def previous(self, node) -> tuple | None:  # noqa: ANN001
        """What was recorded for ``node`` last time if its fingerprint is the same now: ``(table,
        reads' numbers, files, fingerprint)``, the numbers as ``pack_numbers`` keeps them, the files as
        ``pack_files`` does (``unpack_files`` gives ``{site path: [sha256, size, mtime_ns, inode]}``;
        the whole is for ``record_kept``); else None."""
        old = self._old.get(str(node))
        while old is None and self._read_next():
            old = self._old.get(str(node))
        if old is None:
            return None
        table, rec = old
        try:
            packed, fp, files = rec
            ids = numbers(packed)
            if ids is None or not _is_packed(files):
                return None
            if table.changed is not None:
                same = self._unchanged(table, ids)
                if same is not None:
                    if not same:
                        return None
                    self.unvalued += 1
                    return (table, packed, files, fp)
            values = table.values
            vs = []
            for i in ids:
                v = values[i]
                if v is None:
                    v = values[i] = self._value(table.key(i))
                vs.append(v)
        except (ValueError, TypeError, IndexError):
            return None
        return (table, packed, files, fp) if _combine(vs) == fp else None

    def _unchanged(self, table: _Table, ids) -> bool | None:  # noqa: ANN001 - ints: a list, numbers()
        """Whether a page's reads are the same, valuing only those that may differ: the reads of a node
        that may have changed (a node's statements: its read ``O`` among the changed subjects; its
        incoming links: its read ``I`` among the changed objects) and the other reads (lists, reading
        orders, sections). True when each of them has its recorded value (the reads of the nodes that
        have not changed have theirs), False when one differs, None when one has no recorded value
        (its fingerprint tells). A number that is no read's raises ValueError, TypeError or IndexError.
        At 1 M, after one essay changed, the pages that list many resources read a few that changed:
        their other reads need no valuing (was: every read, up to 2.7 s of a page process's CPU).

        The table's rows are sorted once (``_sorted``: a byte a row) and a page's numbers are looked
        up in that with ``map`` and ``max``, which run in C: at 1 M a rebuild asks this of some 190,000
        pages of about 17 reads each, and a loop over each page's reads in Python took 4.7-5.1 µs a
        page, against 3.4-3.5 µs with the table's sort (``python bench/bench_pagememo.py CACHE``)."""
        sort = table.sorted or self._sorted(table)
        if not ids:
            return True
        if min(ids) < 0:
            raise ValueError(f"not reads' numbers: {ids!r}")
        worst = max(map(sort.__getitem__, ids))  # a number that is no int raises TypeError, too large IndexError
        if worst == _CLEAN:
            return True
        if worst == _BAD:
            raise ValueError("not a read")
        values = table.values
        for i in ids:
            if sort[i] != _CLEAN:
                then = table.recorded(i)
                if then is None:
                    return None
                v = values[i]
                if v is None:
                    v = values[i] = self._value(table.key(i))
                if v != then:
                    return False
        return True

    @staticmethod
    def _sorted(table: _Table) -> bytes:
        """A byte a row of ``table``: ``_CHANGED`` for a read of a node that may have changed (its
        statements ``O`` among the changed subjects, its incoming links ``I`` among the changed
        objects), ``_BAD`` for a row that is tagged a node's read but is none (or no row at all),
        ``_OTHER`` for the other reads (the lists, reading orders, sections: valued when a page reads
        them), ``_CLEAN`` for a read of a node that has not changed. Ordered so that a page's worst
        read is the largest."""
        subjects, objects = table.changed
        sort = bytearray(len(table.keys))
        for i, row in enumerate(table.keys):
            try:
                tag = row[0]
            except (TypeError, IndexError, KeyError):
                sort[i] = _BAD
                continue
            if tag == "O" or tag == "I":
                if type(row) not in (tuple, list) or len(row) != 3 or (row[1] != "u" and row[1] != "b") or type(row[2]) is not str:
                    sort[i] = _BAD
                elif row[2] in (subjects if tag == "O" else objects):
                    sort[i] = _CHANGED
            else:
                sort[i] = _OTHER
        table.sorted = bytes(sort)
        return table.sorted

    def record_kept(self, node, table, packed: bytes, files: list, fp: str) -> None:  # noqa: ANN001
        """Record again what ``previous`` found for a page whose files were linked: with the same
        numbers when the new table continues ``table`` (``_base``), else renumbered."""
        if table is not self._base:
            remap = table.remap
            new = []
            for i in numbers(packed):
                j = remap[i]
                if j is None:
                    # decoded and encoded again: a row that is no read raises here, never stored
                    j = remap[i] = self._number(_encode_key(table.key(i)))
                    v = table.values[i] if table.values[i] is not None else self._clean_value(table, i)
                    if v is not None:
                        self._carried[j] = v
                new.append(j)
            packed = pack_numbers(new)
        self._pages[str(node)] = [packed, fp, files]
        self.kept += 1

    def _clean_value(self, table: _Table, i: int) -> bytes | None:
        """Row ``i``'s recorded value if it is a read of a node that has not changed since ``table``'s
        entry (its value now), else None."""
        if table.changed is None or table.stored is None:
            return None
        sort = table.sorted or self._sorted(table)
        return table.recorded(i) if sort[i] == _CLEAN else None

    def _row_numbers(self) -> dict:
        """{row: its number} of this build's table so far (the continued table's rows, made only once a
        page needs one)."""
        rows = self._rows
        if rows is None:
            rows = self._rows = {}
            for i, old in enumerate(self._order):
                try:
                    rows.setdefault(_as_row(old), i)
                except TypeError:  # not a read (an unhashable part): no page's read is found there
                    continue
        return rows

    def _number(self, row: tuple) -> int:
        """The number of ``row`` in this build's table, added at its end if it is not there yet."""
        rows = self._row_numbers()
        i = rows.get(row)
        if i is None:
            i = rows[row] = len(self._order)
            self._order.append(row)
        return i

    # ------------------------------------------------------------ this build's records
    def record(self, node, reads, files: dict) -> None:  # noqa: ANN001
        """Record a page rendered now: its reads and its files ``{site path: [sha256, size, mtime_ns,
        inode]}``."""
        keys = self._keys
        ids = []
        for k in reads:
            i = keys.get(k)
            if i is None:
                i = keys[k] = self._number(_encode_key(k))
            ids.append(i)
        self._pages[str(node)] = [pack_numbers(ids), self.fingerprint(reads), pack_files(files)]

    def save(self, cache, k: int, shares: int) -> None:  # noqa: ANN001
        if cache is None:
            return
        compacted = self._base.compacted if self._base is not None else len(self._order)
        doc = {"format": FORMAT, "shared": self.shared, "keys": self._order, "pages": self._pages,
               "compacted": compacted, "kept": self.kept, "rendered": self.rendered,  # this build's
               "unvalued": self.unvalued, "valued": self.valued}
        if self.parts is not None:
            doc["graph"], doc["digests"] = self.parts.manifest(), self._digests()
        cache.put(KIND, entry_name(k, shares), doc)

    def _digests(self) -> bytes:
        """Each row's value in this build's graph, ``DIGEST`` bytes a row (zeros: not known): the
        values of the reads of the pages rendered (``record``'s fingerprints), those valued in the
        continued table or carried from another (``record_kept``), and the continued table's recorded
        values of the reads of nodes that have not changed since. Each page the entry records read
        these values when it was rendered (a page is kept only when its reads have them now)."""
        out = bytearray(DIGEST * len(self._order))
        base = self._base
        if base is not None:
            if base.stored is not None and base.changed is not None:
                # the continued table's values, where its row is of a node that has not changed
                out[:len(base.stored)] = base.stored
                sort = base.sorted or self._sorted(base)
                for m in _NOT_CLEAN.finditer(sort):
                    i = m.start()
                    out[i * DIGEST:(i + 1) * DIGEST] = _UNKNOWN
            for i, v in enumerate(base.values):
                if v is not None:
                    out[i * DIGEST:(i + 1) * DIGEST] = v
        for i, v in self._carried.items():
            out[i * DIGEST:(i + 1) * DIGEST] = v
        values = self._values
        for key, i in self._keys.items():
            v = values.get(key)
            if v is not None:
                out[i * DIGEST:(i + 1) * DIGEST] = v
        return bytes(out)


__all__ = ["KIND", "PageMemo", "Previous", "entry_name", "numbers", "pack_files", "pack_numbers", "shared_key", "term_text",
           "unpack_files"]
