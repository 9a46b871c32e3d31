"""SQLite under concurrent writers (issue 17): a real `autocode serve` (sandboxes off) written to by many people at
once through its API (agent edits, new chats and their renames, preferences, sign-ins), while the runtime's own
writers, the chat hub storing messages and replies and the log hub storing log lines, write to the same database from
threads of another process (a second control-plane engine on the same file, as a CLI or a second worker would).
No answer says "database is locked" (nor any other failure), nothing written is missing afterwards, and the file is
whole. WAL and the busy timeout (controlplane/db.py) are what make this hold; a busy database past its timeout is
answered 503 in words (controlplane/api/errors.py), which this test would also count as a failure."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from autocode_runner.contract.chat import ChatEvent, ChatEventType
from sqlmodel import Session, col, func, select

from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.config import Settings
from controlplane.custom.kind import SESSION_TYPE
from controlplane.db import make_engine
from controlplane.models import ChatMessage, Log
from controlplane.realtime.logs import LogHub
from tests.faults.api import Api, integrity
from tests.support.live_server import serving

ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "password-123"
PEOPLE = 4
API_WRITERS = 16  # threads, each one person's browser tab; four per person
ROUNDS = 12  # each round: an agent edit, a new chat, its rename, preferences; a sign-in every fourth
RUNTIME_WRITERS = 6  # threads of the other engine: chat turns and log lines
TURNS = 20
DEADLINE = 120.0


def test_many_concurrent_writers_never_see_a_locked_database_and_lose_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data, capture=False, log=tmp_path / "serve.log", AUTOCODE_ADMIN_PASSWORD=ADMIN_PASSWORD) as (base, _):
        admin = Api(base).sign_in("admin", ADMIN_PASSWORD)
        people: list[tuple[Api, int, int, str]] = []  # (signed in, user id, agent id, username)
        runtime_chats: list[int] = []  # one chat per person, written to by the runtime's writers
        for n in range(PEOPLE):
            username = f"writer{n}"
            user = admin.ok("post", "/api/users", {"username": username, "password": PASSWORD}, 201)
            me = Api(base).sign_in(username, PASSWORD)
            agent = me.ok("post", "/api/agents", {"name": "Helper", "model": "openai/gpt-test", "identity": "-"}, 201)
            runtime_chats.append(me.ok("post", f"/api/agents/{agent['id']}/chats", {}, 201)["id"])
            people.append((me, user["id"], agent["id"], username))

        answers: list[tuple[str, int, str]] = []
        answers_lock = threading.Lock()
        made_chats: Counter[int] = Counter()
        identities: dict[int, set[str]] = {agent: set() for _, _, agent, _ in people}

        def api_writer(index: int) -> None:
            me, _, agent, username = people[index % PEOPLE]
            with httpx.Client(base_url=base, headers=me.headers, timeout=60) as http:

                def send(method: str, path: str, body: Any = None) -> httpx.Response:
                    try:
                        response = http.request(method, path, json=body)
                    except httpx.TransportError as exc:  # counted as a failed write; the server's log says more
                        with answers_lock:
                            answers.append((f"{method} {path}", 0, f"{type(exc).__name__}: {exc}"))
                        return httpx.Response(0)
                    with answers_lock:
                        answers.append((f"{method} {path}", response.status_code, response.text[:500]))
                    return response

                for round_ in range(ROUNDS):
                    identity = f"writer {index} round {round_}"
                    identities[agent].add(identity)
                    body = {"name": "Helper", "model": "openai/gpt-test", "identity": identity}
                    send("PUT", f"/api/agents/{agent}", body)
                    chat = send("POST", f"/api/agents/{agent}/chats", {})
                    if chat.status_code == 201:
                        with answers_lock:
                            made_chats[agent] += 1
                        send("PATCH", f"/api/chats/{chat.json()['id']}", {"title": f"chat {index}.{round_}"})
                    send("PUT", "/api/settings/preferences", {"theme": "dark", "terminal_font_size": 8 + round_})
                    if round_ % 4 == 0:
                        send("POST", "/api/auth/login", {"username": username, "password": PASSWORD})

        # The runtime's writers: another engine on the same file (its own connections, its own locks).
        other = make_engine(Settings(data_dir=data, secret_key="test-secret-" + "x" * 40))
        hub, logs = ChatHub(other), LogHub(other)
        runtime_failures: list[str] = []

        def runtime_writer(index: int) -> None:
            _, user_id, _, _ = people[index % PEOPLE]
            conversation = Conversation(user_id, SESSION_TYPE, runtime_chats[index % PEOPLE])
            try:
                for turn in range(TURNS):
                    message = hub.user_message(conversation, f"message {index}.{turn}", [])
                    assert message.id is not None
                    hub.apply(conversation, ChatEvent(type=ChatEventType.DELTA, turn=message.id, text="re"))
                    hub.apply(conversation, ChatEvent(type=ChatEventType.COMPLETED, turn=message.id, text="reply"))
                    logs.write(user_id=user_id, project_id=None, level="info", message=f"log {index}.{turn}")
            except Exception as exc:  # every failure is the finding
                runtime_failures.append(f"{type(exc).__name__}: {exc}")

        started = time.monotonic()
        with ThreadPoolExecutor(API_WRITERS + RUNTIME_WRITERS) as pool:
            futures = [pool.submit(api_writer, i) for i in range(API_WRITERS)]
            futures += [pool.submit(runtime_writer, i) for i in range(RUNTIME_WRITERS)]
            for future in futures:
                future.result(timeout=max(1.0, DEADLINE - (time.monotonic() - started)))
        took = time.monotonic() - started

        locked = [a for a in answers if "locked" in a[2].lower() or "busy" in a[2].lower()]
        assert not locked, f"{len(locked)} answers said the database was locked or busy: {locked[:5]}"
        assert not runtime_failures, runtime_failures[:5]
        wrong = [a for a in answers if a[1] not in (200, 201)]
        server_log = (tmp_path / "serve.log").read_text()[-3000:] if wrong else ""
        assert not wrong, f"{len(wrong)} of {len(answers)} writes failed: {wrong[:5]}\nthe server said:\n{server_log}"
        expected = API_WRITERS * ROUNDS * 4 + API_WRITERS * len(range(0, ROUNDS, 4))
        assert len(answers) == expected

        # Nothing lost: every chat made is listed, every agent holds one of the identities written to it, every
        # message and reply and log line is stored.
        for me, _, agent, _ in people:
            listed = me.ok("get", f"/api/agents/{agent}/chats")
            assert len(listed) == made_chats[agent] + 1
            assert me.ok("get", f"/api/agents/{agent}")["identity"] in identities[agent]
        with Session(other) as session:
            messages = session.exec(
                select(ChatMessage.role, func.count())
                .where(ChatMessage.session_type == SESSION_TYPE)
                .group_by(ChatMessage.role)
            ).all()
            assert dict(messages) == {"user": RUNTIME_WRITERS * TURNS, "assistant": RUNTIME_WRITERS * TURNS}
            lines = session.exec(select(func.count()).select_from(Log).where(col(Log.message).startswith("log "))).one()
            assert lines == RUNTIME_WRITERS * TURNS
        other.dispose()
        assert integrity(data / "autocode.db") == "ok"
    print(f"{len(answers)} API writes and {RUNTIME_WRITERS * TURNS * 4} runtime writes in {took:.1f}s")
