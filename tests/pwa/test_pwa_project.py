"""A coding project through the PWA in a real Chromium: create it, start it, watch the plan progress, the
live log and Claude Code's terminal, against a real `autocode serve` with a real sandbox, the real Claude
Code and the real manager (the paid providers are the scripted servers, inside the sandbox)."""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest
from playwright.sync_api import expect, sync_playwright

from controlplane.config import Settings
from tests.support.engine import serving_pwa
from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, accessibility_violations, goto, shot, sign_in
from tests.support.pwa_coding import prepare_coder

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "coder-password-1"


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    # Claude Code and the manager need more than the other sandbox tests' memory; poll faster.
    with serving_pwa(
        sandbox_settings, ADMIN_PASSWORD, AUTOCODE_SANDBOX_MEMORY="1g", AUTOCODE_PROJECT_POLL_SECONDS="0.5"
    ) as base:
        yield base


def prepare_user(base: str, settings: Settings, engine: docker.DockerClient) -> int:
    return prepare_coder(base, settings, engine, admin_password=ADMIN_PASSWORD, username="coder", password=PASSWORD)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_project_is_created_started_and_followed_in_the_pwa(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_user(server, sandbox_settings, engine_client)
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, "coder", PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        goto(page, f"{server}/agents/{agent_id}")
        expect(page.get_by_role("heading", name="Projects")).to_be_visible()
        page.get_by_role("button", name="+ New Project").click()
        page.get_by_label("Project name").fill("Weather CLI")
        page.get_by_label("Goal", exact=True).fill("A command-line tool that prints the weather, with a README.")
        shot(page, "project-new", width_name)
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_role("heading", name="Weather CLI")).to_be_visible()
        expect(page.get_by_text("The plan is written when the project starts.")).to_be_visible()
        page.get_by_role("button", name="Start", exact=True).click()

        steps = page.get_by_role("list", name="Plan steps")
        expect(steps.get_by_role("listitem")).to_have_count(2, timeout=60_000)
        expect(steps).to_contain_text("Write weather.py")
        expect(page.get_by_role("progressbar", name="2 of 2 steps done")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("completed", exact=True)).to_be_visible()
        log = page.get_by_role("list", name="Project log")
        expect(log).to_contain_text("Plan of 2 steps")
        expect(log).to_contain_text("Sent to Claude Code: Create weather.py")
        expect(log).to_contain_text("the project is completed")
        shot(page, "project-completed", width_name)
        assert accessibility_violations(page) == []

        page.get_by_role("tab", name="Terminal").click()
        terminal = page.get_by_role("application", name="Terminal project-1")
        expect(terminal.locator(".xterm-rows")).to_contain_text("Wrote README.md", timeout=30_000)
        shot(page, "project-terminal", width_name)
        browser.close()
    assert (sandbox_settings.data_dir / "users" / "coder" / "projects" / "weather-cli" / "weather.py").exists()
