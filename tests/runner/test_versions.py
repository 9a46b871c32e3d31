"""The versions a runner reports: a command too slow to answer (a busy machine) is null for now, measured again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from autocode_runner import versions
from autocode_runner.versions import Versions

# A `claude` that is slow the first time it runs (it hangs past the timeout) and answers at once after that.
SLOW_ONCE = """#!/bin/sh
if [ ! -e "$0.ran" ]; then : > "$0.ran"; exec sleep 5; fi
echo "9.8.7 (Claude Code)"
"""


def test_a_version_that_did_not_answer_in_time_is_measured_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claude = tmp_path / "claude"
    claude.write_text(SLOW_ONCE)
    claude.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setattr(versions, "COMMAND_TIMEOUT_SECONDS", 0.5)
    measured = Versions()
    assert asyncio.run(measured.get())["claude"] is None  # timed out: null for now
    assert asyncio.run(measured.get())["claude"] == "9.8.7"
    assert asyncio.run(measured.get())["claude"] == "9.8.7"
    assert (tmp_path / "claude.ran").exists()


def test_a_version_that_keeps_timing_out_is_given_up_after_the_attempts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claude = tmp_path / "claude"
    claude.write_text('#!/bin/sh\necho run >> "$0.runs"\nexec sleep 5\n')
    claude.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setattr(versions, "COMMAND_TIMEOUT_SECONDS", 0.3)
    measured = Versions()
    for _ in range(versions.MEASURE_ATTEMPTS + 2):
        assert asyncio.run(measured.get())["claude"] is None
    assert (tmp_path / "claude.runs").read_text().count("run") == versions.MEASURE_ATTEMPTS
