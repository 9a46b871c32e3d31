"""The Claude Code port over real tmux on the host: a session that is gone between the liveness check and the
capture reads as an empty screen (the loop then sees the exit at its next liveness check), never as an error
that would end the project's loop."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from autocode_runner.coding.wiring import ClaudeCode
from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess


def spec(workspace: Path) -> CodingSpec:
    return CodingSpec(
        name="p",
        workspace=str(workspace),
        goal="g",
        tmux_session="port-test",
        rules_file=str(workspace / "RULES.md"),
        agent=AgentProfile(id=1, model="openai/gpt-test"),
        manager=ModelAccess("m"),
        claude=ClaudeOptions(ModelAccess("c")),
    )


def test_a_vanished_session_captures_as_an_empty_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path))  # a tmux server of this test's own
    monkeypatch.delenv("TMUX", raising=False)
    port = ClaudeCode(spec(tmp_path))
    assert asyncio.run(port.alive()) is False
    assert asyncio.run(port.capture()) == ""  # no tmux server at all
    subprocess.run(["tmux", "new-session", "-d", "-s", "other", "sleep 60"], check=True, timeout=10)
    try:
        assert asyncio.run(port.capture()) == ""  # a server, but not this session
    finally:
        subprocess.run(["tmux", "kill-server"], check=False, timeout=10)
