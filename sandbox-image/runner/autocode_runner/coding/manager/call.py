"""One manager decision in its own short-lived process: `python -m autocode_runner.coding.manager.call`.

The project's instance stays small while it monitors (it polls Claude Code for hours between decisions);
nanobot and the provider SDKs (~110 MB) are loaded only while the manager decides. The conversation lives
on disk in `.nanobot/sessions/`, so every call continues the same one.

stdin: {"workspace", "model", "api_key", "base_url", "identity", "tools", "method", "args"}
stdout: {"result": ...} or {"error": {"type": a name in ERRORS, "message"}}, with "tool_uses": the tools the model
ran (manager/tools.py ToolUse), for the decision log
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager.errors import (
    MalformedReplyError,
    ManagerError,
    ProviderError,
    ProviderUnavailable,
)
from autocode_runner.coding.manager.tools import ToolUse
from autocode_runner.contract.plan import PlanStep

# Every error type the caller can tell apart, by name: the class crosses the process boundary as its name.
ERRORS: dict[str, type[ManagerError]] = {
    "ProviderUnavailable": ProviderUnavailable,
    "ProviderError": ProviderError,
    "MalformedReplyError": MalformedReplyError,
    "ManagerError": ManagerError,
}


def _steps(raw: list[dict[str, Any]]) -> list[PlanStep]:
    return [PlanStep.from_dict(item) for item in raw]


async def call(request: dict[str, Any], uses: list[ToolUse] | None = None) -> Any:
    """Run the request's method; the tools the model ran are added to `uses`, also when the call fails."""
    from autocode_runner.coding.manager.llm import ManagerLLM

    manager = ManagerLLM(
        Path(request["workspace"]),
        request["model"],
        request["api_key"],
        request.get("base_url"),
        request["identity"],
        request.get("tools") or (),
    )
    args = request["args"]
    try:
        method = request["method"]
        if method == "plan":
            return [step.to_dict() for step in await manager.plan(*args)]
        if method == "compose_task":
            return await manager.compose_task(_steps(args[0]), args[1])
        if method == "evaluate":
            return (await manager.evaluate(PlanStep.from_dict(args[0]), args[1], args[2])).to_dict()
        if method == "answer":
            return (await manager.answer(PlanStep.from_dict(args[0]), args[1], args[2])).to_dict()
        if method == "alternative":
            return await manager.alternative(PlanStep.from_dict(args[0]), args[1])
        if method == "summarize":
            return await manager.summarize(_steps(args[0]), args[1])
        raise ManagerError(f"unknown manager method {method!r}")
    finally:
        if uses is not None:
            uses.extend(manager.take_tool_uses())
        await manager.close()


def tool_uses_of(reply: dict[str, Any]) -> list[ToolUse]:
    raw = reply.get("tool_uses")
    found = [ToolUse.from_dict(item) for item in raw] if isinstance(raw, list) else []
    return [use for use in found if use is not None]


def result_of(reply: dict[str, Any]) -> Any:
    """The caller's side: the call's JSON result (its types are the caller's to restore), or the manager's
    error raised again."""
    if "error" in reply:
        error = reply["error"]
        raise ERRORS.get(error.get("type"), ManagerError)(str(error.get("message", "")))
    return reply.get("result")


def main() -> None:
    request = json.loads(sys.stdin.readline())
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # only the answer goes to stdout
    uses: list[ToolUse] = []
    try:
        reply: dict[str, Any] = {"result": asyncio.run(call(request, uses))}
    except ManagerError as error:
        reply = {"error": {"type": type(error).__name__, "message": str(error)}}
    reply["tool_uses"] = [use.to_dict() for use in uses]
    real_stdout.write(json.dumps(reply) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    main()
