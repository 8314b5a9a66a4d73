"""Pure-Python layered graph layout for the maps (no Graphviz: a build needs pip only).

A Sugiyama-style layout, deterministic for the same input:

1. **rank**: an edge ``u -> v`` (u supports / is narrower than v) puts ``v`` above ``u``; a node's
   rank is the longest path from it to a sink, so the thesis (or a top concept) sits at rank 0 and
   every supporter lies below everything it supports. Cycles are broken by a depth-first search in
   sorted order; ``pinned`` nodes are forced to rank 0.
2. **order** within ranks by barycentre sweeps over a graph where long edges pass through dummy
   nodes; the ordering with fewest crossings wins.
3. **x**: nodes are pulled toward the mean of their neighbours' centres under the order's
   separation constraints (a least-squares placement solved block by block), sweep after sweep.
4. **routes**: each edge is a polyline from a port on the source's top (or bottom) to a port on the
   target's bottom (or top), through its dummies' columns, so no edge crosses a node's box.

Connected components are laid out separately and packed into rows no wider than ``max_width``.
Text is measured with a per-character width table (no font metrics are available without a
browser); labels are wrapped to a width in pixels.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# Approximate advance widths of a sans-serif font, in ems (DejaVu Sans / Liberation Sans average).
_NARROW = set("il.,:;'|!`’‘ ()[]-")
_SEMI = set("fjrtI1/\\\"“”")
_WIDE = set("mwMW@%")


#: ``text_width``'s ems by text (the same labels and their wrapped lines are measured in every map
#: that shows their node: the essay's 220 maps measure 18,500 texts, 3,000 of them distinct); emptied
#: when it holds ``_KEEP_WIDTHS``
_EMS: dict[str, float] = {}
_KEEP_WIDTHS = 100_000


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font size ``size`` in pixels."""
    em = _EMS.get(text)
    if em is None:
        if len(_EMS) >= _KEEP_WIDTHS:
            _EMS.clear()
        em = _EMS[text] = _ems(text)
    return em * size


def _ems(text: str) -> float:
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.30
        elif ch in _SEMI:
            em += 0.40
        elif ch in _WIDE:
            em += 0.88
        elif ch.isupper():
            em += 0.68
        else:
            em += 0.56
    return em


def wrap(text: str, width: float, size: float, max_lines: int = 4) -> list[str]:
    """Greedy word wrap to ``width`` pixels; an over-long result ends in an ellipsis."""
    words = text.split()
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if not line or text_width(candidate, size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines or [""]


@dataclass(frozen=True)
class Box:
    id: str
    width: float
    height: float


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str = ""
    rank: bool = True  # False: drawn, but not used to rank (e.g. skos:related)


@dataclass
class Placed:
    id: str
    x: float  # left
    y: float  # top
    width: float
    height: float
    rank: int

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass
class Route:
    source: str
    target: str
    kind: str
    points: list[tuple[float, float]]
    straight: bool = False  # False: a smooth vertical curve through the points


@dataclass
class Layout:
    nodes: dict[str, Placed] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0


# ---------------------------------------------------------------- ranking


def _ranks(ids: list[str], edges: list[Edge], pinned: set[str], budget: float | None = None,
           widths: dict[str, float] | None = None, sticky: set[str] | None = None) -> dict[str, int]:
    out: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        if e.rank and e.source != e.target and e.source not in pinned:
            out[e.source].append(e.target)
    for k in out:
        out[k] = sorted(set(out[k]))
    # break cycles: drop back edges of a DFS in sorted order
    state: dict[str, int] = {}
    dag: dict[str, list[str]] = defaultdict(list)

    def visit(root: str) -> None:
        stack = [(root, iter(out.get(root, ())))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                continue  # back edge
            dag[node].append(nxt)
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(out.get(nxt, ()))))

    for n in ids:
        if n not in state:
            visit(n)
    if budget is not None:
        return _bounded(ids, dag, pinned, widths or {}, budget, sticky or set())
    rank: dict[str, int] = {}
    for n in ids:
        if n not in rank:
            _longest_path(n, dag, rank, pinned)
    return rank


def _longest_path(start: str, nexts: dict[str, list[str]], out: dict[str, int],
                  zero: set[str] | frozenset[str] = frozenset()) -> int:
    """The length of the longest path from ``start`` along ``nexts`` (0 for a node in ``zero`` or
    with no next), for it and every node below it, into ``out``; iterative (no recursion limit)."""
    stack = [start]
    while stack:
        cur = stack[-1]
        pending = [m for m in nexts.get(cur, ()) if m not in out]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        out[cur] = 0 if cur in zero else 1 + max((out[m] for m in nexts.get(cur, ())), default=-1)
    return out[start]


def _bounded(ids: list[str], dag: dict[str, list[str]], pinned: set[str], widths: dict[str, float],
             budget: float, sticky: set[str]) -> dict[str, int]:
    """Ranks with a width budget per rank (Coffman-Graham style): a node goes to the first rank
    below all its targets that still has room; nodes with the deepest support beneath them go
    first, so that long chains stay high and leaves are the ones pushed down."""
    below: dict[str, list[str]] = defaultdict(list)
    for u, vs in dag.items():
        for v in vs:
            below[v].append(u)
    depth: dict[str, int] = {}
    for n in ids:
        _longest_path(n, below, depth)
    rank: dict[str, int] = {}
    left = set(ids)
    level = 0
    while left:
        ready = [n for n in left if all(rank.get(m, level) < level for m in dag.get(n, ()))]
        if level > 0:
            ready = [n for n in ready if n not in pinned]
        ready.sort(key=lambda n: (n not in pinned, n not in sticky, -depth[n], -len(below.get(n, ())), n))
        used = 0.0
        for n in ready:
            if used and used + widths.get(n, 0.0) > budget and n not in pinned and n not in sticky:
                continue
            rank[n] = level
            used += widths.get(n, 0.0)
        left -= set(rank)
        level += 1
    return rank


# ---------------------------------------------------------------- one component


def _crossings(layers: list[list[str]], down: dict[str, list[str]]) -> int:
    """Edge crossings between adjacent layers: pairs of edges (i, j), (k, l) with i < k and j > l,
    i.e. the strict inversions of the lower ends in the order of the upper ends (counted with a
    Fenwick tree: n log n instead of every pair)."""
    total = 0
    for r in range(len(layers) - 1):
        below = layers[r + 1]
        pos = {n: i for i, n in enumerate(below)}
        pairs = sorted((i, pos[m]) for i, n in enumerate(layers[r]) for m in down.get(n, ()) if m in pos)
        # equal upper ends are sorted by lower end, so they never count as inversions
        size = len(below)
        tree = [0] * (size + 1)
        seen = 0
        for _, j in pairs:
            k, not_greater = j + 1, 0
            while k > 0:
                not_greater += tree[k]
                k -= k & -k
            total += seen - not_greater
            k = j + 1
            while k <= size:
                tree[k] += 1
                k += k & -k
            seen += 1
    return total


def _gap(a: str, b: str, gap: float) -> float:
    dummies = a.startswith("\x00") + b.startswith("\x00")
    return gap if dummies == 0 else gap / 2 if dummies == 1 else 3.0


def _place_row(order: list[str], desired: dict[str, float], width: dict[str, float], gap: float) -> dict[str, float]:
    """Centres that keep ``order`` with ``gap`` between boxes and minimise the squared distance
    to ``desired`` (pool-adjacent-violators over blocks)."""
    blocks: list[list] = []  # [members, offsets, position]
    for n in order:
        block = [[n], [0.0], desired[n]]
        blocks.append(block)
        while len(blocks) > 1:
            prev, cur = blocks[-2], blocks[-1]
            last = prev[0][-1]
            sep = (width[last] + width[cur[0][0]]) / 2 + _gap(last, cur[0][0], gap)
            need = prev[2] + prev[1][-1] + sep
            if cur[2] >= need:
                break
            shift = prev[1][-1] + sep
            prev[0].extend(cur[0])
            prev[1].extend(o + shift for o in cur[1])
            prev[2] = sum(desired[m] - o for m, o in zip(prev[0], prev[1])) / len(prev[0])
            blocks.pop()
    centres: dict[str, float] = {}
    for members, offsets, pos in blocks:
        for m, o in zip(members, offsets):
            centres[m] = pos + o
    return centres


def _straighten(chains: dict[int, list[str]], layers: list[list[str]], centre: dict[str, float],
                width: dict[str, float], gap: float) -> None:
    """Pull each long edge's dummies onto one vertical line where their neighbours leave room, so
    that long edges run straight instead of wiggling (longest edges first)."""
    where = {n: (r, i) for r, layer in enumerate(layers) for i, n in enumerate(layer)}
    for chain in sorted(chains.values(), key=lambda c: (-len(c), c[0], c[-1])):
        dummies = chain[1:-1]
        if len(dummies) < 2:
            continue
        xs = sorted(centre[d] for d in dummies)
        for x in (xs[len(xs) // 2], (centre[chain[0]] + centre[chain[-1]]) / 2):
            ok = True
            for d in dummies:
                r, i = where[d]
                layer = layers[r]
                if i > 0:
                    left = layer[i - 1]
                    if centre[left] + (width[left] + width[d]) / 2 + _gap(left, d, gap) > x + 0.01:
                        ok = False
                        break
                if i + 1 < len(layer):
                    right = layer[i + 1]
                    if centre[right] - (width[right] + width[d]) / 2 - _gap(d, right, gap) < x - 0.01:
                        ok = False
                        break
            if ok:
                for d in dummies:
                    centre[d] = x
                break


def _component(boxes: dict[str, Box], edges: list[Edge], pinned: set[str], rank_gap: float,
               node_gap: float, budget: float | None = None, sticky: set[str] | None = None) -> Layout:
    """One connected component, in the layered (Sugiyama) steps: ranks, dummy chains for the edges
    that span ranks, an order within each rank with few crossings, x then y placement, routes."""
    ids = sorted(boxes)
    rank = _ranks(ids, edges, pinned, budget, {n: boxes[n].width + node_gap for n in ids}, sticky)
    sizes = {n: (boxes[n].width, boxes[n].height) for n in ids}
    chains, segments = _dummy_chains(edges, rank, sizes)
    nranks = max(rank.values(), default=-1) + 1
    down: dict[str, list[str]] = defaultdict(list)
    up: dict[str, list[str]] = defaultdict(list)
    for hi, lo in segments:
        down[hi].append(lo)
        up[lo].append(hi)
    layers = _fewer_crossings(_first_order(rank, down, pinned, nranks), up, down, nranks)
    width = {n: sizes[n][0] for n in rank}
    centre = _place_x(layers, up, down, width, node_gap, nranks)
    _straighten(chains, layers, centre, width, node_gap)
    heights = [max((sizes[n][1] for n in layer), default=0.0) for layer in layers]
    tops = []
    y = 0.0
    for h in heights:
        tops.append(y)
        y += h + rank_gap
    lay = Layout()
    for n in ids:
        w, h = sizes[n]
        r = rank[n]
        lay.nodes[n] = Placed(n, centre[n] - w / 2, tops[r] + (heights[r] - h) / 2, w, h, r)
    _route(lay, edges, chains, rank, centre, tops, heights, rank_gap)
    _fit(lay)
    return lay


def _dummy_chains(edges: list[Edge], rank: dict[str, int], sizes: dict[str, tuple[float, float]],
                  ) -> tuple[dict[int, list[str]], list[tuple[str, str]]]:
    """A chain of dummy nodes (added to ``rank`` and ``sizes``) for each edge spanning ranks, from its
    upper end to its lower; and the segments that link adjacent ranks (upper, lower)."""
    segments: list[tuple[str, str]] = []
    chains: dict[int, list[str]] = {}
    for i, e in enumerate(edges):
        if e.source == e.target:
            continue
        a, b = (e.source, e.target)
        hi, lo = (a, b) if rank[a] < rank[b] else (b, a)  # hi: upper rank
        if rank[hi] == rank[lo]:
            continue
        chain = [hi]
        for r in range(rank[hi] + 1, rank[lo]):
            d = f"\x00d{i}:{r}"
            rank[d] = r
            sizes[d] = (8.0, 0.0)
            chain.append(d)
        chain.append(lo)
        chains[i] = chain
        segments.extend(zip(chain, chain[1:]))
    return chains, segments


def _first_order(rank: dict[str, int], down: dict[str, list[str]], pinned: set[str], nranks: int) -> list[list[str]]:
    """The initial order within each rank: breadth-first from the top, pinned first."""
    layers: list[list[str]] = [[] for _ in range(nranks)]
    seen: set[str] = set()
    queue = sorted((n for n in rank if rank[n] == 0), key=lambda n: (n not in pinned, n))
    while queue:
        nxt = []
        for n in queue:
            if n in seen:
                continue
            seen.add(n)
            layers[rank[n]].append(n)
            nxt.extend(sorted(down.get(n, ())))
        queue = nxt
    for n in sorted(rank):
        if n not in seen:
            layers[rank[n]].append(n)
            seen.add(n)
    return layers


def _fewer_crossings(layers: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]],
                     nranks: int) -> list[list[str]]:
    """Barycentre sweeps, down and up in turn; the order with the fewest crossings seen. A sweep is a
    function of the order it starts from and of its direction: once a sweep ends in the order the
    sweep two before ended in, the rest would only repeat orders already seen, and they stop."""
    best = [list(layer) for layer in layers]
    best_cross = _crossings(layers, down)
    ended: list = [None, None]  # the order the last sweep of each direction ended in
    for sweep in range(24):
        rng = range(1, nranks) if sweep % 2 == 0 else range(nranks - 2, -1, -1)
        nbrs = up if sweep % 2 == 0 else down
        for r in rng:
            ref = {n: i for i, n in enumerate(layers[r - 1] if sweep % 2 == 0 else layers[r + 1])}
            cur = layers[r]
            keys = {}
            for i, n in enumerate(cur):
                ps = [ref[m] for m in nbrs.get(n, ()) if m in ref]
                keys[n] = ((sum(ps) / len(ps)) if ps else float(i) * max(len(ref), 1) / max(len(cur), 1), i)
            layers[r] = sorted(cur, key=keys.__getitem__)
        if layers == ended[sweep % 2]:
            break
        ended[sweep % 2] = [list(layer) for layer in layers]
        c = _crossings(layers, down)
        if c < best_cross:
            best, best_cross = [list(layer) for layer in layers], c
    return best


_PLACE_SWEEPS = 16


def _place_x(layers: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]],
             width: dict[str, float], node_gap: float, nranks: int) -> dict[str, float]:
    """The centre x of each node: packed left to right, then pulled towards its neighbours' centres
    (sweeps down and up in turn). Once a sweep leaves every centre where the sweep two before left
    them, the rest would only alternate between the last two sweeps' centres: the one the last of
    the sixteen sweeps would leave is returned at once."""
    centre: dict[str, float] = {}
    for layer in layers:
        x = 0.0
        for i, n in enumerate(layer):
            x += _gap(layer[i - 1], n, node_gap) if i else 0.0
            centre[n] = x + width[n] / 2
            x += width[n]
    ended: list = [None, None]  # the centres the last sweep of each direction left
    for sweep in range(_PLACE_SWEEPS):
        order = range(nranks) if sweep % 2 == 0 else range(nranks - 1, -1, -1)
        for r in order:
            desired = {}
            for n in layers[r]:
                ns = up.get(n, []) + down.get(n, [])
                desired[n] = sum(centre[m] for m in ns) / len(ns) if ns else centre[n]
            centre.update(_place_row(layers[r], desired, width, node_gap))
        if centre == ended[sweep % 2]:
            return centre if (_PLACE_SWEEPS - 1 - sweep) % 2 == 0 else ended[(sweep + 1) % 2]
        ended[sweep % 2] = dict(centre)
    return centre


def _route(lay: Layout, edges: list[Edge], chains: dict[int, list[str]], rank: dict[str, int],
           centre: dict[str, float], tops: list[float], heights: list[float], rank_gap: float) -> None:
    """The routes of ``edges`` through their dummy chains, with ports spread along each side of a
    box; an edge within one rank is an arc above."""
    ends: dict[tuple[str, str], list[tuple[float, int, int]]] = defaultdict(list)  # (node, side) -> (other x, edge, end)
    paths: dict[int, list[tuple[float, float]]] = {}
    for i, e in enumerate(edges):
        if i not in chains:
            continue
        chain = chains[i]
        pts: list[tuple[float, float]] = []
        for d in chain[1:-1]:
            r = rank[d]
            pts.extend([(centre[d], tops[r]), (centre[d], tops[r] + heights[r])])
        paths[i] = pts
        hi, lo = chain[0], chain[-1]
        ends[(hi, "bottom")].append((centre[chain[1]], i, 0))
        ends[(lo, "top")].append((centre[chain[-2]], i, 1))
    port: dict[tuple[int, int], tuple[float, float]] = {}
    for (n, side), items in ends.items():
        p = lay.nodes[n]
        items.sort()
        span = p.width * (0.6 if len(items) < 6 else 0.88)  # crowded sides spread wider
        for k, (_, i, end) in enumerate(items):
            x = p.cx + (span * ((k + 0.5) / len(items) - 0.5) if len(items) > 1 else 0.0)
            port[(i, end)] = (x, p.y + (p.height if side == "bottom" else 0.0))
    for i, e in enumerate(edges):
        if i in chains:
            pts = [port[(i, 0)], *paths[i], port[(i, 1)]]  # upper to lower
            if rank[e.source] > rank[e.target]:
                pts.reverse()  # the source is the lower end
            lay.routes.append(Route(e.source, e.target, e.kind, pts))
        elif e.source != e.target:  # same rank: an arc above
            s, t = lay.nodes[e.source], lay.nodes[e.target]
            lift = min(s.y, t.y) - rank_gap * 0.45
            lay.routes.append(Route(e.source, e.target, e.kind,
                                    [(s.cx, s.y), (s.cx, lift), (t.cx, lift), (t.cx, t.y)], straight=False))


def _fit(lay: Layout) -> None:
    """Move the drawing to the origin and size it to its boxes and routes."""
    xs = [p.x for p in lay.nodes.values()] + [x for r in lay.routes for x, _ in r.points]
    xe = [p.x + p.width for p in lay.nodes.values()] + [x for r in lay.routes for x, _ in r.points]
    left = min(xs, default=0.0)
    top = min([p.y for p in lay.nodes.values()] + [y for r in lay.routes for _, y in r.points], default=0.0)
    _shift(lay, -left, -top)
    lay.width = max(xe, default=0.0) - left
    lay.height = max([p.y + p.height for p in lay.nodes.values()] + [y for r in lay.routes for _, y in r.points],
                     default=0.0)


def _shift(lay: Layout, dx: float, dy: float) -> None:
    for p in lay.nodes.values():
        p.x += dx
        p.y += dy
    for r in lay.routes:
        r.points = [(x + dx, y + dy) for x, y in r.points]


# ---------------------------------------------------------------- components and packing


def components(ids: Iterable[str], edges: Iterable[Edge]) -> list[list[str]]:
    parent = {n: n for n in ids}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for e in edges:
        if e.rank and e.source in parent and e.target in parent:
            a, b = find(e.source), find(e.target)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in sorted(parent):
        groups[find(n)].append(n)
    return list(groups.values())


_CACHE: dict = {}   # the last few layouts, by their whole input (the maps draw the same map twice)
_CACHE_SIZE = 4


def _copy(lay: Layout) -> Layout:
    return Layout({k: Placed(p.id, p.x, p.y, p.width, p.height, p.rank) for k, p in lay.nodes.items()},
                  [Route(r.source, r.target, r.kind, list(r.points), r.straight) for r in lay.routes],
                  lay.width, lay.height)


def layered(boxes: Iterable[Box], edges: Iterable[Edge], pinned: Iterable[str] = (), *,
            rank_gap: float = 64.0, node_gap: float = 22.0, component_gap: float = 48.0,
            max_width: float = 1400.0, budget: float | None = None, sticky: Iterable[str] = ()) -> Layout:
    """``_layered``, remembered for the same input (a fresh copy each time: callers may change it)."""
    boxes, edges, pinned, sticky = tuple(boxes), tuple(edges), tuple(pinned), tuple(sticky)
    key = (boxes, edges, pinned, sticky, rank_gap, node_gap, component_gap, max_width, budget)
    lay = _CACHE.get(key)
    if lay is None:
        lay = _layered(boxes, edges, pinned, rank_gap=rank_gap, node_gap=node_gap, component_gap=component_gap,
                       max_width=max_width, budget=budget, sticky=sticky)
        if len(boxes) > 20:  # only big maps are worth remembering
            while len(_CACHE) >= _CACHE_SIZE:
                del _CACHE[next(iter(_CACHE))]
            _CACHE[key] = lay
    return _copy(lay)


def _layered(boxes: Iterable[Box], edges: Iterable[Edge], pinned: Iterable[str] = (), *,
             rank_gap: float = 64.0, node_gap: float = 22.0, component_gap: float = 48.0,
             max_width: float = 1400.0, budget: float | None = None, sticky: Iterable[str] = ()) -> Layout:
    """Lay out a directed graph; ``edges`` with ``rank=False`` are routed as straight-ish links
    between the placed nodes (they do not shape the layout). ``budget`` bounds the width of a
    rank (in pixels); ``sticky`` nodes are placed right below their targets whatever the budget.
    Returns coordinates from (0, 0)."""
    bmap = {b.id: b for b in boxes}
    elist = sorted({e for e in edges if e.source in bmap and e.target in bmap},
                   key=lambda e: (e.source, e.target, e.kind))
    pins = set(pinned) & set(bmap)
    ranked = [e for e in elist if e.rank]
    groups = components(bmap, ranked)
    # the component of a pinned node first, then the biggest
    groups.sort(key=lambda g: (not (set(g) & pins), -len(g), g[0]))
    parts = []
    for g in groups:
        gs = set(g)
        parts.append(_component({n: bmap[n] for n in g}, [e for e in ranked if e.source in gs and e.target in gs],
                                pins & gs, rank_gap, node_gap, budget, set(sticky) & gs))
    out = Layout()
    x = y = row_h = 0.0
    width = 0.0
    for part in parts:
        if x > 0 and x + part.width > max_width:
            x, y = 0.0, y + row_h + component_gap
            row_h = 0.0
        _shift(part, x, y)
        out.nodes.update(part.nodes)
        out.routes.extend(part.routes)
        x += part.width + component_gap
        row_h = max(row_h, part.height)
        width = max(width, x - component_gap)
    out.width, out.height = width, y + row_h
    for e in elist:
        if not e.rank:
            s, t = out.nodes[e.source], out.nodes[e.target]
            out.routes.append(Route(e.source, e.target, e.kind, [(s.cx, s.cy), (t.cx, t.cy)], straight=True))
    return out
