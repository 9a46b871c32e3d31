"""The chat hub: numbers every event of a conversation, stores what must outlive the reply in flight, and fans
the frames out to the conversation's stream subscribers.

Numbers (`seq`) rise within a conversation and never repeat, across restarts too: a stored row keeps the
number of the event that last changed it, and a user's message keeps `seq_reserved`, the highest number
reserved for its reply's events (reserved in blocks, so a reply costs one write per block, not per token).
After a restart, numbering goes on above the highest number used or reserved.

A subscriber registers, then reads its backlog under the hub's lock (stored rows changed after `after`, from
the database, and the reply in flight's deltas and tool events, from memory), and then skips live frames it
already had: no gap and no duplicate. Everything is thread-safe: runner events arrive in worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from autocode_runner.contract.chat import ChatAttachment, ChatEvent, ChatEventType, ToolActivity
from autocode_runner.contract.convert import to_dict
from sqlalchemy import Engine
from sqlmodel import Session

from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.store import Frame, FrameType
from controlplane.models.chat import ChatMessage, ChatRole, ChatStatus
from controlplane.realtime.fanout import FanOut, Subscriber

SEQ_BLOCK = 1000
T = TypeVar("T")


@dataclass
class _Stream:
    """What the hub holds in memory for one conversation."""

    next_seq: int
    reserved: int
    turn: int | None = None  # the user's message whose reply is in flight
    events: list[Frame] = field(default_factory=list)  # its delta and tool frames (the memory backlog)
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)  # its tool cards, latest state, in order


class ChatHub:
    def __init__(self, engine: Engine, queue_limit: int = 1000) -> None:
        self.engine = engine
        self.fanout = FanOut(queue_limit)
        self._streams: dict[Hashable, _Stream] = {}
        self._lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------------------
    def _locked(self, conversation: Conversation, work: Callable[[Session, _Stream], T]) -> T:
        with self._lock, Session(self.engine) as session:
            stream = self._streams.get(conversation.key)
            if stream is None:
                highest = store.highest_seq(session, conversation)
                stream = _Stream(next_seq=highest + 1, reserved=highest)
                self._streams[conversation.key] = stream
            return work(session, stream)

    @staticmethod
    def _number(stream: _Stream) -> int:
        seq = stream.next_seq
        stream.next_seq += 1
        return seq

    def _publish(self, conversation: Conversation, frame: Frame) -> None:
        self.fanout.publish(conversation.key, frame)

    def _publish_row(self, conversation: Conversation, session: Session, stream: _Stream, row: ChatMessage) -> Frame:
        """Give the row the next number, store it, and send the frame it stands for."""
        row.seq = self._number(stream)
        session.add(row)
        session.commit()
        session.refresh(row)
        frame = store.frame_of(row)
        self._publish(conversation, frame)
        return frame

    @staticmethod
    def _reset_turn(stream: _Stream, turn: int | None) -> None:
        stream.turn, stream.events, stream.tools = turn, [], {}

    # -- the user's side ----------------------------------------------------------------------------
    def user_message(
        self,
        conversation: Conversation,
        text: str,
        attachments: list[ChatAttachment],
        context: dict[str, Any] | None = None,
    ) -> ChatMessage:
        """Store the user's message (pending) before it is sent, with what the kind adds to it for the model
        (`context`, kept so a resend carries it); its reply's events follow under its id."""

        def work(session: Session, stream: _Stream) -> ChatMessage:
            row = ChatMessage(
                user_id=conversation.user_id,
                session_type=conversation.session_type,
                session_id=conversation.session_id,
                role=ChatRole.USER,
                content=text,
                status=ChatStatus.PENDING,
                attachments=[store.stored_attachment(item) for item in attachments],
                context=dict(context or {}),
            )
            session.add(row)
            session.flush()
            self._reset_turn(stream, row.id)
            self._publish_row(conversation, session, stream, row)
            return row

        return self._locked(conversation, work)

    def pending_again(self, conversation: Conversation, turn: int) -> ChatMessage | None:
        """A failed message sent again (a retry): pending, its error cleared. None when it is not failed."""

        def work(session: Session, stream: _Stream) -> ChatMessage | None:
            row = store.message(session, conversation, turn)
            if row is None or row.role != ChatRole.USER or row.status != ChatStatus.FAILED:
                return None
            row.status, row.error, row.retryable = ChatStatus.PENDING, "", False
            self._reset_turn(stream, turn)
            self._publish_row(conversation, session, stream, row)
            return row

        return self._locked(conversation, work)

    def resent(self, conversation: Conversation, turn: int) -> None:
        """The turn was sent again to a new process (the old one died mid-reply): what the old one had said of
        the reply is void, and clients hear so from the message's frame."""

        def work(session: Session, stream: _Stream) -> None:
            had_output = stream.turn == turn and bool(stream.events)
            self._reset_turn(stream, turn)
            row = store.message(session, conversation, turn)
            if had_output and row is not None:
                self._publish_row(conversation, session, stream, row)

        self._locked(conversation, work)

    def fail(self, conversation: Conversation, turn: int, error: str, *, retryable: bool) -> None:
        """The message could not be delivered (the sandbox is down...): kept, failed, retry offered."""
        self.apply(conversation, ChatEvent(type=ChatEventType.ERROR, turn=turn, text=error, retryable=retryable))

    # -- the reply's side ---------------------------------------------------------------------------
    def apply(self, conversation: Conversation, event: ChatEvent) -> bool:
        """One chat event from the kind's process; False when it belongs to no reply in flight (dropped)."""

        def work(session: Session, stream: _Stream) -> bool:
            turn = store.message(session, conversation, event.turn)
            if turn is None or turn.role != ChatRole.USER:
                return False
            if event.type == ChatEventType.NOTICE:
                note = self._row(conversation, ChatRole.NOTICE, event.text, event.turn)
                self._publish_row(conversation, session, stream, note)
                return True
            if turn.status != ChatStatus.PENDING:
                return False  # a late event of a reply that already ended
            if stream.turn != event.turn:
                self._reset_turn(stream, event.turn)
            if event.type in (ChatEventType.DELTA, ChatEventType.TOOL):
                self._live(conversation, session, stream, turn, event)
            elif event.type == ChatEventType.COMPLETED:
                self._complete(conversation, session, stream, turn, event)
            else:
                self._error(conversation, session, stream, turn, event)
            return True

        return self._locked(conversation, work)

    def _row(self, conversation: Conversation, role: ChatRole, text: str, turn: int, **fields: Any) -> ChatMessage:
        return ChatMessage(
            user_id=conversation.user_id,
            session_type=conversation.session_type,
            session_id=conversation.session_id,
            role=role,
            content=text,
            reply_to=turn,
            **fields,
        )

    def _live(
        self, conversation: Conversation, session: Session, stream: _Stream, turn: ChatMessage, event: ChatEvent
    ) -> None:
        seq = self._number(stream)
        if seq > stream.reserved:  # one write per block keeps later numbers above this one after a restart
            stream.reserved = seq + SEQ_BLOCK - 1
            turn.seq_reserved = stream.reserved
            session.add(turn)
            session.commit()
        frame: Frame = {"seq": seq, "type": event.type.value, "turn": event.turn}
        if event.type == ChatEventType.DELTA:
            frame["text"] = event.text
        elif event.tool is not None:
            frame["tool"] = to_dict(event.tool)
            stream.tools[event.tool.id] = frame["tool"]
        else:
            return
        stream.events.append(frame)
        self._publish(conversation, frame)

    def _said_so_far(self, stream: _Stream) -> str:
        return "".join(str(frame.get("text", "")) for frame in stream.events if frame["type"] == FrameType.DELTA)

    def _complete(
        self, conversation: Conversation, session: Session, stream: _Stream, turn: ChatMessage, event: ChatEvent
    ) -> None:
        reply = self._row(
            conversation,
            ChatRole.ASSISTANT,
            event.text or self._said_so_far(stream),
            event.turn,
            status=ChatStatus.INTERRUPTED if event.interrupted else ChatStatus.DONE,
            usage=to_dict(event.usage) if event.usage is not None else None,
            cost_usd=event.cost_usd,
            tools=list(stream.tools.values()),
        )
        turn.status = ChatStatus.DONE
        session.add(turn)
        self._publish_row(conversation, session, stream, reply)
        self._reset_turn(stream, None)

    def _error(
        self, conversation: Conversation, session: Session, stream: _Stream, turn: ChatMessage, event: ChatEvent
    ) -> None:
        said = self._said_so_far(stream)
        if said or stream.tools:  # nothing said before an interruption or an error is lost
            partial = self._row(
                conversation,
                ChatRole.ASSISTANT,
                said,
                event.turn,
                status=ChatStatus.INTERRUPTED,
                tools=list(stream.tools.values()),
            )
            self._publish_row(conversation, session, stream, partial)
        turn.status, turn.error, turn.retryable = ChatStatus.FAILED, event.text, event.retryable
        self._publish_row(conversation, session, stream, turn)
        self._reset_turn(stream, None)

    # -- subscribers --------------------------------------------------------------------------------
    def subscribe(self, conversation: Conversation) -> Subscriber:
        return self.fanout.subscribe(conversation.key)

    def unsubscribe(self, conversation: Conversation, subscriber: Subscriber) -> None:
        self.fanout.unsubscribe(conversation.key, subscriber)

    def backlog(self, conversation: Conversation, after: int) -> tuple[list[Frame], int]:
        """Every frame numbered above `after`, in order, and the highest number given so far (live frames up
        to it are in the backlog already). Call after subscribing."""

        def work(session: Session, stream: _Stream) -> tuple[list[Frame], int]:
            stored = [store.frame_of(row) for row in store.changed_after(session, conversation, after)]
            live = [frame for frame in stream.events if frame["seq"] > after]
            return sorted(stored + live, key=lambda frame: int(frame["seq"])), stream.next_seq - 1

        return self._locked(conversation, work)

    def tools_in_flight(self, conversation: Conversation) -> list[ToolActivity]:
        with self._lock:
            stream = self._streams.get(conversation.key)
            return [ToolActivity(**card) for card in stream.tools.values()] if stream else []

    def forget(self, conversation: Conversation) -> None:
        """The conversation was deleted."""
        with self._lock:
            self._streams.pop(conversation.key, None)
