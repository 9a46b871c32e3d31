"""One control plane under the load of many users (issue 17, "Load"), against an idle baseline measured in the same run.

    .venv/bin/python bench/load.py [--users 20] [--seconds 30] [--rate 1000] [--viewers 20]
    .venv/bin/python bench/load.py --smoke        # 2 users, 3 s, 200 lines/s to 4 viewers: proves every figure

Real parts: the control plane is a child process running what `autocode serve` runs (migrations, the bootstrap
admin, create_app under uvicorn with the same options), so its CPU and memory are read from /proc/<pid>. Every user
has a real sandbox (the runner, tmux), a terminal over /ws/terminal/shell, a running coding project and a streaming
chat. The project is bench/project_monitoring.py's (bench/busy_project.py): the coding agent's manager, on the
scripted OpenAI server, plans one step and sends it to the real Claude Code in tmux, which the scripted Anthropic
server answers with a reply streamed one piece a second for longer than the run, so the project watches Claude Code
work for the whole window. The chat is a custom agent's (the custom kind's nanobot) on the same key and scripted
Anthropic server, streaming a reply ten deltas a second. The scripted servers (tests/support/fakes/) run inside
each user's sandbox, set up as tests/support/pwa_coding.py sets up a coding agent's owner against a running
control plane.

What is measured, each figure beside its baseline:

- control plane CPU (% of one core, from utime+stime over the window) and RSS (VmRSS at the window's end);
- keystroke echo p50 and p99: every user types a unique marker into its terminal every 100 ms and times until
  the marker shows on its screen (the relay: WebSocket, TTY exec, tmux, bash, back);
- log fan-out lag p99: `--viewers` viewers on one project's /ws/project/{id}/logs while a thread in the control
  plane process hands `--rate` lines a second to LogHub.submit, the call the supervisor makes for each
  `instance.log` event (the line is queued; the hub's writer thread commits what has gathered in one
  transaction, then publishes it to every subscriber). Each line carries the wall-clock time it was handed
  over; a viewer's lag is its arrival time minus that. "Committed per second" is the lines committed over the
  time from the first hand-over to the last commit (the writer waits on every line's future).

Also reported, so the figures can be trusted: how many projects were watching Claude Code for the whole window
(phase "monitoring" at its start and end as stored, no project log line in between, Claude Code's process alive
after it), and each sandbox's memory as `docker stats` counts it.

Baseline: one user signed in with its terminal open and nothing else running: CPU and RSS over an idle window,
then its keystroke echo, then the log fan-out (same viewers and rate) on its own. Loaded: `--users` users, their
projects watching Claude Code, their chats streaming, all typing, and the fan-out, in one window. No pass/fail: a
table of figures and ratios.
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
from busy_project import busy_scripts, log_messages, project_states
from cleanup import remove_sandboxes

from controlplane.config import Settings
from controlplane.sandbox.docker_engine import connect_engine
from tests.support.pwa_coding import equip_coder

PASSWORD = "password-123"
TICKS = os.sysconf("SC_CLK_TCK")
COLS, ROWS = 120, 40
KEY_INTERVAL = 0.1  # a person typing: ten keystrokes a second
CLEAR_EVERY = 8  # markers per line before Ctrl-U clears it
ECHO_TIMEOUT = 10.0
VIEWERS_CATCH_UP = 60  # seconds, plus twice the writing's, for every viewer to have every line once it is written
RECONNECT_SECONDS = 0.5  # the PWA's first delay before it connects a closed log stream again
CHAT_CHUNK_SECONDS = 0.1  # the scripted reply's pace: one delta of 12 characters every 0.1 s


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# -- the control plane, in a child process ---------------------------------------------------------------


def serve_child(users: int) -> None:
    """`autocode serve`'s steps (controlplane.cli.cmd_serve), with the bench's users made first and the log
    writer listening on stdin: `logs <user_id> <project_id> <rate> <seconds>` hands that many lines a second to the
    app's LogHub as the supervisor does (`submit`, which does not wait for the database), waits until each is
    committed, then prints `written <committed> <seconds submitting> <seconds until the last commit> <last id>
    <failed>`."""
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
        futures = []
        for count in range(int(rate * seconds)):
            due = start + count / rate
            if (ahead := due - time.perf_counter()) > 0:
                time.sleep(ahead)
            message = f"bench {count} {time.time():.6f}"
            futures.append(hub.submit(user_id=user_id, project_id=project_id, level="info", message=message))
        submitting = time.perf_counter() - start
        committed, failed, last = 0, 0, 0
        for future in futures:  # they resolve in the order submitted: the last one's wait ends with the last commit
            try:
                last = int(future.result(timeout=300)["id"])
                committed += 1
            except Exception as error:  # counted and shown, never hidden
                failed += 1
                print(f"note: a log line failed: {error!r}", flush=True)
        until_committed = time.perf_counter() - start
        print(f"written {committed} {submitting:.6f} {until_committed:.6f} {last} {failed}", flush=True)

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
        return process_cpu_seconds(self.process.pid)

    def loop_wait_seconds(self) -> float:
        """Seconds its main thread (uvicorn's event loop) has spent runnable but waiting for a core."""
        return int(Path(f"/proc/{self.process.pid}/schedstat").read_text().split()[1]) / 1e9

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


def process_cpu_seconds(pid: int | str, children: bool = False) -> float:
    """utime + stime of a process (with its waited-for children's if asked), from /proc; 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / TICKS


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
    agent_id: int = 0
    project_id: int = 0
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

    # -- the running project and the chat -----------------------------------------------------------------
    def sandbox_exec(self, *argv: str) -> str:
        uid = self.settings.sandbox_uid_base + self.user_id
        command = ["docker", "exec", "--user", f"{uid}:{uid}", "-w", "/home/agent", self.container, *argv]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: {argv[:2]} failed: {done.stdout}{done.stderr}")
        return done.stdout

    async def equip(self, engine: Any, claude_seconds: float, chat_seconds: float) -> None:
        """The coding agent's world (tests/support/pwa_coding.py, as a user sets it up against a running control
        plane): both provider keys, a coding agent, and the scripted servers in the user's sandbox, the Anthropic
        one answering Claude Code's task for `claude_seconds` (bench/busy_project.py) and the chat's message with
        a reply streamed for `chat_seconds` (one delta of 12 characters every CHAT_CHUNK_SECONDS)."""
        openai, anthropic = busy_scripts(claude_seconds)
        reply = "Streaming words. " * int(chat_seconds / CHAT_CHUNK_SECONDS * 12 / 17 + 1)
        chat_turn = {
            "match": "stream please",
            "repeat": True,
            "responses": [{"text": reply, "chunk_delay": CHAT_CHUNK_SECONDS}],
        }
        anthropic = {**anthropic, "turns": [*anthropic["turns"], chat_turn], "default": "Noted."}
        self.agent_id = await asyncio.to_thread(
            equip_coder,
            self.plane.base,
            self.settings,
            engine,
            username=self.name,
            password=PASSWORD,
            openai=openai,
            anthropic=anthropic,
        )

    async def start_project(self) -> None:
        """A project of the coding agent, started: its manager plans, starts Claude Code in tmux and sends it the
        step's task (bench/project_monitoring.py's project)."""
        body = {"name": "Work", "description": "work"}
        self.project_id = int((await self.api("post", f"/api/agents/{self.agent_id}/projects", body, 201))["id"])
        await self.api("post", f"/api/projects/{self.project_id}/start")

    def claude_running(self) -> bool:
        return bool(self.sandbox_exec("ps", "-o", "pid=", "-C", "claude").split())

    async def start_chat(self) -> None:
        """A custom agent on the user's Anthropic key (the scripted server in its sandbox), its chat's WebSocket
        open, then a message whose reply streams for longer than the run."""
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
    slow the event loop that times the keystrokes. Each viewer is what the PWA's LogStream does: on a closed socket
    (4408 when it fell `queue_limit` lines behind) it connects again after RECONNECT_SECONDS with after=<the last id
    it saw>, so it loses nothing; the reconnections are counted. Prints `viewers ready`, then, once told
    `finish <seconds>` on stdin and every viewer has every line (or those seconds are over), `VIEWED <json>`."""
    total, viewers = int(config["total"]), int(config["viewers"])
    lags: list[float] = []
    counts = [0] * viewers
    last_ids = [int(config["after"])] * viewers
    closes: list[int] = []
    base = f"http://127.0.0.1:{config['port']}"
    path = f"/ws/project/{config['project_id']}/logs"
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60) as client:

        async def connect(index: int) -> Any:
            answer = await client.post("/api/ws-ticket", headers={"Authorization": f"Bearer {config['token']}"})
            answer.raise_for_status()
            url = f"ws://127.0.0.1:{config['port']}{path}?after={last_ids[index]}&ticket={answer.json()['ticket']}"
            return await websockets.connect(url, max_size=None, open_timeout=60, compression=None)

        async def view(index: int, socket: Any) -> None:
            while True:
                with contextlib.suppress(websockets.ConnectionClosed):
                    async for message in socket:
                        arrived = time.time()
                        frame = json.loads(message)
                        if int(frame.get("id", 0)) <= last_ids[index]:
                            continue
                        last_ids[index] = int(frame["id"])
                        parts = str(frame.get("message", "")).split()
                        if len(parts) == 3 and parts[0] == "bench":
                            lags.append(arrived - float(parts[2]))
                            counts[index] += 1
                            if counts[index] == total:
                                await socket.close()
                                return
                closes.append(socket.close_code or 0)
                await asyncio.sleep(RECONNECT_SECONDS)
                socket = await connect(index)

        sockets = [await connect(index) for index in range(viewers)]
        readers = [asyncio.create_task(view(index, socket)) for index, socket in enumerate(sockets)]
        await asyncio.sleep(0.5)  # every viewer past its backlog and subscribed
        print("viewers ready", flush=True)
        finish = (await asyncio.to_thread(sys.stdin.readline)).split()
        _, pending = await asyncio.wait(readers, timeout=float(finish[1]) if len(finish) == 2 else 30)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    figures = {
        "lag_p50": statistics.median(lags) if lags else math.nan,
        "lag_p99": percentile(lags, 0.99) if lags else math.nan,
        "delivered_share": sum(counts) / (total * viewers),
        "reconnects": float(len(closes)),
        "too_slow_closes": float(closes.count(4408)),
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
        _, committed, submitting, until_committed, last, failed = written.split()
        child.stdin.write(f"finish {VIEWERS_CATCH_UP + seconds * 2:g}\n".encode())
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
    total = int(rate * seconds)
    return {
        **figures,
        "submitted_per_s": total / float(submitting),
        "committed_per_s": int(committed) / float(until_committed),
        "failed": float(failed),
        "last_id": float(last),
    }


async def project_for(user: User) -> int:
    """The project whose log stream the viewers watch (never started: the bench's writer fills its log)."""
    coder = {"template": "coding", "name": "Log writer", "model": "openai/gpt-test"}
    agent = await user.api("post", "/api/agents", coder, 201)
    project = await user.api("post", f"/api/agents/{agent['id']}/projects", {"name": "Logs", "description": "log"}, 201)
    return int(project["id"])


# -- the run ----------------------------------------------------------------------------------------------


def machine_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot, from /proc/stat (busy: all but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def container_ids(users: list[User]) -> list[str]:
    done = subprocess.run(
        ["docker", "inspect", "-f", "{{.Id}}", *(user.container for user in users)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def sandbox_cpu_seconds(ids: list[str]) -> float:
    """CPU seconds the containers used so far, from their cgroups (v1 cgroupfs, v2 systemd or cgroupfs)."""
    used = 0.0
    for container in ids:
        v1 = Path(f"/sys/fs/cgroup/cpuacct/docker/{container}/cpuacct.usage")
        if v1.exists():
            used += int(v1.read_text()) / 1e9
            continue
        for v2 in (
            Path(f"/sys/fs/cgroup/system.slice/docker-{container}.scope/cpu.stat"),
            Path(f"/sys/fs/cgroup/docker/{container}/cpu.stat"),
        ):
            if v2.exists():
                stat = dict(line.split() for line in v2.read_text().splitlines())
                used += int(stat["usage_usec"]) / 1e6
                break
        else:
            return math.nan
    return used


def engine_pids() -> list[str]:
    """The container engine's processes (dockerd, containerd, each container's shim): every terminal's bytes
    pass through them."""
    found = subprocess.run(["pgrep", "-f", "^(/usr/bin/)?(dockerd|containerd)"], capture_output=True, text=True)
    return found.stdout.split()


@dataclass
class Usage:
    """One window's figures; CPU in % of one core unless said otherwise."""

    cpu: float  # the control plane's
    loop_wait: float  # the control plane's event loop runnable but waiting for a core, % of the window
    rss: float  # the control plane's at the window's end, MB
    sandboxes: float  # the given sandboxes'
    engine: float  # dockerd, containerd and the shims
    bench: float  # this process and its children (the viewers)
    machine: float  # every core's busy share, % of all of them


async def cpu_window(
    plane: ControlPlane, seconds: float, work: Any = None, sandboxes: list[str] | None = None
) -> tuple[Usage, Any]:
    """The control plane's CPU over the window and RSS at its end, while `work` (a coroutine) runs, if any; and
    where the rest of the cores went over the same window (the sandboxes, the engine, the bench, the machine)."""
    ids, engine = sandboxes or [], await asyncio.to_thread(engine_pids)

    def sample() -> tuple[float, ...]:
        return (
            plane.cpu_seconds(),
            plane.loop_wait_seconds(),
            sandbox_cpu_seconds(ids),
            sum(process_cpu_seconds(pid) for pid in engine),
            process_cpu_seconds("self", children=True),
            *machine_ticks(),
        )

    before, start = sample(), time.perf_counter()
    result = None
    if work is None:
        await asyncio.sleep(seconds)
    else:
        result = await work
    after, elapsed = sample(), time.perf_counter() - start
    used = [(a - b) / elapsed * 100 for a, b in zip(after[:5], before[:5], strict=True)]
    machine = (after[5] - before[5]) / max(1, after[6] - before[6]) * 100
    return Usage(used[0], used[1], plane.rss_mb(), used[2], used[3], used[4], machine), result


def progress(text: str, started: float = time.monotonic()) -> None:
    print(f"[{time.monotonic() - started:7.1f} s] {text}", file=sys.stderr, flush=True)


def sandbox_memory_mb(users: list[User]) -> list[float]:
    """Each user's sandbox memory as `docker stats` counts it (usage without the inactive file cache)."""
    names = [user.container for user in users]
    done = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", *names],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    units = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "kB": 1e3 / 2**20, "MB": 1e6 / 2**20}
    sizes = []
    for line in done.stdout.splitlines():
        used = line.split("/")[0].strip()
        number = used.rstrip("KMGiBk")
        sizes.append(float(number) * units[used[len(number) :]])
    return sizes


def wait_projects_sent(database: Path, users: list[User], timeout: float) -> None:
    """Until every user's project has sent its task to Claude Code and is watching it (bench/busy_project.py);
    a project that failed, or a deadline passed, ends the run with the projects' logs."""
    ids = [user.project_id for user in users]
    deadline = time.monotonic() + timeout
    while True:
        states = project_states(database, ids)
        if all(state.monitoring for state in states.values()):
            return
        failed = [pid for pid, state in states.items() if state.status == "failed"]
        if failed or time.monotonic() > deadline:
            waiting = failed or [pid for pid, state in states.items() if not state.monitoring]
            logs = "\n".join(
                f"project {pid} ({states[pid]}):\n" + "\n".join(log_messages(database, pid)) for pid in waiting
            )
            raise RuntimeError(f"projects not monitoring Claude Code after {timeout} s:\n{logs}")
        time.sleep(0.5)


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, dict[str, float]]:
    plane = start_control_plane(settings, args.users)
    database = settings.data_dir / "autocode.db"
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
            idle, _ = await cpu_window(plane, args.seconds, sandboxes=await asyncio.to_thread(container_ids, [first]))
            base_keys = await first.keystrokes(args.seconds)
            base_logs = await log_fanout(first, project_id, args.viewers, args.rate, args.seconds, 0)
            [idle_sandbox] = await asyncio.to_thread(sandbox_memory_mb, [first])

            # -- load: every user with a terminal, a coding project watching Claude Code, and a streaming chat
            progress(f"bringing up {len(users)} users (sandbox, terminal, coding project with Claude Code)")
            engine = connect_engine()
            # Claude Code's reply outlasts the bring-up of every other user and the window; the chats start last.
            claude_seconds = 1800 + args.seconds * 4
            chat_seconds = args.seconds * 4 + 300
            gate = asyncio.Semaphore(4)

            async def bring_up(user: User) -> None:
                async with gate:
                    if user is not first:
                        await user.sign_in()
                        await user.open_terminal()
                    await user.equip(engine, claude_seconds, chat_seconds)
                    await user.start_project()

            await asyncio.gather(*(bring_up(user) for user in users))
            await asyncio.to_thread(wait_projects_sent, database, users, 600)
            progress("every project is watching Claude Code; starting the chats")

            async def chat(user: User) -> None:
                async with gate:
                    await user.start_chat()

            await asyncio.gather(*(chat(user) for user in users))
            await asyncio.gather(*(user.wait_streaming() for user in users))
            deltas_before = sum(len(user.chat_deltas) for user in users)
            ids = [user.project_id for user in users]
            at_start = await asyncio.to_thread(project_states, database, ids)
            containers = await asyncio.to_thread(container_ids, users)
            progress("loaded window: everyone typing, projects watching Claude Code, chats streaming, the log fan-out")

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
            load, (load_keys, load_logs) = await cpu_window(plane, args.seconds, everything(), containers)
            window = time.perf_counter() - window_start
            deltas = sum(len(user.chat_deltas) for user in users) - deltas_before

            # -- after the window (nothing here is timed): were the projects really watching Claude Code throughout?
            at_end = await asyncio.to_thread(project_states, database, ids)
            claude = await asyncio.gather(*(asyncio.to_thread(user.claude_running) for user in users))
            logged = {pid: log_messages(database, pid, at_start[pid].last_log_id) for pid in ids}
            working = 0
            for user, running in zip(users, claude, strict=True):
                pid = user.project_id
                if at_start[pid].monitoring and at_end[pid].monitoring and running and not logged[pid]:
                    working += 1
                else:
                    print(
                        f"note: {user.name}'s project {pid} was not watching Claude Code the whole window: "
                        f"start {at_start[pid]}, end {at_end[pid]}, Claude Code running {running}, "
                        f"logged {logged[pid][:5]}",
                        flush=True,
                    )
            sandboxes = await asyncio.to_thread(sandbox_memory_mb, users)
            keys = [value for per_user in load_keys for value in per_user]
            return {
                "control plane CPU (% of one core)": {"baseline": idle.cpu, "loaded": load.cpu},
                "control plane RSS (MB)": {"baseline": idle.rss, "loaded": load.rss},
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
                "log lines committed per s": {
                    "baseline": base_logs["committed_per_s"],
                    "loaded": load_logs["committed_per_s"],
                },
                "log lines submitted per s": {
                    "baseline": base_logs["submitted_per_s"],
                    "loaded": load_logs["submitted_per_s"],
                },
                "log lines failed": {"baseline": base_logs["failed"], "loaded": load_logs["failed"]},
                "log lines delivered (share)": {
                    "baseline": base_logs["delivered_share"],
                    "loaded": load_logs["delivered_share"],
                },
                "log viewer reconnections": {"baseline": base_logs["reconnects"], "loaded": load_logs["reconnects"]},
                "  of which too slow (4408)": {
                    "baseline": base_logs["too_slow_closes"],
                    "loaded": load_logs["too_slow_closes"],
                },
                "keystrokes measured": {"baseline": float(len(base_keys)), "loaded": float(len(keys))},
                "chat deltas per s (all users)": {"baseline": 0.0, "loaded": deltas / window},
                "projects watching Claude Code": {"baseline": 0.0, "loaded": float(working)},
                "project log lines in the window": {
                    "baseline": 0.0,
                    "loaded": float(sum(len(lines) for lines in logged.values())),
                },
                "control plane loop waiting for a core (%)": {"baseline": idle.loop_wait, "loaded": load.loop_wait},
                "sandboxes CPU (% of one core, all)": {"baseline": idle.sandboxes, "loaded": load.sandboxes},
                "container engine CPU (% of one core)": {"baseline": idle.engine, "loaded": load.engine},
                "bench clients CPU (% of one core)": {"baseline": idle.bench, "loaded": load.bench},
                "machine CPU busy (% of all cores)": {"baseline": idle.machine, "loaded": load.machine},
                "sandbox memory, largest (MB)": {"baseline": idle_sandbox, "loaded": max(sandboxes)},
                "sandbox memory, all users (MB)": {"baseline": idle_sandbox, "loaded": sum(sandboxes)},
            }
    except BaseException:
        print("the control plane's last output:\n" + "\n".join(plane.lines[-60:]), file=sys.stderr, flush=True)
        raise
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
    print(f"{'metric':<42} {'baseline':>12} {'under load':>12} {'ratio':>9}")
    for name, row in results.items():
        ratio = f"{'':>9}"
        if name in RATIO_ROWS:
            ratio = f"{row['loaded'] / row['baseline']:9.2f}" if row["baseline"] else f"{'(idle 0)':>9}"
        print(f"{name:<42} {row['baseline']:12.2f} {row['loaded']:12.2f} {ratio}")
    print("RESULT " + json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="each measured window")
    parser.add_argument("--rate", type=float, default=1000, help="log lines per second")
    parser.add_argument("--viewers", type=int, default=20, help="viewers of the one project's log stream")
    parser.add_argument("--sandbox-memory", default="1g", help="each sandbox's memory limit")
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
