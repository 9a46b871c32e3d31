"""Bounded line splitting for a byte stream.

asyncio's own readline leaves the rest of an over-long line in the stream, which would then be read as
garbage requests; this reader skips an over-long line whole and reports it once, so the connection stays
usable after a client sends too much.
"""

from __future__ import annotations

import asyncio
from typing import Final

CHUNK_BYTES = 64 * 1024


class _LineTooLong:
    def __repr__(self) -> str:
        return "LINE_TOO_LONG"


LINE_TOO_LONG: Final = _LineTooLong()


class LineReader:
    """Yields lines without their newline, LINE_TOO_LONG for each over-long line, then None at the end."""

    def __init__(self, reader: asyncio.StreamReader, limit: int) -> None:
        self._reader = reader
        self._limit = limit
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already known to hold no newline
        self._discarding = False  # inside an over-long line whose start was dropped

    async def readline(self) -> bytes | _LineTooLong | None:
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[: newline + 1]
                self._scanned = 0
                if self._discarding or len(line) > self._limit:
                    self._discarding = False
                    return LINE_TOO_LONG
                return line
            self._scanned = len(self._buffer)
            if len(self._buffer) > self._limit:
                self._discarding = True
                self._buffer.clear()
                self._scanned = 0
            chunk = await self._reader.read(CHUNK_BYTES)
            if not chunk:
                return self._at_end()
            self._buffer += chunk

    def _at_end(self) -> bytes | _LineTooLong | None:
        """A last line without a newline still counts; an over-long tail is reported once."""
        if self._discarding:
            self._discarding = False
            return LINE_TOO_LONG
        if not self._buffer:
            return None
        line = bytes(self._buffer)
        self._buffer.clear()
        self._scanned = 0
        return line if len(line) <= self._limit else LINE_TOO_LONG
