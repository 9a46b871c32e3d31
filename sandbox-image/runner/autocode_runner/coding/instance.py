"""One coding project's instance process: `python -m autocode_runner.coding.instance` (autocode_runner.kinds).

Started by the runner (autocode_runner.instances) with the project's CodingSpec as the first line on stdin;
then reads commands (pause, resume, reply, plan, stop) line by line and writes events to stdout. It runs the
control loop until the project is completed, the user stops it, or stdin closes (the runner went away:
Claude Code keeps running in tmux, and the next instance adopts it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from autocode_runner.coding.loop import ProjectLoop, Stopped
from autocode_runner.contract.specs import CodingSpec
from autocode_runner.contract.vocab import LogLevel, ProjectStatus
from autocode_runner.contract.wire import InstanceKind
from autocode_runner.instance_io import EventSink, commands, read_spec, run_instance

log = logging.getLogger("autocode_runner.instance")


async def _read_commands(reader: asyncio.StreamReader, project: ProjectLoop) -> None:
    """Hand each command to the loop; return at end of input."""
    async for command in commands(reader):
        project.command(command)


def build_loop(spec: CodingSpec, sink: EventSink) -> ProjectLoop:
    """The loop with the real Claude Code driver and the nanobot manager (imported here: they are heavy)."""
    from autocode_runner.coding.wiring import claude_for, manager_for

    workspace = Path(spec.workspace)
    return ProjectLoop(
        spec,
        claude=claude_for(spec),
        manager=manager_for(spec, workspace),
        sink=sink,
        workspace=workspace,
        rules_file=Path(spec.rules_file or "/nonexistent"),
    )


async def run(reader: asyncio.StreamReader, sink: EventSink) -> int:
    spec: CodingSpec = await read_spec(reader, InstanceKind.CODING)
    project = build_loop(spec, sink)
    work = asyncio.create_task(project.run())
    reading = asyncio.create_task(_read_commands(reader, project))
    done, _ = await asyncio.wait({work, reading}, return_when=asyncio.FIRST_COMPLETED)
    if work not in done:  # stdin closed: the runner is gone; leave Claude Code running for the next instance
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, Stopped):
            await work
        return 0
    reading.cancel()
    try:
        work.result()
    except Stopped:
        sink.log(LogLevel.INFO, "Stopping: Claude Code's session is closed; start the project to resume at this step")
        project.report()
        with contextlib.suppress(Exception):
            await project.claude.kill()
        return 0
    except Exception as error:  # the loop's own bug or an unexpected failure: say it, then exit non-zero
        log.exception("the project loop failed")
        project.state.status = ProjectStatus.FAILED
        project.state.escalation = f"The project's manager failed: {error}"
        project.report()
        sink.log(LogLevel.ERROR, f"The project's manager failed: {error}")
        return 1
    await _close_manager(project)
    return 0


async def _close_manager(project: ProjectLoop) -> None:
    close = getattr(project.manager, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()


def main() -> None:
    run_instance(InstanceKind.CODING, run)


if __name__ == "__main__":
    main()
