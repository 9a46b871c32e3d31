"""A coding project whose manager searches the web while planning, end to end through the control plane: the
setting AUTOCODE_WEB_SEARCH_URL reaches the sandbox as SEARXNG_BASE_URL, the real nanobot manager runs the
agent's web_search against a scripted SearXNG endpoint on the sandbox's loopback (test sandboxes have no route
out), the search is a decision in the project's log, and the plan is built from what the search found."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controlplane.config import Settings
from tests.support.coding_world import CodingWorld, plan_reply, verdict
from tests.support.engine import Harness

pytestmark = [pytest.mark.docker, pytest.mark.slow]
WORKSPACE = "/home/agent/projects/greetings"
SEARCH_PORT = 18003
QUERY = "greeting file naming convention"
FOUND_WORD = "salutations"  # only the search result names the file so: the goal and the scripts before it do not
RESULT_MARK = "SEARCH-MARK-77"

# A SearXNG stand-in: GET /search?q=...&format=json answers SearXNG's JSON, naming the query it was asked, and
# records every request, so the test sees what reached it. Standard library only (the sandbox's python3).
SEARXNG_SERVER = f'''
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Search(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        with open(sys.argv[2], "a") as record:
            record.write(json.dumps({{"path": url.path, "params": params}}) + "\\n")
        query = params.get("q", "")
        results = [{{
            "title": "Naming greeting files",
            "url": "https://example.org/greetings",
            "content": "{RESULT_MARK} for " + query + ": name the file {FOUND_WORD}.txt",
        }}] if url.path == "/search" else []
        body = json.dumps({{"query": query, "results": results}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Search).serve_forever()
'''


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings) -> Settings:
    # The sandbox is made with the web search setting; Claude Code and the manager need more than 256 MB.
    return sandbox_settings.model_copy(
        update={
            "sandbox_memory": "1g",
            "project_poll_seconds": 0.5,
            "web_search_url": f"http://127.0.0.1:{SEARCH_PORT}",
        }
    )


def start_search(world: CodingWorld) -> None:
    world.write(".fakes/searxng_server.py", SEARXNG_SERVER)
    command = f"python3 /home/agent/.fakes/searxng_server.py {SEARCH_PORT} /home/agent/.fakes/search-requests.jsonl"
    world.harness.call(world.sandbox_user, "tmux.new", {"name": "fake-search", "command": command})  # type: ignore[attr-defined]
    probe = f"python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{SEARCH_PORT}/health')\""
    world.wait(lambda: world.harness.sh(world.sandbox_user, probe)[0] == 0, 30, "the search server")  # type: ignore[attr-defined]


def search_requests(world: CodingWorld) -> list[dict[str, object]]:
    path = world.home / ".fakes" / "search-requests.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.strip()]


def last_user_message(request: dict[str, Any]) -> str:
    users = [m for m in request["body"]["messages"] if m.get("role") == "user"]
    return json.dumps(users[-1]) if users else ""


def test_a_manager_that_searches_the_web_logs_the_search_and_plans_with_its_result(harness: Harness) -> None:
    world = CodingWorld.create(harness, "searcher")
    start_search(world)
    write = [
        {"tool_use": {"name": "Write", "input": {"file_path": f"{WORKSPACE}/{FOUND_WORD}.txt", "content": "hi\n"}}},
        {"text": f"Created {FOUND_WORD}.txt."},
    ]
    world.start_fakes(
        {
            "rules": [
                # The work after the plan (its requests may carry the plan, hence first).
                {"match": "TASK: compose_task", "reply": f"Create the file {FOUND_WORD}.txt containing hi."},
                {"match": "TASK: evaluate", "reply": verdict("complete", f"{FOUND_WORD}.txt exists")},
                # Planning: first the search, then a plan that only a request holding its result gets.
                {
                    "match": "TASK: plan",
                    "times": 1,
                    "tool_calls": [{"name": "web_search", "arguments": {"query": QUERY}}],
                },
                {
                    "match": ["TASK: plan", RESULT_MARK],
                    "in": "request",
                    "reply": plan_reply((f"Create {FOUND_WORD}.txt", "the name the search found")),
                },
                {"match": "TASK: plan", "reply": plan_reply(("Create greeting.txt", "no search result reached me"))},
            ]
        },
        {
            "turns": [
                {"match": "CONSULTATION", "responses": [{"text": "One plain text file is enough."}]},
                {"match": f"{FOUND_WORD}.txt", "responses": write},
            ],
            "default": "Done.",
        },
    )
    world.add_keys()
    agent = world.api(
        "post",
        "/api/agents",
        {"template": "coding", "name": "Coder", "model": "openai/gpt-test", "tools": ["web_search", "tmux", "exec"]},
        201,
    )
    assert "web_search" in agent["tools"]
    world.agent_id = agent["id"]
    project = world.new_project("Greetings", "A file that greets, named as is customary")
    assert project["workspace_path"] == WORKSPACE
    pid = project["id"]
    world.api("post", f"/api/projects/{pid}/start")

    planned = world.wait_for_project(pid, lambda p: bool(p["implementation_plan"]), 180, "the plan")
    assert [s["title"] for s in planned["implementation_plan"]] == [f"Create {FOUND_WORD}.txt"], "planned with it"

    # The search reached the scripted SearXNG through the setting, with the manager's query.
    [asked] = [r for r in search_requests(world) if r["path"] != "/health"]
    assert asked["path"] == "/search" and asked["params"] == {"q": QUERY, "format": "json"}, asked

    # The decision log holds the search (its query and what it found), before the plan it led to.
    rows = world.logs(pid)
    searched = [r for r in rows if r["message"].startswith(f"The manager searched the web for “{QUERY}”")]
    assert len(searched) == 1, world.log_text(pid)
    assert searched[0]["level"] == "agent_decision" and RESULT_MARK in searched[0]["message"], searched[0]
    plan_line = next(r for r in rows if r["message"].startswith("Plan of 1 step"))
    assert searched[0]["id"] < plan_line["id"] and FOUND_WORD in plan_line["message"], world.log_text(pid)

    # The manager was offered web_search and the result went back to it in the plan's request.
    plan_requests = [r for r in world.requests("openai") if "TASK: plan" in last_user_message(r)]
    assert len(plan_requests) == 2, "the search, then the plan"
    offered = {t["function"]["name"] for t in plan_requests[0]["body"].get("tools") or []}
    assert "web_search" in offered, offered
    tool_answers = [m for r in plan_requests for m in r["body"]["messages"] if m.get("role") == "tool"]
    assert any(RESULT_MARK in json.dumps(m) for m in tool_answers), "the search's result went back to the model"

    # And the work follows the plan built from the result.
    world.wait_for_project(pid, lambda p: p["status"] == "completed", 180, "the project to complete")
    assert (world.home / "projects" / "greetings" / f"{FOUND_WORD}.txt").read_text() == "hi\n"
