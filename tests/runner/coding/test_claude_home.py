"""seed_home merges into a user's Claude Code files; `autocode-runner hook` records events and never fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from autocode_runner.coding.claude.driver import HOOK_COMMAND, HOOK_EVENTS, ClaudeError, seed_home, transcript_path

RUNNER = Path(sys.executable).parent / "autocode-runner"


def test_seed_home_keeps_what_the_user_has_and_is_idempotent(tmp_path: Path) -> None:
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude.json").write_text(json.dumps({"theme": "dark", "projects": {"/elsewhere": {"x": 1}}}))
    user_hook = {"matcher": "Bash", "hooks": [{"type": "command", "command": "my-linter"}]}
    (tmp_path / ".claude" / "settings.json").write_text(
        json.dumps({"model": "opus", "hooks": {"PreToolUse": [user_hook]}})
    )
    seed_home(tmp_path, tmp_path / "work")
    seed_home(tmp_path, tmp_path / "work")
    state = json.loads((tmp_path / ".claude.json").read_text())
    assert state["theme"] == "dark" and state["hasCompletedOnboarding"] is True
    assert state["projects"] == {"/elsewhere": {"x": 1}, str(tmp_path / "work"): {"hasTrustDialogAccepted": True}}
    settings = json.loads((tmp_path / ".claude" / "settings.json").read_text())
    assert settings["model"] == "opus" and settings["skipDangerousModePermissionPrompt"] is True
    assert settings["hooks"]["PreToolUse"][0] == user_hook
    for event in HOOK_EVENTS:
        commands = [hook["command"] for entry in settings["hooks"][event] for hook in entry["hooks"]]
        assert commands.count(HOOK_COMMAND) == 1, event
    assert (tmp_path / ".claude.json").stat().st_mode & 0o077 == 0


def test_seed_home_refuses_to_overwrite_invalid_json(tmp_path: Path) -> None:
    (tmp_path / ".claude.json").write_text("{not json")
    with pytest.raises(ClaudeError, match="not valid JSON"):
        seed_home(tmp_path, tmp_path / "work")
    assert (tmp_path / ".claude.json").read_text() == "{not json"


def test_transcript_path_replaces_non_alphanumerics() -> None:
    path = transcript_path(Path("/home/agent"), Path("/home/agent/my_project.v2"), "abc")
    assert path == Path("/home/agent/.claude/projects/-home-agent-my-project-v2/abc.jsonl")


def run_hook(stdin: bytes, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(RUNNER), "hook"], input=stdin, env=env, capture_output=True, timeout=10, check=False)


def test_hook_appends_one_line_per_event(tmp_path: Path) -> None:
    hooks = tmp_path / "hooks.jsonl"
    for name in ("UserPromptSubmit", "Stop"):
        result = run_hook(
            json.dumps({"hook_event_name": name, "prompt": "ünïcode"}).encode(), {"AUTOCODE_HOOKS_FILE": str(hooks)}
        )
        assert result.returncode == 0 and result.stdout == b""
    lines = [json.loads(line) for line in hooks.read_text().splitlines()]
    assert [line["event"]["hook_event_name"] for line in lines] == ["UserPromptSubmit", "Stop"]
    assert lines[0]["event"]["prompt"] == "ünïcode" and lines[0]["time"] > 0


def test_hook_never_fails(tmp_path: Path) -> None:
    assert run_hook(b"{}", {}).returncode == 0  # no file named: nothing to do
    assert run_hook(b"not json", {"AUTOCODE_HOOKS_FILE": str(tmp_path / "h.jsonl")}).returncode == 0
    assert "unparsed" in (tmp_path / "h.jsonl").read_text()
    assert run_hook(b"{}", {"AUTOCODE_HOOKS_FILE": str(tmp_path / "missing" / "h.jsonl")}).returncode == 0
