"""Both of Meta's logins: dialog URLs, code → short token → long-lived token, the accounts a token reaches.

Facebook Login for Business gives a user token (about 60 days once exchanged) and one token per Page, which
reports no expiry but loses data access 90 days after the person last used the app (`debug_token` says when).
Instagram Login gives an Instagram token (60 days once exchanged) that can be refreshed once it is a day old.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from controlplane.social.graph.client import GraphClient, JSONDict
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.graph.types import GraphConfig, Host, InstagramCandidate, PageCandidate, Token, TokenInfo

FACEBOOK_SCOPES: tuple[str, ...] = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_messaging",
    "read_insights",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
    "instagram_manage_messages",
    "business_management",
)
INSTAGRAM_SCOPES: tuple[str, ...] = (
    "instagram_business_basic",
    "instagram_business_content_publish",
    "instagram_business_manage_comments",
    "instagram_business_manage_messages",
    "instagram_business_manage_insights",
)
INSTAGRAM_GRAPH = "https://graph.instagram.com"
INSTAGRAM_OAUTH = "https://api.instagram.com"  # Meta's host for Instagram Login's code exchange
PAGE_FIELDS = "id,name,access_token,picture,instagram_business_account{id,username,name,profile_picture_url}"


def unexpected(what: str) -> GraphError:
    """Meta answered without something it always sends: not the person's doing, so the admin is asked."""
    return GraphError(
        status=200,
        code=None,
        subcode=None,
        message=what,
        action=GraphAction.ASK_ADMIN,
        plain=f"Meta's answer was not what was expected ({what}). The admin can look into it.",
    )


def _dialog_query(config: GraphConfig, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
    return urlencode(
        {
            "client_id": config.app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": ",".join(scopes),
            "response_type": "code",
        }
    )


def facebook_dialog_url(config: GraphConfig, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
    """Where the browser goes to grant the Facebook scopes; Meta comes back to `redirect_uri?code&state`."""
    return f"{config.dialog_url}/{config.version}/dialog/oauth?{_dialog_query(config, state, redirect_uri, scopes)}"


def instagram_dialog_url(config: GraphConfig, state: str, redirect_uri: str, scopes: Sequence[str]) -> str:
    """Where the browser goes for Instagram Login (no Page needed)."""
    return f"{config.instagram_dialog_url}/oauth/authorize?{_dialog_query(config, state, redirect_uri, scopes)}"


def _token(client: GraphClient, body: JSONDict) -> Token:
    value = body.get("access_token")
    if not isinstance(value, str) or not value:
        raise unexpected("no access_token")
    expires_in = body.get("expires_in")
    expires_at = (
        client.now() + timedelta(seconds=int(expires_in))
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0
        else None
    )
    return Token(value=value, expires_at=expires_at)


def _timestamp(value: object) -> datetime | None:
    """Meta's Unix times, where 0 means never."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


async def exchange_facebook_code(client: GraphClient, code: str, redirect_uri: str) -> Token:
    """The dialog's code → a short-lived user token (its secrets go in the query, as Meta requires)."""
    config = client.config
    params = {
        "client_id": config.app_id,
        "client_secret": config.app_secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return _token(client, await client.get(Host.FACEBOOK, "oauth/access_token", None, params))


async def long_lived_facebook(client: GraphClient, short: Token) -> Token:
    """A short user token → a long-lived one (about 60 days; it cannot be refreshed, only granted again)."""
    config = client.config
    params = {
        "grant_type": "fb_exchange_token",
        "client_id": config.app_id,
        "client_secret": config.app_secret,
        "fb_exchange_token": short.value,
    }
    return _token(client, await client.get(Host.FACEBOOK, "oauth/access_token", None, params))


def _picture(item: JSONDict) -> str | None:
    picture = item.get("picture")
    if isinstance(picture, dict):
        data = picture.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            return str(data["url"])
    return None


def _instagram(item: Any) -> InstagramCandidate | None:
    if not isinstance(item, dict) or not item.get("id"):
        return None
    return InstagramCandidate(
        id=str(item["id"]),
        username=str(item.get("username") or ""),
        name=str(item.get("name") or item.get("username") or ""),
        picture_url=str(item["profile_picture_url"]) if item.get("profile_picture_url") else None,
    )


async def facebook_pages(client: GraphClient, user_token: Token | str) -> list[PageCandidate]:
    """The Pages the person granted, each with its token and its linked Instagram account (None if not linked
    or not granted: granular consent can give one without the other)."""
    value = user_token.value if isinstance(user_token, Token) else user_token
    items = await client.paged(Host.FACEBOOK, "me/accounts", value, {"fields": PAGE_FIELDS})
    pages: list[PageCandidate] = []
    for item in items:
        if not item.get("id") or not item.get("access_token"):
            continue
        pages.append(
            PageCandidate(
                id=str(item["id"]),
                name=str(item.get("name") or ""),
                token=str(item["access_token"]),
                picture_url=_picture(item),
                instagram=_instagram(item.get("instagram_business_account")),
            )
        )
    return pages


def instagram_oauth_url(config: GraphConfig) -> str:
    """Where Instagram Login's code is exchanged.

    Meta takes it on a third host, `https://api.instagram.com/oauth/access_token`. When the Instagram base is
    Meta's own (`graph.instagram.com`) that host is used; any other base (the scripted server, a proxy) serves
    `{instagram_url}/oauth/access_token` itself, so one setting points all of Instagram Login elsewhere.
    """
    if urlsplit(config.instagram_url).netloc == urlsplit(INSTAGRAM_GRAPH).netloc:
        return f"{INSTAGRAM_OAUTH}/oauth/access_token"
    return f"{config.instagram_url}/oauth/access_token"


async def exchange_instagram_code(client: GraphClient, code: str, redirect_uri: str) -> tuple[Token, str]:
    """Instagram Login's code → a short-lived token (about an hour) and the account's id (a POST form)."""
    config = client.config
    form = {
        "client_id": config.app_id,
        "client_secret": config.app_secret,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        "code": code,
    }
    body = await client.post_to(instagram_oauth_url(config), {}, form)
    data = body.get("data")
    entry: JSONDict = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else body
    user_id = entry.get("user_id")
    if user_id is None:
        raise unexpected("no user_id")
    return _token(client, entry), str(user_id)


async def long_lived_instagram(client: GraphClient, short: Token) -> Token:
    """A short Instagram token → a 60-day one (Meta takes it only as a GET with the token in the query)."""
    params = {
        "grant_type": "ig_exchange_token",
        "client_secret": client.config.app_secret,
        "access_token": short.value,
    }
    return _token(client, await client.get(Host.INSTAGRAM, "access_token", None, params, versioned=False))


async def refresh_instagram(client: GraphClient, token: Token) -> Token:
    """Another 60 days for an Instagram token that is at least a day old and still valid."""
    params = {"grant_type": "ig_refresh_token", "access_token": token.value}
    return _token(client, await client.get(Host.INSTAGRAM, "refresh_access_token", None, params, versioned=False))


async def instagram_me(client: GraphClient, token: Token | str) -> InstagramCandidate:
    """The Instagram Login account; `user_id` is its professional account id, the one its media is under."""
    value = token.value if isinstance(token, Token) else token
    body = await client.get(Host.INSTAGRAM, "me", value, {"fields": "user_id,username,name,profile_picture_url"})
    account_id = body.get("user_id") or body.get("id")
    if not account_id:
        raise unexpected("no user_id")
    candidate = _instagram({**body, "id": account_id})
    if candidate is None:
        raise unexpected("no user_id")
    return candidate


async def debug_token(client: GraphClient, token: Token | str) -> TokenInfo:
    """What Meta says of a token, asked with the app's own token (`app_id|app_secret`)."""
    value = token.value if isinstance(token, Token) else token
    body = await client.get(Host.FACEBOOK, "debug_token", client.config.app_token, {"input_token": value})
    data = body.get("data")
    if not isinstance(data, dict):
        raise unexpected("no data")
    error = data.get("error")
    scopes = data.get("scopes")
    return TokenInfo(
        valid=bool(data.get("is_valid")),
        expires_at=_timestamp(data.get("expires_at")),
        data_access_expires_at=_timestamp(data.get("data_access_expires_at")),
        scopes=tuple(str(scope) for scope in scopes) if isinstance(scopes, list) else (),
        error=str(error.get("message")) if isinstance(error, dict) and error.get("message") else None,
    )


async def permissions(client: GraphClient, token: Token | str) -> set[str]:
    """The scopes the person actually granted (the dialog lets them refuse some)."""
    value = token.value if isinstance(token, Token) else token
    items = await client.paged(Host.FACEBOOK, "me/permissions", value)
    return {str(item["permission"]) for item in items if item.get("status") == "granted" and item.get("permission")}
