"""The `autocode-runner` command: `serve` (the container's main process), `attach` (the bridge) and `hook`.

Defaults fit the sandbox image; the environment (AUTOCODE_RUNNER_SOCKET, AUTOCODE_RUNNER_HOME) and then
the flags override them, which is how tests run a runner on the host with a temporary home and socket.
Nothing here looks up a passwd entry: the sandbox's uid usually has none.
"""

from __future__ import annotations

import argparse
import os
import sys

from autocode_runner import __version__
from autocode_runner.attach import attach, wait_from_environment
from autocode_runner.contract.wire import ATTACH_WAIT_VARIABLE
from autocode_runner.hooks import HOOKS_FILE_VARIABLE, record_hook_event

DEFAULT_SOCKET = "/run/autocode/runner.sock"
DEFAULT_HOME = "/home/agent"


def default_socket() -> str:
    return os.environ.get("AUTOCODE_RUNNER_SOCKET") or DEFAULT_SOCKET


def default_home() -> str:
    return os.environ.get("AUTOCODE_RUNNER_HOME") or os.environ.get("HOME") or DEFAULT_HOME


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autocode-runner", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"autocode-runner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the control protocol on a unix socket")
    serve.add_argument("--socket", default=None, help=f"socket path (default {DEFAULT_SOCKET})")
    serve.add_argument("--home", default=None, help="home directory (default $HOME, else /home/agent)")
    bridge = commands.add_parser("attach", help="bridge stdin/stdout to the runner's socket")
    bridge.add_argument("--socket", default=None, help=f"socket path (default {DEFAULT_SOCKET})")
    bridge.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"while the socket is not there yet, try again quietly this long (default ${ATTACH_WAIT_VARIABLE} or 0)",
    )
    commands.add_parser("hook", help="append a Claude Code hook event (stdin) to $AUTOCODE_HOOKS_FILE")
    return parser


def serve(socket_path: str, home: str) -> int:
    """The socket first (a few ms in: clients connect and wait in its backlog), then the versions' measurement
    on its own thread, then the server's modules (asyncio, libtmux...: most of the start-up), then serving."""
    from autocode_runner.listen import StartupError, listen

    home = os.path.abspath(home)
    if not os.path.isdir(home):
        print(f"autocode-runner: the home {home} is not a directory", file=sys.stderr)
        return 1
    # Everything started from here (tmux, claude, shells) agrees on the home and is not nested in tmux.
    os.environ["HOME"] = home
    os.environ.pop("TMUX", None)
    os.chdir(home)
    socket_path = os.path.abspath(socket_path)
    try:
        listener = listen(socket_path)
    except StartupError as error:
        print(f"autocode-runner: {error}", file=sys.stderr)
        return 1
    # Imported only here: `attach` and `hook` run often and must not pay for the server's modules.
    from autocode_runner.versions import Versions

    versions = Versions()
    versions.start()
    import asyncio
    import logging

    from autocode_runner.server import RunnerServer

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(RunnerServer(socket_path, home, versions).serve(listener))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.socket or default_socket(), args.home or default_home())
    if args.command == "hook":
        return record_hook_event(sys.stdin.buffer, os.environ.get(HOOKS_FILE_VARIABLE))
    wait = args.wait if args.wait is not None else wait_from_environment()
    return attach(args.socket or default_socket(), max(0.0, wait))
