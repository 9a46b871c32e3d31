"""Statuses agree (issue 11, item 6): one coding project walked through start, escalation, answer, pause,
resume, stop and completion in a real Chromium, and at every stage each place that shows the project says the
same thing: the project page (badge, "needs you", the question card, the controls), the agent's project list,
and the dashboard (the agent's activity word and the active work list).

Real parts throughout: `autocode serve`, a sandbox, the real Claude Code and the real manager; the paid providers
are the scripted servers inside the sandbox. The manager is scripted to find step 1 unfinished twice, so that it
tries another approach and then asks its owner (AUTOCODE_PROJECT_MAX_ATTEMPTS=1 makes that quick); Claude Code's
turn on step 2 is slow, so the project is still working while it is paused, resumed and stopped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import docker
import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from controlplane.config import Settings
from tests.support.coding_world import plan_reply, verdict
from tests.support.engine import serving_pwa
from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, accessibility_violations, bearer, goto, shot, sign_in
from tests.support.pwa_coding import prepare_coder
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "walker-password-1"
WORKSPACE = "/home/agent/projects/greeting"
QUESTION_CARD = "The agent needs you"
STEP_1, STEP_2 = "Write hello.py", "Write notes.md"

OPENAI = {
    "rules": [
        {"match": "TASK: plan", "reply": plan_reply((STEP_1, "a greeting"), (STEP_2, "a note"))},
        {"match": ["TASK: compose_task", "starts step 1 "], "reply": "Create hello.py that prints hello."},
        {"match": ["TASK: compose_task", "starts step 2 "], "reply": "Create notes.md with one note."},
        {"match": "TASK: alternative", "reply": "Try writing hello.py again from scratch."},
        {
            "match": ["TASK: evaluate", STEP_1],
            "times": 2,
            "reply": verdict("retry", "hello.py prints the wrong word", "Fix hello.py"),
        },
        {"match": "TASK: evaluate", "reply": verdict("complete", "the file is there")},
    ]
}
ANTHROPIC = {
    "turns": [
        {
            "match": "Create hello.py",
            "responses": [
                {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/hello.py", "content": "1\n"}}},
                {"text": "Created hello.py."},
            ],
        },
        {"match": "again from scratch", "responses": [{"text": "Rewrote hello.py."}]},
        {"match": "The project owner says", "responses": [{"text": "Done as you said."}]},
        {"match": "notes.md", "responses": [{"text": "Wrote notes.md.", "delay": 40}]},
        {"match": "notes.md", "responses": [{"text": "Wrote notes.md."}]},
    ],
    "default": "Done.",
}


@dataclass(frozen=True)
class Expected:
    """What every place must say about the project at one stage of the walk."""

    badge: str
    needs_you: bool
    controls: tuple[str, ...]
    activity: str  # the dashboard's word for the agent
    active: bool  # listed under the dashboard's active work


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    env = {
        "AUTOCODE_SANDBOX_MEMORY": "1g",  # Claude Code and the manager need more than other sandbox tests
        "AUTOCODE_PROJECT_POLL_SECONDS": "0.5",
        "AUTOCODE_PROJECT_MAX_ATTEMPTS": "1",
    }
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD, **env) as base:
        yield base


class Walk:
    def __init__(self, page: Page, base: str, agent_id: int, width_name: str) -> None:
        self.page, self.base, self.agent_id, self.width_name = page, base, agent_id, width_name
        self.project_url = ""

    def project_page(self) -> None:
        goto(self.page, self.project_url)
        expect(self.page.get_by_role("heading", name="Greeting", exact=True)).to_be_visible()

    def controls(self) -> list[str]:
        buttons = self.page.get_by_role("region", name="Controls").get_by_role("button")
        return [text.strip() for text in buttons.all_inner_texts() if text.strip() != "Delete project"]

    def agrees(self, stage: str, want: Expected) -> None:
        """Visit the three places and check each against `want`; screenshot the project page."""
        try:
            self._agrees(stage, want)
        except AssertionError as error:
            project_id = self.project_url.rstrip("/").rsplit("/", 1)[-1]
            me = bearer(self.base, "walker", PASSWORD)
            stored = httpx.get(f"{self.base}/api/projects/{project_id}", headers=me).json()
            fields = ("status", "desired_state", "instance", "escalation", "provider_problem")
            shown = {name: stored.get(name) for name in fields}
            raise AssertionError(f"{error}\nthe project as stored: {shown}") from None

    def server_says(self, status: str) -> None:
        """Wait until the API reports `status` (the stopping instance's last events may still be in flight)."""
        project_id = self.project_url.rstrip("/").rsplit("/", 1)[-1]
        me = bearer(self.base, "walker", PASSWORD)
        url = f"{self.base}/api/projects/{project_id}"
        wait_until(lambda: httpx.get(url, headers=me).json()["status"] == status, 30, f"the project to be {status}")

    def _agrees(self, stage: str, want: Expected) -> None:
        page = self.page
        self.project_page()
        header = page.get_by_role("heading", name="Greeting", exact=True).locator("xpath=..")
        expect(header.get_by_text(want.badge, exact=True), stage).to_be_visible()
        expect(page.get_by_text("needs you", exact=True), stage).to_have_count(1 if want.needs_you else 0)
        expect(page.get_by_role("heading", name=QUESTION_CARD), stage).to_have_count(1 if want.needs_you else 0)
        expect(page.get_by_role("region", name="Controls").get_by_role("button").first).to_be_visible()
        assert self.controls() == list(want.controls), stage
        shot(page, f"walk-{stage}", self.width_name)
        assert accessibility_violations(page) == [], stage

        goto(page, f"{self.base}/agents/{self.agent_id}")
        row = page.get_by_role("list", name="Projects").get_by_role("listitem").filter(has_text="Greeting")
        expect(row.get_by_text(want.badge, exact=True), stage).to_be_visible()
        expect(row.get_by_text("needs you", exact=True), stage).to_have_count(1 if want.needs_you else 0)

        goto(page, self.base)
        agents = page.get_by_role("region", name="Your agents")
        expect(agents.get_by_text(re.compile(rf"· {want.activity}$")), stage).to_be_visible()
        active = page.get_by_role("list", name="Active projects").get_by_role("listitem").filter(has_text="Greeting")
        if want.active:
            expect(active.get_by_text(want.badge, exact=True), stage).to_be_visible()
            expect(active.get_by_text("needs you", exact=True), stage).to_have_count(1 if want.needs_you else 0)
        else:
            expect(active, stage).to_have_count(0)

    def waits_for(self, what: str, condition: Callable[[], None]) -> None:
        """Run a long `expect`; when it fails, add the project's log, which says what the manager did instead."""
        try:
            condition()
        except AssertionError as error:
            log = self.page.get_by_role("list", name="Project log")
            text = log.inner_text() if log.count() else "(no log on this page)"
            raise AssertionError(f"{what}: {error}\nproject log:\n{text[-4000:]}") from None

    def press(self, control: str) -> None:
        self.project_page()
        self.page.get_by_role("region", name="Controls").get_by_role("button", name=control, exact=True).click()


RUNNING = Expected("running", False, ("Pause", "Stop", "Restart"), "working", True)
ASKING = Expected("paused", True, ("Resume", "Stop", "Restart"), "needs you", True)
PAUSED = Expected("paused", False, ("Resume", "Stop", "Restart"), "idle", True)
STOPPED = Expected("stopped", False, ("Start",), "idle", False)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_place_agrees_on_the_projects_status(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_coder(
        server,
        sandbox_settings,
        engine_client,
        admin_password=ADMIN_PASSWORD,
        username="walker",
        password=PASSWORD,
        openai=OPENAI,
        anthropic=ANTHROPIC,
    )
    width, height = WIDTHS[width_name]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        walk = Walk(page, server, agent_id, width_name)
        sign_in(page, server, "walker", PASSWORD)
        goto(page, f"{server}/agents/{agent_id}")
        page.get_by_role("button", name="+ New Project").click()
        page.get_by_label("Project name").fill("Greeting")
        page.get_by_label("Goal", exact=True).fill("A script that greets, and a note about it.")
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_role("heading", name="Greeting", exact=True)).to_be_visible()
        walk.project_url = page.url
        walk.agrees("created", Expected("not started", False, ("Start",), "idle", False))

        # Start: the plan is written and step 1 is worked on.
        walk.press("Start")
        expect(page.get_by_role("list", name="Plan steps").get_by_role("listitem")).to_have_count(2, timeout=90_000)
        walk.agrees("running", RUNNING)

        # Step 1 is judged unfinished twice: another approach, then a question for the owner.
        walk.project_page()
        walk.waits_for(
            "the question",
            lambda: expect(page.get_by_role("heading", name=QUESTION_CARD)).to_be_visible(timeout=120_000),
        )
        walk.agrees("escalated", ASKING)

        # The answer: the card goes at once, the log acknowledges it, and the work goes on to step 2.
        walk.project_page()
        page.get_by_label("Your answer").fill("It should print hello.")
        page.get_by_role("button", name="Send answer").click()
        expect(page.get_by_role("heading", name=QUESTION_CARD)).to_have_count(0, timeout=10_000)
        log = page.get_by_role("list", name="Project log")
        expect(log).to_contain_text("It should print hello.", timeout=30_000)
        walk.waits_for(
            "step 1 done",
            lambda: expect(page.get_by_role("progressbar", name="1 of 2 steps done")).to_be_visible(timeout=120_000),
        )
        walk.agrees("answered", RUNNING)

        # Pause while Claude Code works on step 2, then resume.
        walk.press("Pause")
        expect(page.get_by_role("region", name="Controls").get_by_role("button", name="Resume")).to_be_visible(
            timeout=30_000
        )
        walk.agrees("paused", PAUSED)
        walk.press("Resume")
        expect(page.get_by_role("region", name="Controls").get_by_role("button", name="Pause")).to_be_visible(
            timeout=30_000
        )
        walk.agrees("resumed", RUNNING)

        # Stop: nothing is active and nothing asks; start again and it completes.
        walk.press("Stop")
        expect(page.get_by_role("region", name="Controls").get_by_role("button", name="Start")).to_be_visible(
            timeout=60_000
        )
        walk.server_says("stopped")
        walk.agrees("stopped", STOPPED)
        walk.press("Start")
        walk.waits_for(
            "completion",
            lambda: expect(page.get_by_role("progressbar", name="2 of 2 steps done")).to_be_visible(timeout=180_000),
        )
        # The manager's instance ends with the project: the page follows without a reload.
        expect(page.get_by_role("region", name="Controls").get_by_role("button", name="Start")).to_be_visible(
            timeout=30_000
        )
        walk.agrees("completed", Expected("completed", False, ("Start",), "idle", False))
        browser.close()
