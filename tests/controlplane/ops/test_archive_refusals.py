"""Archives `autocode backup` never makes are refused whole, and nothing of them is written anywhere: names that climb
out or are absolute, names outside a backup's parts, hard links, devices, links outside users/, a member written
through a link the archive made just before, a second manifest, a schema newer than this release, no manifest first.

Each archive is a real backup with one thing added or changed, so that thing is the only reason to refuse it."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.ops.restore import RestoreError
from tests.controlplane.ops.support import backup, fresh, restore
from tests.support.app import Account


def member(name: str, kind: bytes = tarfile.REGTYPE, body: bytes = b"planted", link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    info.size = len(body) if kind == tarfile.REGTYPE else 0
    return info, body if kind == tarfile.REGTYPE else None


def rewrite(
    real: Path, target: Path, extra: list[tuple], manifest: dict | None = None, manifest_last: bool = False
) -> Path:
    """The real archive's members, in order, with `extra` after them (and the manifest changed or moved)."""
    with tarfile.open(real, "r:gz") as source, tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as out:
        entries = [(info, source.extractfile(info).read() if info.isreg() else None) for info in source]  # type: ignore[union-attr]
        first, body = entries[0]
        if manifest is not None:
            body = json.dumps(manifest).encode()
            first.size = len(body)
        entries = [*entries[1:], (first, body)] if manifest_last else [(first, body), *entries[1:]]
        for info, data in [*entries, *extra]:
            out.addfile(info, io.BytesIO(data) if data is not None else None)
    return target


@pytest.fixture
def real(settings: Settings, client: TestClient, alice: Account, tmp_path: Path) -> Path:
    (settings.users_dir / "alice" / "projects" / "kept.txt").write_text("kept")
    folder = tmp_path / "backups"
    folder.mkdir()
    return backup(settings, folder / "real.tar.gz")[0].path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


CASES = {
    "climbing out": ([member("users/alice/../../../escaped.txt")], "'..'"),
    "climbing from the top": ([member("../escaped.txt")], "'..'"),
    "an absolute name": ([member("/tmp/autocode-absolute-planted.txt")], "an absolute path"),
    "a name outside the parts": ([member("etc/cron.d/planted")], "outside the parts of a backup"),
    "a name inside the database": ([member("autocode.db/planted")], "inside a file"),
    "a hard link": ([member("users/alice/hard", tarfile.LNKTYPE, link="autocode.db")], "a hard link"),
    "a device": ([member("users/alice/disk", tarfile.BLKTYPE)], "special file"),
    "a link among the uploads": ([member("social-media/1/up", tarfile.SYMTYPE, link="/etc")], "a link outside users/"),
    "a second manifest": ([member("manifest.json")], "a second manifest"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_member_no_backup_holds_refuses_the_whole_archive(
    case: str, real: Path, settings: Settings, tmp_path: Path, outside: Path
) -> None:
    extra, reason = CASES[case]
    crafted = rewrite(real, tmp_path / "crafted.tar.gz", extra)
    target = fresh(settings, tmp_path / "target")
    with pytest.raises(RestoreError, match="nothing was restored") as refused:
        restore(target, crafted)
    assert reason in str(refused.value)
    assert not target.data_dir.exists() or not any(target.data_dir.iterdir()), "nothing of it stays"
    assert not (tmp_path / "escaped.txt").exists() and not Path("/tmp/autocode-absolute-planted.txt").exists()


def test_a_member_written_through_a_link_the_archive_made_is_refused(
    real: Path, settings: Settings, tmp_path: Path, outside: Path
) -> None:
    extra = [
        member("users/alice/door", tarfile.SYMTYPE, link=str(outside)),
        member("users/alice/door/planted.txt"),
    ]
    crafted = rewrite(real, tmp_path / "crafted.tar.gz", extra)
    target = fresh(settings, tmp_path / "target")
    with pytest.raises(RestoreError, match="written through a link"):
        restore(target, crafted)
    assert list(outside.iterdir()) == []
    assert not any(target.data_dir.iterdir())


def test_a_backup_from_a_newer_release_or_without_its_manifest_first_is_refused(
    real: Path, settings: Settings, tmp_path: Path
) -> None:
    with tarfile.open(real, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    newer = rewrite(
        real, tmp_path / "newer.tar.gz", [], {**manifest, "schema_revision": "9999", "autocode_version": "9.0"}
    )
    target = fresh(settings, tmp_path / "target")
    with pytest.raises(RestoreError, match=r"schema \(9999\) is newer than this release knows.*AutoCode 9.0"):
        restore(target, newer)
    later_format = rewrite(real, tmp_path / "format.tar.gz", [], {**manifest, "format_version": 2})
    with pytest.raises(RestoreError, match="format version 2, newer than this AutoCode reads"):
        restore(target, later_format)
    moved = rewrite(real, tmp_path / "moved.tar.gz", [], manifest_last=True)
    with pytest.raises(RestoreError, match=r"does not begin with a manifest\.json"):
        restore(target, moved)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    with pytest.raises(RestoreError, match="not a complete backup archive"):
        restore(target, truncated)
    assert not target.data_dir.exists() or not any(target.data_dir.iterdir())
