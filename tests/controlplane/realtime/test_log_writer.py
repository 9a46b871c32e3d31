"""LogHub's writer: lines are committed in batches, in the order they came, none lost to a neighbour's bad line
or to shutdown, and each batch reaches a subscriber in id order."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event, func
from sqlmodel import Session, col, select

from controlplane.models import Log
from controlplane.realtime.logs import LogHub
from tests.controlplane.realtime.test_logs_and_events import make_project
from tests.support.app import Account


def stored_messages(app: FastAPI, user_id: int) -> list[str]:
    with Session(app.state.engine) as session:
        return list(session.exec(select(Log.message).where(Log.user_id == user_id).order_by(col(Log.id))).all())


def test_lines_from_many_threads_are_committed_in_few_transactions_each_thread_in_order(
    app: FastAPI, alice: Account
) -> None:
    hub = LogHub(app.state.engine)
    commits = 0

    def count(_connection: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(app.state.engine, "commit", count)
    threads, per_thread = 4, 500
    futures: dict[int, list[Future[dict[str, Any]]]] = {}
    go = threading.Event()

    def submitter(index: int) -> None:
        go.wait(10)
        futures[index] = [
            hub.submit(user_id=alice.id, project_id=None, level="info", message=f"t{index}-{n}")
            for n in range(per_thread)
        ]

    workers = [threading.Thread(target=submitter, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join(30)
    events = {index: [future.result(30) for future in items] for index, items in futures.items()}
    hub.close()
    event.remove(app.state.engine, "commit", count)

    for index, written in events.items():
        assert [entry["message"] for entry in written] == [f"t{index}-{n}" for n in range(per_thread)]
        ids = [entry["id"] for entry in written]
        assert ids == sorted(ids), "a thread's lines keep their order"
    with Session(app.state.engine) as session:
        stored = dict(session.exec(select(Log.id, Log.message).where(Log.user_id == alice.id)).all())
    assert len(stored) == threads * per_thread
    assert all(stored[entry["id"]] == entry["message"] for written in events.values() for entry in written), (
        "each event names the row it was written to"
    )
    assert commits < threads * per_thread / 5, f"{commits} commits for {threads * per_thread} lines: not batched"


def test_a_line_the_database_refuses_fails_alone(app: FastAPI, alice: Account) -> None:
    hub = LogHub(app.state.engine)
    before = hub.submit(user_id=alice.id, project_id=None, level="info", message="before")
    refused = hub.submit(user_id=alice.id, project_id=None, level="not-a-level", message="refused")
    after = hub.submit(user_id=alice.id, project_id=None, level="info", message="after")
    assert after.result(30)["message"] == "after"
    assert before.result(30)["message"] == "before"
    assert refused.exception(30) is not None
    assert stored_messages(app, alice.id) == ["before", "after"]
    hub.close()


def test_close_commits_what_is_queued_and_a_later_line_starts_a_new_writer(app: FastAPI, alice: Account) -> None:
    hub = LogHub(app.state.engine)
    futures = [hub.submit(user_id=alice.id, project_id=None, level="info", message=f"q{n}") for n in range(3000)]
    hub.close()  # without waiting on any future first
    assert all(future.done() and future.exception() is None for future in futures)
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Log)).one() >= 3000
    assert hub.write(user_id=alice.id, project_id=None, level="info", message="later")["message"] == "later"
    hub.close()


def test_a_subscriber_gets_each_batch_in_id_order(app: FastAPI, alice: Account) -> None:
    hub = LogHub(app.state.engine)
    project = make_project(app, alice)

    async def watch() -> list[int]:
        subscriber = hub.subscribe(project)
        futures = [hub.submit(user_id=alice.id, project_id=project, level="info", message=f"l{n}") for n in range(900)]
        received = [(await asyncio.wait_for(subscriber.get(), 30))["id"] for _ in futures]
        assert received == [future.result(30)["id"] for future in futures]
        return received

    received = asyncio.run(watch())
    assert received == sorted(received) and len(set(received)) == 900
    hub.close()
