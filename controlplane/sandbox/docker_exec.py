"""A docker exec attached over the engine's unix socket, fully asynchronous.

The exec is created with the docker SDK; starting it is an HTTP upgrade that turns the connection into a
raw byte stream. We do that upgrade ourselves on an asyncio connection so that no output the process writes
right away can be lost in a synchronous HTTP client's read buffer. Non-TTY output is multiplexed in frames
with an 8-byte header (stream id, 3 zero bytes, big-endian length); TTY output is raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct

from autocode_runner.contract.wire import MAX_LINE_BYTES
from docker import APIClient

from controlplane.sandbox.backend import ExecStream, SandboxError

FRAME_HEADER = struct.Struct(">BxxxI")


class DockerExecStream(ExecStream):
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        tty: bool,
        api: APIClient,
        exec_id: str,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._tty = tty
        self._api = api
        self.exec_id = exec_id

    async def read(self) -> tuple[int, bytes]:
        try:
            if self._tty:
                data = await self._reader.read(65536)
                return (1, data) if data else (0, b"")
            header = await self._reader.readexactly(FRAME_HEADER.size)
            stream, size = FRAME_HEADER.unpack(header)
            return stream, await self._reader.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError):
            return 0, b""

    async def write(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    async def resize(self, cols: int, rows: int) -> None:
        if not self._tty:
            raise SandboxError("only a TTY exec can be resized")
        await asyncio.to_thread(self._api.exec_resize, self.exec_id, height=rows, width=cols)

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()


async def start_exec(
    socket_path: str, api_version: str, api: APIClient, exec_id: str, *, tty: bool
) -> DockerExecStream:
    """POST /exec/{id}/start with an upgrade, then hand the socket over as a byte stream."""
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=MAX_LINE_BYTES)
    body = json.dumps({"Detach": False, "Tty": tty}).encode()
    request = (
        f"POST /v{api_version}/exec/{exec_id}/start HTTP/1.1\r\n"
        "Host: docker\r\n"
        "Content-Type: application/json\r\n"
        "Connection: Upgrade\r\n"
        "Upgrade: tcp\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(request + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status_line and " 200 " not in status_line:
        writer.close()
        raise SandboxError(f"the engine refused to start the exec: {status_line}")
    return DockerExecStream(reader, writer, tty=tty, api=api, exec_id=exec_id)
