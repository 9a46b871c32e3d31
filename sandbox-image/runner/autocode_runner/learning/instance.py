"""The learning kind's process, `python -m autocode_runner.learning.instance`: the chat glue around one course's
tutor."""

from __future__ import annotations

import asyncio

from autocode_runner.chat.loop import ChatLoop
from autocode_runner.contract.specs import CourseSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import InstanceKind
from autocode_runner.instance_io import EventSink, read_spec, run_instance
from autocode_runner.learning.tutor import TutorBackend


async def serve(reader: asyncio.StreamReader, sink: EventSink) -> int:
    spec: CourseSpec = await read_spec(reader, InstanceKind.LEARNING)
    backend = TutorBackend(spec, sink)
    sink.log(LogLevel.INFO, f"Tutor ready for '{spec.course}' in {spec.directory}")
    return await ChatLoop(sink, backend, spec.idle_seconds).serve(reader)


def main() -> None:
    run_instance(InstanceKind.LEARNING, serve)


if __name__ == "__main__":
    main()
