"""Structured agent logs: written to the logs table and pushed to every subscriber of the project.

Writing and publishing happen under one lock, so subscribers receive entries in id order; a subscriber
registers before it reads the backlog and skips ids it has already sent, so the switch from backlog to
live has no gap and no duplicate.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from controlplane.models import Log
from controlplane.realtime.fanout import FanOut, Subscriber

BACKLOG_LIMIT = 5000


def log_event(entry: Log) -> dict[str, Any]:
    return {
        "id": entry.id,
        "project_id": entry.project_id,
        "agent_instance_id": entry.agent_instance_id,
        "level": entry.level,
        "message": entry.message,
        "timestamp": entry.timestamp.isoformat(),
    }


class LogHub:
    def __init__(self, engine: Engine, queue_limit: int = 1000) -> None:
        self.engine = engine
        self.fanout = FanOut(queue_limit)
        self._write_lock = threading.Lock()

    def write(
        self, *, user_id: int, project_id: int | None, level: str, message: str, agent_instance_id: int | None = None
    ) -> dict[str, Any]:
        """Insert a log entry and push it live. Safe from any thread."""
        # expire_on_commit=False: the entry keeps its id and timestamp after the commit, so no SELECT reads back what
        # was just written (a log line costs one INSERT; a busy project writes many).
        with self._write_lock, Session(self.engine, expire_on_commit=False) as session:
            entry = Log(
                user_id=user_id,
                project_id=project_id,
                agent_instance_id=agent_instance_id,
                level=level,
                message=message,
            )
            session.add(entry)
            session.commit()
            event = log_event(entry)
            if project_id is not None:
                self.fanout.publish(project_id, event)
        return event

    def subscribe(self, project_id: int) -> Subscriber:
        return self.fanout.subscribe(project_id)

    def unsubscribe(self, project_id: int, subscriber: Subscriber) -> None:
        self.fanout.unsubscribe(project_id, subscriber)

    def backlog(self, project_id: int, after: int) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(Log)
                .where(Log.project_id == project_id, col(Log.id) > after)
                .order_by(col(Log.id))
                .limit(BACKLOG_LIMIT)
            ).all()
            return [log_event(row) for row in rows]
