"""Our own tools for a nanobot chat, written as plain Python (`ChatTool`) so they are tested without nanobot, and
made into nanobot `Tool`s only in the sandbox (`as_nanobot_tools`). A tool's answer is text for the model; a
refusal starts with "Error:" so the model (and the tool card) can tell it apart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChatTool:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments (an object)
    run: Callable[..., Awaitable[str]]  # called with the arguments as keywords


def as_nanobot_tools(tools: Sequence[ChatTool]) -> list[Any]:
    from nanobot.agent.tools.base import Tool  # type: ignore[import-not-found]  # only in the sandbox's venv

    class Adapted(Tool):  # type: ignore[misc]  # nanobot is untyped here: Any
        def __init__(self, tool: ChatTool) -> None:
            self._tool = tool

        @property
        def name(self) -> str:
            return self._tool.name

        @property
        def description(self) -> str:
            return self._tool.description

        @property
        def parameters(self) -> dict[str, Any]:
            return self._tool.parameters

        async def execute(self, **kwargs: Any) -> Any:
            return await self._tool.run(**kwargs)

    return [Adapted(tool) for tool in tools]
