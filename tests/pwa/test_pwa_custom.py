"""A custom agent through the PWA in a real Chromium, at phone and desktop width: built from scratch in the Agent
Builder (an Anthropic model on the scripted server, the tiny MCP server the tests ship started over stdio inside the
sandbox, with a secret in its environment), a new chat on its page, a message whose reply streams after the tool
card of the MCP tool, the chat listed under the title of its first message; then the agent's edit page, loaded
afresh, shows the secret masked with its hint, keeps it when saved unchanged, and puts the server's refusal of a
mask where nothing was saved under that value. Against a real `autocode serve` with a real sandbox, the custom kind's
nanobot and the scripted Anthropic server inside the sandbox reached through the key's base URL."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from controlplane.config import Settings
from tests.support.coding_world import ANTHROPIC_PORT, CLAUDE_KEY
from tests.support.engine import serving_pwa
from tests.support.pwa import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    WIDTHS,
    accessibility_violations,
    bearer,
    goto,
    messages_under,
    no_horizontal_overflow,
    shot,
    sign_in,
)
from tests.support.pwa_coding import start_scripted_providers

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "family-password-1"
SERVER_SOURCE = Path(__file__).parents[1] / "support" / "fakes" / "tiny_mcp_server.py"
SERVER = "/home/agent/mcp/tiny_mcp_server.py"
PYTHON = "/opt/autocode/venv/bin/python"  # the sandbox's venv, which has the `mcp` package
MODEL_LABEL = "The model that plans and checks the work"
MASK = "••••••••"
QUESTION = "What is an apple?"
REPLY = "An apple is a fruit: crisp, sweet and good in a pie. "
ANTHROPIC: dict[str, Any] = {
    "turns": [
        {
            "match": "apple",
            "responses": [
                {"tool_use": {"name": "mcp_tiny_lookup", "input": {"word": "apple"}}},
                {"text": REPLY * 4, "chunk_delay": 0.1},
            ],
        },
        {
            "match": "again",
            "responses": [
                {"tool_use": {"name": "mcp_tiny_lookup", "input": {"word": "apple"}}},
                {"text": "Still a fruit."},
            ],
        },
    ],
    "default": "Noted.",
}


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    return sandbox_settings.model_copy(update={"sandbox_memory": "1g"})  # nanobot and an MCP server, Python each


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD) as base:
        yield base


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def prepare_family(base: str, settings: Settings, engine: docker.DockerClient, username: str) -> None:
    """An account with an Anthropic key on the scripted server, its sandbox with the scripted server answering, and
    the tiny MCP server's file in its home."""
    admin = bearer(base, "admin", ADMIN_PASSWORD)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": username, "password": PASSWORD})
    assert created.status_code == 201, created.text
    me = bearer(base, username, PASSWORD)
    key = {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
    assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=key).status_code == 201
    start_scripted_providers(
        base, settings, engine, username=username, password=PASSWORD, openai={"rules": []}, anthropic=ANTHROPIC
    )
    user_id = int(httpx.get(f"{base}/api/auth/me", headers=me).json()["id"])
    uid = settings.sandbox_uid_base + user_id
    folder = settings.data_dir / "users" / username / "mcp"  # the sandbox's /home/agent/mcp
    folder.mkdir()
    (folder / "tiny_mcp_server.py").write_text(SERVER_SOURCE.read_text())
    for path in (folder, folder / "tiny_mcp_server.py"):
        os.chown(path, uid, uid)


def no_serious_violations(page: Page) -> None:
    found = accessibility_violations(page)
    assert found == [], found


def build_agent(page: Page, token: str) -> None:
    """The Agent Builder, from scratch: a name, the model, and the tiny MCP server with its secret."""
    page.get_by_role("button", name="Build from scratch").click()
    page.get_by_label("Name", exact=True).fill("Pantry helper")
    page.get_by_label(MODEL_LABEL).select_option(label="Other…")
    page.get_by_label("Model name").fill("anthropic/claude-sonnet-4-5")
    page.get_by_role("textbox", name="Identity").fill("You know what is in the pantry.")
    page.get_by_text("Advanced: connections to other services (MCP servers)").click()
    page.get_by_role("button", name="Add MCP server").click()
    page.get_by_label("Server name").fill("tiny")
    page.get_by_label("Command", exact=True).fill("python3 tiny.py")
    expect(page.get_by_text("Give one program, such as npx or /usr/bin/python3")).to_be_visible()
    page.get_by_label("Command", exact=True).fill(PYTHON)
    expect(page.get_by_text("Give one program, such as npx or /usr/bin/python3")).to_have_count(0)
    page.get_by_label("Arguments (one per line)").fill(SERVER)
    page.get_by_role("button", name="Add variable").click()
    page.get_by_label("Variable name 1").fill("TINY_TOKEN")
    page.get_by_label("Value 1", exact=True).fill(token)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_custom_agent_is_built_and_calls_its_mcp_tool_in_a_chat(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    username = f"family{width_name}"
    prepare_family(server, sandbox_settings, engine_client, username)
    token = f"tiny-token-{uuid.uuid4().hex}"
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, username, PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

        # Built from scratch in the Agent Builder.
        goto(page, f"{server}/agents/new")
        build_agent(page, token)
        shot(page, "custom-builder", width_name)
        no_serious_violations(page)
        page.get_by_role("button", name="Create agent").click()
        expect(page.get_by_role("heading", name="Pantry helper", level=1)).to_be_visible()
        agent_url = page.url
        me = bearer(server, username, PASSWORD)
        [agent] = httpx.get(f"{server}/api/agents", headers=me).json()
        assert (agent["type"], agent["model"]) == ("custom", "anthropic/claude-sonnet-4-5")
        assert agent["mcp_servers"] == {"tiny": {"command": PYTHON, "args": [SERVER], "env": {"TINY_TOKEN": MASK}}}
        expect(page.get_by_text("No chats yet. Start one with “+ New Chat”.")).to_be_visible()

        # A new chat: the reply streams after the MCP tool's card, and the chat takes its first message's title.
        page.get_by_role("button", name="+ New Chat").click()
        expect(page.get_by_role("heading", name="New chat", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Attach files")).to_have_count(0)  # words only
        page.get_by_label("Your message").fill(QUESTION)
        page.get_by_role("button", name="Send", exact=True).click()
        writing = page.locator('li[data-role="assistant"][data-status="writing"]')
        expect(writing).to_contain_text("An apple is a fruit", timeout=120_000)
        card = writing.locator('[data-tool-name="mcp_tiny_lookup"]')
        expect(card).to_have_text("Used the tool tiny_lookup")
        expect(page.get_by_role("button", name="Stop")).to_be_visible()
        reply = page.locator('li[data-role="assistant"][data-status="done"]')
        expect(reply).to_contain_text("good in a pie.", timeout=60_000)
        done = reply.locator('[data-tool-id][data-status="done"]')
        expect(done).to_contain_text("apple")
        expect(done).to_contain_text(f"apple is a fruit (secret digest {digest(token)})")  # the server got its secret
        expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
        assert no_horizontal_overflow(page)
        shot(page, "custom-chat", width_name)
        no_serious_violations(page)

        # The agent's page lists the chat under its title.
        page.get_by_role("link", name="← Pantry helper").click()
        chats = page.get_by_role("list", name="Chats")
        expect(chats.get_by_role("link", name=QUESTION)).to_be_visible()
        expect(chats).to_contain_text("Last used")
        shot(page, "custom-agent-page", width_name)
        no_serious_violations(page)

        # The edit page, loaded afresh: the secret is masked with its hint; saved unchanged, it is kept.
        goto(page, f"{agent_url}/edit")
        value = page.get_by_label("Value 1", exact=True)
        expect(value).to_have_value(MASK)
        assert "Saved; type a new value to change it." in messages_under(value)
        assert token not in page.content()
        # A mask where nothing was saved: the server's refusal sits under that value.
        page.get_by_role("button", name="Add variable").click()
        page.get_by_label("Variable name 2").fill("OTHER")
        page.get_by_label("Value 2", exact=True).fill(MASK)
        page.get_by_role("button", name="Save changes").click()
        other = page.get_by_label("Value 2", exact=True)
        expect(other).to_have_attribute("aria-invalid", "true")
        assert messages_under(other) == ["This value was never saved: type the secret itself."]
        shot(page, "custom-edit-secret", width_name)
        no_serious_violations(page)
        page.get_by_role("button", name="Remove OTHER").click()
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("heading", name="Pantry helper", level=1)).to_be_visible()
        [kept] = httpx.get(f"{server}/api/agents", headers=me).json()
        assert kept["mcp_servers"]["tiny"]["env"] == {"TINY_TOKEN": MASK}

        # Kept means kept: a second chat's tool call still gets the secret.
        page.get_by_role("button", name="+ New Chat").click()
        expect(page.get_by_role("heading", name="New chat", level=1)).to_be_visible()
        page.get_by_label("Your message").fill("And an apple again?")
        page.get_by_role("button", name="Send", exact=True).click()
        again = page.locator('li[data-role="assistant"][data-status="done"]')
        expect(again.locator("[data-tool-id]")).to_contain_text(digest(token), timeout=120_000)
        browser.close()
