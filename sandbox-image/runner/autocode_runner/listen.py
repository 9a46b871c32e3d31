"""The runner's socket, made before anything else: standard library only, so `serve` binds it within a few
milliseconds of starting, before the server's modules are imported.

A client that connects meanwhile waits in the listen backlog and is served as soon as the server runs, so the
socket's existence is the readiness signal: `attach --wait` connects the moment it appears, and nobody polls
on a fixed interval.
"""

from __future__ import annotations

import os
import socket
import stat

BACKLOG = 100


class StartupError(Exception):
    """The runner cannot serve; the message is printed as one line and the process exits non-zero."""


def prepare_socket_path(path: str) -> None:
    """Create the socket's directory and clear a stale socket, but never steal a live runner's."""
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError as error:
        raise StartupError(f"cannot create {directory}: {error.strerror}") from None
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise StartupError(f"{path} exists and is not a socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)  # left behind by a runner that died
            return
    raise StartupError(f"another runner is already serving on {path}")


def listen(path: str) -> socket.socket:
    """A listening unix socket at `path`, born private (0600): a chmod after bind left a moment in which the
    socket had the default mode."""
    prepare_socket_path(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(path)
        listener.listen(BACKLOG)
    except OSError as error:
        listener.close()
        raise StartupError(f"cannot listen on {path}: {error.strerror}") from None
    finally:
        os.umask(previous)
    return listener
