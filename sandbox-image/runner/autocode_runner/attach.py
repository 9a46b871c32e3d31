"""`autocode-runner attach`: stdin/stdout bridged to the runner's socket, byte for byte.

The control plane cannot reach a socket inside a container; it can run a process there. A long-lived,
non-TTY `docker exec -i ... autocode-runner attach` turns the exec's stdio into a connection to the
runner. Nothing is parsed here: the protocol is between the two ends. When stdin ends, the socket's
write side is shut so the runner still answers what was asked; when the runner closes, attach exits.

Right after a sandbox starts, the runner may not have made its socket yet. With a wait (`--wait SECONDS`,
or AUTOCODE_RUNNER_ATTACH_WAIT, which the control plane sets on its exec), attach quietly tries again with
a short backoff until the socket answers or the wait is over; only then does it say why it could not
connect. Without one it fails at once.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time

from autocode_runner.contract.wire import ATTACH_WAIT_VARIABLE

CHUNK_BYTES = 64 * 1024
FIRST_RETRY_SECONDS = 0.002  # the runner binds its socket first thing: the first retries come fast
MAX_RETRY_SECONDS = 0.05
# Not there yet (no file), or a socket file with nobody listening (left behind, or being replaced).
_NOT_YET = (FileNotFoundError, ConnectionRefusedError)


def wait_from_environment() -> float:
    """The wait the environment asks for, in seconds; 0 when unset or not a number."""
    try:
        return max(0.0, float(os.environ.get(ATTACH_WAIT_VARIABLE, "0")))
    except ValueError:
        return 0.0


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


def connect(socket_path: str, wait: float) -> socket.socket:
    """A connection to the runner's socket, trying again quietly for up to `wait` seconds while it is not there
    yet; the last error is raised when the wait is over (any other error at once)."""
    deadline = time.monotonic() + wait
    delay = FIRST_RETRY_SECONDS
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(socket_path)
            return connection
        except _NOT_YET:
            connection.close()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        except BaseException:
            connection.close()
            raise


def attach(socket_path: str, wait: float = 0.0) -> int:
    try:
        connection = connect(socket_path, wait)
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
