"""`autocode-runner attach`: stdin/stdout bridged to the runner's socket, byte for byte.

The control plane cannot reach a socket inside a container; it can run a process there. A long-lived,
non-TTY `docker exec -i ... autocode-runner attach` turns the exec's stdio into a connection to the
runner. Nothing is parsed here: the protocol is between the two ends. When stdin ends, the socket's
write side is shut so the runner still answers what was asked; when the runner closes, attach exits.
"""

from __future__ import annotations

import os
import socket
import sys
import threading

CHUNK_BYTES = 64 * 1024


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _stdin_to_socket(connection: socket.socket) -> None:
    try:
        while chunk := os.read(sys.stdin.fileno(), CHUNK_BYTES):
            connection.sendall(chunk)
        connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the runner went away; the other direction notices and ends the process


def attach(socket_path: str) -> int:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(
            f"autocode-runner attach: cannot connect to {socket_path}: {reason} (is the runner running?)",
            file=sys.stderr,
        )
        return 1
    threading.Thread(target=_stdin_to_socket, args=(connection,), daemon=True).start()
    stdout = sys.stdout.fileno()
    try:
        while chunk := connection.recv(CHUNK_BYTES):
            _write_all(stdout, chunk)
    except BrokenPipeError:
        return 0  # whoever read our stdout is gone
    except OSError as error:
        print(f"autocode-runner attach: connection lost: {error.strerror}", file=sys.stderr)
        return 1
    return 0
