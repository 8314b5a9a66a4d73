"""EDGE: write the rendered files into ``output/`` all or nothing, with a complete ``output/`` at
every instant.

Files go into a fresh sibling folder ``.output.new-*`` first and are synced to disk. The swap is then
one system call where the system has one: on Linux, ``renameat2(RENAME_EXCHANGE)`` exchanges the two
folders atomically, so ``output/`` is at every instant either the whole old tree or the whole new
one, and a kill at any point leaves a complete ``output/``. The old tree, now at the temporary name,
is renamed ``.output.old-*`` and deleted (a large one by a detached process, after the build returns,
as ``.output.rm-*``, locked while its remover runs: ``REMOVE_BEHIND_FILES``). Where the exchange is not available (another system, or a
file system without it) the swap is two renames (``output`` -> ``.output.old-*``, then the new folder
-> ``output``); a kill between them leaves no ``output/`` but a complete ``.output.old-*``, which every
reader uses meanwhile (``live_output``) and the next build puts back before anything else. Stale
``.output.new-*`` (an unfinished build), ``.output.old-*`` (a retired tree) and unlocked
``.output.rm-*`` (a remover cut short) folders are removed by the next build.

``output/`` stays a real folder (not a symlink to a versioned sibling) because it is committed to git,
which would store a symlink as a link to a folder that is not in the repository.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on this system: a tree is removed by whichever process gets to it
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
#: how a retired tree is opened to lock it: a folder only, never through a link, never waiting
_DIR_OPEN = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_NONBLOCK", 0))
_RENAME_EXCHANGE = 2  # linux/fs.h


@lru_cache(maxsize=1)
def _renameat2():  # noqa: ANN202
    """glibc's (or musl's) ``renameat2``, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; False (nothing done) where the system or the file
    system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _olds(output: Path) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.old-*"))


def live_output(output: Path) -> Path:
    """The folder readers (``kg query``, ``kg serve``, ``kg publish``, ``kg release``) read for
    ``output``: ``output`` itself, or, when a build was killed between the two renames of the
    fallback swap, the complete previous tree it kept (``.output.old-*``) until the next build."""
    output = Path(output)
    if output.exists():
        return output
    olds = [p for p in _olds(output.absolute()) if p.is_dir()]
    return olds[0] if len(olds) == 1 else output  # the swap keeps exactly one; anything else is not ours


def _recover(output: Path) -> None:
    if output.exists():
        for stale in _olds(output):
            shutil.rmtree(stale, ignore_errors=True)
    else:
        olds = _olds(output)
        if olds:
            os.replace(olds[-1], output)
            for stale in olds[:-1]:
                shutil.rmtree(stale, ignore_errors=True)
    for handed in output.parent.glob(f".{output.name}.rm-*"):
        _remove_unowned(handed)


def _remove_unowned(tree: Path) -> None:
    """Remove a tree handed to a remover (``.output.rm-*``) unless that remover is still at work (it
    holds the tree's lock): builds run back to back would otherwise remove the same 770,000 files
    twice, the second time before the build's first stage."""
    try:
        fd = os.open(tree, _DIR_OPEN)  # a FIFO or a link planted under that name: not opened, left alone
    except OSError:
        return
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(tree, ignore_errors=True)
    except OSError:  # locked: its remover is running
        pass
    finally:
        os.close(fd)


#: A retired tree of at least this many files is removed by a detached process after the swap, so that
#: the build returns meanwhile (at 1 M, removing the last output's 770,000 entries took 8.5 s of a 130 s
#: rebuild); a smaller one is removed at once. The tree is first renamed ``.output.rm-*`` and locked
#: (``flock``); the remover inherits the lock and holds it until it exits, so the next build leaves a
#: tree still being removed alone and removes only one whose remover was cut short.
REMOVE_BEHIND_FILES = 50_000
_RMTREE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def _swap(new: Path, output: Path, behind: bool = False) -> None:
    """Make the complete tree ``new`` the ``output`` folder and remove the old one (``behind``: in a
    detached process)."""
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(old)
    if _exchange(new, output):
        os.replace(new, old)  # the retired tree; a kill before this leaves it as .new-*, removed as stale
    else:
        os.replace(output, old)
        os.replace(new, output)
    _remove(old, behind)


def _remove(tree: Path, behind: bool) -> None:
    if behind:
        handed = tree.with_name(tree.name.replace(".old-", ".rm-", 1))
        try:
            os.replace(tree, handed)  # no longer a tree live_output could read
            fd = os.open(handed, _DIR_OPEN)
        except OSError:
            handed, fd = tree, -1
        try:
            if fd >= 0 and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # held by the remover (it inherits fd) until it exits
            subprocess.Popen([sys.executable, "-I", "-c", _RMTREE, str(handed)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             pass_fds=(fd,) if fd >= 0 else ())
            return
        except OSError:  # no process to spare: removed here
            tree = handed
        finally:
            if fd >= 0:
                os.close(fd)
    shutil.rmtree(tree, ignore_errors=True)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
_PREFETCH_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
_FADVISE = getattr(os, "posix_fadvise", None)


def _write(path: str, data: bytes) -> None:
    """``open(path, "wb").write(data)`` without the buffered file object (a quarter of the time of a
    small page's write: the site's 13,600 files at the essay, 760,000 at 1 M); mode 0o666 less the umask."""
    fd = os.open(path, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    """The permission bits a file this process creates gets (0o666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _unchanged(output: Path):  # noqa: ANN202
    """``same(rel, data, path)``: when the previous ``output`` holds ``rel`` with exactly ``data`` (a
    regular file, compared byte for byte, with the mode a new file gets), link it at ``path`` instead
    of writing it again and say True. A rebuild that changes a few pages writes only those: creating a
    file costs 3-4 times a comparison and a link, and the sync before the swap has only the new bytes
    to flush. Where links cannot be made (another file system) the file is written."""
    if not output.is_dir():
        return lambda _rel, _data, _path: False
    mode = _new_file_mode()

    output_s = str(output)

    def same(rel: str, data: bytes, path: str) -> bool:
        old = os.path.join(output_s, rel)
        try:
            st = os.lstat(old)
            if not stat.S_ISREG(st.st_mode) or st.st_size != len(data) or stat.S_IMODE(st.st_mode) != mode:
                return False
            with open(old, "rb") as fh:
                if fh.read() != data:
                    return False
            os.link(old, path)
        except OSError:
            return False
        return True
    return same


class Stage:
    """The folder a build's files go into before the swap (``.output.new-*``, beside ``output``),
    open while they are made: ``put(rel, data)`` writes one at once (or links the previous output's
    identical file), so a producer that streams its files (the pages, in a forked process during the
    validation) need not hold them in memory; ``commit`` makes the folder ``output``, ``discard``
    removes it (a failed build leaves ``output`` as it was). With ``digests`` each file's SHA-256 is
    kept (``digests``: {rel: hex}), for SHA256SUMS. A file put twice keeps the second bytes (the
    first is unlinked, never written through: it may be a link to the previous output's file)."""

    def __init__(self, output: Path, digests: bool = False) -> None:
        self.output = Path(output).resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        _recover(self.output)
        for stale in self.output.parent.glob(f".{self.output.name}.new-*"):
            shutil.rmtree(stale, ignore_errors=True)
        self.dir = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.new-", dir=self.output.parent))
        self.digests: dict[str, str] | None = {} if digests else None
        self._same = _unchanged(self.output)
        self._has_old = self.output.is_dir()
        self._mode = _new_file_mode()
        self._output_s, self._dir_s = str(self.output), str(self.dir)
        self._made: set[str] = set()  # the folders made here (strings: keep makes no Path per file)
        self._put: set[str] = set()
        self._distrusted = False
        self._committed = False

    def adopt(self, digests: dict[str, str]) -> None:
        """Count as put the files another process put here (a forked renderer), with their digests."""
        self._put.update(digests)
        if self.digests is not None:
            self.digests.update(digests)

    def distrust(self) -> None:
        """Files of unknown origin may be here (a forked renderer died half-way): each put from now on
        first removes what is at its path."""
        self._distrusted = True

    @property
    def distrusted(self) -> bool:
        """Whether a forked renderer died while writing here (``distrust``)."""
        return self._distrusted

    def put(self, rel: str, data: bytes, digest: bool = True, sha256: str | None = None) -> None:
        """Write ``data`` at ``rel`` (keeping its digest, unless ``digest`` is false; ``sha256``: the
        digest, when the caller has it already)."""
        path = self._place(rel)
        self._put.add(rel)
        if self.digests is not None and digest:
            self.digests[rel] = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
        if self._same(rel, data, path):
            return
        _write(path, data)

    def _place(self, rel: str) -> str:
        """The path ``rel`` is put at, its folder made; what a put before (or a forked renderer that
        died: ``distrust``) left there removed, never written through."""
        path = os.path.join(self._dir_s, rel)  # strings: a page's put makes no Path
        parent = os.path.dirname(path)
        if rel in self._put or self._distrusted:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            os.makedirs(parent, exist_ok=True)
        elif parent not in self._made:
            self._folder(parent)
        return path

    def copy(self, rel: str, src: str, sha256: str) -> None:
        """Put at ``rel`` the file put at ``src`` (its SHA-256 ``sha256``), as a hard link to it: the
        site's copies of the dumps (at 1 M some 600 MB written a second time otherwise). Where a link
        cannot be made, the bytes are copied."""
        path = self._place(rel)
        try:
            os.link(os.path.join(self._dir_s, src), path)
        except OSError:
            with open(os.path.join(self._dir_s, src), "rb") as fh:
                _write(path, fh.read())
        self._put.add(rel)
        if self.digests is not None:
            self.digests[rel] = sha256

    def prefetch(self, rels: Iterable[str]) -> None:
        """Ask the system to read the previous output's regular files ``rels`` ahead, without waiting
        (``posix_fadvise(WILLNEED)``): ``put`` compares each new file with the old one at its path, and
        when the old files are not in memory (the cache emptied or another code version: every page is
        rendered again) reading them one after the other cost some 100 µs a file from this machine's
        disk, 39 µs with the reads asked for ahead. Nothing is done without a previous output or
        ``posix_fadvise``; a path that is not a regular file (a link, a FIFO, a folder) is skipped."""
        if not self._has_old or _FADVISE is None:
            return
        for rel in rels:
            path = os.path.join(self._output_s, rel)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue
                fd = os.open(path, _PREFETCH_OPEN)  # NONBLOCK: a FIFO put there since cannot hang it
            except OSError:
                continue
            try:
                _FADVISE(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(fd)

    def _folder(self, folder: str) -> None:
        """Make ``folder`` (a page process makes each of its some 59,000 folders at 1 M, most of them
        already made by the other: one ``mkdir``, and ``os.makedirs`` only when its parent is missing)."""
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        self._made.add(folder)

    def keep(self, rel: str, sha256: str, size: int, mtime_ns: int, inode: int) -> bool:
        """Link the previous output's ``rel`` here if it is still the file a build wrote there, as
        ``written`` described it then (the same inode, size, modification time and mode: a file
        changed, replaced or removed since differs in one of them), counting ``sha256`` as its digest,
        and say True; else (or on another file system) put nothing and say False
        (``kg.publish.pagememo``)."""
        if rel in self._put or self._distrusted:
            return False
        old = os.path.join(self._output_s, rel)
        try:
            st = os.lstat(old)
            if (st.st_ino != inode or st.st_size != size or st.st_mtime_ns != mtime_ns
                    or not stat.S_ISREG(st.st_mode) or stat.S_IMODE(st.st_mode) != self._mode):
                return False
            path = os.path.join(self._dir_s, rel)
            parent = os.path.dirname(path)
            if parent not in self._made:
                self._folder(parent)
            os.link(old, path)
        except OSError:
            return False
        self._put.add(rel)
        if self.digests is not None:
            self.digests[rel] = sha256
        return True

    def written(self, rel: str) -> list | None:
        """``[sha256, size, mtime_ns, inode]`` of the file put at ``rel`` (what ``keep`` checks in the
        next build), or None when this stage keeps no digests or the file is not there."""
        sha = self.digests.get(rel) if self.digests is not None else None
        if sha is None:
            return None
        try:
            st = os.lstat(os.path.join(self._dir_s, rel))
        except OSError:
            return None
        return [sha, st.st_size, st.st_mtime_ns, st.st_ino]

    def __contains__(self, rel: str) -> bool:
        """Whether ``rel`` was put here (by this process, or adopted from another)."""
        return rel in self._put

    def update(self, files: Mapping[str, bytes]) -> None:
        for rel, data in files.items():
            self.put(rel, data)

    def under(self, prefix: str) -> "Sink":
        """A sink putting ``prefix + rel`` here (``pages`` writes ``site/…``)."""
        return Sink(self, prefix)

    def commit(self, keep: tuple[str, ...] = ()) -> Path:
        """Make this folder ``output`` (plus the kept entries of the old one) and remove the old."""
        output, tmp = self.output, self.dir
        try:
            for name in keep:
                if (output / name).exists() and not (tmp / name).exists():
                    shutil.copytree(output / name, tmp / name) if (output / name).is_dir() else shutil.copy2(output / name, tmp / name)
            os.chmod(tmp, 0o755)
            # One sync for the whole tree (an fsync per file cost tens of seconds at 100 k resources):
            # every byte is on disk before the swap makes it visible.
            os.sync()
            if output.exists():
                _swap(tmp, output, behind=len(self._put) >= REMOVE_BEHIND_FILES)
            else:
                os.replace(tmp, output)
            self._committed = True
        except BaseException:
            self.discard()
            raise
        return output

    def discard(self) -> None:
        """Remove the folder and what was put into it; nothing once it was committed."""
        if not self._committed:
            shutil.rmtree(self.dir, ignore_errors=True)


class Sink:
    """``stage.under(prefix)``: puts ``prefix + rel`` into the stage; a mapping's writing half."""

    def __init__(self, stage: Stage, prefix: str) -> None:
        self.stage, self.prefix = stage, prefix

    def __setitem__(self, rel: str, data: bytes) -> None:
        self.stage.put(self.prefix + rel, data)

    def update(self, files: Mapping[str, bytes]) -> None:
        for rel, data in files.items():
            self[rel] = data

    def keep(self, rel: str, sha256: str, size: int, mtime_ns: int, inode: int) -> bool:
        return self.stage.keep(self.prefix + rel, sha256, size, mtime_ns, inode)

    def prefetch(self, rels: Iterable[str]) -> None:
        self.stage.prefetch(self.prefix + rel for rel in rels)

    def written(self, rel: str) -> list | None:
        return self.stage.written(self.prefix + rel)


def write_tree(files: Mapping[str, bytes], output: Path, keep: tuple[str, ...] = (), stage: Stage | None = None) -> Path:
    """Replace ``output`` by a folder holding exactly ``files`` (plus the kept entries of the old one,
    plus what was put into ``stage`` before: an open ``Stage`` of ``output``, whose files win over
    ``files``' of the same name)."""
    stage = stage if stage is not None else Stage(output)
    try:
        for rel, data in files.items():
            if rel not in stage:
                stage.put(rel, data, digest=False)  # SHA256SUMS, the last of them, is made
    except BaseException:
        stage.discard()
        raise
    return stage.commit(keep)
