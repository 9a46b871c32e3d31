"""A real `autocode serve` with this test's sandboxes (tests/support/engine.py's labels, name prefix and internal
network), killed and started again on the same data directory; two people at work in it: a coding project (its
providers scripted inside the coder's sandbox, tests/support/pwa_coding.py) and a tutor's chat reply streaming
(its Anthropic provider scripted inside the learner's own sandbox, so the two never share a scripted server)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

from controlplane.config import Settings
from tests.faults.api import Api
from tests.support.coding_world import ANTHROPIC_PORT, plan_reply, verdict
from tests.support.live_server import serving
from tests.support.pwa_coding import fakes_dir, prepare_coder, start_scripted_providers
from tests.support.waiting import wait_until

ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "password-123"
CODER, LEARNER = "coder", "learner"
WORKSPACE = "/home/agent/projects/greetings"
TWO_STEPS: dict[str, Any] = {
    "rules": [
        {"match": "TASK: plan", "reply": plan_reply(("Create hello.txt", "hello"), ("Create world.txt", "w"))},
        {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create the file hello.txt containing hello."},
        {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create the file world.txt containing world."},
        {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
    ]
}


def write(name: str, content: str) -> list[dict[str, Any]]:
    return [
        {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/{name}", "content": content}}},
        {"text": f"Created {name}."},
    ]


# Step 2's first request hangs (the fault comes meanwhile); Claude Code asks again and is answered.
CLAUDE: dict[str, Any] = {
    "turns": [
        {"match": "hello.txt", "responses": write("hello.txt", "hello\n")},
        {"match": "world.txt", "responses": [{"hang": 15}, *write("world.txt", "w\n")]},
        {"match": "world.txt", "responses": write("world.txt", "w\n")},
    ],
    "default": "I did what I could.",
}
STORY_TEXT = "word " * 300
TUTOR: dict[str, Any] = {
    "turns": [
        {"match": "a long story", "responses": [{"text": STORY_TEXT, "chunk_delay": 0.05}]},
        {"match": "a long story", "responses": [{"text": "The story, at last."}]},
    ],
    "default": "Noted.",
}


@dataclass
class Served:
    """The data directory and engine of one test; each control_plane() is a new `autocode serve` on them."""

    settings: Settings
    engine: docker.DockerClient
    logs: Path
    started: int = 0

    def env(self) -> dict[str, str]:
        s = self.settings
        return {
            "AUTOCODE_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "AUTOCODE_SANDBOXES_ENABLED": "true",
            "AUTOCODE_SANDBOX_INSTANCE": s.sandbox_instance,
            "AUTOCODE_SANDBOX_NAME_PREFIX": s.sandbox_name_prefix,
            "AUTOCODE_SANDBOX_NETWORK": s.sandbox_network,
            "AUTOCODE_SANDBOX_NETWORK_INTERNAL": "true",
            "AUTOCODE_SANDBOX_MEMORY": "1g",
            "AUTOCODE_PROJECT_POLL_SECONDS": "0.5",
            "AUTOCODE_RECONCILE_INTERVAL_SECONDS": "1",
        }

    @contextmanager
    def control_plane(self) -> Iterator[tuple[str, subprocess.Popen[str]]]:
        self.started += 1
        log = self.logs / f"serve-{self.started}.log"
        with serving(self.settings.data_dir, capture=False, log=log, **self.env()) as served:
            yield served

    def container(self, username: str) -> Any:
        return self.engine.containers.get(f"{self.settings.sandbox_name_prefix}{username}")

    # -- what the fault tests read besides the API ---------------------------------------------------------
    def log_lines(self, project_id: int) -> list[tuple[int, str]]:
        """The project's log as stored (the API streams it over a WebSocket only)."""
        connection = sqlite3.connect(self.settings.data_dir / "autocode.db", timeout=30)
        try:
            rows = connection.execute("SELECT id, message FROM logs WHERE project_id = ? ORDER BY id", (project_id,))
            return [(int(row[0]), str(row[1])) for row in rows]
        finally:
            connection.close()

    def requests(self, username: str) -> list[dict[str, Any]]:
        record = fakes_dir(self.settings, username) / "anthropic-requests.jsonl"
        if not record.exists():
            return []
        return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]

    def prompts(self, username: str, text: str) -> list[str]:
        return [r["prompt"] for r in self.requests(username) if text in (r.get("prompt") or "")]


@dataclass
class Work:
    """The coder's running project and the learner's message, as their owners see them through the API."""

    coder: Api
    learner: Api
    project: int
    course: int
    turn: int = 0

    def start(self) -> None:
        self.coder.ok("post", f"/api/projects/{self.project}/start")
        said = self.learner.ok("post", f"/api/courses/{self.course}/message", {"text": "tell me a long story"})
        self.turn = said["messages"][-1]["id"]

    def on(self, base: str) -> Work:
        """The same people signed in again on another control plane (a restart keeps their accounts)."""
        return Work(
            Api(base).sign_in(CODER, PASSWORD),
            Api(base).sign_in(LEARNER, PASSWORD),
            self.project,
            self.course,
            self.turn,
        )

    def message(self) -> dict[str, Any]:
        messages = self.learner.ok("get", f"/api/courses/{self.course}")["messages"]
        return next(m for m in messages if m["id"] == self.turn)

    def reply(self) -> dict[str, Any] | None:
        messages = self.learner.ok("get", f"/api/courses/{self.course}")["messages"]
        return next((m for m in messages if m.get("reply_to") == self.turn and m["role"] == "assistant"), None)


def prepare(served: Served, base: str) -> Work:
    """Both people, their agents, keys, sandboxes and scripted providers; the project made, nothing started."""
    agent = prepare_coder(
        base,
        served.settings,
        served.engine,
        admin_password=ADMIN_PASSWORD,
        username=CODER,
        password=PASSWORD,
        openai=TWO_STEPS,
        anthropic=CLAUDE,
    )
    coder = Api(base).sign_in(CODER, PASSWORD)
    project = coder.ok("post", f"/api/agents/{agent}/projects", {"name": "Greetings", "description": "two files"}, 201)
    assert project["workspace_path"] == WORKSPACE

    admin = Api(base).sign_in("admin", ADMIN_PASSWORD)
    admin.ok("post", "/api/users", {"username": LEARNER, "password": PASSWORD}, 201)
    learner = Api(base).sign_in(LEARNER, PASSWORD)
    key = {"provider": "anthropic", "key": "sk-ant-test-faults-0003", "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
    learner.ok("post", "/api/settings/api-keys", key, 201)
    start_scripted_providers(
        base,
        served.settings,
        served.engine,
        username=LEARNER,
        password=PASSWORD,
        openai={"rules": []},
        anthropic=TUTOR,
    )
    tutor = learner.ok("post", "/api/agents", {"template": "learning", "name": "Tutor"}, 201)["id"]
    subject = learner.ok("post", f"/api/agents/{tutor}/subjects", {"name": "Stories"}, 201)["id"]
    course = learner.ok("post", f"/api/subjects/{subject}/courses", {"name": "Tales"}, 201)["id"]
    return Work(coder, learner, project["id"], course)


def wait_both_under_way(served: Served, work: Work) -> None:
    """Step 2 asked of Claude Code, and the tutor's reply asked of the model (it streams for 15 s)."""
    wait_until(lambda: served.prompts(CODER, "world.txt"), 180, "step 2 to be under way", interval=0.25)
    wait_until(lambda: served.prompts(LEARNER, "a long story"), 90, "the tutor to be asked", interval=0.25)


def check_healed(served: Served, work: Work, plan: list[str], logged: list[tuple[int, str]], deadline: float) -> None:
    """The project finished from its step with its plan and log kept; the message kept and answered, or failed
    with a retry that is then answered."""
    wait_until(
        lambda: work.message()["status"] in ("done", "failed"),
        deadline,
        "the message in flight to be answered or failed",
        interval=0.25,
        detail=lambda: json.dumps(work.message()),
    )
    message = work.message()
    assert message["content"] == "tell me a long story", "the user's message is stored"
    if message["status"] == "failed":
        assert message["retryable"], message
        work.learner.ok("post", f"/api/courses/{work.course}/message", {"text": "", "retry_of": work.turn})
        wait_until(lambda: work.message()["status"] == "done", deadline, "the retry to be answered", interval=0.25)
    reply = work.reply()
    assert reply is not None and reply["status"] == "done" and reply["content"].strip(), reply

    def project() -> dict[str, Any]:
        found: dict[str, Any] = work.coder.ok("get", f"/api/projects/{work.project}")
        return found

    wait_until(
        lambda: project()["status"] == "completed",
        deadline,
        "the project to complete",
        interval=0.5,
        detail=lambda: json.dumps(project())[:1500] + "\n" + "\n".join(m for _, m in served.log_lines(work.project)),
    )
    done = project()
    assert [s["title"] for s in done["implementation_plan"]] == plan
    assert [s["status"] for s in done["implementation_plan"]] == ["done", "done"]
    assert served.log_lines(work.project)[: len(logged)] == logged, "the log before the fault is kept as it was"
    assert len(served.prompts(CODER, "hello.txt")) == 1, "the finished step was not done again"
    home = served.settings.users_dir / CODER / "projects" / "greetings"
    assert (home / "hello.txt").read_text() == "hello\n"
    assert (home / "world.txt").read_text() == "w\n"
