"""The protocol's methods (all but `hello`, which belongs to the connection): params in, result out.

Each handler validates its params completely before acting, runs blocking work in a worker thread, and
reports failures as RunnerError; the connection turns anything else into a one-line `internal` error.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from autocode_runner.contract.convert import ContractError
from autocode_runner.contract.specs import decode_spec
from autocode_runner.contract.wire import (
    KIND_COMMANDS,
    MAX_CAPTURE_LINES,
    MAX_INSTANCE_ID,
    MAX_KEYS_LENGTH,
    MAX_READ_BYTES,
    MAX_TERMINAL_SIZE,
    SESSION_NAME,
    SESSION_NAME_RULE,
    ErrorCode,
    InstanceKey,
    InstanceKind,
    Method,
)
from autocode_runner.fs import HomeFS
from autocode_runner.instances import Instances
from autocode_runner.params import Params, invalid
from autocode_runner.protocol import RunnerError
from autocode_runner.tmux import ENV_NAME, SessionExists, SessionNotFound, Tmux, TmuxError
from autocode_runner.versions import Versions
from autocode_runner.watcher import SessionWatcher

Handler = Callable[[Params], Awaitable[dict[str, Any]]]
P = ParamSpec("P")
R = TypeVar("R")

# The tmux layer's exceptions as the wire's codes; any other TmuxError (no tmux, a refused command) is tmux_error.
TMUX_ERROR_CODES: dict[type[TmuxError], ErrorCode] = {
    SessionNotFound: ErrorCode.NOT_FOUND,
    SessionExists: ErrorCode.EXISTS,
}


def tmux_errors_as_replies(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """The one place tmux meets the protocol: a handler's TmuxError becomes a typed error reply."""

    @functools.wraps(handler)
    async def handle(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await handler(*args, **kwargs)
        except TmuxError as error:
            code = next((c for kind, c in TMUX_ERROR_CODES.items() if isinstance(error, kind)), ErrorCode.TMUX_ERROR)
            raise RunnerError(code, str(error)) from error

    return handle


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

    def table(self) -> dict[str, Handler]:  # keyed by Method, whose members are their names
        return {
            Method.PING: self.ping,
            Method.STATUS: self.status,
            Method.FS_READ: self.fs_read,
            Method.FS_WRITE: self.fs_write,
            Method.FS_LIST: self.fs_list,
            Method.FS_MKDIR: self.fs_mkdir,
            Method.FS_REMOVE: self.fs_remove,
            Method.TMUX_NEW: self.tmux_new,
            Method.TMUX_KILL: self.tmux_kill,
            Method.TMUX_LIST: self.tmux_list,
            Method.TMUX_SEND_KEYS: self.tmux_send_keys,
            Method.TMUX_CAPTURE: self.tmux_capture,
            Method.TMUX_DETACH_CLIENT: self.tmux_detach_client,
            Method.INSTANCE_START: self.instance_start,
            Method.INSTANCE_STOP: self.instance_stop,
            Method.INSTANCE_SEND: self.instance_send,
            Method.INSTANCE_LIST: self.instance_list,
        }

    # -- agent instances -------------------------------------------------------------------------------

    async def instance_start(self, params: Params) -> dict[str, Any]:
        key = _instance_key(params)
        spec = params.mapping("spec")
        params.done()
        try:  # refused here, not by a process that would exit at once and be restarted again and again
            decode_spec(key[0], spec)
        except ContractError as error:
            raise invalid(f"'spec' does not fit a {key[0]} instance: {error}") from None
        return {"pid": await self._instances.start(key, spec)}

    async def instance_stop(self, params: Params) -> dict[str, Any]:
        key = _instance_key(params)
        params.done()
        return {"stopped": await self._instances.stop(key)}

    async def instance_send(self, params: Params) -> dict[str, Any]:
        key = _instance_key(params)
        command = params.mapping("command")
        params.done()
        allowed = KIND_COMMANDS[key[0]]
        kind = command.get("type")
        if not isinstance(kind, str) or kind not in allowed:
            words = ", ".join(sorted(allowed))
            raise invalid(f"'command.type' of a {key[0]} instance must be one of: {words}")
        await self._instances.send(key, command)
        return {}

    async def instance_list(self, params: Params) -> dict[str, Any]:
        params.done()
        return {"instances": self._instances.list()}

    # -- runner --------------------------------------------------------------------------------------

    async def ping(self, params: Params) -> dict[str, Any]:
        params.done()
        return {"pong": True, "time": time.time()}

    @tmux_errors_as_replies
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

    @tmux_errors_as_replies
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

    @tmux_errors_as_replies
    async def tmux_kill(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        params.done()
        async with self._watcher.changing():
            await self._tmux.kill(name)
            self._watcher.killed(name)
        return {}

    @tmux_errors_as_replies
    async def tmux_list(self, params: Params) -> dict[str, Any]:
        params.done()
        sessions = sorted(await self._tmux.sessions(), key=lambda session: session.name)
        return {
            "sessions": [
                {"name": s.name, "windows": s.windows, "attached": s.attached, "created": s.created} for s in sessions
            ]
        }

    @tmux_errors_as_replies
    async def tmux_send_keys(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        keys = params.text("keys", max_length=MAX_KEYS_LENGTH)
        literal = params.boolean("literal", True)
        enter = params.boolean("enter", False)
        params.done()
        await self._tmux.send_keys(name, keys, literal=literal, enter=enter)
        return {}

    @tmux_errors_as_replies
    async def tmux_capture(self, params: Params) -> dict[str, Any]:
        name = _session_name(params)
        lines = params.integer("lines", 0, minimum=0, maximum=MAX_CAPTURE_LINES)
        escapes = params.boolean("escapes", False)
        params.done()
        return {"content": await self._tmux.capture(name, lines=lines, escapes=escapes)}

    @tmux_errors_as_replies
    async def tmux_detach_client(self, params: Params) -> dict[str, Any]:
        pid = params.integer("pid", minimum=1, maximum=2**22)
        params.done()
        return {"detached": await self._tmux.detach_client(pid)}


def _instance_key(params: Params) -> InstanceKey:
    kind = params.text("kind")
    instance_id = params.integer("id", minimum=1, maximum=MAX_INSTANCE_ID)
    try:
        return (InstanceKind(kind), instance_id)
    except ValueError:
        words = ", ".join(InstanceKind)
        raise invalid(f"'kind' must be one of: {words}") from None


def _session_name(params: Params) -> str:
    name: str = params.text("name")
    if not SESSION_NAME.fullmatch(name):
        raise invalid(f"'name' must be {SESSION_NAME_RULE}")
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
