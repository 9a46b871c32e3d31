"""The runner daemon: a unix-socket server that owns the sandbox's tmux sessions.

The socket lives outside the user's bind-mounted home (by default /run/autocode/runner.sock on a tmpfs),
so nothing in the user's files can replace it, and it is mode 0600: only the sandbox's uid connects,
normally through `autocode-runner attach` inside a `docker exec`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from contextlib import suppress
from typing import Any

from autocode_runner.connection import Connection
from autocode_runner.contract.wire import RUNNER_CONNECTIONS_GRACE_SECONDS
from autocode_runner.fs import HomeFS
from autocode_runner.instances import Instances
from autocode_runner.listen import listen
from autocode_runner.methods import Methods
from autocode_runner.protocol import encode, event_message
from autocode_runner.tmux import Tmux
from autocode_runner.versions import Versions
from autocode_runner.watcher import SessionWatcher

log = logging.getLogger(__name__)


class RunnerServer:
    def __init__(self, socket_path: str, home: str, versions: Versions | None = None) -> None:
        self.socket_path = socket_path
        self.home = home
        self._connections: dict[Connection, asyncio.Task[Any] | None] = {}  # and the task serving it
        self._versions = versions or Versions()
        tmux = Tmux()
        self._watcher = SessionWatcher(tmux, self.broadcast)
        self.instances = Instances(self.broadcast)
        self._methods = Methods(HomeFS(home), tmux, self._watcher, self._versions, self.instances).table()

    def broadcast(self, name: str, data: dict[str, Any]) -> None:
        line = encode(event_message(name, data))
        for connection in list(self._connections):
            connection.send_event(line)

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(reader, writer, self._methods, self._versions)
        self._connections[connection] = asyncio.current_task()
        try:
            await connection.serve()
        except Exception:
            log.exception("a connection failed")
        finally:
            self._connections.pop(connection, None)

    async def _drop_connections(self) -> None:
        """Disconnect every client and give their handlers a moment to finish quietly."""
        handlers = [task for task in self._connections.values() if task is not None]
        for connection in list(self._connections):
            connection.abort()
        if handlers:
            await asyncio.wait(handlers, timeout=RUNNER_CONNECTIONS_GRACE_SECONDS)

    async def serve(self, listener: socket.socket | None = None) -> None:
        """Serve until SIGTERM or SIGINT, on `listener` when `serve` bound it already (listen.py), else on a new
        socket at socket_path."""
        self._versions.start()  # `claude --version` is slow: measured on a thread of its own, from now
        server = await asyncio.start_unix_server(self._on_client, sock=listener or listen(self.socket_path))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        background = [asyncio.create_task(self._watcher.run())]
        log.info("serving on %s for home %s (uid %d)", self.socket_path, self.home, os.getuid())
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            server.close()
            for task in background:
                task.cancel()
            await self.instances.close()
            await self._drop_connections()
            with suppress(FileNotFoundError):
                os.unlink(self.socket_path)
