"""The scripted OpenAI server itself (tests/support/fakes/openai_server.py), over real HTTP on the host.

The sandbox tests drive it through nanobot and the OpenAI SDK; these pin down the scenario features they do not
reach (tool calls, matching the whole request, defaults, non-streaming answers) and what it records.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.waiting import wait_until

SERVER = Path(__file__).with_name("openai_server.py")
KEY = "sk-fake-key"
SCENARIO = {
    "rules": [
        {"match": "weather", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Prague, Czech Republic"}}]},
        {"match": ["first", "once"], "reply": "only the first time", "times": 1},
        {"match": "SYSTEM-X", "in": "request", "reply": "the system prompt was seen"},
        {"match": "boom", "error": {"status": 503, "message": "Slow down", "type": "server_error", "code": "busy"}},
    ],
    "default": "nothing matched",
    "models": ["gpt-a", "gpt-b"],
}


@dataclass
class Fake:
    url: str
    record: Path

    def post(self, body: dict[str, Any], key: str = KEY) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {key}"}
        response = httpx.post(f"{self.url}/v1/chat/completions", json=body, headers=headers, timeout=10)
        return response.status_code, response.content

    def records(self, count: int) -> list[dict[str, Any]]:
        """The first `count` records; the server writes each one just after its reply, so wait for them."""

        def read() -> list[dict[str, Any]]:
            text = self.record.read_text() if self.record.exists() else ""
            return [json.loads(line) for line in text.splitlines()]

        wait_until(lambda: len(read()) >= count, 10, f"{count} recorded requests")
        return read()


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Fake]:
    script = tmp_path / "scenario.json"
    script.write_text(json.dumps(SCENARIO))
    record = tmp_path / "requests.jsonl"
    command = [sys.executable, str(SERVER), "--port", "0", "--script", str(script), "--record", str(record)]
    process = subprocess.Popen([*command, "--api-key", KEY], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""  # blocks until it listens (or dies)
        assert line.startswith("openai_server listening on "), line
        yield Fake(line.split()[-1], record)
    finally:
        process.terminate()
        process.wait(timeout=10)


def user(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-a", "messages": [{"role": "user", "content": text}], **extra}


def sse_chunks(raw: bytes) -> list[Any]:
    events = [line.removeprefix("data: ") for line in raw.decode().split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    return [json.loads(event) for event in events[:-1]]


def test_a_streamed_text_reply_is_openai_shaped_and_recorded_without_the_key(fake: Fake) -> None:
    status, raw = fake.post(user("hello", stream=True, stream_options={"include_usage": True}))
    assert status == 200
    chunks = sse_chunks(raw)
    assert chunks[0]["object"] == "chat.completion.chunk" and chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "nothing matched"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    [record] = fake.records(1)
    assert record["path"] == "/v1/chat/completions" and record["rule"] is None and record["status"] == 200
    assert "authorization" not in record["headers"] and KEY not in json.dumps(record)
    assert record["authorization"] == {"scheme": "Bearer", "token_sha256": hashlib.sha256(KEY.encode()).hexdigest()}


def test_tool_calls_stream_as_deltas_that_add_up(fake: Fake) -> None:
    _, raw = fake.post(user("what's the weather?", stream=True))
    chunks = sse_chunks(raw)
    assert all("usage" not in c for c in chunks), "usage only when stream_options asks for it"
    deltas = [d for c in chunks for d in c["choices"][0]["delta"].get("tool_calls") or []]
    assert deltas[0]["function"]["name"] == "get_weather" and deltas[0]["id"].startswith("call_")
    arguments = "".join(d["function"]["arguments"] for d in deltas)
    assert json.loads(arguments) == {"city": "Prague, Czech Republic"} and len(deltas) > 2
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_rules_match_in_order_with_uses_and_on_the_whole_request(fake: Fake) -> None:
    def reply(body: dict[str, Any]) -> str:
        status, raw = fake.post(body)
        assert status == 200
        return json.loads(raw)["choices"][0]["message"]["content"]

    assert reply(user("the first one, once")) == "only the first time"
    assert reply(user("the first one, once")) == "nothing matched"  # its one use is spent
    system = {
        "model": "gpt-a",
        "messages": [{"role": "system", "content": "SYSTEM-X"}, {"role": "user", "content": "hi"}],
    }
    assert reply(system) == "the system prompt was seen"
    assert [r["rule"] for r in fake.records(3)] == [1, None, 2]


def test_errors_keep_openais_shape(fake: Fake) -> None:
    status, raw = fake.post(user("boom"))
    assert status == 503
    assert json.loads(raw) == {"error": {"message": "Slow down", "type": "server_error", "param": None, "code": "busy"}}
    status, raw = fake.post(user("hello"), key="sk-other")
    assert status == 401 and json.loads(raw)["error"]["code"] == "invalid_api_key"


def test_models_and_health_answer_for_readiness_checks(fake: Fake) -> None:
    assert httpx.get(f"{fake.url}/health", timeout=10).json() == {"status": "ok"}
    models = httpx.get(f"{fake.url}/v1/models", timeout=10).json()["data"]
    assert [model["id"] for model in models] == ["gpt-a", "gpt-b"]
