"""SIGKILL of the control plane (issue 17) in the middle of a coding project and of a chat reply, with real parts: a
real `autocode serve` (tests/faults/served.py) is killed with SIGKILL while the project's step 2 runs in the coder's
sandbox and the tutor's reply streams in the learner's; the kernel lets go of DATA_DIR/control-plane.lock with the
process, and a new `autocode serve` on the same data directory adopts both sandboxes. The project goes on from its
step to the end with its plan and log kept, the user's message is stored and its reply stored after the restart (or
the message is failed with a retry that then works), within the deadlines."""

from __future__ import annotations

import signal

import docker
import pytest

from controlplane.config import Settings
from tests.faults.served import Served, check_healed, prepare, wait_both_under_way

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_a_sigkilled_control_plane_is_replaced_and_the_project_and_the_reply_go_on(
    sandbox_settings: Settings, engine_client: docker.DockerClient
) -> None:
    served = Served(sandbox_settings, engine_client, sandbox_settings.data_dir.parent)
    with served.control_plane() as (base, process):
        work = prepare(served, base)
        work.start()
        wait_both_under_way(served, work)
        plan = [s["title"] for s in work.coder.ok("get", f"/api/projects/{work.project}")["implementation_plan"]]
        logged = served.log_lines(work.project)
        sandboxes = {name: served.container(name).attrs["State"]["StartedAt"] for name in ("coder", "learner")}
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL

    with served.control_plane() as (base, _):  # it starts at all: the lock went with the killed process
        work = work.on(base)
        check_healed(served, work, plan, logged, deadline=180)
        for name, started in sandboxes.items():
            assert served.container(name).attrs["State"]["StartedAt"] == started, f"{name}'s sandbox was adopted"
