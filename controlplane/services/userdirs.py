"""Creating and removing DATA_DIR/users/<username> without ever following a symlink.

The user controls everything inside their directory (it is bind-mounted into their sandbox), so the
control plane works relative to directory file descriptors opened with O_NOFOLLOW.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
USER_SUBDIRS = ("projects", "research", "learning", "config")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class UserHomeExists(Exception):
    """A directory of that name is already there (left from an earlier account?)."""


def _checked_name(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValueError(f"not a valid username for a directory: {username!r}")
    return username


def create_user_home(users_dir: Path, username: str) -> Path:
    """Make users_dir/<username>/ with its standard subdirectories."""
    name = _checked_name(username)
    users_dir.mkdir(parents=True, exist_ok=True)
    parent_fd = os.open(users_dir, _DIR_FLAGS)
    try:
        try:
            os.mkdir(name, 0o750, dir_fd=parent_fd)
        except FileExistsError as exc:
            raise UserHomeExists(str(users_dir / name)) from exc
        home_fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        try:
            for subdir in USER_SUBDIRS:
                os.mkdir(subdir, 0o750, dir_fd=home_fd)
        finally:
            os.close(home_fd)
    finally:
        os.close(parent_fd)
    return users_dir / name


def remove_user_home(users_dir: Path, username: str, empty: Callable[[Path], None] | None = None) -> bool:
    """Remove users_dir/<username> and everything in it; a symlink there is unlinked, never followed.

    A control plane that is not root cannot delete what the user's uid made in there: `empty` (the engine's
    home helper, sandbox/homes.py) deletes the contents as that helper, and the empty directory goes here.
    Returns False when there was nothing to remove.
    """
    path = users_dir / _checked_name(username)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        path.unlink()
        return True
    # On Linux rmtree works on directory fds and never descends through symlinks (avoids_symlink_attacks).
    if not shutil.rmtree.avoids_symlink_attacks:  # pragma: no cover - only on exotic platforms
        raise RuntimeError("this platform's rmtree may follow symlinks; refusing to delete")
    try:
        shutil.rmtree(path)
    except PermissionError:
        if empty is None:
            raise
        empty(path)
        os.rmdir(path)
    return True


def prepare_user_home(
    users_dir: Path, username: str, uid: int, give_away: Callable[[Path, int], None] | None = None
) -> Path:
    """Make sure the home exists with its subdirectories and belongs to the sandbox uid (mode 0700).

    Only the top directory and the standard subdirectories are touched, through directory fds and without
    following symlinks; everything deeper was made by the sandbox itself and already belongs to the uid.
    A control plane that is not root cannot give files away: `give_away` (the engine's home helper,
    sandbox/homes.py) does it instead.
    """
    name = _checked_name(username)
    home = users_dir / name
    if not os.path.lexists(home):
        create_user_home(users_dir, name)
    if os.geteuid() != 0 and give_away is not None:
        if not stat.S_ISDIR(os.lstat(home).st_mode):
            raise NotADirectoryError(f"{home} is not a plain directory (a symlink?); refusing to use it")
        give_away(home, uid)
        return home
    parent_fd = os.open(users_dir, _DIR_FLAGS)
    try:
        try:
            home_fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except OSError as exc:
            raise NotADirectoryError(f"{home} is not a plain directory (a symlink?); refusing to use it") from exc
        try:
            for subdir in USER_SUBDIRS:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(subdir, 0o750, dir_fd=home_fd)
                _own(subdir, uid, home_fd)
            os.fchmod(home_fd, 0o700)
            if os.geteuid() == 0:
                os.fchown(home_fd, uid, uid)
        finally:
            os.close(home_fd)
    finally:
        os.close(parent_fd)
    return home


def _own(name: str, uid: int, dir_fd: int) -> None:
    """chown without following a symlink (only root may give files away)."""
    if os.geteuid() == 0:
        os.chown(name, uid, uid, dir_fd=dir_fd, follow_symlinks=False)
