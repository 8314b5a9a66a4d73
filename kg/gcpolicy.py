"""Fewer cyclic garbage collections during long work (a build, ``kg validate``).

With Python's default thresholds (700, 10, 10) the essay's build spent 10-15 % of its time in
collections walking rdflib's and the pages' objects (1.5 s, measured with ``gc.callbacks``), and
``kg validate`` about 0.2 s of 2.1 s; with ``GC_THRESHOLDS`` the build spends 0.2 s. Cycles are still
collected, after every 50,000 allocations instead of 700.

Three more places where a collection can only waste time: a forked worker (``in_forked_child``),
whose collections walked what it inherited from the build (some 50,000 young objects, 28-30 ms in
each page process at the essay; at 1 M some 2 s of each page process's CPU) and found next to
nothing; the reading and enrichment of the sources (``made_to_keep``), which make the dataset and no
garbage; and the end of a build whose caller ends its process at once (``retained``): giving the
thresholds back set off a full collection of everything the build made (78 ms at the essay, after
every file was written), for a process about to end."""
from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import TypeVar

GC_THRESHOLDS = (50_000, 20, 20)

F = TypeVar("F", bound=Callable)


#: how many ``fewer_collections`` calls are running (``made_to_keep`` acts only inside one), and
#: whether the outermost one's caller ends its process at once (``retained``)
_scope = {"depth": 0, "retained": False}


def fewer_collections(fn: F) -> F:
    """``fn`` run with ``GC_THRESHOLDS``; the caller's thresholds are given back afterwards, also when
    it raises. What ``made_to_keep`` set aside meanwhile is given back to collection (``gc.unfreeze``)
    at the end, unless ``retained`` said the process ends at once."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        old = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        outermost = _scope["depth"] == 0
        if outermost:
            _scope["retained"] = False
            frozen = gc.get_freeze_count()
        _scope["depth"] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _scope["depth"] -= 1
            if outermost and not _scope["retained"] and gc.get_freeze_count() > frozen:
                gc.unfreeze()
            gc.set_threshold(*old)
    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def made_to_keep() -> Iterator[None]:
    """Around the reading and enrichment of the sources, inside ``fewer_collections``: no automatic
    collections while they run, then everything they made (and everything older) is set aside
    (``gc.freeze``) until the work ends. What they make is the dataset, kept to the end of the build,
    and no cycle of theirs becomes garbage (an essay's parsed graph, the one that did, is released
    with its cycle broken: ``kg.tripleindex.release_graph``; ``tests/test_build_gc.py`` checks that
    they leave none), so a collection could only walk them: at 1 M triples some 95 collections of the
    youngest objects and 6 of the middle generation, 2 s of the one-core start of a cold build,
    walked millions of terms and found nothing to free. Outside ``fewer_collections`` (a caller that
    did not ask for fewer collections) nothing changes; when the block raises nothing is set aside."""
    if _scope["depth"] == 0:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if enabled:
            gc.enable()
        raise
    gc.freeze()
    if enabled:
        gc.enable()


def in_forked_child() -> None:
    """First thing in a forked worker process of a build (the pages', the dump writers', the
    validation's): what it inherited is set aside (``gc.freeze``, which only moves the generations'
    lists), and it makes no cyclic collections at all (``gc.disable``). Its collections found next to
    nothing to free (a page process of a 1 M-triple build: some 4,500 objects in 52 collections,
    the validation workers none), yet each cost 20-90 ms at 1 M, every young object's references read
    from a heap of gigabytes, some 1.5-2 s of each page process's CPU. The worker ends with
    ``os._exit`` (``multiprocessing``'s fork start does): nothing it inherited would have been freed
    by it anyway, and what little it leaves uncollected goes with it."""
    gc.freeze()
    gc.disable()


def retained() -> None:
    """The caller ends its process as soon as this returns and frees nothing (``kg.cli.entry``):
    every object so far is set aside from collection (``gc.freeze``), so that no full collection
    walks them on the way out; ``fewer_collections`` leaves them so."""
    gc.freeze()
    _scope["retained"] = True
