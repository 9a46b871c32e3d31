"""One world per test module for the security suites: a real control plane (sandboxes off, a real SQLite file in a
throwaway data directory), a scripted Meta (tests/support/fakes/graph_server.py) so the social routes answer as
they would for a family, three people (the owner of everything, another user, an admin), and the owner's
resources of every kind, made through the API (or, for what only a runner or Meta makes, through the same models
the services write). Module-scoped, so the matrix's hundreds of cells share one app and run in seconds.

Names of the owner's things carry OWNER_MARK, so a cell can check that another caller's answer holds none of them.
Routes that destroy what they reach take a fresh resource per cell from the factories below."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.learning import scheduling
from controlplane.main import create_app
from controlplane.models import ReviewCard
from controlplane.models.social import Platform, SocialAccount, SocialMedia
from controlplane.services.users import create_user
from controlplane.social import media as social_media
from tests.support.app import Account
from tests.support.fakes.graph_server import GraphServer

OWNER_MARK = "OWNERMARK"
PASSWORD = "matrix-password-1"
DOOR = "door"  # signs in and out through the public routes, so nobody else's sign-in is touched
REFRESH_COOKIE = "autocode_refresh"


@dataclass
class World:
    """The app, its client and the owner's resources (ids by name), with factories for fresh ones."""

    app: FastAPI
    client: TestClient
    settings: Settings
    graph: GraphServer
    owner: Account
    other: Account
    admin: Account
    meta: dict[str, str]  # Meta's ids of the owner's comment and conversation
    ids: dict[str, int] = field(default_factory=dict)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def caller(self, name: str) -> dict[str, str]:
        """The headers of one of the four callers."""
        return {} if name == "anonymous" else getattr(self, name).headers

    def unique(self, stem: str) -> str:
        return f"{OWNER_MARK} {stem} {next(self._counter)}"

    def as_owner(self, method: str, url: str, expect: int, **kwargs: Any) -> Any:
        self.client.cookies.clear()
        headers = {**self.owner.headers, **kwargs.pop("headers", {})}
        response = self.client.request(method, url, headers=headers, **kwargs)
        assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    # -- fresh resources of the owner's ------------------------------------------------------------------
    def agent(self, **body: Any) -> int:
        created = self.as_owner("POST", "/api/agents", 201, json={"name": self.unique("agent"), **body})
        return int(created["id"])

    def project(self) -> int:
        body = {"name": self.unique("project"), "description": "A page that says hello."}
        return int(self.as_owner("POST", f"/api/agents/{self.ids['coding_agent']}/projects", 201, json=body)["id"])

    def research(self) -> int:
        body = {"name": self.unique("research")}
        return int(self.as_owner("POST", f"/api/agents/{self.ids['research_agent']}/research", 201, json=body)["id"])

    def subject(self) -> int:
        body = {"name": self.unique("subject")}
        return int(self.as_owner("POST", f"/api/agents/{self.ids['learning_agent']}/subjects", 201, json=body)["id"])

    def course(self, subject_id: int | None = None) -> int:
        subject = subject_id or self.ids["subject"]
        body = {"name": self.unique("course"), "instructions": "Talk with me."}
        return int(self.as_owner("POST", f"/api/subjects/{subject}/courses", 201, json=body)["id"])

    def chat(self) -> int:
        body = {"title": self.unique("chat")}
        return int(self.as_owner("POST", f"/api/agents/{self.ids['custom_agent']}/chats", 201, json=body)["id"])

    def api_key(self, provider: str | None = None) -> int:
        """A key of a provider of its own (one key per provider and person)."""
        body = {"provider": provider or f"provider{next(self._counter)}", "key": "sk-matrix-0000000000001234"}
        return int(self.as_owner("POST", "/api/settings/api-keys", 201, json=body)["id"])

    def user(self) -> int:
        """A person the admin made (for the admin routes that change or remove one)."""
        self.client.cookies.clear()
        body = {"username": f"person{next(self._counter)}", "password": PASSWORD}
        response = self.client.post("/api/users", json=body, headers=self.admin.headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def card(self, course_id: int | None = None) -> int:
        """A review card as the tutor's report would make it (only a runner makes cards)."""
        state, due = scheduling.new_schedule(datetime.now(UTC))
        with Session(self.app.state.engine) as session:
            card = ReviewCard(
                user_id=self.owner.id,
                course_id=course_id or self.ids["course"],
                uid=f"w{next(self._counter)}",
                kind="word",
                front=f"{OWNER_MARK}?",
                back=OWNER_MARK,
                fsrs=state,
                due=due,
            )
            session.add(card)
            session.commit()
            return card.id or 0

    def media(self) -> int:
        picture = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 80, 40)).save(picture, format="JPEG")
        created = self.as_owner(
            "POST",
            "/api/social/media",
            201,
            params={"name": f"{OWNER_MARK}.jpg"},
            content=picture.getvalue(),
            headers={"Content-Type": "image/jpeg"},
        )
        return int(created["id"])

    def public_media_token(self) -> str:
        with Session(self.app.state.engine) as session:
            found = session.get(SocialMedia, self.ids["media"])
            assert found is not None
            url = social_media.public_url(self.app.state.social, found)
        return url.rsplit("/", 1)[1]

    def oauth_state(self) -> dict[str, str]:
        """The state and code Meta sends back after the owner consents (read from the dialog's redirect)."""
        start = self.as_owner("GET", "/api/social/connect/facebook", 200, params={"agent_id": self.ids["social_agent"]})
        dialog = httpx.get(start["url"], follow_redirects=False)
        assert dialog.status_code == 302, dialog.text
        query = parse_qs(urlsplit(dialog.headers["location"]).query)
        return {"state": query["state"][0], "code": query["code"][0]}

    def connection(self) -> int:
        """A finished login of the owner's, waiting for the accounts to be picked."""
        return int(self.as_owner("POST", "/api/social/oauth/callback", 200, json=self.oauth_state())["id"])

    def connection_keys(self, connection_id: int) -> list[str]:
        found = self.as_owner("GET", f"/api/social/connections/{connection_id}", 200)
        return [candidate["key"] for candidate in found["candidates"]]

    def social_accounts(self) -> list[dict[str, Any]]:
        connection_id = self.connection()
        picked = self.as_owner(
            "POST", f"/api/social/connections/{connection_id}", 200, json={"keys": self.connection_keys(connection_id)}
        )
        return list(picked)

    def social_account(self) -> int:
        """A connected Facebook Page of the owner's, as a pick stores it (made directly: Meta's side is not needed
        for the routes that forget one)."""
        with Session(self.app.state.engine) as session:
            account = SocialAccount(
                user_id=self.owner.id,
                agent_id=self.ids["social_agent"],
                platform=Platform.FACEBOOK.value,
                external_id=f"9{next(self._counter):05d}",
                access_token=self.app.state.social.seal("page-token"),
                account_name=self.unique("page"),
            )
            session.add(account)
            session.commit()
            return account.id or 0

    def post(self) -> int:
        """A post scheduled a week ahead, so the publisher leaves it alone."""
        body = {
            "agent_id": self.ids["social_agent"],
            "text": f"{OWNER_MARK} post",
            "media_ids": [self.ids["media"]],
            "account_ids": [self.ids["instagram_account"]],
            "scheduled_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        }
        return int(self.as_owner("POST", "/api/social/posts", 202, json=body)["id"])


def _sign_in(client: TestClient, app: FastAPI, settings: Settings, username: str, role: str = "user") -> Account:
    with Session(app.state.engine) as session:
        user_id = create_user(session, settings, username, PASSWORD, role=role).id
    assert user_id is not None
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # callers use their bearer token only; the refresh routes are given cookies explicitly
    return Account(user_id, username, PASSWORD, response.json()["access_token"])


def _scripted_meta(graph: GraphServer) -> dict[str, str]:
    """The owner's Meta side: a person with a Page and the Instagram account linked to it, a post with a comment,
    and a conversation; Meta's ids of the comment and the conversation."""
    graph.now = datetime.now(UTC).replace(microsecond=0)
    person = graph.add_user("1001", "Owner")
    instagram = graph.add_ig_account("17841400000000001", "owner.ig")
    graph.add_page("2001", f"{OWNER_MARK} Page", instagram=instagram, user=person.id)
    post = graph.add_post(instagram.id, caption=f"{OWNER_MARK} on Instagram")
    comment = graph.add_comment(post.id, author="fan", text=f"{OWNER_MARK} comment")
    talk = graph.add_conversation(
        instagram.id, "instagram", "3001", "Fan", messages=[("them", f"{OWNER_MARK} hello", graph.now)]
    )
    return {"comment": comment.id, "conversation": talk.id}


def build_world(data_dir: Path, graph: GraphServer, meta: dict[str, str]) -> Iterator[World]:
    settings = Settings(
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
        public_url="http://127.0.0.1:9",  # where Meta would fetch media; nothing here serves it
    )
    app = create_app(settings)
    with TestClient(app) as client:
        world = World(
            app,
            client,
            settings,
            graph,
            owner=_sign_in(client, app, settings, "owner"),
            other=_sign_in(client, app, settings, "other"),
            admin=_sign_in(client, app, settings, "admin", role="admin"),
            meta=meta,
        )
        with Session(app.state.engine) as session:
            create_user(session, settings, DOOR, PASSWORD)
        ids = world.ids
        ids["anthropic_key"] = world.api_key("anthropic")
        ids["coding_agent"] = world.agent(template="coding")
        ids["research_agent"] = world.agent(template="research")
        ids["learning_agent"] = world.agent(template="learning")
        ids["social_agent"] = world.agent(template="social_media")
        ids["custom_agent"] = world.agent(model="anthropic/claude-sonnet-4-5", identity="You help.")
        ids["project"] = world.project()
        ids["research"] = world.research()
        ids["subject"] = world.subject()
        ids["course"] = world.course()
        ids["card"] = world.card()
        ids["chat"] = world.chat()
        accounts = {account["platform"]: account["id"] for account in world.social_accounts()}
        ids["instagram_account"], ids["facebook_account"] = accounts["instagram"], accounts["facebook"]
        ids["connection"] = world.connection()
        ids["media"] = world.media()
        ids["post"] = world.post()
        yield world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with GraphServer() as graph:
        meta = _scripted_meta(graph)
        yield from build_world(tmp_path_factory.mktemp("security") / "data", graph, meta)
