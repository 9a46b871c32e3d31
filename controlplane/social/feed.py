"""Reading the person's accounts for the Feed and Stories pages: every account of the agent is read on its own, so
one account's trouble (a dead token, a rate limit) becomes a problem shown above the rest, never a blank page; a
dead token turns the account to "Reconnect" at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from controlplane.models.social import AccountStatus, Platform, SocialAccount
from controlplane.schemas.social import (
    SocialFeed,
    SocialPostView,
    SocialProblem,
    SocialStories,
    SocialStoryView,
)
from controlplane.social.context import SocialContext
from controlplane.social.graph import reading as graph_reading
from controlplane.social.graph.client import GraphClient
from controlplane.social.graph.errors import GraphAction, GraphError
from controlplane.social.publisher import host_of

T = TypeVar("T")


@dataclass(frozen=True)
class Opened:
    """An account with its token opened, for one request's reads."""

    account: SocialAccount
    token: str


def problem_of(error: GraphError, account: SocialAccount | None = None) -> SocialProblem:
    return SocialProblem(
        message=error.plain,
        action=error.action.value,
        retry_at=error.retry_at,
        account_id=account.id if account else None,
        account_name=account.account_name if account else None,
    )


def reconnect_problem(account: SocialAccount) -> SocialProblem:
    return SocialProblem(
        message=account.status_note or "Connect this account again: open Accounts and press Reconnect.",
        action="reconnect",
        account_id=account.id,
        account_name=account.account_name,
    )


def mark_reconnect(engine: Engine, account_id: int, note: str) -> None:
    with Session(engine) as session:
        account = session.get(SocialAccount, account_id)
        if account is not None:
            account.status = AccountStatus.RECONNECT.value
            account.status_note = note
            session.add(account)
            session.commit()


async def each_account(
    engine: Engine,
    ctx: SocialContext,
    accounts: list[Opened],
    read: Callable[[GraphClient, Opened], Awaitable[list[T]]],
) -> tuple[list[T], list[SocialProblem]]:
    """`read` for every usable account, concurrently; what failed comes back as problems."""
    problems: list[SocialProblem] = []
    usable: list[Opened] = []
    for opened in accounts:
        if opened.account.status == AccountStatus.RECONNECT:
            problems.append(reconnect_problem(opened.account))
        else:
            usable.append(opened)
    results: list[T] = []
    if not usable:
        return results, problems
    async with ctx.graph() as client:
        answers = await asyncio.gather(*(read(client, opened) for opened in usable), return_exceptions=True)
    for opened, answer in zip(usable, answers, strict=True):
        if isinstance(answer, GraphError):
            problems.append(problem_of(answer, opened.account))
            if answer.action == GraphAction.RECONNECT:
                await asyncio.to_thread(mark_reconnect, engine, opened.account.id or 0, answer.plain)
        elif isinstance(answer, BaseException):
            raise answer
        else:
            results.extend(answer)
    return results, problems


def _whose(account: SocialAccount) -> dict[str, object]:
    """Our account's side of an item read from Meta (Meta's own account id and platform word are replaced)."""
    return {"account_id": account.id or 0, "account_name": account.account_name, "platform": account.platform}


async def feed(engine: Engine, ctx: SocialContext, accounts: list[Opened]) -> SocialFeed:
    async def read(client: GraphClient, opened: Opened) -> list[SocialPostView]:
        account = opened.account
        if account.platform == Platform.INSTAGRAM:
            posts = await graph_reading.instagram_posts(client, host_of(account), account.external_id, opened.token)
        else:
            posts = await graph_reading.facebook_posts(client, account.external_id, opened.token)
        return [SocialPostView.model_validate({**asdict(post), **_whose(account)}) for post in posts]

    posts, problems = await each_account(engine, ctx, accounts, read)
    return SocialFeed(posts=sorted(posts, key=lambda post: post.created_at, reverse=True), problems=problems)


async def stories(engine: Engine, ctx: SocialContext, accounts: list[Opened]) -> SocialStories:
    async def read(client: GraphClient, opened: Opened) -> list[SocialStoryView]:
        account = opened.account
        if account.platform == Platform.INSTAGRAM:
            found = await graph_reading.instagram_stories(client, host_of(account), account.external_id, opened.token)
        else:
            found = await graph_reading.facebook_stories(client, account.external_id, opened.token)
        return [SocialStoryView.model_validate({**asdict(story), **_whose(account)}) for story in found]

    found, problems = await each_account(engine, ctx, accounts, read)
    return SocialStories(stories=sorted(found, key=lambda story: story.created_at, reverse=True), problems=problems)
