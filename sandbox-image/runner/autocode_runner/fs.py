"""File operations confined to the home directory.

The control plane never opens a path inside a user's directory itself (the user could have planted a
symlink there); it asks the runner, which resolves paths inside the container. Confinement here means:
no `..` component, no absolute path outside the home, and no real path (after symlinks) outside the home.

Reading, writing and listing never follow a symlink, wherever it is on the path: they walk down from the home
one component at a time, each opened relative to its parent's descriptor with O_NOFOLLOW, so a link swapped in
between a check and the operation is refused too (FORBIDDEN_PATH), never followed. Nothing needs to follow
one: the control plane reads and writes what an agent works on, and a planted link is what it must not follow.
Making a folder follows links inside the home (confined by the real path); removal never follows a symlink.
"""

from __future__ import annotations

import base64
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypedDict

from autocode_runner.contract.wire import ErrorCode
from autocode_runner.protocol import RunnerError

NEW_FILE_MODE = 0o644
NEW_DIR_MODE = 0o777  # before the umask, as os.makedirs makes them
LINK_REFUSED = "a symbolic link is on the path, and links are never followed"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

_ERRNO_CODES = {
    errno.ENOENT: ErrorCode.NOT_FOUND,
    errno.EEXIST: ErrorCode.EXISTS,
    errno.ENOTDIR: ErrorCode.NOT_A_DIRECTORY,
    errno.EISDIR: ErrorCode.IS_A_DIRECTORY,
    errno.ENOTEMPTY: ErrorCode.NOT_EMPTY,
    errno.ELOOP: ErrorCode.FORBIDDEN_PATH,  # O_NOFOLLOW met a symlink swapped in after resolution
    errno.ENAMETOOLONG: ErrorCode.INVALID_PARAMS,
}


@contextmanager
def os_errors(path: str) -> Iterator[None]:
    """Report an OSError as the protocol's code for it, naming the path the client gave."""
    try:
        yield
    except OSError as error:
        code = _ERRNO_CODES.get(error.errno or 0, ErrorCode.INTERNAL)
        reason = LINK_REFUSED if error.errno == errno.ELOOP else (error.strerror or type(error).__name__).lower()
        raise RunnerError(code, f"{path}: {reason}") from None


def _error(code: ErrorCode, path: str, reason: str) -> RunnerError:
    return RunnerError(code, f"{path}: {reason}")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _entry_type(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


class ListEntry(TypedDict):
    """One entry of fs.list's reply."""

    name: str
    type: str
    size: int
    mtime: float


def _display_name(name: str) -> str:
    """A file name as valid UTF-8 text, even when its bytes are not."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


class HomeFS:
    """Synchronous file operations under one home; the server runs them in a worker thread."""

    def __init__(self, home: str) -> None:
        self.home = os.path.abspath(home)
        self.real_home = os.path.realpath(home)

    # -- resolving -----------------------------------------------------------------------------------

    def lexical(self, path: str) -> str:
        """The absolute path under the real home, before any symlink is looked at."""
        if "\x00" in path:
            raise _error(ErrorCode.INVALID_PARAMS, path, "a path cannot hold a NUL character")
        try:
            os.fsencode(path)
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" is valid JSON) names no file
            raise _error(ErrorCode.INVALID_PARAMS, path, "not a valid file name") from None
        if ".." in path.split("/"):
            raise _error(ErrorCode.FORBIDDEN_PATH, path, "'..' components are not allowed")
        if path.startswith("/"):
            normal = os.path.normpath(path)
            for root in (self.home, self.real_home):
                if _within(normal, root):
                    relative = normal[len(root) :].lstrip("/")
                    break
            else:
                raise _error(ErrorCode.FORBIDDEN_PATH, path, "absolute paths must lie inside the home")
        else:
            relative = path
        return os.path.normpath(os.path.join(self.real_home, relative))

    def resolve(self, path: str) -> str:
        """The real path (symlinks followed) of `path`, refused when it leaves the home."""
        real = os.path.realpath(self.lexical(path))
        if not _within(real, self.real_home):
            raise _error(ErrorCode.FORBIDDEN_PATH, path, "resolves outside the home")
        return real

    def components(self, path: str) -> list[str]:
        """The path's names under the home, in order (none for the home itself)."""
        relative = os.path.relpath(self.lexical(path), self.real_home)
        return [] if relative == "." else relative.split("/")

    @contextmanager
    def folder(self, path: str, names: list[str], *, create: bool = False) -> Iterator[int]:
        """A descriptor of the folder `names` leads to from the home, each component opened relative to its
        parent and never through a symlink (FORBIDDEN_PATH). `create` makes the missing ones on the way."""
        fd = os.open(self.real_home, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for name in names:
                if create:
                    with suppress(FileExistsError):
                        os.mkdir(name, NEW_DIR_MODE, dir_fd=fd)
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except NotADirectoryError:  # O_DIRECTORY | O_NOFOLLOW on a link says ENOTDIR: tell them apart
                    if stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                        raise _error(ErrorCode.FORBIDDEN_PATH, path, LINK_REFUSED) from None
                    raise _error(ErrorCode.NOT_A_DIRECTORY, path, "a parent is not a directory") from None
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    # -- operations ----------------------------------------------------------------------------------

    def read(self, path: str, max_bytes: int) -> dict[str, Any]:
        data = self.read_bytes(path, max_bytes)
        try:
            return {"content": data.decode("utf-8"), "encoding": "utf-8", "size": len(data)}
        except UnicodeDecodeError:
            return {"content": base64.b64encode(data).decode("ascii"), "encoding": "base64", "size": len(data)}

    def read_bytes(self, path: str, max_bytes: int) -> bytes:
        """The regular file's bytes, never read through a link (RunnerError otherwise)."""
        names = self.components(path)
        if not names:
            raise _error(ErrorCode.IS_A_DIRECTORY, path, "is a directory")
        with os_errors(path), self.folder(path, names[:-1]) as parent:
            fd = os.open(names[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=parent)
            try:
                info = os.fstat(fd)
                if stat.S_ISDIR(info.st_mode):
                    raise _error(ErrorCode.IS_A_DIRECTORY, path, "is a directory")
                if not stat.S_ISREG(info.st_mode):
                    raise _error(ErrorCode.INVALID_PARAMS, path, "is not a regular file")
                if info.st_size > max_bytes:
                    raise _error(ErrorCode.TOO_LARGE, path, f"{info.st_size} bytes is more than {max_bytes}")
                data = _read_at_most(fd, max_bytes + 1)
            finally:
                os.close(fd)
        if len(data) > max_bytes:
            raise _error(ErrorCode.TOO_LARGE, path, f"grew past {max_bytes} bytes while being read")
        return data

    def write(self, path: str, data: bytes, *, append: bool, parents: bool) -> dict[str, Any]:
        names = self.components(path)
        if not names:
            raise _error(ErrorCode.IS_A_DIRECTORY, path, "is a directory")
        name = names[-1]
        with os_errors(path), self._parent_for_writing(path, names[:-1], parents) as parent:
            try:
                mode: int | None = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
            except FileNotFoundError:
                mode = None
            if mode is not None and stat.S_ISLNK(mode):
                raise _error(ErrorCode.FORBIDDEN_PATH, path, LINK_REFUSED)
            if mode is not None and stat.S_ISDIR(mode):
                raise _error(ErrorCode.IS_A_DIRECTORY, path, "is a directory")
            if append:
                return {"size": _append(parent, name, data)}
            _replace_atomically(parent, name, data, NEW_FILE_MODE if mode is None else stat.S_IMODE(mode))
        return {"size": len(data)}

    @contextmanager
    def _parent_for_writing(self, path: str, names: list[str], parents: bool) -> Iterator[int]:
        try:
            with self.folder(path, names, create=parents) as parent:
                yield parent
        except FileNotFoundError:
            raise _error(ErrorCode.NOT_FOUND, path, "the parent directory does not exist") from None

    def list(self, path: str) -> dict[str, Any]:
        entries: list[ListEntry] = []
        with os_errors(path), self.folder(path, self.components(path)) as fd, os.scandir(fd) as scan:
            for entry in scan:
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed while we listed
                entries.append(
                    {
                        "name": _display_name(entry.name),
                        "type": _entry_type(info.st_mode),
                        "size": info.st_size,
                        "mtime": info.st_mtime,
                    }
                )
        entries.sort(key=lambda item: item["name"])
        return {"entries": entries}

    def mkdir(self, path: str, *, parents: bool, exist_ok: bool) -> dict[str, Any]:
        real = self.resolve(path)
        with os_errors(path):
            if os.path.isdir(real):
                if exist_ok:
                    return {}
                raise _error(ErrorCode.EXISTS, path, "already exists")
            if parents:
                os.makedirs(real)
            else:
                os.mkdir(real)
        return {}

    def remove(self, path: str, *, recursive: bool) -> dict[str, Any]:
        lexical = self.lexical(path)
        if lexical == self.real_home:
            raise _error(ErrorCode.FORBIDDEN_PATH, path, "the home directory itself cannot be removed")
        parent = os.path.realpath(os.path.dirname(lexical))
        if not _within(parent, self.real_home):
            raise _error(ErrorCode.FORBIDDEN_PATH, path, "resolves outside the home")
        target = os.path.join(parent, os.path.basename(lexical))  # the last component is never followed
        with os_errors(path):
            info = os.lstat(target)
            if not stat.S_ISDIR(info.st_mode):  # files, symlinks (to anything) and the rest
                os.unlink(target)
            elif recursive:
                shutil.rmtree(target)  # works on directory descriptors; never descends through symlinks
            else:
                os.rmdir(target)
        return {}


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _append(parent: int, name: str, data: bytes) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(name, flags, NEW_FILE_MODE, dir_fd=parent)
    try:
        _write_all(fd, data)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _replace_atomically(parent: int, name: str, data: bytes, mode: int) -> None:
    """Write a temporary file beside the target and rename it over: readers see old or new, never half. A
    rename replaces whatever is at `name` (a link swapped in too) and never writes through it."""
    temporary = f".{name[:200]}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temporary, flags, 0o600, dir_fd=parent)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(temporary, name, src_dir_fd=parent, dst_dir_fd=parent)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary, dir_fd=parent)
        raise
