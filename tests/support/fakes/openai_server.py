"""A scripted OpenAI-compatible Chat Completions server: the stand-in for a paid provider in tests.

Standard library only, one file, so it runs with Debian's /usr/bin/python3 inside a sandbox (which has no
route to the host):

    python3 openai_server.py --port 8931 --script scenario.json --record requests.jsonl [--api-key KEY]

Endpoints
    POST /v1/chat/completions   answers from the scenario (any path ending in /chat/completions: a base URL may
                                carry a proxy's prefix); `"stream": true` gets Server-Sent Events exactly
                                as OpenAI sends them (role and content deltas, tool_call deltas, a chunk with
                                finish_reason, a usage chunk with empty choices when
                                `stream_options.include_usage`, then `data: [DONE]`); otherwise one
                                `chat.completion` object.
    GET  /v1/models             the scenario's models (default ["gpt-test"]).
    GET  /health                {"status": "ok"}: poll it to know the server is ready.

Scenario (JSON): either a list of rules or an object {"rules": [...], "default": ..., "models": [...]}.
Rules are tried in order; the first that matches and still has uses left answers the request.

    {
      "match": "Write the plan",        # optional: a substring, or a list of substrings that must all occur;
                                        #   absent = matches every request
      "in": "last_user",                # where to look: "last_user" (default, the last user message's text)
                                        #   or "request" (every message's text, system prompt included)
      "times": 1,                       # optional: answer at most this many requests, then step aside
      "reply": "text",                  # a text answer ...
      "tool_calls": [{"name": "f", "arguments": {"a": 1}, "id": "call_1"}],   # ... or tool calls ...
      "error": {"status": 500, "message": "boom", "type": "server_error", "code": null},  # ... or an HTTP error
      "drop": true,                     # ... or the connection closed without an answer (a provider gone away)
      "finish_reason": "stop",          # optional override (default "stop", or "tool_calls")
      "delay": 0.5                      # optional: seconds to wait before answering
    }

An error answers with its status and OpenAI's error body {"error": {"message", "type", "param", "code"}}.
"default" (a string or a rule without "match") answers when no rule does; without it the reply says, in plain
words, that no rule matched and quotes the start of the last user message, so a failing test shows why.

With --api-key, a request whose bearer token differs gets OpenAI's 401 `invalid_api_key` error.

The scenario file is read again whenever it changes (its rules' use counts start over): a test can break the
provider and mend it while the server runs.

Every request is appended to the --record file as one JSON line: n, method, path, headers (lower-case names,
without Authorization), authorization ({"scheme", "token_sha256"}, never the token), body (parsed JSON),
rule (index of the rule that answered, or null), status.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TEXT_CHUNK_CHARS = 24  # content is streamed in pieces of this size, as real providers split it
DEFAULT_MODELS = ["gpt-test"]


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return message_text(message)
    return ""


def request_text(body: dict[str, Any]) -> str:
    return "\n".join(message_text(m) for m in body.get("messages") or [] if isinstance(m, dict))


class Scenario:
    """The ordered rules and how many uses each has left; thread-safe."""

    def __init__(self, data: Any) -> None:
        if isinstance(data, list):
            data = {"rules": data}
        if not isinstance(data, dict):
            raise ValueError("a scenario is a list of rules or an object with 'rules'")
        self.rules: list[dict[str, Any]] = list(data.get("rules") or [])
        for index, rule in enumerate(self.rules):
            if not isinstance(rule, dict) or not ({"reply", "tool_calls", "error", "drop"} & rule.keys()):
                raise ValueError(f"rule {index} needs one of reply, tool_calls, error or drop: {rule!r}")
        default = data.get("default")
        self.default: dict[str, Any] | None = {"reply": default} if isinstance(default, str) else default
        self.models: list[str] = list(data.get("models") or DEFAULT_MODELS)
        self.used = [0] * len(self.rules)
        self.lock = threading.Lock()

    def choose(self, body: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
        """The first matching rule with uses left (counting this use), or the default."""
        with self.lock:
            for index, rule in enumerate(self.rules):
                if self.matches(rule, body) and self.used[index] < rule.get("times", float("inf")):
                    self.used[index] += 1
                    return index, rule
        if self.default is not None:
            return None, self.default
        quoted = last_user_text(body)[:300]
        return None, {"reply": f"[openai_server] no scenario rule matched. The last user message began: {quoted!r}"}

    @staticmethod
    def matches(rule: dict[str, Any], body: dict[str, Any]) -> bool:
        wanted = rule.get("match")
        if wanted is None:
            return True
        haystack = request_text(body) if rule.get("in") == "request" else last_user_text(body)
        needles = [wanted] if isinstance(wanted, str) else list(wanted)
        return all(needle in haystack for needle in needles)


class Recorder:
    """Appends one JSON line per request; thread-safe."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0
        self.lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.count += 1
            entry = {"n": self.count, **entry}
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def error_body(message: str, kind: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def rough_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def tool_call_objects(rule: dict[str, Any]) -> list[dict[str, Any]]:
    calls = []
    for index, call in enumerate(rule.get("tool_calls") or []):
        arguments = call.get("arguments", {})
        calls.append(
            {
                "id": call.get("id") or f"call_{uuid.uuid4().hex[:24]}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                },
                "index": index,
            }
        )
    return calls


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive with chunked streams, as the OpenAI SDK's httpx expects
    server: FakeOpenAIServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # --- plumbing -----------------------------------------------------------------------------------------

    def send_json(self, status: int, payload: Any, extra_headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def recorded_headers(self) -> tuple[dict[str, str], dict[str, str] | None]:
        headers = {name.lower(): value for name, value in self.headers.items() if name.lower() != "authorization"}
        raw = self.headers.get("Authorization")
        if raw is None:
            return headers, None
        scheme, _, token = raw.partition(" ")
        return headers, {"scheme": scheme, "token_sha256": hashlib.sha256(token.encode()).hexdigest()}

    # --- endpoints ------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in ("/health", "/healthz"):
            self.send_json(200, {"status": "ok"})
        elif path.endswith("/models"):
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "openai_server"} for m in self.models()]
            self.send_json(200, {"object": "list", "data": models})
        else:
            self.send_json(404, error_body(f"Unknown path {self.path}", "invalid_request_error", "unknown_url"))

    def models(self) -> list[str]:
        return self.server.current_scenario().models

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        headers, authorization = self.recorded_headers()
        entry: dict[str, Any] = {"method": "POST", "path": self.path, "headers": headers}
        entry["authorization"] = authorization
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        entry["body"] = body if body is not None else raw.decode(errors="replace")
        status, rule_index = self.answer(path, body, authorization)
        self.server.recorder.record({**entry, "rule": rule_index, "status": status})

    def answer(self, path: str, body: Any, authorization: dict[str, str] | None) -> tuple[int, int | None]:
        """Answer the request; returns (status, index of the rule used)."""
        if not path.endswith("/chat/completions"):  # any prefix: a base URL may point at a proxy's path
            self.send_json(404, error_body(f"Unknown path {path}", "invalid_request_error", "unknown_url"))
            return 404, None
        expected = self.server.api_key
        if expected is not None and (
            authorization is None
            or authorization["scheme"] != "Bearer"
            or authorization["token_sha256"] != hashlib.sha256(expected.encode()).hexdigest()
        ):
            message = (
                "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
            )
            self.send_json(401, error_body(message, "invalid_request_error", "invalid_api_key"))
            return 401, None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self.send_json(400, error_body("'messages' is a required property", "invalid_request_error", None))
            return 400, None
        rule_index, rule = self.server.current_scenario().choose(body)
        if rule.get("delay"):
            time.sleep(float(rule["delay"]))
        if rule.get("drop"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # no status line at all: the client sees the connection end
            return 0, rule_index
        if "error" in rule:
            error = rule["error"]
            status = int(error.get("status", 500))
            payload = error_body(
                error.get("message", "The server had an error while processing your request."),
                error.get("type", "server_error"),
                error.get("code"),
            )
            self.send_json(status, payload)
            return status, rule_index
        if body.get("stream"):
            self.stream(body, rule)
        else:
            self.send_json(200, self.completion(body, rule))
        return 200, rule_index

    # --- answers --------------------------------------------------------------------------------------------

    def completion(self, body: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
        calls = tool_call_objects(rule)
        message: dict[str, Any] = {"role": "assistant", "content": rule.get("reply"), "refusal": None}
        if calls:
            message["tool_calls"] = [{k: v for k, v in call.items() if k != "index"} for call in calls]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish_reason(rule)}],
            "usage": self.usage(body, rule),
            "system_fingerprint": "fp_openai_server",
        }

    def stream(self, body: dict[str, Any], rule: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "system_fingerprint": "fp_openai_server",
        }

        def send(choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> None:
            chunk = {**base, "choices": choices}
            if include_usage:
                chunk["usage"] = usage
            self.write_chunk(b"data: " + json.dumps(chunk).encode() + b"\n\n")

        def delta(fields: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": fields, "logprobs": None, "finish_reason": finish}]

        text = rule.get("reply")
        calls = tool_call_objects(rule)
        if text or not calls:
            pieces = [text[i : i + TEXT_CHUNK_CHARS] for i in range(0, len(text or ""), TEXT_CHUNK_CHARS)] or [""]
            send(delta({"role": "assistant", "content": pieces[0], "refusal": None}))
            for piece in pieces[1:]:
                send(delta({"content": piece}))
        else:
            send(delta({"role": "assistant", "content": None, "refusal": None}))
        for call in calls:
            arguments = call["function"]["arguments"]
            head = {"index": call["index"], "id": call["id"], "type": "function"}
            send(delta({"tool_calls": [{**head, "function": {"name": call["function"]["name"], "arguments": ""}}]}))
            for i in range(0, len(arguments), TEXT_CHUNK_CHARS):
                piece = arguments[i : i + TEXT_CHUNK_CHARS]
                send(delta({"tool_calls": [{"index": call["index"], "function": {"arguments": piece}}]}))
        send(delta({}, self.finish_reason(rule)))
        if include_usage:
            send([], self.usage(body, rule))
        self.write_chunk(b"data: [DONE]\n\n")
        self.write_chunk(b"")  # the chunked body's terminator

    @staticmethod
    def finish_reason(rule: dict[str, Any]) -> str:
        return rule.get("finish_reason") or ("tool_calls" if rule.get("tool_calls") else "stop")

    @staticmethod
    def usage(body: dict[str, Any], rule: dict[str, Any]) -> dict[str, int]:
        prompt = rough_tokens(request_text(body))
        completion = rough_tokens((rule.get("reply") or "") + json.dumps(rule.get("tool_calls") or ""))
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class FakeOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        scenario: Scenario,
        recorder: Recorder,
        api_key: str | None,
        verbose: bool,
        script: Path | None = None,
    ) -> None:
        super().__init__(address, Handler)
        self.scenario = scenario
        self.recorder = recorder
        self.api_key = api_key
        self.verbose = verbose
        self.script = script
        self.script_stamp = self.stamp()
        self.reload_lock = threading.Lock()

    def stamp(self) -> tuple[int, int] | None:
        if self.script is None:
            return None
        try:
            info = os.stat(self.script)
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def current_scenario(self) -> Scenario:
        """The scenario, read again if its file changed since (a half-written file is read at the next request)."""
        with self.reload_lock:
            stamp = self.stamp()
            if self.script is not None and stamp is not None and stamp != self.script_stamp:
                try:
                    self.scenario = Scenario(json.loads(self.script.read_text(encoding="utf-8")))
                    self.script_stamp = stamp
                except ValueError:
                    pass
            return self.scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A scripted OpenAI-compatible Chat Completions server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--script", type=Path, help="the scenario JSON file (none: every request gets the default)")
    parser.add_argument("--record", type=Path, help="append every request here as one JSON line")
    parser.add_argument("--api-key", help="answer 401 invalid_api_key unless the bearer token is this")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    scenario = Scenario(json.loads(args.script.read_text(encoding="utf-8")) if args.script else [])
    server = FakeOpenAIServer(
        (args.host, args.port), scenario, Recorder(args.record), args.api_key, verbose=args.verbose, script=args.script
    )
    host, port = server.server_address[:2]
    print(f"openai_server listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
