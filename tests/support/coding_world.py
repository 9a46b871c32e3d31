"""A coding project against real parts: a real sandbox, the real Claude Code and the real nanobot manager,
with the two paid providers replaced by the scripted servers in tests/support/fakes/, started INSIDE the sandbox
(test sandboxes have no route out) and reached through the API keys' base URLs, as a user would set them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.engine import Harness
from tests.support.fakes import FAKES
from tests.support.waiting import wait_until

OPENAI_PORT = 18001
ANTHROPIC_PORT = 18002
MANAGER_KEY = "sk-test-manager-key-0001"
CLAUDE_KEY = "sk-ant-test-claude-key-0002"
PASSWORD = "password-123"


def plan_reply(*steps: tuple[str, str]) -> str:
    """The manager's plan as the fake OpenAI server answers it."""
    return json.dumps({"steps": [{"title": t, "details": d, "acceptance": f"{t} is done"} for t, d in steps]})


def verdict(kind: str, reason: str, message: str = "") -> str:
    return json.dumps({"verdict": kind, "reason": reason, "message": message})


@dataclass
class CodingWorld:
    harness: Harness
    username: str
    headers: dict[str, str]
    agent_id: int = 0

    @classmethod
    def create(cls, harness: Harness, username: str) -> CodingWorld:
        user = harness.user(username)
        harness.run(harness.manager.ensure_ready, user)
        login = harness.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        world = cls(harness, username, {"Authorization": f"Bearer {login.json()['access_token']}"})
        world.sandbox_user = user  # type: ignore[attr-defined]
        return world

    # -- the scripted providers --------------------------------------------------------------------------
    def start_fakes(self, openai_script: dict[str, Any], anthropic_script: dict[str, Any]) -> None:
        for name in ("openai_server.py", "anthropic_server.py"):
            self.write(f".fakes/{name}", (FAKES / name).read_text())
        self.write(".fakes/openai.json", json.dumps(openai_script))
        self.write(".fakes/anthropic.json", json.dumps(anthropic_script))
        self.run_fakes()

    def run_fakes(self) -> None:
        """(Re)start both servers from the scripts in .fakes/ (a sandbox restart ends them)."""
        for name, port, script in (("openai", OPENAI_PORT, "openai"), ("anthropic", ANTHROPIC_PORT, "anthropic")):
            command = (
                f"python3 /home/agent/.fakes/{name}_server.py --port {port} "
                f"--script /home/agent/.fakes/{script}.json --record /home/agent/.fakes/{script}-requests.jsonl"
            )
            self.harness.call(self.sandbox_user, "tmux.new", {"name": f"fake-{name}", "command": command})  # type: ignore[attr-defined]
        probe = (
            "python3 -c 'import urllib.request,sys; [urllib.request.urlopen(u, timeout=2) for u in sys.argv[1:]]' "
            f"http://127.0.0.1:{OPENAI_PORT}/health http://127.0.0.1:{ANTHROPIC_PORT}/"
        )
        self.wait(lambda: self.harness.sh(self.sandbox_user, probe)[0] == 0, 30, "the scripted servers")  # type: ignore[attr-defined]

    def requests(self, provider: str) -> list[dict[str, Any]]:
        path = self.home / ".fakes" / f"{provider}-requests.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # -- the API -------------------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.harness.client.request(method, path, json=body, headers=self.headers)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def add_keys(self) -> None:
        self.api(
            "post",
            "/api/settings/api-keys",
            {"provider": "openai", "key": MANAGER_KEY, "base_url": f"http://127.0.0.1:{OPENAI_PORT}/v1"},
            201,
        )
        self.api(
            "post",
            "/api/settings/api-keys",
            {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"},
            201,
        )

    def new_project(self, name: str, goal: str) -> dict[str, Any]:
        if not self.agent_id:
            agent = self.api(
                "post", "/api/agents", {"template": "coding", "name": "Coder", "model": "openai/gpt-test"}, 201
            )
            self.agent_id = agent["id"]
        return self.api("post", f"/api/agents/{self.agent_id}/projects", {"name": name, "description": goal}, 201)

    def project(self, project_id: int) -> dict[str, Any]:
        return self.api("get", f"/api/projects/{project_id}")

    def wait_for_project(
        self, project_id: int, condition: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def check() -> bool:
            found.update(self.project(project_id))
            if found["status"] == "failed" and not condition(found):
                raise AssertionError(f"the project failed: {found['escalation']}\nlogs:\n{self.log_text(project_id)}")
            return condition(found)

        self.wait(
            check, timeout, what, lambda: f"project: {json.dumps(found)[:2000]}\nlogs:\n{self.log_text(project_id)}"
        )
        return found

    def logs(self, project_id: int) -> list[dict[str, Any]]:
        return self.harness.app.state.logs.backlog(project_id, 0)

    def log_text(self, project_id: int) -> str:
        return "\n".join(f"[{e['level']}] {e['message']}" for e in self.logs(project_id))

    # -- files ---------------------------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.harness.settings.data_dir / "users" / self.username

    def write(self, path: str, content: str) -> None:
        self.harness.call(self.sandbox_user, "fs.write", {"path": path, "content": content, "parents": True})  # type: ignore[attr-defined]

    @staticmethod
    def wait(condition: Callable[[], bool], timeout: float, what: str, detail: Callable[[], str] | None = None) -> None:
        wait_until(condition, timeout, what, interval=0.25, detail=detail)
