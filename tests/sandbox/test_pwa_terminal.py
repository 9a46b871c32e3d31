"""The sandbox terminal page in a real Chromium, against a real server and a real sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect, sync_playwright

from controlplane.config import Settings
from tests.browser.test_pwa import CHROMIUM, CHROMIUM_FLAGS, DIST, SCREENSHOTS, WIDTHS
from tests.live_server import serving

pytestmark = [pytest.mark.docker, pytest.mark.browser]
ADMIN_PASSWORD = "admin-password-1"


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    with serving(
        sandbox_settings.data_dir,
        capture=False,
        AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD,
        AUTOCODE_FRONTEND_DIST=str(DIST),
        AUTOCODE_SANDBOXES_ENABLED="true",
        AUTOCODE_SANDBOX_INSTANCE=sandbox_settings.sandbox_instance,
        AUTOCODE_SANDBOX_NAME_PREFIX=sandbox_settings.sandbox_name_prefix,
        AUTOCODE_SANDBOX_NETWORK=sandbox_settings.sandbox_network,
        AUTOCODE_SANDBOX_NETWORK_INTERNAL="true",
        AUTOCODE_SANDBOX_MEMORY=sandbox_settings.sandbox_memory,
    ) as (base, _):
        yield base


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_command_typed_into_the_sandbox_terminal_shows_its_output(server: str, width_name: str) -> None:
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        page.goto(server)
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Sandbox")).to_be_visible()
        page.goto(f"{server}/terminal")
        terminal = page.get_by_role("application", name="Terminal shell")
        expect(terminal.locator(".xterm-rows")).to_contain_text("$", timeout=60_000)  # the shell's prompt
        terminal.click()
        page.keyboard.type("echo pwa-$((6*7))")
        page.keyboard.press("Enter")
        expect(terminal.locator(".xterm-rows")).to_contain_text("pwa-42", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"terminal-{width_name}.png", full_page=True)
        browser.close()
