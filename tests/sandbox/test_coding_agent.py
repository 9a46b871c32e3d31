"""The coding agent end to end with real parts (a real sandbox, the real Claude Code 2.1.330, the real
nanobot manager), the paid providers replaced by scripted servers inside the sandbox (coding_world.py)."""

from __future__ import annotations

import pytest

from controlplane.config import Settings
from tests.sandbox.coding_world import CLAUDE_KEY, MANAGER_KEY, CodingWorld, plan_reply, verdict
from tests.sandbox.conftest import Harness

pytestmark = pytest.mark.docker
WORKSPACE = "/home/agent/projects/greetings"  # the slug of "Greetings"; the scripted Write needs absolute paths


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    # Claude Code and the manager need more than the 256 MB the other sandbox tests get; poll faster.
    return sandbox_settings.model_copy(
        update={"sandbox_memory": "1g", "project_poll_seconds": 0.5, "project_silence_seconds": 30}
    )


def test_a_two_step_project_is_planned_built_and_completed(harness: Harness) -> None:
    world = CodingWorld.create(harness, "builder")
    world.start_fakes(
        openai_script={
            "rules": [
                {
                    "match": "TASK: plan",
                    "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "world")),
                },
                {
                    "match": ["TASK: compose_task", "starts step 1 "],
                    "reply": "Create the file hello.txt containing hello.",
                },
                {
                    "match": ["TASK: compose_task", "starts step 2 "],
                    "reply": "Create the file world.txt containing world.",
                },
                {"match": ["TASK: evaluate", "Create hello.txt"], "reply": verdict("complete", "hello.txt exists")},
                {"match": ["TASK: evaluate", "Create world.txt"], "reply": verdict("complete", "world.txt exists")},
            ]
        },
        anthropic_script={
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
                        {"text": "Created hello.txt."},
                    ],
                },
                {
                    "match": "world.txt",
                    "responses": [
                        {
                            "tool_use": {
                                "name": "Write",
                                "input": {"file_path": f"{WORKSPACE}/world.txt", "content": "world\n"},
                            }
                        },
                        {"text": "Created world.txt."},
                    ],
                },
            ]
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", "Two files: hello.txt and world.txt")
    assert project["workspace_path"] == WORKSPACE

    started = world.api("post", f"/api/projects/{project['id']}/start")
    assert started["desired_state"] == "running" and started["instance"]["status"] == "running"
    done = world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 240, "the project to complete")

    files = world.home / "projects" / project["slug"]
    assert (files / "hello.txt").read_text() == "hello\n"
    assert (files / "world.txt").read_text() == "world\n"
    assert [s["status"] for s in done["implementation_plan"]] == ["done", "done"]
    assert (done["steps_done"], done["steps_total"], done["current_step"]) == (2, 2, 2)
    log = world.log_text(project["id"])
    for phase in (
        "Writing the implementation plan",
        "Plan of 2 steps",
        "Step 1 of 2",
        "Sent to Claude Code",
        "Step 1 is done",
        "Step 2 of 2",
        "Step 2 is done",
        "the project is completed",
    ):
        assert phase in log, f"{phase!r} missing from the log:\n{log}"
    # Both providers were reached through the keys' base URLs, with the user's keys.
    openai = world.requests("openai")
    assert openai and all(r["path"].startswith("/v1/chat/completions") for r in openai)
    anthropic = world.requests("anthropic")
    assert anthropic and all(r["path"].startswith("/v1/messages") for r in anthropic)
    world.wait(lambda: world.project(project["id"])["instance"]["status"] == "stopped", 30, "the instance to end")
    assert MANAGER_KEY and CLAUDE_KEY  # the keys never appear in the logs:
    assert MANAGER_KEY not in log and CLAUDE_KEY not in log
