"""A research's chat controls in a real Chromium, at phone and desktop width: attachments (a picture reaches the
model as an image block, a text file lands in the research's folder and is listed in the Files tab), Retry after
a scripted 529 (the error under the message, the message kept, the retry's reply arriving), and Stop on a long
reply (what it had said stays, the "stopped" notice shows). Against a real `autocode serve` with a real sandbox,
the real Claude Code, and the scripted Anthropic server inside the sandbox reached through the key's base URL."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from controlplane.config import Settings
from tests.support.engine import serving_pwa
from tests.support.pwa import SCREENSHOTS, WIDTHS, accessibility_violations, bearer, goto, shot, sign_in
from tests.support.research_world import LONG_STORY, prepare_research_owner, scripted_requests

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
USERNAME, PASSWORD = "reader", "reader-password-1"
OVERLOADED = {"status": 529, "type": "overloaded_error", "message": "Overloaded"}
NOTES = b"Bring an umbrella.\n"
ANTHROPIC: dict[str, Any] = {
    "turns": [
        # Claude Code puts a text block naming where it keeps a picture after the message's own: that is the prompt.
        {"match": "[Image", "responses": [{"text": "A small **red** square, and your notes say: umbrella."}]},
        # Claude Code tries a request 3 times (CLAUDE_CODE_MAX_RETRIES=2) before the turn ends with the error.
        {"match": "busy day", "responses": [{"error": OVERLOADED, "times": 3}]},
        {"match": "busy day", "responses": [{"text": "Made it this time."}]},
        {"match": "long story", "responses": [{"text": LONG_STORY, "chunk_delay": 0.3}]},
    ],
    "default": "Noted.",
}


def red_square_png(size: int = 4) -> bytes:
    """A valid PNG of a red square, made here so the test carries no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURE = red_square_png()


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    # Claude Code takes about 250 MB of the sandbox.
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD, AUTOCODE_SANDBOX_MEMORY="1g") as base:
        yield base


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


def image_blocks(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The image blocks of a recorded request's last user message."""
    messages = [m for m in request["body"].get("messages", []) if m.get("role") == "user"]
    content = messages[-1]["content"] if messages else []
    return [b for b in content if isinstance(b, dict) and b.get("type") == "image"] if isinstance(content, list) else []


def detail(base: str) -> dict[str, Any]:
    """The research's detail as the API gives it (the one research of the account)."""
    me = bearer(base, USERNAME, PASSWORD)
    agents = httpx.get(f"{base}/api/agents", headers=me).json()
    research = httpx.get(f"{base}/api/agents/{agents[0]['id']}/research", headers=me).json()
    return dict(httpx.get(f"{base}/api/research/{research[0]['id']}", headers=me).json())


def said_in(request: dict[str, Any]) -> str:
    return str(request["body"].get("messages"))


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_attachments_retry_after_an_overload_and_stop_in_the_chat(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, browser: Browser, width_name: str
) -> None:
    agent_id = prepare_research_owner(
        server,
        sandbox_settings,
        engine_client,
        admin_password=ADMIN_PASSWORD,
        username=USERNAME,
        password=PASSWORD,
        anthropic=ANTHROPIC,
    )
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, server, USERNAME, PASSWORD)
    goto(page, f"{server}/agents/{agent_id}")
    page.get_by_role("button", name="+ New Research").click()
    page.get_by_label("Name", exact=True).fill("Weather")
    page.get_by_role("button", name="Create research").click()
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()

    # Attachments: a picture and a text file, listed before sending, with what is typed kept.
    page.get_by_label("Your message").fill("What is in the picture, and what do my notes say?")
    page.get_by_test_id("chat-file-input").set_input_files(
        [
            FilePayload(name="square.png", mimeType="image/png", buffer=PICTURE),
            FilePayload(name="notes.txt", mimeType="text/plain", buffer=NOTES),
        ]
    )
    to_send = page.get_by_role("list", name="Files to send")
    expect(to_send).to_contain_text("square.png")
    expect(to_send).to_contain_text("notes.txt")
    expect(page.get_by_label("Your message")).to_have_value("What is in the picture, and what do my notes say?")
    page.get_by_role("button", name="Send", exact=True).click()
    mine = page.locator('li[data-role="user"]').first
    expect(mine.get_by_role("img", name="square.png")).to_be_visible()  # the picture inline
    expect(mine).to_contain_text("Attached: notes.txt")
    reply = page.locator('li[data-role="assistant"][data-status="done"]').first
    expect(reply).to_contain_text("your notes say: umbrella", timeout=120_000)
    expect(to_send).to_have_count(0)  # sent: the composer is empty again
    # The model was given the picture as an image block with its bytes, and the text file by its path.
    asked = [r for r in scripted_requests(sandbox_settings, USERNAME) if "the picture" in said_in(r)]
    assert asked, "the scripted server never received the message"
    blocks = image_blocks(asked[0])
    assert [(b["source"]["media_type"], b["source"]["data"]) for b in blocks] == [
        ("image/png", base64.b64encode(PICTURE).decode())
    ], blocks
    assert "attachments/notes.txt" in said_in(asked[0])
    shot(page, "research-attachments", width_name)
    assert composer_leaves_the_answer_in_sight(page)
    assert accessibility_violations(page) == []
    # The text file is in the research's folder: the Files tab lists it, and it downloads as sent.
    page.get_by_role("tab", name="Files").click()
    files = page.get_by_role("list", name="Files of this research")
    expect(files).to_contain_text("attachments/notes.txt")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download attachments/notes.txt").click()
    assert Path(download.value.path()).read_bytes() == NOTES
    page.get_by_role("tab", name="Chat").click()

    # A 529: the error shows under the message, which is kept, with a Retry; the retry's reply arrives.
    send(page, "Any plans for a busy day?")
    failed = page.locator('li[data-role="user"][data-status="failed"]')
    expect(failed).to_contain_text("This message failed:", timeout=120_000)
    expect(failed).to_contain_text("Any plans for a busy day?")
    expect(failed).to_contain_text("529")
    retry = failed.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    error_box, message_box = (
        failed.get_by_text("This message failed:").bounding_box(),
        failed.get_by_text("Any plans for a busy day?").bounding_box(),
    )
    assert error_box and message_box and error_box["y"] >= message_box["y"] + message_box["height"] - 1
    shot(page, "research-failed", width_name)
    assert composer_leaves_the_answer_in_sight(page)
    assert accessibility_violations(page) == []
    retry.click()
    replies = page.locator('li[data-role="assistant"][data-status="done"]')
    expect(replies.nth(1)).to_contain_text("Made it this time.", timeout=120_000)
    expect(page.locator('li[data-role="user"][data-status="failed"]')).to_have_count(0)
    expect(page.get_by_text("This message failed:")).to_have_count(0)

    # Stop on a long reply: what it had said stays, marked as stopped, and the notice says so.
    send(page, "Tell me a long story.")
    writing = page.locator('li[data-role="assistant"][data-status="writing"]')
    expect(writing).to_contain_text("Once upon a time there was", timeout=120_000)
    shot(page, "research-writing", width_name)
    assert composer_leaves_the_answer_in_sight(page)
    page.get_by_role("button", name="Stop", exact=True).click()
    # The notice comes after the stored reply: once it shows, the preview has given way to what was kept.
    expect(page.locator('li[data-role="notice"]')).to_contain_text(
        "The reply was stopped; what it had said so far is kept.", timeout=60_000
    )
    expect(writing).to_have_count(0)
    expect(page.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
    stopped = page.locator('li[data-role="assistant"]').filter(has_text="Once upon a time there was")
    expect(stopped).to_have_count(1)
    said = stopped.locator(".chat-markdown").inner_text().strip()
    assert said and LONG_STORY.startswith(said) and len(said) < len(LONG_STORY.strip()), said
    # Nothing was lost on the way: the server kept the same words.
    story = [m for m in detail(server)["messages"] if m["role"] == "assistant" and "Once upon" in m["content"]]
    assert [m["content"].strip() for m in story] == [said], story
    shot(page, "research-stopped", width_name)
    assert composer_leaves_the_answer_in_sight(page)
    assert accessibility_violations(page) == []
    if width_name == "phone":  # the on-screen keyboard's space taken: the answer is still not covered
        page.set_viewport_size({"width": width, "height": 420})
        expect(page.get_by_label("Your message")).to_be_in_viewport()
        assert composer_leaves_the_answer_in_sight(page)
        page.screenshot(path=SCREENSHOTS / f"research-stopped-keyboard-{width_name}.png")
    context.close()
