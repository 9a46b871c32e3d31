"""The research agent's two figures (issue 12), each measured in one run with real parts:

1. First-token latency through the whole chain: a WebSocket client on /ws/research/{id}/chat times from the
   moment it posts a message to the first `delta` frame. The message goes through the control plane (stored,
   sent over the runner channel), the runner's research instance, Claude Code in print mode, the scripted
   Anthropic server and back. The baseline is the scripted server's own first byte, timed in the same run by a
   direct streaming request from inside the sandbox (interleaved with the samples), so the ratio says what the
   chain adds on top of the model's own latency. Warm samples (Claude Code already running) and cold ones (the
   process stopped first, as after an idle exit: the message starts Claude Code and resumes the session).
2. Memory of a research: its process tree in the sandbox (the runner's research instance and Claude Code),
   RSS and PSS, idle between turns and while it answers a long streamed reply, beside the sandbox's baseline
   (every process in it before the research started, and the container's own figure as `docker stats` shows it).

    .venv/bin/python bench/research_chat.py [--samples 10] [--cold 3] [--answer-seconds 30] [--server-delay 0]

The WebSocket client is Starlette's test client: the control plane's whole code path runs (ticket, hub,
routes), in-process instead of behind uvicorn's socket. The scripted server (tests/support/fakes/
anthropic_server.py) runs inside the sandbox, reached through the user's key's base URL as in
tests/controlplane/research/test_research_end_to_end.py. `--server-delay` makes it wait before its first
byte, like a real API's time to first token; the default 0 shows the chain's own cost. No pass/fail: figures.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docker
from cleanup import remove_sandboxes
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.sandbox.docker_engine import LABEL_INSTANCE
from tests.support.coding_world import CodingWorld
from tests.support.engine import Harness
from tests.support.fakes.claude_sandbox import FakeApi, start_fake_api, wait_until

PORT = 8765
BENCH_DIR = ".bench"
SHORT_REPLY = "The first token is here, and a few more words follow it."
CHUNK_DELAY = 0.1  # the long reply's pace: 12 characters every 0.1 s

# A direct streaming request to the scripted server, timed from before the connection to its first byte, the
# first text delta and the end. Runs with the sandbox's /usr/bin/python3 (standard library only).
PROBE = """
import http.client, json, sys, time
port, prompt = int(sys.argv[1]), sys.argv[2]
body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": True,
                   "messages": [{"role": "user", "content": prompt}]})
start = time.perf_counter()
connection = http.client.HTTPConnection("127.0.0.1", port)
connection.request("POST", "/v1/messages", body, {"content-type": "application/json",
                                                  "anthropic-version": "2023-06-01"})
response = connection.getresponse()
response.read(1)
first_byte = time.perf_counter()
first_delta = None
for line in response:
    if first_delta is None and b"text_delta" in line:
        first_delta = time.perf_counter()
end = time.perf_counter()
print(json.dumps({"first_byte": first_byte - start, "first_delta": (first_delta or end) - start,
                  "end": end - start}))
"""

# RSS and PSS (kB, from smaps_rollup) of a process tree and of every process in the sandbox but the sampler.
PROCMEM = """
import json, os, sys
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.index("(") + 1 : text.rindex(")")], int(text[text.rindex(")") + 2 :].split()[1])
def memory(pid):
    found = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    found[key.lower()] = int(rest.split()[0])
    except OSError:
        pass
    return found
me = os.getpid()
processes = {}
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) != me:
        try:
            comm, ppid = stat(int(name))
        except (OSError, ValueError):
            continue
        processes[int(name)] = {"pid": int(name), "comm": comm, "ppid": ppid, **memory(int(name))}
sampler = {me, os.getppid()}
root = int(sys.argv[1]) if len(sys.argv) > 1 else 0
tree, todo = [], [root] if root in processes else []
while todo:
    pid = todo.pop()
    tree.append(processes[pid])
    todo += [p for p, item in processes.items() if item["ppid"] == pid]
everything = [item for pid, item in processes.items() if pid not in sampler]
print(json.dumps({"tree": tree, "all": everything}))
"""


@dataclass
class ChatListener:
    """Every frame of the chat WebSocket with the moment it arrived, read on its own thread so that a frame's
    time is when it came, not when the bench got round to it."""

    frames: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def listen(self, socket: Any) -> None:
        while True:
            try:
                frame = socket.receive_json()
            except Exception:  # the socket closed at the end of the run
                return
            with self.lock:
                self.frames.append((time.perf_counter(), frame))

    def of(self, turn: int) -> list[tuple[float, dict[str, Any]]]:
        with self.lock:
            return [(at, frame) for at, frame in self.frames if frame.get("turn") == turn]

    def first(self, turn: int, kind: str) -> float | None:
        return next((at for at, frame in self.of(turn) if frame["type"] == kind), None)

    def ended(self, turn: int) -> dict[str, Any] | None:
        return next((frame for _, frame in self.of(turn) if frame["type"] in ("completed", "error")), None)


@dataclass
class Bench:
    world: CodingWorld
    api: FakeApi
    research: int
    listener: ChatListener
    container: Any

    @property
    def user(self) -> Any:
        return self.world.sandbox_user  # type: ignore[attr-defined]

    def sh(self, script: str) -> str:
        code, out = self.world.harness.sh(self.user, script)
        if code != 0:
            raise RuntimeError(f"sandbox command failed ({code}): {script}\n{out}")
        return out

    def send(self, text: str) -> tuple[int, float, float]:
        """Post a message; its turn (the user's message id), and when it was posted (perf_counter, epoch)."""
        posted, epoch = time.perf_counter(), time.time()
        detail = self.world.api("post", f"/api/research/{self.research}/message", {"text": text})
        turn = [message["id"] for message in detail["messages"] if message["role"] == "user"][-1]
        return int(turn), posted, epoch

    def wait_end(self, turn: int, timeout: float = 120) -> dict[str, Any]:
        ended: dict[str, Any] = wait_until(lambda: self.listener.ended(turn), timeout, f"turn {turn} to end")
        if ended["type"] != "completed":
            raise RuntimeError(f"turn {turn} failed: {ended}")
        return ended

    def probe(self, prompt: str) -> dict[str, float]:
        out = self.sh(f"/usr/bin/python3 $HOME/{BENCH_DIR}/probe.py {PORT} '{prompt}'")
        return {key: value * 1000 for key, value in json.loads(out.strip().splitlines()[-1]).items()}

    def instance_pid(self) -> int | None:
        listed = self.world.harness.call(self.user, "instance.list")["instances"]
        found = [item["pid"] for item in listed if item["kind"] == "research" and item["id"] == self.research]
        return int(found[0]) if found else None

    def procmem(self, root: int = 0) -> dict[str, Any]:
        out = self.sh(f"/usr/bin/python3 $HOME/{BENCH_DIR}/procmem.py {root}")
        sample: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return sample

    def container_memory(self) -> dict[str, float]:
        """The container's memory as `docker stats` shows it (usage without the inactive file cache), and its
        anonymous part (heaps and stacks: what no file backs, so the kernel cannot drop it), in MB."""
        stats = self.container.stats(stream=False)["memory_stats"]
        detail = stats.get("stats", {})
        cgroup_v1 = "total_inactive_file" in detail  # the names differ between cgroup v1 and v2
        inactive = detail["total_inactive_file"] if cgroup_v1 else detail.get("inactive_file", 0)
        anon = detail.get("total_rss", 0) if cgroup_v1 else detail.get("anon", 0)
        return {"container_mb": float(stats["usage"] - inactive) / 2**20, "container_anon_mb": float(anon) / 2**20}


def mb(kb: float) -> float:
    return kb / 1024


def tree_figures(sample: dict[str, Any]) -> dict[str, float]:
    tree = sample["tree"]
    claude = [item for item in tree if item["comm"] == "claude"]
    return {
        "tree_rss_mb": mb(sum(item.get("rss", 0) for item in tree)),
        "tree_pss_mb": mb(sum(item.get("pss", 0) for item in tree)),
        "instance_pss_mb": mb(sum(item.get("pss", 0) for item in tree if item["comm"] != "claude")),
        "claude_pss_mb": mb(sum(item.get("pss", 0) for item in claude)),
        "processes": float(len(tree)),
    }


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    quartiles = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) >= 2 else [ordered[0]] * 3
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "q1": quartiles[0],
        "q3": quartiles[2],
        "max": ordered[-1],
        "n": float(len(ordered)),
    }


def latency_sample(bench: Bench, name: str) -> dict[str, float]:
    """One direct probe of the server, then one message through the chain."""
    probe = bench.probe(f"probe {name}")
    turn, posted, epoch = bench.send(f"latency sample {name}")
    bench.wait_end(turn)
    first_delta = bench.listener.first(turn, "delta")
    completed = bench.listener.first(turn, "completed")
    if first_delta is None or completed is None:
        raise RuntimeError(f"turn {turn} had no delta before it completed: {bench.listener.of(turn)}")
    arrived = [r["time"] for r in bench.api.requests() if f"latency sample {name}" in (r.get("prompt") or "")]
    return {
        "chain_first_delta_ms": (first_delta - posted) * 1000,
        "chain_completed_ms": (completed - posted) * 1000,
        "to_server_request_ms": (arrived[0] - epoch) * 1000 if arrived else float("nan"),
        "requests_in_turn": float(len(arrived)),
        "server_first_byte_ms": probe["first_byte"],
        "server_first_delta_ms": probe["first_delta"],
        "server_end_ms": probe["end"],
    }


def measure_latency(bench: Bench, warm: int, cold: int) -> dict[str, Any]:
    print("first message (starts Claude Code with a new session)...")
    first = latency_sample(bench, "first")
    print(f"  first delta after {first['chain_first_delta_ms']:.0f} ms")
    warm_samples = []
    for n in range(warm):
        warm_samples.append(latency_sample(bench, f"warm {n}"))
        print(f"  warm {n}: first delta after {warm_samples[-1]['chain_first_delta_ms']:.0f} ms")
    cold_samples = []
    for n in range(cold):
        pid = bench.instance_pid()
        bench.world.harness.call(bench.user, "instance.stop", {"kind": "research", "id": bench.research})
        wait_until(lambda: bench.instance_pid() is None, 30, "the research's process to stop", interval=0.2)
        cold_samples.append(latency_sample(bench, f"cold {n}"))
        print(f"  cold {n} (pid {pid} stopped): first delta after {cold_samples[-1]['chain_first_delta_ms']:.0f} ms")
    return {"first": first, "warm": warm_samples, "cold": cold_samples}


def summarize_latency(samples: list[dict[str, float]]) -> dict[str, Any]:
    chain = [s["chain_first_delta_ms"] for s in samples]
    server = [s["server_first_byte_ms"] for s in samples]
    server_delta = [s["server_first_delta_ms"] for s in samples]
    return {
        "chain_first_delta_ms": spread(chain),
        "server_first_byte_ms": spread(server),
        "server_first_delta_ms": spread(server_delta),
        "post_to_server_request_ms": spread([s["to_server_request_ms"] for s in samples]),
        "server_request_to_first_delta_ms": spread(
            [s["chain_first_delta_ms"] - s["to_server_request_ms"] for s in samples]
        ),
        "chain_completed_ms": spread([s["chain_completed_ms"] for s in samples]),
        "ratio_to_server_first_byte": statistics.median(chain) / max(statistics.median(server), 1e-9),
        "ratio_to_server_first_delta": statistics.median(chain) / max(statistics.median(server_delta), 1e-9),
        "overhead_ms": statistics.median(chain) - statistics.median(server),
        "requests_per_turn_max": max(s["requests_in_turn"] for s in samples),
    }


def measure_memory(bench: Bench, answer_seconds: float) -> dict[str, Any]:
    pid = bench.instance_pid()
    if pid is None:
        raise RuntimeError("the research's process is not running")
    print(f"idle research (instance pid {pid}): sampling for 5 s...")
    time.sleep(2)  # past the last reply's stores
    idle = [tree_figures(bench.procmem(pid)) for _ in range(8)]
    idle_container = bench.container_memory()
    print(f"answering a long reply ({answer_seconds:.0f} s streamed): sampling while it streams...")
    turn, _, _ = bench.send("long answer please")
    wait_until(lambda: bench.listener.first(turn, "delta"), 120, "the long reply to start", interval=0.1)
    answering, containers = [], []
    deadline = time.monotonic() + answer_seconds
    while time.monotonic() < deadline and bench.listener.ended(turn) is None:
        answering.append(tree_figures(bench.procmem(pid)))
        if len(answering) % 5 == 1:
            containers.append(bench.container_memory())
    still_streaming = bench.listener.ended(turn) is None
    deltas = sum(1 for _, frame in bench.listener.of(turn) if frame["type"] == "delta")
    bench.world.api("post", f"/api/research/{bench.research}/interrupt")
    bench.wait_end(turn)
    after = tree_figures(bench.procmem(pid))

    def pick(samples: list[dict[str, float]], key: str) -> dict[str, float]:
        return spread([s[key] for s in samples])

    keys = ("tree_rss_mb", "tree_pss_mb", "instance_pss_mb", "claude_pss_mb")
    return {
        "idle": {key: pick(idle, key) for key in keys} | idle_container,
        "answering": {key: pick(answering, key) for key in keys}
        | {
            "container_mb": spread([c["container_mb"] for c in containers]),
            "container_anon_mb": spread([c["container_anon_mb"] for c in containers]),
            "deltas_during_window": deltas,
            "still_streaming_at_end": still_streaming,
        },
        "after_interrupt_tree_pss_mb": after["tree_pss_mb"],
        "processes_in_tree": idle[0]["processes"],
    }


def baseline_memory(bench: Bench) -> dict[str, Any]:
    sample = bench.procmem()
    return {
        "processes": [f"{item['comm']} {mb(item.get('pss', 0)):.1f}" for item in sample["all"]],
        "all_pss_mb": mb(sum(item.get("pss", 0) for item in sample["all"])),
        "all_rss_mb": mb(sum(item.get("rss", 0) for item in sample["all"])),
        **bench.container_memory(),
    }


def scenario(server_delay: float, answer_seconds: float) -> dict[str, Any]:
    long_text = "The research goes on, one careful sentence after another. " * int(answer_seconds * 3 + 60)
    reply = {"text": SHORT_REPLY, "delay": server_delay}
    return {
        "turns": [
            {"match": "probe", "repeat": True, "responses": [reply]},
            {"match": "latency sample", "repeat": True, "responses": [reply]},
            {"match": "long answer", "repeat": True, "responses": [{"text": long_text, "chunk_delay": CHUNK_DELAY}]},
        ],
        "default": "Noted.",
    }


def run(warm: int, cold: int, answer_seconds: float, server_delay: float) -> dict[str, Any]:
    tag = secrets.token_hex(4)
    data_dir = Path(tempfile.mkdtemp(prefix="autocode-bench-"))
    settings = Settings(
        data_dir=data_dir,
        secret_key="bench-secret-" + "x" * 40,
        bcrypt_rounds=4,
        sandbox_instance=f"bench-{tag}",
        sandbox_name_prefix=f"bench-{tag}-",
        sandbox_network="autocode-bench",
        sandbox_network_internal=True,
        sandbox_memory="1g",  # Claude Code alone takes about 250 MB
        sandbox_pids=256,
        reconcile_interval_seconds=3600,
        research_idle_seconds=3600,  # the bench stops the process itself for the cold samples
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            harness = Harness(client, app, settings)
            print("starting the sandbox and the scripted Anthropic server in it...")
            world = CodingWorld.create(harness, "bench")
            user = world.sandbox_user  # type: ignore[attr-defined]
            api = start_fake_api(harness, user, scenario(server_delay, answer_seconds), port=PORT)
            world.write(f"{BENCH_DIR}/probe.py", PROBE)
            world.write(f"{BENCH_DIR}/procmem.py", PROCMEM)
            world.api(
                "post",
                "/api/settings/api-keys",
                {"provider": "anthropic", "key": "sk-ant-bench-research-0001", "base_url": f"http://127.0.0.1:{PORT}"},
                201,
            )
            agent = world.api("post", "/api/agents", {"template": "research", "name": "Researcher"}, 201)["id"]
            research = world.api("post", f"/api/agents/{agent}/research", {"name": "Bench"}, 201)["id"]
            engine = docker.from_env()
            container = engine.containers.list(filters={"label": f"{LABEL_INSTANCE}={settings.sandbox_instance}"})[0]
            listener = ChatListener()
            bench = Bench(world, api, research, listener, container)
            print("sandbox baseline (before any research process)...")
            baseline = baseline_memory(bench)
            ticket = client.post("/api/ws-ticket", headers=world.headers).json()["ticket"]
            with client.websocket_connect(f"/ws/research/{research}/chat?ticket={ticket}") as socket:
                thread = threading.Thread(target=listener.listen, args=(socket,), daemon=True)
                thread.start()
                latency = measure_latency(bench, warm, cold)
                memory = measure_memory(bench, answer_seconds)
            return {
                "server_delay_s": server_delay,
                "latency": {
                    "first_message": latency["first"],
                    "warm": summarize_latency(latency["warm"]),
                    "cold": summarize_latency(latency["cold"]) if latency["cold"] else None,
                },
                "memory": memory,
                "sandbox_baseline": baseline,
            }
    finally:
        remove_sandboxes(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=10, help="warm first-token samples")
    parser.add_argument("--cold", type=int, default=3, help="samples with the process stopped first")
    parser.add_argument("--answer-seconds", type=float, default=30, help="memory sampling window while answering")
    parser.add_argument("--server-delay", type=float, default=0.0, help="scripted wait before the first byte (s)")
    args = parser.parse_args()
    result = run(args.samples, args.cold, args.answer_seconds, args.server_delay)
    print(json.dumps(result, indent=2))
    warm = result["latency"]["warm"]
    chain, server = warm["chain_first_delta_ms"], warm["server_first_byte_ms"]
    print(
        f"first token (warm, {chain['n']:.0f} samples): {chain['median']:.0f} ms median "
        f"(IQR {chain['q1']:.0f}-{chain['q3']:.0f}, range {chain['min']:.0f}-{chain['max']:.0f}); the server's own "
        f"first byte {server['median']:.1f} ms: ratio {warm['ratio_to_server_first_byte']:.1f}x, "
        f"{warm['overhead_ms']:.0f} ms added by the chain"
    )
    cold = result["latency"]["cold"]
    if cold:
        print(
            f"first token (cold: process started and session resumed, {cold['chain_first_delta_ms']['n']:.0f} "
            f"samples): {cold['chain_first_delta_ms']['median']:.0f} ms median, ratio "
            f"{cold['ratio_to_server_first_byte']:.1f}x"
        )
    memory, baseline = result["memory"], result["sandbox_baseline"]
    idle = memory["idle"]
    print(
        f"memory: idle research {idle['tree_pss_mb']['median']:.0f} MB PSS "
        f"({idle['tree_rss_mb']['median']:.0f} MB RSS; instance "
        f"{idle['instance_pss_mb']['median']:.0f}, Claude Code {idle['claude_pss_mb']['median']:.0f}); "
        f"answering {memory['answering']['tree_pss_mb']['median']:.0f} MB PSS median, "
        f"{memory['answering']['tree_pss_mb']['max']:.0f} max; sandbox baseline {baseline['all_pss_mb']:.0f} MB PSS "
        f"({baseline['container_mb']:.0f} MB container), idle {memory['idle']['container_mb']:.0f} MB container, "
        f"answering {memory['answering']['container_mb']['max']:.0f} MB container max"
    )
    added = memory["idle"]["container_anon_mb"] - baseline["container_anon_mb"]
    added_answering = memory["answering"]["container_anon_mb"]["max"] - baseline["container_anon_mb"]
    print(
        f"the container's anonymous memory over its baseline: {added:.0f} MB with the research idle, "
        f"{added_answering:.0f} MB at most while it answers"
    )


if __name__ == "__main__":
    main()
