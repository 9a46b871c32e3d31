"""The coding agent end to end with real parts (a real sandbox, the real Claude Code 2.1.330, the real
nanobot manager), the paid providers replaced by scripted servers inside the sandbox (coding_world.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from controlplane.config import Settings
from tests.support.coding_world import CLAUDE_KEY, MANAGER_KEY, CodingWorld, plan_reply, verdict
from tests.support.engine import Harness

pytestmark = [pytest.mark.docker, pytest.mark.slow]
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

    # Restarting a completed project finds nothing left to do; deleting it removes its workspace.
    world.api("post", f"/api/projects/{project['id']}/restart")
    world.wait(
        lambda: "Started the project's manager" in world.log_text(project["id"]).split("completed")[-1], 30, "restart"
    )
    world.wait_for_project(project["id"], lambda p: p["instance"]["status"] == "stopped", 60, "the instance to end")
    assert world.project(project["id"])["status"] == "completed"
    world.api("delete", f"/api/projects/{project['id']}", expect=204)
    assert not files.exists()
    sessions = harness.call(world.sandbox_user, "tmux.list")["sessions"]  # type: ignore[attr-defined]
    assert f"project-{project['id']}" not in {s["name"] for s in sessions}
    world.api("get", f"/api/projects/{project['id']}", expect=404)


# -- edge cases, each its own scripted scenario ------------------------------------------------------------
ONE_STEP_PLAN = {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"))}
COMPOSE_HELLO = {"match": "TASK: compose_task", "reply": "Create the file hello.txt containing hello."}
EVALUATE_DONE = {"match": "TASK: evaluate", "reply": verdict("complete", "hello.txt exists")}
WRITE_WORLD = [
    {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/world.txt", "content": "w\n"}}},
    {"text": "Created world.txt."},
]
WRITE_HELLO = [
    {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/hello.txt", "content": "hello\n"}}},
    {"text": "Created hello.txt."},
]


def start_greetings(world: CodingWorld, openai_rules: list[dict], anthropic_turns: list[dict]) -> dict:
    world.start_fakes({"rules": openai_rules}, {"turns": anthropic_turns, "default": "I did what I could."})
    world.add_keys()
    project = world.new_project("Greetings", "A file hello.txt")
    assert project["workspace_path"] == WORKSPACE
    world.api("post", f"/api/projects/{project['id']}/start")
    return project


def prompts_to_claude(world: CodingWorld) -> list[str]:
    """The prompts of the project's Claude Code session (a consultation is a side conversation of its own)."""
    return [r["prompt"] for r in project_requests(world) if r.get("prompt")]


def project_requests(world: CodingWorld) -> list[dict[str, Any]]:
    return [r for r in world.requests("anthropic") if not (r.get("prompt") or "").startswith("CONSULTATION")]


def test_a_killed_claude_code_is_resumed_and_given_the_task_again(harness: Harness) -> None:
    world = CodingWorld.create(harness, "crashy")
    project = start_greetings(
        world,
        [ONE_STEP_PLAN, COMPOSE_HELLO, EVALUATE_DONE],
        [{"match": "hello.txt", "responses": [{"hang": 120}]}, {"match": "hello.txt", "responses": WRITE_HELLO}],
    )
    world.wait(lambda: len(prompts_to_claude(world)) == 1, 60, "Claude Code to work on the task")
    code, output = harness.sh(world.sandbox_user, "pkill -x claude")  # type: ignore[attr-defined]
    assert code == 0, f"no claude process to kill: {output}"
    world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 120, "the project to complete")
    log = world.log_text(project["id"])
    assert "Claude Code exited (crashed or quit): restarting it with its session" in log, log
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"
    resumed = [r for r in project_requests(world) if r.get("prompt")][-1]
    texts = json.dumps(resumed["body"]["messages"])
    assert texts.count("Create the file hello.txt") >= 2  # the resumed conversation holds the first attempt too


def test_a_silent_claude_code_is_interrupted_and_asked_what_happened(harness: Harness) -> None:
    harness.app.state.settings.project_silence_seconds = 4  # the manager notices silence after 4 s here
    world = CodingWorld.create(harness, "quiet")
    project = start_greetings(
        world,
        [ONE_STEP_PLAN, COMPOSE_HELLO, EVALUATE_DONE],
        [{"match": "hello.txt", "responses": [{"hang": 120}]}, {"match": "no progress", "responses": WRITE_HELLO}],
    )
    world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 120, "the project to complete")
    log = world.log_text(project["id"])
    assert "No change on Claude Code's screen for" in log and "interrupting it and asking why" in log, log
    assert any("showed no progress" in p for p in prompts_to_claude(world))
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"


def test_permission_prompts_and_questions_are_answered_by_the_manager(harness: Harness) -> None:
    harness.app.state.settings.claude_permission_mode = "default"  # so that Claude Code asks before writing
    world = CodingWorld.create(harness, "asker")
    question = {
        "questions": [
            {
                "question": "Which greeting style?",
                "header": "Style",
                "multiSelect": False,
                "options": [
                    {"label": "Formal", "description": "Good day"},
                    {"label": "Casual", "description": "hello"},
                ],
            }
        ]
    }
    project = start_greetings(
        world,
        [
            ONE_STEP_PLAN,
            COMPOSE_HELLO,
            {
                "match": ["TASK: answer", "Which greeting style?"],
                "reply": json.dumps({"keys": "2", "reason": "casual"}),
            },
            {"match": "TASK: answer", "reply": json.dumps({"keys": "1", "reason": "writing the file is the task"})},
            EVALUATE_DONE,
        ],
        [
            {
                "match": "hello.txt",
                "responses": [
                    {"tool_use": {"name": "AskUserQuestion", "input": question}},
                    *WRITE_HELLO,
                ],
            }
        ],
    )
    world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 120, "the project to complete")
    log = world.log_text(project["id"])
    assert "Which greeting style?" in log and "answering '2'" in log, log
    assert "answering '1'" in log, log  # the permission prompt to create hello.txt
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"
    answers = json.dumps([r["body"]["messages"][-1] for r in world.requests("anthropic")])
    assert "Casual" in answers  # Claude Code received the chosen option


def test_a_repeated_error_leads_to_another_approach_then_to_the_user(harness: Harness) -> None:
    world = CodingWorld.create(harness, "stuck")
    failing = verdict("fix", "pytest fails: ImportError: no module named greet", "Fix the import of greet.")
    project = start_greetings(
        world,
        [
            ONE_STEP_PLAN,
            COMPOSE_HELLO,
            {"match": "TASK: alternative", "reply": "Write greet.py without packages this time."},
            {"match": "TASK: evaluate", "reply": failing, "times": 6},
            EVALUATE_DONE,
        ],
        [],
    )
    hub = harness.app.state.events

    async def subscribe() -> Any:
        return hub.subscribe(world.sandbox_user.id)  # type: ignore[attr-defined]

    subscriber = harness.run(subscribe)
    paused = world.wait_for_project(project["id"], lambda p: bool(p["escalation"]), 120, "the escalation")
    assert paused["status"] == "paused"
    assert "keeps failing with the same problem" in paused["escalation"], paused["escalation"]
    log = world.log_text(project["id"])
    assert "trying another approach" in log and "Needs you:" in log, log
    assert log.count("Not done yet (fix") == 4, log  # 2 before the alternative, 2 after; the 3rd of each round acts
    assert any("Write greet.py without packages" in p for p in prompts_to_claude(world))

    async def next_escalation() -> dict[str, Any]:
        while (event := await asyncio.wait_for(subscriber.get(), 10))["type"] != "escalation":
            pass
        return event

    escalation = harness.run(next_escalation)  # the dashboard hears of it live
    assert escalation["project_id"] == project["id"] and "keeps failing" in escalation["message"]
    answered = world.api("post", f"/api/projects/{project['id']}/reply", {"message": "Skip the tests for now."})
    assert answered["escalation"] == "", "the question is closed as soon as it is answered"
    assert "Your answer was sent to the manager" in world.log_text(project["id"])
    done = world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 120, "the project to complete")
    assert done["escalation"] == ""
    assert any("Skip the tests for now." in p for p in prompts_to_claude(world))


def failed_problem(project: dict[str, Any]) -> bool:
    return (project["provider_problem"] or {}).get("state") == "failed"


def test_an_unreachable_manager_provider_is_retried_as_a_state_and_a_stop_clears_it(harness: Harness) -> None:
    world = CodingWorld.create(harness, "offline")
    overloaded = {"status": 503, "message": "The engine is overloaded", "type": "server_error"}
    project = start_greetings(world, [{"match": "TASK: plan", "error": overloaded}], [])
    retrying = world.wait_for_project(
        project["id"], lambda p: p["provider_problem"] is not None, 120, "the provider problem"
    )
    problem = retrying["provider_problem"]
    assert problem["state"] == "retrying" and problem["provider"] == "OpenAI"
    assert (problem["attempt"], problem["attempts"]) == (2, 6) and problem["retry_at"]
    assert "overloaded" in problem["message"]
    assert retrying["status"] == "planning" and retrying["escalation"] == "", "not a question, and the status stays"
    assert "OpenAI had a server error (HTTP 503)" in world.log_text(project["id"])

    stopped = world.api("post", f"/api/projects/{project['id']}/stop")
    assert stopped["status"] == "stopped"
    assert (stopped["provider_problem"], stopped["escalation"]) == (None, "")


def test_a_billing_screen_is_never_answered_automatically(harness: Harness) -> None:
    world = CodingWorld.create(harness, "broke")
    low = "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade."
    project = start_greetings(
        world,
        [ONE_STEP_PLAN, COMPOSE_HELLO, EVALUATE_DONE],
        [
            {
                "match": "hello.txt",
                "responses": [{"error": {"status": 400, "type": "invalid_request_error", "message": low}, "times": 20}],
            }
        ],
    )
    paused = world.wait_for_project(project["id"], failed_problem, 120, "the provider problem")
    assert paused["status"] == "paused" and paused["escalation"] == "", "a billing screen is not a question"
    problem = paused["provider_problem"]
    assert problem["provider"] == "Anthropic" and "rate-limit or billing message" in problem["message"]
    assert prompts_to_claude(world) == ["Create the file hello.txt containing hello."]  # nothing typed after it
    assert not any("TASK: answer" in json.dumps(r["body"]) for r in world.requests("openai"))
    assert not (world.home / "projects" / "greetings" / "hello.txt").exists()


def test_a_sandbox_restart_mid_project_resumes_at_the_current_step(harness: Harness) -> None:
    world = CodingWorld.create(harness, "resumer")
    world.start_fakes(
        {
            "rules": [
                {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "w"))},
                {
                    "match": ["TASK: compose_task", "starts step 1 "],
                    "reply": "Create the file hello.txt containing hello.",
                },
                {
                    "match": ["TASK: compose_task", "starts step 2 "],
                    "reply": "Create the file world.txt containing world.",
                },
                {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
            ]
        },
        {
            "turns": [
                {"match": "hello.txt", "responses": WRITE_HELLO},
                {"match": "world.txt", "responses": [{"hang": 300}]},
                {
                    "match": "world.txt",
                    "responses": [
                        {
                            "tool_use": {
                                "name": "Write",
                                "input": {"file_path": f"{WORKSPACE}/world.txt", "content": "w\n"},
                            }
                        },
                        {"text": "Created world.txt."},
                    ],
                },
            ]
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", "hello.txt and world.txt")
    world.api("post", f"/api/projects/{project['id']}/start")
    world.wait(lambda: any("world.txt" in p for p in prompts_to_claude(world)), 120, "step 2 to be under way")
    assert world.project(project["id"])["current_step"] == 1

    harness.run(harness.manager.restart, world.sandbox_user)  # type: ignore[attr-defined]
    # The restart ended the scripted servers too: bring them back (Claude Code retries its request meanwhile),
    # now with only the turn that finishes step 2.
    finish = {"turns": [{"match": "world.txt", "responses": WRITE_WORLD}]}
    world.write(".fakes/anthropic.json", json.dumps(finish))
    world.run_fakes()
    done = world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 180, "the project to complete")
    assert [s["status"] for s in done["implementation_plan"]] == ["done", "done"]
    prompts = prompts_to_claude(world)  # the record files are appended to across the servers' restart
    assert sum("hello.txt" in p for p in prompts) == 1, prompts  # the finished step was not repeated
    compose = [r for r in world.requests("openai") if "TASK: compose_task" in json.dumps(r["body"]["messages"][-1])]
    assert len(compose) == 2, "each step's task was composed once; the resumed step was resent as it was"
    log = world.log_text(project["id"])
    assert "Resumed the project's manager" in log and "Resuming step 2: Create world.txt" in log, log
    assert "resending the step's task to its resumed session" in log, log
    assert (world.home / "projects" / "greetings" / "world.txt").read_text() == "w\n"


def test_after_a_compaction_the_manager_sends_a_state_summary(harness: Harness) -> None:
    world = CodingWorld.create(harness, "compact")
    project = start_greetings(
        world,
        [
            ONE_STEP_PLAN,
            COMPOSE_HELLO,
            {"match": "TASK: summarize", "reply": "STATE SUMMARY: hello.txt exists; confirm it ends with a newline."},
            {
                "match": "TASK: evaluate",
                "reply": verdict("fix", "no proof of the newline", "Check that hello.txt ends with a newline."),
                "times": 1,
            },
            EVALUATE_DONE,
        ],
        [
            {
                "match": "hello.txt",
                "responses": [
                    WRITE_HELLO[0],
                    {"text": "Created hello.txt.", "usage": {"input_tokens": 985000}},  # the context is nearly full
                ],
            },
            {"match": "Respond with TEXT ONLY", "responses": [{"text": "Summary: hello.txt was created."}]},
        ],
    )
    world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 180, "the project to complete")
    log = world.log_text(project["id"])
    assert "Claude Code's context is full: it is compacting the conversation" in log, log
    assert "Sending a summary of the project's state after the compaction" in log, log
    assert any(p.startswith("STATE SUMMARY") for p in prompts_to_claude(world)), prompts_to_claude(world)


def test_pause_plan_edit_resume_stop_and_start_again(harness: Harness) -> None:
    world = CodingWorld.create(harness, "steady")
    world.start_fakes(
        {
            "rules": [
                {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "w"))},
                {
                    "match": ["TASK: compose_task", "starts step 1 "],
                    "reply": "Create the file hello.txt containing hello.",
                },
                {
                    "match": ["TASK: compose_task", "starts step 2 "],
                    "reply": "Create the file world.txt containing world.",
                },
                {"match": ["TASK: compose_task", "starts step 3 "], "reply": "Create the file extra.txt please."},
                {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
            ]
        },
        {
            "turns": [
                {"match": "hello.txt", "responses": [{"hang": 600}]},
                {"match": "hello.txt", "responses": WRITE_HELLO},
                {"match": "world.txt", "responses": [{"text": "Looked at world.txt.", "delay": 4}]},  # a slow turn
                {"match": "extra.txt", "responses": [{"text": "Created extra.txt."}]},
            ],
            "default": "Done.",
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", "hello.txt and world.txt")
    pid = project["id"]
    world.api("post", f"/api/projects/{pid}/start")
    world.wait(lambda: len(prompts_to_claude(world)) == 1, 60, "step 1 to be under way")

    # Stop in the middle of step 1: the instance and Claude Code end; starting again resumes step 1.
    stopped = world.api("post", f"/api/projects/{pid}/stop")
    assert (stopped["status"], stopped["desired_state"]) == ("stopped", "stopped")
    assert stopped["instance"]["status"] == "stopped"
    sessions = harness.call(world.sandbox_user, "tmux.list")["sessions"]  # type: ignore[attr-defined]
    assert f"project-{pid}" not in {s["name"] for s in sessions}
    world.api("post", f"/api/projects/{pid}/start")
    world.wait_for_project(pid, lambda p: p["current_step"] == 1, 120, "step 1 to finish after the restart")

    # Pause during step 2, add a third step while paused, resume: all three get done.
    paused = world.api("post", f"/api/projects/{pid}/pause")
    assert paused["id"] == pid
    paused = world.wait_for_project(pid, lambda p: p["status"] == "paused", 30, "the pause")
    steps = paused["implementation_plan"] + [{"title": "Create extra.txt", "details": "", "acceptance": "exists"}]
    edited = world.api("put", f"/api/projects/{pid}/plan", {"steps": steps})
    assert edited["steps_total"] == 3
    world.api("post", f"/api/projects/{pid}/resume")
    done = world.wait_for_project(pid, lambda p: p["status"] == "completed", 120, "the project to complete")
    assert [s["status"] for s in done["implementation_plan"]] == ["done", "done", "done"]
    log = world.log_text(pid)
    for phrase in ("Stopped by the user", "Paused; resume to continue", "The plan was edited: 3 steps", "Resumed"):
        assert phrase in log, f"{phrase!r} missing:\n{log}"
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"
    assert any("extra.txt" in p for p in prompts_to_claude(world))  # the step added while paused was done


def test_a_final_rate_limit_waits_for_retry_and_is_not_answered(harness: Harness) -> None:
    harness.app.state.settings.claude_max_retries = 2  # the default 10 retries take about three minutes
    world = CodingWorld.create(harness, "limited")
    limit = {
        "status": 429,
        "type": "rate_limit_error",
        "message": "Number of request tokens has exceeded your per-minute rate limit",
    }
    project = start_greetings(
        world,
        [ONE_STEP_PLAN, COMPOSE_HELLO, EVALUATE_DONE],
        [{"match": "hello.txt", "responses": [{"error": limit, "times": 100}]}],
    )
    paused = world.wait_for_project(project["id"], failed_problem, 180, "the provider problem")
    assert paused["status"] == "paused" and paused["escalation"] == ""
    assert "rate-limit or billing message" in paused["provider_problem"]["message"]
    # Every request was Claude Code's own retry of the one task: nothing was typed into it after the limit.
    assert set(prompts_to_claude(world)) == {"Create the file hello.txt containing hello."}
    assert len({len(r["body"]["messages"]) for r in project_requests(world) if r.get("prompt")}) == 1
    assert not any("TASK: answer" in json.dumps(r["body"]) for r in world.requests("openai"))
    log = world.log_text(project["id"])
    assert "Claude Code is rate limited and retrying" in log, log
