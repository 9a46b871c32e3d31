"""A scripted Anthropic Messages API server for driving the real Claude Code offline.

Standard library only, one file, so it runs with Debian's /usr/bin/python3 inside a sandbox:

    python3 anthropic_server.py --port 8765 --script scenario.json --record requests.jsonl

Point Claude Code at it with ANTHROPIC_BASE_URL=http://127.0.0.1:8765 and ANTHROPIC_AUTH_TOKEN=anything.
`HEAD /` and `GET /` answer 200 (readiness); `POST /v1/messages` streams Server-Sent Events the way the real
API does (`message_start`, `ping`, `content_block_start`/`_delta`/`_stop` per block, `message_delta` with the
stop reason, `message_stop`). Every request is appended to --record as one JSON line: `path`, `headers`
(without credentials), `body`, and `prompt` (the new user text, or null for a tool_result follow-up).

Scenario file:

    {"turns": [
       {"match": "hello.txt",                       # optional substring of the prompt
        "responses": [                              # served one per request within the turn
          {"tool_use": {"name": "Write", "input": {"file_path": "hello.txt", "content": "hi\\n"}}},
          {"text": "Created hello.txt."}]},
       {"match": "busy", "responses": [{"hang": 30}]},
       {"match": "limit", "repeat": true,            # never used up: matches every such prompt
        "responses": [{"error": {"status": 429, "type": "rate_limit_error", "message": "slow down"},
                       "times": 3},                 # serve this response for 3 requests
                      {"text": "Recovered."}]}],
     "default": "text for prompts no turn matches"}

Response kinds:
- `text`, optionally with `delay` (seconds before the first byte), `chunk_delay` (between text pieces) and
  `usage` (overrides the reported token counts; a large `input_tokens` fills the context window);
- `tool_use` ({name, input, id?}), optionally preceded by `text` in the same message;
- `error` ({status, type, message, headers?}): answered with the Anthropic error JSON
  `{"type": "error", "error": {"type": ..., "message": ...}}`;
- `hang`: seconds with the connection open and no byte sent; then it is closed.
`times` serves a response for that many requests. Claude Code retries failed requests (CLAUDE_CODE_MAX_RETRIES,
10 by default) with the same conversation, so an error meant to show must be given enough `times`.

A *prompt* is a request whose last user message (ignoring `role: system` entries after it) carries user text
that is neither only tool_results nor only `<system-reminder>` blocks; "[Request interrupted by user…]"
messages count as prompts. `<pasted_content>` wrappers are unwrapped. After an API error Claude Code appends the
next prompt to the failed one's message as another text block, so the newest block is what `match` is looked
for in. A request with the same number of messages and the same user text as the one that began the current
turn is a retry: it stays in the turn and gets its next response. Each prompt takes the first unused turn (in
file order) whose `match` occurs in it; when none does, or a turn has run out of
responses, the reply is a text that says so, which keeps a failing test readable.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SECRET_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization"}
_INTERRUPTED = re.compile(r"\[Request interrupted by user[^\]]*\]")
_PASTED = re.compile(r"<pasted_content[^>]*>(.*?)</pasted_content>", re.DOTALL)
_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>", re.DOTALL)
TEXT_CHUNK = 12  # characters per text_delta, so Claude Code sees a real stream


def user_texts(message: dict[str, Any]) -> list[str]:
    """The user's text blocks of a message, without reminders and paste wrappers; none for tool_results only."""
    content = message.get("content")
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
    pieces = []
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "text":
            continue
        text = _REMINDER.sub("", block.get("text", "")).strip()
        if text:
            pieces.append(_PASTED.sub(lambda found: found.group(1), text))
    return pieces


def user_texts_of(body: dict[str, Any]) -> list[str]:
    """The user texts of a request's last user message (Claude Code may put `role: system` entries after it).

    After an API error the failed prompt stays in the conversation and the next one is appended to the same
    user message as another text block, so the newest prompt is the last block.
    """
    messages = [m for m in body.get("messages", []) if isinstance(m, dict) and m.get("role") != "system"]
    if not messages or messages[-1].get("role") != "user":
        return []
    return user_texts(messages[-1])


def prompt_of(body: dict[str, Any]) -> str | None:
    """The newest user text of a request, or None for a tool_result follow-up."""
    texts = user_texts_of(body)
    return _INTERRUPTED.sub("", texts[-1]).strip() if texts else None


class Scenario:
    """The scripted turns and the position in them; one lock, as requests arrive on many threads."""

    def __init__(self, script: dict[str, Any]) -> None:
        self.turns: list[dict[str, Any]] = list(script.get("turns", []))
        self.default = script.get("default", "The scripted server has no turn for this prompt.")
        self._used: set[int] = set()
        self._current: list[dict[str, Any]] | None = None  # the responses left in the current turn
        self._current_key: tuple[int, str] | None = None  # identifies the request that began the turn
        self._lock = threading.Lock()

    def _expand(self, responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [response for response in responses for _ in range(int(response.get("times", 1)))]

    def _start_turn(self, prompt: str) -> None:
        for index, turn in enumerate(self.turns):
            if index in self._used or turn.get("match", "") not in prompt:
                continue
            if not turn.get("repeat"):
                self._used.add(index)
            self._current = self._expand(turn.get("responses", []))
            return
        self._current = [{"text": f"{self.default} (prompt: {prompt[:200]!r})"}]

    def next_response(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = user_texts_of(body)
        with self._lock:
            if texts:
                key = (len(body.get("messages", [])), "\n".join(texts))
                if key != self._current_key:  # a new prompt, not a retry of the same request
                    self._current_key = key
                    self._start_turn(prompt_of(body) or "")
            if not self._current:
                return {"text": "The scripted turn has no response left for this request."}
            return self._current.pop(0)


def sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def message_events(response: dict[str, Any], model: str) -> list[tuple[str, dict[str, Any]]]:
    """The SSE events of one assistant message, without timing."""
    blocks: list[dict[str, Any]] = []
    if response.get("text"):
        blocks.append({"type": "text", "text": response["text"]})
    if response.get("tool_use"):
        tool = response["tool_use"]
        blocks.append(
            {
                "type": "tool_use",
                "id": tool.get("id") or f"toolu_{uuid.uuid4().hex[:24]}",
                "name": tool["name"],
                "input": tool.get("input", {}),
            }
        )
    message = {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 100,
            "output_tokens": 1,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            **response.get("usage", {}),
        },
    }
    events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": message})]
    events.append(("ping", {"type": "ping"}))
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            start = {"type": "text", "text": ""}
            text = block["text"]
            deltas = [{"type": "text_delta", "text": text[i : i + TEXT_CHUNK]} for i in range(0, len(text), TEXT_CHUNK)]
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            arguments = json.dumps(block["input"])
            deltas = [
                {"type": "input_json_delta", "partial_json": arguments[i : i + 40]}
                for i in range(0, len(arguments), 40)
            ]
        events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}))
        for delta in deltas:
            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    stop_reason = "tool_use" if response.get("tool_use") else "end_turn"
    output_tokens = max(1, sum(len(json.dumps(block)) for block in blocks) // 4)
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": output_tokens},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def full_message(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The non-streaming form of the same message, for a request with "stream": false."""
    message = dict(events[0][1]["message"])
    content = []
    for name, data in events:
        if name == "content_block_start":
            block = dict(data["content_block"])
            if block["type"] == "tool_use":
                block["_json"] = ""
            content.append(block)
        elif name == "content_block_delta":
            delta = data["delta"]
            if delta["type"] == "text_delta":
                content[-1]["text"] += delta["text"]
            else:
                content[-1]["_json"] += delta["partial_json"]
        elif name == "message_delta":
            message["stop_reason"] = data["delta"]["stop_reason"]
            message["usage"] = {**message["usage"], **data["usage"]}
    for block in content:
        if "_json" in block:
            block["input"] = json.loads(block.pop("_json") or "{}")
    message["content"] = content
    return message


class Handler(BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the record file is the log
        pass

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._send_json(200, {"ok": True})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"unparsed": raw.decode(errors="replace")}
        self.server.record(self.path, dict(self.headers.items()), body)
        if not self.path.split("?")[0].endswith("/v1/messages"):
            self._send_error({"status": 404, "type": "not_found_error", "message": f"no route {self.path}"})
            return
        response = self.server.scenario.next_response(body)
        if "hang" in response:
            time.sleep(float(response["hang"]))
            self.close_connection = True
            return
        if "error" in response:
            self._send_error(response["error"])
            return
        time.sleep(float(response.get("delay", 0)))
        events = message_events(response, body.get("model", "claude-sonnet-4-5"))
        if not body.get("stream"):
            self._send_json(200, full_message(events))
            return
        self._stream(events, float(response.get("chunk_delay", 0)))

    def _stream(self, events: list[tuple[str, dict[str, Any]]], chunk_delay: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("request-id", f"req_{uuid.uuid4().hex[:24]}")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for name, data in events:
                self.wfile.write(sse(name, data))
                self.wfile.flush()
                if chunk_delay and name == "content_block_delta":
                    time.sleep(chunk_delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # Claude Code gave up on the stream (an interrupt): nothing to tell it

    def _send_error(self, error: dict[str, Any]) -> None:
        payload = {
            "type": "error",
            "error": {"type": error.get("type", "api_error"), "message": error.get("message", "")},
        }
        self._send_json(int(error.get("status", 500)), payload, error.get("headers", {}))

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", f"req_{uuid.uuid4().hex[:24]}")
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True  # a hanging response must not keep the process alive at exit

    def __init__(self, port: int, scenario: Scenario, record: Path | None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.scenario = scenario
        self._record_path = record
        self._record_lock = threading.Lock()

    def record(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        if self._record_path is None:
            return
        entry = {
            "time": time.time(),
            "path": path,
            "headers": {key: value for key, value in headers.items() if key.lower() not in SECRET_HEADERS},
            "prompt": prompt_of(body),
            "body": body,
        }
        with self._record_lock, self._record_path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(entry) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--script", type=Path, required=True, help="the scenario JSON file")
    parser.add_argument("--record", type=Path, default=None, help="append every request here as JSON lines")
    args = parser.parse_args(argv)
    scenario = Scenario(json.loads(args.script.read_text(encoding="utf-8")))
    server = ScriptedServer(args.port, scenario, args.record)
    print(f"anthropic_server: listening on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
