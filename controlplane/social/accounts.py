"""Connecting accounts: the login link (with a single-use state), the callback's exchange of the code for a
long-lived token, the person's pick among the Pages and Instagram accounts the login reached, and the accounts'
list and removal. Tokens are sealed before they are stored and are never part of an answer.

Facebook Login for Business reaches Pages (one token each) and the Instagram accounts linked to them (used with
their Page's token); Instagram Login reaches one Instagram professional account with a refreshable token."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from controlplane.errors import Conflict, NotFound
from controlplane.models.social import (
    AccountStatus,
    Login,
    Platform,
    SocialAccount,
    SocialConnection,
)
from controlplane.schemas.social import (
    ConnectionCandidate,
    SocialAccountPublic,
    SocialConnectionPublic,
    SocialSetup,
)
from controlplane.services.ownership import owned
from controlplane.social import oauth_state
from controlplane.social.context import PUBLIC_MEDIA_PATH, SocialContext
from controlplane.social.graph import oauth
from controlplane.social.graph.client import GraphClient
from controlplane.social.posts import social_agent

CONNECTION_TTL = timedelta(minutes=15)
NO_PAGES = (
    "Facebook did not share any Page with AutoCode. Connect again and, when Facebook asks, choose your Page "
    "(and its Instagram account) and allow every permission."
)
UNLINKED_INSTAGRAM = (
    "An Instagram account reaches AutoCode through its Facebook Page only when the Page was chosen too; "
    "for an Instagram account without a Page, use 'Connect with Instagram'."
)
MISSING_PERMISSIONS = "Facebook did not grant {names}: some parts will not work until you connect again and allow them."


@dataclass(frozen=True)
class Candidate:
    """An account the login reached, as kept (sealed) until the person picks."""

    key: str
    platform: str
    external_id: str
    name: str
    username: str | None
    picture_url: str | None
    token: str
    expires_at: str | None
    page_id: str | None
    note: str | None


# -- setup --------------------------------------------------------------------------------------------------
def setup(ctx: SocialContext) -> SocialSetup:
    missing: list[str] = []
    if ctx.config is None:
        missing.append("meta_app")
    if not ctx.public_url:
        missing.append("public_url")
    return SocialSetup(
        ready=not missing,
        missing=missing,  # type: ignore[arg-type]  # the two words of the schema's Literal
        redirect_uri=ctx.redirect_uri,
        media_url_prefix=f"{ctx.public_url}{PUBLIC_MEDIA_PATH}/" if ctx.public_url else None,
        graph_version=ctx.config.version if ctx.config else "",
    )


def _require_ready(ctx: SocialContext) -> str:
    ctx.require_config()
    if ctx.redirect_uri is None:
        raise Conflict("The server's public address is not set, so Meta cannot send you back: ask the admin.")
    return ctx.redirect_uri


# -- connecting -----------------------------------------------------------------------------------------------
def connect_url(ctx: SocialContext, session: Session, user_id: int, agent_id: int, login: Login) -> str:
    redirect = _require_ready(ctx)
    social_agent(session, user_id, agent_id)
    state = oauth_state.issue(session, user_id, agent_id, login, ctx.now())
    config = ctx.require_config()
    if login == Login.FACEBOOK:
        return oauth.facebook_dialog_url(config, state, redirect, oauth.FACEBOOK_SCOPES)
    return oauth.instagram_dialog_url(config, state, redirect, oauth.INSTAGRAM_SCOPES)


async def _facebook_candidates(client: GraphClient, code: str, redirect: str) -> tuple[list[Candidate], str | None]:
    short = await oauth.exchange_facebook_code(client, code, redirect)
    user_token = await oauth.long_lived_facebook(client, short)
    granted = await oauth.permissions(client, user_token.value)
    pages = await oauth.facebook_pages(client, user_token.value)
    candidates: list[Candidate] = []
    for page in pages:
        candidates.append(
            Candidate(
                key=f"facebook:{page.id}",
                platform=Platform.FACEBOOK.value,
                external_id=page.id,
                name=page.name,
                username=None,
                picture_url=page.picture_url,
                token=page.token,
                expires_at=None,
                page_id=page.id,
                note=None,
            )
        )
        if page.instagram is not None:
            account = page.instagram
            candidates.append(
                Candidate(
                    key=f"instagram:{account.id}",
                    platform=Platform.INSTAGRAM.value,
                    external_id=account.id,
                    name=account.name or account.username,
                    username=account.username,
                    picture_url=account.picture_url,
                    token=page.token,
                    expires_at=None,
                    page_id=page.id,
                    note=f"Through the Page {page.name}",
                )
            )
    problems = []
    if not pages:
        problems.append(NO_PAGES)
    refused = [scope for scope in oauth.FACEBOOK_SCOPES if granted and scope not in granted]
    if refused:
        problems.append(MISSING_PERMISSIONS.format(names=", ".join(refused)))
    if pages and not any(page.instagram for page in pages) and "instagram_basic" in granted:
        problems.append(UNLINKED_INSTAGRAM)
    return candidates, " ".join(problems) or None


async def _instagram_candidates(client: GraphClient, code: str, redirect: str) -> tuple[list[Candidate], str | None]:
    short, _user_id = await oauth.exchange_instagram_code(client, code, redirect)
    token = await oauth.long_lived_instagram(client, short)
    me = await oauth.instagram_me(client, token.value)
    candidate = Candidate(
        key=f"instagram:{me.id}",
        platform=Platform.INSTAGRAM.value,
        external_id=me.id,
        name=me.name or me.username,
        username=me.username,
        picture_url=me.picture_url,
        token=token.value,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
        page_id=None,
        note=None,
    )
    return [candidate], None


async def complete(ctx: SocialContext, session: Session, user_id: int, state: str, code: str) -> SocialConnection:
    """The callback's second half, made by the signed-in PWA: the state is consumed (refused if it is not this
    person's, used or old), the code exchanged, and what the login reached kept, sealed, for the person's pick."""
    redirect = _require_ready(ctx)
    started = oauth_state.consume(session, state, user_id, ctx.now())
    login = Login(started.login)
    async with ctx.graph() as client:
        if login == Login.FACEBOOK:
            candidates, problem = await _facebook_candidates(client, code, redirect)
        else:
            candidates, problem = await _instagram_candidates(client, code, redirect)
    session.exec(delete(SocialConnection).where(col(SocialConnection.expires_at) < ctx.now()))
    connection = SocialConnection(
        user_id=user_id,
        agent_id=started.agent_id,
        login=login.value,
        candidates=ctx.seal(json.dumps([asdict(candidate) for candidate in candidates])),
        problem=problem,
        expires_at=ctx.now() + CONNECTION_TTL,
    )
    session.add(connection)
    session.commit()
    session.refresh(connection)
    return connection


def _candidates(ctx: SocialContext, connection: SocialConnection) -> list[Candidate]:
    return [Candidate(**item) for item in json.loads(ctx.open(connection.candidates))]


def _open_connection(ctx: SocialContext, session: Session, user_id: int, connection_id: int) -> SocialConnection:
    connection = owned(session, SocialConnection, connection_id, user_id, "Connection")
    if connection.expires_at <= ctx.now():
        raise Conflict("This connection waited too long: connect again.")
    return connection


def connection_public(ctx: SocialContext, session: Session, user_id: int, connection_id: int) -> SocialConnectionPublic:
    connection = _open_connection(ctx, session, user_id, connection_id)
    existing = _existing(session, user_id, connection.agent_id)
    return SocialConnectionPublic(
        id=connection.id or 0,
        agent_id=connection.agent_id,
        login=Login(connection.login),
        candidates=[
            ConnectionCandidate(
                key=candidate.key,
                platform=Platform(candidate.platform),
                name=candidate.name,
                username=candidate.username,
                picture_url=candidate.picture_url,
                already_connected=(candidate.platform, candidate.external_id) in existing,
                note=candidate.note,
            )
            for candidate in _candidates(ctx, connection)
        ],
        problem=connection.problem,
        expires_at=connection.expires_at,
    )


def _existing(session: Session, user_id: int, agent_id: int) -> dict[tuple[str, str], SocialAccount]:
    query = select(SocialAccount).where(SocialAccount.user_id == user_id, SocialAccount.agent_id == agent_id)
    return {(account.platform, account.external_id): account for account in session.exec(query).all()}


def pick(ctx: SocialContext, session: Session, user_id: int, connection_id: int, keys: list[str]) -> list[int]:
    """Connect the chosen candidates (an account connected before gets the new token and is healthy again)."""
    connection = _open_connection(ctx, session, user_id, connection_id)
    candidates = {candidate.key: candidate for candidate in _candidates(ctx, connection)}
    unknown = [key for key in keys if key not in candidates]
    if unknown:
        raise NotFound("Account")
    existing = _existing(session, user_id, connection.agent_id)
    now = ctx.now()
    chosen: list[SocialAccount] = []
    for key in dict.fromkeys(keys):
        candidate = candidates[key]
        account = existing.get((candidate.platform, candidate.external_id)) or SocialAccount(
            user_id=user_id,
            agent_id=connection.agent_id,
            platform=candidate.platform,
            external_id=candidate.external_id,
            access_token="",
            account_name=candidate.name,
        )
        account.login = connection.login
        account.account_name = candidate.name[:200]
        account.username = candidate.username
        account.picture_url = candidate.picture_url
        account.page_id = candidate.page_id
        account.access_token = ctx.seal(candidate.token)
        account.token_expires_at = datetime.fromisoformat(candidate.expires_at) if candidate.expires_at else None
        account.status = AccountStatus.CONNECTED.value
        account.status_note = None
        account.refreshed_at = now
        session.add(account)
        chosen.append(account)
    session.delete(connection)
    session.commit()
    return [account.id or 0 for account in chosen]


# -- the accounts -------------------------------------------------------------------------------------------
def account_public(account: SocialAccount) -> SocialAccountPublic:
    return SocialAccountPublic(
        id=account.id or 0,
        agent_id=account.agent_id,
        platform=Platform(account.platform),
        login=Login(account.login),
        name=account.account_name,
        username=account.username,
        picture_url=account.picture_url,
        status=AccountStatus(account.status),
        status_note=account.status_note,
        token_expires_at=account.token_expires_at,
        data_access_expires_at=account.data_access_expires_at,
        checked_at=account.checked_at,
        created_at=account.created_at,
    )


def accounts_of(session: Session, user_id: int, agent_id: int | None) -> list[SocialAccount]:
    query = select(SocialAccount).where(SocialAccount.user_id == user_id)
    if agent_id is not None:
        social_agent(session, user_id, agent_id)
        query = query.where(SocialAccount.agent_id == agent_id)
    return list(session.exec(query.order_by(col(SocialAccount.platform), col(SocialAccount.id))).all())


def disconnect(session: Session, user_id: int, account_id: int) -> None:
    """Forget an account and its token here (the person can also remove AutoCode in Meta's settings)."""
    account = owned(session, SocialAccount, account_id, user_id, "Account")
    session.delete(account)
    session.commit()
