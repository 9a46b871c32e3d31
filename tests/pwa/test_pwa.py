"""The PWA in a real Chromium (Debian's, never a downloaded one) against a real `autocode serve`.

Screenshots of each page at phone and desktop widths go to artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.live_server import serving
from tests.support.pwa import (
    DIST,
    WIDTHS,
    accessibility_violations,
    goto,
    open_navigation,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@dataclass
class Server:
    base: str

    def admin_headers(self) -> dict[str, str]:
        response = httpx.post(f"{self.base}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    data_dir = tmp_path_factory.mktemp("pwa-data")
    with serving(data_dir, capture=False, AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD, AUTOCODE_FRONTEND_DIST=str(DIST)) as (
        base,
        _,
    ):
        server = Server(base)
        created = httpx.post(
            f"{base}/api/users",
            headers=server.admin_headers(),
            json={"username": "mum", "password": USER_PASSWORD, "role": "user"},
        )
        assert created.status_code == 201
        yield server


def test_admin_signs_in_and_sees_the_admin_panel(page: Page, server: Server) -> None:
    goto(page, server.base)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shot(page, "sign-in", page.width_name)  # type: ignore[attr-defined]
    assert accessibility_violations(page) == []
    sign_in(page, server.base, "admin", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Your workspace")).to_be_visible()
    expect(page.get_by_text("Loading agents")).to_have_count(0)
    shot(page, "dashboard-admin-no-sandboxes", page.width_name)  # type: ignore[attr-defined]
    open_navigation(page)
    expect(page.get_by_role("link", name="Admin Panel")).to_be_visible()


def test_a_user_sees_no_admin_panel(page: Page, server: Server) -> None:
    sign_in(page, server.base, "mum", USER_PASSWORD)
    expect(page.get_by_role("heading", name="Your agents")).to_be_visible()
    open_navigation(page)
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    expect(page.get_by_role("link", name="Admin Panel")).to_have_count(0)


def test_a_wrong_password_shows_the_servers_message(page: Page, server: Server) -> None:
    sign_in(page, server.base, "mum", "not-the-password", expect_success=False)
    expect(page.get_by_text("Wrong username or password")).to_be_visible()


def test_manifest_and_service_worker_are_registered(page: Page, server: Server) -> None:
    goto(page, server.base)
    manifest = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest
    body = httpx.get(f"{server.base}/{manifest.lstrip('/')}").json()
    assert body["name"] == "AutoCode" and {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{server.base}/"


def test_the_phone_drawer_takes_and_returns_keyboard_focus(browser: Browser, server: Server) -> None:
    width, height = WIDTHS["phone"]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, server.base, "mum", USER_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_role("complementary", name="Navigation")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(drawer).to_have_count(0)
    expect(menu).to_be_focused()
    page.context.close()
