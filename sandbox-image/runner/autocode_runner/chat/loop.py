"""A chat instance's life: messages answered one at a time in arrival order (one sent during a reply waits its
turn), `interrupt` stopping the reply in progress, `stop` or a closed stdin ending it, and an idle exit after
`idle_seconds` without a message (the next message starts the instance again from its stored state).

A message can arrive twice: the control plane sends the message in flight again to a process it finds running
after its own restart (or a reopened channel), since the events written meanwhile were lost. While its turn is
open the second copy is ignored (the reply under way reaches the new listener); when the turn was completed
here, its ending (`completed` with the whole text and usage, and the notices after it) is written again instead
of asking the model twice. A turn that ended in an error is not remembered: the same message after an error is
the user's retry (the wire cannot tell a retry from a resend), answered afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict

from autocode_runner.chat.backend import ChatBackend, TurnEvents
from autocode_runner.contract.chat import ChatEvent, ChatEventType, ChatMessageCommand
from autocode_runner.contract.convert import ContractError, from_dict
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import Command
from autocode_runner.instance_io import EventSink, commands

log = logging.getLogger(__name__)

STOPPED_NOTICE = "The reply was stopped; what it had said so far is kept."
CRASHED_REPLY = "The reply failed unexpectedly ({error}). Send the message again to retry."
NO_ANSWER = "The reply ended without an answer. Send the message again to retry."
REMEMBERED_TURNS = 8  # completed turns whose ending a resend is answered with


class ChatLoop:
    def __init__(self, sink: EventSink, backend: ChatBackend, idle_seconds: float) -> None:
        self.sink = sink
        self.backend = backend
        self.idle_seconds = idle_seconds
        self._messages: asyncio.Queue[ChatMessageCommand | None] = asyncio.Queue()
        self._answering: TurnEvents | None = None
        self._interrupted = False
        # Turns queued or being answered: the same message sent twice meanwhile (a resend racing the first) is
        # answered once. A turn that has ended may come again: that is a retry.
        self._open_turns: set[int] = set()
        self._completed: OrderedDict[int, list[ChatEvent]] = OrderedDict()  # the last few, oldest first

    async def serve(self, reader: asyncio.StreamReader) -> int:
        """Runs until `stop`, stdin's end or idleness; always closes the backend. Returns the exit code (0)."""
        reading = asyncio.create_task(self._read(reader))
        try:
            while True:
                try:
                    message = await asyncio.wait_for(self._messages.get(), self.idle_seconds)
                except TimeoutError:
                    self.sink.log(
                        LogLevel.INFO,
                        f"No message for {self.idle_seconds:g} s: the chat process exits; the next message "
                        "starts it again where it left off.",
                    )
                    return 0
                if message is None:
                    return 0
                try:
                    await self._turn(message)
                finally:
                    self._open_turns.discard(message.turn)
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            await self.backend.close()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        async for command in commands(reader):
            kind = command.get("type")
            if kind == Command.STOP:
                break
            if kind == Command.MESSAGE:
                body = {key: value for key, value in command.items() if key != "type"}
                try:
                    message = from_dict(ChatMessageCommand, body)
                except ContractError as error:
                    self.sink.log(LogLevel.ERROR, f"A message could not be read and was ignored: {error}")
                    continue
                if message.turn in self._open_turns:
                    self.sink.log(LogLevel.INFO, f"Message {message.turn} arrived again while open: answered once")
                    continue
                if message.turn in self._completed:
                    self.sink.log(LogLevel.INFO, f"Message {message.turn} was answered already: its ending again")
                    for event in self._completed[message.turn]:
                        self.sink.chat(event)
                    continue
                self._open_turns.add(message.turn)
                await self._messages.put(message)
            elif kind == Command.INTERRUPT:
                await self._interrupt()
        await self._messages.put(None)

    async def _interrupt(self) -> None:
        if self._answering is None or self._interrupted:
            return  # nothing is being written: a late click on Stop
        self._interrupted = True
        self._answering.interrupted = True
        try:
            await self.backend.interrupt()
        except Exception as error:  # the turn still ends below, with what was said
            log.exception("interrupting the reply failed")
            self.sink.log(LogLevel.ERROR, f"Stopping the reply failed: {error}")

    async def _turn(self, message: ChatMessageCommand) -> None:
        events = TurnEvents(self.sink, message.turn)
        self._answering, self._interrupted = events, False
        try:
            await self.backend.reply(message, events)
        except Exception as error:
            log.exception("turn %s failed", message.turn)
            if not self._interrupted:
                events.error(CRASHED_REPLY.format(error=error), retryable=True)
        finally:
            self._answering = None
        if self._interrupted and not events.ended:
            events.completed(events.text_so_far)
            events.notice(STOPPED_NOTICE)
        elif not events.ended:
            events.error(NO_ANSWER, retryable=True)
        self._remember(events)

    def _remember(self, events: TurnEvents) -> None:
        """Keep a completed turn's ending for a resend; an error's turn is forgotten (a retry may follow)."""
        self._completed.pop(events.turn, None)
        if events.ending and events.ending[0].type == ChatEventType.COMPLETED:
            self._completed[events.turn] = list(events.ending)
            while len(self._completed) > REMEMBERED_TURNS:
                self._completed.popitem(last=False)
