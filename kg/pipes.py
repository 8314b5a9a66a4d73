"""The pipes a build's forked processes answer through, made to hold a mebibyte instead of 64 KiB.

A process that sends a large message through a pipe writes a pipe's capacity at a time and waits
until the other end has read it. The build's parent reads the dump writers' messages with a thread
(``kg.publish._ForkedWriters``) while its own thread works on in Python; each read gives that thread
at most a pipe's capacity, and each read is one wait for the interpreter's lock, which the working
thread hands over once per switch interval (5 ms). At 64 KiB a read, the union's dumps' layouts (some
28 MB at 1 M triples) took the reading thread about two seconds, the writers' process stopped in
``send`` meanwhile and a core idle (``bench/cores.py`` showed it); at a mebibyte a read, 16 times fewer
waits. The other pipes (the pages' processes, the validation workers, ``kg.later.Later``) carry
answers of up to 40 MB that their reader takes in one go: fewer reads there too.

Linux lets a process without privileges widen a pipe up to ``/proc/sys/fs/pipe-max-size`` (1 MiB by
default); elsewhere, or when the system refuses (the user's pipes already hold their share of
memory), a pipe keeps the capacity it has: the messages are the same, only slower to pass.
"""
from __future__ import annotations

try:
    import fcntl
except ImportError:  # not a POSIX system: the pipes keep their size
    fcntl = None  # type: ignore[assignment]

#: the capacity asked for (the default ``pipe-max-size`` of Linux)
WIDTH = 1 << 20

_SET_SIZE = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only


def widen(end) -> int | None:  # noqa: ANN001 - a multiprocessing Connection (or anything with fileno())
    """Make the pipe ``end`` is one end of hold ``WIDTH`` bytes; its capacity then, or None when it
    could not be changed (not Linux, not a pipe, refused)."""
    if _SET_SIZE is None:
        return None
    try:
        return fcntl.fcntl(end.fileno(), _SET_SIZE, WIDTH)
    except (OSError, ValueError):
        return None


def pipe(ctx) -> tuple:  # noqa: ANN001 - a multiprocessing context
    """``ctx.Pipe(duplex=False)``, ``(receiving end, sending end)``, widened (``widen``)."""
    receive, send = ctx.Pipe(duplex=False)
    widen(send)
    return receive, send


__all__ = ["WIDTH", "pipe", "widen"]
