"""A page whose file cannot be downloaded (a phone changing networks mid-way) is not a blank screen.

The terminal page is loaded lazily, as its own file. Chromium's network is made to fail for that file only
(Playwright aborts the request, as a dropped connection would); everything else is the real PWA against a real
`autocode serve`. A failed download reloads the page once and it works; a file that keeps failing shows the plain
"Something went wrong" screen, with Reload, instead of reloading forever (frontend/src/reloadOnChunkFailure.ts,
components/AppErrorBoundary.tsx).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.support.live_server import serving
from tests.support.pwa import DIST, accessibility_violations, navigate, shot, sign_in

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
TERMINAL_FILE = "**/assets/TerminalPage-*.js"
TERMINAL_TITLE = "Workspace terminal"
BROKEN_TITLE = "Something went wrong on this page"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    data_dir = tmp_path_factory.mktemp("broken-page-data")
    with serving(data_dir, capture=False, AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD, AUTOCODE_FRONTEND_DIST=str(DIST)) as (
        url,
        _,
    ):
        yield url


@pytest.fixture
def context_options() -> dict[str, Any]:
    """Without the service worker: once it has the files (it fetches them all as it installs) it would answer for
    the network, and Playwright's routes do not see what a service worker answers."""
    return {"service_workers": "block"}


class FailingFile:
    """Aborts the terminal page's file the first `times` it is asked for, then lets it through."""

    def __init__(self, page: Page, times: int) -> None:
        self.times = times
        self.aborted = 0
        page.route(TERMINAL_FILE, self.handle)

    def handle(self, route: Route) -> None:
        if self.aborted < self.times:
            self.aborted += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()


def test_a_file_that_failed_reloads_the_page_once_and_it_works(page: Page, base: str) -> None:
    """The file is asked for twice (a preload, then the import itself): both fail, so the page reloads."""
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    failing = FailingFile(page, times=2)
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    navigate(page, TERMINAL_TITLE)
    expect(page.get_by_role("heading", name=TERMINAL_TITLE)).to_be_visible()
    assert failing.aborted == 2
    assert len(loads) == 1 and loads[0].endswith("/terminal"), f"reloaded once, where the person was going: {loads}"
    expect(page.get_by_role("heading", name=BROKEN_TITLE)).to_have_count(0)


def test_a_file_that_keeps_failing_says_so_in_plain_words_and_reload_recovers(page: Page, base: str) -> None:
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    FailingFile(page, times=1_000)
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    navigate(page, TERMINAL_TITLE)
    alert = page.get_by_role("alert").filter(has=page.get_by_role("heading", name=BROKEN_TITLE))
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Nothing you saved is lost")
    shot(page, "broken-page", page.width_name)  # type: ignore[attr-defined]
    assert accessibility_violations(page) == []
    assert len(loads) == 1 and loads[0].endswith("/terminal"), f"one reload, then this screen, no loop: {loads}"

    page.unroute(TERMINAL_FILE)  # the network is back
    alert.get_by_role("button", name="Reload").click()
    expect(page.get_by_role("heading", name=TERMINAL_TITLE)).to_be_visible()
    expect(page.get_by_role("heading", name=BROKEN_TITLE)).to_have_count(0)
