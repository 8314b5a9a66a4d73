"""EDGE: the file system. Reading a file, with every way it can fail turned into a ``SourceError``
that names the file (and the line and column of a byte that is not UTF-8): a folder where a file should be, a symlink
loop or a dangling symlink, a file that cannot be read, an encoding that is not UTF-8. Every module
that reads sources (kg.sources, kg.config, kg.cookbook) reads through here, so no ``OSError`` or
``UnicodeDecodeError`` reaches the user as a traceback. Writing one file atomically (``write_file``:
a temporary file synced, then renamed over the old one) is here too, the one place that does it;
the build's whole-tree swap is ``kg.publish.writer``."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.errors import MissingSourceError, OutputError, SourceError

#: Why a file could not be read, by errno, in words a curator understands.
_REASONS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "is a folder, not a file",
    errno.ELOOP: "is a symbolic link loop",
    errno.EACCES: "cannot be read (permission denied)",
    errno.EPERM: "cannot be read (operation not permitted)",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_reason(exc: OSError) -> str:
    """A short reason for an ``OSError`` (its errno in words)."""
    return _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def read_bytes(path: Path, hint: str | None = None) -> bytes:
    """The bytes of ``path``; a ``SourceError`` naming it when it is not a readable file."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        reason = os_reason(exc)
        if exc.errno == errno.ENOENT and os.path.islink(path):
            reason = "is a dangling symbolic link"
        cls = MissingSourceError if exc.errno == errno.ENOENT else SourceError
        raise cls(f"{path}: {reason}", hint=hint) from None


@dataclass(frozen=True)
class NotUtf8:
    """Where bytes stop being UTF-8: the line and column (1-based, in characters) of the first bad byte."""

    line: int
    column: int
    offset: int
    byte: int

    @property
    def reason(self) -> str:
        return f"not UTF-8 (byte 0x{self.byte:02x} at offset {self.offset})"


def not_utf8(raw: bytes) -> NotUtf8 | None:
    """Where ``raw`` is not UTF-8, or None when it is."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _not_utf8(raw, exc)
    return None


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> NotUtf8:
    head = raw[: exc.start]
    column = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return NotUtf8(head.count(b"\n") + 1, column, exc.start, raw[exc.start])


def decode_utf8(path: Path, raw: bytes) -> str:
    """``raw`` as UTF-8; a ``SourceError`` naming the line and column of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = _not_utf8(raw, exc)
        raise SourceError(f"{path}:{bad.line}:{bad.column}: {bad.reason}", hint="Save the file as UTF-8.") from None


def read_utf8(path: Path, hint: str | None = None) -> str:
    """The text of ``path``, which must be a readable UTF-8 file."""
    return decode_utf8(path, read_bytes(path, hint))


def list_folder(folder: Path, suffix: str) -> tuple[Path, ...]:
    """The entries of ``folder`` whose name ends with ``suffix`` (hidden ones left out), sorted; a
    ``SourceError`` naming the folder when it is missing, not a folder, or cannot be listed."""
    try:
        names = os.listdir(folder)
    except OSError as exc:
        reason = "is not a folder" if exc.errno == errno.ENOTDIR else \
            "no such folder" if exc.errno == errno.ENOENT else os_reason(exc).replace("be read", "be listed")
        cls = MissingSourceError if exc.errno == errno.ENOENT else SourceError
        raise cls(f"{folder}: {reason}") from None
    return tuple(sorted(Path(folder) / n for n in names if n.endswith(suffix) and not n.startswith(".")))


def check_writable(output: Path) -> None:
    """An ``OutputError`` naming ``output`` unless a build can replace it: checked before the work,
    so that a read-only ``output/`` or project folder fails in a moment, not after the whole build."""
    output = Path(output).absolute()
    if output.exists() or output.is_symlink():
        if not output.is_dir():
            raise OutputError(f"{output}: is not a folder (a build writes a folder there)")
        if not os.access(output, os.W_OK | os.X_OK):
            raise OutputError(f"{output}: is read-only", hint="Make it writable, or build elsewhere with --output.")
    probe = output.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent  # the folders up to output/ are made by the build
    if not probe.is_dir():
        raise OutputError(f"{output}: cannot be made: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{output}: cannot be written: the folder {probe} is read-only",
                          hint="Make it writable, or build elsewhere with --output.")


def output_error(exc: OSError, output: Path) -> OutputError:
    """An ``OSError`` met while writing ``output`` as an ``OutputError`` naming the file."""
    return OutputError(f"{exc.filename or output}: cannot be written ({os_reason(exc)})")


# ---------------------------------------------------------------- writing

def _file_mode(path: Path) -> int:
    """The mode ``path`` keeps when it is replaced, or the mode a new file gets (0666 less the umask),
    not the 0600 of a temporary file: a review file or a release must stay readable by the team."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_file(path: Path, data: bytes) -> None:
    """Atomically replace one file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
