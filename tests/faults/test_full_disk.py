"""A full data disk (issue 17): the data directory on a small filesystem of its own (a tmpfs with `size=`, mounted as
root, unmounted in a finally), a real `autocode serve` on it, the disk filled to the last byte. A request that writes
is answered with a clear refusal in words (507, never a 500 or a traceback), what was stored before is still read,
`PRAGMA integrity_check` finds the database whole, and once space is freed the same request works."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.api import Api, integrity
from tests.support.live_server import serving

ADMIN_PASSWORD = "admin-password-1"
DISK = "24m"  # the database after migrations is well under a megabyte; what is left is filled


@contextlib.contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited filesystem needs root")
    where.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the filesystem refuses another byte; returns it (removing it frees the space)."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * chunk)
    with pytest.raises(OSError) as full:
        (disk / "one-more-byte").write_bytes(b"x")
    assert full.value.errno == errno.ENOSPC
    return filler


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the database and empty it, so that the next write needs new space (a log
    emptied by an earlier checkpoint is written over in place and would not notice a full disk)."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the server held the log open"
    finally:
        connection.close()


def test_a_full_disk_is_refused_in_words_corrupts_nothing_and_heals_once_freed(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", DISK) as disk:
        data = disk / "data"
        with serving(data, capture=False, log=tmp_path / "serve.log", AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD) as (
            base,
            _,
        ):
            me = Api(base).sign_in("admin", ADMIN_PASSWORD)
            agent = me.ok(
                "post", "/api/agents", {"name": "Helper", "model": "openai/gpt-test", "identity": "Helps."}, 201
            )
            edit = {"name": "Helper", "model": "openai/gpt-test", "identity": "Helps, and more. " * 200}
            new_chat = f"/api/agents/{agent['id']}/chats"

            checkpoint(data / "autocode.db")
            filler = fill(disk)
            for method, path, body in (("put", f"/api/agents/{agent['id']}", edit), ("post", new_chat, {})):
                refused = me.request(method, path, body)
                assert refused.status_code == 507, f"{method} {path}: {refused.status_code} {refused.text[:2000]}"
                assert refused.headers["content-type"] == "application/json"
                detail = refused.json()["detail"]
                assert "disk" in detail and "full" in detail and "Traceback" not in detail, detail
            # Reading goes on, and what was stored before is there as it was.
            assert me.ok("get", f"/api/agents/{agent['id']}")["identity"] == "Helps."
            assert me.ok("get", new_chat) == []
            assert integrity(data / "autocode.db") == "ok"

            filler.unlink()
            assert me.ok("put", f"/api/agents/{agent['id']}", edit)["identity"] == edit["identity"]
            assert me.ok("post", new_chat, {}, 201)["agent_id"] == agent["id"]
            assert me.ok("get", f"/api/agents/{agent['id']}")["identity"] == edit["identity"]
            assert [chat["agent_id"] for chat in me.ok("get", new_chat)] == [agent["id"]]
        assert integrity(data / "autocode.db") == "ok"
        log = (tmp_path / "serve.log").read_text()
        assert "database or disk is full" in log or "No space left" in log, "the server's log names the cause"
