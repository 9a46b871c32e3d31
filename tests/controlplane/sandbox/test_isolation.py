"""Isolation is real: each user's files, processes, privileges and network are their own."""

from __future__ import annotations

import errno
import os
import stat
import time

import pytest

from controlplane.sandbox.accounts import sandbox_uid
from tests.support.engine import TEST_PIDS, Harness

pytestmark = pytest.mark.docker


def test_files_of_one_user_are_absent_from_another_sandbox(harness: Harness) -> None:
    alice, bob = harness.user("alice"), harness.user("bob")
    harness.call(alice, "fs.write", {"path": "projects/secret-of-alice.txt", "content": "for alice only"})
    harness.call(bob, "ping")
    code, output = harness.sh(bob, "find / -xdev -name 'secret-of-alice*' 2>/dev/null; ls -a /home; ls -a /home/agent")
    assert code == 0
    assert "secret-of-alice" not in output
    home = harness.settings.users_dir / "alice"
    info = os.stat(home)
    assert info.st_uid == sandbox_uid(harness.settings, alice) != sandbox_uid(harness.settings, bob)
    assert stat.S_IMODE(info.st_mode) == 0o700, "other uids cannot enter alice's directory"
    assert (home / "projects" / "secret-of-alice.txt").read_text() == "for alice only"


def test_a_sandbox_sees_only_its_own_processes(harness: Harness) -> None:
    alice, bob = harness.user("alice"), harness.user("bob")
    harness.call(alice, "ping")
    harness.call(bob, "tmux.new", {"name": "busy", "command": "sleep 4242"})
    code, output = harness.sh(bob, "ps -eo args")
    assert "sleep 4242" in output
    code, output = harness.sh(alice, "ps -eo user,args")
    assert code == 0
    assert "sleep 4242" not in output
    assert "autocode-runner serve" in output


def test_runs_unprivileged_without_capabilities_or_engine_socket(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    script = (
        "id -u; id -g; whoami; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status;"
        "ls /var/run/docker.sock /run/docker.sock 2>&1; touch /usr/x 2>&1; echo done"
    )
    _, output = harness.sh(alice, script)
    lines = output.splitlines()
    uid = sandbox_uid(harness.settings, alice)
    assert lines[0] == str(uid) and lines[0] != "0"
    assert lines[1] == str(uid)
    assert lines[2] == "alice"
    assert "CapEff:\t0000000000000000" in output
    assert "NoNewPrivs:\t1" in output
    assert output.count("No such file or directory") >= 2, "no container-engine socket inside"
    assert "Read-only file system" in output, "the root filesystem is read-only"
    attrs = harness.container(alice).attrs["HostConfig"]
    assert attrs["CapDrop"] == ["ALL"] and attrs["PidsLimit"] == TEST_PIDS and attrs["ReadonlyRootfs"]
    assert attrs["Memory"] == 256 * 1024 * 1024 and attrs["NanoCpus"] == 1_000_000_000


FLOOD = """
import subprocess
children, refused = [], None
try:
    for _ in range(400):
        children.append(subprocess.Popen(["sleep", "120"]))
except OSError as exc:
    refused = exc.errno
print("started", len(children), "refused", refused)
for child in children:
    child.kill()
    child.wait()
"""


def test_a_fork_bomb_stops_at_the_pids_limit_and_the_runner_survives(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    harness.call(alice, "fs.write", {"path": "flood.py", "content": FLOOD})
    _, output = harness.sh(alice, "python3 flood.py")
    words = output.split()
    started, refused = int(words[words.index("started") + 1]), words[words.index("refused") + 1]
    assert started < TEST_PIDS, f"{started} processes started under a limit of {TEST_PIDS}"
    assert refused == str(errno.EAGAIN), "process creation was refused by the limit"
    assert harness.call(alice, "ping")["pong"] is True


def test_a_memory_hog_is_killed_and_the_runner_comes_back(harness: Harness) -> None:
    alice = harness.user("alice")
    harness.call(alice, "ping")
    code, output = harness.sh(alice, "python3 -c 'b = bytearray(1024 * 1024 * 1024); print(len(b))'")
    assert code == 128 + 9, f"the hog should be SIGKILLed by the OOM killer, got {code}: {output}"
    assert str(1024 * 1024 * 1024) not in output
    harness.run(harness.app.state.reconciler.reconcile_once)  # heals the sandbox if the runner was the victim
    assert harness.call(alice, "ping")["pong"] is True


def test_one_sandbox_cannot_connect_to_another(harness: Harness) -> None:
    alice, bob = harness.user("alice"), harness.user("bob")
    harness.call(alice, "ping")
    harness.call(
        bob, "tmux.new", {"name": "server", "command": "python3 -m http.server 8080 --bind 0.0.0.0 --directory /tmp"}
    )
    networks = harness.container(bob).attrs["NetworkSettings"]["Networks"]
    bob_ip = next(iter(networks.values()))["IPAddress"]
    probe = "python3 -c \"import socket,sys; socket.create_connection((sys.argv[1], 8080), timeout=3); print('open')\" "
    deadline = time.monotonic() + 60
    while True:  # bob's server is up when bob can reach it himself (the positive control)
        code, output = harness.sh(bob, probe + bob_ip)
        if "open" in output or time.monotonic() > deadline:
            break
    assert "open" in output, output
    code, output = harness.sh(alice, probe + bob_ip)
    assert code != 0 and "open" not in output
