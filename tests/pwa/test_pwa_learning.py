"""The learning agent through the PWA in a real Chromium, at phone and desktop width: create a subject and a
language course, have a lesson whose tutor rewrites the notes, records two review cards and sets the level (the
notes change beside the chat, or in their tab on a phone), edit the notes, see the cards due on the dashboard,
and complete a review: one answer graded by the tutor with its feedback streamed in, one card rated by the
student. Against a real `autocode serve` with a real sandbox, the real tutor (nanobot) and the scripted
Anthropic server inside the sandbox reached through the key's base URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from controlplane.config import Settings
from tests.support.coding_world import ANTHROPIC_PORT, CLAUDE_KEY
from tests.support.engine import serving_pwa
from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, WIDTHS, accessibility_violations, bearer, goto, shot, sign_in
from tests.support.pwa_coding import start_scripted_providers

pytestmark = [pytest.mark.docker, pytest.mark.browser, pytest.mark.slow]
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "student-password-1"
NOTES = "# Student notes\n\nLevel: A2\n\nWeaknesses: articles, present perfect\n"
MISTAKE = "I have went home."
WELCOME = (
    "Welcome! We start with **travel words**. I wrote two cards for you to review: the bill, and a mistake "
    "people often make with the present perfect."
)


def tool_use(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_use": {"name": name, "input": arguments}}


ANTHROPIC: dict[str, Any] = {
    "turns": [
        {
            "match": "first lesson",
            "responses": [
                tool_use("update_student_notes", {"content": NOTES}),
                tool_use("add_review_card", {"kind": "word", "front": "the bill", "back": "účet"}),
                tool_use("add_review_card", {"kind": "mistake", "front": MISTAKE, "back": "I have gone home."}),
                tool_use("set_level", {"level": "A2"}),
                {"text": WELCOME, "chunk_delay": 0.1},
            ],
        },
        {  # the review answer to the first card (card 1: the server's database is new)
            "match": "ucet",
            "responses": [
                tool_use("grade_answer", {"card_id": 1, "rating": 3, "feedback": "Right."}),
                {"text": "Correct! *The bill* is **účet** — well remembered.", "chunk_delay": 0.1},
            ],
        },
    ],
    "default": "Noted.",
}


@pytest.fixture
def server(sandbox_settings: Settings) -> Iterator[str]:
    with serving_pwa(sandbox_settings, ADMIN_PASSWORD) as base:
        yield base


def prepare_student(base: str, settings: Settings, engine: docker.DockerClient) -> int:
    """An account with an Anthropic key on the scripted server, a learning agent, and its sandbox with the
    scripted server answering; returns the agent's id."""
    admin = bearer(base, "admin", ADMIN_PASSWORD)
    created = httpx.post(f"{base}/api/users", headers=admin, json={"username": "student", "password": PASSWORD})
    assert created.status_code == 201, created.text
    me = bearer(base, "student", PASSWORD)
    key = {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
    assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=key).status_code == 201
    agent = httpx.post(f"{base}/api/agents", headers=me, json={"template": "learning", "name": "Tutor"})
    assert agent.status_code == 201, agent.text
    start_scripted_providers(
        base, settings, engine, username="student", password=PASSWORD, openai={"rules": []}, anthropic=ANTHROPIC
    )
    return int(agent.json()["id"])


def no_serious_violations(page: Page) -> None:
    found = accessibility_violations(page)
    assert found == [], found


def notes_view(page: Page, phone: bool) -> Any:
    """The rendered notes: in their tab on a phone, beside the chat on a desktop."""
    if phone:
        page.get_by_role("tab", name="Notes").click()
        return page.locator("[data-notes]")
    return page.get_by_role("complementary", name="Notes about you").locator("[data-notes]")


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_course_is_created_taught_its_notes_change_and_its_cards_are_reviewed(
    server: str, sandbox_settings: Settings, engine_client: docker.DockerClient, width_name: str
) -> None:
    agent_id = prepare_student(server, sandbox_settings, engine_client)
    width, height = WIDTHS[width_name]
    phone = width_name == "phone"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        sign_in(page, server, "student", PASSWORD)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        expect(page.get_by_role("heading", name="To review")).to_have_count(0)  # nothing due: no line

        # A subject, then a language course in it; the course's page opens.
        goto(page, f"{server}/agents/{agent_id}")
        expect(page.get_by_role("heading", name="Subjects")).to_be_visible()
        page.get_by_role("button", name="+ New Subject").click()
        page.get_by_label("Name", exact=True).fill("Angličtina")
        page.get_by_role("button", name="Create subject").click()
        expect(page.get_by_role("button", name="Angličtina", exact=True)).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_text("No courses in this subject yet.")).to_be_visible()
        page.get_by_role("button", name="+ New Course").click()
        page.get_by_label("Name", exact=True).fill("Konverzace")
        page.get_by_label("Instructions for the tutor").fill("Talk with me in English and correct my mistakes.")
        expect(page.get_by_label("Language course (levels A1\u2013C2)")).to_be_checked()
        shot(page, "learning-new-course", width_name)
        no_serious_violations(page)
        page.get_by_role("button", name="Create course").click()
        expect(page.get_by_role("heading", name="Konverzace", level=1)).to_be_visible()
        expect(page.get_by_text("Level not assessed yet")).to_be_visible()
        expect(page.get_by_text("Subject: Angličtina")).to_be_visible()

        # A lesson: the reply streams with the tutor's tool cards; the level and the notes follow.
        page.get_by_label("Your message").fill("Hello! My first lesson, please.")
        page.get_by_role("button", name="Send", exact=True).click()
        writing = page.locator('li[data-role="assistant"][data-status="writing"]')
        expect(writing).to_contain_text("Welcome!", timeout=120_000)
        expect(writing.locator('[data-tool-id][data-status="done"]').first).to_contain_text("Updated your notes")
        reply = page.locator('li[data-role="assistant"][data-status="done"]')
        expect(reply).to_contain_text("present perfect.", timeout=60_000)
        expect(reply.locator("strong")).to_have_text("travel words")
        expect(page.get_by_text("Level A2", exact=True)).to_be_visible()
        expect(page.get_by_text("Elementary: you manage simple, routine conversations")).to_be_visible()
        expect(page.get_by_role("tab", name="Review (2)")).to_be_visible()
        if not phone:
            expect(page.get_by_text("Your tutor has just updated the notes.")).to_be_visible()
        notes = notes_view(page, phone)
        expect(notes).to_contain_text("Weaknesses: articles, present perfect")
        expect(notes.get_by_role("heading", name="Student notes")).to_be_visible()
        shot(page, "learning-lesson", width_name)
        no_serious_violations(page)

        # The student's own edit to the notes is kept (and is what the tutor reads next).
        page.get_by_role("button", name="Edit", exact=True).click()
        editor = page.get_by_role("textbox", name="The notes (Markdown)")
        editor.fill(NOTES + "\nLikes trains.\n")
        page.get_by_role("button", name="Save notes").click()
        expect(page.get_by_text("Saved. The tutor sees them with your next message.")).to_be_visible()
        expect(notes_view(page, phone) if phone else notes).to_contain_text("Likes trains.")
        me = bearer(server, "student", PASSWORD)
        courses = httpx.get(f"{server}/api/agents/{agent_id}/subjects", headers=me).json()[0]["courses"]
        saved = httpx.get(f"{server}/api/courses/{courses[0]['id']}/notes", headers=me).json()
        assert saved["content"].endswith("Likes trains.\n")

        # The dashboard says two cards are due, and leads to the course.
        goto(page, server)
        due = page.get_by_role("region", name="To review")
        expect(due).to_contain_text("2 review cards are due.")
        shot(page, "learning-dashboard", width_name)
        no_serious_violations(page)
        due.get_by_role("link", name="Angličtina · Konverzace").click()
        expect(page.get_by_role("heading", name="Konverzace", level=1)).to_be_visible()

        # Review: the first card answered and graded by the tutor, the second rated by the student.
        page.get_by_role("tab", name="Review (2)").click()
        expect(page.get_by_text("Review cards are short questions your tutor writes")).to_be_visible()
        expect(page.locator("[data-card-front]")).to_have_text("the bill")
        expect(page.get_by_text("Card 1 of 2")).to_be_visible()
        page.get_by_label("Your answer").fill("ucet")
        page.get_by_role("button", name="Check").click()
        expect(page.get_by_text("Correct!")).to_be_visible(timeout=120_000)
        rating = page.locator("[data-rating]")
        expect(rating).to_have_text("Good (right) — this card comes back in 10 minutes.", timeout=30_000)
        shot(page, "learning-review-graded", width_name)
        no_serious_violations(page)
        page.get_by_role("button", name="Next card").click()
        expect(page.locator("[data-card-front]")).to_have_text(MISTAKE)
        expect(page.get_by_text("Mistake to fix")).to_be_visible()
        page.get_by_role("button", name="I didn't").click()
        expect(page.get_by_text("The answer: I have gone home.")).to_be_visible()
        expect(rating).to_contain_text("Again (not remembered yet) — this card comes back in 1 minute")
        page.get_by_role("button", name="Finish").click()
        expect(page.get_by_text("All done for now. Well done!")).to_be_visible()
        expect(page.get_by_role("tab", name="Review", exact=True)).to_be_visible()  # nothing due any more
        shot(page, "learning-review-done", width_name)
        no_serious_violations(page)

        # The review answer is a turn of the conversation, with the tutor's feedback.
        page.get_by_role("tab", name="Chat").click()
        expect(page.locator('li[data-role="assistant"][data-status="done"]')).to_have_count(2)

        # The agent's page lists the course with its level and nothing to review.
        page.get_by_role("link", name="Back to Tutor").click()
        page.get_by_role("button", name="Angličtina", exact=True).click()
        courses_list = page.get_by_role("list", name="Courses in Angličtina")
        expect(courses_list).to_contain_text("Konverzace")
        expect(courses_list).to_contain_text("Level A2")
        expect(courses_list).to_contain_text("nothing to review")
        shot(page, "learning-subjects", width_name)
        no_serious_violations(page)
        browser.close()
