"""What the browser tests share: Debian's Chromium, the built PWA, screenshots, sign-in and an axe check.

Chromium is Debian's (scripts/ensure-chromium.sh), never a downloaded one. Screenshots go to
artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, Request, expect
from playwright.sync_api import Error as PlaywrightError

from controlplane.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DIST = PROJECT_ROOT / "frontend" / "dist"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
AXE = PROJECT_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 800)}
PHONE_LAYOUT_BELOW = 768  # px: Tailwind's `md` breakpoint, where Layout.tsx shows the sidebar instead of "Menu"
NETWORK_CHANGED = "ERR_NETWORK_CHANGED"
# A first load on two busy cores (the stack's TLS through Caddy, Vite's chunks) once took longer than Playwright's 30 s.
GOTO_SECONDS = 60
# The suite runs the browser beside container tests on two cores: give pages time, still failing on a deadline.
expect.set_options(timeout=20_000)


def shot(page: Page, name: str, width_name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", full_page=True)


def browser_evidence(browser: Browser, name: str) -> str:
    """What each open page of a failed test looked like and said: a screenshot per page (artifacts/screenshots/
    failed-<name>-<n>.png), its address, its console, its uncaught errors and the requests that failed."""
    lines: list[str] = []
    pages = [page for context in browser.contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        path = SCREENSHOTS / f"failed-{name}-{number}.png"
        try:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=path, full_page=True, timeout=10_000)
            lines.append(f"page {number}: {page.url} (screenshot {path})")
            lines += [f"  console {message.type}: {message.text}" for message in page.console_messages()]
            lines += [f"  uncaught: {error}" for error in page.page_errors()]
            lines += [f"  failed: {request.url} {request.failure}" for request in page.requests() if request.failure]
        except PlaywrightError as error:  # a closed or hung page: say so and go on to the next
            lines.append(f"page {number}: {page.url} (no evidence: {error})")
    return "\n".join(lines) or "no open pages"


def bearer(base: str, username: str, password: str) -> dict[str, str]:
    """The API's Authorization header for this account, for what a test sets up or checks beside the browser."""
    response = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def goto(page: Page, url: str) -> None:
    """page.goto, again when Chromium says the machine's network changed under it: containers of other tests coming
    and going add and remove network interfaces, and Chromium aborts what it is loading at that moment with
    ERR_NETWORK_CHANGED (a person's browser would simply load the page again). That is the page itself or one of
    its files: a page whose stylesheet was aborted loads, but unstyled (the phone's menu on a wide screen)."""
    deadline = time.monotonic() + GOTO_SECONDS
    while True:
        aborted: list[str] = []

        def note(request: Request, aborted: list[str] = aborted) -> None:
            if NETWORK_CHANGED in (request.failure or ""):
                aborted.append(request.url)

        page.on("requestfailed", note)
        try:
            # Returns at the load event: the page's stylesheets and scripts are in, or failed.
            page.goto(url, timeout=GOTO_SECONDS * 1000)
        except PlaywrightError as error:
            if NETWORK_CHANGED not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        finally:
            page.remove_listener("requestfailed", note)
        if not aborted:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"Chromium kept aborting the page's files with {NETWORK_CHANGED}: {aborted}")


def sign_in(page: Page, base: str, username: str, password: str, *, expect_success: bool = True) -> None:
    """Sign in through the form; by default wait until the app has the session (the sign-in form gave way), so a
    navigation right after it cannot reload the page before the session's cookie is set."""
    goto(page, base)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if expect_success:
        # The form itself gives way once signed in; the button only changes its words while the sign-in is on its
        # way, and a navigation then would abort it.
        expect(page.get_by_label("Username")).to_have_count(0, timeout=30_000)


def phone_layout(page: Page) -> bool:
    """True below the width where the sidebar gives way to the drawer (Layout.tsx's `md:`, Tailwind's 48rem)."""
    size = page.viewport_size
    return size is not None and size["width"] < PHONE_LAYOUT_BELOW


def open_navigation(page: Page) -> None:
    """On phones the navigation sits in a drawer behind the "Menu" button. Decided by the width, not by whether
    "Menu" shows: a wide page that has not got its styles yet shows it too, and the drawer it opens would be a
    second navigation."""
    if phone_layout(page):
        page.get_by_role("button", name="Menu").click()


def navigate(page: Page, link: str) -> None:
    open_navigation(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()


def no_horizontal_overflow(page: Page) -> bool:
    """True when nothing makes the page wider than the viewport (the phone layout's promise)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings (WCAG 2.1 A/AA) for the page as it is now.

    A terminal's screen is excluded: its colours are whatever the programs in it print.
    """
    if not AXE.is_file():
        raise AssertionError("axe-core is missing: run `make frontend` (make test installs it first)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const found = await axe.run(
                {exclude: [".xterm-screen"]},
                {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            );
            return found.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({
                    id: v.id,
                    help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160) + " -- " + n.failureSummary),
                }));
        }"""
    )
    return result


# What a validator says, never a person: none of it may be on a page.
VALIDATOR_VOCABULARY = ("String should", "should match", "Input should", "pattern", "Value error", "validation error")


def messages_under(field: Locator) -> list[str]:
    """The texts a field's aria-describedby names that are shown under it (visible, starting below its bottom edge).

    A message not under its field (a banner above the form, a hidden element) is left out, so a test asserting
    a message is in this list asserts where the person sees it too."""
    texts = field.evaluate(
        """(el) => {
            const bottom = el.getBoundingClientRect().bottom;
            return (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
                .map((id) => document.getElementById(id))
                .filter((node) => node && node.checkVisibility() && node.getBoundingClientRect().top >= bottom - 1)
                .map((node) => node.textContent.trim());
        }"""
    )
    return [str(text) for text in texts]


def validator_vocabulary_shown(page: Page) -> list[str]:
    """The validator wording visible on the page (it should be none)."""
    text = page.locator("body").inner_text()
    return [word for word in VALIDATOR_VOCABULARY if word in text]
