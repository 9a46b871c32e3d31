"""The social media manager through the PWA in a real Chromium, at phone and desktop width, against a real
`autocode serve` whose Meta is the scripted Graph server (tests/support/fakes/graph_server.py) on loopback.

Accounts are connected as a family does it: "Connect with Facebook", Meta's (scripted) dialog, our callback, the
PWA's connect page where the Page and its Instagram account are ticked. Then: the composer publishes one picture to
both (previews of both, the daily quota, counters), each target's state live until Published, and the scripted
Meta got both publishes, having fetched the picture from our signed URL; the inbox replies to a comment and to a
DM inside the 24-hour window and explains a DM outside it; the AI Assistant's post (a real sandbox, the scripted
model) goes to New Post with "Use in New Post", is edited there and published."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from controlplane.config import Settings
from tests.support.coding_world import ANTHROPIC_PORT, CLAUDE_KEY
from tests.support.fakes.graph_server import GraphServer
from tests.support.pwa import WIDTHS, accessibility_violations, no_horizontal_overflow, shot, sign_in
from tests.support.pwa_coding import start_scripted_providers
from tests.support.social_world import (
    PASSWORD,
    connect_in_browser,
    family_account,
    jpeg,
    sandbox_env,
    seed_family,
    serving_social,
    social_agent,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZES = {"phone": (390, 844), "desktop": WIDTHS["desktop"]}
PUBLISH_DEADLINE = 60_000
CAPTION = "Fresh rye bread, baked at dawn. #bread #rye"


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    with GraphServer() as server:
        yield server


def open_page(browser: Browser, width_name: str) -> Page:
    width, height = SIZES[width_name]
    return browser.new_context(viewport={"width": width, "height": height}).new_page()


def no_serious_violations(page: Page) -> None:
    found = accessibility_violations(page)
    assert found == [], found


def open_tab(page: Page, name: str) -> None:
    tab = page.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")


def published(page: Page, account: str) -> None:
    expect(page.locator(f'[data-target="{account}"]')).to_have_attribute(
        "data-state", "published", timeout=PUBLISH_DEADLINE
    )
    expect(page.locator(f'[data-target="{account}"]').get_by_text("Published", exact=True)).to_be_visible()


@pytest.mark.parametrize("width_name", list(SIZES))
def test_the_composer_publishes_one_picture_to_instagram_and_facebook(
    browser: Browser, graph: GraphServer, tmp_path: Path, width_name: str
) -> None:
    seed_family(graph)
    with serving_social(tmp_path / "data", graph) as base:
        me = family_account(base, "anna")
        agent_id = social_agent(base, me)
        page = open_page(browser, width_name)
        sign_in(page, base, "anna", PASSWORD)
        connect_in_browser(page, base, agent_id)
        shot(page, "social-accounts", width_name)
        no_serious_violations(page)

        open_tab(page, "New Post")
        assert page.url.endswith("?tab=new")
        expect(page.get_by_role("radio", name="Both")).to_be_checked()
        caption = page.get_by_label("Words")
        caption.fill(CAPTION)
        expect(page.locator("[data-counters]")).to_contain_text(f"{len(CAPTION)} / 2,200 characters")
        expect(page.locator("[data-counters]")).to_contain_text("2 / 30 hashtags")
        expect(page.get_by_text("Instagram anna.bakes: 0 of 100 posts used today")).to_be_visible()
        picture = tmp_path / "rye.jpg"
        picture.write_bytes(jpeg())
        page.get_by_label("Picture or video").set_input_files(str(picture))
        expect(page.get_by_role("img", name="Picture 1: rye.jpg")).to_be_visible()
        expect(page.locator('[data-preview="instagram"]').get_by_role("img")).to_be_visible()
        expect(page.locator('[data-preview="facebook"]')).to_contain_text("Fresh rye bread")
        assert no_horizontal_overflow(page)
        shot(page, "social-composer", width_name)
        no_serious_violations(page)

        page.get_by_role("button", name="Publish now").click()
        published(page, "Anna Bakes IG")
        published(page, "Anna Bakes")
        expect(page.get_by_role("link", name="See it on Instagram")).to_be_visible()
        assert no_horizontal_overflow(page)
        shot(page, "social-published", width_name)
        no_serious_violations(page)

        # The scripted Meta got one publish per account, the picture fetched from our signed URL by its crawler.
        [container] = graph.requests_to("*/media", "POST")
        assert container.form.get("caption") == CAPTION
        assert container.form["image_url"].startswith(f"{base}/api/social/public-media/")
        assert len(graph.requests_to("*/media_publish", "POST")) == 1
        [photo] = graph.requests_to("*/photos", "POST")
        assert photo.route.startswith("2001/")
        assert photo.form.get("caption", photo.form.get("message")) == CAPTION
        assert any(url.startswith(base) and result == 200 for url, result in graph.fetched), graph.fetched

        # Recent posts, under Scheduled, show the post with both targets published.
        open_tab(page, "Scheduled")
        expect(page.get_by_text("Nothing scheduled.")).to_be_visible()
        recent = page.get_by_role("list", name="Recent posts")
        expect(recent.locator('[data-state="published"]')).to_have_count(2)
        shot(page, "social-scheduled", width_name)
        page.context.close()


@pytest.mark.parametrize("width_name", list(SIZES))
def test_the_inbox_replies_to_a_comment_and_a_dm_and_explains_the_24_hour_window(
    browser: Browser, graph: GraphServer, tmp_path: Path, width_name: str
) -> None:
    family = seed_family(graph)
    post = graph.add_post(family.ig.id, caption="Rye loaf", likes=3, metrics={"reach": 40, "views": 90, "saved": 2})
    comment = graph.add_comment(post.id, author="jan", text="When do you open on Sunday?")
    graph.add_conversation(
        family.page.id,
        "messenger",
        "5001",
        "Petra",
        messages=[("them", "Do you bake rolls?", graph.now - timedelta(hours=1))],
    )
    graph.add_conversation(
        family.page.id, "messenger", "5002", "Karel", messages=[("them", "Thanks!", graph.now - timedelta(days=3))]
    )
    with serving_social(tmp_path / "data", graph) as base:
        me = family_account(base, "anna")
        agent_id = social_agent(base, me)
        page = open_page(browser, width_name)
        sign_in(page, base, "anna", PASSWORD)
        connect_in_browser(page, base, agent_id)

        # The feed shows the post with the metrics Meta gave.
        open_tab(page, "Feed")
        item = page.get_by_role("list", name="Posts").get_by_role("listitem").filter(has_text="Rye loaf")
        expect(item.locator('[data-metric="reach"]')).to_contain_text("40")
        expect(item.locator('[data-metric="saves"]')).to_contain_text("2")

        open_tab(page, "Inbox")
        comments = page.get_by_role("list", name="Comments")
        entry = comments.locator(f'[data-comment="{comment.id}"]')
        expect(entry.locator("[data-unread]")).to_be_visible()
        entry.get_by_role("button").first.click()
        page.get_by_label("Reply to jan").fill("From eight, see you!")
        page.get_by_role("button", name="Send reply").click()
        expect(page.get_by_text("Reply sent.")).to_be_visible()
        [reply] = graph.requests_to(f"{comment.id}/replies", "POST")
        assert reply.form.get("message") == "From eight, see you!"
        shot(page, "social-inbox-comments", width_name)
        no_serious_violations(page)

        page.get_by_role("tab", name="Messages").click()
        petra = page.locator('[data-conversation="Petra"]')
        petra.get_by_role("button").first.click()
        page.get_by_label("Reply to Petra").fill("Yes, every morning.")
        petra.get_by_role("button", name="Send reply").click()
        expect(petra.get_by_text("Reply sent.")).to_be_visible()
        sent = graph.requests_to("*/messages", "POST")
        assert len(sent) == 1 and "every morning" in str(sent[0].form), sent

        karel = page.locator('[data-conversation="Karel"]')
        karel.get_by_role("button").first.click()
        expect(karel.get_by_role("alert")).to_contain_text("24 hours")
        expect(page.get_by_label("Reply to Karel")).to_have_count(0)
        assert no_horizontal_overflow(page)
        shot(page, "social-inbox-messages", width_name)
        no_serious_violations(page)
        page.context.close()


ASSISTANT_POST = "Our rye sourdough is back: dark crust, soft crumb, baked at dawn.\n\n#bread #sourdough #rye"
ANTHROPIC: dict[str, Any] = {
    "turns": [
        {
            "match": "rye",
            "responses": [
                {"text": f"Here is a post:\n\n```post\n{ASSISTANT_POST}\n```\n\nIn the morning.", "chunk_delay": 0.05}
            ],
        }
    ],
    "default": "Noted.",
}


@pytest.mark.docker
@pytest.mark.parametrize("width_name", list(SIZES))
def test_the_assistants_post_goes_to_the_composer_and_is_published(
    browser: Browser,
    graph: GraphServer,
    sandbox_settings: Settings,
    engine_client: docker.DockerClient,
    width_name: str,
) -> None:
    seed_family(graph)
    settings = sandbox_settings.model_copy(update={"sandbox_memory": "1g"})
    with serving_social(settings.data_dir, graph, **sandbox_env(settings)) as base:
        me = family_account(base, "anna")
        key = {"provider": "anthropic", "key": CLAUDE_KEY, "base_url": f"http://127.0.0.1:{ANTHROPIC_PORT}"}
        assert httpx.post(f"{base}/api/settings/api-keys", headers=me, json=key).status_code == 201
        start_scripted_providers(
            base, settings, engine_client, username="anna", password=PASSWORD, openai={"rules": []}, anthropic=ANTHROPIC
        )
        agent_id = social_agent(base, me)
        page = open_page(browser, width_name)
        sign_in(page, base, "anna", PASSWORD)
        connect_in_browser(page, base, agent_id)

        open_tab(page, "AI Assistant")
        page.get_by_label("Your message").fill("Write a post about our rye bread")
        page.get_by_role("button", name="Send", exact=True).click()
        card = page.get_by_role("region", name="Suggested post 1")
        expect(card).to_contain_text("dark crust", timeout=120_000)
        shot(page, "social-assistant", width_name)
        no_serious_violations(page)
        card.get_by_role("button", name="Use in New Post").click()

        expect(page.get_by_role("tab", name="New Post", exact=True)).to_have_attribute("aria-selected", "true")
        assert page.url.endswith("?tab=new")
        caption = page.get_by_label("Words")
        expect(caption).to_have_value(ASSISTANT_POST)
        caption.fill(ASSISTANT_POST.replace("baked at dawn.", "baked at dawn. Come early!"))
        page.get_by_text("Facebook only", exact=True).click()
        expect(page.locator('[data-preview="facebook"]')).to_contain_text("Come early!")
        expect(page.locator('[data-preview="instagram"]')).to_have_count(0)
        assert no_horizontal_overflow(page)
        shot(page, "social-handoff", width_name)
        page.get_by_role("button", name="Publish now").click()
        published(page, "Anna Bakes")
        [post] = graph.requests_to("*/feed", "POST")
        assert "Come early!" in post.form.get("message", "") and "#sourdough" in post.form.get("message", ""), post.form
        assert graph.requests_to("*/media_publish", "POST") == []
        page.context.close()
