"""A restart of the container engine (issue 17): `dockerd` stopped with SIGTERM and started again the way
scripts/ensure-docker.sh starts it, while a coding project's step 2 runs and a tutor's reply streams under a real
`autocode serve` (tests/faults/served.py). Stopping the engine stops every container; once it answers again the
reconciler starts both sandboxes again, the project goes on from its step to the end with its plan and log kept, and
the user's message is answered, or failed with a retry that then works.

It stops the engine every other docker test on the machine is using, so it is marked `disruptive`: skipped unless
selected, run alone with `.venv/bin/pytest -m disruptive tests/faults` (README, Development)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import docker
import pytest

from controlplane.config import Settings
from tests.faults.served import CODER, LEARNER, TUTOR, Served, check_healed, prepare, wait_both_under_way, write
from tests.support.coding_world import ANTHROPIC_PORT, OPENAI_PORT
from tests.support.pwa_coding import fakes_dir
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.disruptive, pytest.mark.timeout(900)]
ENSURE_DOCKER = Path(__file__).parents[2] / "scripts" / "ensure-docker.sh"


def dockerd_pid() -> int:
    found = subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, text=True, check=False).stdout.split()
    assert len(found) == 1, f"one dockerd expected, found {found}"
    return int(found[0])


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def restart_the_engine() -> None:
    pid = dockerd_pid()
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), 120, "dockerd to stop", interval=0.25)
    assert not engine_answers()
    # Started again the way `make engine` starts it (in a session of its own, so this test's end does not end it);
    # the script returns once the engine answers.
    subprocess.run(["setsid", str(ENSURE_DOCKER)], check=True, timeout=180)


def restart_scripted_providers(served: Served, username: str) -> None:
    """The scripted providers died with the sandbox (a real provider would still be there): start them again."""
    container = served.container(username)
    uid = served.settings.sandbox_uid_base + int(container.labels["autocode.user-id"])
    # Their scripted turns start again from the first: the coder's only to finish step 2.
    again = (
        TUTOR if username == LEARNER else {"turns": [{"match": "world.txt", "responses": write("world.txt", "w\n")}]}
    )
    (fakes_dir(served.settings, username) / "anthropic.json").write_text(json.dumps(again))
    for name, port in (("openai", OPENAI_PORT), ("anthropic", ANTHROPIC_PORT)):
        base = "/home/agent/.fakes"
        command = ["python3", f"{base}/{name}_server.py", "--port", str(port), "--script", f"{base}/{name}.json"]
        command += ["--record", f"{base}/{name}-requests.jsonl"]
        container.exec_run(command, user=f"{uid}:{uid}", detach=True)
    probe = ["python3", "-c", f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{ANTHROPIC_PORT}/')"]
    wait_until(lambda: container.exec_run(probe).exit_code == 0, 30, "the scripted servers", interval=0.25)


def test_an_engine_restart_is_healed_and_the_project_and_the_reply_go_on(
    sandbox_settings: Settings, engine_client: docker.DockerClient
) -> None:
    served = Served(sandbox_settings, engine_client, sandbox_settings.data_dir.parent)
    with served.control_plane() as (base, _):
        work = prepare(served, base)
        work.start()
        wait_both_under_way(served, work)
        plan = [s["title"] for s in work.coder.ok("get", f"/api/projects/{work.project}")["implementation_plan"]]
        logged = served.log_lines(work.project)
        began = time.monotonic()
        restart_the_engine()
        served.engine = docker.from_env()

        def running(name: str) -> bool:
            try:
                return bool(served.container(name).attrs["State"]["Running"])
            except docker.errors.DockerException:
                return False

        wait_until(lambda: running(CODER) and running(LEARNER), 120, "the reconciler to start both sandboxes again")
        for name in (CODER, LEARNER):
            restart_scripted_providers(served, name)
        check_healed(served, work, plan, logged, deadline=240)
        assert time.monotonic() - began < 480
