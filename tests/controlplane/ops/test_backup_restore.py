"""Backups and restores with real parts (a real SQLite database written by a real control plane, real files with
owners and modes) and no container engine: consistency while rows are written, people's links never followed,
a non-empty target refused, the secret key only on request, an older schema migrated, and the real commands."""

from __future__ import annotations

import gzip
import os
import sqlite3
import stat
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlmodel import Session

from controlplane import migrate
from controlplane.config import Settings
from controlplane.db import make_engine
from controlplane.main import create_app
from controlplane.ops.restore import RestoreError
from controlplane.services.users import create_user
from tests.controlplane.ops.support import autocode, backup, fresh, manifest_of, members, restore
from tests.support.app import USER_PASSWORD, Account, login
from tests.support.live_server import serving
from tests.support.waiting import wait_until

OWNER = 123_456  # a sandbox-like uid; the tests run as root, as a backup does
API_KEY = "sk-test-backup-key-9876"


def head(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config(settings)).get_current_head()


def extract_database(archive: Path, into: Path) -> Path:
    with tarfile.open(archive, "r:gz") as tar:
        handle = tar.extractfile("autocode.db")
        assert handle is not None
        into.write_bytes(handle.read())
    return into


@pytest.fixture
def backups(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def test_a_backup_taken_while_rows_are_written_is_one_consistent_moment(
    settings: Settings, client: TestClient, alice: Account, backups: Path, tmp_path: Path
) -> None:
    database = settings.data_dir / "autocode.db"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE test_pairs (id INTEGER PRIMARY KEY, pair INTEGER NOT NULL, filler TEXT)")
    home = settings.users_dir / "alice" / "projects"
    for index in range(200):  # enough files that the writer goes on while they are copied
        (home / f"file-{index}.bin").write_bytes(os.urandom(20_000))
    written, stop = [0], threading.Event()

    def write_pairs() -> None:  # each pair in one transaction: a consistent copy never holds half of one
        connection = sqlite3.connect(database, timeout=30)
        try:
            while not stop.is_set():
                with connection:
                    connection.execute("INSERT INTO test_pairs (pair, filler) VALUES (?, ?)", (written[0], "x" * 500))
                    connection.execute("INSERT INTO test_pairs (pair, filler) VALUES (?, ?)", (written[0], "y" * 500))
                written[0] += 1
        finally:
            connection.close()

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        wait_until(lambda: written[0] >= 50, 10, "the writer to get going")
        before = written[0]
        result, said = backup(settings, backups)
        after = written[0]
        wait_until(lambda: written[0] > after, 10, "the writer to go on after the backup")
    finally:
        stop.set()
        writer.join(10)

    copy = sqlite3.connect(extract_database(result.path, tmp_path / "copy.db"))
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        pairs = copy.execute("SELECT pair, count(*) FROM test_pairs GROUP BY pair").fetchall()
        users = [row[0] for row in copy.execute("SELECT username FROM users")]
    finally:
        copy.close()
    assert pairs and all(count == 2 for _, count in pairs), "a transaction was copied in half"
    assert before <= len(pairs) < after, "the copy is one moment during the backup, and writers were never held up"
    assert users == ["alice"]
    assert result.manifest.schema_revision == head(settings) and result.manifest.files == 200
    assert result.complete and stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert any("integrity check ok" in line for line in said)
    assert any(line.startswith("200/200 files") and "(100%)" in line for line in said)


def test_links_in_a_home_are_stored_as_links_and_never_followed(
    settings: Settings, client: TestClient, alice: Account, backups: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET-CONTENT")
    projects = settings.users_dir / "alice" / "projects"
    (projects / "to-file").symlink_to(outside / "secret.txt")
    (projects / "to-dir").symlink_to(outside)
    (projects / "relative").symlink_to("../research")
    mine = projects / "mine.txt"
    mine.write_text("mine")
    os.chown(mine, OWNER, OWNER)
    os.chmod(mine, 0o640)
    os.mkfifo(projects / "a-pipe")

    result, said = backup(settings, backups)

    stored = members(result.path)
    assert stored["users/alice/projects/to-file"].issym()
    assert stored["users/alice/projects/to-file"].linkname == str(outside / "secret.txt")
    assert stored["users/alice/projects/to-dir"].issym()
    assert not [name for name in stored if name.startswith("users/alice/projects/to-dir/")]
    assert b"TOP-SECRET-CONTENT" not in gzip.decompress(result.path.read_bytes())
    assert "users/alice/projects/a-pipe" not in stored
    assert "left out: users/alice/projects/a-pipe (a socket, pipe or device)" in said
    assert result.manifest.links == 3

    target = fresh(settings, tmp_path / "restored")
    restore(target, result.path)
    back = target.users_dir / "alice" / "projects"
    assert os.readlink(back / "to-file") == str(outside / "secret.txt")
    assert os.readlink(back / "relative") == "../research"
    assert (back / "to-dir").is_symlink()
    info = (back / "mine.txt").stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, OWNER, 0o640)
    assert (back / "mine.txt").read_text() == "mine"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "TOP-SECRET-CONTENT"


def test_a_restore_refuses_a_data_directory_that_is_not_empty(
    settings: Settings, client: TestClient, alice: Account, backups: Path, tmp_path: Path
) -> None:
    result, _ = backup(settings, backups)
    target = fresh(settings, tmp_path / "occupied")
    someone = target.users_dir / "someone"
    someone.mkdir(parents=True)
    (someone / "theirs.txt").write_text("theirs")

    with pytest.raises(RestoreError, match=r"is not empty \(it holds users/\).*--force"):
        restore(target, result.path)
    assert not (target.data_dir / "autocode.db").exists()
    assert (someone / "theirs.txt").read_text() == "theirs"
    assert [p.name for p in target.data_dir.iterdir()] == ["users"], "no staging folder is left behind"

    # A fresh control plane's empty folders are no data: that target counts as empty.
    empty = fresh(settings, tmp_path / "empty")
    empty.ensure_data_dir()
    (empty.data_dir / "social-media").mkdir()
    restore(empty, result.path)
    assert (empty.users_dir / "alice" / "projects").is_dir()

    _, said = restore(target, result.path, force=True)
    assert not someone.exists()
    assert (target.users_dir / "alice" / "projects").is_dir() and (target.data_dir / "autocode.db").is_file()
    assert any(line.startswith("--force:") for line in said)


@pytest.fixture
def keyless(settings: Settings) -> Iterator[Settings]:
    """An installation whose key is the generated DATA_DIR/secret.key, with one stored (sealed) API key."""
    settings = fresh(settings, settings.data_dir, secret_key=None)
    with TestClient(create_app(settings)) as client, Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        create_user(session, settings, "alice", USER_PASSWORD)
        headers = {"Authorization": f"Bearer {login(client, 'alice', USER_PASSWORD)}"}
        response = client.post("/api/settings/api-keys", json={"provider": "openai", "key": API_KEY}, headers=headers)
        assert response.status_code == 201, response.text
    assert (settings.data_dir / "secret.key").is_file()
    yield settings


def shown_keys(settings: Settings) -> list[str]:
    """What the restored platform shows of alice's keys: the last four come from decrypting the key."""
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {login(client, 'alice', USER_PASSWORD)}"}
        return [key["last_four"] for key in client.get("/api/settings/api-keys", headers=headers).json()]


def test_the_secret_key_is_in_a_backup_only_when_asked(keyless: Settings, backups: Path, tmp_path: Path) -> None:
    without, said = backup(keyless, backups / "without.tar.gz")
    assert "secret.key" not in members(without.path)
    assert manifest_of(without.path)["secret_key_included"] is False
    assert any(line.startswith("secret key: NOT included") and "--include-secret-key" in line for line in said)

    bare = fresh(keyless, tmp_path / "bare")
    result, said = restore(bare, without.path)
    assert result.key_opens_secrets is False
    assert any(line.startswith("WARNING: no secret key here") for line in said)
    assert shown_keys(bare) == ["????"], "a new key cannot open the old secrets"

    given = fresh(keyless, tmp_path / "given")
    result, said = restore(given, without.path, secret_key_file=keyless.data_dir / "secret.key")
    assert result.key_opens_secrets is True
    assert shown_keys(given) == [API_KEY[-4:]]

    wrong = tmp_path / "wrong.key"
    wrong.write_text("another-key-" + "z" * 40)
    with pytest.raises(RestoreError, match="not the key this backup's secrets were sealed with"):
        restore(fresh(keyless, tmp_path / "wrong"), without.path, secret_key_file=wrong)
    assert not (tmp_path / "wrong" / "autocode.db").exists()

    included, said = backup(keyless, backups / "with.tar.gz", include_secret_key=True)
    stored = members(included.path)["secret.key"]
    assert stored.mode == 0o600 and manifest_of(included.path)["secret_key_included"] is True
    assert any(line.startswith("secret key: INCLUDED") for line in said)
    whole = fresh(keyless, tmp_path / "whole")
    result, said = restore(whole, included.path)
    assert result.key_opens_secrets is True
    assert stat.S_IMODE((whole.data_dir / "secret.key").stat().st_mode) == 0o600
    assert shown_keys(whole) == [API_KEY[-4:]]


def test_a_backup_of_an_older_schema_is_migrated_when_restored(
    settings: Settings, backups: Path, tmp_path: Path
) -> None:
    engine = make_engine(settings)
    command.upgrade(migrate.alembic_config(settings, engine), "0003")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (username, password_hash, role, created_at)"
            " VALUES ('olduser', 'x', 'user', '2026-01-01')"
        )
    engine.dispose()
    result, _ = backup(settings, backups)
    assert result.manifest.schema_revision == "0003"

    target = fresh(settings, tmp_path / "restored")
    restored, said = restore(target, result.path)

    assert restored.upgraded_from == "0003"
    assert any("0003 is older than this release's" in line for line in said)
    with sqlite3.connect(target.data_dir / "autocode.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head(settings),)]
        assert connection.execute("SELECT username FROM users").fetchall() == [("olduser",)]


def test_the_commands_say_what_they_do(tmp_path: Path) -> None:
    data, backups = tmp_path / "data", tmp_path / "backups"
    backups.mkdir()
    made = autocode(data, "admin", "create", "--username", "keeper", "--password-stdin", stdin="long-password\n")
    assert made.returncode == 0, made.stderr
    (data / "users" / "keeper" / "projects" / "notes.md").write_text("# notes\n")

    taken = autocode(data, "backup", str(backups))
    assert taken.returncode == 0, taken.stderr
    out = taken.stdout
    for expected in ("backing up", "online backup; integrity check ok", "counted users/: 1 files", "1/1 files"):
        assert expected in out, out
    [archive] = backups.iterdir()
    assert archive.name.startswith("autocode-backup-") and archive.name.endswith(".tar.gz")

    again = autocode(data, "backup", str(archive))
    assert again.returncode == 1 and "already exists" in again.stderr

    restored = tmp_path / "restored"
    put_back = autocode(restored, "restore", str(archive))
    assert put_back.returncode == 0, put_back.stderr
    assert f"restored {restored}" in put_back.stdout
    refused = autocode(restored, "restore", str(archive))
    assert refused.returncode == 1 and "is not empty" in refused.stderr and "--force" in refused.stderr

    with serving(restored) as (base, _):
        response = httpx.post(f"{base}/api/auth/login", json={"username": "keeper", "password": "long-password"})
        assert response.status_code == 200, response.text
    assert (restored / "users" / "keeper" / "projects" / "notes.md").read_text() == "# notes\n"


def test_a_release_refuses_a_database_a_newer_release_migrated(tmp_path: Path) -> None:
    """Rolling back is restoring a backup: an older release never runs on (or migrates down) a newer schema."""
    data = tmp_path / "data"
    assert autocode(data, "db", "upgrade").returncode == 0
    with sqlite3.connect(data / "autocode.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    refused = autocode(data, "serve", "--port", "1")
    assert refused.returncode == 1
    assert "schema is newer than this release" in refused.stderr and "restore the backup" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_people_keep_their_uids_and_the_control_planes_files_go_to_the_data_directorys_owner(
    settings: Settings, client: TestClient, alice: Account, backups: Path, tmp_path: Path
) -> None:
    """A new server's service account may have another uid; a person's sandbox uid is the same everywhere."""
    home = settings.users_dir / "alice"
    os.chown(home, OWNER, OWNER)
    uploads = settings.social_media_dir / str(alice.id)
    uploads.mkdir(parents=True)
    (uploads / "photo.jpg").write_bytes(b"\xff\xd8 a picture")
    archive = backup(settings, backups, include_secret_key=True)[0].path

    service = 4242  # the account the control plane runs as on the new server, which made its data directory
    target = fresh(settings, tmp_path / "new-server")
    target.data_dir.mkdir()
    os.chown(target.data_dir, service, service)
    _, said = restore(target, archive)

    def owner(path: Path) -> tuple[int, int]:
        info = path.lstat()
        return info.st_uid, info.st_gid

    assert owner(target.users_dir / "alice") == (OWNER, OWNER)
    for path in (
        target.data_dir / "autocode.db",
        target.data_dir / "secret.key",
        target.users_dir,
        target.social_media_dir,
        target.social_media_dir / str(alice.id) / "photo.jpg",
    ):
        assert owner(path) == (service, service), path
    assert (target.social_media_dir / str(alice.id) / "photo.jpg").read_bytes() == b"\xff\xd8 a picture"
    assert any("go to uid 4242 (the data directory's owner)" in line for line in said)
