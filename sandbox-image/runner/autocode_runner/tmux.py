"""An async facade over the container's tmux server, built on libtmux.

The runner uses tmux's default socket, so a terminal viewer's `tmux attach -t NAME` (a TTY exec as the
same uid) finds the same server without flags. libtmux runs tmux as a subprocess and blocks, so every
call runs in a worker thread. Targets use tmux's exact-match syntax (`=NAME`): plain `-t NAME` would
also match a session whose name merely starts with NAME. Failures raise this module's TmuxError family;
session names are checked by the caller (autocode_runner.contract.wire.SESSION_NAME).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libtmux

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LIST_FORMAT = "#{session_windows}\t#{session_attached}\t#{session_created}\t#{session_name}"
# A target that is gone, including the moments while the last session's server shuts down.
_NOT_FOUND_WORDS = (
    "can't find session",
    "can't find pane",
    "can't find window",
    "session not found",
    "no current target",
    "server exited unexpectedly",
)
_NO_SERVER_WORDS = ("no server running", "error connecting to")


@dataclass(frozen=True)
class SessionInfo:
    name: str
    windows: int
    attached: int
    created: int


class TmuxError(Exception):
    """tmux refused or failed a command; the message says what went wrong, in tmux's words where it gave any.

    This layer knows nothing of the protocol: autocode_runner.methods maps these to the wire's error codes.
    """


class SessionNotFound(TmuxError):
    """No session of that name (or its server is gone)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no tmux session named {name!r}")
        self.name = name


class SessionExists(TmuxError):
    """A session of that name already exists."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a tmux session named {name!r} already exists")
        self.name = name


class TmuxUnavailable(TmuxError):
    """tmux could not be asked (as opposed to: it answered that there are no sessions)."""


class Tmux:
    def __init__(self) -> None:
        # libtmux is imported on first use, in a worker thread: its ~30 ms are not the runner's start-up.
        self._server: libtmux.Server | None = None
        self._making = threading.Lock()

    def _libtmux_server(self) -> libtmux.Server:
        with self._making:
            if self._server is None:
                import libtmux

                self._server = libtmux.Server()
            return self._server

    async def _run(self, *args: str) -> tuple[int, list[str], str]:
        """Run one tmux command in a thread; returns (exit code, stdout lines, stderr text)."""

        def call() -> tuple[int, list[str], str]:
            server = self._libtmux_server()
            from libtmux import exc as libtmux_exc

            try:
                result = server.cmd(*args)
            except libtmux_exc.TmuxCommandNotFound:
                raise TmuxUnavailable("tmux is not installed") from None
            return result.returncode or 0, list(result.stdout), " ".join(result.stderr).strip()

        return await asyncio.to_thread(call)

    async def _checked(self, name: str, *args: str) -> list[str]:
        """Run a command on session `name`; its stdout, or SessionNotFound, SessionExists or TmuxError."""
        code, stdout, stderr = await self._run(*args)
        if code == 0:
            return stdout
        lowered = stderr.lower()
        if any(words in lowered for words in _NOT_FOUND_WORDS + _NO_SERVER_WORDS):
            raise SessionNotFound(name)
        if "duplicate session" in lowered:
            raise SessionExists(name)
        raise TmuxError(stderr or f"tmux {args[0]} failed with exit code {code}")

    async def sessions(self) -> list[SessionInfo]:
        """All sessions; no running server means none. Raises TmuxUnavailable when tmux cannot say."""
        code, stdout, stderr = await self._run("list-sessions", "-F", _LIST_FORMAT)
        if code != 0:
            if any(words in stderr.lower() for words in _NO_SERVER_WORDS):
                return []
            raise TmuxUnavailable(stderr or f"tmux list-sessions failed with exit code {code}")
        sessions = []
        for line in stdout:
            windows, attached, created, name = line.split("\t", 3)
            sessions.append(SessionInfo(name, int(windows), int(attached), int(created)))
        return sessions

    async def new(
        self, name: str, *, command: str | None, cwd: str, env: dict[str, str], width: int, height: int
    ) -> None:
        args = ["new-session", "-d", "-s", name, "-c", cwd, "-x", str(width), "-y", str(height)]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        if command is not None:
            args.append(command)  # tmux runs it with the default shell's -c; without it, a login shell
        await self._checked(name, *args)

    async def kill(self, name: str) -> None:
        await self._checked(name, "kill-session", "-t", f"={name}")

    async def send_keys(self, name: str, keys: str, *, literal: bool, enter: bool) -> None:
        """Literal text goes through `send-keys -l`; Enter is always its own call, as Claude Code's
        paste detector swallows an Enter that arrives in the same burst as long text."""
        target = f"={name}:"
        if literal:
            await self._checked(name, "send-keys", "-t", target, "-l", "--", keys)
        elif keys.split():
            await self._checked(name, "send-keys", "-t", target, "--", *keys.split())
        if enter:
            await self._checked(name, "send-keys", "-t", target, "Enter")

    async def detach_client(self, pid: int) -> bool:
        """Detach the tmux client run by process `pid`; False when no client has that pid.

        A terminal viewer's `tmux attach` runs in a TTY exec that the engine does not end when the viewer
        disconnects, so the control plane detaches it explicitly (else it would hold the window's size).
        """
        code, stdout, _ = await self._run("list-clients", "-F", "#{client_pid}\t#{client_tty}")
        if code != 0:
            return False
        for line in stdout:
            client_pid, _, tty = line.partition("\t")
            if client_pid == str(pid):
                detached, _, _ = await self._run("detach-client", "-t", tty)
                return detached == 0
        return False

    async def capture(self, name: str, *, lines: int, escapes: bool) -> str:
        args = ["capture-pane", "-p", "-t", f"={name}:"]
        if escapes:
            args.append("-e")
        if lines:
            args += ["-S", str(-lines)]
        return "\n".join(await self._checked(name, *args))

    async def display(self, name: str, message_format: str) -> str:
        """tmux's `display-message -p`: the format (e.g. `#{pane_dead}`) expanded for the session's pane."""
        return "\n".join(await self._checked(name, "display-message", "-p", "-t", f"={name}:", message_format))

    async def paste(self, name: str, text: str, *, bracketed: bool) -> None:
        """Paste `text` into the session's pane as one paste, through a tmux buffer.

        With `bracketed`, the program sees bracketed-paste markers (when it asked for them), so a
        multi-line text arrives as one input instead of one line per Enter. The text goes through a
        temporary file, as command arguments are limited in size, and the buffer is deleted after.
        """
        buffer = f"autocode-paste-{name}"
        path = await asyncio.to_thread(_temporary_file, text.encode())
        try:
            await self._checked(name, "load-buffer", "-b", buffer, path)
        finally:
            await asyncio.to_thread(os.unlink, path)
        args = ["paste-buffer", "-d", "-b", buffer, "-t", f"={name}:"]
        if bracketed:
            args.append("-p")
        await self._checked(name, *args)


def _temporary_file(data: bytes) -> str:
    handle, path = tempfile.mkstemp(prefix="autocode-paste-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path
