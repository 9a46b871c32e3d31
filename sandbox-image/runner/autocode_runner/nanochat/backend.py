"""`NanobotChat`: a chat backend (autocode_runner.chat) that answers with a nanobot.

The kind owns the conversation: every turn, nanobot's prompt builder asks the kind's `Transcript` for the system
prompt and the earlier messages (nanobot's own session is never used: each run is ephemeral), so what the model
sees is decided in one place and survives any restart. The reply streams as deltas, tool calls as cards; a failed
run becomes the chat's error, retryable when nanobot says the provider is only down for now.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.contract.chat import ChatMessageCommand, ChatUsage, ToolActivity, ToolStatus
from autocode_runner.contract.specs import McpServer
from autocode_runner.nanobot_support import agent_loop, describe_failure, failed_response_keeper, split_model
from autocode_runner.nanochat import mcp
from autocode_runner.nanochat.config import ChatConfig, write_chat_config
from autocode_runner.nanochat.tools import ChatTool, as_nanobot_tools

log = logging.getLogger(__name__)
SUMMARY_MAX = 160  # characters of a tool card's summary or detail
BUILT_IN_TOOLS = frozenset({"web_search", "web_fetch", "read_file", "write_file"})


class Transcript(Protocol):
    """What the kind tells the model each turn."""

    def system_prompt(self) -> str: ...

    def history(self) -> list[dict[str, Any]]:
        """The earlier messages, oldest first, as `{"role": "user"|"assistant", "content": str}`."""
        ...

    def model_text(self, message: ChatMessageCommand) -> str:
        """What the model is given for the user's message (the kind may add its context)."""
        ...

    def record(self, message: ChatMessageCommand, reply: str) -> None:
        """The turn is over: the user's message and the reply (all of it, or what was said before an interruption)
        join the conversation. Not called when the turn failed: the message is sent again on a retry."""
        ...


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def _arguments_summary(arguments: dict[str, Any] | None) -> str:
    if not arguments:
        return ""
    for key in ("path", "query", "url", "front", "level"):
        if isinstance(arguments.get(key), str):
            return _short(arguments[key])
    if len(arguments) == 1 and isinstance(next(iter(arguments.values())), str):
        return _short(next(iter(arguments.values())))  # an MCP tool's one argument ("apple"), without its name
    return _short(", ".join(f"{key}={value}" for key, value in arguments.items()))


def _usage(usage: Any) -> ChatUsage | None:
    if usage is None:
        return None
    return ChatUsage(
        input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
        cache_read_input_tokens=int(getattr(usage, "cache_read_tokens", 0) or 0),
        cache_creation_input_tokens=int(getattr(usage, "cache_write_tokens", 0) or 0),
    )


def _use_transcript(context: Any, holder: _Holder) -> None:
    """Make nanobot's prompt builder build every request from the holder's transcript: the system prompt and the
    earlier messages come from the kind, the new message is nanobot's (so images and its checks still apply).

    The builder instance is shared by the agent loop and its helpers, so its class is swapped in place."""
    from nanobot.agent.context import ContextBuilder  # type: ignore[import-not-found]  # only in the sandbox's venv

    class TranscriptBuilder(ContextBuilder):  # type: ignore[misc]  # nanobot is untyped here: Any
        def build_transcript(self, transcript: Any, **_ignored: Any) -> list[dict[str, Any]]:
            source = holder.transcript
            messages: list[dict[str, Any]] = [{"role": "system", "content": source.system_prompt()}]
            messages.extend(source.history())
            if transcript.current_message is None:
                return messages
            current = self.build_current_message(
                transcript.current_message,
                media=list(transcript.media) if transcript.media else None,
                current_role=transcript.current_role,
            )
            messages.append(current)
            return messages

    context.__class__ = TranscriptBuilder


class _Holder:
    """The transcript the next request is built from (swapped for a one-off request such as a summary)."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript: Transcript = transcript


class _OneOff:
    """A transcript of one system prompt and no history: a request outside the conversation."""

    def __init__(self, system: str) -> None:
        self._system = system

    def system_prompt(self) -> str:
        return self._system

    def history(self) -> list[dict[str, Any]]:
        return []

    def model_text(self, message: ChatMessageCommand) -> str:
        return message.text

    def record(self, message: ChatMessageCommand, reply: str) -> None:
        return None


class NanobotChat:
    """One conversation answered by a nanobot; started on the first message, kept for the next ones."""

    def __init__(
        self,
        files: ChatConfig,
        model: str,
        api_key: str,
        base_url: str | None,
        transcript: Transcript,
        *,
        built_in_tools: Sequence[str] = (),
        tools: Sequence[ChatTool] = (),
        protected: Sequence[str] = (),
        mcp_servers: Sequence[McpServer] = (),
    ) -> None:
        self.files = files
        self.model = model
        self._provider, _ = split_model(model)
        self._api_key = api_key
        self._base_url = base_url
        self._built_in = frozenset(built_in_tools) & BUILT_IN_TOOLS
        self._tools = list(tools)
        self._protected = tuple(protected)
        self._mcp_servers = list(mcp_servers)
        self._holder = _Holder(transcript)
        self._loop: Any = None
        self._bot: Any = None
        self._mcp: Any = None
        self._told_unreachable: list[str] = []
        self._run: Any = None
        self._interrupting = False

    def _ensure_bot(self) -> Any:
        if self._bot is None:
            from nanobot import Nanobot  # type: ignore[import-not-found]  # only in the sandbox's venv

            write_chat_config(self.files, self.model, self._base_url, self._built_in, self._mcp_servers)
            loop, config = agent_loop(self.files.path, self._provider, self._api_key, self.files.sessions)
            built_in = [_built_in(config, name, self.files, self._protected) for name in sorted(self._built_in)]
            for tool in [*built_in, *as_nanobot_tools(self._tools)]:
                loop.tools.register(tool)
            _use_transcript(loop.context, self._holder)
            if self._mcp_servers:
                mcp.fill_secrets(config, self._mcp_servers)
                self._mcp = mcp.provider(config, loop.tools)
            self._loop, self._bot = loop, Nanobot(loop, config=config, mcp_provider=self._mcp)
        return self._bot

    async def _connect_mcp(self, events: TurnEvents) -> None:
        """Connect the MCP servers that are not connected yet (nanobot would do it quietly inside the run); a
        server that cannot be reached is said once in the chat, until it comes back."""
        if self._mcp is None:
            return
        await self._mcp.connect()
        failed = mcp.unreachable(self._mcp)
        new = [name for name in failed if name not in self._told_unreachable]
        if new:
            names = ", ".join(f"'{name}'" for name in new)
            events.notice(f"The MCP server {names} could not be started or reached; its tools are missing for now.")
        self._told_unreachable = failed

    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        bot = self._ensure_bot()
        await self._connect_mcp(events)
        keeper = failed_response_keeper()
        text = self._holder.transcript.model_text(message)
        run = await bot.run_streamed(text, session_key=f"chat:{message.turn}", ephemeral=True, hooks=[keeper])
        self._run, self._interrupting = run, False
        conversation = self._holder.transcript
        try:
            async for event in run.stream_events():
                self._relay(event, events)
            result = await run.wait()
        except asyncio.CancelledError:
            if not self._interrupting:
                raise  # the instance itself is being cancelled
            conversation.record(message, events.text_so_far)  # the glue completes the turn with what was said
            return
        finally:
            self._run = None
        if result.stop_reason == "cancelled":
            conversation.record(message, events.text_so_far)
            return
        if result.stop_reason == "error":
            words, transient = describe_failure(keeper.response, result.error or result.content)
            events.error(f"The model {words}.", retryable=transient)
            return
        reply = result.content or events.text_so_far
        conversation.record(message, reply)
        events.completed(reply, usage=_usage(result.usage))

    @staticmethod
    def _relay(event: Any, events: TurnEvents) -> None:
        kind = event.type
        if kind == "text.delta":
            events.delta(event.delta)
        elif kind in ("tool.started", "tool.completed", "tool.failed"):
            status = {
                "tool.started": ToolStatus.RUNNING,
                "tool.completed": ToolStatus.DONE,
                "tool.failed": ToolStatus.FAILED,
            }[kind]
            detail = event.error or str((event.metadata or {}).get("detail") or "")
            events.tool(
                ToolActivity(
                    id=event.tool_call_id or f"{event.name}-{event.iteration}",
                    name=event.name or "tool",
                    summary=_arguments_summary(event.arguments),
                    status=status,
                    detail=_short(detail),
                )
            )

    async def ask_once(self, system: str, text: str) -> str | None:
        """One request outside the conversation, with no tools (a summary): its text, or None when it failed."""
        self._ensure_bot()
        from nanobot.agent.tools.registry import ToolRegistry  # type: ignore[import-not-found]  # only in the sandbox's venv

        conversation, self._holder.transcript = self._holder.transcript, _OneOff(system)
        keeper = failed_response_keeper()
        try:
            outbound = await self._loop.process_direct(
                text, session_key="autocode:one-off", ephemeral=True, tools=ToolRegistry(), hooks=[keeper]
            )
        finally:
            self._holder.transcript = conversation
        if keeper.response is not None or outbound is None:
            return None
        content = getattr(outbound, "content", None)
        return content if isinstance(content, str) and content.strip() else None

    async def interrupt(self) -> None:
        run = self._run
        if run is not None:
            self._interrupting = True
            await run.cancel()

    async def close(self) -> None:
        bot, self._bot, self._loop, self._mcp = self._bot, None, None, None
        if bot is not None:
            await bot.aclose()


def _built_in(config: Any, name: str, files: ChatConfig, protected: Sequence[str]) -> Any:
    """One of nanobot's own tools: the file tools confined to the chat's workspace (and never writing a
    `protected` path, relative to it: a file, or everything under a folder), the web tools as configured."""
    from nanobot.agent.tools.filesystem import ReadFileTool, WriteFileTool  # type: ignore[import-not-found]  # only in the sandbox's venv

    if name == "read_file":
        return ReadFileTool(workspace=files.workspace, allowed_dir=files.workspace)
    if name == "write_file":
        return _guarded_write(WriteFileTool, files, protected)
    from nanobot.agent.tools.web import WebFetchTool, WebSearchTool  # type: ignore[import-not-found]  # only in the sandbox's venv

    web = config.tools.web
    if name == "web_search":
        return WebSearchTool(config=web.search, proxy=web.proxy, user_agent=web.user_agent)
    return WebFetchTool(config=web.fetch, proxy=web.proxy, user_agent=web.user_agent)


def _guarded_write(write_file_tool: Any, files: ChatConfig, protected: Sequence[str]) -> Any:
    root = files.workspace.resolve()
    refused = tuple(root / item for item in protected)

    class GuardedWriteFile(write_file_tool):  # type: ignore[misc]  # nanobot is untyped here: Any
        async def execute(self, path: str | None = None, content: str | None = None, **kwargs: Any) -> Any:
            if path:
                try:
                    target = self._resolve_write(path)
                except Exception:  # nanobot's own refusal follows, in its words
                    target = None
                if target is not None and any(target == item or item in target.parents for item in refused):
                    return f"Error: {path} is not written with write_file; it has a tool of its own."
            return await super().execute(path=path, content=content, **kwargs)

    return GuardedWriteFile(workspace=files.workspace, allowed_dir=files.workspace)
