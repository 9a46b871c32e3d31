"""The manager LLM in a real sandbox: real nanobot against the scripted OpenAI server, both inside the container.

The sandbox has no route to the host, so the fake server (tests/support/fakes/openai_server.py, Debian's python3) runs
in the sandbox on 127.0.0.1, in a tmux session the runner owns. A driver (manager_llm_driver.py, the image's
venv) makes the ManagerLLM calls and prints one JSON line per call; the server records every request.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from autocode_runner.nanobot_support import API_KEY_PLACEHOLDER

from controlplane.config import Settings
from controlplane.sandbox.backend import SandboxUser
from tests.support.engine import Harness
from tests.support.fakes import FAKES
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker

FAKE_SERVER = FAKES / "openai_server.py"
DRIVER = Path(__file__).with_name("manager_llm_driver.py")
PORT = 8931
BASE_URL = f"http://127.0.0.1:{PORT}/proxy/v1"  # a path prefix, to see the base URL honoured to the letter
API_KEY = "sk-test-manager-0123456789abcdef"
MODEL = "openai/gpt-test-mini"
PROJECT = "projects/demo"
IDENTITY = """# Global rules
IDENTITY-MARKER-7f3a: always write tests first.

# CLAUDE.md
Use Python 3.11 and pytest.

# Plan
1. Skeleton
2. Greeting
"""
STEP_ONE = {"title": "Skeleton", "details": "Create hello.py and tests/", "acceptance": "pytest passes"}
STEP_TWO = {"title": "Greeting", "details": "hello.greet(name) returns 'Hello, <name>!'", "acceptance": "pytest -q"}
PLAN_REPLY = (
    "Here is the plan you asked for.\n```json\n" + json.dumps({"steps": [STEP_ONE, STEP_TWO]}) + "\n```\nGood luck!"
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def last_user_text(request: dict[str, Any]) -> str:
    return next(m["content"] for m in reversed(request["body"]["messages"]) if m["role"] == "user")


def system_text(request: dict[str, Any]) -> str:
    first = request["body"]["messages"][0]
    assert first["role"] == "system"
    return first["content"]


@dataclass
class ManagerRig:
    """One sandbox with the fake server running in it, and a way to run ManagerLLM calls there."""

    harness: Harness
    user: SandboxUser
    home: Path
    output: str = ""  # the driver's last stdout and stderr

    def write(self, path: str, content: str) -> None:
        self.harness.call(self.user, "fs.write", {"path": path, "content": content, "parents": True})

    def start_server(self, scenario: Any, api_key: str = API_KEY) -> None:
        self.write("fake/openai_server.py", FAKE_SERVER.read_text())
        self.write("fake/scenario.json", json.dumps(scenario))
        command = (
            f"/usr/bin/python3 fake/openai_server.py --port {PORT} --script fake/scenario.json"
            f" --record fake/requests.jsonl --api-key {api_key} > fake/server.log 2>&1"
        )
        self.harness.call(self.user, "tmux.new", {"name": "fake-openai", "command": command})
        probe = (
            f"/usr/bin/python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{PORT}/health')\""
        )
        deadline = time.monotonic() + 30
        while True:
            code, output = self.harness.sh(self.user, probe)
            if code == 0:
                return
            if time.monotonic() > deadline:
                log = self.home / "fake" / "server.log"
                pytest.fail(
                    f"the fake server never answered: {output}\nits log: {log.read_text() if log.exists() else ''}"
                )

    def run(
        self,
        calls: list[dict[str, Any]],
        api_key: str = API_KEY,
        model: str = MODEL,
        base_url: str = BASE_URL,
        via: str = "llm",
        tools: list[str] | None = None,
        env: str = "",
    ) -> list[dict[str, Any]]:
        spec = {
            "via": via,
            "manager": {
                "workspace": f"/home/agent/{PROJECT}",
                "model": model,
                "api_key": api_key,
                "base_url": base_url,
                "identity": IDENTITY,
                "tools": tools or [],
            },
            "calls": calls,
        }
        self.write("driver/manager_llm_driver.py", DRIVER.read_text())
        self.write("driver/calls.json", json.dumps(spec))
        self.harness.sh(self.user, f"mkdir -p {PROJECT}")
        code, output = self.harness.sh(
            self.user,
            f"rm -f driver/results.jsonl; {env} /opt/autocode/venv/bin/python driver/manager_llm_driver.py"
            " driver/calls.json driver/results.jsonl",
            timeout=120,
        )
        assert code == 0, output
        self.output = output
        written = self.home / "driver" / "results.jsonl"
        results = [json.loads(line) for line in written.read_text().splitlines()] if written.exists() else []
        assert [r["method"] for r in results] == [c["method"] for c in calls], output
        return results

    def requests(self) -> list[dict[str, Any]]:
        path = self.home / "fake" / "requests.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def manager_file(self, name: str) -> Path:
        return self.home / PROJECT / ".nanobot" / name


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    # nanobot in the driver and again in a manager call process: more than the 256 MB other sandbox tests get
    # (the kernel's OOM killer ended a call process under the smaller limit).
    return sandbox_settings.model_copy(update={"sandbox_memory": "768m"})


@pytest.fixture
def rig(harness: Harness) -> ManagerRig:
    user = harness.user("manager")
    harness.run(harness.manager.ensure_ready, user)
    return ManagerRig(harness, user, harness.settings.data_dir / "users" / user.username)


def test_plan_is_parsed_and_reaches_the_provider_as_configured(rig: ManagerRig) -> None:
    rig.start_server([{"match": "TASK: plan", "reply": PLAN_REPLY}])
    goal = "A greeting library GOAL-MARKER"
    [result] = rig.run([{"method": "plan", "args": {"goal": goal, "architecture": "one module", "details": "CLI too"}}])

    assert result["ok"], result
    assert "| DEBUG" not in rig.output and "| INFO" not in rig.output, "nanobot's logging is not quieted"
    assert [(s["title"], s["acceptance"], s["status"]) for s in result["value"]] == [
        ("Skeleton", "pytest passes", "pending"),
        ("Greeting", "pytest -q", "pending"),
    ]
    [request] = rig.requests()
    assert request["path"] == "/proxy/v1/chat/completions"
    assert request["authorization"] == {"scheme": "Bearer", "token_sha256": sha256(API_KEY)}
    body = request["body"]
    assert body["model"] == "gpt-test-mini"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "tools" not in body, "the manager must have no tools"
    system = system_text(request)
    assert "IDENTITY-MARKER-7f3a" in system and "Use Python 3.11 and pytest." in system
    assert system.startswith("You are the manager of an autonomous software project")
    assert "Tool Usage Notes" not in system and "# Skills" not in system, "nanobot's own prompt leaked in"
    asked = last_user_text(request)
    assert asked.startswith("TASK: plan") and goal in asked and "one module" in asked and '"steps"' in asked

    config = json.loads(rig.manager_file("config.json").read_text())
    assert config["agents"]["defaults"]["provider"] == "openai"
    assert config["agents"]["defaults"]["model"] == "gpt-test-mini"
    assert config["providers"]["openai"]["apiBase"] == BASE_URL
    assert config["providers"]["openai"]["apiKey"] == API_KEY_PLACEHOLDER, "the key never lands in a file"
    assert not any(config["tools"][group]["enable"] for group in ("exec", "file", "web", "my", "cliApps"))
    assert rig.manager_file("IDENTITY.md").read_text() == IDENTITY
    assert rig.manager_file("MEMORY.md").exists()
    assert "plan: 2 steps: Skeleton; Greeting" in rig.manager_file("HISTORY.md").read_text()
    assert list(rig.manager_file("sessions").rglob("*.jsonl")), "the conversation is stored under .nanobot/sessions"
    manager_dir = rig.manager_file("")
    leaked = [p for p in manager_dir.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert leaked == [], "the API key must never be written into the project"


def test_every_kind_of_request_round_trips(rig: ManagerRig) -> None:
    rig.start_server(
        [
            {"match": "TASK: compose_task", "reply": "```\nCreate hello.py with greet(name). Run pytest -q.\n```"},
            {
                "match": "TASK: evaluate",
                "reply": 'Looking at the evidence: {"verdict": "fix", "message": "Make test_greet pass.",'
                ' "reason": "1 test fails"}',
            },
            {"match": "TASK: answer", "reply": '{"keys": "Yes, and don\'t ask again", "reason": "a routine edit"}'},
            {"match": "TASK: alternative", "reply": "Drop the template engine; build the string with an f-string."},
            {"match": "TASK: summarize", "reply": "Step 1 is done; you are on step 2: greet(name)."},
        ]
    )
    steps = [{**STEP_ONE, "status": "done", "attempts": 1}, {**STEP_TWO, "status": "running", "attempts": 2}]
    # `$memory` names one of nanobot's skills: it must stay text, not pull the skill's manual into the turn.
    screen = (
        "$ echo $memory\n$ pytest -q\nFAILED tests/test_hello.py::test_greet - AssertionError SCREEN-MARKER\n1 failed"
    )
    options = ["Yes", "Yes, and don't ask again", "No, and tell Claude what to do differently"]
    results = rig.run(
        [
            {"method": "remember", "args": {"fact": "MEMORY-MARKER: the user prefers uv over pip"}},
            {"method": "compose_task", "args": {"steps": steps, "index": 1}},
            {"method": "evaluate", "args": {"step": steps[1], "screen": screen, "evidence": {"pytest": "1 failed"}}},
            {"method": "answer", "args": {"step": steps[1], "question": "Edit hello.py?", "options": options}},
            {"method": "alternative", "args": {"step": steps[1], "errors": ["ERR-ONE jinja2", "ERR-TWO jinja2"]}},
            {"method": "summarize", "args": {"steps": steps, "index": 1}},
        ]
    )
    assert all(result["ok"] for result in results), results
    values = [result["value"] for result in results[1:]]
    assert values[0] == "Create hello.py with greet(name). Run pytest -q."  # the fence is taken off
    assert values[1] == {"verdict": "fix", "message": "Make test_greet pass.", "reason": "1 test fails"}
    assert values[2] == {"keys": "2", "reason": "a routine edit"}  # the option's text became its number
    assert values[3] == "Drop the template engine; build the string with an f-string."
    assert values[4] == "Step 1 is done; you are on step 2: greet(name)."

    requests = rig.requests()
    assert [last_user_text(r).splitlines()[0] for r in requests] == [
        "TASK: compose_task",
        "TASK: evaluate",
        "TASK: answer",
        "TASK: alternative",
        "TASK: summarize",
    ]
    compose, evaluate, answer, alternative, summarize = (last_user_text(r) for r in requests)
    assert "2. [current] Greeting" in compose and "1. [done] Skeleton" in compose
    assert "SCREEN-MARKER" in evaluate and "## pytest" in evaluate and "attempt 2" in evaluate
    assert "Active Skills" not in evaluate
    assert "2. Yes, and don't ask again" in answer and "Edit hello.py?" in answer
    assert "ERR-ONE" in alternative and "ERR-TWO" in alternative and "failed the current step 2 times" in alternative
    assert "step 2 of 2" in summarize
    assert all("MEMORY-MARKER" in system_text(r) for r in requests), "MEMORY.md belongs in every system prompt"
    # One conversation: the last request carries the earlier exchanges.
    assert len(requests[-1]["body"]["messages"]) == 1 + 2 * 4 + 1


def test_a_malformed_reply_gets_one_correction_then_a_typed_error(rig: ManagerRig) -> None:
    rig.start_server(
        [
            {"match": ["TASK: evaluate", "SCREEN-A"], "reply": "Looks done to me!", "times": 1},
            {
                "match": "TASK: correction",
                "reply": '{"verdict": "complete", "message": "", "reason": "ok"}',
                "times": 1,
            },
            {"match": ["TASK: evaluate", "SCREEN-B"], "reply": '{"verdict": "maybe"}'},
            {"match": "TASK: correction", "reply": '{"verdict": "fix", "reason": "no message"}'},
        ]
    )
    step = {**STEP_ONE, "status": "running", "attempts": 1}
    good, bad = rig.run(
        [
            {"method": "evaluate", "args": {"step": step, "screen": "SCREEN-A"}},
            {"method": "evaluate", "args": {"step": step, "screen": "SCREEN-B"}},
        ]
    )
    assert good == {"method": "evaluate", "ok": True, "value": {"verdict": "complete", "message": "", "reason": "ok"}}
    assert bad["ok"] is False and bad["error"] == "MalformedReplyError"
    assert "'message' must say what Claude Code should do when the verdict is 'fix'" in bad["message"]

    requests = rig.requests()
    assert [r["rule"] for r in requests] == [0, 1, 2, 3]
    correction = requests[1]["body"]["messages"]
    assert correction[-2] == {"role": "assistant", "content": "Looks done to me!"}, "the model sees its own reply"
    assert "could not be used: the reply contains no JSON object" in correction[-1]["content"]
    assert "'verdict' must be one of complete, fix, retry, got 'maybe'" in last_user_text(requests[3])
    history = rig.manager_file("HISTORY.md").read_text()
    assert "evaluate: 'Skeleton': complete (ok)" in history and "MalformedReplyError" not in history
    assert "evaluate: failed: evaluate: the manager model's reply was unusable even after a correction" in history


def test_a_rejected_api_key_is_a_provider_error_with_the_providers_message(rig: ManagerRig) -> None:
    rig.start_server([{"reply": PLAN_REPLY}])
    [result] = rig.run([{"method": "plan", "args": {"goal": "anything"}}], api_key="sk-wrong-key")

    assert result["ok"] is False and result["error"] == "ProviderError"
    assert "Incorrect API key provided" in result["message"] and "invalid_api_key" in result["message"]
    [request] = rig.requests()  # a 401 is final: nanobot does not retry it
    assert request["status"] == 401
    assert request["authorization"] == {"scheme": "Bearer", "token_sha256": sha256("sk-wrong-key")}


def test_a_failing_provider_is_unavailable_for_now_and_the_manager_recovers(rig: ManagerRig) -> None:
    overloaded = {
        "status": 500,
        "message": "The engine is currently overloaded OVERLOAD-MARKER",
        "type": "server_error",
    }
    rig.start_server([{"error": overloaded, "times": 4}, {"match": "TASK: plan", "reply": PLAN_REPLY}])
    started = time.monotonic()
    failed, recovered = rig.run(
        [{"method": "plan", "args": {"goal": "first try"}}, {"method": "plan", "args": {"goal": "second try"}}]
    )
    assert failed["ok"] is False and failed["error"] == "ProviderUnavailable"  # worth trying again later
    assert "OVERLOAD-MARKER" in failed["message"] and "server_error" in failed["message"]
    assert failed["message"].startswith("had a server error (HTTP 500)")
    assert recovered["ok"] and [s["title"] for s in recovered["value"]] == ["Skeleton", "Greeting"]
    # nanobot 0.3.5 retries a 5xx three times (after 1, 2 and 4 seconds) before giving up.
    assert [r["status"] for r in rig.requests()] == [500, 500, 500, 500, 200]
    assert time.monotonic() - started >= 7


PLAN_CALL = {"method": "plan", "args": {"goal": "anything", "architecture": "", "details": ""}}


def test_the_failures_kind_crosses_the_process_boundary(rig: ManagerRig) -> None:
    """Through ManagerProcess, as the loop calls it: a 500 and a dropped connection are unavailable-for-now, a
    rejected key and no one listening at all are told apart, each with the provider's own words."""
    overloaded = {"status": 500, "message": "Overloaded OVERLOAD-MARKER", "type": "server_error"}
    rig.start_server([{"error": overloaded, "times": 4}, {"drop": True, "times": 4}, {"reply": PLAN_REPLY}])
    server_error, dropped, fine = rig.run([PLAN_CALL, PLAN_CALL, PLAN_CALL], via="process")
    assert (server_error["ok"], server_error["error"]) == (False, "ProviderUnavailable")
    assert "OVERLOAD-MARKER" in server_error["message"]
    assert (dropped["ok"], dropped["error"]) == (False, "ProviderUnavailable")
    assert dropped["message"].startswith("could not be reached"), dropped["message"]
    assert fine["ok"] and [s["title"] for s in fine["value"]] == ["Skeleton", "Greeting"]

    [bad_key] = rig.run([PLAN_CALL], api_key="sk-wrong-key", via="process")
    assert (bad_key["ok"], bad_key["error"]) == (False, "ProviderError")  # a bad key is not worth waiting for
    assert bad_key["message"].startswith("refused the request (HTTP 401)") and "invalid_api_key" in bad_key["message"]

    [nobody] = rig.run([PLAN_CALL], base_url=f"http://127.0.0.1:{PORT + 1}/v1", via="process")
    assert (nobody["ok"], nobody["error"]) == (False, "ProviderUnavailable")
    assert nobody["message"].startswith("could not be reached"), nobody["message"]


SEARCH_PORT = 18999
SEARCH_RESULTS = {
    "results": [
        {
            "title": "Good Integration Practices",
            "url": "https://docs.pytest.org/en/stable/explanation/goodpractices.html",
            "content": "SEARCH-MARK-42: put the package under src/ and the tests beside it",
        }
    ]
}


def test_a_manager_that_searches_the_web_uses_the_result_and_reports_the_search(rig: ManagerRig) -> None:
    """The agent's web_search reaches nanobot's search tool; SearXNG's API is served by a static file in the
    sandbox (no route out in tests), named by SEARXNG_BASE_URL as a self-hosted search would be."""
    rig.write("search/search", json.dumps(SEARCH_RESULTS))  # GET /search?q=...&format=json
    command = f"/usr/bin/python3 -m http.server {SEARCH_PORT} --bind 127.0.0.1 --directory search"
    rig.harness.call(rig.user, "tmux.new", {"name": "fake-search", "command": command})
    search = f"SEARXNG_BASE_URL=http://127.0.0.1:{SEARCH_PORT}"
    probe = f"/usr/bin/python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{SEARCH_PORT}/search')\""
    wait_until(lambda: rig.harness.sh(rig.user, probe)[0] == 0, 30, "the search server", interval=0.25)
    search_call = {"name": "web_search", "arguments": {"query": "pytest project layout best practice"}}
    rig.start_server(
        [
            {"match": "TASK: plan", "times": 1, "tool_calls": [search_call]},
            {"match": "SEARCH-MARK-42", "in": "request", "reply": PLAN_REPLY},
        ]
    )
    plan, uses = rig.run(
        [
            {"method": "plan", "args": {"goal": "A greeting library", "architecture": "", "details": ""}},
            {"method": "take_tool_uses"},
        ],
        via="process",
        tools=["web_search", "tmux", "exec"],
        env=search,
    )

    assert plan["ok"], plan
    assert [step["title"] for step in plan["value"]] == ["Skeleton", "Greeting"]
    [use] = uses["value"]  # what the call's process ran came back with its answer
    assert (use["name"], use["arguments"]) == ("web_search", search_call["arguments"])
    assert "SEARCH-MARK-42" in use["result"]
    first, second = rig.requests()
    offered = [tool["function"]["name"] for tool in first["body"]["tools"]]
    assert offered == ["web_search"], "only the manager's tools of the agent's: no exec, no tmux"
    tool_message = next(m for m in second["body"]["messages"] if m["role"] == "tool")
    assert "SEARCH-MARK-42" in json.dumps(tool_message), "the search's result went back to the model"
    history = rig.manager_file("HISTORY.md").read_text()
    assert "plan: 2 steps" in history
