"""Structured agent logs: written to the logs table in batches and pushed to every subscriber of the project.

One writer thread takes the lines handed to `submit` in the order they came and inserts whatever has gathered
since its last commit in one transaction: twenty busy projects cost a commit per batch, not one per line (one
transaction a line could not keep up with 1,000 lines a second beside everything else). It then publishes the
batch in id order, so subscribers receive entries in id order; a subscriber registers before it reads the backlog
and skips ids it has already sent, so the switch from backlog to live has no gap and no duplicate.

A line counts as written when its future resolves: the supervisor awaits it before the instance's next event, so
an instance's log line is in the table before whatever it reported next is acted on.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from controlplane.models import Log
from controlplane.models.base import utcnow
from controlplane.realtime.fanout import FanOut, Subscriber

BACKLOG_LIMIT = 5000
MAX_BATCH = 500  # lines in one transaction: bounds the time one commit holds the database
CLOSE_TIMEOUT_SECONDS = 10.0

log = logging.getLogger(__name__)
LOGS = cast(Table, Log.__table__)  # type: ignore[attr-defined]


def log_event(entry: Log) -> dict[str, Any]:
    return _event(
        entry.id or 0,
        entry.user_id,
        entry.project_id,
        entry.agent_instance_id,
        entry.level,
        entry.message,
        entry.timestamp,
    )


def _event(
    entry_id: int,
    user_id: int,
    project_id: int | None,
    agent_instance_id: int | None,
    level: str,
    message: str,
    timestamp: datetime,
) -> dict[str, Any]:
    del user_id  # kept on the row for owner filtering; the viewer already is its owner
    return {
        "id": entry_id,
        "project_id": project_id,
        "agent_instance_id": agent_instance_id,
        "level": level,
        "message": message,
        "timestamp": timestamp.isoformat(),
    }


@dataclass
class _Line:
    values: dict[str, Any]
    done: Future[dict[str, Any]]


class LogHub:
    def __init__(self, engine: Engine, queue_limit: int = 1000) -> None:
        self.engine = engine
        self.fanout = FanOut(queue_limit)
        self._lines: queue.SimpleQueue[_Line | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._state_lock = threading.Lock()  # starting and stopping the writer
        self._commit_lock = threading.Lock()  # one committer at a time: ids are published in order

    def submit(
        self, *, user_id: int, project_id: int | None, level: str, message: str, agent_instance_id: int | None = None
    ) -> Future[dict[str, Any]]:
        """Queue a log line for the writer; the future resolves to its event once it is committed and published
        (or fails with the database's error). Safe from any thread; never blocks on the database."""
        line = _Line(
            {
                "user_id": user_id,
                "project_id": project_id,
                "agent_instance_id": agent_instance_id,
                "level": level,
                "message": message,
                "timestamp": utcnow(),  # when the line was reported, not when its batch was committed
            },
            Future(),
        )
        with self._state_lock:
            if self._writer is None:  # the first line, or the first since close(): an app can start again
                self._writer = threading.Thread(target=self._write_batches, name="log-writer", daemon=True)
                self._writer.start()
            self._lines.put(line)
        return line.done

    def write(
        self, *, user_id: int, project_id: int | None, level: str, message: str, agent_instance_id: int | None = None
    ) -> dict[str, Any]:
        """Write a log line and wait until it is committed and published. Safe from any thread (not the loop)."""
        return self.submit(
            user_id=user_id, project_id=project_id, level=level, message=message, agent_instance_id=agent_instance_id
        ).result()

    def close(self) -> None:
        """Commit what is queued and stop the writer (at shutdown); a later line starts a new one."""
        with self._state_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                self._lines.put(None)
        if writer is not None:
            writer.join(CLOSE_TIMEOUT_SECONDS)

    def _write_batches(self) -> None:
        while True:
            first = self._lines.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < MAX_BATCH:
                try:
                    line = self._lines.get_nowait()
                except queue.Empty:
                    break
                if line is None:
                    stop = True
                    break
                batch.append(line)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Line]) -> None:
        with self._commit_lock:
            try:
                ids = self._insert([line.values for line in batch])
            except IntegrityError:
                # One bad line (a level outside the vocabulary, a deleted owner) must not lose the others.
                for line in batch:
                    self._commit_alone(line)
                return
            except Exception as exc:  # the database refused (full disk, locked past its timeout): say so, go on
                log.error("could not write %d log line(s): %s", len(batch), exc)
                for line in batch:
                    line.done.set_exception(exc)
                return
            self._publish(batch, ids)

    def _commit_alone(self, line: _Line) -> None:
        try:
            ids = self._insert([line.values])
        except Exception as exc:
            log.error("could not write a log line: %s", exc)
            line.done.set_exception(exc)
        else:
            self._publish([line], ids)

    def _insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """One multi-row INSERT, so the batch costs one step of SQLite: the sqlite3 module lets go of the GIL for
        each step (each row of a RETURNING too) and, beside a busy event loop, waits up to the switch interval
        (5 ms) to get it back, so a per-row step made a batch of n lines wait n times that. A single statement's
        rows get consecutive rowids (the table's largest plus one each; `id` is the rowid), so the last one
        names them all."""
        with self.engine.begin() as connection:
            last = connection.execute(insert(LOGS).values(rows)).lastrowid
        return list(range(last - len(rows) + 1, last + 1))

    def _publish(self, batch: list[_Line], ids: list[int]) -> None:
        events = [_event(entry_id, **line.values) for line, entry_id in zip(batch, ids, strict=True)]
        by_project: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            if event["project_id"] is not None:
                by_project[event["project_id"]].append(event)
        for project_id, project_events in by_project.items():
            self.fanout.publish_many(project_id, project_events)
        for line, event in zip(batch, events, strict=True):
            line.done.set_result(event)

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
