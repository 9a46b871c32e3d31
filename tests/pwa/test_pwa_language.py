"""The language preference in a real Chromium: saving Čeština in Settings switches the whole PWA at once (no
reload), stays after a reload, greets the next person on this device's sign-in page in it, and the next
person's own preference wins once they are signed in. Czech pages are checked at phone and desktop width
(nothing wider than the screen, axe clean) and kept as screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.live_server import serving
from tests.support.pwa import (
    DIST,
    WIDTHS,
    accessibility_violations,
    no_horizontal_overflow,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    data_dir = tmp_path_factory.mktemp("pwa-language")
    with serving(data_dir, capture=False, AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD, AUTOCODE_FRONTEND_DIST=str(DIST)) as (
        url,
        _,
    ):
        login = httpx.post(f"{url}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for width_name in WIDTHS:
            created = httpx.post(
                f"{url}/api/users",
                headers=headers,
                json={"username": f"lucie-{width_name}", "password": USER_PASSWORD, "role": "user"},
            )
            assert created.status_code == 201, created.text
        yield url


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {"locale": "en-GB"}


def open_menu(page: Page, words: str) -> None:
    """On phones the navigation sits in a drawer behind the menu button ("Menu", "Nabídka")."""
    menu = page.get_by_role("button", name=words, exact=True)
    if menu.is_visible():
        menu.click()


def test_saving_czech_switches_the_app_at_once_and_the_next_person_gets_their_own(page: Page, base: str) -> None:
    width_name: str = page.width_name  # type: ignore[attr-defined]
    sign_in(page, base, f"lucie-{width_name}", USER_PASSWORD)
    expect(page.get_by_role("heading", name="Your workspace")).to_be_visible()
    open_menu(page, "Menu")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings", exact=True).click()

    language = page.get_by_label("Language")
    expect(language).to_have_value("en")
    assert language.locator("option").all_text_contents() == ["English", "Čeština"]
    language.select_option(label="Čeština")
    page.get_by_role("button", name="Save preferences").click()

    # The same page, now in Czech, without a reload.
    expect(page.get_by_role("heading", name="Nastavení", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Uloženo.")).to_be_visible()
    expect(page.get_by_label("Jazyk")).to_have_value("cs")
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    assert no_horizontal_overflow(page)
    assert accessibility_violations(page) == []
    shot(page, "settings-czech", width_name)

    open_menu(page, "Nabídka")
    nav = page.get_by_role("navigation", name="Hlavní")
    expect(nav.get_by_role("link", name="Terminál pracovního prostoru")).to_be_visible()
    nav.get_by_role("link", name="Přehled", exact=True).click()
    expect(page.get_by_role("heading", name="Váš pracovní prostor")).to_be_visible()
    expect(page.get_by_role("heading", name="Začínáme")).to_be_visible()
    expect(page.get_by_text("Technicky jde o izolovaný kontejner (sandbox).")).to_be_visible()
    assert no_horizontal_overflow(page)
    assert accessibility_violations(page) == []
    shot(page, "dashboard-czech", width_name)

    # Still Czech after a reload: the saved preference, not just this page's memory.
    page.reload()
    expect(page.get_by_role("heading", name="Přehled", level=1)).to_be_visible()

    # Signing out leaves this device's sign-in page in the last language used on it.
    open_menu(page, "Nabídka")
    page.get_by_role("button", name="Odhlásit se").click()
    expect(page.get_by_role("button", name="Přihlásit se")).to_be_visible()
    assert no_horizontal_overflow(page)
    shot(page, "sign-in-czech", width_name)

    # The next person's own preference (English) wins as soon as they are signed in.
    page.get_by_label("Uživatelské jméno").fill("admin")
    page.get_by_label("Heslo").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
