"""Coding projects over HTTP without a sandbox: CRUD, owner isolation, the plan, rules, and refusals."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.app import Account, create_agent


def coding_agent(client: TestClient, account: Account) -> dict[str, Any]:
    return create_agent(client, account, template="coding", name="Coder")


def new_project(client: TestClient, account: Account, agent_id: int, **body: Any) -> dict[str, Any]:
    payload = {"name": "Weather app", "description": "A CLI that prints the weather"} | body
    response = client.post(f"/api/agents/{agent_id}/projects", json=payload, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def add_key(client: TestClient, account: Account, provider: str) -> None:
    response = client.post(
        "/api/settings/api-keys", json={"provider": provider, "key": f"{provider}-key-123456"}, headers=account.headers
    )
    assert response.status_code == 201, response.text


def test_a_project_is_created_under_a_coding_agent_with_a_workspace(client: TestClient, alice: Account) -> None:
    agent = coding_agent(client, alice)
    project = new_project(client, alice, agent["id"], architecture="Python, click", details="No network calls")
    assert project["status"] == "created" and project["desired_state"] == "stopped"
    assert project["slug"] == "weather-app"
    assert project["workspace_path"] == "/home/agent/projects/weather-app"
    assert project["tmux_session"] == f"project-{project['id']}"
    assert (project["architecture"], project["details"]) == ("Python, click", "No network calls")
    assert (project["steps_done"], project["steps_total"], project["instance"]) == (0, 0, None)
    again = new_project(client, alice, agent["id"])
    assert again["slug"] == "weather-app-2"
    listed = client.get(f"/api/agents/{agent['id']}/projects", headers=alice.headers).json()
    assert [p["id"] for p in listed] == [project["id"], again["id"]]
    assert "loop_state" not in project and "claude_session_id" not in project
    mine = client.get("/api/projects", headers=alice.headers).json()
    assert [p["id"] for p in mine] == [again["id"], project["id"]]


def test_only_coding_agents_have_projects_and_a_goal_is_required(client: TestClient, alice: Account) -> None:
    research = create_agent(client, alice, template="research", name="Researcher")
    response = client.post(
        f"/api/agents/{research['id']}/projects", json={"name": "x", "description": "y"}, headers=alice.headers
    )
    assert response.status_code == 409 and "only coding agents" in response.json()["detail"]
    agent = coding_agent(client, alice)
    response = client.post(f"/api/agents/{agent['id']}/projects", json={"name": "x"}, headers=alice.headers)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "description"]
    response = client.post(
        f"/api/agents/{agent['id']}/projects", json={"name": "x", "description": "  "}, headers=alice.headers
    )
    assert response.status_code == 422


def test_another_users_projects_and_agents_answer_404(client: TestClient, alice: Account, bob: Account) -> None:
    agent = coding_agent(client, alice)
    project = new_project(client, alice, agent["id"])
    assert client.get("/api/projects", headers=bob.headers).json() == []
    pid = project["id"]
    for method, path, body in [
        ("get", f"/api/projects/{pid}", None),
        ("put", f"/api/projects/{pid}", {"name": "mine now"}),
        ("delete", f"/api/projects/{pid}", None),
        ("post", f"/api/projects/{pid}/start", None),
        ("post", f"/api/projects/{pid}/pause", None),
        ("post", f"/api/projects/{pid}/reply", {"message": "go on"}),
        ("put", f"/api/projects/{pid}/plan", {"steps": []}),
        ("get", f"/api/agents/{agent['id']}/projects", None),
        ("post", f"/api/agents/{agent['id']}/projects", {"name": "x", "description": "y"}),
        ("get", f"/api/agents/{agent['id']}/rules", None),
        ("put", f"/api/agents/{agent['id']}/rules", {"content": "mine"}),
    ]:
        response = client.request(method, path, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert client.get(f"/api/projects/{pid}", headers=alice.headers).json()["name"] == "Weather app"


def test_editing_a_project_and_its_plan(client: TestClient, alice: Account) -> None:
    agent = coding_agent(client, alice)
    pid = new_project(client, alice, agent["id"])["id"]
    response = client.put(f"/api/projects/{pid}", json={"description": "A TUI instead"}, headers=alice.headers)
    assert response.status_code == 200 and response.json()["description"] == "A TUI instead"
    steps = [
        {"title": "Scaffold", "details": "pyproject", "acceptance": "pip install works", "status": "done"},
        {"title": "Fetch", "details": "", "acceptance": "prints JSON"},
        {"title": "Render"},
    ]
    response = client.put(f"/api/projects/{pid}/plan", json={"steps": steps}, headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["title"] for s in body["implementation_plan"]] == ["Scaffold", "Fetch", "Render"]
    assert body["implementation_plan"][2] == {
        "title": "Render",
        "details": "",
        "acceptance": "",
        "status": "pending",
        "attempts": 0,
    }
    assert (body["current_step"], body["steps_done"], body["steps_total"]) == (1, 1, 3)
    bad = client.put(f"/api/projects/{pid}/plan", json={"steps": [{"title": ""}]}, headers=alice.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:3] == ["body", "steps", 0]
    bad = client.put(
        f"/api/projects/{pid}/plan", json={"steps": [{"title": "x", "status": "won"}]}, headers=alice.headers
    )
    assert bad.status_code == 422
    assert client.get(f"/api/projects/{pid}", headers=alice.headers).json()["steps_total"] == 3  # nothing lost


def test_rules_are_the_agents_global_rules(client: TestClient, alice: Account) -> None:
    agent = coding_agent(client, alice)
    aid = agent["id"]
    response = client.get(f"/api/agents/{aid}/rules", headers=alice.headers)
    assert response.json() == {"content": agent["global_rules"]}
    response = client.put(f"/api/agents/{aid}/rules", json={"content": "- Use uv.\n"}, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert client.get(f"/api/agents/{agent['id']}", headers=alice.headers).json()["global_rules"] == "- Use uv.\n"
    response = client.put(f"/api/agents/{aid}/rules", json={"rules": "x"}, headers=alice.headers)
    assert response.status_code == 422


def test_starting_without_keys_names_the_missing_one(client: TestClient, alice: Account) -> None:
    agent = coding_agent(client, alice)  # its model is openai/gpt-5.3-codex
    pid = new_project(client, alice, agent["id"])["id"]
    response = client.post(f"/api/projects/{pid}/start", headers=alice.headers)
    assert response.status_code == 409 and "'openai'" in response.json()["detail"]
    add_key(client, alice, "openai")
    response = client.post(f"/api/projects/{pid}/restart", headers=alice.headers)
    assert response.status_code == 409
    assert "'anthropic'" in response.json()["detail"] and "Claude Code" in response.json()["detail"]
    add_key(client, alice, "anthropic")
    response = client.post(f"/api/projects/{pid}/start", headers=alice.headers)
    assert response.status_code == 503 and "disabled" in response.json()["detail"]  # this app has no sandboxes


def test_unknown_actions_and_deleting(client: TestClient, alice: Account) -> None:
    agent = coding_agent(client, alice)
    pid = new_project(client, alice, agent["id"])["id"]
    assert client.post(f"/api/projects/{pid}/explode", headers=alice.headers).status_code == 422
    assert client.post(f"/api/projects/{pid}/reply", json={"message": ""}, headers=alice.headers).status_code == 422
    assert client.post(f"/api/projects/{pid}/stop", headers=alice.headers).status_code == 503
    assert client.delete(f"/api/projects/{pid}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/projects/{pid}", headers=alice.headers).status_code == 404
    assert client.get(f"/api/agents/{agent['id']}/projects", headers=alice.headers).json() == []


def test_a_plan_stored_before_the_limits_is_trimmed_never_dropped(client: TestClient, alice: Account) -> None:
    """Older managers wrote steps with any title length; such a plan still shows (and starts) step for step."""
    from sqlmodel import Session

    from controlplane.models import Project

    agent = coding_agent(client, alice)
    pid = new_project(client, alice, agent["id"])["id"]
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        project = session.get(Project, pid)
        assert project is not None
        project.implementation_plan = [
            {"title": "x" * 400, "status": "done", "attempts": 2},
            {"title": "", "details": "no title", "status": "exploded"},
            {"title": "Ship", "acceptance": "it runs", "status": "pending", "unknown": True},
        ]
        session.add(project)
        session.commit()
    body = client.get(f"/api/projects/{pid}", headers=alice.headers).json()
    steps = body["implementation_plan"]
    assert [len(s["title"]) for s in steps] == [300, len("Untitled step"), 4]
    assert [s["status"] for s in steps] == ["done", "pending", "pending"]
    assert (steps[0]["attempts"], steps[1]["details"], body["steps_done"], body["steps_total"]) == (2, "no title", 1, 3)
