"""The echo kind's control-plane side, which exists only in the tests: it proves that a second agent kind plugs
into the runtime with no code of its own in the supervisor or the runner's core.

Its targets are rows of a table of its own (made here, beside the migrated schema), each tied to an agent:
deleting the agent cascades to them, as a real kind's rows would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autocode_runner.contract.specs import EchoSpec
from autocode_runner.contract.wire import InstanceKind
from fastapi import FastAPI
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select, text, update
from sqlmodel import Session

from controlplane.errors import NotFound
from controlplane.runtime.kinds import Launch, LiveEvent

# Kept out of SQLModel's metadata (the migrations-match-models test must not see it); the foreign keys are in
# the DDL below, where the database enforces them.
ECHOES = Table(
    "test_echoes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("agent_id", Integer, nullable=False),
    Column("desired_state", String(16), nullable=False, default="stopped"),
    Column("heard", Integer, nullable=False, default=0),
)
CREATE = """CREATE TABLE IF NOT EXISTS test_echoes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    desired_state VARCHAR(16) NOT NULL DEFAULT 'stopped',
    heard INTEGER NOT NULL DEFAULT 0
)"""
HEARD_EVENT = "test_echo.heard"


def plug_in(app: FastAPI) -> None:
    """Add the echo kind to an app's runtime before it starts, as a built-in kind is listed in create_app."""
    handler = EchoKind()
    app.state.supervisor.kinds[handler.kind] = handler


def create_table(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(CREATE))


def add_echo(engine: Engine, user_id: int, agent_id: int) -> int:
    with engine.begin() as connection:
        result = connection.execute(insert(ECHOES).values(user_id=user_id, agent_id=agent_id))
        return int(result.inserted_primary_key[0])  # type: ignore[index]  # one integer key


def echo_row(engine: Engine, echo_id: int) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(select(ECHOES).where(ECHOES.c.id == echo_id)).mappings().first()
        return dict(row) if row is not None else None


@dataclass
class EchoKind:
    kind: InstanceKind = InstanceKind.ECHO
    noun: str = "echo"

    def _row(self, session: Session, user_id: int, target_id: int) -> dict[str, Any] | None:
        query = select(ECHOES).where(ECHOES.c.id == target_id, ECHOES.c.user_id == user_id)
        row = session.connection().execute(query).mappings().first()
        return dict(row) if row is not None else None

    def _set(self, session: Session, user_id: int, target_id: int, **values: Any) -> None:
        query = update(ECHOES).where(ECHOES.c.id == target_id, ECHOES.c.user_id == user_id).values(**values)
        session.connection().execute(query)

    def wanted(self, session: Session, user_id: int) -> set[int]:
        query = select(ECHOES.c.id).where(ECHOES.c.user_id == user_id, ECHOES.c.desired_state == "running")
        return set(session.connection().execute(query).scalars())

    def exists(self, session: Session, user_id: int, target_id: int) -> bool:
        return self._row(session, user_id, target_id) is not None

    def owner_columns(self, target_id: int) -> dict[str, int]:
        return {}

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        row = self._row(session, user_id, target_id)
        if row is None:
            raise NotFound("Echo")
        return Launch(agent_id=row["agent_id"], spec=EchoSpec(greeting=f"echo {target_id} here", heard=row["heard"]))

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        self._set(session, user_id, target_id, desired_state="running")
        return f"{'Resumed' if resumed else 'Started'} echo {target_id} (pid {pid})"

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        if wanted:
            self._set(session, user_id, target_id, desired_state="stopped")

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        return False

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        heard = data.get("heard")
        if not isinstance(heard, int):
            return []
        self._set(session, user_id, target_id, heard=heard)
        session.commit()
        return [{"type": HEARD_EVENT, "echo_id": target_id, "heard": heard}]
