"""What the fault tests share: a person signed in to a real `autocode serve` over HTTP, and SQLite's own verdict
on a file."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass
class Api:
    """A signed-in person talking to a running control plane over HTTP, as the PWA does."""

    base: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> httpx.Response:
        return httpx.request(method, f"{self.base}{path}", json=body, headers=self.headers, timeout=timeout)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.request(method, path, body)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:2000]}"
        return response.json() if response.content else None

    def sign_in(self, username: str, password: str) -> Api:
        token = self.ok("post", "/api/auth/login", {"username": username, "password": password})["access_token"]
        return Api(self.base, token)


def integrity(database: Path) -> str:
    """SQLite's `PRAGMA integrity_check` of the file ('ok' when nothing is wrong), on a connection of its own."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        return "; ".join(str(row[0]) for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()
