"""What every chat kind's runtime handler shares (research, learning, custom agents): its targets are rows of one
table of the user's (a research, a course, a chat) with `desired_state` and `last_activity_at`; a target's process
runs from its first message until it has been idle for a while and ends by itself; one that dies mid-reply is
started again and given the message again, so a message is never lost.

A kind subclasses `ChatKind`, names its table and chat session type, and writes what is its own: `launch` (its
spec), `started` (its row's columns), and `apply_state` (its reports). Every method touches only the given user's
rows: a runner can speak only for its own user.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Protocol, TypeVar

from autocode_runner.contract.wire import InstanceKind
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.chat.service import ChatTarget
from controlplane.models.base import DesiredState, utcnow
from controlplane.runtime.kinds import LiveEvent, OwnerColumns
from controlplane.services.ownership import owned_or_none


class ChatTargetRow(Protocol):
    id: int | None
    user_id: int
    desired_state: str
    last_activity_at: Any


Row = TypeVar("Row", bound=ChatTargetRow)


class ChatKind(Generic[Row]):
    table: ClassVar[type[Any]]  # the kind's own table: its rows are the targets
    session_type: ClassVar[str]  # chat_messages.session_type of their messages
    kind: InstanceKind
    noun: str
    chat_hub: ChatHub

    # -- the conversation ----------------------------------------------------------------------------
    @classmethod
    def conversation(cls, user_id: int, target_id: int) -> Conversation:
        return Conversation(user_id, cls.session_type, target_id)

    def target(self, user_id: int, target_id: int) -> ChatTarget:
        chat = self.conversation(user_id, target_id)
        return ChatTarget(key=(self.kind, target_id), conversation=chat, noun=self.noun)

    def row(self, session: Session, user_id: int, target_id: int) -> Row | None:
        found: Row | None = owned_or_none(session, self.table, target_id, user_id)
        return found

    def history_before_pending(self, session: Session, user_id: int, target_id: int) -> list[Any]:
        """The stored conversation a new process is given, without the message in flight (sent to it after)."""
        chat = self.conversation(user_id, target_id)
        pending = store.pending_turn(session, chat)
        return store.history(session, chat, before=pending.id if pending else None)

    # -- KindHandler ---------------------------------------------------------------------------------
    def wanted(self, session: Session, user_id: int) -> set[int]:
        mine: ColumnElement[bool] = col(self.table.user_id) == user_id
        running: ColumnElement[bool] = col(self.table.desired_state) == DesiredState.RUNNING
        ids = session.exec(select(self.table.id).where(mine, running)).all()
        return {target_id for target_id in ids if target_id is not None}

    def exists(self, session: Session, user_id: int, target_id: int) -> bool:
        return self.row(session, user_id, target_id) is not None

    def owner_columns(self, target_id: int) -> OwnerColumns:
        return {}

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        if not wanted:
            return  # died mid-reply: still wanted, started again, and the message sent again
        found = self.row(session, user_id, target_id)
        if found is not None:
            found.desired_state = DesiredState.STOPPED
            session.add(found)

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        """Its process may end whenever no reply is in flight (it does when idle)."""
        return store.pending_turn(session, self.conversation(user_id, target_id)) is None

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        return []  # a kind with reports of its own overrides this

    def mark_running(self, found: Row) -> None:
        found.desired_state = DesiredState.RUNNING

    # -- ChatKindHandler -----------------------------------------------------------------------------
    def chat(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> None:
        event = chat_service.relay_event(self.chat_hub, self.conversation(user_id, target_id), data)
        if event is not None and chat_service.counts_as_activity(event):
            found = self.row(session, user_id, target_id)
            if found is not None:
                found.last_activity_at = utcnow()
                session.add(found)
                session.commit()

    def after_start(self, session: Session, user_id: int, target_id: int, *, resumed: bool) -> list[dict[str, Any]]:
        """A resumed process (or one found running after a control-plane restart) is given the message in flight
        again."""
        return chat_service.resend_pending(session, self.chat_hub, self.target(user_id, target_id), resumed=resumed)
