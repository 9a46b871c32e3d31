"""The protocol's methods (all but `hello`, which belongs to the connection): params in, result out.

Each handler validates its params completely before acting, runs blocking work in a worker thread, and
reports failures as RunnerError; the connection turns anything else into a one-line `internal` error.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from autocode_runner.fs import HomeFS
from autocode_runner.instances import Instances
from autocode_runner.params import Params, invalid
from autocode_runner.protocol import ErrorCode, RunnerError
from autocode_runner.tmux import ENV_NAME, SESSION_NAME, Tmux
from autocode_runner.versions import Versions
from autocode_runner.watcher import SessionWatcher

Handler = Callable[[Params], Awaitable[dict[str, Any]]]

# A reply must fit in one 16 MiB line: 10 MiB of bytes is at most ~13.4 MiB of base64.
MAX_READ_BYTES = 10 * 1024 * 1024
MAX_TERMINAL_SIZE = 1000
MAX_CAPTURE_LINES = 100_000
MAX_KEYS_LENGTH = 1024 * 1024


class Methods:
    def __init__(
        self, fs: HomeFS, tmux: Tmux, watcher: SessionWatcher, versions: Versions, instances: Instances
    ) -> None:
        self._fs = fs
        self._instances = instances
        self._tmux = tmux
        self._watcher = watcher
        self._versions = versions
        self._started = time.monotonic()

    def table(self) -> dict[str, Handler]:
        return {
            "ping": self.ping,
            "status": self.status,
            "fs.read": self.fs_read,
            "fs.write": self.fs_write,
            "fs.list": self.fs_list,
            "fs.mkdir": self.fs_mkdir,
            "fs.remove": self.fs_remove,
            "tmux.new": self.tmux_new,
            "tmux.kill": self.tmux_kill,
            "tmux.list": self.tmux_list,
            "tmux.send_keys": self.tmux_send_keys,
            "tmux.capture": self.tmux_capture,
            "tmux.detach_client": self.tmux_detach_client,
            "project.start": self.project_start,
            "project.stop": self.project_stop,
            "project.send": self.project_send,
            "project.list": self.project_list,
        }

    # -- coding projects -------------------------------------------------------------------------------

    async def project_start(self, params: Params) -> dict[str, Any]:
        project_id = params.integer("project_id", minimum=1, maximum=2**53)
        spec = params.mapping("spec")
        params.done()
        return {"pid": await self._instances.start(project_id, spec)}

    async def project_stop(self, params: Params) -> dict[str, Any]:
        project_id = params.integer("project_id", minimum=1, maximum=2**53)
        params.done()
        return {"stopped": await self._instances.stop(project_id)}

    async def project_send(self, params: Params) -> dict[str, Any]:
        project_id = params.integer("project_id", minimum=1, maximum=2**53)
        command = params.mapping("command")
        params.done()
        if command.get("type") not in ("pause", "resume", "reply", "plan"):
            raise invalid("'command.type' must be pause, resume, reply or plan")
        await self._instances.send(project_id, command)
        return {}

    async def project_list(self, params: Params) -> dict[str, Any]:
        params.done()
        return {"projects": self._instances.list()}

    # -- runner --------------------------------------------------------------------------------------

    async def ping(self, params: Params) -> dict[str, Any]:
        params.done()
        return {"pong": True, "time": time.time()}

    async def status(self, params: Params) -> dict[str, Any]:
        params.done()
        sessions = await self._tmux.sessions()
        return {
            "uptime": round(time.monotonic() - self._started, 3),
            "pid": os.getpid(),
            "uid": os.getuid(),
            "home": self._fs.home,
            "tmux_sessions": sorted(session.name for session in sessions),
            "versions": await self._versions.get(),
        }

    # -- files ---------------------------------------------------------------------------------------

    async def fs_read(self, params: Params) -> dict[str, Any]:
        path = params.text("path")
        max_bytes = params.integer("max_bytes", MAX_READ_BYTES, minimum=0, maximum=MAX_READ_BYTES)
        params.done()
        return await asyncio.to_thread(self._fs.read, path, max_bytes)

    async def fs_write(self, params: Params) -> dict[str, Any]:
        path = params.text("path")
        content = params.text("content")
        encoding = params.text("encoding", "utf-8")
        append = params.boolean("append", False)
        parents = params.boolean("parents", False)
        params.done()
        data = _decode_content(content, encoding)
        return await asyncio.to_thread(self._fs.write, path, data, append=append, parents=parents)

    async def fs_list(self, params: Params) -> dict[str, Any]:
        path = params.text("path", "")
        params.done()
        return await asyncio.to_thread(self._fs.list, path)

    async def fs_mkdir(self, params: Params) -> dict[str, Any]:
        path = params.text("path")
        parents = params.boolean("parents", False)
        exist_ok = params.boolean("exist_ok", False)
        params.done()
        return await asyncio.to_thread(self._fs.mkdir, path, parents=parents, exist_ok=exist_ok)

    async def fs_remove(self, params: Params) -> dict[str, Any]:
        path = params.text("path")
        recursive = params.boolean("recursive", False)
        params.done()
        return await asyncio.to_thread(self._fs.remove, path, recursive=recursive)

    # -- tmux ----------------------------------------------------------------------------------------

    async def tmux_new(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        command = params.text("command", None)
        cwd = params.text("cwd", "")
        env = params.string_map("env")
        width = params.integer("width", 200, minimum=1, maximum=MAX_TERMINAL_SIZE)
        height = params.integer("height", 50, minimum=1, maximum=MAX_TERMINAL_SIZE)
        params.done()
        bad_names = sorted(key for key in env if not ENV_NAME.fullmatch(key))
        if bad_names:
            raise invalid(f"'env' has invalid variable names: {', '.join(bad_names)}")
        directory = self._fs.resolve(cwd)
        if not await asyncio.to_thread(os.path.isdir, directory):
            raise RunnerError(ErrorCode.NOT_FOUND, f"{cwd or '~'}: no such directory")
        async with self._watcher.changing():
            await self._tmux.new(name, command=command, cwd=directory, env=env, width=width, height=height)
            self._watcher.created(name)
        return {"name": name}

    async def tmux_kill(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        params.done()
        async with self._watcher.changing():
            await self._tmux.kill(name)
            self._watcher.killed(name)
        return {}

    async def tmux_list(self, params: Params) -> dict[str, Any]:
        params.done()
        sessions = sorted(await self._tmux.sessions(), key=lambda session: session.name)
        return {
            "sessions": [
                {"name": s.name, "windows": s.windows, "attached": s.attached, "created": s.created} for s in sessions
            ]
        }

    async def tmux_send_keys(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        keys = params.text("keys", max_length=MAX_KEYS_LENGTH)
        literal = params.boolean("literal", True)
        enter = params.boolean("enter", False)
        params.done()
        await self._tmux.send_keys(name, keys, literal=literal, enter=enter)
        return {}

    async def tmux_capture(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        lines = params.integer("lines", 0, minimum=0, maximum=MAX_CAPTURE_LINES)
        escapes = params.boolean("escapes", False)
        params.done()
        return {"content": await self._tmux.capture(name, lines=lines, escapes=escapes)}

    async def tmux_detach_client(self, params: Params) -> dict[str, Any]:
        pid = params.integer("pid", minimum=1, maximum=2**22)
        params.done()
        return {"detached": await self._tmux.detach_client(pid)}


def _session_name(params: Params) -> str:
    name = params.text("name")
    if not SESSION_NAME.fullmatch(name):
        raise invalid("'name' must be 1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'")
    return name


def _decode_content(content: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        try:
            return content.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escape in the JSON string
            raise invalid("'content' is not valid Unicode text; send bytes as base64") from None
    if encoding == "base64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("'content' is not valid base64") from None
    raise invalid("'encoding' must be 'utf-8' or 'base64'")
