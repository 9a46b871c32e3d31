"""The custom kind's process, `python -m autocode_runner.custom.instance`: the chat glue around one chat of a
custom agent."""

from __future__ import annotations

import asyncio

from autocode_runner.chat.loop import ChatLoop
from autocode_runner.contract.specs import CustomSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.contract.wire import InstanceKind
from autocode_runner.custom.backend import CustomBackend
from autocode_runner.instance_io import EventSink, read_spec, run_instance


async def serve(reader: asyncio.StreamReader, sink: EventSink) -> int:
    spec: CustomSpec = await read_spec(reader, InstanceKind.CUSTOM)
    backend = CustomBackend(spec)
    servers = ", ".join(server.name for server in spec.mcp_servers) or "none"
    sink.log(LogLevel.INFO, f"'{spec.agent}' ready in {spec.directory} (MCP servers: {servers})")
    return await ChatLoop(sink, backend, spec.idle_seconds).serve(reader)


def main() -> None:
    run_instance(InstanceKind.CUSTOM, serve)


if __name__ == "__main__":
    main()
