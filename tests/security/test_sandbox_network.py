"""Sandboxes cannot reach the host (issue 17; controlplane/sandbox/firewall.py, docs/security.md).

A real `autocode serve` listens on 0.0.0.0 and a test TCP service on every address (IPv4 and IPv6) of this machine.
Each test network is its own (`autocode-test-fw-<tag>`, internal: no way out of the machine), and so is its nftables
table; both are removed afterwards, so no rule outlives the test.

1. Without the firewall, the threat is real: a probe container on the sandbox network reaches the control plane and
   the test service on the bridge's gateway; the control plane's check says so and refuses to start a sandbox,
   naming `autocode firewall apply`.
2. `autocode firewall apply` (the project's command, run as root as in CI) installs the rules; the check passes and
   two real sandboxes start, as the product makes them.
3. From inside a sandbox (docker exec as its user, python3 with a 2 s connect deadline), each of these is blocked by
   the firewall (EHOSTUNREACH at once, not a refused connection, which would mean the host's TCP stack answered):
   the control plane's port, the test service's port and the engine's TCP ports 2375/2376 on the gateway and on
   every IPv4 address of the host; 169.254.169.254:80. The other sandbox's listener is not reachable either, while
   the other sandbox itself reaches it. From the host, every one of those control-plane and service addresses
   answers (the control). A sandbox has no IPv6 address (so no IPv6 path at all).
4. `autocode firewall remove` takes the table away, and the next reconcile pass notices and says what to run.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import APIError, NotFound

from controlplane.config import Settings
from controlplane.sandbox import firewall
from controlplane.sandbox.backend import SandboxError, SandboxUser
from controlplane.sandbox.docker_engine import LABEL_INSTANCE
from tests.support.engine import Harness
from tests.support.live_server import AUTOCODE, autocode_env, serving

pytestmark = pytest.mark.docker

METADATA = ("169.254.169.254", 80)
ENGINE_PORTS = (2375, 2376)
# Independent of the product's probe: connect to each target with a short deadline, say how it ended.
PROBE = r"""
import errno, json, socket, sys
out = []
for host, port in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect((host, port)); out.append("open")
    except socket.timeout:
        out.append("timeout")
    except OSError as e:
        out.append({errno.EHOSTUNREACH: "blocked", errno.ECONNREFUSED: "refused"}.get(e.errno, str(e.errno)))
    s.close()
print(json.dumps(out))
"""
# Binds and listens on port 8080 of the sandbox, then leaves a child holding the socket: listening when it exits.
LISTEN = r"""
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(8)
if os.fork() == 0:
    os.setsid(); os.close(0); os.close(1); os.close(2); time.sleep(600)
"""


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = autocode_env(
        settings.data_dir,
        AUTOCODE_SANDBOX_NETWORK=settings.sandbox_network,
        AUTOCODE_SANDBOX_NETWORK_INTERNAL="true",
        AUTOCODE_SANDBOX_INSTANCE=settings.sandbox_instance,
        AUTOCODE_SANDBOX_NAME_PREFIX=settings.sandbox_name_prefix,
    )
    return subprocess.run([str(AUTOCODE), *args], env=env, capture_output=True, text=True, timeout=120)


def host_addresses(version: int) -> list[str]:
    output = subprocess.run(["ip", f"-{version}", "-json", "addr"], capture_output=True, text=True, check=True)
    return [
        info["local"]
        for interface in json.loads(output.stdout)
        for info in interface.get("addr_info", [])
        if info.get("scope") == "global"
    ]


def host_can_connect(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


def table_exists(settings: Settings) -> bool:
    name = firewall.table_name(settings.sandbox_network)
    return subprocess.run(["nft", "list", "table", "inet", name], capture_output=True).returncode == 0


@pytest.fixture
def sandbox_settings(sandbox_settings: Settings, engine_client: docker.DockerClient) -> Iterator[Settings]:
    """The engine fixture's settings on a network (and firewall table) of this test's own, with the check on."""
    if os.geteuid() != 0:
        pytest.fail("this test installs nftables rules: run it as root (CI does)")
    network = f"autocode-test-fw-{secrets.token_hex(4)}"
    settings = sandbox_settings.model_copy(
        update={"sandbox_network": network, "sandbox_firewall_check": True, "sandbox_firewall_check_seconds": 0}
    )
    yield settings
    for container in engine_client.containers.list(
        all=True, filters={"label": f"{LABEL_INSTANCE}={settings.sandbox_instance}"}
    ):
        container.remove(force=True)
    if table_exists(settings):
        firewall.remove(settings)
    for found in engine_client.networks.list(names=[network]):
        if found.name == network:
            with contextlib.suppress(NotFound, APIError):
                found.remove()


@pytest.fixture
def host_service() -> Iterator[int]:
    """A TCP service of the host on every address, IPv4 and IPv6: what a sandbox must not reach."""
    with socket.socket(socket.AF_INET6) as server:
        server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        server.bind(("::", 0))
        server.listen(64)  # connections complete in the backlog; nobody needs to accept them
        yield server.getsockname()[1]


def probe_in(harness: Harness, user: SandboxUser, targets: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    code, output = harness.sh(user, f"python3 -I -c '{PROBE}' '{json.dumps(targets)}'", timeout=120)
    assert code == 0, output
    return dict(zip(targets, json.loads(output.strip().splitlines()[-1]), strict=True))


def test_sandboxes_cannot_reach_the_host(harness: Harness, host_service: int, tmp_path: Path) -> None:
    settings = harness.settings
    backend = harness.backend
    gateway = backend.network_facts().gateways[0]
    alice, bob = harness.user("alice"), harness.user("bob")

    all_addresses = "0.0.0.0"  # noqa: S104 (the point of the test)
    with serving(tmp_path / "cp", AUTOCODE_HOST=all_addresses) as (base, _):
        cp_port = int(base.rsplit(":", 1)[1])
        host_v4 = [a for a in host_addresses(4) if not a.startswith("127.")]
        assert gateway in host_v4

        # 1. Without the firewall the sandbox network reaches the host, and the control plane refuses to start any.
        before = backend.probe([(gateway, cp_port), (gateway, host_service)])
        assert before == ["open", "open"], before
        problem = backend.check_isolation()
        assert problem is not None and "autocode firewall apply" in problem
        with pytest.raises(SandboxError, match="autocode firewall apply"):
            harness.run(harness.manager.ensure_ready, alice)
        assert not harness.backend.list_sandboxes()

        # 2. The project's own command installs the rules; the check passes; real sandboxes start.
        applied = cli(settings, "firewall", "apply")
        assert applied.returncode == 0, applied.stderr
        assert table_exists(settings)
        assert backend.check_isolation() is None
        harness.run(harness.manager.ensure_ready, alice)
        harness.run(harness.manager.ensure_ready, bob)

        # 3. From inside a sandbox, nothing of the host, the engine, the metadata address or the other sandbox.
        code, output = harness.sh(bob, f"python3 -I -c '{LISTEN}'")
        assert code == 0, output
        bob_address = harness.container(bob).attrs["NetworkSettings"]["Networks"][settings.sandbox_network]["IPAddress"]
        assert probe_in(harness, bob, [("127.0.0.1", 8080), (bob_address, 8080)]) == {
            ("127.0.0.1", 8080): "open",
            (bob_address, 8080): "open",
        }
        host_targets = [(address, port) for address in host_v4 for port in (cp_port, host_service, *ENGINE_PORTS)]
        outcomes = probe_in(harness, alice, [*host_targets, METADATA, (bob_address, 8080)])
        assert outcomes.pop((bob_address, 8080)) in ("blocked", "timeout")
        assert outcomes == dict.fromkeys([*host_targets, METADATA], "blocked"), outcomes
        # The control: from the host itself, the same control plane and service answer on each address.
        # (Other engineers' test networks come and go: an address that vanished meanwhile proves nothing.)
        for address in host_v4:
            for port in (cp_port, host_service):
                assert host_can_connect(address, port) or address not in host_addresses(4), (address, port)
        # No IPv6 path: the sandbox has no IPv6 address but loopback's.
        code, output = harness.sh(alice, "cat /proc/net/if_inet6 2>/dev/null | awk '$6 != \"lo\"'")
        assert code == 0 and output.strip() == "", output

    # 4. Removed: the table is gone, and the next reconcile pass finds the host reachable and says what to run.
    removed = cli(settings, "firewall", "remove")
    assert removed.returncode == 0, removed.stderr
    assert not table_exists(settings)
    report = harness.run(harness.app.state.reconciler.reconcile_once)
    assert report.isolation_problem is not None and "autocode firewall apply" in report.isolation_problem
