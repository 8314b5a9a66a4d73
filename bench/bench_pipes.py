"""A large message through a pipe to a reading thread while the main thread works, as the build's
dump writers send their layouts (``kg.publish._ForkedWriters``): ``python bench/bench_pipes.py [MB]``
(default 27, three messages). Prints, for the system's pipe (64 KiB) and one widened by
``kg.pipes.pipe`` (1 MiB), the seconds the thread took to receive them while the main thread looped
in Python, holding the interpreter's lock but for its switch interval."""
from __future__ import annotations

import multiprocessing
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.pipes import pipe


def _send(send, size: int) -> None:  # noqa: ANN001
    for _ in range(3):
        send.send_bytes(b"x" * size)
    send.send_bytes(b"")
    send.close()


def one(wide: bool, size: int) -> float:
    ctx = multiprocessing.get_context("fork")
    receive, send = pipe(ctx) if wide else ctx.Pipe(duplex=False)
    process = ctx.Process(target=_send, args=(send, size))
    process.start()
    send.close()
    took: list[float] = []

    def read() -> None:
        start = time.perf_counter()
        while receive.recv_bytes():
            pass
        took.append(time.perf_counter() - start)
    reader = threading.Thread(target=read)
    reader.start()
    n = 0
    while not took:  # the main thread's own work
        n += sum(range(1000))
    reader.join()
    process.join()
    return took[0]


def main() -> None:
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 27.0
    size = int(mb * (1 << 20) / 3)
    for wide in (False, True, False, True):
        print(f"{'1 MiB' if wide else '64 KiB'} pipe: {3 * size / (1 << 20):.0f} MB received in {one(wide, size):.3f} s")


if __name__ == "__main__":
    main()
