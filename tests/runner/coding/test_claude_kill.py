"""Ending Claude Code's process group when closing its tmux session is not enough (a real process that ignores
the hang-up and SIGTERM, as Claude Code may while a request hangs)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time

from autocode_runner.coding.claude.driver import end_process_group

from tests.support.waiting import wait_until


def _stubborn() -> subprocess.Popen[bytes]:
    """A process group (a leader and its child) that ignores SIGHUP and SIGTERM, like a pane's program."""
    script = "trap '' HUP TERM; sleep 600 & echo ready; wait"
    process = subprocess.Popen(["sh", "-c", script], start_new_session=True, stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    return process


def _group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_group_ignoring_terminate_is_killed() -> None:
    process = _stubborn()
    asyncio.run(end_process_group(process.pid, grace=0.3))
    assert process.wait(timeout=5) == -9  # neither the hang-up nor SIGTERM ended it
    wait_until(lambda: _group_gone(process.pid), 5, "the group's last member (sleep) to be gone")


def test_an_ended_group_is_left_alone() -> None:
    process = subprocess.Popen(["true"], start_new_session=True)
    process.wait()
    started = time.monotonic()
    asyncio.run(end_process_group(process.pid, grace=5))
    assert time.monotonic() - started < 1
