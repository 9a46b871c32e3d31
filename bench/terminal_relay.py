"""The WebSocket terminal relay against a direct `docker exec -it ... tmux attach`, measured in the same run.

    .venv/bin/python bench/terminal_relay.py [--keystrokes 300] [--megabytes 50] [--rounds 3]

Both paths attach to the same tmux session (`shell`) of one sandbox, one path at a time:

relay   = browser-like client -> uvicorn -> /ws/terminal/shell -> TTY exec over the engine socket -> tmux attach
direct  = a pty of ours -> `docker exec -it --user UID:UID C tmux attach-session -t =shell`
          (with the relay's TERM, LANG and working directory)

keystroke echo = send one printable character at a bash prompt, time until it comes back on screen
cat throughput = `cat` of a file of --megabytes MB (printable: base64) until a marker printed after it shows;
                 tmux renders the screen, so what arrives is its redraw stream, not the file's bytes, and
                 tmux throws away what a client is behind on (its `client_discarded`, reported per round)

An attach client still in tmux after its viewer left is reported as a note, then detached between phases.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import math
import os
import re
import secrets
import select
import socket
import statistics
import struct
import subprocess
import tempfile
import termios
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from cleanup import remove_sandboxes
from fastapi import FastAPI
from sqlmodel import Session
from websockets.sync.client import ClientConnection, connect

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.sandbox.accounts import HOME_IN_SANDBOX
from controlplane.services.users import create_user

USERNAME = "bench"
PASSWORD = "password-123"
COLS, ROWS = 120, 40
SESSION = "shell"
TERMINAL_ENV = {"TERM": "xterm-256color", "LANG": "C.UTF-8"}  # what the relay's exec gets
# Echoed characters: none of them appears in tmux's default status line for this session
# ("[shell] 0:bash*  "bench" 01:52 24-Nov-26": no digits, no month letters), so a status redraw
# arriving while we wait cannot be mistaken for an echo. Consecutive keystrokes always differ.
ALPHABET = "dfijkmqtwxzBCEGHIKLPQRTUVWXYZ"
CLEAR_LINE = "\x15"  # Ctrl-U: readline's unix-line-discard
CLEAR_EVERY = 40  # keystrokes per line: the prompt plus 40 characters stays well inside 120 columns
WARMUP_KEYSTROKES = 20
QUIET_SECONDS = 0.3
ECHO_TIMEOUT = 10.0
CAT_TIMEOUT = 600.0
# Complete escape sequences (CSI, OSC, DCS/PM/APC strings, charset selection, two-byte escapes), and an
# ESC cut short by another ESC: tmux drops the output a client is behind on (`client_discarded`), which
# can cut a sequence after its ESC; a terminal then just starts over at the next ESC.
ESCAPE = re.compile(
    rb"\x1b(?:"
    rb"\[[0-?]*[ -/]*[@-~]"  # CSI
    rb"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|[P^_X][^\x1b]*\x1b\\"  # DCS, PM, APC, SOS
    rb"|[()*+][ -~]"  # character set selection
    rb"|(?![\[\]P^_X])[ -/]*[0-~]"  # two-byte escapes (not the start of an unfinished one above)
    rb"|(?=\x1b)"  # an ESC cut short
    rb")"
)


def visible(data: bytes) -> bytes:
    """The text of a terminal stream without escape sequences; an unfinished one at the end is dropped."""
    text = ESCAPE.sub(b"", data)
    cut = text.rfind(b"\x1b")
    return text if cut < 0 else text[:cut]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# -- the two terminals ------------------------------------------------------------------------------


class Terminal:
    name = "?"

    def send(self, text: str) -> None:
        raise NotImplementedError

    def recv(self, timeout: float) -> bytes | None:
        """Terminal output, or None if nothing came within `timeout` seconds."""
        raise NotImplementedError

    def drain(self, quiet: float = QUIET_SECONDS) -> int:
        """Read until nothing arrives for `quiet` seconds; returns the bytes read."""
        total = 0
        while (data := self.recv(quiet)) is not None:
            total += len(data)
        return total

    def wait_for(self, marker: bytes, timeout: float, keep: list[bytes] | None = None) -> tuple[float, int]:
        """Read until `marker` shows on screen; returns (seconds, bytes read). Raises TimeoutError.

        `keep`, when given, receives every chunk read.
        """
        start = time.perf_counter()
        deadline = start + timeout
        total, tail = 0, b""
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: {marker!r} did not show within {timeout} s ({total} bytes read)")
            data = self.recv(remaining)
            if data is None:
                continue
            total += len(data)
            if keep is not None:
                keep.append(data)
            window = tail + data
            if marker in window or marker in visible(window):
                return time.perf_counter() - start, total
            tail = window[-4096:]


class RelayTerminal(Terminal):
    name = "relay"

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.text_messages: list[dict] = []  # pong / error / exit frames, kept for the report

    def send(self, text: str) -> None:
        self.ws.send(json.dumps({"type": "input", "data": text}))

    def recv(self, timeout: float) -> bytes | None:
        deadline = time.perf_counter() + timeout
        while True:
            try:
                message = self.ws.recv(timeout=max(0.0, deadline - time.perf_counter()))
            except TimeoutError:
                return None
            if isinstance(message, bytes):
                return message
            decoded = json.loads(message)
            self.text_messages.append(decoded)
            if decoded.get("type") == "exit":
                raise EOFError(f"the relay said: {decoded}")

    def ping(self, timeout: float = ECHO_TIMEOUT) -> float:
        """Round trip of a JSON ping to its pong: the WebSocket and the control plane, no sandbox."""
        start = time.perf_counter()
        self.ws.send(json.dumps({"type": "ping"}))
        deadline = start + timeout
        while True:
            message = self.ws.recv(timeout=max(0.0, deadline - time.perf_counter()))
            if isinstance(message, str) and json.loads(message).get("type") == "pong":
                return time.perf_counter() - start


class PtyTerminal(Terminal):
    name = "direct"

    def __init__(self, argv: list[str], cols: int, rows: int) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.master = master

    def send(self, text: str) -> None:
        data = text.encode()
        while data:
            written = os.write(self.master, data)
            data = data[written:]

    def recv(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return None
        try:
            data = os.read(self.master, 65536)
        except OSError as exc:  # EIO: the child closed the pty
            raise EOFError(f"docker exec ended (exit code {self.process.poll()})") from exc
        if not data:
            raise EOFError("docker exec ended")
        return data

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("\x02d")  # tmux's prefix, then d: detach, so the attach client ends inside the sandbox
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.close(self.master)


# -- the server and the sandbox ----------------------------------------------------------------------


@dataclass
class Bench:
    settings: Settings
    port: int
    token: str = ""
    uid: int = 0
    container: str = ""
    compression: str | None = "deflate"
    notes: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @contextlib.contextmanager
    def open_relay(self) -> Iterator[Terminal]:
        with httpx.Client(base_url=self.base, trust_env=False, timeout=30) as client:
            answer = client.post("/api/ws-ticket", headers={"Authorization": f"Bearer {self.token}"})
            answer.raise_for_status()
            ticket = answer.json()["ticket"]
        url = f"ws://127.0.0.1:{self.port}/ws/terminal/{SESSION}?ticket={ticket}&cols={COLS}&rows={ROWS}"
        with connect(url, compression=self.compression, proxy=None, max_size=None, open_timeout=30) as ws:
            extensions = ws.response.headers.get("Sec-WebSocket-Extensions") if ws.response else None
            note = f"relay WebSocket extensions: {extensions or 'none'}"
            if note not in self.notes:
                self.notes.append(note)
            term = RelayTerminal(ws)
            try:
                yield term
            finally:
                if term.text_messages:
                    kinds = sorted({m.get("type", "?") for m in term.text_messages})
                    others = [m for m in term.text_messages if m.get("type") != "pong"]
                    self.notes.append(f"relay text frames: {kinds}" + (f", non-pong: {others[:3]}" if others else ""))

    @contextlib.contextmanager
    def open_direct(self) -> Iterator[Terminal]:
        env = [arg for key, value in TERMINAL_ENV.items() for arg in ("-e", f"{key}={value}")]
        argv = ["docker", "exec", "-it", "--user", f"{self.uid}:{self.uid}", *env, "-w", HOME_IN_SANDBOX]
        term = PtyTerminal([*argv, self.container, "tmux", "attach-session", "-t", f"={SESSION}"], COLS, ROWS)
        try:
            yield term
        finally:
            term.close()

    def sandbox_sh(self, script: str) -> str:
        command = ["docker", "exec", "--user", f"{self.uid}:{self.uid}", "-w", HOME_IN_SANDBOX, self.container]
        done = subprocess.run([*command, "sh", "-c", script], capture_output=True, text=True, check=False)
        return done.stdout.strip() or done.stderr.strip()

    def tmux_discarded(self) -> int:
        """Bytes of output tmux has thrown away so far for the attached clients that could not keep up."""
        out = self.sandbox_sh("tmux list-clients -F '#{client_discarded}'")
        return sum(int(line) for line in out.split() if line.isdigit())

    def tmux_clients(self) -> list[str]:
        out = self.sandbox_sh("tmux list-clients -F '#{client_pid} #{client_tty} #{client_width}x#{client_height}'")
        return [line for line in out.splitlines() if line and "no server" not in line]

    def detach_leftovers(self, after: str) -> None:
        """An attach client still there after its viewer left is noted, then detached, so phases don't mix."""
        clients = self.tmux_clients()
        if clients:
            self.notes.append(f"tmux clients still attached after {after}: {clients}")
            self.sandbox_sh(f"tmux detach-client -s ={SESSION}")
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(port: int, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(trust_env=False, timeout=5) as client:
        while True:
            try:
                if client.get(f"http://127.0.0.1:{port}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the server did not answer /api/health within 60 s")
            time.sleep(0.1)


def sign_in(bench: Bench, app: FastAPI) -> None:
    with Session(app.state.engine) as session:
        user = create_user(session, bench.settings, USERNAME, PASSWORD)
        user_id = user.id or 0
    bench.uid = bench.settings.sandbox_uid_base + user_id
    bench.container = f"{bench.settings.sandbox_name_prefix}{USERNAME}"
    with httpx.Client(base_url=bench.base, trust_env=False, timeout=30) as client:
        answer = client.post("/api/auth/login", json={"username": USERNAME, "password": PASSWORD})
        answer.raise_for_status()
        bench.token = answer.json()["access_token"]


def ready(term: Terminal, timeout: float = 90.0) -> None:
    """Wait for the first redraw, then for the shell to run a command: the prompt is there."""
    if term.recv(timeout) is None:
        raise TimeoutError(f"{term.name}: no output within {timeout} s")
    term.drain()
    term.send("clear; echo READY-$((40+2))\r")
    term.wait_for(b"READY-42", 30)
    term.drain()


# -- measurements -----------------------------------------------------------------------------------


def keystrokes(term: Terminal, count: int) -> list[float]:
    """Seconds from sending each character to its echo on screen."""
    times: list[float] = []
    typed = 0
    for index in range(count):
        if typed == CLEAR_EVERY:
            term.send(CLEAR_LINE)
            term.drain(0.1)
            typed = 0
        char = ALPHABET[index % len(ALPHABET)].encode()
        start = time.perf_counter()
        term.send(char.decode())
        seen = b""
        while True:
            data = term.recv(max(0.0, start + ECHO_TIMEOUT - time.perf_counter()))
            if data is None:
                raise TimeoutError(f"{term.name}: keystroke {index} ({char!r}) not echoed within {ECHO_TIMEOUT} s")
            seen += data
            if char in visible(seen):
                break
        times.append(time.perf_counter() - start)
        typed += 1
    term.send(CLEAR_LINE)
    term.drain()
    return times


def last_rows(path: Path, cols: int = COLS) -> list[bytes]:
    """The file's last two screen rows: it is one line, wrapped at `cols` from column 0."""
    size = path.stat().st_size
    partial = size % cols or cols
    with path.open("rb") as file:
        file.seek(max(0, size - partial - cols))
        data = file.read()
    return [data[:-partial], data[-partial:]]


def cat_once(term: Terminal, rows: list[bytes]) -> tuple[float, int, bool]:
    """(seconds, bytes received, whether the file's last rows were drawn) from typing the command
    to the marker after the file."""
    term.send("clear; cat big.txt; echo END-MARKER-$((1+1))\r")
    chunks: list[bytes] = []
    seconds, received = term.wait_for(b"END-MARKER-2", CAT_TIMEOUT, keep=chunks)
    term.drain()
    shown = visible(b"".join(chunks))
    return seconds, received, all(row in shown for row in rows)


def run_path(
    open_terminal: Callable[[], contextlib.AbstractContextManager[Terminal]],
    discarded: Callable[[], int],
    big_file: Path,
    keys: int,
    rounds: int,
    *,
    make_file: int | None,
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "keys": [],
        "cat_s": [],
        "cat_bytes": [],
        "cat_complete": [],
        "cat_discarded": [],
        "ping": [],
    }
    with open_terminal() as term:
        ready(term)
        if make_file is not None:
            term.send(f"head -c {make_file} /dev/urandom | base64 -w 0 > big.txt; echo MADE-$((2+3))\r")
            term.wait_for(b"MADE-5", 300)
            term.drain()
        keystrokes(term, WARMUP_KEYSTROKES)
        results["keys"] = keystrokes(term, keys)
        if isinstance(term, RelayTerminal):
            results["ping"] = [term.ping() for _ in range(keys)]
        rows = last_rows(big_file)
        cat_once(term, rows)  # warm-up: page cache, tmux's history
        for _ in range(rounds):
            before = discarded()
            seconds, received, complete = cat_once(term, rows)
            results["cat_discarded"].append(discarded() - before)
            results["cat_s"].append(seconds)
            results["cat_bytes"].append(received)
            results["cat_complete"].append(float(complete))
        term.send("clear\r")
        term.drain()
    return results


def measure(bench: Bench, keys: int, megabytes: float, rounds: int) -> dict[str, dict[str, list[float]]]:
    raw = int(megabytes * 1_000_000 * 3 / 4)  # base64 turns 3 bytes into 4 printable ones
    big_file = bench.settings.users_dir / USERNAME / "big.txt"  # the sandbox's home, seen from here
    relay = run_path(bench.open_relay, bench.tmux_discarded, big_file, keys, rounds, make_file=raw)
    bench.notes.append(f"big.txt is {big_file.stat().st_size} bytes")
    time.sleep(1.0)  # the relay detaches its client when the WebSocket closes: give it a moment
    bench.detach_leftovers("the relay WebSocket closed")
    direct = run_path(bench.open_direct, bench.tmux_discarded, big_file, keys, rounds, make_file=None)
    time.sleep(1.0)
    bench.detach_leftovers("the direct pty detached")
    return {"relay": relay, "direct": direct}


# -- report -----------------------------------------------------------------------------------------


def report(results: dict[str, dict[str, list[float]]], args: argparse.Namespace, bench: Bench) -> None:
    relay = results["relay"]
    print(
        f"keystrokes={args.keystrokes} megabytes={args.megabytes} rounds={args.rounds} "
        f"terminal={COLS}x{ROWS} ws={args.ws} compression={args.compression} image={bench.settings.sandbox_image}"
    )

    def ms(value: float) -> str:
        return f"{value * 1000:8.3f} ms"

    p50 = {name: statistics.median(r["keys"]) for name, r in results.items()}
    p99 = {name: percentile(r["keys"], 0.99) for name, r in results.items()}
    top = {name: max(r["keys"]) for name, r in results.items()}
    for name, label in (("direct", "direct docker exec -it"), ("relay", "WebSocket relay")):
        ratio = "(baseline)" if name == "direct" else f"ratio p50 {p50[name] / p50['direct']:.3f}"
        ratio += "" if name == "direct" else f"  p99 {p99[name] / p99['direct']:.3f}"
        print(f"keystroke echo, {label:<24} p50 {ms(p50[name])}  p99 {ms(p99[name])}  max {ms(top[name])}  {ratio}")
    pings = relay["ping"]
    print(
        f"{'relay ping->pong (no sandbox)':<40} p50 {ms(statistics.median(pings))}  "
        f"p99 {ms(percentile(pings, 0.99))}  max {ms(max(pings))}"
    )
    cat = {name: statistics.median(r["cat_s"]) for name, r in results.items()}
    received = {name: statistics.median(r["cat_bytes"]) for name, r in results.items()}
    file_mb = args.megabytes
    for name, label in (("direct", "direct docker exec -it"), ("relay", "WebSocket relay")):
        ratio = "(baseline)" if name == "direct" else f"ratio time {cat[name] / cat['direct']:.3f}"
        print(
            f"cat {file_mb:g} MB, {label:<24} median {cat[name]:7.3f} s  "
            f"({file_mb / cat[name]:6.1f} MB/s of file)  received {received[name] / 1e6:7.3f} MB "
            f"({received[name] / 1e6 / cat[name]:6.2f} MB/s)  {ratio}"
        )
    for name in ("direct", "relay"):
        times = ", ".join(f"{t:.3f}" for t in results[name]["cat_s"])
        sizes = ", ".join(f"{b / 1e6:.3f}" for b in results[name]["cat_bytes"])
        dropped = ", ".join(f"{b / 1e6:.3f}" for b in results[name]["cat_discarded"])
        drawn = sum(results[name]["cat_complete"])
        print(
            f"  {name:<6} cat rounds: seconds [{times}]  MB received [{sizes}]  MB tmux discarded [{dropped}]  "
            f"file's last rows drawn {drawn:.0f}/{len(results[name]['cat_s'])}"
        )
    for name in ("direct", "relay"):
        keys = results[name]["keys"]
        slow = sorted((t for t in keys if t > 10 * p50[name]), reverse=True)
        if slow:
            listed = ", ".join(f"{t * 1000:.1f}" for t in slow[:8])
            print(f"  {name:<6} keystrokes over 10x p50: {len(slow)} ({listed} ms)")
    for note in bench.notes:
        print(f"  note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keystrokes", type=int, default=300, help="measured keystrokes per path (>= 1)")
    parser.add_argument("--megabytes", type=float, default=50, help="size of the file to cat, in MB")
    parser.add_argument("--rounds", type=int, default=3, help="timed cats per path, after one warm-up")
    parser.add_argument(
        "--compression",
        choices=("deflate", "none"),
        default="deflate",
        help="offer permessage-deflate like browsers do (default), or not",
    )
    parser.add_argument(
        "--ws",
        choices=("websockets", "websockets-sansio"),
        default="websockets-sansio",
        help="uvicorn's WebSocket implementation; `autocode serve` uses websockets-sansio",
    )
    args = parser.parse_args()
    # uvicorn warns that ws="websockets" is deprecated; it is chosen on purpose (see --ws)
    warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")
    if args.keystrokes < 1 or args.rounds < 1 or args.megabytes <= 0:
        parser.error("--keystrokes and --rounds must be at least 1, --megabytes positive")
    tag = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="autocode-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            sandbox_instance=f"bench-{tag}",
            sandbox_name_prefix=f"bench-{tag}-",
            sandbox_network="none",
            bcrypt_rounds=4,
        )
        bench = Bench(settings, free_port(), compression=None if args.compression == "none" else "deflate")
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=bench.port, log_level="warning", ws=args.ws))
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        try:
            thread.start()
            wait_healthy(bench.port, thread)
            sign_in(bench, app)
            results = measure(bench, args.keystrokes, args.megabytes, args.rounds)
        finally:
            server.should_exit = True
            if thread.is_alive():
                thread.join(timeout=30)
            remove_sandboxes(settings)
    report(results, args, bench)


if __name__ == "__main__":
    main()
