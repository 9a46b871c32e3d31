"""The loop's ManagerPort, each decision made in a short-lived process (see manager_call.py)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager_call import decode
from autocode_runner.coding.manager_errors import ManagerError
from autocode_runner.coding.plan import Answer, Decision, Step

CALL_TIMEOUT = 600.0  # a slow model with retries; beyond this the call is treated as a provider failure


class ManagerProcess:
    def __init__(self, workspace: Path, model: str, api_key: str, base_url: str | None) -> None:
        self.workspace = workspace
        self.model = model
        self.api_key = api_key
        self.base_url = base_url
        self.identity = ""

    def set_identity(self, identity: str) -> None:
        self.identity = identity

    async def _call(self, method: str, *args: Any) -> Any:
        request = {
            "workspace": str(self.workspace),
            "model": self.model,
            "api_key": self.api_key,
            "base_url": self.base_url,
            "identity": self.identity,
            "method": method,
            "args": list(args),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "autocode_runner.coding.manager_call",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(json.dumps(request).encode() + b"\n"), CALL_TIMEOUT)
        except TimeoutError as error:
            process.kill()
            await process.wait()
            raise ManagerError(f"the manager took longer than {CALL_TIMEOUT:.0f} s to {method}") from error
        try:
            reply = json.loads(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError) as error:
            raise ManagerError(f"the manager process failed to {method} (exit code {process.returncode})") from error
        return decode(reply, method)

    async def plan(self, goal: str, architecture: str, details: str) -> list[Step]:
        return await self._call("plan", goal, architecture, details)

    async def compose_task(self, steps: Sequence[Step], index: int) -> str:
        return await self._call("compose_task", [s.to_dict() for s in steps], index)

    async def evaluate(self, step: Step, screen: str, evidence: str) -> Decision:
        return await self._call("evaluate", step.to_dict(), screen, evidence)

    async def answer(self, step: Step, question: str, options: Sequence[str]) -> Answer:
        return await self._call("answer", step.to_dict(), question, list(options))

    async def alternative(self, step: Step, errors: Sequence[str]) -> str:
        return await self._call("alternative", step.to_dict(), list(errors))

    async def summarize(self, steps: Sequence[Step], index: int) -> str:
        return await self._call("summarize", [s.to_dict() for s in steps], index)
