"""Claude Code's stream-json output, one object at a time, turned into one turn's chat events.

Shapes checked against the pinned Claude Code (2.1.330) in the sandbox image, not only read from the SDK:
- `system`/`init` opens every turn and names the session; `result` closes it and names it again;
- `stream_event` wraps the raw Messages SSE events (with --include-partial-messages): `content_block_delta`
  with a `text_delta` is the token stream; `parent_tool_use_id` is set for a subagent's output, not shown;
- `assistant` is the whole message: its `tool_use` blocks are the tool calls (a synthetic one with
  `is_api_error_message` carries an API error's text, which `result` reports too); `user` carries their
  `tool_result` blocks (`is_error` for a failure or a denial);
- `result` has `is_error`, `result` (the last text), `errors` (e.g. "No conversation found with session ID:
  ..."), `api_error_status` (529...), `usage`, `total_cost_usd` and `permission_denials` [{tool_name,
  tool_use_id, tool_input}]. An API error ends the turn as subtype "success" with `is_error` true; an interrupt
  as "error_during_execution" with `terminal_reason` "aborted_streaming".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.contract.chat import ChatUsage, ToolActivity, ToolStatus

SUMMARY_KEYS = ("file_path", "path", "url", "query", "pattern", "command", "prompt", "description")
SUMMARY_CHARS = 120
DETAIL_CHARS = 300
LOST_SESSION = "No conversation found"  # Claude Code's words when `--resume` finds no transcript


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarize_input(tool_input: Any, workspace: Path) -> str:
    """The one thing a tool call was asked, as a card shows it ("report.md", "weather in Prague")."""
    if not isinstance(tool_input, dict):
        return ""
    for key in SUMMARY_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            if key in ("file_path", "path") and value.startswith(str(workspace) + "/"):
                value = value[len(str(workspace)) + 1 :]
            return shorten(value, SUMMARY_CHARS)
    return ""


def result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
    return ""


def retryable_status(status: Any) -> bool:
    """Rate limits, overload (529) and server errors pass; a bad request or a refused key will not."""
    return isinstance(status, int) and (status == 429 or status >= 500)


@dataclass
class TurnOutcome:
    finished: bool = False  # a `result` arrived
    lost_session: bool = False  # `--resume` found no transcript: start afresh and send the message again
    reply: str = ""  # the reply's whole text, as stored for the conversation
    gone_before_reading: bool = False  # the process ended before answering anything: send the message again


@dataclass
class ReplyMapper:
    """One turn: feed it each output object; `outcome.finished` once the turn's `result` arrived."""

    events: TurnEvents
    workspace: Path
    on_session: Callable[[str], None]  # every session id Claude Code reports (a resume can switch it)
    interrupted: Callable[[], bool]  # the user stopped the reply: its end is the glue's to write
    outcome: TurnOutcome = field(default_factory=TurnOutcome)
    _tools: dict[str, ToolActivity] = field(default_factory=dict)
    _texts: list[str] = field(default_factory=list)
    _text_blocks: int = 0
    seen_output: bool = False

    def feed(self, item: dict[str, Any]) -> None:
        self.seen_output = True
        kind = item.get("type")
        session = item.get("session_id")
        if isinstance(session, str) and session and (kind == "result" or item.get("subtype") == "init"):
            self.on_session(session)
        if item.get("parent_tool_use_id"):
            return  # a subagent's inner work: its tool card is the parent's
        if kind == "stream_event":
            self._stream_event(item.get("event") or {})
        elif kind == "assistant":
            self._assistant(item)
        elif kind == "user":
            self._tool_results(item.get("message") or {})
        elif kind == "result":
            self._result(item)

    def _stream_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "content_block_start" and (event.get("content_block") or {}).get("type") == "text":
            if self._text_blocks and self.events.text_so_far:
                self.events.delta("\n\n")  # text after a tool call is a new paragraph, as `completed` joins it
            self._text_blocks += 1
        elif event.get("type") == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                self.events.delta(str(delta.get("text", "")))

    def _assistant(self, item: dict[str, Any]) -> None:
        if item.get("is_api_error_message"):
            return  # the error's text: `result` reports it as an error, not as the reply
        for block in (item.get("message") or {}).get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and block.get("text"):
                self._texts.append(str(block["text"]))
            elif block.get("type") == "tool_use" and block.get("id") not in self._tools:
                summary = summarize_input(block.get("input"), self.workspace)
                self._tool(ToolActivity(str(block.get("id")), str(block.get("name", "tool")), summary))

    def _tool_results(self, message: dict[str, Any]) -> None:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            card = self._tools.get(str(block.get("tool_use_id")))
            if card is not None:
                status = ToolStatus.FAILED if block.get("is_error") else ToolStatus.DONE
                detail = shorten(result_text(block.get("content")), DETAIL_CHARS)
                self._tool(ToolActivity(card.id, card.name, card.summary, status, detail))

    def _tool(self, activity: ToolActivity) -> None:
        self._tools[activity.id] = activity
        self.events.tool(activity)

    def _result(self, item: dict[str, Any]) -> None:
        self.outcome.finished = True
        for denial in item.get("permission_denials") or []:
            if isinstance(denial, dict):
                known = self._tools.get(str(denial.get("tool_use_id")))
                name = str(denial.get("tool_name", "tool"))
                summary = known.summary if known else summarize_input(denial.get("tool_input"), self.workspace)
                detail = "Not allowed for this research."
                self._tool(ToolActivity(str(denial.get("tool_use_id")), name, summary, ToolStatus.DENIED, detail))
        self.outcome.reply = "\n\n".join(self._texts) or str(item.get("result") or "")
        if self.interrupted():
            self.outcome.reply = self.events.text_so_far
            return
        if item.get("is_error"):
            errors = [str(error) for error in item.get("errors") or []]
            if any(LOST_SESSION in error for error in errors):
                self.outcome.lost_session = True
                return
            message = str(item.get("result") or "; ".join(errors) or "Claude Code ended the turn with an error.")
            status = item.get("api_error_status")
            self.events.error(message, retryable=retryable_status(status) or status is None)
            return
        self.events.completed(self.outcome.reply, usage_of(item.get("usage")), cost_of(item.get("total_cost_usd")))


def usage_of(usage: Any) -> ChatUsage | None:
    if not isinstance(usage, dict):
        return None

    def count(key: str) -> int:
        value = usage.get(key)
        return value if isinstance(value, int) else 0

    return ChatUsage(
        count("input_tokens"),
        count("output_tokens"),
        count("cache_read_input_tokens"),
        count("cache_creation_input_tokens"),
    )


def cost_of(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
