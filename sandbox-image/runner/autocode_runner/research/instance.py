"""The research kind's process, `python -m autocode_runner.research.instance`: the chat glue around one
research's Claude Code in print mode."""

from __future__ import annotations

import asyncio

from autocode_runner.chat.loop import ChatLoop
from autocode_runner.contract.specs import ResearchSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import InstanceKind
from autocode_runner.instance_io import EventSink, read_spec, run_instance
from autocode_runner.research.claude_print import ClaudePrintBackend


async def serve(reader: asyncio.StreamReader, sink: EventSink) -> int:
    spec: ResearchSpec = await read_spec(reader, InstanceKind.RESEARCH)
    sink.log(LogLevel.INFO, f"Research ready in {spec.workspace}; Claude Code starts with the first message")
    return await ChatLoop(sink, ClaudePrintBackend(spec, sink), spec.idle_seconds).serve(reader)


def main() -> None:
    run_instance(InstanceKind.RESEARCH, serve)


if __name__ == "__main__":
    main()
