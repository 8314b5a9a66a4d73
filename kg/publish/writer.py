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
``.output.rm-*`` (a remover cut short) folders are removed by the next build. A ``Stage(reuse=True)``
(``kg build``'s) keeps the retired tree instead, as ``.output.back``, and the next such stage starts
from it rather than from an empty folder (``Stage``; docs/security.md).

``output/`` stays a real folder (not a symlink to a versioned sibling) because it is committed to git,
which would store a symlink as a link to a folder that is not in the repository.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import marshal
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from kg.later import Later

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
#: a reused tree listing at least this many files is compared with the files put by a forked
#: process (``Stage.find_unput``); the essay's 13,600 take this one some 10 ms
FORK_UNPUT_FILES = 50_000
_RMTREE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def _swap(new: Path, output: Path, behind: bool = False, keep_back: bool = False) -> bool:
    """Make the complete tree ``new`` the ``output`` folder and remove the old one (``behind``: in a
    detached process); with ``keep_back``, when the exchange was atomic, keep the old one as the next
    build's stage instead (``_keep_back``) and say True."""
    exchanged = _exchange(new, output)
    if exchanged and keep_back:
        _keep_back(new, output)
        return True
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(old)
    if exchanged:
        os.replace(new, old)  # the retired tree; a kill before this leaves it as .new-*, removed as stale
    else:
        os.replace(output, old)
        os.replace(new, output)
    _remove(old, behind)
    return False


def _remove(tree: Path, behind: bool, output_name: str | None = None) -> None:
    """Remove ``tree`` (``.output.old-*``; or, given ``output_name``, any tree of that output's):
    ``behind``, by a detached process, as ``.output.rm-*``."""
    if behind:
        if output_name is None:
            handed = tree.with_name(tree.name.replace(".old-", ".rm-", 1))
        else:
            handed = Path(tempfile.mkdtemp(prefix=f".{output_name}.rm-", dir=tree.parent))
            os.rmdir(handed)  # only its fresh name was wanted
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


#: The reused stage (``Stage(reuse=True)``, what ``kg build`` opens). After an atomic exchange the
#: retired tree is not removed but kept beside the output as ``.output.back``: the next build takes it
#: as its stage and brings it up to date (every file it puts or keeps is checked against the published
#: one, the files it does not publish again are removed) instead of linking each unchanged file into a
#: fresh folder. At 1 M that is 764,325 links and 59,410 folders a rebuild no longer makes, and as many
#: files the retired tree's remover no longer deletes. The files of each tree are listed beside it
#: (``.output.files`` for ``output/``, ``.output.back.files`` for the kept one), headed by the tree's
#: device, inode and modification time: a list whose tree is not the one at its name is never used.
_BACK, _LISTED = ".back", ".files"
_LISTING_HEAD = b"kg-tree-files 1"


def _back_of(output: Path) -> Path:
    return output.parent / f".{output.name}{_BACK}"


def _listing_of(output: Path, back: bool = False) -> Path:
    """Where the list of ``output/``'s files is (``.output.files``), or of the kept tree's."""
    return output.parent / f".{output.name}{_BACK if back else ''}{_LISTED}"


def _tree_id(tree: Path) -> tuple[int, int, int] | None:
    """(device, inode, modification time) of the folder ``tree`` (not through a link), or None: a
    folder made at that name since has another (an inode is soon reused), and so has one whose
    entries changed."""
    try:
        st = os.lstat(tree)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns) if stat.S_ISDIR(st.st_mode) else None


#: the ``marshal`` version the lists of files are written in (``_write_listing``; any is read)
_LISTING_MARSHAL = 2


def _write_listing(path: Path, tree: Path, rels: list[str]) -> None:
    """List ``rels`` as the files of ``tree`` at ``path``, with each of its folders' modification
    time (a folder's changes when an entry is added to it or removed: ``_Listing.foreign``), replacing
    what was there at once."""
    ident = _tree_id(tree)
    if ident is None:
        return
    folders = {""}
    for folder in {rel.rpartition("/")[0] for rel in rels}:  # a set first: 764,325 files, 59,410 folders at 1 M
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    names = list(folders)
    root = str(tree)
    stamps = [os.lstat(os.path.join(root, f) if f else root).st_mtime_ns for f in names]
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(b"%s %d %d %d %d\n" % (_LISTING_HEAD, *ident, len(rels)))
        # marshal's version 2: without the table of the objects written (versions 3 and 4 look up
        # every string in it to share repeats, of which a list of distinct names has none): at 1 M,
        # 0.10 s instead of 0.40 s for names scattered in memory (the pages' processes' answers)
        fh.write(marshal.dumps((rels, names, stamps), _LISTING_MARSHAL))
    os.replace(tmp, path)


def _listing_count(path: Path, tree: Path | None) -> int | None:
    """How many files the list at ``path`` names, when it was written for ``tree`` (the same device,
    inode and modification time: not a folder put at that name since; any tree when None); else
    (no list, damaged) None."""
    ident = _tree_id(tree) if tree is not None else None
    try:
        with open(path, "rb") as fh:
            parts = fh.readline().split()
    except OSError:
        return None
    try:
        if (len(parts) != 6 or b" ".join(parts[:2]) != _LISTING_HEAD
                or (tree is not None and tuple(map(int, parts[2:5])) != ident)):
            return None
        return int(parts[5])
    except ValueError:
        return None


class _Listing:
    """What ``_write_listing`` wrote for a tree: its files (``rels``), its folders and their
    modification times then."""

    def __init__(self, rels: list[str], folders: list[str], stamps: list[int]) -> None:
        self.rels, self.folders, self.stamps = rels, folders, stamps

    def foreign(self, root: str) -> list[str]:
        """The entries of the tree at ``root`` that the list does not name (put there by hand since),
        found in the folders whose modification time changed (an ``lstat`` per folder: 59,410 at
        1 M, against 764,325 files)."""
        changed = []
        for folder, stamp in zip(self.folders, self.stamps):
            try:
                st = os.lstat(os.path.join(root, folder) if folder else root)
            except OSError:
                continue  # gone: nothing in it to publish
            if st.st_mtime_ns != stamp and stat.S_ISDIR(st.st_mode):
                changed.append(folder)
        if not changed:
            return []
        files, folders = set(self.rels), set(self.folders)
        found = []
        for folder in changed:
            with os.scandir(os.path.join(root, folder) if folder else root) as entries:
                for entry in entries:
                    rel = f"{folder}/{entry.name}" if folder else entry.name
                    if rel not in (folders if entry.is_dir(follow_symlinks=False) else files):
                        found.append(rel)
        return found


def _read_listing(path: Path, tree: Path | None = None, file_id: tuple | None = None) -> _Listing | None:
    """What ``_write_listing`` wrote at ``path`` for ``tree`` (``_listing_count``), or, given
    ``file_id`` instead, when the list is still the file ``_file_id`` described; else None."""
    if tree is not None:
        count = _listing_count(path, tree)
    else:
        count = _listing_count(path, None) if _file_id(path) == file_id else None
    if count is None:
        return None
    try:
        with open(path, "rb") as fh:
            fh.readline()
            rels, folders, stamps = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    ok = (isinstance(rels, list) and len(rels) == count and isinstance(folders, list) and isinstance(stamps, list)
          and len(folders) == len(stamps) and all(isinstance(r, str) for r in rels))
    return _Listing(rels, folders, stamps) if ok else None


def _unput(listing: Path, file_id: tuple | None, put: set[str]) -> list[str] | None:
    """The files the list at ``listing`` names that are not in ``put``, when the list is still the
    file ``file_id`` described (``_read_listing``); else None."""
    held = _read_listing(listing, file_id=file_id)
    if held is None:
        return None
    return [rel for rel in held.rels if rel and rel not in put]


def _file_id(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _lstat(path: str) -> os.stat_result | None:
    """``os.lstat(path)``, or None when nothing is there (or a parent is no folder)."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _holds(path: str, st: os.stat_result) -> bool:
    """In a reused stage: whether ``path`` is already the file ``st`` describes (the same device and
    inode: a link to the published file); if not, whatever is there is removed."""
    here = _lstat(path)
    if here is None:
        return False
    if here.st_ino == st.st_ino and here.st_dev == st.st_dev:
        return True
    _clear(path)
    return False


def _keep_back(retired: Path, output: Path) -> None:
    """After the exchange: the retired tree (at ``retired``) becomes ``.output.back`` with its list (the
    one ``output/`` had), and ``output/``'s own list is written by the commit."""
    back = _back_of(output)
    if os.path.lexists(back):  # another build's, not taken: it is not this tree
        _drop_back(back, output.name)
    old_list, back_list = _listing_of(output), _listing_of(output, back=True)
    os.replace(retired, back)
    try:
        os.replace(old_list, back_list)  # its head still names the tree: checked when it is read
    except FileNotFoundError:
        back_list.unlink(missing_ok=True)


def _drop_back(back: Path, output_name: str) -> None:
    """Remove a kept tree that will not be reused (handed to the remover), or the link or file found
    at its name (unlinked, never followed)."""
    if _tree_id(back):
        _remove(back, True, output_name)
    else:
        os.unlink(back)


def _clear(path: str) -> None:
    """Remove what is at ``path`` (a file, a link, or a folder that a file's place now needs), if
    anything: never written through."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        shutil.rmtree(path)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
#: how a published file is opened to be read (ahead, or compared): a FIFO put there since cannot hang it
_READ_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
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
    to flush. Where links cannot be made (another file system) the file is written. ``reused``: the
    stage is a reused tree (``Stage(reuse=True)``), where ``path`` may hold that file already (nothing
    to do) or another (removed first)."""
    if not output.is_dir():
        return lambda _rel, _data, _path, _reused=False: False
    mode = _new_file_mode()

    output_s = str(output) + "/"

    def same(rel: str, data: bytes, path: str, reused: bool = False) -> bool:
        old = output_s + rel  # not os.path.join (as in Stage.keep): a put is some 14 µs (bench/bench_put.py)
        try:
            st = os.lstat(old)
            if not stat.S_ISREG(st.st_mode) or st.st_size != len(data) or stat.S_IMODE(st.st_mode) != mode:
                return False
            fd = os.open(old, _READ_OPEN)  # not open(): no buffered reader made a file (3 of its 10 µs)
            try:
                if os.read(fd, len(data) + 1) != data:  # a byte more: a file grown since differs
                    return False  # (and a short read only has it written again)
            finally:
                os.close(fd)
            if reused and _holds(path, st):  # a reused stage (Stage(reuse=True)) may hold it already
                return True
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
    first is unlinked, never written through: it may be a link to the previous output's file).

    With ``reuse`` (on Linux, where the swap is an atomic exchange) the folder is the tree the build
    before retired (``.output.back``), when one was kept and its list of files is its own: each file
    put or kept replaces what is at its path unless that is already the same file (one ``lstat``
    instead of a link, and no folder to make), and ``commit`` removes the files this build did not put
    (and the folders they leave empty) before the swap. After the swap the retired tree is kept in turn.
    Nothing already published is written through: a file is replaced by unlinking it first."""

    def __init__(self, output: Path, digests: bool = False, reuse: bool = False) -> None:
        self.output = Path(output).resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        _recover(self.output)
        for stale in self.output.parent.glob(f".{self.output.name}.new-*"):
            shutil.rmtree(stale, ignore_errors=True)
        self._reuse = reuse and _renameat2() is not None
        self.dir = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.new-", dir=self.output.parent))
        self._reused = self._reuse and self._take_back()
        self.digests: dict[str, str] | None = {} if digests else None
        #: the parts of SHA256SUMS adopted from the processes that put files here (``adopt_part``)
        self.parts: list = []
        self._same = _unchanged(self.output)
        self._has_old = self.output.is_dir()
        self._mode = _new_file_mode()
        self._output_s, self._dir_s = str(self.output), str(self.dir)
        self._made: set[str] = set()  # the folders made here (strings: keep makes no Path per file)
        self._put: set[str] = set()
        self._distrusted = False
        self._committed = False
        self._unput: Later | None = None  # ``find_unput``'s search, while it runs

    def _take_back(self) -> bool:
        """Make the kept tree of the build before (``.output.back``, listed) this stage's folder, less
        what was put into it by hand while it was ``output/``; False (a fresh folder) when there is
        none, it is not a folder, its list is not its own, or there is no published ``output/`` to
        check its files against. A tree not taken is removed."""
        back, listing = _back_of(self.output), _listing_of(self.output, back=True)
        if not os.path.lexists(back):
            return False
        self._listing_id = _file_id(listing)  # the list stays at its name until commit reads it again
        listed = _read_listing(listing, back) if self.output.is_dir() else None
        if listed is None:
            listing.unlink(missing_ok=True)
            _drop_back(back, self.output.name)
            return False
        self._back_files = len(listed.rels)
        os.rmdir(self.dir)
        os.replace(back, self.dir)
        for rel in listed.foreign(str(self.dir)):
            _clear(os.path.join(str(self.dir), rel))
        return True

    @property
    def reused(self) -> bool:
        """Whether this stage's folder is the tree the build before retired (``reuse``)."""
        return self._reused

    def adopt(self, digests: dict[str, str]) -> None:
        """Count as put the files another process put here (a forked renderer), with their digests."""
        self._put.update(digests)
        if self.digests is not None:
            self.digests.update(digests)

    def adopt_part(self, part) -> bool:  # noqa: ANN001 - a kg.publish.sums.Part
        """Count as put the files another process put here, given as its part of SHA256SUMS (their
        names and lines, ``kg.publish.sums``: kept as they came, in ``parts``, not read into
        ``digests``); False, and nothing adopted, when one of them was put here already (or this
        stage keeps no digests)."""
        if self.digests is None or not self._put.isdisjoint(part.names):
            return False
        self._put.update(part.names)
        self.parts.append(part)
        return True

    def own_digests(self) -> None:
        """From now on ``digests`` holds only the files put from here on (a forked renderer's, which
        it sends back as its part), not those put before (the parent's, which it has)."""
        if self.digests is not None:
            self.digests = {}

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
        if self._same(rel, data, path, self._reused):
            return
        if self._reused:
            _clear(path)
        _write(path, data)

    def _place(self, rel: str) -> str:
        """The path ``rel`` is put at, its folder made; what a put before (or a forked renderer that
        died: ``distrust``) left there removed, never written through."""
        path = self._dir_s + "/" + rel  # strings, not os.path's: a page's put makes no Path
        parent = path.rpartition("/")[0]
        if rel in self._put or self._distrusted:
            _clear(path)
            os.makedirs(parent, exist_ok=True)
        elif parent not in self._made:
            self._folder(parent)
        return path

    def copy(self, rel: str, src: str, sha256: str) -> None:
        """Put at ``rel`` the file put at ``src`` (its SHA-256 ``sha256``), as a hard link to it: the
        site's copies of the dumps (at 1 M some 600 MB written a second time otherwise). Where a link
        cannot be made, the bytes are copied."""
        path = self._place(rel)
        if self._reused:
            _clear(path)
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
                fd = os.open(path, _READ_OPEN)  # NONBLOCK: a FIFO put there since cannot hang it
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
            if self._reused and (os.path.islink(folder) or not os.path.isdir(folder)):
                self._make_way(folder)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except NotADirectoryError:
            if not self._reused:
                raise
            self._make_way(folder)
        self._made.add(folder)

    def _make_way(self, folder: str) -> None:
        """In a reused stage: make ``folder`` where the tree held a file (or a link) at its path or at
        one of its parents' (the old tree published a file where this one has a folder)."""
        rel = os.path.relpath(folder, self._dir_s)
        at = self._dir_s
        for part in rel.split(os.sep):
            at = os.path.join(at, part)
            if os.path.lexists(at) and (os.path.islink(at) or not os.path.isdir(at)):
                os.unlink(at)
        os.makedirs(folder, exist_ok=True)

    def keep(self, rel: str, sha256: str, size: int, mtime_ns: int, inode: int) -> bool:
        """Link the previous output's ``rel`` here if it is still the file a build wrote there, as
        ``written`` described it then (the same inode, size, modification time and mode: a file
        changed, replaced or removed since differs in one of them), counting ``sha256`` as its digest,
        and say True; else (or on another file system) put nothing and say False
        (``kg.publish.pagememo``). A reused stage that holds that very file already needs nothing more."""
        if rel in self._put or self._distrusted:
            return False
        path = self._dir_s + "/" + rel  # not os.path.join: a fifth of a kept page's time at 1 M
        try:
            # a reused tree holds the very file the last build wrote when the build before did not
            # change it (they share it): one lstat here, none of output/'s file and no link
            here = _lstat(path) if self._reused else None
            if here is None or not self._is_written(here, inode, size, mtime_ns):
                old = self._output_s + "/" + rel
                if not self._is_written(os.lstat(old), inode, size, mtime_ns):
                    return False
                if here is not None:
                    _clear(path)
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

    def keep_all(self, files: Mapping[str, list], prefix: str = "") -> bool:
        """``keep`` each of ``files`` ({rel: [sha256, size, mtime_ns, inode]}, as ``written`` gave,
        each put at ``prefix + rel``) in their order until one is not kept; whether all were. A
        page's files (its HTML and three descriptions) in one call, with the common case inlined: in
        a reused stage, the very file the last build wrote still at its path (one ``lstat``); any
        other goes through ``keep``. (At 1 M a rebuild keeps some 760,000 files; the two calls and
        the checks of each cost about as much as its ``lstat``.)"""
        if self._distrusted:
            return False
        put, digests, here, mode = self._put, self.digests, self._dir_s + "/", self._mode
        for rel, (sha256, size, mtime_ns, inode) in files.items():
            rel = prefix + rel
            if rel in put:
                return False
            if self._reused:
                try:
                    st = os.lstat(here + rel)
                except (FileNotFoundError, NotADirectoryError):
                    st = None
                except OSError:
                    return False
                if (st is not None and st.st_ino == inode and st.st_size == size and st.st_mtime_ns == mtime_ns
                        and stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == mode):
                    put.add(rel)
                    if digests is not None:
                        digests[rel] = sha256
                    continue
            if not self.keep(rel, sha256, size, mtime_ns, inode):
                return False
        return True

    def _is_written(self, st: os.stat_result, inode: int, size: int, mtime_ns: int) -> bool:
        """Whether ``st`` is of the file ``written`` described, unchanged: the same inode, size,
        modification time, a regular file with the mode this process gives a new one."""
        return (st.st_ino == inode and st.st_size == size and st.st_mtime_ns == mtime_ns
                and stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == self._mode)

    def written(self, rel: str) -> list | None:
        """``[sha256, size, mtime_ns, inode]`` of the file put at ``rel`` (what ``keep`` checks in the
        next build), or None when this stage keeps no digests or the file is not there."""
        sha = self.digests.get(rel) if self.digests is not None else None
        if sha is None:
            return None
        try:
            st = os.lstat(self._dir_s + "/" + rel)
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
            if self._reused:
                self._drop_unput(keep)
            for name in keep:
                if (output / name).exists() and not (tmp / name).exists():
                    shutil.copytree(output / name, tmp / name) if (output / name).is_dir() else shutil.copy2(output / name, tmp / name)
            os.chmod(tmp, 0o755)
            # One sync for the whole tree (an fsync per file cost tens of seconds at 100 k resources):
            # every byte is on disk before the swap makes it visible.
            os.sync()
            kept_back = False
            if output.exists():
                kept_back = _swap(tmp, output, behind=len(self._put) >= REMOVE_BEHIND_FILES, keep_back=self._reuse)
            else:
                os.replace(tmp, output)
            self._committed = True
            if self._reuse:
                self._list_output(keep, kept_back)
        except BaseException:
            self.discard()
            raise
        return output

    def discard(self) -> None:
        """Remove the folder and what was put into it; nothing once it was committed."""
        if self._unput is not None:
            self._unput.stop()
            self._unput = None
        if not self._committed:
            if self._reused:  # the whole tree of the build before: removed as a retired one
                _listing_of(self.output, back=True).unlink(missing_ok=True)
                _remove(self.dir, self._back_files >= REMOVE_BEHIND_FILES, self.output.name)
                self._reused = False
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def find_unput(self) -> None:
        """In a reused stage, once nearly every file is put (a build's pages): start looking for the
        files the tree holds that this build has not put, which ``commit`` removes. With at least
        ``FORK_UNPUT_FILES`` files listed, a forked process reads the tree's list and compares it
        with the files put so far (at 1 M, 760,000 names: 1.25 s of this process otherwise,
        after everything else), while this one makes the build's last files; ``commit`` removes
        only those of its findings that were not put since."""
        if self._reused and self._unput is None:
            self._unput = Later(_unput, _listing_of(self.output, back=True), self._listing_id, self._put,
                                fork=self._back_files >= FORK_UNPUT_FILES)

    def _drop_unput(self, keep: tuple[str, ...]) -> None:
        """In a reused stage, before the swap: remove the files the tree held that this build did not
        put (its list, ``.output.back.files``, read now, or by ``find_unput``'s process), and the
        folders that leaves empty; the entries named in ``keep`` are copied from ``output/`` afresh."""
        listing = _listing_of(self.output, back=True)
        if self._unput is None:
            self.find_unput()  # made here and now: not forked
        search, self._unput = self._unput, None
        unput = search.result()
        if unput is not None and _file_id(listing) != self._listing_id:
            unput = None  # the list was replaced after it was read
        if unput is None:  # its list changed since the build began: what the tree holds is not known
            raise OSError(errno.ENOENT, "the list of the reused tree's files is gone", str(listing))
        emptied: set[str] = set()
        for rel in unput:
            if rel not in self._put:  # not put since the list was compared
                path = os.path.join(self._dir_s, rel)
                try:
                    os.unlink(path)
                except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                    continue  # gone with its folder, or a file or folder this build made stands there
                emptied.add(os.path.dirname(path))
        for name in keep:
            if name not in self._put:
                _clear(os.path.join(self._dir_s, name))
        for folder in sorted(emptied, key=len, reverse=True):
            while folder != self._dir_s and folder.startswith(self._dir_s):
                try:
                    os.rmdir(folder)
                except OSError:  # not empty (or gone): its parents are not empty either
                    break
                folder = os.path.dirname(folder)
        listing.unlink()

    def _list_output(self, keep: tuple[str, ...], kept_back: bool) -> None:
        """After the swap: list ``output/``'s files beside it, for the build that will reuse it; when
        the retired tree was not kept (no atomic exchange), no list is left that could name it."""
        listing = _listing_of(self.output)
        try:
            if not kept_back:
                _listing_of(self.output, back=True).unlink(missing_ok=True)
            listed = list(self._put)
            for name in keep:  # what commit copied from the old tree
                if name not in self._put:
                    top = self.output / name
                    listed += [str(p.relative_to(self.output)) for p in ([top] if top.is_file() else top.rglob("*"))
                               if not p.is_dir() or p.is_symlink()]
            _write_listing(listing, self.output, listed)
        except OSError:  # published all the same: without a list the next build starts a fresh tree
            listing.unlink(missing_ok=True)


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

    def keep_all(self, files: Mapping[str, list]) -> bool:
        return self.stage.keep_all(files, self.prefix)

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
