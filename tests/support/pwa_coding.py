"""A coding agent's owner for browser tests against a real `autocode serve`: an account with both provider
keys pointed at the scripted servers, a coding agent, a started sandbox, and the scripted servers running
INSIDE that sandbox (test sandboxes have no route out), reached through the keys' base URLs as a user sets them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import docker
import httpx

from controlplane.config import Settings
from tests.support.coding_world import (
    ANTHROPIC_PORT,
    CLAUDE_KEY,
    FAKES,
    MANAGER_KEY,
    OPENAI_PORT,
    plan_reply,
    verdict,
)
from tests.support.pwa import bearer
from tests.support.waiting import wait_until

WEATHER_WORKSPACE = "/home/agent/projects/weather-cli"
# A two-step project that goes well: the manager's side ...
WEATHER_OPENAI: dict[str, Any] = {
    "rules": [
        {"match": "TASK: plan", "reply": plan_reply(("Write weather.py", "a CLI"), ("Write README.md", "usage"))},
        {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create weather.py that prints sunny."},
        {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create README.md describing weather.py."},
        {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
    ]
}
# ... and Claude Code's.
WEATHER_ANTHROPIC: dict[str, Any] = {
    "turns": [
        {
            "match": "weather.py that prints",
            "responses": [
                {
                    "tool_use": {
                        "name": "Write",
                        "input": {"file_path": f"{WEATHER_WORKSPACE}/weather.py", "content": "print('sunny')\n"},
                    }
                },
                {"text": "Created weather.py; it prints sunny.", "delay": 1},
            ],
        },
        {
            "match": "README.md",
            "responses": [
                {
                    "tool_use": {
                        "name": "Write",
                        "input": {"file_path": f"{WEATHER_WORKSPACE}/README.md", "content": "# Weather\n"},
                    }
                },
                {"text": "Wrote README.md."},
            ],
        },
    ]
}


def fakes_dir(settings: Settings, username: str) -> Path:
    """Where the scripted providers' files are, seen from the host (the sandbox's /home/agent/.fakes); the
    OpenAI server reads its scenario (openai.json) again when the file changes."""
    return settings.data_dir / "users" / username / ".fakes"


def prepare_coder(
    base: str,
    settings: Settings,
    engine: docker.DockerClient,
    *,
    admin_password: str,
    username: str,
    password: str,
    openai: dict[str, Any] = WEATHER_OPENAI,
    anthropic: dict[str, Any] = WEATHER_ANTHROPIC,
) -> int:
    """Create the account, its keys, a coding agent (its manager on the scripted OpenAI server) and its
    sandbox with both scripted servers answering; returns the agent's id."""
    admin = bearer(base, "admin", admin_password)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": username, "password": password})
    assert created.status_code == 201, created.text
    return equip_coder(base, settings, engine, username=username, password=password, openai=openai, anthropic=anthropic)


def equip_coder(
    base: str,
    settings: Settings,
    engine: docker.DockerClient,
    *,
    username: str,
    password: str,
    openai: dict[str, Any],
    anthropic: dict[str, Any],
) -> int:
    """prepare_coder() for an account that exists: its keys, a coding agent, its sandbox with both scripted servers
    answering; returns the agent's id."""
    me = bearer(base, username, password)
    for provider, key, port, suffix in (
        ("openai", MANAGER_KEY, OPENAI_PORT, "/v1"),
        ("anthropic", CLAUDE_KEY, ANTHROPIC_PORT, ""),
    ):
        body = {"provider": provider, "key": key, "base_url": f"http://127.0.0.1:{port}{suffix}"}
        assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=body).status_code == 201
    agent = httpx.post(
        f"{base}/api/agents", headers=me, json={"template": "coding", "name": "Coder", "model": "openai/gpt-test"}
    )
    assert agent.status_code == 201, agent.text
    start_scripted_providers(
        base, settings, engine, username=username, password=password, openai=openai, anthropic=anthropic
    )
    return int(agent.json()["id"])


def start_scripted_providers(
    base: str,
    settings: Settings,
    engine: docker.DockerClient,
    *,
    username: str,
    password: str,
    openai: dict[str, Any],
    anthropic: dict[str, Any],
) -> None:
    """Start the account's sandbox and both scripted servers inside it (OpenAI on OPENAI_PORT, Anthropic on
    ANTHROPIC_PORT), answering from these scenarios; returns once both answer."""
    me = bearer(base, username, password)
    user_id = httpx.get(f"{base}/api/auth/me", headers=me).json()["id"]
    assert httpx.post(f"{base}/api/sandbox/start", headers=me, timeout=120).status_code == 200

    uid = settings.sandbox_uid_base + user_id
    fakes = fakes_dir(settings, username)
    fakes.mkdir()
    for name in ("openai_server.py", "anthropic_server.py"):
        (fakes / name).write_text((FAKES / name).read_text())
    (fakes / "openai.json").write_text(json.dumps(openai))
    (fakes / "anthropic.json").write_text(json.dumps(anthropic))
    for path in [fakes, *fakes.iterdir()]:
        os.chown(path, uid, uid)
    container = engine.containers.get(f"{settings.sandbox_name_prefix}{username}")
    for name, port in (("openai", OPENAI_PORT), ("anthropic", ANTHROPIC_PORT)):
        server = f"/home/agent/.fakes/{name}_server.py"
        script, record = f"/home/agent/.fakes/{name}.json", f"/home/agent/.fakes/{name}-requests.jsonl"
        command = ["python3", server, "--port", str(port), "--script", script, "--record", record]
        container.exec_run(command, user=f"{uid}:{uid}", detach=True)
    probe = [
        "python3",
        "-c",
        "import urllib.request,sys; [urllib.request.urlopen(u, timeout=2) for u in sys.argv[1:]]",
        f"http://127.0.0.1:{OPENAI_PORT}/health",
        f"http://127.0.0.1:{ANTHROPIC_PORT}/",
    ]
    wait_until(
        lambda: container.exec_run(probe, user=f"{uid}:{uid}").exit_code == 0, 30, "the scripted servers", interval=0.25
    )
