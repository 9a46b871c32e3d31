"""Runs ManagerLLM calls inside a sandbox and writes one JSON line per call (the tests' eyes inside).

    /opt/autocode/venv/bin/python manager_llm_driver.py calls.json results.jsonl

calls.json: {"manager": {workspace, model, api_key, base_url, identity}, "calls": [{"method": ..., "args": {...}}]}.
Steps in args are dicts (PlanStep.to_dict). The results go to their own file, not stdout: the sandbox runs
Python unbuffered, so a line printed to stdout could be split by nanobot's log lines on stderr. Each result line
is {"method", "ok": true, "value"} or {"method", "ok": false, "error": <exception class>, "message"}; a failed
call does not stop the later ones.
Plain methods (remember, set_identity, take_tool_uses) are called too; "tools" in the manager's settings are the
agent's enabled tools. With "via": "process" the calls go through ManagerProcess,
as the coding loop makes them: each in its own `python -m autocode_runner.coding.manager.call`, its error type
carried back across the process boundary by name.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from autocode_runner.coding.manager.llm import ManagerError, ManagerLLM
from autocode_runner.coding.manager.process import ManagerProcess
from autocode_runner.contract.plan import PlanStep

STEP_ARGUMENTS = ("step",)
STEPS_ARGUMENTS = ("steps",)


def plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def arguments(raw: dict[str, Any]) -> dict[str, Any]:
    args = dict(raw)
    for name in STEP_ARGUMENTS:
        if name in args:
            args[name] = PlanStep.from_dict(args[name])
    for name in STEPS_ARGUMENTS:
        if name in args:
            args[name] = [PlanStep.from_dict(step) for step in args[name]]
    return args


async def run_calls(manager: Any, calls: list[dict[str, Any]], results: Path) -> None:
    for call in calls:
        method = call["method"]
        try:
            value = getattr(manager, method)(**arguments(call.get("args", {})))
            if inspect.isawaitable(value):
                value = await value
            line = {"method": method, "ok": True, "value": plain(value)}
        except ManagerError as error:
            line = {"method": method, "ok": False, "error": type(error).__name__, "message": str(error)}
        with results.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


async def main(spec: dict[str, Any], results: Path) -> None:
    settings = spec["manager"]
    if spec.get("via") == "process":
        process = ManagerProcess(
            Path(settings["workspace"]),
            settings["model"],
            settings["api_key"],
            settings.get("base_url"),
            settings.get("tools", []),
        )
        process.set_identity(settings["identity"])
        await run_calls(process, spec["calls"], results)
        return
    async with ManagerLLM(
        Path(settings["workspace"]),
        settings["model"],
        settings["api_key"],
        settings.get("base_url"),
        settings["identity"],
        settings.get("tools", []),
    ) as manager:
        await run_calls(manager, spec["calls"], results)


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")), Path(sys.argv[2])))
