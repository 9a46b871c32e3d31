"""One content width on every page (issue 11: "page widths differ between pages"), decided by the Layout's
column, whatever a page's own classes say: the page's root box is measured on each page, at both widths, in a
real Chromium against a real `autocode serve`. Every page is held to axe-core on the way, in English and in
Czech (issue 11: "axe reports no serious violations on any page")."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.support.live_server import serving
from tests.support.pwa import (
    DIST,
    WIDTHS,
    accessibility_violations,
    goto,
    no_horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
# The column's width on a wide screen: Tailwind's max-w-4xl (frontend/src/components/Layout.tsx, PAGE_COLUMN).
COLUMN_MAX_WIDTH = 896

# The page's root element inside the column, and the column's room (main's content box).
MEASURE = """() => {
  const main = document.querySelector('main');
  const style = getComputedStyle(main);
  const room = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const page = main.firstElementChild.firstElementChild.getBoundingClientRect();
  return {left: page.left, width: page.width, room};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The server, and the pages to visit (an agent and a project of the admin's included)."""
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    with serving(
        tmp_path_factory.mktemp("layout-data"),
        capture=False,
        AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD,
        AUTOCODE_FRONTEND_DIST=str(DIST),
    ) as (base, _):
        login = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        agent = httpx.post(
            f"{base}/api/agents", headers=headers, json={"template": "coding", "name": "Coder", "model": "openai/gpt-x"}
        )
        assert agent.status_code == 201, agent.text
        agent_id = agent.json()["id"]
        project = httpx.post(
            f"{base}/api/agents/{agent_id}/projects",
            headers=headers,
            json={"name": "Weather CLI", "description": "A tool that prints the weather."},
        )
        assert project.status_code == 201, project.text
        pages = [
            "/",
            "/agents/new",
            f"/agents/{agent_id}",
            f"/agents/{agent_id}/edit",
            f"/projects/{project.json()['id']}",
            "/settings",
            "/admin",
            "/terminal",
            "/no-such-page",
        ]
        yield base, pages


def set_language(base: str, language: str) -> None:
    login = httpx.post(f"{base}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    preferences = httpx.get(f"{base}/api/settings/preferences", headers=headers).json()
    saved = httpx.put(f"{base}/api/settings/preferences", headers=headers, json={**preferences, "language": language})
    assert saved.status_code == 200, saved.text


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_has_the_same_content_width(
    browser: Browser, server: tuple[str, list[str]], width_name: str
) -> None:
    base, pages = server
    width, height = WIDTHS[width_name]
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    boxes: dict[str, dict[str, float]] = {}
    for path in pages:
        goto(page, f"{base}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
        boxes[path] = page.evaluate(MEASURE)
        assert no_horizontal_overflow(page), path
        assert accessibility_violations(page) == [], path
    expected = min(COLUMN_MAX_WIDTH, boxes["/"]["room"])
    wrong = {path: box for path, box in boxes.items() if abs(box["width"] - expected) > 0.5}
    assert not wrong, f"pages whose content is not {expected}px wide: {wrong}"
    lefts = {round(box["left"]) for box in boxes.values()}
    assert len(lefts) == 1, f"pages' content starts at different places: {boxes}"
    page.context.close()


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_in_czech_fits_and_passes_axe(
    browser: Browser, server: tuple[str, list[str]], width_name: str
) -> None:
    """Longer Czech words must not push a page wider than the screen, nor break its accessibility."""
    base, pages = server
    width, height = WIDTHS[width_name]
    set_language(base, "cs")
    try:
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, base, "admin", ADMIN_PASSWORD)
        expect(page.locator("html")).to_have_attribute("lang", "cs")
        for path in pages:
            goto(page, f"{base}{path}")
            expect(page.locator("main h1").first).to_be_visible()
            expect(page.locator("html")).to_have_attribute("lang", "cs")
            expect(page.get_by_role("status").filter(has_text="Načítání")).to_have_count(0)
            assert no_horizontal_overflow(page), path
            assert accessibility_violations(page) == [], path
        page.context.close()
    finally:
        set_language(base, "en")
