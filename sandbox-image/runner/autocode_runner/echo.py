"""The echo kind: the smallest instance there is, `python -m autocode_runner.echo`.

It proves the runtime end to end without any agent in the way (started from a spec, commands in, log and
state out, started again after restarts, stopped on request): it greets, logs each `say` command's text,
and reports how many it has heard as its state, starting from the count in its spec.
"""

from __future__ import annotations

import asyncio

from autocode_runner.contract.specs import EchoSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import Command, InstanceKind
from autocode_runner.instance_io import EventSink, commands, read_spec, run_instance


async def serve(reader: asyncio.StreamReader, sink: EventSink) -> int:
    spec: EchoSpec = await read_spec(reader, InstanceKind.ECHO)
    heard = spec.heard
    sink.log(LogLevel.INFO, spec.greeting)
    sink.state({"heard": heard})
    async for command in commands(reader):
        if command.get("type") == Command.STOP:
            break
        if command.get("type") == Command.SAY:
            heard += 1
            sink.log(LogLevel.INFO, str(command.get("text", "")))
            sink.state({"heard": heard})
    return 0


def main() -> None:
    run_instance(InstanceKind.ECHO, serve)


if __name__ == "__main__":
    main()
