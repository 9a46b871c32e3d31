"""Bad input in every account form, in a real Chromium at phone and desktop width against a real `autocode serve`.

Each form is submitted with values the server (or, for an empty sign-in, the page) refuses; the plain message
must be under its field (what the field's aria-describedby names, shown below it), focus on the first invalid
field, no validator wording anywhere, and axe content with the page. The requirement hints are checked as they
appear before anything is typed. Screenshots: artifacts/screenshots/forms-*-{phone,desktop}.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from controlplane.rules import DISPLAY_NAME_RULE, PASSWORD_RULE, USERNAME_RULE
from controlplane.schemas.settings import API_KEY_RULE, BASE_URL_RULE, PROVIDER_RULE
from tests.support.live_server import serving
from tests.support.pwa import (
    DIST,
    accessibility_violations,
    goto,
    messages_under,
    navigate,
    shot,
    sign_in,
    validator_vocabulary_shown,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    data_dir = tmp_path_factory.mktemp("pwa-forms")
    env = {"AUTOCODE_ADMIN_PASSWORD": ADMIN_PASSWORD, "AUTOCODE_FRONTEND_DIST": str(DIST)}
    with serving(data_dir, capture=False, **env) as (url, _):
        token = httpx.post(f"{url}/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = httpx.post(f"{url}/api/users", headers=headers, json={"username": "mum", "password": USER_PASSWORD})
        assert created.status_code == 201, created.text
        yield url


def width(page: Page) -> str:
    return str(page.width_name)  # type: ignore[attr-defined]


def field(scope: Page | Locator, label: str) -> Locator:
    return scope.get_by_label(label, exact=True)


def assert_under(field: Locator, message: str) -> None:
    """The message is (or soon is) shown under the field it is about, and the field is marked invalid."""
    wait_until(
        lambda: message in messages_under(field),
        what=f"{message!r} under its field",
        detail=lambda: f"under it: {messages_under(field)}",
    )
    expect(field).to_have_attribute("aria-invalid", "true")


def signed_in_at(page: Page, base: str, username: str, password: str, link: str) -> None:
    sign_in(page, base, username, password)
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    navigate(page, link)


def assert_plain_and_accessible(page: Page) -> None:
    assert validator_vocabulary_shown(page) == []
    assert accessibility_violations(page) == []


def test_sign_in_names_empty_fields_and_puts_the_servers_refusals_where_they_belong(page: Page, base: str) -> None:
    goto(page, base)
    username, password = field(page, "Username"), field(page, "Password")
    expect(username).to_be_visible()
    assert messages_under(username) == [] and messages_under(password) == []  # no requirement hints here

    page.get_by_role("button", name="Sign in", exact=True).click()
    assert_under(username, "Enter your username.")
    assert_under(password, "Enter your password.")
    expect(username).to_be_focused()
    shot(page, "forms-sign-in-empty", width(page))
    assert_plain_and_accessible(page)

    username.fill("m" * 65)  # longer than any username: the server's 422, under the field
    password.fill("whatever-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert_under(username, "Use at most 64 characters.")
    expect(username).to_be_focused()
    assert messages_under(password) == []

    username.fill("nobody")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password")
    expect(username).to_have_attribute("aria-invalid", "false")
    assert_plain_and_accessible(page)


def test_admin_panel_forms(page: Page, base: str) -> None:
    signed_in_at(page, base, "admin", ADMIN_PASSWORD, "Admin Panel")
    create = page.get_by_role("region", name="Create user")
    username, name, password = (
        field(create, "New username"),
        field(create, "Name (optional)"),
        field(create, "New password"),
    )

    # The rules before anything is typed.
    expect(username).to_be_visible()
    assert messages_under(username) == [f"What they sign in with. {USERNAME_RULE}"]
    assert messages_under(password) == [PASSWORD_RULE]
    assert messages_under(name) == [f"How they are named here. {DISPLAY_NAME_RULE}"]

    username.fill("Lucie Nováková")
    name.fill("L" * 81)
    password.fill("short")
    create.get_by_role("button", name="Create user", exact=True).click()
    assert_under(username, USERNAME_RULE)
    assert_under(name, DISPLAY_NAME_RULE)
    assert_under(password, PASSWORD_RULE)
    expect(username).to_be_focused()
    shot(page, "forms-admin-create-user", width(page))
    assert_plain_and_accessible(page)

    # A username someone has: the server's 409, under the username.
    username.fill("mum")
    name.fill("")
    password.fill("long-enough-password")
    create.get_by_role("button", name="Create user", exact=True).click()
    assert_under(username, "A user named 'mum' already exists")
    expect(username).to_be_focused()

    mum = page.locator('li[aria-label="mum"]')
    mum.get_by_role("button", name="Reset password", exact=True).click()
    reset = field(mum, "New password for mum")
    assert messages_under(reset) == [PASSWORD_RULE]
    reset.fill("short")
    mum.get_by_role("button", name="Set password", exact=True).click()
    assert_under(reset, PASSWORD_RULE)
    expect(reset).to_be_focused()
    shot(page, "forms-admin-reset-password", width(page))
    assert_plain_and_accessible(page)

    mum.get_by_role("button", name="Edit name", exact=True).click()
    display_name = field(mum, "Name for mum")
    display_name.fill("Lucie " * 14)  # 84 characters
    mum.get_by_role("button", name="Save name", exact=True).click()
    assert_under(display_name, DISPLAY_NAME_RULE)
    expect(display_name).to_be_focused()
    shot(page, "forms-admin-display-name", width(page))
    assert_plain_and_accessible(page)


def test_settings_forms(page: Page, base: str) -> None:
    signed_in_at(page, base, "mum", USER_PASSWORD, "Settings")
    expect(page.get_by_text("Your keys are yours alone")).to_be_visible()

    provider, key, base_url = field(page, "Provider"), field(page, "API key"), field(page, "Base URL (optional)")
    assert messages_under(provider) == [f"The company the key is from. {PROVIDER_RULE}"]
    provider.fill("Open AI")
    key.fill("sk-1")
    base_url.fill("llm.example.com")
    page.get_by_role("button", name="Add key", exact=True).click()
    assert_under(provider, PROVIDER_RULE)
    assert_under(key, API_KEY_RULE)
    assert_under(base_url, BASE_URL_RULE)
    expect(provider).to_be_focused()
    shot(page, "forms-settings-add-key", width(page))
    assert_plain_and_accessible(page)

    font_size = field(page, "Terminal font size")
    font_size.fill("99")
    page.get_by_role("button", name="Save preferences", exact=True).click()
    assert_under(font_size, "Use a number no larger than 32.")
    expect(font_size).to_be_focused()
    font_size.fill("16")
    page.get_by_role("button", name="Save preferences", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()

    current, new, repeat = (
        field(page, "Current password"),
        field(page, "New password"),
        field(page, "Repeat the new password"),
    )
    assert messages_under(new) == [PASSWORD_RULE]
    current.fill(USER_PASSWORD)
    new.fill("new-password-1")
    repeat.fill("new-password-2")
    page.get_by_role("button", name="Change password", exact=True).click()
    assert_under(repeat, "The two new passwords are not the same.")
    expect(repeat).to_be_focused()

    new.fill("short")
    repeat.fill("short")
    page.get_by_role("button", name="Change password", exact=True).click()
    assert_under(new, PASSWORD_RULE)
    expect(new).to_be_focused()
    shot(page, "forms-settings-change-password", width(page))
    assert_plain_and_accessible(page)


def _api_as(base: str, username: str, password: str) -> dict[str, str]:
    token = httpx.post(f"{base}/api/auth/login", json={"username": username, "password": password})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture(scope="module")
def coding_agent(base: str) -> dict[str, int]:
    """Mum's coding agent with one project: what the new-project form and the plan editor need."""
    headers = _api_as(base, "mum", USER_PASSWORD)
    agent = httpx.post(f"{base}/api/agents", headers=headers, json={"template": "coding", "name": "Coder"})
    assert agent.status_code == 201, agent.text
    agent_id = agent.json()["id"]
    project = httpx.post(
        f"{base}/api/agents/{agent_id}/projects", headers=headers, json={"name": "Weather", "description": "A CLI"}
    )
    assert project.status_code == 201, project.text
    return {"agent": agent_id, "project": project.json()["id"]}


def test_the_project_form_and_the_plan_editor(page: Page, base: str, coding_agent: dict[str, int]) -> None:
    signed_in_at(page, base, "mum", USER_PASSWORD, "Coder")
    page.get_by_role("button", name="+ New Project", exact=True).click()
    name = field(page, "Project name")
    name.fill("W" * 121)
    field(page, "Goal").fill("A weather CLI")
    page.get_by_role("button", name="Create project", exact=True).click()
    assert_under(name, "Use 1 to 120 characters.")
    expect(name).to_be_focused()
    shot(page, "forms-new-project", width(page))
    assert_plain_and_accessible(page)

    goto(page, f"{base}/projects/{coding_agent['project']}")
    page.get_by_role("button", name="Edit plan", exact=True).click()
    page.get_by_role("button", name="Add step", exact=True).click()
    page.get_by_role("button", name="Add step", exact=True).click()
    second = page.get_by_role("group", name="Step 2")
    second.get_by_label("Title", exact=True).fill("t" * 301)
    first_title = page.get_by_role("group", name="Step 1").get_by_label("Title", exact=True)
    first_title.fill("Write the CLI")
    page.get_by_role("button", name="Save plan", exact=True).click()
    title = second.get_by_label("Title", exact=True)
    # The runner's plan contract says it (autocode_runner.contract.plan); its words, under the step's title.
    wait_until(
        lambda: any("1 to 300 characters" in text for text in messages_under(title)),
        what="the title's length under step 2's title",
        detail=lambda: f"under it: {messages_under(title)}",
    )
    assert messages_under(first_title) == []
    expect(title).to_be_focused()
    shot(page, "forms-plan-editor", width(page))
    assert_plain_and_accessible(page)
