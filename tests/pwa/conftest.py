"""What every browser test here shares: one Debian Chromium per module, driven by Playwright (each test opens
its own context, so nothing carries over between tests but the process)."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, browser_evidence


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


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
