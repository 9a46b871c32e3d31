"""The WebSocket endpoints under /ws and the ticket that opens them."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from autocode_runner.contract.wire import SESSION_NAME
from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel
from sqlmodel import Session

from controlplane.api.deps import CurrentSignIn, CurrentUser, get_optional_manager
from controlplane.api.ids import Id, id_from, position_from
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.custom.kind import conversation as custom_conversation
from controlplane.errors import SANDBOXES_DISABLED, Conflict, NotFound
from controlplane.learning.kind import conversation as course_conversation
from controlplane.models import AgentChat, LearningCourse, Project, ResearchSession, User
from controlplane.projects.layout import claude_session_name
from controlplane.realtime.fanout import Overflowed, Subscriber
from controlplane.realtime.open_sockets import OpenSockets, close_quietly
from controlplane.realtime.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNAVAILABLE,
)
from controlplane.realtime.terminal_relay import TerminalRelay
from controlplane.realtime.tickets import TicketHolder
from controlplane.research.kind import conversation
from controlplane.sandbox.users import sandbox_user
from controlplane.services.auth import live_user
from controlplane.services.ownership import owned
from controlplane.social.assistant import assistant_conversation

ticket_router = APIRouter(tags=["realtime"])
router = APIRouter()
AUTH_MESSAGE_TIMEOUT = 10.0


class TicketResponse(BaseModel):
    ticket: str
    expires_in: int


@ticket_router.post("/ws-ticket", response_model=TicketResponse)
def issue_ticket(request: Request, user: CurrentUser, sign_in: CurrentSignIn) -> TicketResponse:
    """A single-use ticket, valid for 30 seconds, that opens one WebSocket as the signed-in user."""
    # Bound to this sign-in too: signing out or a password reset voids the tickets it issued (signed_in).
    store = request.app.state.tickets
    return TicketResponse(ticket=store.issue(user.id or 0, sign_in), expires_in=int(store.ttl_seconds))


def _live_user(websocket: WebSocket, holder: TicketHolder) -> User | None:
    with Session(websocket.app.state.engine) as session:
        return live_user(session, holder.user_id, holder.session_id)


@asynccontextmanager
async def signed_in(websocket: WebSocket) -> AsyncIterator[User | None]:
    """Every /ws route's one way in: accept, redeem the ticket from the query or the first message, and yield its
    user; or close 4401 and yield None if the ticket fails or the sign-in it was issued under has ended since
    (signed out, a password reset or change). While the block runs, the socket is held in the open sockets
    (realtime/open_sockets.py): when its sign-in ends, the block is cancelled and the socket closed with 4401."""
    await websocket.accept()
    ticket = websocket.query_params.get("ticket")
    if not ticket:
        with contextlib.suppress(Exception):
            first = json.loads(await asyncio.wait_for(websocket.receive_text(), AUTH_MESSAGE_TIMEOUT))
            if isinstance(first, dict) and first.get("type") == "auth":
                ticket = first.get("ticket")
    holder = websocket.app.state.tickets.redeem(ticket if isinstance(ticket, str) else None)
    user = None
    if holder is not None:
        sockets: OpenSockets = websocket.app.state.open_sockets
        async with sockets.holding(websocket, holder.user_id, holder.session_id) as held:
            user = await asyncio.to_thread(_live_user, websocket, holder)
            while user is not None and not sockets.settle(held, user.role):
                user = await asyncio.to_thread(_live_user, websocket, holder)  # the role may have changed since
            if user is not None:
                yield user
    if user is None:
        await close_quietly(websocket, CLOSE_UNAUTHORIZED, "missing, expired or already used ticket; get a new one")
        yield None


async def relay_terminal(websocket: WebSocket, user: User, session: str, *, create: bool) -> None:
    manager = get_optional_manager(websocket)
    if manager is None:
        await websocket.close(CLOSE_UNAVAILABLE, SANDBOXES_DISABLED)
        return
    if not SESSION_NAME.fullmatch(session):
        await websocket.close(CLOSE_NOT_FOUND, "no such terminal session")
        return
    params = websocket.query_params
    cols = int(params["cols"]) if params.get("cols", "").isdigit() else None
    rows = int(params["rows"]) if params.get("rows", "").isdigit() else None
    await TerminalRelay(websocket, manager, sandbox_user(user), session).run(create=create, cols=cols, rows=rows)


@router.websocket("/ws/terminal/{name}")
async def terminal(websocket: WebSocket, name: str) -> None:
    """A tmux session of the user's sandbox; `shell` is a login shell created on demand."""
    async with signed_in(websocket) as user:
        if user is not None:
            await relay_terminal(websocket, user, name, create=name == "shell")


async def _stream(
    websocket: WebSocket, subscriber: Subscriber, skip_until: int | None = None, number: str = "id"
) -> None:
    """Send what the subscriber receives until the client leaves; a too-slow client is closed with 4408.

    skip_until (numbered streams: logs by `id`, chats by `seq`): those up to it were sent from the backlog."""

    async def watch_disconnect() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass

    async def forward() -> None:
        last = skip_until
        while True:
            item = await subscriber.get()
            if last is not None and isinstance(item.get(number), int):
                if item[number] <= last:
                    continue  # already sent from the backlog
                last = item[number]
            await websocket.send_text(json.dumps(item))

    tasks = [asyncio.create_task(watch_disconnect()), asyncio.create_task(forward())]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:  # the other one, or both when this handler is cancelled (its sign-in ended)
        for task in tasks:
            task.cancel()
    for task in done:
        if isinstance(task.exception(), Overflowed):
            await websocket.close(CLOSE_TOO_SLOW, "too far behind; reconnect (with after=<last id or seq>)")


def _owns(
    websocket: WebSocket,
    user: User,
    model: type[Project] | type[ResearchSession] | type[LearningCourse] | type[AgentChat],
    item_id: Id,
) -> bool:
    """The same owner check as every REST route (another user's id looks like no id at all)."""
    with Session(websocket.app.state.engine) as session:
        try:
            owned(session, model, item_id, user.id, model.__name__)
        except NotFound:
            return False
        return True


@asynccontextmanager
async def _signed_in_owner(
    websocket: WebSocket,
    model: type[Project] | type[ResearchSession] | type[LearningCourse] | type[AgentChat],
    item_id: Id,
    label: str,
) -> AsyncIterator[User | None]:
    """signed_in, then the owner check: the user, or None once the socket is closed (4401, or 4404 for an item that
    is not theirs, like no item at all)."""
    async with signed_in(websocket) as user:
        if user is not None and not await asyncio.to_thread(_owns, websocket, user, model, item_id):
            await websocket.close(CLOSE_NOT_FOUND, f"{label} not found")
            user = None
        yield user


@router.websocket("/ws/project/{project_id}/logs")
async def project_logs(websocket: WebSocket, project_id: Id) -> None:
    """The project's structured log: the backlog after `after` (an id), then live entries."""
    async with _signed_in_owner(websocket, Project, project_id, "project") as user:
        if user is None:
            return
        after_text = websocket.query_params.get("after", "0")
        after = position_from(after_text)
        hub = websocket.app.state.logs
        subscriber = hub.subscribe(project_id)  # before the backlog: nothing can fall between the two
        try:
            last = after
            for entry in await asyncio.to_thread(hub.backlog, project_id, after):
                await websocket.send_text(json.dumps(entry))
                last = entry["id"]
            await _stream(websocket, subscriber, skip_until=last)
        finally:
            hub.unsubscribe(project_id, subscriber)


@router.websocket("/ws/project/{project_id}/terminal")
async def project_terminal(websocket: WebSocket, project_id: Id) -> None:
    """The project's live Claude Code session (4404 until the project has started it)."""
    async with _signed_in_owner(websocket, Project, project_id, "project") as user:
        if user is None:
            return
        await relay_terminal(websocket, user, claude_session_name(project_id), create=False)


@router.websocket("/ws/events")
async def events(websocket: WebSocket) -> None:
    """Dashboard events of the signed-in user; admins may add scope=all for every user's sandbox events."""
    async with signed_in(websocket) as user:
        if user is None:
            return
        everything = websocket.query_params.get("scope") == "all"
        if everything and user.role != "admin":
            await websocket.close(CLOSE_FORBIDDEN, "only admins may watch every user's sandboxes")
            return
        hub = websocket.app.state.events
        subscriber = hub.subscribe(user.id or 0, all_sandboxes=everything)
        try:
            await _stream(websocket, subscriber)
        finally:
            hub.unsubscribe(user.id or 0, subscriber)


async def _relay_chat(websocket: WebSocket, chat: Conversation) -> None:
    """A conversation as numbered frames: those after `after` (a seq) first, then live ones."""
    after_text = websocket.query_params.get("after", "0")
    after = position_from(after_text)
    hub: ChatHub = websocket.app.state.chat
    subscriber = hub.subscribe(chat)  # before the backlog: nothing can fall between the two
    try:
        frames, last = await asyncio.to_thread(hub.backlog, chat, after)
        for frame in frames:
            await websocket.send_text(json.dumps(frame))
        await _stream(websocket, subscriber, skip_until=max(last, after), number="seq")
    finally:
        hub.unsubscribe(chat, subscriber)


async def _relay_owned_chat(
    websocket: WebSocket,
    model: type[ResearchSession] | type[LearningCourse] | type[AgentChat],
    item_id: Id,
    label: str,
    conversation_of: Callable[[int, int], Conversation],
) -> None:
    """The chat of one of the user's items (another user's id closes 4404 like no id at all)."""
    async with _signed_in_owner(websocket, model, item_id, label) as user:
        if user is None:
            return
        await _relay_chat(websocket, conversation_of(user.id or 0, item_id))


@router.websocket("/ws/research/{research_id}/chat")
async def research_chat(websocket: WebSocket, research_id: Id) -> None:
    """The research's chat as numbered frames: those after `after` (a seq) first, then live ones."""
    await _relay_owned_chat(websocket, ResearchSession, research_id, "research", conversation)


@router.websocket("/ws/course/{course_id}/chat")
async def course_chat(websocket: WebSocket, course_id: Id) -> None:
    """A course's chat with its tutor, exactly like a research's: resumable with `after` (a seq)."""
    await _relay_owned_chat(websocket, LearningCourse, course_id, "course", course_conversation)


@router.websocket("/ws/chat/{chat_id}")
async def custom_chat(websocket: WebSocket, chat_id: Id) -> None:
    """A custom agent's chat, exactly like a research's: resumable with `after` (a seq)."""
    await _relay_owned_chat(websocket, AgentChat, chat_id, "chat", custom_conversation)


def _assistant(websocket: WebSocket, user: User) -> Conversation | None:
    """The assistant chat of the social media manager `agent_id` of the user's (made on first use); None for an
    agent that is not theirs or not a social media manager."""
    agent_id = id_from(websocket.query_params.get("agent_id", ""))
    if agent_id is None:
        return None
    with Session(websocket.app.state.engine) as session:
        try:
            return assistant_conversation(session, user.id or 0, agent_id)
        except (NotFound, Conflict):
            return None


@router.websocket("/ws/social/ai/chat")
async def social_assistant_chat(websocket: WebSocket) -> None:
    """A social media manager's AI assistant (?agent_id=N), exactly like a custom agent's chat: resumable with
    `after` (a seq)."""
    async with signed_in(websocket) as user:
        if user is None:
            return
        talk = await asyncio.to_thread(_assistant, websocket, user)
        if talk is None:
            await websocket.close(CLOSE_NOT_FOUND, "social media manager not found")
            return
        await _relay_chat(websocket, talk)
