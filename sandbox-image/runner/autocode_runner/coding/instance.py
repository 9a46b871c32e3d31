"""One coding project's instance process: `python -m autocode_runner.coding.instance`.

Started by the runner (autocode_runner.instances) with the project's spec as the first line on stdin; then
reads commands (pause, resume, reply, plan, stop) line by line and writes events to stdout. It runs the
control loop until the project is completed, the user stops it, or stdin closes (the runner went away:
Claude Code keeps running in tmux, and the next instance adopts it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from autocode_runner.coding.events import EventSink
from autocode_runner.coding.loop import ProjectLoop, Stopped

log = logging.getLogger("autocode_runner.instance")


async def _stdin_lines() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=16 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _read_commands(reader: asyncio.StreamReader, project: ProjectLoop) -> None:
    """Hand each command line to the loop; return at end of input."""
    while line := await reader.readline():
        try:
            command = json.loads(line)
        except ValueError:
            log.warning("ignoring a command line that is not JSON")
            continue
        if isinstance(command, dict):
            project.command(command)


def build_loop(spec: dict[str, Any], sink: EventSink) -> ProjectLoop:
    """The loop with the real Claude Code driver and the nanobot manager (imported here: they are heavy)."""
    from autocode_runner.coding.wiring import claude_for, manager_for

    workspace = Path(spec["workspace"])
    return ProjectLoop(
        spec,
        claude=claude_for(spec, sink),
        manager=manager_for(spec, workspace),
        sink=sink,
        workspace=workspace,
        rules_file=Path(spec.get("rules_file") or "/nonexistent"),
    )


async def run(reader: asyncio.StreamReader, sink: EventSink) -> int:
    first = await reader.readline()
    if not first:
        return 2
    spec = json.loads(first)
    project = build_loop(spec, sink)
    work = asyncio.create_task(project.run())
    commands = asyncio.create_task(_read_commands(reader, project))
    done, _ = await asyncio.wait({work, commands}, return_when=asyncio.FIRST_COMPLETED)
    if work not in done:  # stdin closed: the runner is gone; leave Claude Code running for the next instance
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, Stopped):
            await work
        return 0
    commands.cancel()
    try:
        work.result()
    except Stopped:
        sink.log("info", "Stopping: Claude Code's session is closed; start the project to resume at this step")
        project.report()
        with contextlib.suppress(Exception):
            await project.claude.kill()
        return 0
    except Exception as error:  # the loop's own bug or an unexpected failure: say it, then exit non-zero
        log.exception("the project loop failed")
        project.state.status = "failed"
        project.state.escalation = f"The project's manager failed: {error}"
        project.report()
        sink.log("error", f"The project's manager failed: {error}")
        return 1
    await _close_manager(project)
    return 0


async def _close_manager(project: ProjectLoop) -> None:
    close = getattr(project.manager, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="instance %(levelname)s %(message)s")
    # stdout carries events only: keep every library's prints off it.
    sink = EventSink(sys.stdout)
    sys.stdout = sys.stderr

    async def start() -> int:
        return await run(await _stdin_lines(), sink)

    sys.exit(asyncio.run(start()))


if __name__ == "__main__":
    main()
