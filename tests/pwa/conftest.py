"""What every browser test here shares: one Debian Chromium per module, driven by Playwright (each test opens
its own context, so nothing carries over between tests but the process)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, browser_evidence


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context_options() -> dict[str, Any]:
    """What a module's pages need besides their width (a locale, no service worker): a module overrides this."""
    return {}


@pytest.fixture(params=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Browser, context_options: dict[str, Any]) -> Iterator[Page]:
    """A page of its own context at each of WIDTHS; `page.width_name` names the width for screenshots."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    page = context.new_page()
    page.width_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test's report carries what its pages showed and said (tests/support/pwa.browser_evidence),
    taken before the test's contexts close."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(browser, Browser):
        report.sections.append(("browser", browser_evidence(browser, item.name)))
    return report
