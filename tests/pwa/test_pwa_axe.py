"""Every page of the PWA passes axe-core (no serious or critical WCAG 2.1 A/AA violation) at phone (390 by 844) and
desktop (1280 by 800) width, in a real Chromium against a real `autocode serve` (issue 17, "The browser").

The pages are App.tsx's routes: sign-in, the offline screen (before sign-in) and the offline banner (after),
the dashboard, the Agent Builder (its templates and its form), each kind's agent page and edit page (coding with
its new-project form and a project's page, research with a research's chat, files and manage tabs, learning with
a subject's courses and a course's chat, notes, review and settings tabs, custom with a chat's page and its
manage box, social media with each tab: feed, stories, new post, inbox, assistant, scheduled, accounts), settings,
the admin panel, the terminal and a page that does not exist. Sandboxes are off: a page that needs one shows its
unavailable state, and that state is held to axe too. The social media pages are seen twice: on a server with no
Meta app ("not set up" on Accounts), and on one whose Meta is the scripted Graph server
(tests/support/fakes/graph_server.py), with the Page and its Instagram account connected through /social/connect,
a post, a story, a comment and a conversation.

A failure lists every finding at once: rule, element (axe's target), page and width.

Every form shows the server's refusal to the person: a 422 under the field it names (marked invalid), a 409 or
503 with its message, announced. The forms, and the test proving it for each (Vitest under frontend/src/, browser
tests under tests/pwa/; FR = frontend/src/pages/FormRefusals.test.tsx):

- sign-in: 422 under Username, 401 announced: test_pwa_forms.py (sign-in test); SignIn.test.tsx
- change password: 422 under its field: test_pwa_forms.py::test_settings_forms; Settings.test.tsx
- API keys, add: 422 under Provider, API key, Base URL: test_pwa_forms.py::test_settings_forms
- API keys, remove: 503 announced: FR
- preferences (language, terminal font size): 422 under the font size: test_pwa_forms.py::test_settings_forms
- agent builder (create): 422 under the model; MCP servers' fields: AgentBuilder.test.tsx; McpEditor.test.tsx
- agent edit: 409 (a name another agent has) under Name: FR; test_forms_show_what_the_real_server_refuses
- agent delete: 503 announced in the question: FR
- new project: 422 under Project name: test_pwa_forms.py::test_the_project_form_and_the_plan_editor
- project Start and the other controls: 409 (no key for the model) announced: test_forms_show_what_the_real_...
- plan editor: 422 under the step's Title: test_pwa_forms.py (plan editor); PlanView.test.tsx
- project goal and architecture: 422 under Goal: FR
- answer to the agent's question: 409 announced: FR
- CLAUDE.md: 422 under it, 503 announced: FR
- global rules: 422 under Rules, 503 announced: FR
- research new, rename: 422 under Name: FR
- subject new: 409 under Name; subject rename, course new: 422 under Name: FR
- course settings (instructions, rename): 422 under each: FR
- student notes: 422 under them, 503 announced: FR
- review answer: 422 under Your answer, 503 announced: learning/CoursePage.test.tsx
- custom chat new: 503 announced: FR; chat rename: 422 on its title under Name: FR; the real server in
  test_forms_show_what_the_real_server_refuses
- chat composer (research, course, custom, assistant): a failed message with its error and Retry, a 413 in
  words: ChatView.test.tsx; Composer.test.tsx
- admin create user: 422 and 409 under their fields; reset password, name: 422 under them:
  test_pwa_forms.py::test_admin_panel_forms; FormFocus.test.tsx
- admin delete user: 409 announced: FR
- social composer: 422 under its field: SocialPanel.test.tsx
- social reply boxes: 422 under the box (comment), Meta's 409 explained (message): SocialPanel.test.tsx
- social connect: Meta's refusal said: SocialPanel.test.tsx ("says what Meta refused")
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.support.fakes.graph_server import GraphServer
from tests.support.live_server import serving
from tests.support.pwa import AXE, DIST, WIDTHS, bearer, goto, messages_under, shot, sign_in
from tests.support.social_world import ADMIN_PASSWORD, PASSWORD, family_account, seed_family, serving_social
from tests.support.waiting import wait_until

pytestmark = pytest.mark.browser
SIZES = {"phone": (390, 844), "desktop": WIDTHS["desktop"]}
SOCIAL_TABS = {
    "feed": "Feed",
    "stories": "Stories",
    "new": "New Post",
    "inbox": "Inbox",
    "assistant": "AI Assistant",
    "scheduled": "Scheduled",
    "accounts": "Accounts",
}

FINDINGS = """async () => {
    const found = await axe.run(
        {exclude: [".xterm-screen"]},
        {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    );
    return found.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .flatMap(v => v.nodes.map(n => ({
            rule: v.id,
            impact: v.impact,
            target: n.target.join(" "),
            summary: (n.failureSummary || "").split("\\n").slice(1).join(" ").trim().slice(0, 200),
        })));
}"""


@dataclass
class Audit:
    """axe's serious and critical findings, gathered page after page, so one run names all of them."""

    width: str
    findings: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        settle(page)
        if not AXE.is_file():
            raise AssertionError("axe-core is missing: run `make frontend` (make test installs it first)")
        page.add_script_tag(path=str(AXE))
        found: list[dict[str, Any]] = page.evaluate(FINDINGS)
        self.pages.append(name)
        for item in found:
            self.findings.append(
                f"{item['rule']} ({item['impact']}) at {item['target']} on {name} [{self.width}]: {item['summary']}"
            )

    def assert_clean(self) -> None:
        assert not self.findings, f"{len(self.findings)} axe findings:\n" + "\n".join(self.findings)


def settle(page: Page) -> None:
    """The page has its title and nothing is loading any more."""
    expect(page.locator("h1").first).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Starting")).to_have_count(0)


def open_context(browser: Browser, width_name: str) -> BrowserContext:
    width, height = SIZES[width_name]
    return browser.new_context(viewport={"width": width, "height": height})


def tab(page: Page, name: str) -> None:
    chosen = page.get_by_role("tab", name=name, exact=True)
    chosen.click()
    expect(chosen).to_have_attribute("aria-selected", "true")


def post(base: str, headers: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    made = httpx.post(f"{base}{path}", headers=headers, json=body)
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


@dataclass
class World:
    base: str
    ids: dict[str, int]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server without sandboxes and without a Meta app; the admin's agents of every kind, with a project, a
    research, a subject with a course, and a custom agent's chat."""
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `npm --prefix frontend run build` (make test builds it)")
    with serving(
        tmp_path_factory.mktemp("axe-data"),
        capture=False,
        AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD,
        AUTOCODE_FRONTEND_DIST=str(DIST),
    ) as (base, _):
        admin = bearer(base, "admin", ADMIN_PASSWORD)
        made = httpx.post(f"{base}/api/users", headers=admin, json={"username": "mum", "password": PASSWORD})
        assert made.status_code == 201, made.text
        ids: dict[str, int] = {}
        ids["coding"] = post(base, admin, "/api/agents", {"template": "coding", "name": "Coder"})["id"]
        ids["project"] = post(
            base,
            admin,
            f"/api/agents/{ids['coding']}/projects",
            {"name": "Weather CLI", "description": "A tool that prints the weather."},
        )["id"]
        ids["research_agent"] = post(base, admin, "/api/agents", {"template": "research", "name": "Researcher"})["id"]
        ids["research"] = post(base, admin, f"/api/agents/{ids['research_agent']}/research", {"name": "Heat pumps"})[
            "id"
        ]
        ids["learning"] = post(base, admin, "/api/agents", {"template": "learning", "name": "Tutor"})["id"]
        ids["subject"] = post(base, admin, f"/api/agents/{ids['learning']}/subjects", {"name": "English"})["id"]
        ids["course"] = post(
            base,
            admin,
            f"/api/subjects/{ids['subject']}/courses",
            {"name": "Conversation", "instructions": "Speak with me about travel.", "level_scale": "cefr"},
        )["id"]
        ids["custom"] = post(
            base,
            admin,
            "/api/agents",
            {"type": "custom", "name": "Pantry helper", "model": "anthropic/claude-sonnet-4-5"},
        )["id"]
        ids["chat"] = post(base, admin, f"/api/agents/{ids['custom']}/chats", {"title": "What is in the pantry"})["id"]
        ids["social"] = post(base, admin, "/api/agents", {"template": "social_media", "name": "Bakery posts"})["id"]
        yield World(base, ids)


@pytest.mark.parametrize("width_name", list(SIZES))
def test_every_page_passes_axe(browser: Browser, world: World, width_name: str) -> None:
    base, ids = world.base, world.ids
    audit = Audit(width_name)
    context = open_context(browser, width_name)
    page = context.new_page()

    def visit(path: str, name: str) -> None:
        goto(page, f"{base}{path}")
        audit.check(page, name)

    def click(role: str, name: str, *, scope: Page | Locator | None = None) -> None:
        (scope or page).get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]

    # Before signing in: the sign-in page, then the offline screen.
    goto(page, base)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    audit.check(page, "sign-in")
    context.set_offline(True)
    expect(page.get_by_role("heading", name="The AutoCode server is unreachable")).to_be_visible()
    audit.check(page, "offline screen")
    context.set_offline(False)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

    sign_in(page, base, "admin", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("region", name="Your agents")).to_contain_text("Coder")
    audit.check(page, "dashboard")
    context.set_offline(True)
    offline_banner = page.get_by_role("status").filter(has_text="You are offline")
    expect(offline_banner).to_be_visible()
    audit.check(page, "dashboard, offline banner")
    context.set_offline(False)
    expect(offline_banner).to_have_count(0)

    visit("/agents/new", "agent builder")
    click("button", "Build from scratch")
    expect(page.get_by_label("Name", exact=True)).to_be_visible()
    audit.check(page, "agent builder, from scratch")

    # Coding: the agent with its project and the new-project form, deleting it asked, its edit page, a project
    # with its plan editor.
    visit(f"/agents/{ids['coding']}", "coding agent")
    expect(page.get_by_role("link", name="Weather CLI")).to_be_visible()
    click("button", "+ New Project")
    expect(page.get_by_label("Project name", exact=True)).to_be_visible()
    audit.check(page, "coding agent, new project")
    click("button", "Delete agent")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    audit.check(page, "coding agent, delete asked")
    visit(f"/agents/{ids['coding']}/edit", "coding agent, edit")
    visit(f"/projects/{ids['project']}", "project")
    click("button", "Edit plan")
    click("button", "Add step")
    expect(page.get_by_role("group", name="Step 1")).to_be_visible()
    audit.check(page, "project, plan editor")

    # Research: the agent with the new-research form, the research's chat, files (no sandbox) and manage tabs.
    visit(f"/agents/{ids['research_agent']}", "research agent")
    click("button", "+ New Research")
    audit.check(page, "research agent, new research")
    visit(f"/research/{ids['research']}", "research chat")
    tab(page, "Files")
    expect(page.get_by_role("alert")).to_contain_text("Sandboxes are disabled")
    audit.check(page, "research files (no sandbox)")
    tab(page, "Manage")
    audit.check(page, "research manage")

    # Learning: the agent with its subject opened and the new-course form, a course's tabs.
    visit(f"/agents/{ids['learning']}", "learning agent")
    subject = page.get_by_role("button", name="English", exact=True)
    if subject.get_attribute("aria-expanded") != "true":
        subject.click()
    expect(page.get_by_role("link", name="Conversation")).to_be_visible()
    click("button", "+ New Course")
    audit.check(page, "learning agent, subject open, new course")
    click("button", "+ New Subject")
    audit.check(page, "learning agent, new subject")
    visit(f"/course/{ids['course']}", "course chat")
    if width_name == "phone":  # on a desktop the notes are beside the chat
        tab(page, "Notes")
        audit.check(page, "course notes")
    tab(page, "Review")
    audit.check(page, "course review")
    tab(page, "Course")
    audit.check(page, "course settings")

    # Custom: the agent's chats, a chat with its rename-or-delete box, the edit page.
    visit(f"/agents/{ids['custom']}", "custom agent")
    visit(f"/chat/{ids['chat']}", "custom chat")
    click("button", "Rename or delete")
    audit.check(page, "custom chat, rename or delete")
    visit(f"/agents/{ids['custom']}/edit", "custom agent, edit")

    # Social media without a Meta app: every tab, Accounts saying what the admin must set up.
    for key, label in SOCIAL_TABS.items():
        goto(page, f"{base}/agents/{ids['social']}?tab={key}")
        expect(page.get_by_role("tab", name=label, exact=True)).to_have_attribute("aria-selected", "true")
        if key == "accounts":
            expect(page.get_by_text("Connecting accounts is not set up yet")).to_be_visible()
        audit.check(page, f"social {label} (no Meta app)")
    visit("/social/connect", "social connect, nothing to connect")

    visit("/settings", "settings")
    visit("/admin", "admin panel")
    mum = page.locator('li[aria-label="mum"]')
    click("button", "Reset password", scope=mum)
    expect(mum.get_by_label("New password for mum", exact=True)).to_be_visible()
    audit.check(page, "admin panel, reset password")
    goto(page, f"{base}/terminal")
    expect(page.get_by_text("Your workspace is not answering. Trying again…")).to_be_visible()
    page.get_by_text("Details for the admin").click()  # the server's own words, for whoever runs it
    expect(page.get_by_text("Sandboxes are disabled on this server")).to_be_visible()
    audit.check(page, "terminal (no sandbox)")
    shot(page, "terminal-not-answering", width_name)
    visit("/no-such-page", "not found")
    context.close()

    # Someone who is not an admin: the dashboard's first steps, and the admin panel refused.
    context = open_context(browser, width_name)
    page = context.new_page()
    sign_in(page, base, "mum", PASSWORD)
    visit("/", "dashboard, first run")
    visit("/admin", "admin panel, not an admin")
    context.close()

    assert len(audit.pages) >= 40, audit.pages
    audit.assert_clean()


def test_the_audit_names_a_violation_by_rule_target_page_and_width(browser: Browser, world: World) -> None:
    """The check above can fail: grey on grey, put on the sign-in page, is found and named."""
    context = open_context(browser, "phone")
    page = context.new_page()
    goto(page, world.base)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.id = "faint";
            p.textContent = "Hard to read";
            p.style.cssText = "color: #777; background: #707070";
            document.querySelector("main, body").appendChild(p);
        }"""
    )
    audit = Audit("phone")
    audit.check(page, "sign-in with faint words")
    context.close()
    assert any(
        f.startswith("color-contrast (serious) at #faint on sign-in with faint words [phone]") for f in audit.findings
    ), audit.findings
    with pytest.raises(AssertionError, match="1 axe findings"):
        audit.assert_clean()


@pytest.fixture(scope="module")
def social_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, GraphServer]]:
    """A server whose Meta is the scripted Graph server, with a post, a story, a comment and two conversations."""
    with GraphServer() as graph:
        family = seed_family(graph)
        posted = graph.add_post(family.ig.id, caption="Rye loaf", likes=3, metrics={"reach": 40, "views": 90})
        graph.add_comment(posted.id, author="jan", text="When do you open on Sunday?")
        graph.add_story(family.ig.id, metrics={"reach": 12})
        graph.add_conversation(
            family.page.id, "messenger", "5001", "Petra", messages=[("them", "Do you bake rolls?", graph.now)]
        )
        graph.add_conversation(
            family.page.id,
            "messenger",
            "5002",
            "Karel",
            messages=[("them", "Thanks!", graph.now - timedelta(days=3))],
        )
        data: Path = tmp_path_factory.mktemp("axe-social") / "data"
        with serving_social(data, graph) as base:
            yield base, graph


@pytest.mark.parametrize("width_name", list(SIZES))
def test_the_social_media_pages_with_connected_accounts_pass_axe(
    browser: Browser, social_world: tuple[str, GraphServer], width_name: str
) -> None:
    base, _graph = social_world
    username = f"anna-{width_name}"
    me = family_account(base, username)
    agent_id = post(base, me, "/api/agents", {"template": "social_media", "name": "Bakery posts"})["id"]
    audit = Audit(width_name)
    context = open_context(browser, width_name)
    page = context.new_page()
    sign_in(page, base, username, PASSWORD)

    goto(page, f"{base}/agents/{agent_id}?tab=accounts")
    audit.check(page, "social Accounts (ready, none connected)")
    page.get_by_role("button", name="Connect with Facebook").click()
    expect(page.get_by_role("heading", name="Connect accounts", level=1)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Facebook: Anna Bakes")).to_be_checked()
    audit.check(page, "social connect")
    page.get_by_role("button", name="Connect", exact=True).click()
    connected = page.get_by_role("list", name="Connected accounts")
    expect(connected.locator('[data-status="connected"]')).to_have_count(2)
    audit.check(page, "social Accounts (connected)")

    for key, label in SOCIAL_TABS.items():
        goto(page, f"{base}/agents/{agent_id}?tab={key}")
        expect(page.get_by_role("tab", name=label, exact=True)).to_have_attribute("aria-selected", "true")
        if key == "feed":
            expect(page.get_by_role("list", name="Posts")).to_contain_text("Rye loaf")
        if key == "new":
            page.get_by_label("Words").fill("Fresh rye bread. #bread")
            expect(page.locator('[data-preview="facebook"]')).to_contain_text("Fresh rye bread")
        if key == "inbox":
            comments = page.get_by_role("list", name="Comments")
            expect(comments).to_contain_text("When do you open on Sunday?")
            audit.check(page, "social Inbox, comments")
            page.get_by_role("tab", name="Messages").click()
            expect(page.locator('[data-conversation="Karel"]')).to_be_visible()
            page.locator('[data-conversation="Karel"]').get_by_role("button").first.click()
            expect(page.locator('[data-conversation="Karel"]').get_by_role("alert")).to_contain_text("24 hours")
            audit.check(page, "social Inbox, messages")
            continue
        audit.check(page, f"social {label}")
    context.close()
    audit.assert_clean()


def assert_under(field: Locator, message: str) -> None:
    """The message is (or soon is) shown under the field it is about, and the field is marked invalid."""
    wait_until(
        lambda: message in messages_under(field),
        what=f"{message!r} under its field",
        detail=lambda: f"under it: {messages_under(field)}",
    )
    expect(field).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("width_name", list(SIZES))
def test_forms_show_what_the_real_server_refuses(browser: Browser, world: World, width_name: str) -> None:
    """The refusals only the real server gives (a name another agent has, a chat title past its limit, a project
    that cannot start without its model's key), where the person sees them; the page passes axe so."""
    base, ids = world.base, world.ids
    audit = Audit(width_name)
    context = open_context(browser, width_name)
    page = context.new_page()
    sign_in(page, base, "admin", ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    goto(page, f"{base}/agents/{ids['coding']}/edit")
    name = page.get_by_label("Name", exact=True)
    name.fill("Researcher")
    page.get_by_role("button", name="Save changes", exact=True).click()
    assert_under(name, "You already have an agent named 'Researcher'")
    expect(name).to_be_focused()
    audit.check(page, "agent edit, name taken")

    goto(page, f"{base}/chat/{ids['chat']}")
    page.get_by_role("button", name="Rename or delete").click()
    title = page.get_by_label("Name", exact=True)
    title.fill("T" * 121)
    page.get_by_role("button", name="Rename", exact=True).click()
    assert_under(title, "Use 1 to 120 characters.")
    expect(title).to_be_focused()
    audit.check(page, "custom chat, title too long")

    goto(page, f"{base}/projects/{ids['project']}")
    page.get_by_role("button", name="Start", exact=True).click()
    # The server refuses before any sandbox is needed: the agent's model has no key yet.
    refusal = page.get_by_role("region", name="Controls").get_by_role("alert")
    expect(refusal).to_contain_text("No API key for 'openai'")
    expect(refusal).to_contain_text("add one in Settings")
    audit.check(page, "project, cannot start")
    context.close()
    audit.assert_clean()
