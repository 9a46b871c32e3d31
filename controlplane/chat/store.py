"""The stored conversation: chat_messages rows, their public view, and the stream frame each one stands for.

Every function takes an open session and touches only the given conversation's rows (its user's).
"""

from __future__ import annotations

from typing import Any

from autocode_runner.contract.chat import ChatAttachment, ChatTurn
from autocode_runner.contract.convert import to_dict
from sqlmodel import Session, col, func, select

from controlplane.chat.conversation import Conversation
from controlplane.models.chat import ChatMessage, ChatRole, ChatStatus
from controlplane.schemas.chat import ChatMessagePublic

Frame = dict[str, Any]


class FrameType:
    """The `type` of a chat stream frame (docs/websockets.md, "Chat")."""

    MESSAGE = "message"  # a user's message stored, or pending again (a retry, a resend after a restart)
    DELTA = "delta"
    TOOL = "tool"
    COMPLETED = "completed"  # a reply stored (done, or interrupted with what it had said)
    ERROR = "error"  # the user's message failed: `error`, `retryable`
    NOTICE = "notice"


def _of(conversation: Conversation) -> Any:
    return (
        (col(ChatMessage.user_id) == conversation.user_id)
        & (col(ChatMessage.session_type) == conversation.session_type)
        & (col(ChatMessage.session_id) == conversation.session_id)
    )


def messages(session: Session, conversation: Conversation) -> list[ChatMessage]:
    return list(session.exec(select(ChatMessage).where(_of(conversation)).order_by(col(ChatMessage.id))).all())


def message(session: Session, conversation: Conversation, message_id: int) -> ChatMessage | None:
    """The row if it is this conversation's (a runner's turn id names nothing of anybody else's)."""
    row = session.get(ChatMessage, message_id)
    mine = row is not None and (row.user_id, row.session_type, row.session_id) == (
        conversation.user_id,
        conversation.session_type,
        conversation.session_id,
    )
    return row if mine else None


def changed_after(session: Session, conversation: Conversation, after: int) -> list[ChatMessage]:
    query = select(ChatMessage).where(_of(conversation), col(ChatMessage.seq) > after).order_by(col(ChatMessage.seq))
    return list(session.exec(query).all())


def highest_seq(session: Session, conversation: Conversation) -> int:
    """The highest stream number ever given in this conversation (used or reserved)."""
    query = select(func.max(ChatMessage.seq), func.max(ChatMessage.seq_reserved)).where(_of(conversation))
    row = session.exec(query).first()
    return max((value or 0) for value in row) if row else 0


def pending_turn(session: Session, conversation: Conversation) -> ChatMessage | None:
    """The user's message whose reply is being written, if any (at most one at a time)."""
    query = (
        select(ChatMessage)
        .where(_of(conversation), ChatMessage.role == ChatRole.USER, ChatMessage.status == ChatStatus.PENDING)
        .order_by(col(ChatMessage.id).desc())
    )
    return session.exec(query).first()


def history(session: Session, conversation: Conversation, *, before: int | None = None) -> list[ChatTurn]:
    """The conversation as context for a new session: answered messages and complete replies, oldest first
    (a failed message and a notice were never part of what the model was told)."""
    turns: list[ChatTurn] = []
    for row in messages(session, conversation):
        if before is not None and (row.id or 0) >= before:
            break
        if row.role == ChatRole.USER and row.status == ChatStatus.DONE:
            turns.append(ChatTurn(role="user", text=row.content))
        elif row.role == ChatRole.ASSISTANT:
            turns.append(ChatTurn(role="assistant", text=row.content))
    return turns


def stored_attachment(attachment: ChatAttachment) -> dict[str, Any]:
    """An attachment as the row keeps it: the inline image stays out of the database (the file is in the
    workspace)."""
    return {**to_dict(attachment), "image_base64": ""}


def public(row: ChatMessage) -> ChatMessagePublic:
    return ChatMessagePublic.model_validate(row)


def frame_of(row: ChatMessage) -> Frame:
    """The frame a stored row stands for when a stream replays it from the database."""
    body = public(row).model_dump(mode="json")
    turn = row.id if row.role == ChatRole.USER else row.reply_to
    if row.role == ChatRole.USER and row.status == ChatStatus.FAILED:
        return {
            "seq": row.seq,
            "type": FrameType.ERROR,
            "turn": turn,
            "error": row.error,
            "retryable": row.retryable,
            "message": body,
        }
    kind = {ChatRole.USER: FrameType.MESSAGE, ChatRole.ASSISTANT: FrameType.COMPLETED}.get(
        ChatRole(row.role), FrameType.NOTICE
    )
    return {"seq": row.seq, "type": kind, "turn": turn, "message": body}
