"""The application fixtures (a pytest plugin, see tests/conftest.py): every test gets its own data directory, SQLite
file and application, and signed-in accounts on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.services.users import create_user

ADMIN_PASSWORD = "admin-password-1"
USER_PASSWORD = "user-password-1"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Low bcrypt cost keeps the suite fast; the cost is a setting, the code path is the same."""
    return Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=tmp_path / "no-frontend",
        sandboxes_enabled=False,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:  # runs the lifespan: migrations on start-up
        yield test_client


@pytest.fixture
def db(app: FastAPI, client: TestClient) -> Iterator[Session]:
    with Session(app.state.engine) as session:
        yield session


@dataclass
class Account:
    id: int
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_agent(client: TestClient, account: Account, **body: Any) -> dict[str, Any]:
    response = client.post("/api/agents", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


def login(client: TestClient, username: str, password: str) -> str:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def make_account(client: TestClient, app: FastAPI, settings: Settings) -> Callable[..., Account]:
    """Create an account directly through the service and sign it in through the API."""

    def make(username: str, role: str = "user", password: str = USER_PASSWORD) -> Account:
        with Session(app.state.engine) as session:
            user = create_user(session, settings, username, password, role=role)
            user_id = user.id
        assert user_id is not None
        return Account(user_id, username, password, login(client, username, password))

    return make


@pytest.fixture
def admin(make_account: Callable[..., Account]) -> Account:
    return make_account("admin", role="admin", password=ADMIN_PASSWORD)


@pytest.fixture
def alice(make_account: Callable[..., Account]) -> Account:
    return make_account("alice")


@pytest.fixture
def bob(make_account: Callable[..., Account]) -> Account:
    return make_account("bob")
