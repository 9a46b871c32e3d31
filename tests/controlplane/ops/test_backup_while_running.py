"""The issue's "done when": a backup taken while a project is running restores into a fresh data directory, and the
restored platform signs in and decrypts its keys.

Real parts throughout: a coding project at work in a real sandbox (Claude Code and the nanobot manager against the
scripted providers, tests/support/coding_world.py), the real `autocode backup` run beside it as a cron job would,
the real `autocode restore` into an empty directory, and the real `autocode serve` on what was restored. The API
never returns a key, but the last four characters it shows are read by decrypting the stored key ("????" when that
fails), so a key's right last four through the restored server is its decryption; the full keys are decrypted from
the restored database with the restored secret key too."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import httpx
import pytest

from controlplane.config import Settings
from controlplane.sandbox.accounts import sandbox_uid
from controlplane.security.secretbox import SecretBox
from tests.controlplane.ops.support import autocode, manifest_of
from tests.support.coding_world import CLAUDE_KEY, MANAGER_KEY, PASSWORD, CodingWorld, plan_reply, verdict
from tests.support.engine import Harness
from tests.support.live_server import serving

pytestmark = [pytest.mark.docker, pytest.mark.slow]
WORKSPACE = "/home/agent/projects/greetings"
HELD_BACK_SECONDS = 20  # Claude Code's reply after writing hello.txt: the step is under way during the backup


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    # Claude Code and the manager need more than the 256 MB the other sandbox tests get; poll faster.
    return sandbox_settings.model_copy(
        update={"sandbox_memory": "1g", "project_poll_seconds": 0.5, "project_silence_seconds": 60}
    )


def test_a_backup_taken_while_a_project_runs_restores_signs_in_and_decrypts_its_keys(
    harness: Harness, tmp_path: Path
) -> None:
    world = CodingWorld.create(harness, "builder")
    world.start_fakes(
        {
            "rules": [
                {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"))},
                {"match": "TASK: compose_task", "reply": "Create the file hello.txt containing hello."},
                {"match": "TASK: evaluate", "reply": verdict("complete", "hello.txt exists")},
            ]
        },
        {
            "turns": [
                {
                    "match": "hello.txt",
                    "responses": [
                        {
                            "tool_use": {
                                "name": "Write",
                                "input": {"file_path": f"{WORKSPACE}/hello.txt", "content": "hello\n"},
                            }
                        },
                        {"text": "Created hello.txt.", "delay": HELD_BACK_SECONDS},
                    ],
                }
            ]
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", "A file hello.txt")
    world.api("post", f"/api/projects/{project['id']}/start")
    written = world.home / "projects" / "greetings" / "hello.txt"
    world.wait(written.exists, 120, "Claude Code to write hello.txt")

    def at_work() -> bool:
        now = world.project(project["id"])
        return now["status"] == "running" and now["instance"]["status"] == "running" and now["steps_done"] == 0

    assert at_work(), world.project(project["id"])
    backups = tmp_path / "backups"
    backups.mkdir()
    secret = harness.settings.secret_key or ""
    taken = autocode(
        harness.settings.data_dir, "backup", str(backups), "--include-secret-key", AUTOCODE_SECRET_KEY=secret
    )
    assert taken.returncode == 0, taken.stderr
    assert at_work(), "the backup disturbed nothing: the project is still at its first step"
    [archive] = backups.iterdir()
    manifest = manifest_of(archive)
    assert manifest["secret_key_included"] is True and manifest["secret_key_source"] == "environment"
    assert "secret key: INCLUDED" in taken.stdout

    # A new server: an empty data directory, no AUTOCODE_SECRET_KEY (the restored secret.key is the key).
    restored = tmp_path / "restored"
    put_back = autocode(restored, "restore", str(archive))
    assert put_back.returncode == 0, put_back.stderr
    assert "is the key the backup's secrets were sealed with" in put_back.stdout, put_back.stdout

    uid = sandbox_uid(harness.settings, world.sandbox_user)  # type: ignore[attr-defined]
    copy = restored / "users" / "builder" / "projects" / "greetings" / "hello.txt"
    assert copy.read_text() == "hello\n"
    original, info = written.stat(), copy.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (uid, uid, stat.S_IMODE(original.st_mode))
    assert (restored / "users" / "builder").stat().st_uid == uid

    with serving(restored) as (base, _):
        login = httpx.post(f"{base}/api/auth/login", json={"username": "builder", "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        keys = httpx.get(f"{base}/api/settings/api-keys", headers=headers).json()
        assert {k["provider"]: k["last_four"] for k in keys} == {
            "anthropic": CLAUDE_KEY[-4:],
            "openai": MANAGER_KEY[-4:],
        }
        again = httpx.get(f"{base}/api/projects/{project['id']}", headers=headers).json()
        assert again["name"] == "Greetings" and again["status"] == "running"
        assert [step["title"] for step in again["implementation_plan"]] == ["Create hello.txt"]

    box = SecretBox((restored / "secret.key").read_text().strip())
    with sqlite3.connect(restored / "autocode.db") as connection:
        sealed = dict(connection.execute("SELECT provider, encrypted_key FROM api_keys").fetchall())
    assert {provider: box.decrypt(value) for provider, value in sealed.items()} == {
        "anthropic": CLAUDE_KEY,
        "openai": MANAGER_KEY,
    }
    world.api("post", f"/api/projects/{project['id']}/stop")
