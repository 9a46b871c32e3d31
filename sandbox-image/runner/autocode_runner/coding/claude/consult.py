"""A consultation: the manager asks Claude Code for options in a side conversation that never disturbs the
project's session. It is a separate `claude -p` (print mode) with a session of its own, in the project's
workspace so it can read the code, allowed only to read (Read, Glob, Grep; anything else is denied, not asked),
and without the hooks file of the tmux session (its events must not reach the loop's monitor).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from pathlib import Path

from autocode_runner.hooks import HOOKS_FILE_VARIABLE

CLAUDE = "claude"
READ_ONLY_TOOLS = ("Read", "Glob", "Grep")
CONSULT_TIMEOUT = 300.0
OUTPUT_LIMIT = 4 * 1024 * 1024


class ConsultError(Exception):
    """Claude Code gave no usable answer (it failed, timed out or answered an error)."""


def consult_command(session_id: str, model: str | None, claude: str = CLAUDE) -> list[str]:
    """The question goes on stdin: a prompt after the variadic --allowedTools would be read as a tool."""
    args = [claude, "-p", "--output-format", "json", "--permission-mode", "dontAsk", "--session-id", session_id]
    args += ["--tools", ",".join(READ_ONLY_TOOLS), "--allowedTools", *READ_ONLY_TOOLS]
    if model:
        args += ["--model", model]
    return args


def consult_env(access: dict[str, str]) -> dict[str, str]:
    """This process's environment with the user's Claude access in place of any inherited ANTHROPIC_* setting, and
    no hooks file (the side conversation's hook events would otherwise land in the project session's)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_") and k != HOOKS_FILE_VARIABLE}
    return inherited | access


def answer_of(output: bytes) -> str:
    """The answer text of `claude -p --output-format json`, or ConsultError."""
    try:
        result = json.loads(output.decode(errors="replace").strip().splitlines()[-1])
    except (ValueError, IndexError) as error:
        raise ConsultError("Claude Code's answer could not be read") from error
    if not isinstance(result, dict) or result.get("is_error") or not isinstance(result.get("result"), str):
        detail = result.get("result") if isinstance(result, dict) else None
        raise ConsultError(f"Claude Code answered an error: {str(detail or result)[:300]}")
    text: str = result["result"].strip()
    if not text:
        raise ConsultError("Claude Code's answer was empty")
    return text


async def consult(
    workspace: Path,
    question: str,
    access: dict[str, str],
    model: str | None = None,
    *,
    claude: str = CLAUDE,
    timeout: float = CONSULT_TIMEOUT,
) -> str:
    """Claude Code's answer to `question`, from a new session of its own in `workspace`."""
    try:
        process = await asyncio.create_subprocess_exec(
            *consult_command(str(uuid.uuid4()), model, claude),
            cwd=workspace,
            env=consult_env(access),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=OUTPUT_LIMIT,
        )
    except OSError as error:
        raise ConsultError(f"Claude Code could not be started: {error}") from error
    try:
        out, _ = await asyncio.wait_for(process.communicate(question.encode()), timeout)
    except TimeoutError as error:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise ConsultError(f"Claude Code did not answer in {timeout:.0f} s") from error
    return answer_of(out)
