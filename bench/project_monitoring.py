"""What a running coding project costs while it monitors Claude Code: CPU and memory of its instance process
(the manager loop with nanobot loaded) and its share of the runner, with N projects at once, against a
baseline measured in the same sandbox and run: a shell loop doing only `tmux capture-pane` every poll.

    .venv/bin/python bench/project_monitoring.py [--projects 5] [--seconds 60]

Everything is real (sandbox, runner, instances, Claude Code in tmux, nanobot); the providers are the
scripted servers of tests/support/fakes inside the sandbox, and Claude Code's turn is a reply streamed slowly, so
every project stays in the monitoring phase (capture-pane every 2 s, classify, fingerprint) for the whole window.
Targets (issue 6): under 1% of one core and under 100 MB per project.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autocode_runner.contract.wire import Method
from busy_project import SENT, busy_scripts, project_states
from cleanup import remove_sandboxes
from fastapi.testclient import TestClient

from controlplane.config import Settings
from controlplane.main import create_app
from tests.support.coding_world import CodingWorld
from tests.support.engine import Harness

TICKS = os.sysconf("SC_CLK_TCK")
STREAM_SECONDS = 500  # Claude Code's reply lasts this long: past the set-up and a long window


def cpu_seconds(world: CodingWorld, pid: int, children: bool = False) -> float:
    code, out = world.harness.sh(world.sandbox_user, f"cat /proc/{pid}/stat")  # type: ignore[attr-defined]
    if code != 0:
        raise RuntimeError(f"process {pid} is gone: {out}")
    fields = out[out.rindex(")") + 2 :].split()
    used = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        used += int(fields[13]) + int(fields[14])  # cutime, cstime: the tmux commands it ran
    return used / TICKS


def rss_mb(world: CodingWorld, pid: int) -> float:
    _, out = world.harness.sh(world.sandbox_user, f"grep VmRSS /proc/{pid}/status")  # type: ignore[attr-defined]
    return int(out.split()[1]) / 1024


def run(projects: int, seconds: float) -> dict[str, float]:
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
        sandbox_firewall_check=False,  # an internal network of its own, as the tests' (tests/support/engine.py)
        sandbox_memory=f"{max(2, projects)}g",  # Claude Code itself takes ~240 MB per project
        sandbox_pids=1024,
        reconcile_interval_seconds=3600,
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            world = CodingWorld.create(Harness(client, app, settings), "bench")
            world.start_fakes(*busy_scripts(STREAM_SECONDS))
            world.add_keys()
            ids = [world.new_project(f"Project {n}", "work")["id"] for n in range(projects)]
            for project_id in ids:
                world.api("post", f"/api/projects/{project_id}/start")
            for project_id in ids:
                world.wait(lambda pid=project_id: SENT in world.log_text(pid), 120, f"project {project_id}")
            time.sleep(5)  # past the first polls: measure the steady monitoring state
            listed = world.harness.call(world.sandbox_user, Method.INSTANCE_LIST)  # type: ignore[attr-defined]
            pids = [item["pid"] for item in listed["instances"] if item["kind"] == "coding"]
            runner_pid = world.harness.call(world.sandbox_user, Method.STATUS)["pid"]  # type: ignore[attr-defined]
            baseline_script = (
                "i=0; while [ $i -lt 100000 ]; do tmux capture-pane -p -t =project-1: >/dev/null; sleep 2; "
                "i=$((i+1)); done"
            )
            world.harness.call(
                world.sandbox_user, Method.TMUX_NEW, {"name": "baseline", "command": f"bash -c '{baseline_script}'"}
            )  # type: ignore[attr-defined]
            _, out = world.harness.sh(world.sandbox_user, "pgrep -f 'i=0; while'")  # type: ignore[attr-defined]
            baseline_pid = int(out.split()[0])

            logged_before = sum(len(world.logs(project_id)) for project_id in ids)
            before = {pid: cpu_seconds(world, pid, children=True) for pid in pids}
            runner_before = cpu_seconds(world, runner_pid)
            baseline_before = cpu_seconds(world, baseline_pid, children=True)
            start = time.monotonic()
            time.sleep(seconds)
            elapsed = time.monotonic() - start
            per_project = [(cpu_seconds(world, pid, children=True) - before[pid]) / elapsed * 100 for pid in pids]
            runner = (cpu_seconds(world, runner_pid) - runner_before) / elapsed * 100
            baseline = (cpu_seconds(world, baseline_pid, children=True) - baseline_before) / elapsed * 100
            memory = [rss_mb(world, pid) for pid in pids]
            runner_memory = rss_mb(world, runner_pid)
            _, claude = world.harness.sh(world.sandbox_user, "ps -o rss= -C claude")  # type: ignore[attr-defined]
            claude_mb = [int(v) / 1024 for v in claude.split()]
            logged = sum(len(world.logs(project_id)) for project_id in ids) - logged_before
            states = project_states(settings.data_dir / "autocode.db", ids)
            if logged:
                print(f"note: {logged} log entries during the window (not pure monitoring):")
                print(world.log_text(ids[0]))
            return {
                "projects": len(pids),
                "projects_monitoring_at_end": sum(state.monitoring for state in states.values()),
                "log_entries_in_window": logged,
                "instance_cpu_percent_mean": sum(per_project) / len(per_project),
                "instance_cpu_percent_max": max(per_project),
                "runner_cpu_percent_per_project": runner / len(pids),
                "baseline_capture_loop_cpu_percent": baseline,
                "instance_rss_mb_mean": sum(memory) / len(memory),
                "instance_rss_mb_max": max(memory),
                "runner_rss_mb_per_project": runner_memory / len(pids),
                "claude_rss_mb_mean": sum(claude_mb) / len(claude_mb) if claude_mb else 0.0,
            }
    finally:
        remove_sandboxes(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    result = run(args.projects, args.seconds)
    print(json.dumps(result, indent=2))
    cpu = result["instance_cpu_percent_mean"] + result["runner_cpu_percent_per_project"]
    memory = result["instance_rss_mb_mean"] + result["runner_rss_mb_per_project"]
    print(
        f"per project: {cpu:.2f}% of one core (target < 1%), {memory:.0f} MB (target < 100 MB); "
        f"ratio to the bare capture-pane loop: {cpu / max(result['baseline_capture_loop_cpu_percent'], 1e-9):.2f}x"
    )


if __name__ == "__main__":
    main()
