"""An application served by a real uvicorn in a thread of the test process (real sockets, real WebSocket close
handshakes), with the app's state at hand for the test; `serving` in live_server.py runs the `autocode` command
instead."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from tests.support.live_server import free_port

DEADLINE = 30.0


@dataclass
class ServedApp:
    base: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")

    def portal_call(self, function: Any, *args: Any) -> Any:
        """Run a coroutine function on the server's own event loop (where the sandbox channels live)."""
        return asyncio.run_coroutine_threadsafe(function(*args), self.loop).result(DEADLINE)


@contextmanager
def serve_in_thread(app: FastAPI, port: int | None = None) -> Iterator[ServedApp]:
    """Serve `app` (its lifespan included) on `port` (a free one by default) until the block ends."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield ServedApp(f"http://127.0.0.1:{port}", app, loop)
    finally:
        server.should_exit = True
        thread.join(DEADLINE)
