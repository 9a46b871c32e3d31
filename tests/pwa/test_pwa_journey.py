"""The whole PWA in a real Chromium against a real `autocode serve` with real sandboxes.

One family's first day, at phone and at desktop width: the admin creates an account; the new user creates
an agent from a template and a custom one, adds an API key and sees it masked, watches the sandbox state
change live, types a command into the sandbox terminal and sees its output; then the admin manages the
account (password reset, sandbox restart and stop, deletion with a typed confirmation). Every page is
checked with axe-core and for horizontal overflow, and screenshotted into artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from controlplane.config import Settings
from tests.support.engine import serving_pwa
from tests.support.pwa import (
    WIDTHS,
    accessibility_violations,
    navigate,
    no_horizontal_overflow,
    open_navigation,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "family-password-1"
API_KEY = "sk-test-secret-value-7f3a"
# The agent's model field says what the model does (its technical name, "manager model", is in the hint).
MODEL = "The model that plans and checks the work"


@dataclass
class Server:
    base: str

    def token(self, username: str, password: str) -> str:
        response = httpx.post(f"{self.base}/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def get(self, path: str, token: str) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[Server]:
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD) as base:
        yield Server(base)


class Checked:
    """A page at one width whose every visited screen is screenshotted, axe-checked and overflow-checked."""

    def __init__(self, page: Page, width_name: str) -> None:
        self.page = page
        self.width_name = width_name

    def screen(self, name: str) -> None:
        shot(self.page, name, self.width_name)
        assert accessibility_violations(self.page) == [], name
        assert no_horizontal_overflow(self.page), f"{name} is wider than the {self.width_name} viewport"


def user_card(page: Page, username: str) -> Locator:
    return page.get_by_role("list", name="Accounts").get_by_role("listitem", name=username, exact=True)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_familys_first_day(server: Server, browser: Browser, width_name: str) -> None:
    width, height = WIDTHS[width_name]
    username = f"kid-{width_name}"

    # The admin creates the account.
    admin = Checked(browser.new_context(viewport={"width": width, "height": height}).new_page(), width_name)
    sign_in(admin.page, server.base, "admin", ADMIN_PASSWORD)
    expect(admin.page.get_by_role("heading", name="Dashboard")).to_be_visible()
    navigate(admin.page, "Admin Panel")
    expect(admin.page.get_by_role("heading", name="Admin Panel")).to_be_visible()
    admin.page.get_by_label("New username").fill("Not Valid!")
    admin.page.get_by_label("New password").fill("short")
    admin.page.get_by_role("button", name="Create user").click()
    expect(admin.page.get_by_text("Please correct the highlighted fields.")).to_be_visible()
    expect(admin.page.get_by_label("New username")).to_have_attribute("aria-invalid", "true")
    admin.page.get_by_label("New username").fill(username)
    admin.page.get_by_label("New password").fill(USER_PASSWORD)
    admin.page.get_by_role("button", name="Create user").click()
    expect(admin.page.get_by_text(f"Created {username}.")).to_be_visible()
    card = user_card(admin.page, username)
    expect(card).to_contain_text("User · 0 agents")
    expect(card).to_contain_text("not created")
    admin.screen("admin-panel")

    # The user signs in: no Admin Panel for them.
    user = Checked(browser.new_context(viewport={"width": width, "height": height}).new_page(), width_name)
    sign_in(user.page, server.base, username, USER_PASSWORD)
    expect(user.page.get_by_role("heading", name="Your agents")).to_be_visible()
    expect(user.page.get_by_text("No agents yet.")).to_be_visible()
    user.screen("dashboard")
    open_navigation(user.page)
    expect(user.page.get_by_role("link", name="Settings")).to_be_visible()
    expect(user.page.get_by_role("link", name="Admin Panel")).to_have_count(0)

    # An agent from a template, customised.
    user.page.get_by_role("navigation", name="Main").get_by_role("link", name="+ New Agent").click()
    expect(user.page.get_by_role("button", name="Use template: Coding Agent")).to_be_visible()
    user.screen("agent-builder")
    user.page.get_by_role("button", name="Use template: Coding Agent").click()
    expect(user.page.get_by_label(MODEL)).to_have_value("openai/gpt-5.3-codex")
    user.page.get_by_label("Name", exact=True).fill("Homework helper")
    user.page.get_by_role("group", name="Identity: view").get_by_role("button", name="Preview").click()
    expect(user.page.get_by_role("listitem").filter(has_text="Give Claude Code one step at a time")).to_be_visible()
    user.screen("agent-builder-template")
    user.page.get_by_role("button", name="Create agent").click()
    expect(user.page.get_by_role("heading", name="Homework helper")).to_be_visible()
    expect(user.page.get_by_text("Coding agent · openai/gpt-5.3-codex")).to_be_visible()
    user.screen("agent-page")

    # A custom agent from scratch: the server's message appears next to the field, then it is fixed.
    open_navigation(user.page)
    expect(user.page.get_by_role("navigation", name="Main").get_by_role("link", name="Homework helper")).to_be_visible()
    user.page.get_by_role("navigation", name="Main").get_by_role("link", name="+ New Agent").click()
    user.page.get_by_role("button", name="Build from scratch").click()
    user.page.get_by_label("Name", exact=True).fill("Recipe finder")
    user.page.get_by_label(MODEL).select_option(label="Other…")  # a model the list does not offer
    user.page.get_by_label("Model name").fill("gpt")
    user.page.get_by_role("button", name="Create agent").click()
    expect(user.page.get_by_text('Model must look like "provider/model"')).to_be_visible()
    expect(user.page.get_by_label("Model name")).to_have_attribute("aria-invalid", "true")
    user.page.get_by_label("Model name").fill("anthropic/claude-sonnet-4-5")
    user.page.get_by_role("textbox", name="Identity").fill("You find **family recipes**.")
    user.page.get_by_role("checkbox", name="Read web pages").check()  # tools are shown by their plain names
    user.page.get_by_text("Advanced: connections to other services (MCP servers)").click()
    user.page.get_by_role("button", name="Add MCP server").click()
    user.page.get_by_label("Server name").fill("pantry")
    user.page.get_by_label("Command", exact=True).fill("pantry-mcp")
    user.page.get_by_label("Arguments (one per line)").fill("--readonly\n/home/agent/pantry")
    user.page.get_by_role("button", name="JSON", exact=True).click()
    expect(user.page.get_by_label("MCP servers as JSON")).to_have_value(
        '{\n  "pantry": {\n    "command": "pantry-mcp",\n    "args": [\n      "--readonly",\n'
        '      "/home/agent/pantry"\n    ],\n    "env": {}\n  }\n}'
    )
    user.page.get_by_label("MCP servers as JSON").fill('{"pantry": {"command": ')
    expect(user.page.get_by_text("Not valid JSON")).to_be_visible()
    expect(user.page.get_by_role("button", name="Create agent")).to_be_disabled()
    user.page.get_by_label("MCP servers as JSON").fill(
        '{"pantry": {"command": "pantry-mcp", "args": ["--readonly"]}, "web": {"url": "http://127.0.0.1:9/mcp"}}'
    )
    user.screen("agent-builder-custom")
    user.page.get_by_role("button", name="Create agent").click()
    expect(user.page.get_by_role("heading", name="Recipe finder")).to_be_visible()
    token = server.token(username, USER_PASSWORD)
    agents = {a["name"]: a for a in server.get("/api/agents", token).json()}
    assert agents["Recipe finder"]["type"] == "custom"
    assert agents["Recipe finder"]["tools"] == ["web_fetch"]
    assert agents["Recipe finder"]["identity"] == "You find **family recipes**."
    assert agents["Recipe finder"]["mcp_servers"] == {
        "pantry": {"command": "pantry-mcp", "args": ["--readonly"], "env": {}},
        "web": {"url": "http://127.0.0.1:9/mcp", "headers": {}},
    }
    assert agents["Homework helper"]["type"] == "coding"

    # Editing keeps what was not touched.
    user.page.get_by_role("link", name="Edit agent").click()
    user.page.get_by_label("Name", exact=True).fill("Recipe finder 2")
    user.page.get_by_role("button", name="Save changes").click()
    expect(user.page.get_by_role("heading", name="Recipe finder 2")).to_be_visible()
    edited = next(a for a in server.get("/api/agents", token).json() if a["name"] == "Recipe finder 2")
    assert edited["mcp_servers"] == agents["Recipe finder"]["mcp_servers"] and edited["tools"] == ["web_fetch"]

    # Deleting asks first, and only once the agent's name is typed (it deletes all its work too).
    user.page.get_by_role("button", name="Delete agent").click()
    confirm = user.page.get_by_role("button", name="Yes, delete Recipe finder 2")
    expect(confirm).to_be_disabled()
    user.page.get_by_label("To confirm, type the agent's name: Recipe finder 2").fill("Recipe finder 2")
    confirm.click()
    expect(user.page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(user.page.get_by_role("region", name="Your agents")).not_to_contain_text("Recipe finder")
    assert [a["name"] for a in server.get("/api/agents", token).json()] == ["Homework helper"]

    # An API key: stored, shown masked, never shown whole.
    navigate(user.page, "Settings")
    user.page.get_by_label("Provider").fill("openai")
    user.page.get_by_label("API key", exact=True).fill(API_KEY)
    user.page.get_by_label("Base URL (optional)").fill("http://127.0.0.1:9/v1")
    user.page.get_by_role("button", name="Add key").click()
    keys = user.page.get_by_role("list", name="Your API keys")
    expect(keys).to_contain_text("openai")
    expect(keys).to_contain_text("••••7f3a")
    expect(user.page.get_by_label("API key", exact=True)).to_have_value("")
    assert API_KEY not in user.page.content()
    user.screen("settings")

    # The dashboard follows the sandbox live: started elsewhere, it turns "running" without a reload.
    navigate(user.page, "Dashboard")
    sandbox = user.page.get_by_role("region", name="Your workspace")
    expect(sandbox).to_contain_text("not created")
    started = httpx.post(f"{server.base}/api/sandbox/start", headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert started.status_code == 200, started.text
    expect(sandbox).to_contain_text("running")
    user.screen("dashboard-running")

    # The workspace terminal: a typed command's output appears.
    navigate(user.page, "Workspace terminal")
    terminal = user.page.get_by_role("application", name="Terminal shell")
    expect(terminal.locator(".xterm-rows")).to_contain_text("$", timeout=60_000)  # the shell's prompt
    terminal.click()
    user.page.keyboard.type("echo pwa-$((6*7))")
    user.page.keyboard.press("Enter")
    expect(terminal.locator(".xterm-rows")).to_contain_text("pwa-42", timeout=30_000)
    user.screen("terminal")

    # The admin sees it all and manages the account.
    admin.page.reload()
    card = user_card(admin.page, username)
    expect(card).to_contain_text("User · 1 agent")
    expect(card).to_contain_text("running")
    card.get_by_role("button", name="Restart workspace").click()
    expect(card.get_by_role("button", name="Restart workspace")).to_be_enabled(timeout=120_000)
    expect(card).to_contain_text("running")
    card.get_by_role("button", name="Stop workspace").click()
    expect(card).to_contain_text("stopped", timeout=120_000)
    # The person's open terminal says so in plain words and offers to connect again; it did not start it again.
    expect(user.page.get_by_text("This terminal session ended.")).to_be_visible()
    expect(user.page.get_by_role("button", name="Reconnect")).to_be_visible()
    expect(terminal.locator(".xterm-rows")).to_contain_text("[session ended]")
    user.screen("terminal-ended")
    workspace = server.get("/api/sandbox", token).json()
    assert (workspace["state"], workspace["desired_state"]) == ("stopped", "stopped")
    card.get_by_role("button", name="Reset password").click()
    card.get_by_label(f"New password for {username}").fill("a-new-family-password")
    card.get_by_role("button", name="Set password", exact=True).click()
    expect(card.get_by_text("password was changed")).to_be_visible()
    assert server.token(username, "a-new-family-password")
    card.get_by_role("button", name="Delete user").click()
    confirm = card.get_by_role("button", name=f"Delete {username}")
    expect(confirm).to_be_disabled()
    card.get_by_label(f"Type {username} to confirm").fill(username[:-1])
    expect(confirm).to_be_disabled()
    admin.screen("admin-delete-confirmation")
    card.get_by_label(f"Type {username} to confirm").fill(username)
    confirm.click()
    expect(user_card(admin.page, username)).to_have_count(0)
    users = server.get("/api/users", server.token("admin", ADMIN_PASSWORD)).json()
    assert username not in {u["username"] for u in users}
