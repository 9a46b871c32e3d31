"""`autocode sandbox list` and `autocode sandbox shell` against real sandboxes."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from controlplane.config import Settings
from controlplane.sandbox.accounts import sandbox_uid
from tests.support.engine import Harness
from tests.support.live_server import AUTOCODE, autocode_env

pytestmark = pytest.mark.docker


def _env(settings: Settings) -> dict[str, str]:
    return autocode_env(
        settings.data_dir,
        AUTOCODE_SECRET_KEY=settings.secret_key or "",
        AUTOCODE_SANDBOX_INSTANCE=settings.sandbox_instance,
        AUTOCODE_SANDBOX_NAME_PREFIX=settings.sandbox_name_prefix,
    )


def test_list_shows_running_sandboxes(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    result = subprocess.run(
        [str(AUTOCODE), "sandbox", "list"], capture_output=True, text=True, env=_env(harness.settings)
    )
    assert result.returncode == 0, result.stderr
    assert "alice" in result.stdout and "running" in result.stdout


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux's script for a terminal")
def test_shell_opens_a_terminal_as_the_user(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    result = subprocess.run(
        ["script", "-qec", f"{AUTOCODE} sandbox shell alice", "/dev/null"],
        input="echo uid=$(id -u) in=$PWD\nexit\n",
        capture_output=True,
        text=True,
        env=_env(harness.settings),
        timeout=60,
    )
    assert f"uid={sandbox_uid(harness.settings, alice)} in=/home/agent" in result.stdout, result.stdout
    missing = subprocess.run(
        [str(AUTOCODE), "sandbox", "shell", "nobody"], capture_output=True, text=True, env=_env(harness.settings)
    )
    assert missing.returncode == 1 and "no user named 'nobody'" in missing.stderr
