"""The query policy runs off the event loop, in its own processes: a 128 KB query built to be slow
costs the check up to about 0.15 s of CPU (docs/security.md), which on the loop thread (or in a
thread holding the GIL) would stall every other request. Two single-process lanes keep short
queries from waiting behind long ones: queries up to ``SMALL`` characters go to one, longer ones to
the other. The processes are sandboxed like the query workers (``kg.sandbox``)."""
from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

#: queries up to this many characters are checked in the short-query lane
SMALL = 4096

_STATE: dict = {}


def _init(graphs: list[str], prefixes: dict[str, str]) -> None:
    from kg.sandbox import deny_network, end_with_parent

    end_with_parent()  # a killed server leaves no checker behind
    deny_network()
    _STATE["graphs"] = frozenset(graphs)
    _STATE["prefixes"] = prefixes


def check(text: str, base_iri: str | None) -> tuple:
    """("ok", QueryInfo) or ("refused", status-class, code, message, hint): exceptions with extra
    fields do not survive pickling, tuples do."""
    from kg.sparql import MalformedQuery, PolicyError, check_query

    try:
        return ("ok", check_query(text, _STATE.get("graphs", ()), _STATE.get("prefixes", {}), base_iri))
    except PolicyError as exc:
        return ("refused", "policy", exc.code, str(exc), exc.hint)
    except MalformedQuery as exc:
        return ("refused", "malformed", exc.code, str(exc), exc.hint)


class CheckPool:
    def __init__(self, graphs: list[str], prefixes: dict[str, str]) -> None:
        self.args = (list(graphs), dict(prefixes))
        self.lanes: list[ProcessPoolExecutor | None] = [None, None]

    def _lane(self, i: int) -> ProcessPoolExecutor:
        lane = self.lanes[i]
        if lane is None:
            lane = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init, initargs=self.args)
            self.lanes[i] = lane
        return lane

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._lane(i), check, "ASK {}", None) for i in (0, 1)))

    async def check(self, text: str, base_iri: str | None) -> tuple:
        i = 0 if len(text) <= SMALL else 1
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._lane(i), check, text, base_iri)
        except BrokenProcessPool:
            self.lanes[i] = None  # a new process next time
            raise

    def close(self) -> None:
        for lane in self.lanes:
            if lane is not None:
                lane.shutdown(wait=False, cancel_futures=True)
        self.lanes = [None, None]
