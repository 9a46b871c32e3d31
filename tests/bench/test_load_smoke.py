"""The load bench's smoke run (bench/load.py --smoke): a real control plane in its own process, two users with real
sandboxes, terminals, coding projects watching the real Claude Code, streaming chats, and the log fan-out. It
asserts that the run completes and produces every figure, and that every part really ran; the figures themselves
are timings on a shared machine, reported by the bench, never asserted here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import docker
import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(600)]
BENCH = Path(__file__).resolve().parents[2] / "bench" / "load.py"
FIGURES = (
    "control plane CPU (% of one core)",
    "control plane RSS (MB)",
    "keystroke echo p50 (ms)",
    "keystroke echo p99 (ms)",
    "log fan-out lag p99 (ms)",
    "log fan-out lag p50 (ms)",
    "log lines committed per s",
    "log lines submitted per s",
    "log lines failed",
    "log lines delivered (share)",
    "log viewer reconnections",
    "  of which too slow (4408)",
    "keystrokes measured",
    "chat deltas per s (all users)",
    "projects watching Claude Code",
    "project log lines in the window",
    "control plane loop waiting for a core (%)",
    "sandboxes CPU (% of one core, all)",
    "container engine CPU (% of one core)",
    "bench clients CPU (% of one core)",
    "machine CPU busy (% of all cores)",
    "sandbox memory, largest (MB)",
    "sandbox memory, all users (MB)",
)
USERS = 2  # bench/load.py --smoke's users


def test_the_load_smoke_run_completes_with_every_figure(engine_client: docker.DockerClient) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True, timeout=540, check=False
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    results = json.loads(line.removeprefix("RESULT "))
    assert set(results) == set(FIGURES)
    for name, row in results.items():
        for side in ("baseline", "loaded"):
            assert isinstance(row[side], float | int) and math.isfinite(row[side]) and row[side] >= 0, (name, row)
    # Every part really ran: keystrokes came back, every line was committed and reached every viewer, the chats
    # streamed, and every user's project was watching Claude Code work through the window.
    assert results["keystrokes measured"]["baseline"] > 0 and results["keystrokes measured"]["loaded"] > 0
    assert results["log lines failed"] == {"baseline": 0, "loaded": 0}
    assert results["log lines delivered (share)"]["baseline"] == 1.0
    assert results["log lines delivered (share)"]["loaded"] == 1.0
    assert results["chat deltas per s (all users)"]["loaded"] > 0
    assert results["projects watching Claude Code"]["loaded"] == USERS, done.stdout[-4000:]
    assert results["control plane RSS (MB)"]["baseline"] > 0
    # No container of the run is left: it removed them by its own instance label.
    [instance] = [word.split("=", 1)[1] for word in done.stdout.split() if word.startswith("instance=")]
    assert engine_client.containers.list(all=True, filters={"label": f"autocode.instance={instance}"}) == []
