"""One control plane under the load of many users (issue 17, "Load"), against an idle baseline measured in the same run.

    .venv/bin/python bench/load.py [--users 20] [--seconds 30] [--rate 1000] [--viewers 20]
    .venv/bin/python bench/load.py --smoke        # 2 users, 3 s, 200 lines/s to 4 viewers: proves every figure

Real parts: the control plane is a child process running what `autocode serve` runs (migrations, the bootstrap
admin, create_app under uvicorn with the same options), so its CPU and memory are read from /proc/<pid>; every
user has a real sandbox (the runner, tmux), a terminal over /ws/terminal/shell, and a custom agent's chat (the
custom kind's nanobot in the sandbox) streaming a long reply from the scripted Anthropic server of
tests/support/fakes/, run inside that user's sandbox, for the whole window.

What is measured, each figure beside its baseline:

- control plane CPU (% of one core, from utime+stime over the window) and RSS (VmRSS at the window's end);
- keystroke echo p50 and p99: every user types a unique marker into its terminal every 100 ms and times until
  the marker shows on its screen (the relay: WebSocket, TTY exec, tmux, bash, back);
- log fan-out lag p99: `--viewers` viewers on one project's /ws/project/{id}/logs while lines are written at
  `--rate` per second through LogHub.write (the call the supervisor makes for each `instance.log` event: the
  database insert, then the publish to every subscriber). The writer is a thread in the control plane process,
  told over its stdin what to write; each line carries the wall-clock time of its write, and a viewer's lag is
  its arrival time minus that.

Baseline: one user signed in with its terminal open and nothing else running: CPU and RSS over an idle window,
then its keystroke echo, then the log fan-out (same viewers and rate) on its own. Loaded: `--users` users, their
chats streaming, all typing, and the fan-out, in one window. No pass/fail: a table of figures and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import websockets
from cleanup import remove_sandboxes

from controlplane.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FAKE_SERVER = ROOT / "tests" / "support" / "fakes" / "anthropic_server.py"
PASSWORD = "password-123"
FAKE_PORT = 8765
TICKS = os.sysconf("SC_CLK_TCK")
COLS, ROWS = 120, 40
KEY_INTERVAL = 0.1  # a person typing: ten keystrokes a second
CLEAR_EVERY = 8  # markers per line before Ctrl-U clears it
ECHO_TIMEOUT = 10.0
CHAT_CHUNK_SECONDS = 0.1  # the scripted reply's pace: one delta of 12 characters every 0.1 s


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# -- the control plane, in a child process ---------------------------------------------------------------


def serve_child(users: int) -> None:
    """`autocode serve`'s steps (controlplane.cli.cmd_serve), with the bench's users made first and the log
    writer listening on stdin: `logs <user_id> <project_id> <rate> <seconds>` writes that many lines a second
    through the app's LogHub, then prints `written <count> <seconds> <last id>`."""
    import uvicorn
    from sqlmodel import Session

    from controlplane.cli import _upgrade, ensure_admin
    from controlplane.db import make_engine
    from controlplane.main import create_app
    from controlplane.realtime.redaction import uvicorn_log_config
    from controlplane.services.users import create_user

    settings = Settings()
    _upgrade(settings)
    ensure_admin(settings)
    with Session(make_engine(settings)) as session:
        for number in range(users):
            create_user(session, settings, f"user{number}", PASSWORD)
    app = create_app(settings)

    def write_logs(user_id: int, project_id: int, rate: float, seconds: float) -> None:
        hub = app.state.logs
        start = time.perf_counter()
        count, last = 0, 0
        total = int(rate * seconds)
        while count < total:
            due = start + count / rate
            if (ahead := due - time.perf_counter()) > 0:
                time.sleep(ahead)
            message = f"bench {count} {time.time():.6f}"
            last = hub.write(user_id=user_id, project_id=project_id, level="info", message=message)["id"]
            count += 1
        print(f"written {count} {time.perf_counter() - start:.3f} {last}", flush=True)

    def commands() -> None:
        for line in sys.stdin:
            parts = line.split()
            if parts and parts[0] == "logs":
                user_id, project_id, rate, seconds = int(parts[1]), int(parts[2]), float(parts[3]), float(parts[4])
                threading.Thread(target=write_logs, args=(user_id, project_id, rate, seconds), daemon=True).start()

    threading.Thread(target=commands, name="bench-commands", daemon=True).start()
    print("child ready", flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        log_level="warning",
        log_config=uvicorn_log_config(),
    )


@dataclass
class ControlPlane:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        text = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = text[text.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def command(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    async def wait_line(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        seen = len(self.lines)
        while time.monotonic() < deadline:
            for line in self.lines[seen:]:
                if line.startswith(prefix):
                    return line
            if self.process.poll() is not None:
                raise RuntimeError(f"the control plane exited ({self.process.returncode}):\n" + "\n".join(self.lines))
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no {prefix!r} from the control plane within {timeout} s")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_control_plane(settings: Settings, users: int) -> ControlPlane:
    env = dict(os.environ)
    env.update(
        {
            "AUTOCODE_DATA_DIR": str(settings.data_dir),
            "AUTOCODE_PORT": str(settings.port),
            "AUTOCODE_BCRYPT_ROUNDS": "4",
            "AUTOCODE_SANDBOX_INSTANCE": settings.sandbox_instance,
            "AUTOCODE_SANDBOX_NAME_PREFIX": settings.sandbox_name_prefix,
            "AUTOCODE_SANDBOX_NETWORK": settings.sandbox_network,
            "AUTOCODE_SANDBOX_MEMORY": settings.sandbox_memory,
            "AUTOCODE_RECONCILE_INTERVAL_SECONDS": "3600",
        }
    )
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(users)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    plane = ControlPlane(process, settings.port)
    threading.Thread(target=plane.read_output, daemon=True).start()
    return plane


async def wait_healthy(plane: ControlPlane, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=plane.base, trust_env=False, timeout=5) as client:
        while time.monotonic() < deadline:
            if plane.process.poll() is not None:
                raise RuntimeError(f"the control plane exited ({plane.process.returncode}):\n" + "\n".join(plane.lines))
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/api/health")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError("the control plane did not answer /api/health")


# -- one user ----------------------------------------------------------------------------------------------


@dataclass
class User:
    number: int
    plane: ControlPlane
    settings: Settings
    client: httpx.AsyncClient
    token: str = ""
    user_id: int = 0
    terminal: Any = None
    screen: bytearray = field(default_factory=bytearray)
    screen_changed: asyncio.Event = field(default_factory=asyncio.Event)
    chat_socket: Any = None
    chat_deltas: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"user{self.number}"

    @property
    def container(self) -> str:
        return f"{self.settings.sandbox_name_prefix}{self.name}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def api(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        answer = await self.client.request(method, path, json=body, headers=self.headers)
        if answer.status_code != expect:
            raise RuntimeError(f"{self.name}: {method} {path}: {answer.status_code} {answer.text}")
        return answer.json() if answer.content else None

    async def sign_in(self) -> None:
        answer = await self.client.post("/api/auth/login", json={"username": self.name, "password": PASSWORD})
        answer.raise_for_status()
        self.token = answer.json()["access_token"]
        self.user_id = int((await self.api("get", "/api/auth/me"))["id"])

    async def ticket(self) -> str:
        return str((await self.api("post", "/api/ws-ticket"))["ticket"])

    async def socket(self, path: str) -> Any:
        separator = "&" if "?" in path else "?"
        url = f"ws://127.0.0.1:{self.plane.port}{path}{separator}ticket={await self.ticket()}"
        return await websockets.connect(url, max_size=None, open_timeout=120, compression=None)

    # -- the terminal ------------------------------------------------------------------------------------
    async def open_terminal(self) -> None:
        """Opening the shell starts the sandbox; wait until bash answers."""
        self.terminal = await self.socket(f"/ws/terminal/shell?cols={COLS}&rows={ROWS}")
        self.tasks.append(asyncio.create_task(self._read_terminal()))
        await self.type_and_wait("clear; echo READY-$((40+2))\r", "READY-42", 120)

    async def _read_terminal(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.terminal:
                if isinstance(message, bytes):
                    self.screen += message
                    if len(self.screen) > 65536:
                        del self.screen[:-8192]
                    self.screen_changed.set()
                else:
                    self.notes.append(str(message))
        self.screen_changed.set()

    def terminal_gone(self) -> str:
        """Why the terminal closed, with its sandbox's state, for the error that ends the run."""
        state = subprocess.run(
            ["docker", "inspect", "-f", "{{json .State}}", self.container], capture_output=True, text=True, check=False
        )
        return (
            f"{self.name}'s terminal closed ({self.terminal.close_code} {self.terminal.close_reason!r}; "
            f"frames {self.notes[-3:]}); its sandbox: {state.stdout.strip() or state.stderr.strip()}"
        )

    async def type_and_wait(self, text: str, marker: str, timeout: float = ECHO_TIMEOUT) -> float:
        """Send keys; seconds until `marker` shows on screen."""
        from terminal_relay import visible

        self.screen.clear()
        self.screen_changed.clear()
        start = time.perf_counter()
        try:
            await self.terminal.send(json.dumps({"type": "input", "data": text}))
        except websockets.ConnectionClosed:
            raise RuntimeError(self.terminal_gone()) from None
        wanted = marker.encode()
        deadline = start + timeout
        while wanted not in visible(bytes(self.screen)):
            if self.terminal.close_code is not None:
                raise RuntimeError(self.terminal_gone())
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: {marker!r} not on screen within {timeout} s")
            self.screen_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.screen_changed.wait(), remaining)
        return time.perf_counter() - start

    async def keystrokes(self, seconds: float, until: asyncio.Event | None = None) -> list[float]:
        """A unique marker every KEY_INTERVAL for `seconds`, and on until `until` is set if given (the log
        writer may need longer than the window under load); each marker's echo time."""
        times: list[float] = []
        end = time.perf_counter() + seconds
        typed = 0
        while time.perf_counter() < end or (until is not None and not until.is_set()):
            if typed == CLEAR_EVERY:
                await self.terminal.send(json.dumps({"type": "input", "data": "\x15"}))  # Ctrl-U
                typed = 0
            marker = f"q{self.number}z{secrets.token_hex(2)}"  # never on tmux's status line
            started = time.perf_counter()
            times.append(await self.type_and_wait(marker, marker))
            typed += 1
            await asyncio.sleep(max(0.0, KEY_INTERVAL - (time.perf_counter() - started)))
        await self.terminal.send(json.dumps({"type": "input", "data": "\x15"}))
        return times

    # -- the chat ----------------------------------------------------------------------------------------
    def sandbox_exec(self, *argv: str, stdin: str | None = None, detach: bool = False) -> str:
        uid = self.settings.sandbox_uid_base + self.user_id
        command = ["docker", "exec", *(["-d"] if detach else []), *(["-i"] if stdin is not None else [])]
        command += ["--user", f"{uid}:{uid}", "-w", "/home/agent", self.container, *argv]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: {argv[:2]} failed: {done.stdout}{done.stderr}")
        return done.stdout

    async def start_chat(self, seconds: float) -> None:
        """The scripted Anthropic server in the sandbox, a key pointing at it, a custom agent and its chat, the
        WebSocket open, then a message whose reply streams for longer than the run."""
        reply = "Streaming words. " * int((seconds + 120) / CHAT_CHUNK_SECONDS * 12 / 17 + 1)
        scenario = {
            "turns": [
                {"match": "stream", "repeat": True, "responses": [{"text": reply, "chunk_delay": CHAT_CHUNK_SECONDS}]}
            ],
            "default": "Noted.",
        }
        await asyncio.to_thread(self.sandbox_exec, "mkdir", "-p", ".bench")
        await asyncio.to_thread(self.sandbox_exec, "sh", "-c", "cat > .bench/server.py", stdin=FAKE_SERVER.read_text())
        await asyncio.to_thread(self.sandbox_exec, "sh", "-c", "cat > .bench/scenario.json", stdin=json.dumps(scenario))
        await asyncio.to_thread(
            self.sandbox_exec,
            "/usr/bin/python3",
            "/home/agent/.bench/server.py",
            "--port",
            str(FAKE_PORT),
            "--script",
            "/home/agent/.bench/scenario.json",
            detach=True,
        )
        probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{FAKE_PORT}/', timeout=2)"
        deadline = time.monotonic() + 60
        while True:
            try:
                await asyncio.to_thread(self.sandbox_exec, "/usr/bin/python3", "-c", probe)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        key = {
            "provider": "anthropic",
            "key": f"sk-ant-bench-{self.number:04d}",
            "base_url": f"http://127.0.0.1:{FAKE_PORT}",
        }
        await self.api("post", "/api/settings/api-keys", key, 201)
        agent = await self.api(
            "post",
            "/api/agents",
            {"name": "Streamer", "model": "anthropic/claude-sonnet-4-5", "identity": "You stream.", "tools": []},
            201,
        )
        chat = (await self.api("post", f"/api/agents/{agent['id']}/chats", {}, 201))["id"]
        self.chat_socket = await self.socket(f"/ws/chat/{chat}")
        self.tasks.append(asyncio.create_task(self._read_chat()))
        await self.api("post", f"/api/chats/{chat}/message", {"text": "stream please"})

    async def _read_chat(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.chat_socket:
                frame = json.loads(message)
                if frame.get("type") == "delta":
                    self.chat_deltas.append(time.perf_counter())
                elif frame.get("type") == "error":
                    print(f"note: {self.name}'s chat failed: {frame}", flush=True)

    async def wait_streaming(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not self.chat_deltas:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: the chat's reply did not start streaming")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for socket in (self.terminal, self.chat_socket):
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()


# -- the log fan-out --------------------------------------------------------------------------------------


async def view_logs(config: dict[str, Any]) -> None:
    """The viewers, in a process of their own (`--viewers-child`): thousands of frames a second would otherwise
    slow the event loop that times the keystrokes. Prints `viewers ready`, then, once told `finish <seconds>` on
    stdin and every viewer has every line (or those seconds are over), `VIEWED <json>`."""
    total, viewers = int(config["total"]), int(config["viewers"])
    lags: list[float] = []
    counts = [0] * viewers
    base = f"http://127.0.0.1:{config['port']}"
    path = f"/ws/project/{config['project_id']}/logs?after={config['after']}"
    sockets = []
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as client:
        for _ in range(viewers):
            answer = await client.post("/api/ws-ticket", headers={"Authorization": f"Bearer {config['token']}"})
            answer.raise_for_status()
            url = f"ws://127.0.0.1:{config['port']}{path}&ticket={answer.json()['ticket']}"
            sockets.append(await websockets.connect(url, max_size=None, open_timeout=60, compression=None))

    async def view(index: int, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                arrived = time.time()
                parts = str(json.loads(message).get("message", "")).split()
                if len(parts) == 3 and parts[0] == "bench":
                    lags.append(arrived - float(parts[2]))
                    counts[index] += 1
                    if counts[index] == total:
                        return

    readers = [asyncio.create_task(view(index, socket)) for index, socket in enumerate(sockets)]
    await asyncio.sleep(0.5)  # every viewer past its backlog and subscribed
    print("viewers ready", flush=True)
    finish = (await asyncio.to_thread(sys.stdin.readline)).split()
    _, pending = await asyncio.wait(readers, timeout=float(finish[1]) if len(finish) == 2 else 30)
    for task in pending:
        task.cancel()
    for socket in sockets:
        with contextlib.suppress(Exception):
            await socket.close()
    figures = {
        "lag_p50": statistics.median(lags) if lags else math.nan,
        "lag_p99": percentile(lags, 0.99) if lags else math.nan,
        "delivered_share": sum(counts) / (total * viewers),
    }
    print("VIEWED " + json.dumps(figures), flush=True)


async def log_fanout(
    owner: User, project_id: int, viewers: int, rate: float, seconds: float, after: int
) -> dict[str, float]:
    """`viewers` sockets on the project's log stream (past `after`, the last id already written) in a child
    process; the control plane writes rate*seconds lines; every viewer's lag for every line."""
    config = {
        "port": owner.plane.port,
        "token": owner.token,
        "project_id": project_id,
        "after": after,
        "viewers": viewers,
        "total": int(rate * seconds),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--viewers-child",
        json.dumps(config),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        ready = await asyncio.wait_for(child.stdout.readline(), 120)
        if ready.strip() != b"viewers ready":
            raise RuntimeError(f"the viewers did not start: {ready!r}")
        owner.plane.command(f"logs {owner.user_id} {project_id} {rate} {seconds}")
        written = await owner.plane.wait_line("written", seconds * 4 + 60)
        _, count, took, last = written.split()
        child.stdin.write(b"finish 30\n")
        await child.stdin.drain()
        line = b""
        while not line.startswith(b"VIEWED "):
            line = await asyncio.wait_for(child.stdout.readline(), 60)
            if not line:
                raise RuntimeError("the viewers ended without their figures")
        figures: dict[str, float] = json.loads(line.removeprefix(b"VIEWED "))
        await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    return {**figures, "written_per_s": int(count) / float(took), "last_id": float(last)}


async def project_for(user: User) -> int:
    coder = {"template": "coding", "name": "Coder", "model": "openai/gpt-test"}
    agent = await user.api("post", "/api/agents", coder, 201)
    project = await user.api("post", f"/api/agents/{agent['id']}/projects", {"name": "Logs", "description": "log"}, 201)
    return int(project["id"])


# -- the run ----------------------------------------------------------------------------------------------


async def cpu_window(plane: ControlPlane, seconds: float, work: Any = None) -> tuple[float, float, Any]:
    """CPU % of one core over the window and RSS at its end, while `work` (a coroutine) runs, if any."""
    before, start = plane.cpu_seconds(), time.perf_counter()
    result = None
    if work is None:
        await asyncio.sleep(seconds)
    else:
        result = await work
    used, elapsed = plane.cpu_seconds() - before, time.perf_counter() - start
    return used / elapsed * 100, plane.rss_mb(), result


def progress(text: str, started: float = time.monotonic()) -> None:
    print(f"[{time.monotonic() - started:7.1f} s] {text}", file=sys.stderr, flush=True)


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, dict[str, float]]:
    plane = start_control_plane(settings, args.users)
    users: list[User] = []
    try:
        await wait_healthy(plane)
        async with httpx.AsyncClient(base_url=plane.base, trust_env=False, timeout=120) as client:
            users = [User(number, plane, settings, client) for number in range(args.users)]
            first = users[0]
            await first.sign_in()
            await first.open_terminal()
            project_id = await project_for(first)

            # -- baseline: one user, idle; then its keystrokes alone; then the fan-out alone
            progress("baseline: idle, then keystrokes, then the log fan-out")
            await asyncio.sleep(2)
            idle_cpu, idle_rss, _ = await cpu_window(plane, args.seconds)
            base_keys = await first.keystrokes(args.seconds)
            base_logs = await log_fanout(first, project_id, args.viewers, args.rate, args.seconds, 0)

            # -- load: every user with a terminal and a streaming chat
            progress(f"bringing up {len(users)} users (sandbox, terminal, chat)")
            gate = asyncio.Semaphore(4)

            async def bring_up(user: User) -> None:
                async with gate:
                    if user is not first:
                        await user.sign_in()
                        await user.open_terminal()
                    await user.start_chat(args.seconds * 3 + 60)

            await asyncio.gather(*(bring_up(user) for user in users))
            await asyncio.gather(*(user.wait_streaming() for user in users))
            deltas_before = sum(len(user.chat_deltas) for user in users)
            progress("loaded window: everyone typing, chats streaming, the log fan-out")

            async def everything() -> tuple[list[list[float]], dict[str, float]]:
                written = asyncio.Event()

                async def fanout() -> dict[str, float]:
                    try:
                        after = int(base_logs["last_id"])
                        return await log_fanout(first, project_id, args.viewers, args.rate, args.seconds, after)
                    finally:
                        written.set()

                typing = asyncio.gather(*(user.keystrokes(args.seconds, written) for user in users))
                keys, logs = await asyncio.gather(typing, fanout())
                return keys, logs

            window_start = time.perf_counter()
            load_cpu, load_rss, (load_keys, load_logs) = await cpu_window(plane, args.seconds, everything())
            window = time.perf_counter() - window_start
            deltas = sum(len(user.chat_deltas) for user in users) - deltas_before
            keys = [value for per_user in load_keys for value in per_user]
            return {
                "control plane CPU (% of one core)": {"baseline": idle_cpu, "loaded": load_cpu},
                "control plane RSS (MB)": {"baseline": idle_rss, "loaded": load_rss},
                "keystroke echo p50 (ms)": {
                    "baseline": statistics.median(base_keys) * 1000,
                    "loaded": statistics.median(keys) * 1000,
                },
                "keystroke echo p99 (ms)": {
                    "baseline": percentile(base_keys, 0.99) * 1000,
                    "loaded": percentile(keys, 0.99) * 1000,
                },
                "log fan-out lag p99 (ms)": {
                    "baseline": base_logs["lag_p99"] * 1000,
                    "loaded": load_logs["lag_p99"] * 1000,
                },
                "log fan-out lag p50 (ms)": {
                    "baseline": base_logs["lag_p50"] * 1000,
                    "loaded": load_logs["lag_p50"] * 1000,
                },
                "log lines written per s": {
                    "baseline": base_logs["written_per_s"],
                    "loaded": load_logs["written_per_s"],
                },
                "log lines delivered (share)": {
                    "baseline": base_logs["delivered_share"],
                    "loaded": load_logs["delivered_share"],
                },
                "keystrokes measured": {"baseline": float(len(base_keys)), "loaded": float(len(keys))},
                "chat deltas per s (all users)": {"baseline": 0.0, "loaded": deltas / window},
            }
    finally:
        for user in users:
            await user.close()
        if plane.process.poll() is None:
            plane.process.terminate()
            try:
                plane.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                plane.process.kill()
                plane.process.wait()


RATIO_ROWS = (
    "control plane CPU (% of one core)",
    "control plane RSS (MB)",
    "keystroke echo p50 (ms)",
    "keystroke echo p99 (ms)",
    "log fan-out lag p99 (ms)",
    "log fan-out lag p50 (ms)",
)


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    print(
        f"users={args.users} seconds={args.seconds} rate={args.rate:g} lines/s viewers={args.viewers} "
        f"sandbox_memory={args.sandbox_memory} cores={os.cpu_count()} load average={os.getloadavg()[0]:.2f} "
        f"instance={args.instance}"
    )
    print(f"{'metric':<36} {'baseline':>12} {'under load':>12} {'ratio':>9}")
    for name, row in results.items():
        ratio = f"{'':>9}"
        if name in RATIO_ROWS:
            ratio = f"{row['loaded'] / row['baseline']:9.2f}" if row["baseline"] else f"{'(idle 0)':>9}"
        print(f"{name:<36} {row['baseline']:12.2f} {row['loaded']:12.2f} {ratio}")
    print("RESULT " + json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="each measured window")
    parser.add_argument("--rate", type=float, default=1000, help="log lines per second")
    parser.add_argument("--viewers", type=int, default=20, help="viewers of the one project's log stream")
    parser.add_argument("--sandbox-memory", default="768m", help="each sandbox's memory limit")
    parser.add_argument("--smoke", action="store_true", help="2 users, 3 s, 200 lines/s to 4 viewers")
    parser.add_argument("--serve-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--viewers-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_child is not None:
        serve_child(args.serve_child)
        return
    if args.viewers_child is not None:
        asyncio.run(view_logs(json.loads(args.viewers_child)))
        return
    if args.smoke:
        args.users, args.seconds, args.rate, args.viewers = 2, 3.0, 200.0, 4
    if args.users < 1 or args.seconds <= 0 or args.rate <= 0 or args.viewers < 1:
        parser.error("--users and --viewers at least 1, --seconds and --rate positive")
    tag = secrets.token_hex(3)
    args.instance = f"bench-{tag}"
    with tempfile.TemporaryDirectory(prefix="autocode-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            port=free_port(),
            sandbox_instance=args.instance,
            sandbox_name_prefix=f"bench-{tag}-",
            sandbox_network="none",
            sandbox_memory=args.sandbox_memory,
            bcrypt_rounds=4,
        )
        try:
            results = asyncio.run(run(args, settings))
        finally:
            remove_sandboxes(settings)
    report(results, args)


if __name__ == "__main__":
    main()
