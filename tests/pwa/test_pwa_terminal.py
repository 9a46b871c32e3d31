"""The sandbox terminal on a phone: xterm and its key bar fit the visible screen at 375x667 and 390x844 (and on a
desktop), refit when the screen gets shorter (as when the on-screen keyboard comes up), and the strip right of the
last column is the terminal's own colour, not a grey scrollbar. Measured (bounding boxes, pixels), not eyeballed;
screenshots go to artifacts/screenshots/. Against a real `autocode serve`, a real sandbox and its real tmux."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from controlplane.config import Settings
from tests.support.engine import serving_pwa
from tests.support.pwa import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    accessibility_violations,
    goto,
    no_horizontal_overflow,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "kid-password-1"
# The phones of the issue, and a desktop.
SIZES = [(375, 667), (390, 844), (1280, 800)]
TERMINAL_BACKGROUND = (2, 6, 23)  # frontend/src/terminal/theme.ts, #020617

# The terminal's frame (its content box), xterm's screen and rows, and the key bar, in CSS pixels.
MEASURE = """() => {
  const box = (el) => {
    const b = el.getBoundingClientRect();
    return {left: b.left, top: b.top, right: b.right, bottom: b.bottom};
  };
  const frame = document.querySelector('[role=application][aria-label="Terminal shell"]');
  const style = getComputedStyle(frame);
  const px = (name) => parseFloat(style.getPropertyValue(name));
  const outer = box(frame);
  const inner = {
    left: outer.left + px('border-left-width') + px('padding-left'),
    top: outer.top + px('border-top-width') + px('padding-top'),
    right: outer.right - px('border-right-width') - px('padding-right'),
    bottom: outer.bottom - px('border-bottom-width') - px('padding-bottom'),
  };
  const rows = frame.querySelector('.xterm-rows');
  const main = document.querySelector('main');
  return {
    viewport: {width: innerWidth, height: innerHeight},
    frame: outer, inner, screen: box(frame.querySelector('.xterm-screen')),
    lastRow: box(rows.lastElementChild), lastRowText: rows.lastElementChild.textContent,
    rowCount: rows.children.length, cell: box(rows.firstElementChild).bottom - box(rows.firstElementChild).top,
    keys: box(document.querySelector('[role=toolbar][aria-label="Terminal keys"]')),
    mainScrolls: main.scrollHeight > main.clientHeight,
  };
}"""

# The colours of a PNG's pixels (counted), read by a canvas in a blank page of the same browser.
PIXELS = """async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = {};
  for (let i = 0; i < data.length; i += 4) {
    const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}"""


@pytest.fixture
def server(sandbox_settings: Settings, engine_client: docker.DockerClient) -> Iterator[str]:
    """A user "kid" whose sandbox is running."""
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD) as base:
        admin = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        created = httpx.post(f"{base}/api/users", headers=headers, json={"username": "kid", "password": PASSWORD})
        assert created.status_code == 201, created.text
        kid = httpx.post(f"{base}/api/auth/login", json={"username": "kid", "password": PASSWORD})
        started = httpx.post(
            f"{base}/api/sandbox/start", headers={"Authorization": f"Bearer {kid.json()['access_token']}"}, timeout=120
        )
        assert started.status_code == 200, started.text
        yield base


def strip_colours(page: Page, left: float, top: float, right: float, bottom: float) -> dict[str, int]:
    """The colours on screen in a rectangle (device pixels are CSS pixels here: scale 1)."""
    png = page.screenshot(clip={"x": left, "y": top, "width": right - left, "height": bottom - top})
    reader = page.context.new_page()
    try:
        counts: dict[str, int] = reader.evaluate(PIXELS, "data:image/png;base64," + base64.b64encode(png).decode())
    finally:
        reader.close()
    return counts


def near(colour: str, expected: tuple[int, int, int], tolerance: int = 3) -> bool:
    return all(abs(int(c) - e) <= tolerance for c, e in zip(colour.split(","), expected, strict=True))


def assert_fits(page: Page, label: str) -> dict[str, Any]:
    """The terminal fills its frame without spilling out, and the frame and the key bar fit the viewport."""
    m: dict[str, Any] = page.evaluate(MEASURE)
    inner, screen, keys, view = m["inner"], m["screen"], m["keys"], m["viewport"]
    detail = f"{label}: {m}"
    # Nothing below the viewport: the key bar's bottom is on screen, and the page itself does not scroll.
    assert keys["bottom"] <= view["height"], detail
    assert not m["mainScrolls"], detail
    assert no_horizontal_overflow(page), detail
    # The key bar sits under the terminal, not over it.
    assert keys["top"] >= m["frame"]["bottom"] - 0.5, detail
    # xterm's screen (its last row included) lies inside the frame's content box: no row is cut off.
    assert screen["top"] >= inner["top"] - 0.5 and screen["bottom"] <= inner["bottom"] + 0.5, detail
    assert m["lastRow"]["bottom"] <= inner["bottom"] + 0.5, detail
    assert screen["left"] >= inner["left"] - 0.5 and screen["right"] <= inner["right"] + 0.5, detail
    # ...and fills it: less than one row below, less than one column (no 14 px scrollbar) on the right.
    cell_width = (screen["right"] - screen["left"]) / max(1, len(m["lastRowText"]) or 1)
    assert inner["bottom"] - screen["bottom"] < m["cell"], detail
    assert inner["right"] - screen["right"] < max(cell_width, 10), detail
    # tmux's status line is the last row, and it is the one that used to be cut off.
    assert "[shell]" in m["lastRowText"], detail
    return m


def test_the_terminal_and_its_key_bar_fit_a_phone_screen(server: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for width, height in SIZES:
            label = f"{width}x{height}"
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            sign_in(page, server, "kid", PASSWORD)
            expect(page.get_by_role("heading", name="Your agents")).to_be_visible()
            goto(page, f"{server}/terminal")
            terminal = page.get_by_role("application", name="Terminal shell")
            rows = terminal.locator(".xterm-rows")
            expect(rows).to_contain_text("[shell]", timeout=60_000)  # tmux's status line
            terminal.click()
            for n in range(40):  # more lines than the screen has rows: the screen scrolls, tmux keeps the history
                page.keyboard.type(f"echo line-{n}")
                page.keyboard.press("Enter")
            expect(rows).to_contain_text("line-39")
            m = assert_fits(page, label)

            # Touch the right edge and wheel there, as a thumb would: nothing grey shows up in the strip right
            # of the last column (xterm's scrollbar used to, over 14 px it had reserved).
            inner, screen = m["inner"], m["screen"]
            middle = (inner["top"] + inner["bottom"]) / 2
            page.mouse.move(inner["right"] - 2, middle)
            page.mouse.wheel(0, -200)
            strip_left = math.ceil(screen["right"])
            if inner["right"] - strip_left >= 1:  # else the last column reaches the frame's edge: no strip
                colours = strip_colours(page, strip_left, inner["top"], inner["right"], inner["bottom"])
                off = {c: n for c, n in colours.items() if not near(c, TERMINAL_BACKGROUND)}
                assert not off, f"{label}: the strip right of the terminal's last column has {off}"
            shot(page, "terminal", label)
            assert accessibility_violations(page) == []

            # A shorter screen (the on-screen keyboard taking the bottom half): the terminal refits with fewer
            # rows, and the key bar stays in sight.
            page.set_viewport_size({"width": width, "height": height // 2 + 60})
            expect(rows.locator("> div")).not_to_have_count(m["rowCount"])
            expect(rows.locator("> div").last).to_contain_text("[shell]")
            assert_fits(page, f"{label} shortened")
            shot(page, "terminal-short", label)
            page.context.close()
        browser.close()
