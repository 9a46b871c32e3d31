"""The loop's ManagerPort, each decision made in a short-lived process (see call.py)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager import call
from autocode_runner.coding.manager.errors import ManagerError, ProviderUnavailable
from autocode_runner.coding.manager.tools import ToolUse
from autocode_runner.coding.plan import Answer, Decision
from autocode_runner.contract.plan import PlanStep

CALL_TIMEOUT = 600.0  # a slow model with retries; beyond this the provider counts as unavailable for now


class ManagerProcess:
    def __init__(
        self, workspace: Path, model: str, api_key: str, base_url: str | None, tools: Sequence[str] = ()
    ) -> None:
        self.workspace = workspace
        self.model = model
        self.api_key = api_key
        self.base_url = base_url
        self.tools = list(tools)
        self.identity = ""
        self._tool_uses: list[ToolUse] = []

    def take_tool_uses(self) -> list[ToolUse]:
        """The tools the model ran in the calls since the last take, in order."""
        uses, self._tool_uses = self._tool_uses, []
        return uses

    def set_identity(self, identity: str) -> None:
        self.identity = identity

    async def _call(self, method: str, *args: Any) -> Any:
        """Run `method` in a manager process; its JSON result, or its ManagerError raised here."""
        request = {
            "workspace": str(self.workspace),
            "model": self.model,
            "api_key": self.api_key,
            "base_url": self.base_url,
            "identity": self.identity,
            "tools": self.tools,
            "method": method,
            "args": list(args),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            call.__name__,  # the module path, so a move cannot leave a stale string behind
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(json.dumps(request).encode() + b"\n"), CALL_TIMEOUT)
        except TimeoutError as error:
            process.kill()
            await process.wait()
            raise ProviderUnavailable(
                f"the model took longer than {CALL_TIMEOUT:.0f} s to answer ({method})"
            ) from error
        try:
            reply = json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError) as error:
            raise ManagerError(f"the manager process failed to {method} (exit code {process.returncode})") from error
        if isinstance(reply, dict):
            self._tool_uses.extend(call.tool_uses_of(reply))
        return call.result_of(reply)

    async def plan(self, goal: str, architecture: str, details: str) -> list[PlanStep]:
        return [PlanStep.from_dict(step) for step in await self._call("plan", goal, architecture, details)]

    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str:
        return _text(await self._call("compose_task", [s.to_dict() for s in steps], index))

    async def evaluate(self, step: PlanStep, screen: str, evidence: str) -> Decision:
        return Decision.from_dict(await self._call("evaluate", step.to_dict(), screen, evidence))

    async def answer(self, step: PlanStep, question: str, options: Sequence[str]) -> Answer:
        return Answer.from_dict(await self._call("answer", step.to_dict(), question, list(options)))

    async def alternative(self, step: PlanStep, errors: Sequence[str]) -> str:
        return _text(await self._call("alternative", step.to_dict(), list(errors)))

    async def summarize(self, steps: Sequence[PlanStep], index: int) -> str:
        return _text(await self._call("summarize", [s.to_dict() for s in steps], index))


def _text(result: object) -> str:
    if not isinstance(result, str):
        raise ManagerError(f"the manager process answered {type(result).__name__} where text was expected")
    return result
