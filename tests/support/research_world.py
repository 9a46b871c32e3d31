"""A research instance in a real sandbox, driven the way the control plane drives it: `instance.start`,
`instance.send` and the `instance.*` events of the runner channel. The real Claude Code runs in it against the
scripted Anthropic server (started inside the sandbox: test sandboxes have no route out)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import docker
import httpx
from autocode_runner.contract.wire import InstanceKind

from controlplane.config import Settings
from tests.support.coding_world import ANTHROPIC_PORT, CLAUDE_KEY
from tests.support.fakes.claude_sandbox import HOME, FakeApi, wait_until
from tests.support.pwa import bearer
from tests.support.pwa_coding import fakes_dir, start_scripted_providers

KIND = InstanceKind.RESEARCH.value
# The research the scripts write into, and a reply long enough to be stopped halfway.
REPORT = f"{HOME}/research/alpha/report.md"
LONG_STORY = "Once upon a time there was a very long story that went on and on, and on, " * 4


def said_to_the_model(request: dict[str, Any]) -> str:
    """Everything a recorded request sent the model: system prompt and messages (what isolation is judged on)."""
    return json.dumps({"system": request["body"].get("system"), "messages": request["body"].get("messages")})


def research_spec(api: FakeApi, slug: str, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "workspace": f"{HOME}/research/{slug}",
        "model": "anthropic/claude-sonnet-4-5",
        "system_prompt": f"You are the research agent {slug}.",
        "access": {"api_key": "scripted-token", "base_url": f"http://127.0.0.1:{api.port}"},
    }
    return {**spec, **overrides}


@dataclass
class EventLog:
    """Every runner event on the channel, kept in order; waits poll it with a deadline."""

    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, name: str, data: dict[str, Any]) -> None:
        with self.lock:
            self.items.append((name, data))

    def of(self, research: int, event: str = "instance.chat") -> list[dict[str, Any]]:
        with self.lock:
            return [data for name, data in self.items if name == event and data.get("id") == research]

    def chat(self, research: int, turn: int) -> list[dict[str, Any]]:
        return [data for data in self.of(research) if data.get("turn") == turn]

    def wait_end(self, research: int, turn: int, timeout: float = 60) -> dict[str, Any]:
        """The turn's `completed` or `error`."""

        def ended() -> bool:
            return any(data["type"] in ("completed", "error") for data in self.chat(research, turn))

        wait_until(ended, timeout, f"research {research} to end turn {turn}")
        return next(data for data in self.chat(research, turn) if data["type"] in ("completed", "error"))

    def session_ids(self, research: int) -> list[str]:
        return [data["session_id"] for data in self.of(research, "instance.state") if data.get("session_id")]


@dataclass
class Researches:
    harness: Any
    user: Any
    events: EventLog

    def start(self, research: int, spec: dict[str, Any]) -> int:
        return int(self.harness.call(self.user, "instance.start", {"kind": KIND, "id": research, "spec": spec})["pid"])

    def send(self, research: int, command: dict[str, Any]) -> None:
        self.harness.call(self.user, "instance.send", {"kind": KIND, "id": research, "command": command})

    def say(self, research: int, turn: int, text: str) -> None:
        self.send(research, {"type": "message", "turn": turn, "text": text})

    def stop(self, research: int) -> None:
        self.harness.call(self.user, "instance.stop", {"kind": KIND, "id": research})


def open_researches(harness: Any, user: Any) -> Researches:
    """The user's runner channel with an event log on it. The test app's supervisor is told nothing of the
    research kind, so it never judges these instances (the control plane's side is tested on its own)."""
    harness.app.state.supervisor.kinds.pop(InstanceKind.RESEARCH, None)
    channel = harness.run(harness.manager.ensure_ready, user)
    events = EventLog()
    channel.on_event(events)
    return Researches(harness, user, events)


# -- a research agent's owner for browser tests against a real `autocode serve` ------------------------------
def prepare_research_owner(
    base: str,
    settings: Settings,
    engine: docker.DockerClient,
    *,
    admin_password: str,
    username: str,
    password: str,
    anthropic: dict[str, Any],
) -> int:
    """An account with an Anthropic key on the scripted server, a research agent, and its sandbox with the
    scripted server answering from `anthropic` (inside the sandbox, reached through the key's base URL);
    returns the agent's id. What the server received: scripted_requests()."""
    admin = bearer(base, "admin", admin_password)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": username, "password": password})
    assert created.status_code == 201, created.text
    me = bearer(base, username, password)
    key = {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
    assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=key).status_code == 201
    agent = httpx.post(f"{base}/api/agents", headers=me, json={"template": "research", "name": "Librarian"})
    assert agent.status_code == 201, agent.text
    start_scripted_providers(
        base, settings, engine, username=username, password=password, openai={"rules": []}, anthropic=anthropic
    )
    return int(agent.json()["id"])


def scripted_requests(settings: Settings, username: str) -> list[dict[str, Any]]:
    """Every request the scripted Anthropic server of prepare_research_owner() recorded, oldest first."""
    record = fakes_dir(settings, username) / "anthropic-requests.jsonl"
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines() if line.strip()]
