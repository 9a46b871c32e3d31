"""Talking to a chat kind's instance, the same for every kind: a message stored before it is sent (a failed one
sent again with `retry_of`), delivered by starting the process when it does not run and then sending, and a
reply in flight interrupted. A kind supplies a `ChatTarget` (its instance key, its conversation, its noun and
how a stored message becomes its `message` command); its own checks (archived, model and key) and its own
additions (attachments saved in its folder, a review card as context) stay in its service.

The kind's handler side is here too: relaying its `instance.chat` events to the hub, and giving a process that
was started again the message whose reply was in flight (`resend_pending`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from autocode_runner.contract.chat import ChatAttachment, ChatEvent, ChatEventType, ChatMessageCommand
from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.wire import Command, InstanceKey
from sqlmodel import Session

from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.db import in_worker
from controlplane.errors import Conflict, InvalidField, Unavailable
from controlplane.models.chat import ChatMessage
from controlplane.runtime.supervisor import InstanceSupervisor, require_supervisor
from controlplane.sandbox.backend import EngineUnavailable, SandboxError, SandboxUser
from controlplane.sandbox.channel import ChannelClosed, RunnerError

log = logging.getLogger(__name__)
ANSWERING = "A reply is still being written: wait for it, or stop it first."
NOTHING_TO_STOP = "Nothing is being written right now."
STAMPED = ("kind", "id")  # what the runner adds to every instance event
T = TypeVar("T")
ComposeFn = Callable[[InstanceSupervisor, T], Awaitable["Outgoing"]]


def message_command(row: ChatMessage) -> dict[str, Any]:
    """The `message` command for a stored user's message: its text, its attachments by path (the files are in
    the kind's folder) and its context (what the kind added for the model), so a resend carries all of it."""
    attachments = [from_dict(ChatAttachment, item) for item in row.attachments if isinstance(item, dict)]
    body = ChatMessageCommand(turn=row.id or 0, text=row.content, attachments=attachments, context=dict(row.context))
    return {"type": Command.MESSAGE.value, **to_dict(body)}


@dataclass(frozen=True)
class ChatTarget:
    """One conversation of a chat kind, as the shared chat service needs it."""

    key: InstanceKey  # the instance that answers it
    conversation: Conversation
    noun: str  # what the user calls it ("research", "course"), for messages
    command: Callable[[ChatMessage], dict[str, Any]] = message_command


@dataclass(frozen=True)
class Outgoing:
    """A new message as the kind composed it: attachments saved already (images carry their inline copy, which
    is sent but never stored), and the context the model gets with it."""

    text: str
    attachments: list[ChatAttachment] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


def refuse_while_answering(session: Session, chat: Conversation) -> None:
    if store.pending_turn(session, chat) is not None:
        raise Conflict(ANSWERING)


def store_message(session: Session, hub: ChatHub, chat: Conversation, outgoing: Outgoing) -> ChatMessage:
    """The message, pending, with its context (kept on the row, so a resend after a restart carries it)."""
    return hub.user_message(chat, outgoing.text, outgoing.attachments, outgoing.context)


def check_words_only(text: str, retry_of: int | None) -> None:
    """A kind whose messages are words only: a message has words, a retry has none of its own."""
    if retry_of is not None and text:
        raise InvalidField("retry_of", "Send a retry on its own, without text.")
    if retry_of is None and not text.strip():
        raise InvalidField("text", "Write a message.")


def fixed(outgoing: Outgoing) -> ComposeFn[Any]:
    """The compose step of a message that needs nothing saved in the sandbox first (no files)."""

    async def compose(_: InstanceSupervisor, __: Any) -> Outgoing:
        return outgoing

    return compose


async def send_message(
    session: Session,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    target: ChatTarget,
    *,
    ready: Callable[[Session], T],
    retry_of: int | None = None,
    compose: ComposeFn[T] | None = None,
) -> int:
    """Store the message (pending), then deliver it; a delivery that fails leaves it failed, with a retry. The
    stored message's id (its turn).

    `ready` is the kind's check that its conversation may take a message now (it raises otherwise; what it
    returns goes to `compose`). With `retry_of`, the failed message is sent again as it was stored; else
    `compose` makes the new one (saving its files through the runner first)."""
    checked = await in_worker(session, ready)
    running = require_supervisor(supervisor)
    chat = target.conversation
    await in_worker(session, lambda s: refuse_while_answering(s, chat))
    if retry_of is not None:
        turn = retry_of
        row = await in_worker(session, lambda s: hub.pending_again(chat, turn))
        if row is None:
            raise InvalidField("retry_of", f"Only a message of this {target.noun} that failed can be sent again.")
        command = target.command(row)
    else:
        if compose is None:
            raise InvalidField("text", "Write a message.")
        outgoing = await compose(running, checked)
        row = await in_worker(session, lambda s: store_message(s, hub, chat, outgoing))
        command = target.command(row)
        command["attachments"] = [  # the inline copy of a picture travels with the first sending only
            {**item, "image_base64": attachment.image_base64}
            for item, attachment in zip(command["attachments"], outgoing.attachments, strict=True)
        ]
    try:  # its process, once started, is wanted running until it ends by itself (KindHandler.started)
        await deliver(running, user, target.key, command)
    except (Conflict, Unavailable, RunnerError, ChannelClosed, EngineUnavailable, SandboxError) as exc:
        reason = getattr(exc, "message", str(exc))
        hub.fail(chat, row.id or 0, f"The message could not reach the {target.noun}: {reason}", retryable=True)
    return row.id or 0


async def deliver(supervisor: InstanceSupervisor, user: SandboxUser, key: InstanceKey, command: dict[str, Any]) -> None:
    """Start the process when it does not run, then send the message; if it ended by itself in between (idle),
    start it again and send once more."""
    await supervisor.start(user, key)
    try:
        await supervisor.send(user, key, command)
    except Conflict:
        await supervisor.start(user, key)
        await supervisor.send(user, key, command)


async def interrupt(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, target: ChatTarget
) -> None:
    """Stop the reply being written; what it said so far is kept. The caller has checked the owner."""
    chat = target.conversation
    pending = await in_worker(session, lambda s: store.pending_turn(s, chat))
    if pending is None:
        raise Conflict(NOTHING_TO_STOP)
    running = require_supervisor(supervisor)
    try:
        await running.send(user, target.key, {"type": Command.INTERRUPT.value})
    except Conflict:  # no process: the reply will not come; say so and offer the message again
        hub.fail(chat, pending.id or 0, "Stopped before the reply began.", retryable=True)


# -- the handler's side -----------------------------------------------------------------------------------
def relay_event(hub: ChatHub, chat: Conversation, data: dict[str, Any]) -> ChatEvent | None:
    """One `instance.chat` event into the hub; the event when it belonged to a reply (or was a notice), None
    when it did not fit the contract or belonged to nothing."""
    try:
        event = from_dict(ChatEvent, {key: value for key, value in data.items() if key not in STAMPED})
    except ContractError as exc:
        log.warning("%s %s sent a chat event that does not fit: %s", chat.session_type, chat.session_id, exc)
        return None
    return event if hub.apply(chat, event) else None


def counts_as_activity(event: ChatEvent) -> bool:
    """Whether an event is worth a write of the conversation's last activity (not one per token)."""
    return event.type not in (ChatEventType.DELTA, ChatEventType.TOOL)


def resend_pending(session: Session, hub: ChatHub, target: ChatTarget, *, resumed: bool) -> list[dict[str, Any]]:
    """What a process that was just started again must get first: the message whose reply was in flight (by
    path: an image's inline copy was never stored). A fresh start gets its message from whoever started it."""
    pending = store.pending_turn(session, target.conversation)
    if not resumed or pending is None or pending.id is None:
        return []
    hub.resent(target.conversation, pending.id)
    return [target.command(pending)]
