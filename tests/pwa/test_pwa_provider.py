"""A coding project whose manager's provider fails, through the PWA in a real Chromium: the trouble shows as a
state, never as a question. First the scripted OpenAI server answers 503 (the manager retries by itself: "Can't
reach OpenAI — retrying at…"), then 401 (it stops trying: "check key/provider" with Retry); once the server is
mended, Retry sends the project on and its plan appears. Real `autocode serve`, sandbox, Claude Code and manager."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import docker
import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from controlplane.config import Settings
from tests.support.engine import serving_pwa
from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, accessibility_violations, bearer, goto, shot, sign_in
from tests.support.pwa_coding import WEATHER_OPENAI, fakes_dir, prepare_coder

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "coder-password-1"

OVERLOADED = {
    "match": "TASK: plan",
    "error": {"status": 503, "message": "The engine is overloaded", "type": "server_error"},
}
BAD_KEY = {
    "match": "TASK: plan",
    "error": {
        "status": 401,
        "message": "Incorrect API key provided.",
        "type": "invalid_request_error",
        "code": "invalid_api_key",
    },
}


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    with serving_pwa(
        sandbox_settings, ADMIN_PASSWORD, AUTOCODE_SANDBOX_MEMORY="1g", AUTOCODE_PROJECT_POLL_SECONDS="0.5"
    ) as base:
        yield base


def script_openai(settings: Settings, scenario: Mapping[str, object]) -> None:
    """Change what the scripted OpenAI server answers (it reads its scenario again when the file changes)."""
    (fakes_dir(settings, "coder") / "openai.json").write_text(json.dumps(scenario))


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_failing_provider_is_a_state_then_retried(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_coder(
        server,
        sandbox_settings,
        engine_client,
        admin_password=ADMIN_PASSWORD,
        username="coder",
        password=PASSWORD,
        openai={"rules": [OVERLOADED]},
    )
    me = bearer(server, "coder", PASSWORD)
    created = httpx.post(
        f"{server}/api/agents/{agent_id}/projects",
        headers=me,
        json={"name": "Weather CLI", "description": "A command-line tool that prints the weather, with a README."},
    )
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, "coder", PASSWORD)
        goto(page, f"{server}/projects/{project_id}")
        page.get_by_role("button", name="Start", exact=True).click()

        # 503: the manager retries by itself, and says when.
        retrying = page.get_by_role("status").filter(has_text="Can't reach OpenAI — retrying at")
        expect(retrying).to_be_visible(timeout=90_000)
        expect(retrying).to_contain_text("(attempt 2 of 6)")
        expect(retrying).to_contain_text("The engine is overloaded")
        expect(page.get_by_text("retrying", exact=True)).to_be_visible()  # the badge
        expect(page.get_by_text("The agent needs you")).to_have_count(0)
        expect(page.get_by_label("Your answer")).to_have_count(0)
        shot(page, "provider-retrying", width_name)
        assert accessibility_violations(page) == []

        # 401 at the next attempt: no more waiting, the user has to look at the key.
        script_openai(sandbox_settings, {"rules": [BAD_KEY]})
        failed = page.get_by_role("alert").filter(has_text="OpenAI: check key/provider")
        expect(failed).to_be_visible(timeout=90_000)
        expect(failed).to_contain_text("Incorrect API key provided")
        expect(failed.get_by_role("link", name="Settings")).to_have_attribute("href", "/settings")
        expect(page.get_by_text("needs you", exact=True)).to_be_visible()
        expect(page.get_by_label("Your answer")).to_have_count(0)
        expect(page.get_by_role("button", name="Resume")).to_have_count(0)  # Retry is the way on
        shot(page, "provider-failed", width_name)
        assert accessibility_violations(page) == []

        # Mended: Retry, and the project goes on.
        script_openai(sandbox_settings, WEATHER_OPENAI)
        failed.get_by_role("button", name="Retry").click()
        steps = page.get_by_role("list", name="Plan steps")
        expect(steps.get_by_role("listitem")).to_have_count(2, timeout=90_000)
        expect(page.get_by_text("check key/provider")).to_have_count(0)
        expect(page.get_by_role("list", name="Project log")).to_contain_text("Retrying now, as you asked")
        shot(page, "provider-retried", width_name)
        browser.close()
