"""Layered configuration end to end (real sandbox, real Claude Code and nanobot manager, scripted providers in
the sandbox): the agent's global rules, the project's CLAUDE.md, description, architecture and plan reach both the
manager's requests and Claude Code's context, and an architecture edit while the project is paused shows in the
next step's prompt."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controlplane.config import Settings
from tests.support.coding_world import CodingWorld, plan_reply, verdict
from tests.support.engine import Harness

pytestmark = [pytest.mark.docker, pytest.mark.slow]
WORKSPACE = "/home/agent/projects/greetings"
RULE, GOAL, USERS_OWN = "RULE-7 keep every file under 40 lines", "GOAL-MARK two greeting files", "USER-MARK use tabs"
ARCH_ONE, ARCH_TWO = "ARCH-ONE plain text files", "ARCH-TWO files in a greetings/ folder"
ADVICE = "OPTION-MARK: two plain files at the top, no folders"
REREAD = "The project's instructions in .claude/CLAUDE.md changed: read that file again before you start."


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g", "project_poll_seconds": 0.5})


def _write(name: str, text: str) -> list[dict[str, Any]]:
    return [
        {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/{name}", "content": text}}},
        {"text": f"Created {name}."},
    ]


def _text(request: dict[str, Any]) -> str:
    return json.dumps(request["body"], ensure_ascii=False)


def test_every_layer_reaches_the_manager_and_claude_code_and_an_edit_the_next_step(harness: Harness) -> None:
    world = CodingWorld.create(harness, "layers")
    world.start_fakes(
        {
            "rules": [
                {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "w"))},
                {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create the file hello.txt now."},
                {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create the file world.txt now."},
                {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
            ]
        },
        {
            "turns": [
                {"match": "CONSULTATION", "responses": [{"text": ADVICE}]},
                {"match": "hello.txt", "responses": [{"text": "Working.", "delay": 4}, *_write("hello.txt", "hi\n")]},
                {"match": "world.txt", "responses": _write("world.txt", "w\n")},
            ],
            "default": "Done.",
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", GOAL)
    pid = project["id"]
    world.api("put", f"/api/projects/{pid}", {"architecture": ARCH_ONE})
    world.api("put", f"/api/agents/{world.agent_id}/rules", {"content": RULE})
    before = world.api("get", f"/api/projects/{pid}/claude-md")["content"]  # not made yet: what it will say
    assert GOAL in before and ARCH_ONE in before and RULE in before
    world.api("put", f"/api/projects/{pid}/claude-md", {"content": f"# Ours\n\n{USERS_OWN}\n"})
    world.api("post", f"/api/projects/{pid}/start")

    # Pause during step 1 (it takes effect at the loop's next safe point), edit the architecture, resume.
    world.wait(lambda: any("hello.txt" in (r.get("prompt") or "") for r in world.requests("anthropic")), 90, "step 1")
    world.api("post", f"/api/projects/{pid}/pause")
    world.wait_for_project(pid, lambda p: p["status"] == "paused", 60, "the pause")
    world.api("put", f"/api/projects/{pid}", {"architecture": ARCH_TWO})
    world.api("post", f"/api/projects/{pid}/resume")
    world.wait_for_project(pid, lambda p: p["status"] == "completed", 180, "the project to complete")

    openai = world.requests("openai")
    plan = next(_text(r) for r in openai if "TASK: plan" in _text(r))
    for layer in (RULE, USERS_OWN, GOAL, ARCH_ONE):
        assert layer in plan, f"{layer!r} is not in the manager's plan request"
    step_two = next(_text(r) for r in openai if "starts step 2 " in _text(r))
    system = json.dumps(next(r for r in openai if "starts step 2 " in _text(r))["body"]["messages"][0])
    for layer in (RULE, USERS_OWN, GOAL, ARCH_TWO, "Create hello.txt", "Create world.txt"):
        assert layer in system, f"{layer!r} is not in the manager's instructions for step 2"
    assert ARCH_ONE not in system
    assert "TASK: compose_task" in step_two

    prompts = [r for r in world.requests("anthropic") if r.get("prompt")]
    first = next(_text(r) for r in prompts if "hello.txt" in r["prompt"])
    for layer in (RULE, USERS_OWN, GOAL, ARCH_ONE, "Create the file hello.txt now."):
        assert layer in first, f"{layer!r} is not in Claude Code's context for step 1"
    second = next(r["prompt"] for r in prompts if "world.txt" in r["prompt"])
    assert second.startswith(REREAD) and "Create the file world.txt now." in second
    claude_md = (world.home / "projects" / "greetings" / ".claude" / "CLAUDE.md").read_text()
    assert ARCH_TWO in claude_md and ARCH_ONE not in claude_md and USERS_OWN in claude_md
    assert world.api("get", f"/api/projects/{pid}/claude-md")["content"] == claude_md
    log = world.log_text(pid)
    assert "The project's description or architecture was edited" in log, log

    # The consultation before the plan: a decision in the log, the manager planned with it, and it happened in a
    # side conversation: no request or transcript of the project's own Claude Code session holds it.
    assert f"Claude Code's options on how to build the project: {ADVICE}" in log, log
    assert ADVICE in plan, "the manager planned with Claude Code's options"
    asked = [r for r in world.requests("anthropic") if "CONSULTATION" in _text(r) or "OPTION-MARK" in _text(r)]
    assert asked and all((r.get("prompt") or "").startswith("CONSULTATION") for r in asked), asked
    transcripts = list((world.home / ".claude" / "projects").rglob("*.jsonl"))
    session = [t for t in transcripts if "Create the file hello.txt now." in t.read_text()]
    side = [t for t in transcripts if "CONSULTATION" in t.read_text()]
    assert len(session) == 1 and len(side) == 1 and session != side
    assert "OPTION-MARK" not in session[0].read_text()
