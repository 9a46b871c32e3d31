"""Both logins against the scripted server: the dialog clicked through, the code exchanged, the tokens checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from controlplane.config import Settings
from controlplane.social.graph import oauth
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import GraphConfig, Token
from tests.controlplane.social.graph.conftest import run
from tests.support.fakes.graph_server import GraphServer

REDIRECT = "https://family.example/api/social/callback"


async def click_through(url: str) -> dict[str, str]:
    """What a browser does with the dialog: follow it once and read the redirect's query."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def test_facebook_login_gives_a_long_lived_token_and_pages_with_their_instagram(
    server: GraphServer, config: GraphConfig, make_client: Callable[[], GraphClient]
) -> None:
    user = server.add_user("1001", "Anna")
    ig = server.add_ig_account("17841400000000001", "anna.bakes", name="Anna Bakes")
    server.add_page("2001", "Anna Bakes", instagram=ig, user=user.id)
    server.add_page("2002", "Anna's Choir", user=user.id)
    server.add_page("2003", "Anna's Garden", user=user.id)
    server.add_page("2999", "Someone else's", user="9999")

    async def scenario() -> None:
        url = oauth.facebook_dialog_url(config, "state-1", REDIRECT, oauth.FACEBOOK_SCOPES)
        assert url.startswith(f"{server.url}/v24.0/dialog/oauth?")
        back = await click_through(url)
        assert back["state"] == "state-1"
        async with make_client() as client:
            short = await oauth.exchange_facebook_code(client, back["code"], REDIRECT)
            assert short.expires_at is not None and short.expires_at - server.now < timedelta(hours=2)
            long = await oauth.long_lived_facebook(client, short)
            assert long.value != short.value
            assert long.expires_at == server.now + timedelta(days=60)
            pages = await oauth.facebook_pages(client, long)
            with pytest.raises(GraphError) as reused:
                await oauth.exchange_facebook_code(client, back["code"], REDIRECT)
        assert [page.id for page in pages] == ["2001", "2002", "2003"], "all three, across two pages of paging"
        first = pages[0]
        assert first.token == "EAApage2001" and first.picture_url
        assert first.instagram is not None and (first.instagram.id, first.instagram.username) == (ig.id, "anna.bakes")
        assert pages[1].instagram is None
        assert reused.value.code == 100 and reused.value.subcode == 36009, "a code works once"

    run(scenario)
    exchange = server.requests_to("oauth/access_token")[0]
    assert exchange.query["client_secret"] == server.app_secret, "Meta wants the OAuth secrets in the query"
    assert len(server.requests_to("me/accounts")) == 2


def test_granular_consent_without_the_instagram_account_is_visible(
    server: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    server.add_user()
    ig = server.add_ig_account("17841400000000001", "anna.bakes")
    ig.granted = False
    server.add_page("2001", "Anna Bakes", instagram=ig)
    token = server.issue_token("user", "1001")

    async def scenario() -> None:
        async with make_client() as client:
            pages = await oauth.facebook_pages(client, token)
        assert len(pages) == 1 and pages[0].instagram is None

    run(scenario)


def test_instagram_login_exchange_long_lived_and_refresh(
    server: GraphServer, config: GraphConfig, make_client: Callable[[], GraphClient]
) -> None:
    server.add_ig_account("17841400000000009", "choir.of.anna", name="Anna's Choir", login=True)

    async def scenario() -> None:
        url = oauth.instagram_dialog_url(config, "state-ig", REDIRECT, oauth.INSTAGRAM_SCOPES)
        assert url.startswith(f"{server.url}/oauth/authorize?")
        back = await click_through(url)
        async with make_client() as client:
            short, user_id = await oauth.exchange_instagram_code(client, back["code"], REDIRECT)
            assert user_id == "17841400000000009"
            long = await oauth.long_lived_instagram(client, short)
            assert long.expires_at == server.now + timedelta(days=60)
            me = await oauth.instagram_me(client, long)
            assert (me.id, me.username, me.name) == ("17841400000000009", "choir.of.anna", "Anna's Choir")
            with pytest.raises(GraphError):
                await oauth.refresh_instagram(client, long)  # Meta refreshes only tokens a day old
            server.now += timedelta(days=2)
            fresh = await oauth.refresh_instagram(client, long)
        assert fresh.value != long.value and fresh.expires_at == server.now + timedelta(days=60)

    run(scenario)
    code_exchange = server.requests_to("oauth/access_token", "POST")[0]
    assert code_exchange.version is None and code_exchange.form["grant_type"] == "authorization_code"
    assert server.requests_to("access_token")[0].query["grant_type"] == "ig_exchange_token"
    assert server.requests_to("refresh_access_token")[-1].query["grant_type"] == "ig_refresh_token"


def test_debug_token_reports_expiry_data_access_and_scopes(
    server: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    server.add_user()
    page = server.add_page("2001", "Anna Bakes")
    user_token = server.issue_token("user", "1001")

    async def scenario() -> None:
        async with make_client() as client:
            page_info = await oauth.debug_token(client, page.token)
            user_info = await oauth.debug_token(client, Token(user_token, None))
            server.kill_token(user_token)
            dead = await oauth.debug_token(client, user_token)
            unknown = await oauth.debug_token(client, "EAAnothing")
            granted = await oauth.permissions(client, server.issue_token("user", "1001"))
        assert page_info.valid and page_info.expires_at is None, "a Page token reports no expiry"
        assert page_info.data_access_expires_at == server.now + timedelta(days=90)
        assert user_info.expires_at == server.now + timedelta(days=60)
        assert "pages_manage_posts" in user_info.scopes
        assert not dead.valid and dead.error
        assert not unknown.valid
        assert granted == set(oauth.FACEBOOK_SCOPES)

    run(scenario)
    app_token = f"{server.app_id}|{server.app_secret}"
    assert server.requests_to("debug_token")[0].headers["authorization"] == f"Bearer {app_token}"


def test_declined_scopes_are_not_reported_as_granted(
    server: GraphServer, make_client: Callable[[], GraphClient]
) -> None:
    server.add_user(declined=("read_insights",))
    token = server.issue_token("user", "1001")

    async def scenario() -> set[str]:
        async with make_client() as client:
            return await oauth.permissions(client, token)

    granted = run(scenario)
    assert "read_insights" not in granted and "pages_show_list" in granted


def test_a_dead_token_asks_to_reconnect(server: GraphServer, make_client: Callable[[], GraphClient]) -> None:
    server.add_user()
    page = server.add_page("2001", "Anna Bakes")
    server.kill_token(page.token)

    async def scenario() -> GraphError:
        async with make_client() as client:
            with pytest.raises(GraphError) as caught:
                await client.get(oauth.Host.FACEBOOK, "2001", page.token)
        return caught.value

    error = run(scenario)
    assert error.action is GraphAction.RECONNECT and error.code == 190
    assert len(server.requests) == 1, "a dead token is not retried"


def test_config_from_settings(tmp_path: object) -> None:
    assert GraphConfig.from_settings(Settings(_env_file=None)) is None  # type: ignore[call-arg]
    settings = Settings(_env_file=None, meta_app_id="42", meta_app_secret="s3cret", meta_graph_url="http://x/")  # type: ignore[call-arg]
    config = GraphConfig.from_settings(settings)
    assert config is not None
    assert (config.app_id, config.graph_url, config.version) == ("42", "http://x", settings.meta_graph_version)
    assert config.app_token == "42|s3cret"


def test_instagram_code_goes_to_metas_oauth_host_only_against_meta(config: GraphConfig) -> None:
    import dataclasses

    meta = dataclasses.replace(config, instagram_url="https://graph.instagram.com")
    assert oauth.instagram_oauth_url(meta) == "https://api.instagram.com/oauth/access_token"
    assert oauth.instagram_oauth_url(config) == f"{config.instagram_url}/oauth/access_token"
