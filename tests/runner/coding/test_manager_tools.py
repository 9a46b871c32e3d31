"""The manager's tools and consultations on the host: each tool use is a line of the decision log, Claude Code is
consulted in a side conversation before the plan and when a step fails twice (its answer a decision, and part of
the manager's identity, never typed into the project's session), and the side conversation's own process: its
command, its environment without the session's hooks file, its workspace, its question on stdin."""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from autocode_runner.coding.claude.consult import ConsultError, answer_of, consult, consult_command
from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.loop import CONSULT_PREFIX, ProjectLoop
from autocode_runner.coding.manager.tools import ToolUse, describe, manager_tools, tools_config
from autocode_runner.coding.plan import Decision, Verdict
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess, Timing
from autocode_runner.contract.vocab import ProjectStatus
from autocode_runner.hooks import HOOKS_FILE_VARIABLE
from autocode_runner.instance_io import EventSink

from tests.runner.coding.test_coding_loop import ScriptedClaude, ScriptedManager, logs, seen

SEARCH = ToolUse("web_search", {"query": "pytest layout 2026"}, "1. Good Integration Practices — pytest docs")


class PlanningManager(ScriptedManager):
    """Plans one step after searching the web; records the identity it had when asked."""

    def __init__(self) -> None:
        super().__init__()
        self.identities: list[str] = []
        self.identity_at_plan = ""

    def set_identity(self, identity: str) -> None:
        self.identities.append(identity)

    async def plan(self, goal: str, architecture: str, details: str) -> list[PlanStep]:
        self.identity_at_plan = self.identities[-1]
        self.tool_uses.append(SEARCH)
        return [PlanStep("Create hello.txt", "hello", "it exists")]


class TwiceFailingManager(ScriptedManager):
    def __init__(self) -> None:
        super().__init__()
        self.identities: list[str] = []
        self.verdicts: list[Verdict] = ["fix", "fix", "complete"]

    def set_identity(self, identity: str) -> None:
        self.identities.append(identity)

    async def evaluate(self, step: PlanStep, screen: str, evidence: str) -> Decision:
        verdict = self.verdicts.pop(0)
        return Decision(verdict, message="Fix the import.", reason="ImportError: no module named greet")


def run(tmp_path: Path, claude: ScriptedClaude, manager: ScriptedManager, plan: Sequence[PlanStep]) -> list[Any]:
    spec = CodingSpec(
        name="p",
        workspace=str(tmp_path / "work"),
        goal="A greeting",
        tmux_session="project-1",
        rules_file=str(tmp_path / "RULES.md"),
        agent=AgentProfile(id=1, model="openai/gpt-4o", tools=["web_search", "read_file"]),
        manager=ModelAccess("manager-key"),
        claude=ClaudeOptions(ModelAccess("claude-key")),
        plan=list(plan),
        status=ProjectStatus.RUNNING if plan else ProjectStatus.PLANNING,
        timing=Timing(poll_seconds=0.0),
    )
    out = io.StringIO()
    loop = ProjectLoop(spec, claude, manager, EventSink(out), Path(spec.workspace), Path(spec.rules_file))
    assert asyncio.run(asyncio.wait_for(loop.run(), 10)) is ProjectStatus.COMPLETED
    return [json.loads(line) for line in out.getvalue().splitlines()]


def decisions(events: list[Any]) -> list[str]:
    return [e["data"]["message"] for e in events if e["event"] == "log" and e["data"]["level"] == "agent_decision"]


def test_before_planning_claude_code_is_consulted_aside_and_the_search_is_logged(tmp_path: Path) -> None:
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    manager = PlanningManager()
    events = run(tmp_path, claude, manager, [])
    assert len(claude.consulted) == 1 and claude.consulted[0].startswith(CONSULT_PREFIX)
    assert ".claude/CLAUDE.md" in claude.consulted[0]
    assert not any("CONSULTATION" in text or "Option 1" in text for text in claude.submitted)  # not the session
    assert "Option 1: keep it simple." in manager.identity_at_plan  # the manager plans with the options
    made = decisions(events)
    assert "Claude Code's options on how to build the project: Option 1: keep it simple." in made
    assert "The manager searched the web for “pytest layout 2026”: 1. Good Integration Practices — pytest docs" in made
    assert made.index("Claude Code's options on how to build the project: Option 1: keep it simple.") < next(
        i for i, line in enumerate(made) if line.startswith("Plan of 1 step")
    )


def test_a_step_that_fails_twice_is_consulted_on_once(tmp_path: Path) -> None:
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    manager = TwiceFailingManager()
    events = run(tmp_path, claude, manager, [PlanStep("Greet", "write greet.py", "pytest passes")])
    assert len(claude.consulted) == 1  # the spec had a plan: no consultation before planning
    assert "failed twice: Greet" in claude.consulted[0] and "no module named greet" in claude.consulted[0]
    assert "Claude Code's options on step 1 (Greet): Option 1: keep it simple." in decisions(events)
    assert "## Options Claude Code suggested" in manager.identities[-1]
    assert all("Option 1" not in text for text in claude.submitted)


def test_a_consultation_that_fails_is_said_and_the_project_goes_on(tmp_path: Path) -> None:
    class Unreachable(ScriptedClaude):
        async def consult(self, question: str) -> str:
            from autocode_runner.coding.ports import ClaudeTrouble

            raise ClaudeTrouble("Claude Code did not answer in 300 s")

    events = run(tmp_path, Unreachable([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)]), PlanningManager(), [])
    assert (
        "Claude Code could not be consulted on how to build the project: Claude Code did not answer in 300 s"
        in logs(events)
    )


def test_the_managers_tools_are_those_its_agent_enables_that_it_can_use() -> None:
    assert manager_tools(["tmux", "exec", "read_file", "write_file", "web_search"]) == ["read_file", "web_search"]
    config = tools_config(["web_search"])
    assert config["web"]["enable"] and not config["file"]["enable"] and not config["exec"]["enable"]
    assert not tools_config([])["web"]["enable"]
    assert describe(ToolUse("web_fetch", {"url": "https://docs.python.org/"}, "")) == (
        "The manager read the web page https://docs.python.org/"
    )
    assert describe(ToolUse("read_file", {"path": "app.py"}, "x" * 1000)).endswith("…")


# -- the side conversation's process ----------------------------------------------------------------------------
FAKE_CLAUDE = """#!/usr/bin/env python3
import json, os, sys
question = sys.stdin.read()
record = {"args": sys.argv[1:], "cwd": os.getcwd(), "question": question,
          "hooks": os.environ.get("AUTOCODE_HOOKS_FILE"), "token": os.environ.get("ANTHROPIC_AUTH_TOKEN")}
open(os.environ["FAKE_RECORD"], "w").write(json.dumps(record))
print(json.dumps({"type": "result", "is_error": False, "result": "Use plain files.", "session_id": "s"}))
"""


def test_a_consultation_is_its_own_read_only_print_mode_session_in_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "claude"
    fake.write_text(FAKE_CLAUDE)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    record = tmp_path / "record.json"
    monkeypatch.setenv("FAKE_RECORD", str(record))
    monkeypatch.setenv(HOOKS_FILE_VARIABLE, str(tmp_path / "hooks.jsonl"))  # the session's, never the consult's
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "inherited-token")
    workspace = tmp_path / "work"
    workspace.mkdir()
    access = {"ANTHROPIC_AUTH_TOKEN": "users-key"}
    answer = asyncio.run(consult(workspace, "Which way?", access, "opus", claude=str(fake)))
    assert answer == "Use plain files."
    seen_by_claude = json.loads(record.read_text())
    assert seen_by_claude["question"] == "Which way?" and seen_by_claude["cwd"] == str(workspace)
    assert seen_by_claude["hooks"] is None and seen_by_claude["token"] == "users-key"
    args = seen_by_claude["args"]
    assert args[:1] == ["-p"] and args[args.index("--permission-mode") + 1] == "dontAsk"
    assert args[args.index("--tools") + 1] == "Read,Glob,Grep" and args[args.index("--model") + 1] == "opus"
    assert not (tmp_path / "hooks.jsonl").exists()
    assert os.environ[HOOKS_FILE_VARIABLE]  # the caller's environment is untouched


def test_a_new_session_each_time_and_errors_in_words() -> None:
    first, second = consult_command("a", None), consult_command("b", None)
    assert first[first.index("--session-id") + 1] == "a" and "--resume" not in " ".join(first + second)
    with pytest.raises(ConsultError, match="answered an error: Credit balance is too low"):
        answer_of(b'{"type": "result", "is_error": true, "result": "Credit balance is too low"}')
    with pytest.raises(ConsultError, match="could not be read"):
        answer_of(b"not json")
