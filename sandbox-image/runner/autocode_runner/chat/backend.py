"""What a chat backend is (the one thing a chat kind supplies), and the turn's event writer it is given.

A backend answers one message at a time through `TurnEvents`. The glue (chat.loop) runs it, asks it to stop a
reply on `interrupt`, and closes it when the instance exits; a backend keeps whatever process it needs alive
between turns and starts it again when it is gone.
"""

from __future__ import annotations

from typing import Protocol

from autocode_runner.contract.chat import ChatEvent, ChatEventType, ChatMessageCommand, ChatUsage, ToolActivity
from autocode_runner.instance_io import EventSink


class TurnEvents:
    """The `chat` lines of one turn. Remembers the text sent so far (what an interrupted reply keeps), whether
    the turn has ended (`completed` or `error`), after which only notices are written for it, and the lines
    from its end on (`ending`: what a message for the turn sent again is answered with)."""

    def __init__(self, sink: EventSink, turn: int) -> None:
        self._sink = sink
        self.turn = turn
        self.text_so_far = ""
        self.ended = False
        self.interrupted = False  # set by the glue when the user stopped the reply: its `completed` says so
        self.ending: list[ChatEvent] = []

    def _emit(self, event: ChatEvent) -> None:
        if not self.ended:
            self._sink.chat(event)
            if event.type in (ChatEventType.COMPLETED, ChatEventType.ERROR):
                self.ending.append(event)

    def delta(self, text: str) -> None:
        if text:
            self.text_so_far += text
            self._emit(ChatEvent(ChatEventType.DELTA, self.turn, text=text))

    def tool(self, activity: ToolActivity) -> None:
        self._emit(ChatEvent(ChatEventType.TOOL, self.turn, tool=activity))

    def notice(self, text: str) -> None:
        """Written even after the turn ended ("the reply was stopped" follows its `completed`)."""
        event = ChatEvent(ChatEventType.NOTICE, self.turn, text=text)
        self._sink.chat(event)
        if self.ended:
            self.ending.append(event)

    def completed(self, text: str, usage: ChatUsage | None = None, cost_usd: float | None = None) -> None:
        self._emit(
            ChatEvent(
                ChatEventType.COMPLETED,
                self.turn,
                text=text,
                usage=usage,
                cost_usd=cost_usd,
                interrupted=self.interrupted,
            )
        )
        self.ended = True

    def error(self, text: str, *, retryable: bool) -> None:
        self._emit(ChatEvent(ChatEventType.ERROR, self.turn, text=text, retryable=retryable))
        self.ended = True


class ChatBackend(Protocol):
    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        """Answer `message`, writing its events; returns when the turn is over. When `interrupt` was called
        during it, the backend may return without `completed`: the glue completes the turn with what was said."""
        ...

    async def interrupt(self) -> None:
        """Stop the reply being written (called only while `reply` runs); the process stays for the next turn."""
        ...

    async def close(self) -> None:
        """The instance is exiting: end the backend's processes, leaving its state resumable."""
        ...
