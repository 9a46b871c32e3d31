"""File operations confined to the home directory.

The control plane never opens a path inside a user's directory itself (the user could have planted a
symlink there); it asks the runner, which resolves paths inside the container. Confinement here means:
no `..` component, no absolute path outside the home, and no real path (after symlinks) outside the home.
A symlink inside the home that points inside the home is fine. Removal never follows a symlink.
"""

from __future__ import annotations

import base64
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypedDict

from autocode_runner.contract.wire import ErrorCode
from autocode_runner.protocol import RunnerError

NEW_FILE_MODE = 0o644

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
        reason = error.strerror or type(error).__name__
        raise RunnerError(code, f"{path}: {reason.lower()}") from None


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

    # -- operations ----------------------------------------------------------------------------------

    def read(self, path: str, max_bytes: int) -> dict[str, Any]:
        real = self.resolve(path)
        with os_errors(path):
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
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
        try:
            return {"content": data.decode("utf-8"), "encoding": "utf-8", "size": len(data)}
        except UnicodeDecodeError:
            return {"content": base64.b64encode(data).decode("ascii"), "encoding": "base64", "size": len(data)}

    def write(self, path: str, data: bytes, *, append: bool, parents: bool) -> dict[str, Any]:
        real = self.resolve(path)
        parent = os.path.dirname(real)
        with os_errors(path):
            if parents:
                _make_parents(parent, path)
            if os.path.isdir(real):
                raise _error(ErrorCode.IS_A_DIRECTORY, path, "is a directory")
            if not os.path.isdir(parent):
                code = ErrorCode.NOT_A_DIRECTORY if os.path.lexists(parent) else ErrorCode.NOT_FOUND
                raise _error(code, path, "the parent directory does not exist")
            if append:
                return {"size": _append(real, data)}
            _replace_atomically(real, data)
        return {"size": len(data)}

    def list(self, path: str) -> dict[str, Any]:
        real = self.resolve(path)
        entries: list[ListEntry] = []
        with os_errors(path), os.scandir(real) as scan:
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


def _make_parents(parent: str, path: str) -> None:
    try:
        os.makedirs(parent, exist_ok=True)
    except FileExistsError:  # a component exists and is not a directory
        raise _error(ErrorCode.NOT_A_DIRECTORY, path, "a parent is not a directory") from None


def _append(real: str, data: bytes) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(real, flags, NEW_FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _replace_atomically(real: str, data: bytes) -> None:
    """Write a temporary file beside the target and rename it over: readers see old or new, never half."""
    try:
        mode = stat.S_IMODE(os.lstat(real).st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    directory, name = os.path.split(real)
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
