"""In-memory file systems: an image's root file system, volumes, and a container's view of both.

A container sees one directory tree, but it is assembled from parts (runc's rootfs plus bind
mounts): the image's files copied into a fresh writable root for this container (so a restarted
container starts again from the image, and whatever it wrote to its root is gone) and the pod's
volumes mounted over paths in it (an emptyDir shared by the pod's containers, a configMap's
files, a persistent disk that outlives the pod). :class:`FileSystem` is one such tree;
:class:`ContainerFS` is the container's view, routing each path to the mount that owns it.

A copy costs nothing until something writes, as with containerd's overlayfs snapshotter: the
image's files are a read-only lower layer every container of the image shares, and a
container's first write to a file or directory copies it up into the container's own tree
(copy-up, ``Documentation/filesystems/overlayfs.rst`` in the Linux sources). A thousand
replicas of one image therefore hold one set of the image's files, not a thousand.

Errors are Python's own ``OSError`` subclasses carrying the kernel's errno (ENOENT, EISDIR,
EROFS ...) so the shell and the programs can word them as real tools do.
"""

from __future__ import annotations

import errno
import functools
import os
import posixpath
from dataclasses import dataclass


def fs_error(code: int, path: str) -> OSError:
    """``OSError`` for ``code`` (an errno), e.g. ``[Errno 2] No such file or directory: '/x'``."""
    return OSError(code, os.strerror(code), path)


class File:
    """A regular file: its text, permission bits and modification time.

    Appends are kept as a list of chunks and joined on read, so a program appending a line
    every second to a log file for hours costs little. A ``shared`` file belongs to a lower
    layer several trees read: it is never changed in place, only copied up.
    """

    __slots__ = ("_chunks", "mode", "mtime", "program", "shared")

    def __init__(self, data: str = "", mode: int = 0o644, mtime: float = 0.0,
                 program: str | None = None) -> None:
        self._chunks = [data] if data else []
        self.mode = mode
        self.mtime = mtime
        # For an executable that is one of the simulator's programs (``/bin/sleep``), the name
        # the program registry knows it by.
        self.program = program
        self.shared = False

    @property
    def data(self) -> str:
        if len(self._chunks) > 1:
            self._chunks = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def write(self, data: str, append: bool) -> None:
        if append:
            if data:
                self._chunks.append(data)
        else:
            self._chunks = [data] if data else []

    @property
    def size(self) -> int:
        return sum(len(chunk.encode()) for chunk in self._chunks)

    def copy_up(self) -> File:
        """This file's own copy, to change without touching the shared layer."""
        clone = File(mode=self.mode, mtime=self.mtime, program=self.program)
        clone._chunks = list(self._chunks)
        return clone


class Directory:
    """A directory: names to files and directories.

    A ``shared`` directory is part of a lower layer, and so is everything under it: a tree
    that writes below it first copies it up (:meth:`copy_up`), one level at a time.
    """

    __slots__ = ("entries", "mode", "mtime", "shared")

    def __init__(self, mode: int = 0o755, mtime: float = 0.0) -> None:
        self.entries: dict[str, File | Directory] = {}
        self.mode = mode
        self.mtime = mtime
        self.shared = False

    def copy_up(self) -> Directory:
        """This directory's own copy, whose entries still point at the shared layer."""
        clone = Directory(self.mode, self.mtime)
        clone.entries = dict(self.entries)
        return clone

    def share(self) -> None:
        """Make this tree a lower layer, without recursion (a tree may be thousands of levels
        deep). A shared directory holds only shared entries, so the walk stops at one."""
        pending = [self]
        while pending:
            directory = pending.pop()
            if directory.shared:
                continue
            directory.shared = True
            for node in directory.entries.values():
                if isinstance(node, Directory):
                    pending.append(node)
                else:
                    node.shared = True


@dataclass(frozen=True)
class FileInfo:
    """What ``stat`` tells: kind ("file" or "dir"), size in bytes, permission bits, mtime."""

    kind: str
    size: int
    mode: int
    mtime: float

    @property
    def executable(self) -> bool:
        return bool(self.mode & 0o111)


@functools.lru_cache(maxsize=8192)
def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalised path: ``normalize("../x", "/tmp/a") == "/tmp/x"``.

    Cached: shells look the same few paths up again and again (``$PATH`` for every command).
    """
    joined = posixpath.join(cwd or "/", path) if path else (cwd or "/")
    clean = posixpath.normpath(joined)
    # normpath keeps a leading "//" (POSIX allows it to mean something else); we do not.
    return "/" + clean.lstrip("/")


class FileSystem:
    """A tree of files in memory, e.g. a volume: ``FileSystem({"/index.html": "<h1>hi</h1>"})``.

    Paths are absolute from this tree's root (a relative path counts from the root too).
    ``read_only`` trees (configMap and secret volumes) refuse writes with EROFS.
    :meth:`write` creates missing parent directories, which suits code filling a volume;
    a shell writing with ``>`` checks the parent itself, as the kernel would.
    """

    def __init__(self, files: dict[str, str] | None = None, read_only: bool = False,
                 *, root: File | Directory | None = None) -> None:
        self.root: File | Directory = root if root is not None else Directory()
        self.read_only = False
        for path, data in (files or {}).items():
            self.write(path, data)
        self.read_only = read_only

    # -- looking things up ----------------------------------------------------------------------
    def _node(self, path: str) -> File | Directory:
        node = self.root
        for part in _parts(path):
            if not isinstance(node, Directory):
                raise fs_error(errno.ENOTDIR, path)
            child = node.entries.get(part)
            if child is None:
                raise fs_error(errno.ENOENT, path)
            node = child
        return node

    def _parent(self, path: str, create: bool) -> tuple[Directory, str]:
        """The directory to change to write at ``path`` (copied up if it was shared), and the
        name in it."""
        parts = _parts(path)
        if not parts:
            raise fs_error(errno.EISDIR, path)
        node = self._own_root()
        for part in parts[:-1]:
            if not isinstance(node, Directory):
                raise fs_error(errno.ENOTDIR, path)
            child = node.entries.get(part)
            if child is None:
                if not create:
                    raise fs_error(errno.ENOENT, path)
                child = node.entries[part] = Directory()
            elif child.shared and isinstance(child, Directory):
                child = node.entries[part] = child.copy_up()
            node = child
        if not isinstance(node, Directory):
            raise fs_error(errno.ENOTDIR, path)
        return node, parts[-1]

    def _own_root(self) -> File | Directory:
        if self.root.shared:
            self.root = self.root.copy_up()
        return self.root

    def _own_node(self, path: str) -> File | Directory:
        """The node at ``path``, copied up with its ancestors if it was shared, so that a
        tree holding it (a subPath view) and this tree change the same node."""
        if not _parts(path):
            return self._own_root()
        parent, name = self._parent(path, create=False)
        node = parent.entries.get(name)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if node.shared:
            node = parent.entries[name] = node.copy_up()
        return node

    def node(self, path: str) -> File | Directory | None:
        """The file or directory at ``path``, or None."""
        node = self.root
        for part in _parts(path):
            if not isinstance(node, Directory):
                return None
            node = node.entries.get(part)
            if node is None:
                return None
        return node

    def exists(self, path: str) -> bool:
        return self.node(path) is not None

    def is_dir(self, path: str) -> bool:
        try:
            return isinstance(self._node(path), Directory)
        except OSError:
            return False

    def stat(self, path: str) -> FileInfo:
        node = self._node(path)
        if isinstance(node, Directory):
            return FileInfo("dir", 4096, node.mode, node.mtime)
        return FileInfo("file", node.size, node.mode, node.mtime)

    def file(self, path: str) -> File:
        """The :class:`File` at ``path`` (for programs that need its ``program`` tag)."""
        node = self._node(path)
        if isinstance(node, Directory):
            raise fs_error(errno.EISDIR, path)
        return node

    def read(self, path: str) -> str:
        return self.file(path).data

    def listdir(self, path: str = "/") -> list[str]:
        node = self._node(path)
        if not isinstance(node, Directory):
            raise fs_error(errno.ENOTDIR, path)
        return sorted(node.entries)

    # -- changing things ------------------------------------------------------------------------
    def _check_writable(self, path: str) -> None:
        if self.read_only:
            raise fs_error(errno.EROFS, path)

    def write(self, path: str, data: str, append: bool = False, mode: int | None = None,
              mtime: float | None = None, parents: bool = True) -> None:
        """Write (or with ``append`` add to) the file at ``path``."""
        self._check_writable(path)
        if not _parts(path) and isinstance(self.root, File):
            target = self._own_root()
        else:
            parent, name = self._parent(path, create=parents)
            target = parent.entries.get(name)
            if isinstance(target, Directory):
                raise fs_error(errno.EISDIR, path)
            if target is None:
                target = parent.entries[name] = File()
            elif target.shared:
                target = parent.entries[name] = target.copy_up()
        target.write(data, append)
        if mode is not None:
            target.mode = mode
        if mtime is not None:
            target.mtime = mtime

    def install(self, path: str, program: str) -> None:
        """Put an executable for one of the simulator's programs at ``path`` (image building)."""
        self._check_writable(path)
        parent, name = self._parent(path, create=True)
        parent.entries[name] = File("\x7fELF", mode=0o755, program=program)

    def mkdir(self, path: str, parents: bool = True, mtime: float | None = None) -> None:
        """Create a directory (and, with ``parents``, its missing ancestors). EEXIST if a
        file is in the way, or (without ``parents``) if the directory already exists."""
        self._check_writable(path)
        if not _parts(path):
            if parents:
                return
            raise fs_error(errno.EEXIST, path)
        parent, name = self._parent(path, create=parents)
        existing = parent.entries.get(name)
        if existing is not None:
            if isinstance(existing, Directory) and parents:
                return
            raise fs_error(errno.EEXIST, path)
        parent.entries[name] = Directory(mtime=mtime or 0.0)

    def remove(self, path: str, recursive: bool = False) -> None:
        """Remove a file, an empty directory, or with ``recursive`` a whole tree."""
        self._check_writable(path)
        parent, name = self._parent(path, create=False)
        node = parent.entries.get(name)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if isinstance(node, Directory) and node.entries and not recursive:
            raise fs_error(errno.ENOTEMPTY, path)
        del parent.entries[name]

    def rename(self, source: str, destination: str) -> None:
        self._check_writable(destination)
        src_parent, src_name = self._parent(source, create=False)
        node = src_parent.entries.get(src_name)
        if node is None:
            raise fs_error(errno.ENOENT, source)
        dst_parent, dst_name = self._parent(destination, create=False)
        del src_parent.entries[src_name]
        dst_parent.entries[dst_name] = node

    # -- whole trees ----------------------------------------------------------------------------
    def copy(self, read_only: bool | None = None) -> FileSystem:
        """An independent copy (a container's writable root made from an image's files).

        Both trees then share their files as a lower layer; each copies up what it changes.
        """
        self.root.share()
        clone = FileSystem(root=self.root)
        clone.read_only = self.read_only if read_only is None else read_only
        return clone

    def subtree(self, path: str) -> FileSystem:
        """The part of this tree under ``path`` as a tree of its own, sharing the same files.

        This is a volume mount's ``subPath``: writes through either tree are seen in both.
        A missing directory is created, as the kubelet does for a subPath.
        """
        if not self.exists(path):
            was_read_only, self.read_only = self.read_only, False
            self.mkdir(path)
            self.read_only = was_read_only
        view = FileSystem(root=self._own_node(path))
        view.read_only = self.read_only
        return view

    def walk(self, path: str = "/"):
        """Every path under ``path`` (itself first), depth first in name order."""
        pending = [(path, self._node(path))]
        while pending:
            current, node = pending.pop()
            yield current
            if isinstance(node, Directory):
                pending.extend((posixpath.join(current, name), node.entries[name])
                               for name in sorted(node.entries, reverse=True))

    def __repr__(self) -> str:
        kind = "read-only " if self.read_only else ""
        return f"<{kind}FileSystem {sum(1 for _ in self.walk()) - 1} entries>"


@functools.lru_cache(maxsize=8192)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in normalize(path).split("/") if p)


class ContainerFS:
    """A container's view: its own root plus the volumes mounted into it.

    ``fs = ContainerFS(root, {"/usr/share/nginx/html": html_volume})``. Each path goes to the
    mount with the longest matching mount point, with the rest of the path inside it. The mount
    points are created in the root, as runc does, so ``ls /`` shows them.
    """

    def __init__(self, root: FileSystem, mounts: dict[str, FileSystem] | None = None) -> None:
        self.root = root
        self.mounts: dict[str, FileSystem] = {}
        for point, volume in (mounts or {}).items():
            point = normalize(point)
            self.mounts[point] = volume
            self._make_mount_point(point, volume)
        self._order = sorted(self.mounts, key=len, reverse=True)

    def _make_mount_point(self, point: str, volume: FileSystem) -> None:
        if self.root.exists(point):
            return
        if isinstance(volume.root, File):
            self.root.write(point, "")
        else:
            self.root.mkdir(point)

    def locate(self, path: str) -> tuple[FileSystem, str]:
        """The file system that owns ``path`` and the path inside it."""
        path = normalize(path)
        for point in self._order:
            if path == point or path.startswith(point.rstrip("/") + "/"):
                return self.mounts[point], "/" + path[len(point):].lstrip("/")
        return self.root, path

    # The same calls as FileSystem, routed to the owning tree.
    def node(self, path: str) -> File | Directory | None:
        fs, inner = self.locate(path)
        return fs.node(inner)

    def exists(self, path: str) -> bool:
        fs, inner = self.locate(path)
        return fs.exists(inner)

    def is_dir(self, path: str) -> bool:
        fs, inner = self.locate(path)
        return fs.is_dir(inner)

    def stat(self, path: str) -> FileInfo:
        fs, inner = self.locate(path)
        return fs.stat(inner)

    def file(self, path: str) -> File:
        fs, inner = self.locate(path)
        return fs.file(inner)

    def read(self, path: str) -> str:
        fs, inner = self.locate(path)
        return fs.read(inner)

    def listdir(self, path: str = "/") -> list[str]:
        fs, inner = self.locate(path)
        return fs.listdir(inner)

    def write(self, path: str, data: str, append: bool = False, mode: int | None = None,
              mtime: float | None = None, parents: bool = True) -> None:
        fs, inner = self.locate(path)
        fs.write(inner, data, append=append, mode=mode, mtime=mtime, parents=parents)

    def mkdir(self, path: str, parents: bool = True, mtime: float | None = None) -> None:
        fs, inner = self.locate(path)
        fs.mkdir(inner, parents=parents, mtime=mtime)

    def remove(self, path: str, recursive: bool = False) -> None:
        path = normalize(path)
        if path in self.mounts:
            raise fs_error(errno.EBUSY, path)
        fs, inner = self.locate(path)
        fs.remove(inner, recursive=recursive)

    def rename(self, source: str, destination: str) -> None:
        src_fs, src = self.locate(source)
        dst_fs, dst = self.locate(destination)
        if src_fs is not dst_fs:
            # Across mounts rename(2) fails with EXDEV; mv then copies and deletes.
            data = src_fs.read(src)
            dst_fs.write(dst, data, parents=False)
            src_fs.remove(src)
            return
        src_fs.rename(src, dst)

    def read_only_at(self, path: str) -> bool:
        fs, _ = self.locate(path)
        return fs.read_only
