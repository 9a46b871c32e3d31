"""Faults of a sandbox while work runs in it (issue 17), with real parts (a real sandbox, runner, nanobot manager,
Claude Code; the providers scripted inside the sandbox, tests/support/coding_world.py): `docker kill` of the
sandbox mid project and mid chat reply, and the runner killed and then Claude Code killed mid project. Nothing
here calls the reconciler: it runs on its own timer (RECONCILE seconds), as on a server, and each test waits for
the healing it should bring within a deadline. The scripted providers live in the sandbox, so they die with it; the
test starts them again once the sandbox is back (a real provider would still be there)."""

from __future__ import annotations

import json

import pytest

from controlplane.config import Settings
from tests.controlplane.projects.test_coding_agent import (
    EVALUATE_DONE,
    WRITE_HELLO,
    WRITE_WORLD,
    prompts_to_claude,
)
from tests.support.coding_world import CodingWorld, plan_reply, verdict
from tests.support.engine import Harness
from tests.support.fakes.claude_sandbox import wait_until
from tests.support.story_course import ASK, StoryCourse

pytestmark = [pytest.mark.docker, pytest.mark.slow]
RECONCILE = 1.0
HEAL = 90  # seconds for a killed sandbox to run again on a loaded machine
TWO_STEPS = [
    {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "w"))},
    {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create the file hello.txt containing hello."},
    {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create the file world.txt containing world."},
    {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
]


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    """Claude Code and the manager need 1 GB; the reconciler runs on its own, often."""
    return sandbox_settings.model_copy(
        update={
            "sandbox_memory": "1g",
            "project_poll_seconds": 0.5,
            "project_silence_seconds": 60,
            "reconcile_interval_seconds": RECONCILE,
        }
    )


def started_at(harness: Harness, world: CodingWorld) -> str:
    container = harness.container(world.sandbox_user)  # type: ignore[attr-defined]
    return str(container.attrs["State"]["StartedAt"])


def wait_healed(harness: Harness, world: CodingWorld, before: str) -> None:
    """The reconciler started the sandbox again (a new start, running)."""

    def running_again() -> bool:
        try:
            state = harness.container(world.sandbox_user).attrs["State"]  # type: ignore[attr-defined]
        except Exception:  # gone for a moment while it is made again
            return False
        return bool(state["Running"]) and state["StartedAt"] != before

    wait_until(running_again, HEAL, "the reconciler to start the killed sandbox again")


def log_lines(world: CodingWorld, project_id: int) -> list[tuple[int, str]]:
    return [(entry["id"], entry["message"]) for entry in world.logs(project_id)]


def test_a_docker_kill_mid_project_is_healed_and_the_project_goes_on_from_its_step(harness: Harness) -> None:
    world = CodingWorld.create(harness, "killed")
    world.start_fakes(
        {"rules": TWO_STEPS},
        {
            "turns": [
                {"match": "hello.txt", "responses": WRITE_HELLO},
                {"match": "world.txt", "responses": [{"hang": 300}]},
            ]
        },
    )
    world.add_keys()
    project = world.new_project("Greetings", "hello.txt and world.txt")
    world.api("post", f"/api/projects/{project['id']}/start")
    world.wait(lambda: any("world.txt" in p for p in prompts_to_claude(world)), 120, "step 2 to be under way")
    before = world.project(project["id"])
    assert before["current_step"] == 1 and before["implementation_plan"][0]["status"] == "done"
    logged = log_lines(world, project["id"])

    start = started_at(harness, world)
    harness.container(world.sandbox_user).kill()  # type: ignore[attr-defined]
    wait_healed(harness, world, start)
    world.write(".fakes/anthropic.json", json.dumps({"turns": [{"match": "world.txt", "responses": WRITE_WORLD}]}))
    world.run_fakes()

    done = world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 180, "the project to complete")
    assert [s["title"] for s in done["implementation_plan"]] == [s["title"] for s in before["implementation_plan"]]
    assert [s["status"] for s in done["implementation_plan"]] == ["done", "done"]
    assert log_lines(world, project["id"])[: len(logged)] == logged, "the log before the kill is kept as it was"
    log = world.log_text(project["id"])
    assert "Resuming step 2: Create world.txt" in log, log
    assert sum("hello.txt" in p for p in prompts_to_claude(world)) == 1, "the finished step was not done again"
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"
    assert (world.home / "projects" / "greetings" / "world.txt").read_text() == "w\n"


def test_a_killed_runner_then_a_killed_claude_code_mid_project_are_both_healed(harness: Harness) -> None:
    world = CodingWorld.create(harness, "runnerless")
    user = world.sandbox_user  # type: ignore[attr-defined]
    hang = {"match": "hello.txt", "responses": [{"hang": 300}]}
    one_step = [TWO_STEPS[0] | {"reply": plan_reply(("Create hello.txt", "hello"))}, TWO_STEPS[1], EVALUATE_DONE]
    world.start_fakes({"rules": one_step}, {"turns": [hang], "default": "I did what I could."})
    world.add_keys()
    project = world.new_project("Greetings", "A file hello.txt")
    world.api("post", f"/api/projects/{project['id']}/start")
    world.wait(lambda: len(prompts_to_claude(world)) == 1, 120, "Claude Code to work on step 1")
    plan = world.project(project["id"])["implementation_plan"]
    logged = log_lines(world, project["id"])

    # The runner (the container's main process under tini) killed: the container stops, the reconciler heals it.
    start = started_at(harness, world)
    harness.sh(user, "pkill -KILL -f 'autocode-runner serve'; true")
    wait_healed(harness, world, start)
    # The resumed session asks (and hangs); Claude Code killed, its new process asks the same again, which the
    # scripted server takes for a retry (the turn's next response) or for a new prompt (the next turn).
    again = [
        {"match": "hello.txt", "responses": [{"hang": 300}, *WRITE_HELLO]},
        {"match": "hello.txt", "responses": WRITE_HELLO},
    ]
    world.write(".fakes/anthropic.json", json.dumps({"turns": again}))
    world.run_fakes()
    world.wait(lambda: len(prompts_to_claude(world)) >= 2, 120, "the resumed project's Claude Code to ask again")
    assert world.project(project["id"])["status"] in ("running", "starting"), world.project(project["id"])

    # Then Claude Code killed: the manager starts it again with its session and gives it the task again.
    code, output = harness.sh(user, "pkill -KILL -x claude")
    assert code == 0, f"no claude process to kill: {output}"
    done = world.wait_for_project(project["id"], lambda p: p["status"] == "completed", 180, "the project to complete")
    assert [s["title"] for s in done["implementation_plan"]] == [s["title"] for s in plan]
    assert log_lines(world, project["id"])[: len(logged)] == logged, "the log before the kills is kept as it was"
    log = world.log_text(project["id"])
    assert "Claude Code exited (crashed or quit): restarting it with its session" in log, log
    assert (world.home / "projects" / "greetings" / "hello.txt").read_text() == "hello\n"


CHAT_PORT = 8768


def test_a_docker_kill_mid_chat_reply_keeps_the_message_and_answers_it_or_offers_a_retry(harness: Harness) -> None:
    story = StoryCourse.create(harness, "listener", port=CHAT_PORT, words=400, key="sk-ant-test-faults-0002")
    turn = story.ask()
    start = started_at(harness, story.world)
    harness.container(story.user).kill()
    wait_healed(harness, story.world, start)

    outcome = wait_until(lambda: story.ended(turn, "completed", "error"), 120, "the reply to end, answered or failed")
    mine = next(m for m in story.messages() if m["id"] == turn)
    assert mine["content"] == ASK, "the user's message is kept"
    if outcome["type"] == "error":
        assert mine["status"] == "failed" and mine["retryable"], mine
        outcome = story.retry(turn)  # the scripted provider died with the sandbox
    assert outcome["type"] == "completed" and outcome["message"]["content"], outcome
    stored = story.messages()
    assert [(m["role"], m["status"]) for m in stored if turn in (m["id"], m.get("reply_to"))] == [
        ("user", "done"),
        ("assistant", "done"),
    ], stored
