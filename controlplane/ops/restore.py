"""`autocode restore SRC`: an archive made by `autocode backup` back into a data directory (ops/archive.py).

In order: the manifest is read and checked first (the format, a schema this release knows); the target must be
empty, or `force` given; every member is checked before it is written (names relative and normalised, under the
parts of a backup, only files, directories and, under `users/`, symbolic links) and written into a staging folder
inside the data directory through directory descriptors opened with O_NOFOLLOW, so nothing is ever written
through a link, whatever the archive holds; owners (numeric), modes (without set-id bits) and times are applied,
directories' last. The database copy must match the manifest's digest and pass `PRAGMA integrity_check`. Only
then do the parts move into place, and the migrations bring an older schema up to this release's. An archive
that breaks a rule is refused as a whole, and nothing of it stays.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import os
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from alembic.script import ScriptDirectory

from controlplane import migrate
from controlplane.config import SECRET_KEY_FILE, Settings
from controlplane.one_process import LOCK_FILE, is_held
from controlplane.ops.archive import (
    DATABASE,
    KEY_FROM_ENVIRONMENT,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    SECRET_KEY,
    SOCIAL_MEDIA,
    TREES,
    USERS,
    ArchiveRefused,
    Manifest,
    key_check,
    name_problem,
)
from controlplane.ops.backup import database_path
from controlplane.ops.progress import Progress, Say, human_bytes

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
SET_ID_BITS = stat.S_ISUID | stat.S_ISGID
CHUNK = 1024 * 1024
# Left in a data directory by a control plane that never stored anything: still "empty".
EMPTY_DIRECTORIES = ("users", "social-media", "sandbox-etc")


class RestoreError(Exception):
    """The restore could not be done; the message says what to do. Nothing of the archive was left behind."""


@dataclass
class RestoreResult:
    manifest: Manifest
    upgraded_from: str | None  # the backup's schema revision when the migrations moved it on
    key_opens_secrets: bool | None  # None: the backup had no secrets' key to check against


def schema_known(settings: Settings, revision: str | None) -> tuple[bool, str | None]:
    """(whether this release knows the revision, this release's head)."""
    script = ScriptDirectory.from_config(migrate.alembic_config(settings))
    head = script.get_current_head()
    if revision is None:
        return True, head
    try:
        return script.get_revision(revision) is not None, head
    except Exception:  # alembic's ResolutionError, CommandError: an id it has never seen
        return False, head


def occupied(data_dir: Path, database: Path) -> list[str]:
    """What in the data directory a restore would replace or sit beside (hidden staging folders aside)."""
    found: list[str] = []
    if database.exists():
        found.append(database.name)
    if not data_dir.is_dir():
        return found
    for entry in sorted(data_dir.iterdir()):
        if entry.name.startswith(".restore-") or entry.name in (database.name, LOCK_FILE):
            continue
        if entry.name in EMPTY_DIRECTORIES and entry.is_dir() and not entry.is_symlink() and not any(entry.iterdir()):
            continue
        found.append(entry.name + ("/" if entry.is_dir() else ""))
    return found


class _Tree:
    """Writes members under one directory descriptor, never following a link on the way.

    Owners: a person's files (under users/<name>) keep the numeric owner they had, their sandbox uid, which is the
    same on any server since it comes from the user id. The control plane's own files (the database, the key, the
    uploads, the users/ folder itself) go to `control_owner`, the data directory's owner: the account the control
    plane runs as here, whatever its uid was on the old server."""

    def __init__(self, root: Path, control_owner: tuple[int, int]) -> None:
        self.root_fd = os.open(root, DIR_FLAGS)
        self._parent: tuple[tuple[str, ...], int] | None = None
        self.directories: list[tuple[tuple[str, ...], tarfile.TarInfo]] = []
        self.as_root = os.geteuid() == 0
        self.control_owner = control_owner

    def close(self) -> None:
        self._drop_parent()
        os.close(self.root_fd)

    def _drop_parent(self) -> None:
        if self._parent is not None:
            os.close(self._parent[1])
            self._parent = None

    def _open_dir(self, parts: tuple[str, ...], *, create: bool) -> int:
        fd = os.dup(self.root_fd)
        try:
            for part in parts:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o700, dir_fd=fd)
                try:
                    child = os.open(part, DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise ArchiveRefused(f"{'/'.join(parts)} would be written through a link or a file") from exc
                    raise
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def parent_of(self, parts: tuple[str, ...]) -> int:
        folder = parts[:-1]
        if self._parent is None or self._parent[0] != folder:
            self._drop_parent()
            self._parent = (folder, self._open_dir(folder, create=True))
        return self._parent[1]

    def _own(
        self, parts: tuple[str, ...], member: tarfile.TarInfo, fd: int | None = None, dir_fd: int | None = None
    ) -> None:
        if not self.as_root:
            return
        personal = parts[0] == USERS and len(parts) > 1
        uid, gid = (member.uid, member.gid) if personal else self.control_owner
        if fd is not None:
            os.fchown(fd, uid, gid)
        else:
            os.chown(parts[-1], uid, gid, dir_fd=dir_fd, follow_symlinks=False)

    def directory(self, parts: tuple[str, ...], member: tarfile.TarInfo) -> None:
        parent = self.parent_of(parts)
        try:
            os.mkdir(parts[-1], 0o700, dir_fd=parent)
        except FileExistsError as exc:
            if not stat.S_ISDIR(os.stat(parts[-1], dir_fd=parent, follow_symlinks=False).st_mode):
                raise ArchiveRefused(f"{member.name} is in the archive twice") from exc
        self.directories.append((parts, member))

    def file(self, parts: tuple[str, ...], member: tarfile.TarInfo, data: IO[bytes], mode: int | None = None) -> None:
        parent = self.parent_of(parts)
        try:
            fd = os.open(parts[-1], NEW_FILE_FLAGS, 0o600, dir_fd=parent)
        except FileExistsError as exc:
            raise ArchiveRefused(f"{member.name} is in the archive twice") from exc
        try:
            with os.fdopen(os.dup(fd), "wb") as out:
                shutil.copyfileobj(data, out, CHUNK)
            self._own(parts, member, fd=fd)
            os.fchmod(fd, (stat.S_IMODE(member.mode) & ~SET_ID_BITS) if mode is None else mode)
            os.utime(fd, (member.mtime, member.mtime))
        finally:
            os.close(fd)

    def link(self, parts: tuple[str, ...], member: tarfile.TarInfo) -> None:
        parent = self.parent_of(parts)
        try:
            os.symlink(member.linkname, parts[-1], dir_fd=parent)  # made, never followed
        except FileExistsError as exc:
            raise ArchiveRefused(f"{member.name} is in the archive twice") from exc
        self._own(parts, member, dir_fd=parent)
        os.utime(parts[-1], (member.mtime, member.mtime), dir_fd=parent, follow_symlinks=False)

    def finish_directories(self) -> None:
        """Owners, modes and times of directories, deepest first (a read-only directory is filled before)."""
        self._drop_parent()
        for parts, member in sorted(self.directories, key=lambda item: -len(item[0])):
            fd = self._open_dir(parts, create=False)
            try:
                self._own(parts, member, fd=fd)
                os.fchmod(fd, stat.S_IMODE(member.mode) & ~SET_ID_BITS)
                os.utime(fd, (member.mtime, member.mtime))
            finally:
                os.close(fd)


def _kind_problem(member: tarfile.TarInfo, top: str, depth: int) -> str | None:
    if member.issparse():
        return "a sparse file"
    if top in (DATABASE, SECRET_KEY):
        return None if member.isreg() else "not a regular file"
    if depth == 1:
        return None if member.isdir() else "not a directory"
    if member.isreg() or member.isdir():
        return None
    if member.issym():
        return None if top == USERS else "a link outside users/"
    return "a hard link" if member.islnk() else "a device, pipe or other special file"


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)  # on Linux it works on descriptors and never descends through links


class Restore:
    def __init__(self, settings: Settings, say: Say, line: Say | None = None, progress_seconds: float = 5.0) -> None:
        self.settings = settings
        self.say = say
        self.line = line or say
        self.progress_seconds = progress_seconds

    def run(self, source: Path, *, force: bool = False, secret_key_file: Path | None = None) -> RestoreResult:
        settings = self.settings
        if not source.is_file():
            raise RestoreError(f"{source} is not a file; give the path of a backup made by `autocode backup`")
        database = database_path(settings)
        try:
            with tarfile.open(source, mode="r|gz") as tar:
                manifest = self._manifest(tar, source)
                given_key = self._given_key(manifest, secret_key_file)
                self._check_target(database, force)
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))
                try:
                    self._extract(tar, manifest, staging)
                    self._check_database(staging / DATABASE, manifest)
                    self._remove_sandboxes()
                    if force:
                        self._clear(database, replace_key=manifest.secret_key_included or given_key is not None)
                    self._move_into_place(staging, database, given_key)
                finally:
                    self._remove_staging(staging)
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise RestoreError(f"{source} is not a complete backup archive ({exc}); nothing was restored") from exc
        except ArchiveRefused as exc:
            raise RestoreError(f"{source} was refused: {exc}; nothing was restored") from exc
        upgraded_from = self._migrate(manifest)
        opens = self._report_key(manifest)
        self.say(f"restored {settings.data_dir} from {source}; start the control plane (`autocode serve`) on it")
        return RestoreResult(manifest, upgraded_from, opens)

    # -- checks before anything is written ------------------------------------------------------------------
    def _manifest(self, tar: tarfile.TarFile, source: Path) -> Manifest:
        first = tar.next()
        if first is None or first.name != MANIFEST or not first.isreg() or first.size > MAX_MANIFEST_BYTES:
            raise ArchiveRefused(f"it does not begin with a {MANIFEST}; is it a backup made by `autocode backup`?")
        handle = tar.extractfile(first)
        if handle is None:  # pragma: no cover - a regular member always has a body
            raise ArchiveRefused(f"its {MANIFEST} cannot be read")
        manifest = Manifest.from_bytes(handle.read())
        known, head = schema_known(self.settings, manifest.schema_revision)
        if not known:
            raise ArchiveRefused(
                f"its database schema ({manifest.schema_revision}) is newer than this release knows (head {head}); "
                f"it was made by AutoCode {manifest.autocode_version}: restore it with that release or a newer one"
            )
        self.say(
            f"backup of {manifest.created_at} by AutoCode {manifest.autocode_version}: "
            f"schema {manifest.schema_revision}, {manifest.files} files ({human_bytes(manifest.file_bytes)}), "
            f"secret key {'included' if manifest.secret_key_included else 'not included'}"
        )
        return manifest

    def _given_key(self, manifest: Manifest, secret_key_file: Path | None) -> str | None:
        if secret_key_file is None:
            return None
        if manifest.secret_key_included:
            raise RestoreError("this backup includes its secret key; restore it without --secret-key-file")
        try:
            key = secret_key_file.read_text().strip()
        except OSError as exc:
            raise RestoreError(f"cannot read {secret_key_file}: {exc.strerror}") from exc
        if manifest.secret_key_check and key_check(key) != manifest.secret_key_check:
            raise RestoreError(
                f"{secret_key_file} is not the key this backup's secrets were sealed with; find the right one "
                "(the old server's secret.key or AUTOCODE_SECRET_KEY), or restore without it and enter the keys again"
            )
        return key

    def _check_target(self, database: Path, force: bool) -> None:
        if is_held(self.settings.data_dir):
            raise RestoreError(
                f"a control plane is running on {self.settings.data_dir}: stop it first (systemctl stop autocode, "
                "or docker compose stop controlplane), then restore"
            )
        found = occupied(self.settings.data_dir, database)
        if not found:
            return
        if not force:
            raise RestoreError(
                f"{self.settings.data_dir} is not empty (it holds {', '.join(found[:6])}); restore into an empty data "
                "directory, or stop the control plane and add --force to replace its database, users' directories, "
                "uploads (and secret key, when the backup has one)"
            )
        self.say(f"--force: {self.settings.data_dir} holds {', '.join(found[:6])}; these are replaced")

    # -- writing ------------------------------------------------------------------------------------------------
    def _extract(self, tar: tarfile.TarFile, manifest: Manifest, staging: Path) -> None:
        progress = Progress(self.line, manifest.files, manifest.file_bytes, every_seconds=self.progress_seconds)
        home = os.stat(self.settings.data_dir)
        tree = _Tree(staging, (home.st_uid, home.st_gid))
        try:
            while (member := tar.next()) is not None:  # after the manifest (iterating would start over)
                problem = name_problem(member.name)
                parts = tuple(member.name.rstrip("/").split("/"))
                if problem is None and parts[0] == MANIFEST:
                    problem = "a second manifest"
                if problem is None:
                    problem = _kind_problem(member, parts[0], len(parts))
                if problem is not None:
                    raise ArchiveRefused(f"its member {member.name!r} is {problem}, which no AutoCode backup holds")
                if member.isdir():
                    tree.directory(parts, member)
                elif member.issym():
                    tree.link(parts, member)
                else:
                    data = tar.extractfile(member)
                    if data is None:  # pragma: no cover - a regular member always has a body
                        raise ArchiveRefused(f"{member.name} cannot be read")
                    tree.file(parts, member, data, mode=0o600 if parts[0] == SECRET_KEY else None)
                    if parts[0] in TREES:
                        progress.advance(member.size)
            tree.finish_directories()
        finally:
            tree.close()
        progress.finish()
        if tree.as_root:
            self.say(
                f"owners: people's files keep their sandbox uids; the database, key and uploads go to uid "
                f"{home.st_uid} (the data directory's owner)"
            )
        else:
            self.say("not running as root: the restored files belong to you, not to the owners in the backup")

    def _check_database(self, copy: Path, manifest: Manifest) -> None:
        if not copy.is_file():
            raise ArchiveRefused(f"it holds no {DATABASE}")
        digest = hashlib.sha256()
        with copy.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        if digest.hexdigest() != manifest.database_sha256:
            raise ArchiveRefused(f"its {DATABASE} does not match the manifest's digest (damaged or altered)")
        connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
        finally:
            connection.close()
        if result != ["ok"]:
            raise ArchiveRefused(f"its database fails the integrity check: {'; '.join(result[:5])}")
        self.say(f"database: {human_bytes(copy.stat().st_size)}, digest and integrity check ok")

    def _remove_sandboxes(self) -> None:
        """Containers left from before would keep the replaced directories mounted: the restored files must win.

        Only the sandboxes whose home is in this data directory go; a restore elsewhere (a backup checked on the
        live server) leaves the running ones alone."""
        if not self.settings.sandboxes_enabled:
            return
        from controlplane.sandbox.accounts import HOME_IN_SANDBOX
        from controlplane.sandbox.backend import EngineUnavailable
        from controlplane.sandbox.docker_engine import DockerSandboxBackend

        backend = DockerSandboxBackend(self.settings)
        try:
            statuses = backend.list_sandboxes()
        except EngineUnavailable as exc:
            self.say(
                f"could not reach the container engine ({exc}); if this server had sandboxes of instance "
                f"'{self.settings.sandbox_instance}', remove them before starting (docker rm -f)"
            )
            return
        users = str(self.settings.users_dir.resolve())
        for status in statuses:
            mounts = backend.client.containers.get(status.container_id or "").attrs.get("Mounts") or []
            homes = [m.get("Source", "") for m in mounts if m.get("Destination") == HOME_IN_SANDBOX]
            if any(home == users or home.startswith(users + "/") for home in homes):
                backend.remove(status.username)
                self.say(f"removed the old sandbox container of {status.username} (made again when next needed)")

    def _remove_staging(self, staging: Path) -> None:
        try:
            _remove(staging)
        except OSError as exc:
            self.say(f"could not remove the staging folder {staging} ({exc.strerror}); remove it by hand")

    def _clear(self, database: Path, *, replace_key: bool) -> None:
        settings = self.settings
        doomed = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
        doomed += [settings.users_dir, settings.social_media_dir, settings.sandbox_etc_dir]
        if replace_key:
            doomed.append(settings.data_dir / SECRET_KEY_FILE)
        for path in doomed:
            if path.exists() or path.is_symlink():
                _remove(path)
                self.say(f"removed {path}")

    def _move_into_place(self, staging: Path, database: Path, given_key: str | None) -> None:
        settings = self.settings
        database.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):  # never pair the restored file with another database's journal
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.move(staging / DATABASE, database)
        for name, target in ((USERS, settings.users_dir), (SOCIAL_MEDIA, settings.social_media_dir)):
            if not (staging / name).is_dir():
                continue
            with contextlib.suppress(FileNotFoundError):
                target.rmdir()  # the empty folder a fresh data directory may have
            os.rename(staging / name, target)
            self.say(f"restored {target}")
        key = settings.data_dir / SECRET_KEY_FILE
        if (staging / SECRET_KEY).is_file():
            os.replace(staging / SECRET_KEY, key)
            self.say(f"restored the secret key into {key} (mode 0600)")
        elif given_key is not None:
            descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(given_key + "\n")
                if os.geteuid() == 0:
                    home = os.stat(settings.data_dir)
                    os.fchown(handle.fileno(), home.st_uid, home.st_gid)
            self.say(f"wrote the given secret key into {key} (mode 0600)")

    # -- after ------------------------------------------------------------------------------------------------
    def _migrate(self, manifest: Manifest) -> str | None:
        _, head = schema_known(self.settings, manifest.schema_revision)
        if manifest.schema_revision == head:
            self.say(f"database schema {head}: current, no migration needed")
            return None
        self.say(f"database schema {manifest.schema_revision} is older than this release's {head}: migrating")
        migrate.upgrade(self.settings)
        self.say(f"database schema is now {head}")
        return manifest.schema_revision

    def _report_key(self, manifest: Manifest) -> bool | None:
        if not manifest.secret_key_check:
            return None
        settings = self.settings
        path = settings.data_dir / SECRET_KEY_FILE
        if settings.secret_key:
            key, where = settings.secret_key, "AUTOCODE_SECRET_KEY"
        elif path.is_file():
            key, where = path.read_text().strip(), str(path)
        else:
            from_environment = manifest.secret_key_source == KEY_FROM_ENVIRONMENT
            self.say(
                "WARNING: no secret key here. The first start makes a new one, and the stored API keys, MCP secrets "
                "and social media tokens will not decrypt (they show as ????). Before starting, put the old key in "
                f"{path} (`autocode restore --secret-key-file`) or AUTOCODE_SECRET_KEY"
                + (" (the backup was made with AUTOCODE_SECRET_KEY set)" if from_environment else "")
            )
            return False
        if key_check(key) == manifest.secret_key_check:
            self.say(f"secret key: {where} is the key the backup's secrets were sealed with; they decrypt")
            return True
        self.say(
            f"WARNING: {where} is not the key the backup's secrets were sealed with: the stored API keys, MCP secrets "
            "and social media tokens will not decrypt. Set AUTOCODE_SECRET_KEY to the old key"
            + (" (or unset it, to use the restored secret.key)" if settings.secret_key and path.is_file() else "")
        )
        return False


def restore_backup(
    settings: Settings,
    source: Path,
    *,
    force: bool = False,
    secret_key_file: Path | None = None,
    say: Say,
    line: Say | None = None,
) -> RestoreResult:
    return Restore(settings, say, line).run(source, force=force, secret_key_file=secret_key_file)
