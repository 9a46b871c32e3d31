"""A new family member's first run in a real Chromium against a real `autocode serve`, at phone and desktop width.

The admin creates the account; the member signs in and finds the dashboard's checklist (add a key, create an agent,
start something) saying that keys are each person's own; adds an Anthropic key in Settings; creates a coding agent
from the template, whose model field already holds a Claude model because that is the key they have (an OpenAI
model would be warned about, with the way to Settings); the checklist ticks each step as it is done. Each step is
screenshotted into artifacts/first-run/ and checked with axe-core and for horizontal overflow.

Then the third step: the member gives the agent a project and presses Start, and the project runs on that one
Anthropic key (the manager plans with the Claude model, Claude Code builds); the checklist is done and goes. The
paid provider is the scripted Anthropic server, started inside the member's sandbox and reached through the key's
base URL, as a person would point a key at a proxy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import docker
import pytest
from playwright.sync_api import Browser, Page, expect

from controlplane.config import PROJECT_ROOT, Settings
from tests.support.coding_world import ANTHROPIC_PORT, plan_reply, verdict
from tests.support.engine import serving_pwa
from tests.support.pwa import (
    WIDTHS,
    accessibility_violations,
    navigate,
    no_horizontal_overflow,
    sign_in,
)
from tests.support.pwa_coding import start_scripted_providers

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
MEMBER_PASSWORD = "family-password-1"
FAKE_ANTHROPIC_KEY = "sk-ant-test-not-a-real-key-1234"
MODEL = "The model that plans and checks the work"
FIRST_RUN = PROJECT_ROOT / "artifacts" / "first-run"  # kept: the first-run flow as people see it
WORKSPACE = "/home/agent/projects/hello"
# One Anthropic server answers both: the manager (nanobot, with the template's Claude model) and Claude Code.
ANTHROPIC = {
    "turns": [
        {"match": "TASK: plan", "responses": [{"text": plan_reply(("Write hello.py", "print a greeting"))}]},
        {"match": "TASK: compose_task", "responses": [{"text": "Create hello.py that prints hello."}]},
        {
            "match": "Create hello.py",
            "responses": [
                {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/hello.py", "content": "print(1)"}}},
                {"text": "Created hello.py.", "delay": 3},
            ],
        },
        {"match": "TASK: evaluate", "repeat": True, "responses": [{"text": verdict("complete", "hello.py is there")}]},
    ],
    "default": "Done.",
}


@pytest.fixture
def base(sandbox_settings: Settings) -> Iterator[str]:
    # Claude Code and the manager need more than the other sandbox tests' memory; poll faster.
    env = {"AUTOCODE_SANDBOX_MEMORY": "1g", "AUTOCODE_PROJECT_POLL_SECONDS": "0.5"}
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD, **env) as url:
        yield url


def step(page: Page, name: str, width_name: str) -> None:
    """Screenshot one first-run step, then hold it to axe and to the viewport's width."""
    FIRST_RUN.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=FIRST_RUN / f"{name}-{width_name}.png", full_page=True)
    assert accessibility_violations(page) == [], name
    assert no_horizontal_overflow(page), f"{name} is wider than the {width_name} viewport"


def checklist_state(page: Page) -> list[str]:
    """Each step of the checklist as '<label> (done)' or '<label> (to do)'."""
    items = page.get_by_role("list", name="Getting started steps").get_by_role("listitem")
    return [" ".join(text.split()) for text in items.all_inner_texts()]


def steps_done(page: Page) -> list[bool]:
    items = page.get_by_role("list", name="Getting started steps").get_by_role("listitem")
    return ["(done)" in (item.text_content() or "") for item in items.all()]


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_new_family_members_first_run(
    base: str,
    browser: Browser,
    width_name: str,
    sandbox_settings: Settings,
    engine_client: docker.DockerClient,
) -> None:
    width, height = WIDTHS[width_name]
    username = f"member-{width_name}"

    # The admin creates the account.
    admin = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(admin, base, "admin", ADMIN_PASSWORD)
    expect(admin.get_by_role("heading", name="Dashboard")).to_be_visible()
    navigate(admin, "Admin Panel")
    admin.get_by_label("New username").fill(username)
    admin.get_by_label("Name (optional)").fill("Lucie Nováková")
    admin.get_by_label("New password").fill(MEMBER_PASSWORD)
    admin.get_by_role("button", name="Create user").click()
    expect(admin.get_by_role("region", name="Create user")).to_contain_text(f"Created {username}")

    # The member signs in: the checklist leads, and says their keys are their own.
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, base, username, MEMBER_PASSWORD)
    checklist = page.get_by_role("region", name="Getting started")
    expect(checklist).to_be_visible()
    expect(checklist).to_contain_text("0 of 3 done")
    expect(checklist).to_contain_text("Each person's keys are their own: a new family member starts with none")
    assert steps_done(page) == [False, False, False]
    step(page, "1-dashboard-checklist", width_name)

    # A template before any key keeps its own model and names both keys the coding agent lacks.
    checklist.get_by_role("link", name="Create an agent").click()
    page.get_by_role("button", name="Use template: Coding Agent").click()
    expect(page.get_by_label(MODEL)).to_have_value("openai/gpt-5.3-codex")
    missing = page.get_by_role("list", name="Missing API keys")
    expect(missing).to_contain_text("You have no OpenAI key yet")
    expect(missing).to_contain_text("Claude Code, which writes the code in coding projects, always uses an Anthropic")
    expect(missing).to_contain_text("You have no Anthropic key yet")
    step(page, "2-agent-builder-no-keys", width_name)

    # Step 1: an Anthropic key, from the warning's link to Settings.
    missing.get_by_role("link", name="add it in Settings").first.click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.get_by_label("Provider").fill("anthropic")
    page.get_by_label("API key", exact=True).fill(FAKE_ANTHROPIC_KEY)
    page.get_by_label("Base URL (optional)").fill(f"http://127.0.0.1:{ANTHROPIC_PORT}")
    page.get_by_role("button", name="Add key").click()
    expect(page.get_by_role("list", name="Your API keys")).to_contain_text("anthropic")
    step(page, "3-settings-key-added", width_name)

    navigate(page, "Dashboard")
    expect(checklist).to_contain_text("1 of 3 done")
    assert steps_done(page) == [True, False, False]
    step(page, "4-dashboard-key-ticked", width_name)

    # Step 2: the coding template now starts with a Claude model, and says why.
    checklist.get_by_role("link", name="Create an agent").click()
    expect(page.get_by_role("button", name="Use template: Coding Agent")).to_be_visible()
    coding_card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Coding Agent"))
    expect(coding_card).to_contain_text("anthropic/claude-opus-4-6")
    page.get_by_role("button", name="Use template: Coding Agent").click()
    model = page.get_by_label(MODEL)
    expect(model).to_have_value("anthropic/claude-opus-4-6")
    expect(page.get_by_text("Set to Claude Opus 4.6, since you have an Anthropic key and no OpenAI")).to_be_visible()
    expect(page.get_by_role("list", name="Missing API keys")).to_have_count(0)
    step(page, "5-agent-builder-matching-model", width_name)
    assert_checkboxes_on_first_lines(page)
    page.get_by_role("group", name="Tools").scroll_into_view_if_needed()
    step(page, "5b-agent-builder-tools", width_name)

    # Choosing a model whose provider has no key is warned about right under the field.
    model.select_option("openai/gpt-5")
    expect(page.get_by_role("list", name="Missing API keys")).to_contain_text(
        "You have no OpenAI key yet: add it in Settings. Each person's keys are their own."
    )
    step(page, "6-agent-builder-missing-key", width_name)
    model.select_option("anthropic/claude-opus-4-6")
    expect(page.get_by_role("list", name="Missing API keys")).to_have_count(0)

    # An empty name is refused under the field, with focus on it; then the agent is created.
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Create agent").click()
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    expect(page.get_by_text("Give the agent a name.")).to_be_visible()
    name.fill("Family coder")
    page.get_by_role("button", name="Create agent").click()
    expect(page.get_by_role("heading", name="Family coder")).to_be_visible()
    expect(page.get_by_text("anthropic/claude-opus-4-6")).to_be_visible()

    navigate(page, "Dashboard")
    expect(checklist).to_contain_text("2 of 3 done")
    assert steps_done(page) == [True, True, False]
    expect(checklist.get_by_role("link", name="Start something")).to_have_attribute("href", "/agents/1")
    step(page, "7-dashboard-agent-ticked", width_name)

    # Step 3: a project, started, runs on the one Anthropic key.
    start_scripted_providers(
        base,
        sandbox_settings,
        engine_client,
        username=username,
        password=MEMBER_PASSWORD,
        openai={"rules": []},
        anthropic=ANTHROPIC,
    )
    checklist.get_by_role("link", name="Start something").click()
    page.get_by_role("button", name="+ New Project").click()
    page.get_by_label("Project name").fill("Hello")
    page.get_by_label("Goal", exact=True).fill("A script that says hello.")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Hello", exact=True)).to_be_visible()
    page.get_by_role("button", name="Start", exact=True).click()
    plan = page.get_by_role("list", name="Plan steps")
    try:
        expect(plan.get_by_role("listitem")).to_have_count(1, timeout=90_000)
    except AssertionError as error:
        requests = sandbox_settings.data_dir / "users" / username / ".fakes" / "anthropic-requests.jsonl"
        seen = (
            [json.loads(line).get("prompt") for line in requests.read_text().splitlines()] if requests.exists() else []
        )
        log = page.get_by_role("list", name="Project log").inner_text()
        raise AssertionError(f"{error}\nprompts seen: {seen}\nlog:\n{log}") from None
    expect(plan).to_contain_text("Write hello.py")
    step(page, "8-project-running", width_name)

    navigate(page, "Dashboard")
    expect(page.get_by_role("list", name="Active projects").or_(page.get_by_text("Nothing is running"))).to_be_visible()
    expect(page.get_by_role("region", name="Getting started")).to_have_count(0)  # all done: the checklist goes
    step(page, "9-dashboard-all-done", width_name)


def assert_checkboxes_on_first_lines(page: Page) -> None:
    """Every tool's box keeps its 16 px and is centred on its label's first line, even when the description wraps."""
    tools = page.get_by_role("group", name="Tools")
    boxes = tools.get_by_role("checkbox")
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 5
    for index in range(boxes.count()):
        box = boxes.nth(index)
        label_id = box.get_attribute("aria-labelledby")
        box_rect = box.bounding_box()
        label_rect = page.locator(f"[id='{label_id}']").bounding_box()
        assert box_rect is not None and label_rect is not None
        assert round(box_rect["width"]) == 16 and round(box_rect["height"]) == 16, box_rect
        box_middle = box_rect["y"] + box_rect["height"] / 2
        label_middle = label_rect["y"] + label_rect["height"] / 2  # the label is one line, the description below it
        assert abs(box_middle - label_middle) <= 1.5, (index, box_rect, label_rect)
