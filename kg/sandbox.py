"""Defence in depth for the query engine: on Linux (x86_64, aarch64) a seccomp filter makes
``socket()`` fail with EPERM for every address family but AF_UNIX, so a process (or thread) that
runs a query cannot open a network connection at all, whatever the query policy let through.
Elsewhere (macOS, Windows, other CPUs) nothing is installed and only the policy holds
(docs/security.md).

The filter is a small classic-BPF program installed with ``seccomp(SECCOMP_SET_MODE_FILTER)``
after ``prctl(PR_SET_NO_NEW_PRIVS)``; it cannot be removed, and threads and children created
after it inherit it. ``deny_network(all_threads=True)`` covers every thread of the process (the
query workers, the child of ``run_isolated`` in which ``kg query`` evaluates); ``False`` only the
calling thread (``run_without_network``, where there is no fork)."""
from __future__ import annotations

import ctypes
import faulthandler
import os
import pickle
import platform
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kg.errors import KgError, QueryError

T = TypeVar("T")

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
#: syscall numbers: socket, io_uring_setup (io_uring can create sockets itself), seccomp
_NR = {"x86_64": (41, 425, 317), "aarch64": (198, 425, 277)}
_X32_BIT = 0x40000000
AF_UNIX = 1
EPERM = 1

# classic BPF
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1


def _machine() -> str:
    m = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(m, m)


def supported() -> bool:
    """Whether this platform gets the filter (Linux on x86_64 or aarch64)."""
    return sys.platform.startswith("linux") and _machine() in _AUDIT_ARCH


def _program(machine: str) -> bytes:
    """The filter: foreign architecture -> EPERM; x32 syscalls -> EPERM; io_uring_setup -> EPERM;
    socket(domain != AF_UNIX) -> EPERM; everything else allowed."""
    arch = _AUDIT_ARCH[machine]
    nr_socket, nr_uring, _ = _NR[machine]
    deny = _RET_ERRNO | EPERM
    ins = [
        (_LD_W_ABS, 0, 0, 4),                 # A = seccomp_data.arch
        (_JEQ_K, 1, 0, arch),                 # native? skip next
        (_RET_K, 0, 0, deny),
        (_LD_W_ABS, 0, 0, 0),                 # A = seccomp_data.nr
    ]
    if machine == "x86_64":
        ins += [(_JGE_K, 0, 1, _X32_BIT), (_RET_K, 0, 0, deny)]
    ins += [
        (_JEQ_K, 0, 1, nr_uring), (_RET_K, 0, 0, deny),
        (_JEQ_K, 1, 0, nr_socket),            # socket? go to the domain check
        (_RET_K, 0, 0, _RET_ALLOW),
        (_LD_W_ABS, 0, 0, 16),                # A = low 32 bits of args[0] (the domain)
        (_JEQ_K, 0, 1, AF_UNIX),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("=HBBI", *i) for i in ins)


def deny_network(all_threads: bool = True) -> bool:
    """Install the filter; True when installed, False where unsupported. Raises OSError when
    the kernel refuses it on a supported platform (the caller must not run queries then)."""
    if not supported():
        return False
    machine = _machine()
    code = _program(machine)
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(err)}")
    flags = _SECCOMP_FILTER_FLAG_TSYNC if all_threads else 0
    nr_seccomp = _NR[machine][2]
    if libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_long(_SECCOMP_SET_MODE_FILTER), ctypes.c_long(flags),
                    ctypes.byref(prog)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {os.strerror(err)}")
    return True


def end_with_parent() -> None:
    """Make this (child) process end as soon as its parent is gone. A pool's worker process holds
    both ends of its task queue, so it never reads EOF when the parent is killed (SIGKILL, the OOM
    killer, a CI timeout) and would wait for ever, holding a whole interpreter: a daemon thread
    checks the parent every half second and ends the process when it has changed."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="kg-end-with-parent", daemon=True).start()


def run_without_network(fn: Callable[[], T]) -> T:
    """``fn()`` in a fresh thread that cannot open network sockets (where supported); its result,
    or its exception re-raised here. The calling thread keeps its network."""
    box: dict = {}

    def run() -> None:
        try:
            deny_network(all_threads=False)
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            # without its traceback: its frames hold pyoxigraph objects that must be dropped in
            # the thread that made them
            box["error"] = exc.with_traceback(None)

    t = threading.Thread(target=run, name="kg-sandboxed-query", daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def run_isolated(fn: Callable[[], T], timeout: float | None = None) -> T:
    """``fn()`` in a forked child process that cannot open network sockets (the filter on all its
    threads, where supported) and whose crash cannot take the caller down: pyoxigraph 0.5 segfaults
    on some queries (long flat chains of UNION, BIND, MINUS, ``||``, ``;``) and takes no time limit.
    Returns ``fn``'s (picklable) value; a ``KgError`` raised in the child is raised here with its
    message, hint and exit code; a crash, or a run longer than ``timeout`` seconds, is a
    ``QueryError`` (exit 2). Without ``os.fork`` (Windows): ``run_without_network``, no time limit."""
    if not hasattr(os, "fork"):
        return run_without_network(fn)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its coverage is the parent's assertions
        os.close(r)
        try:
            try:
                # a crash here is reported by the parent in one line; a fault handler inherited from
                # the caller (pytest enables one) would print the child's stack on top of it
                faulthandler.disable()
                deny_network(all_threads=True)
                payload = ("ok", fn())
            except KgError as exc:
                payload = ("error", str(exc), exc.hint, exc.exit_code)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = ("error", f"the query could not be evaluated: {exc}", None, 2)
            data = pickle.dumps(payload)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    chunks: list[bytes] = []
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise QueryError(f"the query ran longer than {timeout:g} s and was stopped",
                                 hint="Add LIMIT, narrow the patterns, or raise --timeout.")
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        how = (signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise QueryError(f"the query engine crashed on this query ({how}); nothing else was affected",
                         hint="pyoxigraph 0.5 fails on very long flat chains (thousands of UNION, BIND, MINUS, "
                              "'||' or ';'): split the query (docs/security.md).")
    kind, *rest = pickle.loads(b"".join(chunks))
    if kind == "ok":
        return rest[0]
    message, hint, code = rest
    err = QueryError(message, hint=hint)
    err.exit_code = code
    raise err
