"""The research agent through the PWA in a real Chromium, at phone and desktop width: create a research, send a
message, watch the reply stream with its tool card (a Write of report.md), open the file in the Files tab,
reload, and continue the conversation. Against a real `autocode serve` with a real sandbox, the real Claude
Code, and the scripted Anthropic server inside the sandbox reached through the key's base URL."""

from __future__ import annotations

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
    SCREENSHOTS,
    WIDTHS,
    accessibility_violations,
    bearer,
    goto,
    shot,
    sign_in,
)
from tests.support.pwa_coding import start_scripted_providers

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "reader-password-1"
REPORT = "/home/agent/research/books/report.md"  # the research named "Books"
LIST_REPLY = (
    "I wrote **report.md** with a reading list for a rainy day. It starts with *Rebecca*, goes on to "
    "*The Remains of the Day* and ends with a few short stories to read by the window while it pours."
)
ANTHROPIC: dict[str, Any] = {
    "turns": [
        {
            "match": "rainy day",
            "responses": [
                {
                    "tool_use": {
                        "name": "Write",
                        "input": {"file_path": REPORT, "content": "# Reading list\n\n- Rebecca\n"},
                    }
                },
                {"text": LIST_REPLY, "chunk_delay": 0.15},
            ],
        },
        {"match": "sunny day", "responses": [{"text": "For a sunny day: *The Hobbit*, outdoors."}]},
    ],
    "default": "Noted.",
}


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    # Claude Code takes about 250 MB of the sandbox.
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD, AUTOCODE_SANDBOX_MEMORY="1g") as base:
        yield base


def prepare_reader(base: str, settings: Settings, engine: docker.DockerClient) -> int:
    """An account with an Anthropic key on the scripted server, a research agent, and its sandbox with the
    scripted server answering; returns the agent's id."""
    admin = bearer(base, "admin", ADMIN_PASSWORD)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": "reader", "password": PASSWORD})
    assert created.status_code == 201, created.text
    me = bearer(base, "reader", PASSWORD)
    key = {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
    assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=key).status_code == 201
    agent = httpx.post(f"{base}/api/agents", headers=me, json={"template": "research", "name": "Librarian"})
    assert agent.status_code == 201, agent.text
    start_scripted_providers(
        base, settings, engine, username="reader", password=PASSWORD, openai={"rules": []}, anthropic=ANTHROPIC
    )
    return int(agent.json()["id"])


def send(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def composer_leaves_the_answer_in_sight(page: Page) -> bool:
    """The newest message ends above the message box, and the box is inside the viewport."""
    return bool(
        page.evaluate(
            """() => {
                const box = document.querySelector("textarea").getBoundingClientRect();
                const items = document.querySelectorAll('[role=region] ol > li');
                const last = items[items.length - 1].getBoundingClientRect();
                return box.bottom <= window.innerHeight && last.bottom <= box.top + 1;
            }"""
        )
    )


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_research_is_created_answered_with_a_file_and_continued_after_a_reload(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_reader(server, sandbox_settings, engine_client)
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, "reader", PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        goto(page, f"{server}/agents/{agent_id}")
        expect(page.get_by_role("heading", name="Researches")).to_be_visible()
        page.get_by_role("button", name="+ New Research").click()
        page.get_by_label("Name", exact=True).fill("Books")
        page.get_by_role("button", name="Create research").click()
        expect(page.get_by_role("heading", name="Books")).to_be_visible()
        expect(page.get_by_text("No messages yet. Ask a question to start.")).to_be_visible()

        # The reply streams: its first words and its tool card show while it is still being written.
        send(page, "What should I read on a rainy day? Keep the list in report.md.")
        writing = page.locator('li[data-role="assistant"][data-status="writing"]')
        expect(writing).to_contain_text("I wrote report.md", timeout=120_000)
        expect(writing.locator('[data-tool-id][data-status="done"]')).to_contain_text("Wrote a file")
        expect(page.get_by_role("button", name="Stop")).to_be_visible()
        shot(page, "research-streaming", width_name)
        reply = page.locator('li[data-role="assistant"][data-status="done"]')
        expect(reply).to_contain_text("ends with a few short stories", timeout=60_000)
        expect(reply.locator("strong")).to_have_text("report.md")  # Markdown rendered
        expect(reply.get_by_role("list", name="What it did")).to_contain_text("Wrote a file")
        expect(reply.locator("[data-usage]")).to_contain_text("tokens in")
        expect(page.get_by_role("button", name="Stop")).to_have_count(0)
        assert accessibility_violations(page) == []

        # The file it wrote is listed, and opens rendered.
        page.get_by_role("tab", name="Files").click()
        page.get_by_role("button", name="Open report.md").click()
        opened = page.get_by_role("region", name="report.md")
        expect(opened.get_by_role("heading", name="Reading list")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download report.md").click()
        assert download.value.suggested_filename == "report.md"
        assert Path(download.value.path()).read_text() == "# Reading list\n\n- Rebecca\n"
        shot(page, "research-files", width_name)
        assert accessibility_violations(page) == []

        # After a reload the conversation is there, and it goes on.
        page.reload()
        expect(page.get_by_text("What should I read on a rainy day?")).to_be_visible()
        send(page, "And for a sunny day?")
        replies = page.locator('li[data-role="assistant"][data-status="done"]')
        expect(replies).to_have_count(2, timeout=120_000)
        expect(replies.nth(1)).to_contain_text("The Hobbit")
        expect(replies.nth(0)).to_contain_text("ends with a few short stories")
        expect(page.locator('li[data-role="user"]')).to_have_count(2)
        shot(page, "research-continued", width_name)
        assert accessibility_violations(page) == []

        # The whole research exports as one Markdown file.
        page.get_by_role("tab", name="Files").click()
        with page.expect_download() as exported:
            page.get_by_role("button", name="Export as Markdown").click()
        assert exported.value.suggested_filename.endswith(".md")
        assert "And for a sunny day?" in Path(exported.value.path()).read_text()
        page.get_by_role("tab", name="Chat").click()

        # The message box never covers the answer, also with the on-screen keyboard's space taken (phone).
        assert composer_leaves_the_answer_in_sight(page)
        if width_name == "phone":
            page.set_viewport_size({"width": width, "height": 420})
            expect(page.get_by_label("Your message")).to_be_in_viewport()
            assert composer_leaves_the_answer_in_sight(page)
            page.screenshot(path=SCREENSHOTS / f"research-keyboard-{width_name}.png")  # what is in sight

        # The agent's page lists the research with its status; the search finds it by its conversation.
        page.set_viewport_size({"width": width, "height": height})
        goto(page, f"{server}/agents/{agent_id}")
        researches = page.get_by_role("list", name="Researches")
        expect(researches.get_by_role("listitem")).to_have_count(1)
        expect(researches).to_contain_text("Books")
        expect(researches).to_contain_text("active")
        page.get_by_label("Search", exact=True).fill("Hobbit")
        expect(researches).to_contain_text("Books")
        page.get_by_label("Search", exact=True).fill("submarines")
        expect(page.get_by_text("No research matches “submarines”.")).to_be_visible()
        page.get_by_label("Search", exact=True).fill("")
        expect(researches).to_contain_text("Books")
        shot(page, "research-list", width_name)
        assert accessibility_violations(page) == []

        # Managing it: rename, archive (the chat then takes no message, and the list shows it among the archived
        # only), delete (its folder goes too).
        researches.get_by_role("link", name="Books").click()
        page.get_by_role("tab", name="Manage").click()
        page.get_by_label("Name", exact=True).fill("Rainy-day books")
        page.get_by_role("button", name="Rename").click()
        expect(page.get_by_role("heading", name="Rainy-day books", level=1)).to_be_visible()
        page.get_by_role("button", name="Archive", exact=True).click()
        expect(page.get_by_role("button", name="Unarchive")).to_be_visible()
        page.get_by_role("tab", name="Chat").click()
        expect(page.get_by_text("This research is archived")).to_be_visible()
        expect(page.get_by_label("Your message")).to_have_count(0)
        page.get_by_role("link", name="Back to Librarian").click()
        expect(page.get_by_text("No researches yet.")).to_be_visible()
        page.get_by_label("Show archived").check()
        expect(researches).to_contain_text("Rainy-day books")
        expect(researches).to_contain_text("archived")
        researches.get_by_role("link", name="Rainy-day books").click()
        page.get_by_role("tab", name="Manage").click()
        page.get_by_role("button", name="Delete research").click()
        page.get_by_role("button", name="Yes, delete Rainy-day books").click()
        expect(page.get_by_role("heading", name="Researches")).to_be_visible()
        expect(page.get_by_text("No researches yet.")).to_be_visible()
        browser.close()
    assert not (sandbox_settings.data_dir / "users" / "reader" / "research" / "books").exists()
