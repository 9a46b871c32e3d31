"""Two people on one browser (issue 11, item 8): what the first one saw never reaches the second.

The admin signs in, opens one of their agents, and signs out: the next screen is the sign-in page, whatever
page was open. The next person signs in and lands on their own dashboard, with their own name and agents,
not the admin's page; the admin's agent's address answers "not found" with a way back (and no Retry, which
could not help). No docker: agents exist without a sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.live_server import serving
from tests.support.pwa import (
    DIST,
    WIDTHS,
    accessibility_violations,
    bearer,
    goto,
    open_navigation,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "lucie-password-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    data_dir = tmp_path_factory.mktemp("switch-data")
    env = {"AUTOCODE_ADMIN_PASSWORD": ADMIN_PASSWORD, "AUTOCODE_FRONTEND_DIST": str(DIST)}
    with serving(data_dir, capture=False, **env) as (base, _):
        admin = bearer(base, "admin", ADMIN_PASSWORD)
        body = {"username": "lucie", "password": USER_PASSWORD, "display_name": "Lucie Nováková"}
        assert httpx.post(f"{base}/api/users", headers=admin, json=body).status_code == 201
        agent = {"template": "research", "name": "Admin's secret research"}
        assert httpx.post(f"{base}/api/agents", headers=admin, json=agent).status_code == 201
        yield base


def sign_out(page: Page) -> None:
    open_navigation(page)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_next_person_on_the_same_browser_sees_only_their_own(base: str, browser: Browser, width_name: str) -> None:
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    admin_agent = httpx.get(f"{base}/api/agents", headers=bearer(base, "admin", ADMIN_PASSWORD)).json()[0]

    sign_in(page, base, "admin", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()  # signed in before leaving the page
    goto(page, f"{base}/agents/{admin_agent['id']}")
    expect(page.get_by_role("heading", name="Admin's secret research")).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.url.rstrip("/") in (base, f"{base}/login", f"{base}/signin") or "/agents/" not in page.url

    sign_in(page, base, "lucie", USER_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert f"/agents/{admin_agent['id']}" not in page.url
    open_navigation(page)
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_contain_text("Lucie Nováková")
    expect(navigation.get_by_role("link", name="Admin's secret research")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Admin Panel")).to_have_count(0)
    expect(page.get_by_text("Admin's secret research")).to_have_count(0)
    close = navigation.get_by_role("button", name="Close")
    if close.is_visible():  # the phone's drawer
        close.click()
    shot(page, "user-switch-dashboard", width_name)
    assert accessibility_violations(page) == []

    # The admin's agent's address is not hers: "not found", a way back, and no Retry that could not help.
    goto(page, f"{base}/agents/{admin_agent['id']}")
    expect(page.get_by_text("Admin's secret research")).to_have_count(0)
    expect(page.get_by_role("heading", name="Agent not found")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_visible()
    shot(page, "user-switch-not-found", width_name)
    assert accessibility_violations(page) == []
    context.close()
