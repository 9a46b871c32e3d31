"""The chat glue on its own: one turn at a time, and the same message sent twice while it is open is answered
once; a message whose turn was completed is answered with that ending again (a resend after a control-plane
restart), while one whose turn failed is answered afresh (a retry). The backend here is a scripted stand-in for
the model; the loop, its commands and its chat lines are the real ones."""

from __future__ import annotations

import asyncio
import io
import json

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.chat.loop import ChatLoop
from autocode_runner.contract.chat import ChatMessageCommand, ChatUsage
from autocode_runner.contract.wire import Command, InstanceOutput
from autocode_runner.instance_io import EventSink


class ScriptedBackend:
    """Answers each message with its text; the first answer of a turn listed in `fail` is an error."""

    def __init__(self, fail: set[int]) -> None:
        self.fail = fail
        self.replies: list[int] = []
        self.release = asyncio.Event()

    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        self.replies.append(message.turn)
        await self.release.wait()
        if message.turn in self.fail:
            self.fail.discard(message.turn)
            events.error("overloaded", retryable=True)
            return
        events.completed(f"echo: {message.text}", ChatUsage(len(message.text), message.turn), 0.25)

    async def interrupt(self) -> None:
        return None

    async def close(self) -> None:
        return None


class WatchedSink(EventSink):
    """The real sink writing to a buffer, that also lets a test await the first chat event of a type."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        super().__init__(self.buffer)
        self.seen: dict[str, asyncio.Event] = {
            "error": asyncio.Event(),
            "completed": asyncio.Event(),
            "delta": asyncio.Event(),
        }

    def emit(self, output: InstanceOutput, data: dict[str, object]) -> None:
        super().emit(output, data)
        if output is InstanceOutput.CHAT and str(data.get("type")) in self.seen:
            self.seen[str(data["type"])].set()


def command(kind: Command, **body: object) -> bytes:
    return (json.dumps({"type": kind.value, **body}) + "\n").encode()


def test_a_message_sent_twice_while_open_is_answered_once_and_a_retry_after_an_error_is_answered() -> None:
    async def scenario() -> tuple[list[int], list[dict[str, object]]]:
        sink = WatchedSink()
        backend = ScriptedBackend(fail={1})
        loop = ChatLoop(sink, backend, idle_seconds=30)
        reader = asyncio.StreamReader()
        serving = asyncio.create_task(loop.serve(reader))
        reader.feed_data(command(Command.MESSAGE, turn=1, text="hi"))
        reader.feed_data(command(Command.MESSAGE, turn=1, text="hi"))  # the same message, racing itself
        await asyncio.sleep(0)
        backend.release.set()
        await sink.seen["error"].wait()
        reader.feed_data(command(Command.MESSAGE, turn=1, text="hi"))  # the user's retry after the error
        await sink.seen["completed"].wait()
        reader.feed_data(command(Command.STOP))
        await asyncio.wait_for(serving, 5)
        lines = [json.loads(line) for line in sink.buffer.getvalue().splitlines()]
        return backend.replies, [line["data"] for line in lines if line["event"] == "chat"]

    replies, chat = asyncio.run(asyncio.wait_for(scenario(), 10))

    assert replies == [1, 1]  # the duplicate was not answered; the retry was
    assert [event["type"] for event in chat] == ["error", "completed"]
    assert chat[1]["text"] == "echo: hi"


def test_a_message_for_a_completed_turn_is_answered_with_its_ending_again_not_by_the_model() -> None:
    async def scenario() -> tuple[list[int], list[dict[str, object]]]:
        sink = WatchedSink()
        backend = ScriptedBackend(fail=set())
        backend.release.set()
        loop = ChatLoop(sink, backend, idle_seconds=30)
        reader = asyncio.StreamReader()
        serving = asyncio.create_task(loop.serve(reader))
        reader.feed_data(command(Command.MESSAGE, turn=7, text="first"))
        await sink.seen["completed"].wait()
        for turn in range(8, 16):  # eight more turns: the first one's ending is then forgotten
            sink.seen["completed"].clear()
            reader.feed_data(command(Command.MESSAGE, turn=turn, text=f"turn {turn}"))
            await sink.seen["completed"].wait()
        sink.seen["completed"].clear()
        reader.feed_data(command(Command.MESSAGE, turn=15, text="turn 15"))  # sent again: the ending again
        await sink.seen["completed"].wait()
        sink.seen["completed"].clear()
        reader.feed_data(command(Command.MESSAGE, turn=7, text="first"))  # too long ago: answered again
        await sink.seen["completed"].wait()
        reader.feed_data(command(Command.STOP))
        await asyncio.wait_for(serving, 5)
        lines = [json.loads(line) for line in sink.buffer.getvalue().splitlines()]
        return backend.replies, [line["data"] for line in lines if line["event"] == "chat"]

    replies, chat = asyncio.run(asyncio.wait_for(scenario(), 10))

    assert replies == [7, *range(8, 16), 7]  # turn 15's second copy never reached the model
    fifteen = [event for event in chat if event["turn"] == 15]
    assert len(fifteen) == 2 and fifteen[0] == fifteen[1], fifteen
    assert fifteen[1]["text"] == "echo: turn 15" and fifteen[1]["usage"]["input_tokens"] == 7  # type: ignore[index]
    assert fifteen[1]["cost_usd"] == 0.25


class StoppableBackend(ScriptedBackend):
    """Writes a first piece, then waits until it is interrupted, and returns without completing (the glue does)."""

    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        events.delta("Once upon a time")
        await self.release.wait()

    async def interrupt(self) -> None:
        self.release.set()


def test_a_stopped_reply_completes_with_what_was_said_and_says_it_was_interrupted() -> None:
    async def scenario() -> list[dict[str, object]]:
        sink = WatchedSink()
        loop = ChatLoop(sink, StoppableBackend(fail=set()), idle_seconds=30)
        reader = asyncio.StreamReader()
        serving = asyncio.create_task(loop.serve(reader))
        reader.feed_data(command(Command.MESSAGE, turn=4, text="tell me a story"))
        await sink.seen["delta"].wait()
        reader.feed_data(command(Command.INTERRUPT))
        await sink.seen["completed"].wait()
        reader.feed_data(command(Command.STOP))
        await asyncio.wait_for(serving, 5)
        lines = [json.loads(line) for line in sink.buffer.getvalue().splitlines()]
        return [line["data"] for line in lines if line["event"] == "chat"]

    chat = asyncio.run(asyncio.wait_for(scenario(), 10))
    completed = next(event for event in chat if event["type"] == "completed")
    assert completed["text"] == "Once upon a time" and completed["interrupted"] is True, completed
    assert chat[-1]["type"] == "notice"
