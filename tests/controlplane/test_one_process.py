"""One control plane per data directory, in one process: a second `autocode serve` on the same directory (as a
second worker would be) refuses to start and says why; the lock goes with the process, even a killed one; a
restore refuses to write under a running control plane."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.support.live_server import AUTOCODE, autocode_env, free_port, serving

DEADLINE = 30.0


def second_serve(data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [str(AUTOCODE), "serve", "--port", str(free_port())]
    env = autocode_env(data_dir)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=DEADLINE, check=False)


def test_a_second_control_plane_on_the_same_data_directory_refuses_to_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data) as (_, first):
        second = second_serve(data)
        assert second.returncode != 0, "it must not run beside the first"
        said = second.stdout + second.stderr
        assert "Another AutoCode control plane (pid " in said and "one worker" in said, said
        assert first.poll() is None, "the first goes on"
    # The lock went with the first process: the directory can be served again.
    with serving(data) as (_, again):
        assert again.poll() is None


def test_a_killed_control_plane_leaves_no_lock_behind(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data) as (_, first):
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=DEADLINE)
        with serving(data) as (_, after):
            assert after.poll() is None, "the kernel dropped the lock with the process"


def test_a_restore_refuses_to_write_under_a_running_control_plane(tmp_path: Path) -> None:
    data = tmp_path / "data"
    archive = tmp_path / "backup.tar.gz"
    with serving(data) as _:
        made = subprocess.run(
            [str(AUTOCODE), "backup", str(archive)], env=autocode_env(data), capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stdout + made.stderr
        refused = subprocess.run(
            [str(AUTOCODE), "restore", str(archive), "--force"],
            env=autocode_env(data),
            capture_output=True,
            text=True,
            check=False,
        )
        said = refused.stdout + refused.stderr
        assert refused.returncode != 0 and "a control plane is running" in said, said
