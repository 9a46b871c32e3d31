"""The `autocode` command, run as a real process against a real data directory."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import AUTOCODE, autocode_env, serving


def run(data_dir: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AUTOCODE), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=autocode_env(data_dir, **env),
        timeout=60,
    )


def _output(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.read()


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    assert (tmp_path / "autocode.db").is_file()


def test_admin_create_from_stdin_then_sign_in(tmp_path: Path) -> None:
    result = run(tmp_path, "admin", "create", "--username", "root2", "--password-stdin", stdin="long-password\n")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "users" / "root2" / "projects").is_dir()
    again = run(tmp_path, "admin", "create", "--username", "root2", "--password-stdin", stdin="long-password\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    with serving(tmp_path) as (base, process):
        response = httpx.post(f"{base}/api/auth/login", json={"username": "root2", "password": "long-password"})
        assert response.status_code == 200
        me = httpx.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
        assert me.json()["role"] == "admin"
    assert "Password (shown only this once)" not in _output(process), "an admin existed: nothing to bootstrap"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--username", "Bad Name"], "long-password\n", "a lowercase letter first"),
        (["--username", "okname"], "short\n", "Use 8 to 72 characters."),
        (["--username", "okname"], None, "--password-stdin"),
    ],
)
def test_admin_create_explains_bad_input(tmp_path: Path, args: list[str], stdin: str | None, message: str) -> None:
    extra = ["--password-stdin"] if stdin is not None else []
    result = run(tmp_path, "admin", "create", *args, *extra, stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr


def test_first_serve_creates_admin_and_prints_password_once(tmp_path: Path) -> None:
    with serving(tmp_path) as (base, process):
        pass
    first = _output(process)
    match = re.search(r"Password \(shown only this once\): (\S+)", first)
    assert match, first
    with serving(tmp_path) as (base, process):
        response = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": match.group(1)})
        assert response.status_code == 200
    assert "shown only this once" not in _output(process)


def test_admin_password_from_environment(tmp_path: Path) -> None:
    with serving(tmp_path, AUTOCODE_ADMIN_PASSWORD="from-the-env-1") as (base, process):
        response = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": "from-the-env-1"})
        assert response.status_code == 200
    output = _output(process)
    assert "AUTOCODE_ADMIN_PASSWORD" in output and "from-the-env-1" not in output


def test_reset_password(tmp_path: Path) -> None:
    assert (
        run(tmp_path, "admin", "create", "--username", "mum", "--password-stdin", stdin="first-pass\n").returncode == 0
    )
    result = run(tmp_path, "admin", "reset-password", "--username", "mum", "--password-stdin", stdin="second-pass\n")
    assert result.returncode == 0, result.stderr
    missing = run(tmp_path, "admin", "reset-password", "--username", "nobody", "--password-stdin", stdin="x" * 9)
    assert missing.returncode == 1 and "no user named" in missing.stderr
    with serving(tmp_path) as (base, _):
        old = httpx.post(f"{base}/api/auth/login", json={"username": "mum", "password": "first-pass"})
        new = httpx.post(f"{base}/api/auth/login", json={"username": "mum", "password": "second-pass"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_invalid_configuration_is_reported(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "upgrade", AUTOCODE_SECRET_KEY="short")
    assert result.returncode == 1
    assert "invalid configuration" in result.stderr and "SECRET_KEY" in result.stderr.upper()


def test_tickets_never_reach_the_server_log(tmp_path: Path) -> None:
    from websockets.sync.client import connect

    with serving(tmp_path, AUTOCODE_ADMIN_PASSWORD="from-the-env-1") as (base, process):
        token = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": "from-the-env-1"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        ticket = httpx.post(f"{base}/api/ws-ticket", headers=headers).json()["ticket"]
        with connect(f"{base.replace('http', 'ws')}/ws/events?ticket={ticket}"):
            pass
        httpx.get(f"{base}/api/auth/me?token=should-not-be-logged", headers=headers)
    output = _output(process)
    assert "/ws/events?ticket=[redacted]" in output, output
    assert ticket not in output and "should-not-be-logged" not in output
