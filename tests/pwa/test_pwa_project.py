"""A coding project through the PWA in a real Chromium: create it, start it, watch the plan progress, the
live log and Claude Code's terminal, against a real `autocode serve` with a real sandbox, the real Claude
Code and the real manager (the paid providers are the scripted servers, inside the sandbox)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from controlplane.config import Settings
from tests.support.coding_world import (
    ANTHROPIC_PORT,
    CLAUDE_KEY,
    FAKES,
    MANAGER_KEY,
    OPENAI_PORT,
    CodingWorld,
    plan_reply,
    verdict,
)
from tests.support.engine import serving_pwa
from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, accessibility_violations, shot, sign_in

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "coder-password-1"
WORKSPACE = "/home/agent/projects/weather-cli"


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    # Claude Code and the manager need more than the other sandbox tests' memory; poll faster.
    with serving_pwa(
        sandbox_settings, ADMIN_PASSWORD, AUTOCODE_SANDBOX_MEMORY="1g", AUTOCODE_PROJECT_POLL_SECONDS="0.5"
    ) as base:
        yield base


def bearer(base: str, username: str, password: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


OPENAI_SCENARIO = {
    "rules": [
        {"match": "TASK: plan", "reply": plan_reply(("Write weather.py", "a CLI"), ("Write README.md", "usage"))},
        {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create weather.py that prints sunny."},
        {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create README.md describing weather.py."},
        {"match": "TASK: evaluate", "reply": verdict("complete", "the file exists")},
    ]
}


def fakes_dir(settings: Settings) -> Path:
    """Where the scripted providers' files are, seen from the host (the sandbox's /home/agent/.fakes)."""
    return settings.data_dir / "users" / "coder" / ".fakes"


def prepare_user(
    base: str, settings: Settings, engine: docker.DockerClient, openai: dict[str, Any] | None = None
) -> int:
    """An account with both provider keys and a coding agent, and the scripted providers in its sandbox; the
    OpenAI server answers from `openai` (default: a two-step project that goes well)."""
    admin = bearer(base, "admin", ADMIN_PASSWORD)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": "coder", "password": PASSWORD})
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    me = bearer(base, "coder", PASSWORD)
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
    assert httpx.post(f"{base}/api/sandbox/start", headers=me, timeout=120).status_code == 200

    openai = openai or OPENAI_SCENARIO
    anthropic = {
        "turns": [
            {
                "match": "weather.py that prints",
                "responses": [
                    {
                        "tool_use": {
                            "name": "Write",
                            "input": {"file_path": f"{WORKSPACE}/weather.py", "content": "print('sunny')\n"},
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
                            "input": {"file_path": f"{WORKSPACE}/README.md", "content": "# Weather\n"},
                        }
                    },
                    {"text": "Wrote README.md."},
                ],
            },
        ]
    }
    uid = settings.sandbox_uid_base + user_id
    fakes = fakes_dir(settings)
    fakes.mkdir()
    for name in ("openai_server.py", "anthropic_server.py"):
        (fakes / name).write_text((FAKES / name).read_text())
    (fakes / "openai.json").write_text(json.dumps(openai))
    (fakes / "anthropic.json").write_text(json.dumps(anthropic))
    for path in [fakes, *fakes.iterdir()]:
        os.chown(path, uid, uid)
    container = engine.containers.get(f"{settings.sandbox_name_prefix}coder")
    for name, port in (("openai", OPENAI_PORT), ("anthropic", ANTHROPIC_PORT)):
        container.exec_run(
            [
                "python3",
                f"/home/agent/.fakes/{name}_server.py",
                "--port",
                str(port),
                "--script",
                f"/home/agent/.fakes/{name}.json",
                "--record",
                f"/home/agent/.fakes/{name}-requests.jsonl",
            ],
            user=f"{uid}:{uid}",
            detach=True,
        )
    probe = [
        "python3",
        "-c",
        "import urllib.request,sys; [urllib.request.urlopen(u, timeout=2) for u in sys.argv[1:]]",
        f"http://127.0.0.1:{OPENAI_PORT}/health",
        f"http://127.0.0.1:{ANTHROPIC_PORT}/",
    ]
    CodingWorld.wait(lambda: container.exec_run(probe, user=f"{uid}:{uid}").exit_code == 0, 30, "the scripted servers")
    return agent.json()["id"]


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_project_is_created_started_and_followed_in_the_pwa(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_user(server, sandbox_settings, engine_client)
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, "coder", PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        page.goto(f"{server}/agents/{agent_id}")
        expect(page.get_by_role("heading", name="Projects")).to_be_visible()
        page.get_by_role("button", name="+ New Project").click()
        page.get_by_label("Project name").fill("Weather CLI")
        page.get_by_label("Goal", exact=True).fill("A command-line tool that prints the weather, with a README.")
        shot(page, "project-new", width_name)
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_role("heading", name="Weather CLI")).to_be_visible()
        expect(page.get_by_text("The plan is written when the project starts.")).to_be_visible()
        page.get_by_role("button", name="Start", exact=True).click()

        steps = page.get_by_role("list", name="Plan steps")
        expect(steps.get_by_role("listitem")).to_have_count(2, timeout=60_000)
        expect(steps).to_contain_text("Write weather.py")
        expect(page.get_by_role("progressbar", name="2 of 2 steps done")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("completed", exact=True)).to_be_visible()
        log = page.get_by_role("list", name="Project log")
        expect(log).to_contain_text("Plan of 2 steps")
        expect(log).to_contain_text("Sent to Claude Code: Create weather.py")
        expect(log).to_contain_text("the project is completed")
        shot(page, "project-completed", width_name)
        assert accessibility_violations(page) == []

        page.get_by_role("tab", name="Terminal").click()
        terminal = page.get_by_role("application", name="Terminal project-1")
        expect(terminal.locator(".xterm-rows")).to_contain_text("Wrote README.md", timeout=30_000)
        shot(page, "project-terminal", width_name)
        browser.close()
    assert (sandbox_settings.data_dir / "users" / "coder" / "projects" / "weather-cli" / "weather.py").exists()
