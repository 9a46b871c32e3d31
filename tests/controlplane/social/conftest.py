"""The social media manager's world for API tests: the scripted Graph server on loopback, and the real control
plane served over real HTTP in a thread (Meta fetches post media from it, as from a family's server), configured
only through the settings a family sets. The application's clock is the scripted Meta's clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.services.users import create_user
from tests.support.fakes.graph_server import GraphServer
from tests.support.live_server import free_port
from tests.support.uvicorn_thread import serve_in_thread

PASSWORD = "user-password-1"
DEADLINE = 20.0


@dataclass
class Person:
    id: int
    username: str
    http: httpx.Client

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, **kwargs)


class SocialWorld:
    """A running control plane and scripted Meta, with helpers to sign people in and connect their accounts."""

    def __init__(self, app: FastAPI, base: str, graph: GraphServer, settings: Settings) -> None:
        self.app, self.base, self.graph, self.settings = app, base, graph, settings
        self.people: list[Person] = []

    def person(self, username: str, role: str = "user") -> Person:
        with Session(self.app.state.engine) as session:
            user = create_user(session, self.settings, username, PASSWORD, role=role)
            user_id = user.id or 0
        http = httpx.Client(base_url=self.base, timeout=30)
        answer = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        person = Person(user_id, username, http)
        self.people.append(person)
        return person

    def social_agent(self, person: Person, name: str = "Posts") -> int:
        answer = person.post("/api/agents", json={"template": "social_media", "name": name})
        assert answer.status_code == 201, answer.text
        agent_id: int = answer.json()["id"]
        return agent_id

    def consent(self, person: Person, agent_id: int, login: str = "facebook") -> dict[str, str]:
        """Start a connection and click through Meta's (scripted) dialog: the state and code Meta sends back,
        read from where our callback sends the browser on."""
        start = person.get(f"/api/social/connect/{login}", params={"agent_id": agent_id})
        assert start.status_code == 200, start.text
        dialog = httpx.get(start.json()["url"], follow_redirects=False)
        assert dialog.status_code == 302, dialog.text
        callback = httpx.get(dialog.headers["location"], follow_redirects=False)
        assert callback.status_code == 303 and callback.headers["location"].startswith("/social/connect?")
        query = httpx.URL(callback.headers["location"]).params
        return {"state": query["state"], "code": query["code"]}

    def connect(
        self, person: Person, agent_id: int, login: str = "facebook", keys: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """The whole connection: consent, the candidates, and the pick (all of them unless `keys`)."""
        done = person.post("/api/social/oauth/callback", json=self.consent(person, agent_id, login))
        assert done.status_code == 200, done.text
        connection = done.json()
        chosen = keys if keys is not None else [candidate["key"] for candidate in connection["candidates"]]
        picked = person.post(f"/api/social/connections/{connection['id']}", json={"keys": chosen})
        assert picked.status_code == 200, picked.text
        accounts: list[dict[str, Any]] = picked.json()
        return accounts

    def wait_for(self, person: Person, path: str, check: Any, what: str) -> Any:
        deadline = time.monotonic() + DEADLINE
        while True:
            answer = person.get(path)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            if check(body):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen in {DEADLINE}s; last answer: {body}")
            time.sleep(0.05)


def social_settings(data_dir: Path, graph: GraphServer, port: int, **extra: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=data_dir / "no-frontend",
        sandboxes_enabled=False,
        meta_app_id=graph.app_id,
        meta_app_secret=graph.app_secret,
        meta_graph_url=graph.url,
        instagram_graph_url=graph.url,
        meta_dialog_url=graph.url,
        instagram_dialog_url=graph.url,
        public_url=f"http://127.0.0.1:{port}",
        social_publish_interval_seconds=0.05,
        social_poll_seconds=0.05,
        social_retry_seconds=0.05,
        **extra,
    )


@pytest.fixture
def graph() -> Iterator[GraphServer]:
    with GraphServer() as server:
        server.now = datetime.now(UTC).replace(microsecond=0)
        yield server


@contextmanager
def serve_world(data_dir: Path, graph: GraphServer, port: int | None = None) -> Iterator[SocialWorld]:
    """The control plane served over HTTP for the social tests until the block ends (its people's clients closed)."""
    port = port or free_port()
    settings = social_settings(data_dir, graph, port)
    app = create_app(settings)
    started = time.monotonic()
    # Meta's time and ours are one, and it moves: a test jumps it by moving `graph.now`.
    app.state.clock = lambda: graph.now + timedelta(seconds=time.monotonic() - started)
    made = SocialWorld(app, f"http://127.0.0.1:{port}", graph, settings)
    with serve_in_thread(app, port):
        try:
            yield made
        finally:
            for person in made.people:
                person.http.close()


@pytest.fixture
def world(tmp_path: Path, graph: GraphServer) -> Iterator[SocialWorld]:
    with serve_world(tmp_path / "data", graph) as made:
        yield made
