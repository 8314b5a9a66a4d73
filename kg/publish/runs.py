"""Runs of the site's resources dealt to the page processes as each asks for its next one.

Dealt by count in fixed turns (``kg.publish.pages.share_of``), the two page processes of the essay's
cold build ended 0.3-0.4 s apart: the first share has the reader's pages, the class pages and the
landing page besides its resources, the anchors' pages cost more than the concepts', and a run of
256 resources is a twelfth of the essay. When the pages keep no records (``--no-cache``: no share
has to find its pages where the last build put them), the processes instead take the next run from
a table they share, each as it finishes one, and end within a run of each other.

The table is an unlinked temporary file, inherited by the processes forked after it was made: eight
bytes (the next run to deal) and one byte per run (which share took it, plus one: 0 is not dealt),
read and written under a POSIX record lock (``lockf``), which the system releases when its holder
dies, so that a page process killed while taking a run cannot stop the others. The table names
each run's taker, so that when a page process fails, the process that renders its share again
(``kg.publish._forked_result``) renders the runs it had taken, then takes more like the others.

A table of one run is a claim: the build's process and its dump writers' process both ask for the
argument's exports, and the first to ask makes them (``kg.publish._ForkedWriters.take_more``)."""
from __future__ import annotations

import os
import tempfile

_HEAD = 8  # bytes: the next run to deal, little-endian
#: about this many runs for each share (a share's last run is what it may end after the others)
RUNS_PER_SHARE = 32


class RunTable:
    """The shared table of the runs of one site's resources (made before the page processes fork)."""

    def __init__(self) -> None:
        # closed with the object (the processes that inherited it close their copies when they end)
        self._file = tempfile.TemporaryFile()  # OSError: the caller deals by count instead

    def _locked(self):  # noqa: ANN202
        import fcntl  # POSIX only; the table is made only where the page processes can fork

        fd = self._file.fileno()

        class Held:
            def __enter__(self) -> int:
                fcntl.lockf(fd, fcntl.LOCK_EX)
                return fd

            def __exit__(self, *exc: object) -> None:
                fcntl.lockf(fd, fcntl.LOCK_UN)
        return Held()

    def take(self, share: int, runs: int) -> int | None:
        """The next run (of ``runs``) not yet dealt, now ``share``'s; None when every run is dealt."""
        with self._locked() as fd:
            nxt = int.from_bytes(os.pread(fd, _HEAD, 0), "little")  # b"" (nothing dealt yet): 0
            if nxt >= runs:
                return None
            os.pwrite(fd, bytes([share + 1]), _HEAD + nxt)
            os.pwrite(fd, (nxt + 1).to_bytes(_HEAD, "little"), 0)
            return nxt

    def taken(self, share: int, runs: int) -> list[int]:
        """The runs ``share`` has taken so far, in order."""
        with self._locked() as fd:
            owners = os.pread(fd, runs, _HEAD)
        mark = share + 1
        return [i for i, owner in enumerate(owners) if owner == mark]

    def runs_of(self, share: int, runs: int):  # noqa: ANN201
        """The runs ``share`` renders: those it took before (a failed page process's, rendered again by
        the process that takes its share over), then each next one not yet dealt, as it asks."""
        yield from self.taken(share, runs)
        while (run := self.take(share, runs)) is not None:
            yield run


def run_length(nodes: int, shares: int, longest: int) -> int:
    """How many of ``nodes`` resources a dealt run holds: ``longest``, or fewer so that each of
    ``shares`` can take about ``RUNS_PER_SHARE`` runs (the essay: 51 resources a run)."""
    return max(1, min(longest, nodes // (shares * RUNS_PER_SHARE)))
