"""Database engine and sessions. SQLite is tuned here: foreign keys on, WAL, a busy timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

from controlplane.config import Settings

T = TypeVar("T")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Cascading deletes rely on this; SQLite leaves foreign keys off per connection by default.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        settings.ensure_data_dir()
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def in_worker(session: Session, work: Callable[[Session], T]) -> T:
    """Run `work` with the request's session in a worker thread, so the event loop never waits on the database.

    The connection goes back to the pool afterwards: between two pieces of work an async request may wait a
    long time on a sandbox, and must not hold a connection meanwhile. The session stays usable.
    """

    def run() -> T:
        try:
            return work(session)
        finally:
            session.close()

    return await asyncio.to_thread(run)
