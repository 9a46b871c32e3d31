"""`autocode backup DEST`: a consistent snapshot of a running installation in one archive (ops/archive.py).

- The database is copied with SQLite's online backup API in one step: one read transaction over the whole copy,
  so the copy is the database as it was at one moment, while the control plane goes on writing (WAL). The copy
  must pass `PRAGMA integrity_check` before it goes into the archive.
- The users' directories and the social media uploads are copied after it, with numeric owners, modes and times.
  People control their directories (and their sandboxes keep running), so the walk never follows a path there:
  every directory is opened relative to its parent's descriptor with O_NOFOLLOW, a symbolic link is stored as a
  link, a file is opened with O_NOFOLLOW and checked to be the file that was listed; sockets, pipes and devices
  are left out. A file that changes while it is read is stored as it was read (the summary counts them).
- The secret key goes in only when asked (`include_secret_key`); without it the stored API keys, MCP secrets and
  social tokens open only with the same key at restore.
The archive is written to DEST.partial (mode 0600) and renamed when complete, so a half-made backup never looks
like a backup.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import sqlite3
import stat
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from controlplane import __version__
from controlplane.config import SECRET_KEY_FILE, Settings
from controlplane.ops.archive import (
    DATABASE,
    KEY_FROM_ENVIRONMENT,
    KEY_FROM_FILE,
    KEY_NONE,
    MANIFEST,
    SECRET_KEY,
    SOCIAL_MEDIA,
    USERS,
    Manifest,
    key_check,
    now_iso,
)
from controlplane.ops.progress import Progress, Say, human_bytes

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
MAX_DEPTH = 200  # a directory holds a descriptor per level; deeper trees are left out (and said)
CHUNK = 1024 * 1024
SHOWN_PROBLEMS = 10
Problems = list[tuple[str, str]]  # (member name, why)


class BackupError(Exception):
    """The backup could not be made; the message says what to do."""


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    left_out: Problems = field(default_factory=list)  # special files, trees too deep
    unreadable: Problems = field(default_factory=list)  # the backup lacks them
    changed: int = 0  # files that changed while they were read

    @property
    def complete(self) -> bool:
        return not self.unreadable


def database_path(settings: Settings) -> Path:
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        backend = url.get_backend_name()
        raise BackupError(f"only an SQLite database can be backed up (AUTOCODE_DATABASE_URL is {backend})")
    return Path(url.database)


def snapshot_database(source: Path, target: Path) -> str | None:
    """Copy the live database into target with SQLite's online backup; returns its Alembic revision."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}; is AUTOCODE_DATA_DIR the installation's data directory?")
    src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step (pages=-1): one read transaction, the database at one moment
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            result = [row[0] for row in dst.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                raise BackupError(f"the database copy fails its integrity check: {'; '.join(result[:5])}")
            try:
                row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:
                row = None
            return str(row[0]) if row else None
        finally:
            dst.close()
    finally:
        src.close()


# -- walking a tree that its owner controls -----------------------------------------------------------------
@dataclass
class Entry:
    name: str  # the member name
    info: os.stat_result
    parent_fd: int | None  # the open directory holding it (None for a tree's root)
    base: str  # its name in parent_fd


def walk(root: Path, prefix: str, left_out: Problems, unreadable: Problems) -> Iterator[Entry]:
    """Every entry of the tree at root (itself first), never following a link; directories before their contents."""
    try:
        fd = os.open(root, DIR_FLAGS)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise BackupError(f"{root} is not a plain directory (a link?); fix the data directory first") from exc
        raise
    try:
        yield Entry(prefix, os.fstat(fd), None, "")
        yield from _walk_dir(fd, prefix, 1, left_out, unreadable)
    finally:
        os.close(fd)


def _walk_dir(fd: int, prefix: str, depth: int, left_out: Problems, unreadable: Problems) -> Iterator[Entry]:
    try:
        names = sorted(os.listdir(fd))
    except OSError as exc:
        unreadable.append((prefix, exc.strerror or str(exc)))
        return
    for base in names:
        name = f"{prefix}/{base}"
        try:
            info = os.stat(base, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue  # deleted since the listing: it is simply not in the backup
        except OSError as exc:
            unreadable.append((name, exc.strerror or str(exc)))
            continue
        if not stat.S_ISDIR(info.st_mode):
            yield Entry(name, info, fd, base)
            continue
        if depth >= MAX_DEPTH:
            left_out.append((name, f"deeper than {MAX_DEPTH} directories"))
            continue
        try:
            child = os.open(base, DIR_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            continue
        except OSError as exc:  # swapped for a link or a file since it was listed, or unreadable
            unreadable.append((name, exc.strerror or str(exc)))
            continue
        try:
            opened = os.fstat(child)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                continue  # replaced since it was listed: what was listed is gone
            yield Entry(name, opened, fd, base)
            yield from _walk_dir(child, name, depth + 1, left_out, unreadable)
        finally:
            os.close(child)


class _Exactly:
    """A file's first `size` bytes, padded with NULs if it shrank meanwhile: tar needs the size it was told."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.left = size
        self.short = False

    def read(self, wanted: int = -1) -> bytes:
        wanted = self.left if wanted < 0 else min(wanted, self.left)
        data = b""
        while len(data) < wanted:
            more = os.read(self.fd, wanted - len(data))
            if not more:
                self.short = True
                data += b"\0" * (wanted - len(data))
                break
            data += more
        self.left -= len(data)
        return data


def _tar_info(name: str, info: os.stat_result) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.mode = stat.S_IMODE(info.st_mode)
    member.uid, member.gid = info.st_uid, info.st_gid
    member.uname = member.gname = ""
    member.mtime = int(info.st_mtime)
    return member


# -- the backup ---------------------------------------------------------------------------------------------
class Backup:
    def __init__(self, settings: Settings, say: Say, line: Say | None = None, progress_seconds: float = 5.0) -> None:
        self.settings = settings
        self.say = say
        self.line = line or say
        self.progress_seconds = progress_seconds

    def target(self, dest: Path) -> Path:
        dest = dest.expanduser()
        if dest.is_dir():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            dest = dest / f"autocode-backup-{stamp}.tar.gz"
        if dest.exists() or dest.is_symlink():
            raise BackupError(f"{dest} already exists; give a new file name or a directory")
        if not dest.parent.is_dir():
            raise BackupError(f"the directory {dest.parent} does not exist; create it first")
        data_dir = self.settings.data_dir.resolve()
        if dest.parent.resolve().is_relative_to(data_dir):
            raise BackupError(f"{dest} is inside the data directory {data_dir}; put backups outside it")
        return dest

    def _secret(self) -> tuple[str | None, str]:
        if self.settings.secret_key:
            return self.settings.secret_key, KEY_FROM_ENVIRONMENT
        path = self.settings.data_dir / SECRET_KEY_FILE
        if path.is_file():
            return path.read_text().strip(), KEY_FROM_FILE
        return None, KEY_NONE

    def run(self, dest: Path, *, include_secret_key: bool) -> BackupResult:
        target = self.target(dest)
        settings = self.settings
        secret, source = self._secret()
        if include_secret_key and secret is None:
            raise BackupError(f"there is no secret key to include (no AUTOCODE_SECRET_KEY, no {SECRET_KEY_FILE})")
        self.say(f"backing up {settings.data_dir} to {target}")
        partial = target.with_name(target.name + ".partial")
        with tempfile.TemporaryDirectory(prefix=".autocode-backup-", dir=target.parent) as scratch:
            copy = Path(scratch) / DATABASE
            revision = snapshot_database(database_path(settings), copy)
            digest = hashlib.sha256(copy.read_bytes()).hexdigest()
            size = copy.stat().st_size
            self.say(
                f"database: copied {human_bytes(size)} with SQLite's online backup; integrity check ok; "
                f"schema revision {revision or 'none'}"
            )
            left_out: Problems = []
            unreadable: Problems = []
            trees = ((settings.users_dir, USERS), (settings.social_media_dir, SOCIAL_MEDIA))
            counted = {prefix: [0, 0] for _, prefix in trees}
            for root, prefix in trees:
                for entry in walk(root, prefix, [], []):
                    if stat.S_ISREG(entry.info.st_mode):
                        counted[prefix][0] += 1
                        counted[prefix][1] += entry.info.st_size
            files, total = sum(c[0] for c in counted.values()), sum(c[1] for c in counted.values())
            self.say(
                "counted " + "; ".join(f"{prefix}/: {n} files, {human_bytes(b)}" for prefix, (n, b) in counted.items())
            )
            parts = ["database", USERS, SOCIAL_MEDIA] + (["secret-key"] if include_secret_key else [])
            manifest = Manifest(
                autocode_version=__version__,
                schema_revision=revision,
                created_at=now_iso(),
                parts=parts,
                secret_key_included=include_secret_key,
                secret_key_check=key_check(secret) if secret else "",
                secret_key_source=source,
                database_sha256=digest,
                database_bytes=size,
                files=files,
                file_bytes=total,
            )
            result = BackupResult(target, manifest, left_out, unreadable)
            progress = Progress(self.line, files, total, every_seconds=self.progress_seconds)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                with os.fdopen(fd, "wb") as raw:
                    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tar:
                        sealed = secret if include_secret_key else None
                        self._write(tar, manifest, copy, sealed, trees, result, progress)
                    raw.flush()
                    os.fsync(raw.fileno())
                partial.rename(target)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
                raise
        progress.finish()
        self._summarise(result, secret is not None)
        return result

    def _write(
        self,
        tar: tarfile.TarFile,
        manifest: Manifest,
        database: Path,
        secret: str | None,
        trees: tuple[tuple[Path, str], ...],
        result: BackupResult,
        progress: Progress,
    ) -> None:
        body = manifest.to_bytes()
        member = tarfile.TarInfo(MANIFEST)
        member.size, member.mode, member.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
        tar.addfile(member, io.BytesIO(body))
        original = database_path(self.settings).stat()
        member = _tar_info(DATABASE, original)
        member.size = database.stat().st_size
        with database.open("rb") as handle:
            tar.addfile(member, handle)
        if secret is not None:
            body = (secret + "\n").encode()
            member = tarfile.TarInfo(SECRET_KEY)
            member.size, member.mode, member.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(member, io.BytesIO(body))
        for root, prefix in trees:
            for entry in walk(root, prefix, result.left_out, result.unreadable):
                self._add(tar, entry, result, progress)

    def _add(self, tar: tarfile.TarFile, entry: Entry, result: BackupResult, progress: Progress) -> None:
        info = entry.info
        member = _tar_info(entry.name, info)
        if stat.S_ISDIR(info.st_mode):
            member.type = tarfile.DIRTYPE
            tar.addfile(member)
            return
        if entry.parent_fd is None:  # only a tree's root has none, and it is a directory
            return
        if stat.S_ISLNK(info.st_mode):
            try:
                member.linkname = os.readlink(entry.base, dir_fd=entry.parent_fd)
            except OSError:
                return  # gone or replaced since it was listed
            member.type = tarfile.SYMTYPE
            tar.addfile(member)
            result.manifest.links += 1
            return
        if not stat.S_ISREG(info.st_mode):
            result.left_out.append((entry.name, "a socket, pipe or device"))
            return
        try:
            fd = os.open(entry.base, FILE_FLAGS, dir_fd=entry.parent_fd)
        except FileNotFoundError:
            return
        except OSError as exc:  # ELOOP: replaced by a link since it was listed; EACCES: not readable
            if exc.errno != errno.ELOOP:
                result.unreadable.append((entry.name, exc.strerror or str(exc)))
            return
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                return  # replaced since it was listed
            member = _tar_info(entry.name, opened)
            member.size = opened.st_size
            reader = _Exactly(fd, opened.st_size)
            tar.addfile(member, reader)
            if reader.short or os.fstat(fd).st_size != opened.st_size:
                result.changed += 1
        finally:
            os.close(fd)
        progress.advance(member.size)

    def _summarise(self, result: BackupResult, has_secret: bool) -> None:
        manifest = result.manifest
        if manifest.secret_key_included:
            self.say(
                "secret key: INCLUDED. Whoever holds this backup can read every stored API key, MCP secret and "
                "social media token: keep it as safe as the server itself"
            )
        elif has_secret:
            self.say(
                "secret key: NOT included. The API keys, MCP secrets and social media tokens in this backup can be "
                "decrypted only with the same key: keep a copy of "
                + ("AUTOCODE_SECRET_KEY" if manifest.secret_key_source == KEY_FROM_ENVIRONMENT else SECRET_KEY_FILE)
                + " somewhere safe, or back up with --include-secret-key"
            )
        else:
            self.say("secret key: none exists yet, so nothing stored is sealed with one")
        for what, items in (("left out", result.left_out), ("could not read", result.unreadable)):
            for name, why in items[:SHOWN_PROBLEMS]:
                self.say(f"{what}: {name} ({why})")
            if len(items) > SHOWN_PROBLEMS:
                self.say(f"{what}: {len(items) - SHOWN_PROBLEMS} more")
        if result.changed:
            self.say(f"{result.changed} files changed while they were read; each is stored as it was read")
        size = human_bytes(result.path.stat().st_size)
        self.say(
            f"wrote {result.path} ({size}): the database, {manifest.files} files, {manifest.links} links, "
            f"{human_bytes(manifest.file_bytes)} of user files and uploads"
        )
        if result.unreadable:
            self.say(f"the backup is INCOMPLETE: {len(result.unreadable)} entries could not be read (run it as root)")


def make_backup(
    settings: Settings, dest: Path, *, include_secret_key: bool, say: Say, line: Say | None = None
) -> BackupResult:
    return Backup(settings, say, line).run(dest, include_secret_key=include_secret_key)
