"""The systemd way (deploy/systemd/autocode.service): the unit passes `systemd-analyze verify` and scores well in
`systemd-analyze security`, and the control plane signs in under it behind Caddy, as its own unprivileged user with
the unit's sandboxing, giving users' directories to their uids and deleting them through the engine.

Under a running systemd the unit's [Service] settings go to `systemd-run` as properties. Without one (a container
whose PID 1 is not systemd, like this machine and CI), the same settings are applied by hand, as far as the kernel
lets a test: a private mount namespace with the root filesystem read-only and only the data directory writable
(ProtectSystem=strict, ReadWritePaths=), private /tmp and /var/tmp (PrivateTmp=), no /home and /root
(ProtectHome=), then `setpriv` to an unprivileged uid with the docker group (User=, SupplementaryGroups=), no new
privileges and an empty bounding set (NoNewPrivileges=, CapabilityBoundingSet=), and the unit's environment only.
"""

from __future__ import annotations

import grp
import os
import re
import secrets
import shlex
import shutil
import ssl
import stat
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import httpx
import pytest

from controlplane.config import PROJECT_ROOT, Settings
from controlplane.sandbox.docker_engine import LABEL_INSTANCE
from tests.deploy.conftest import remove_labelled
from tests.deploy.test_stack import free_port
from tests.support.engine import TEST_NETWORK
from tests.support.waiting import wait_until

UNIT = PROJECT_ROOT / "deploy" / "systemd" / "autocode.service"
UNIT_ENV_FILE = PROJECT_ROOT / "deploy" / "systemd" / "autocode.env"
INSTALLED_AUTOCODE = "/opt/autocode/venv/bin/autocode"
VENV_AUTOCODE = PROJECT_ROOT / ".venv" / "bin" / "autocode"
CADDY = PROJECT_ROOT / ".venv" / "bin" / "caddy"
SERVICE_UID = 64_123  # stands in for the unit's User=autocode, which this machine does not have
UID_BASE = 100_000
PASSWORD = "unit-password-123"
DEADLINE = 90.0


def service_settings(unit: Path = UNIT) -> dict[str, list[str]]:
    """The [Service] section: each key with all its values (systemd allows a key many times)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in unit.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def unit_with_local_executable(tmp_path: Path) -> Path:
    """The unit as shipped, its ExecStart pointed at this checkout's venv (verify checks the file exists)."""
    text = UNIT.read_text()
    assert INSTALLED_AUTOCODE in text
    copy = tmp_path / "autocode.service"
    copy.write_text(text.replace(INSTALLED_AUTOCODE, str(VENV_AUTOCODE)))
    return copy


def test_the_unit_is_hardened_as_the_issue_asks() -> None:
    service = service_settings()
    assert service["User"] == ["autocode"] and service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"] and service["PrivateTmp"] == ["yes"]
    assert service["ReadWritePaths"] == ["/var/lib/autocode"]
    assert "AUTOCODE_DATA_DIR=/var/lib/autocode" in service["Environment"]
    assert service["CapabilityBoundingSet"] == [""] and service["AmbientCapabilities"] == [""]  # no root powers
    assert service["ExecStart"] == [f"{INSTALLED_AUTOCODE} serve"]
    assert service["Restart"] == ["always"]


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    unit = unit_with_local_executable(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--threshold=25", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert security.returncode == 0, security.stdout[-2000:]
    score = re.search(r"Overall exposure level for autocode.service: ([0-9.]+)", security.stdout)
    assert score and float(score.group(1)) <= 2.5, security.stdout[-500:]


def booted_with_systemd() -> bool:
    return Path("/run/systemd/system").is_dir()


def pid1() -> str:
    return Path("/proc/1/comm").read_text().strip()


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    unit: str | None  # the transient unit's name under systemd-run
    base: str  # Caddy's HTTPS address in front of it
    ca: Path
    data_dir: Path
    log: Path

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def tail(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(line for line in lines if '"logger":"http.log.error"' not in line)[-3000:]

    def pid(self) -> int:
        if self.unit is None:
            return self.process.pid  # unshare, sh and setpriv each exec the next: the server's own pid
        shown = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", self.unit], capture_output=True)
        return int(shown.stdout.strip())

    def running(self) -> bool:
        if self.unit is None:
            return self.process.poll() is None
        return subprocess.run(["systemctl", "is-active", "--quiet", self.unit], check=False).returncode == 0


def unit_environment(data_dir: Path, port: int, tag: str) -> dict[str, str]:
    """Environment= and EnvironmentFile= of the unit, with what a test must move (port, data, its sandboxes)."""
    environment: dict[str, str] = {}
    for assignment in service_settings()["Environment"]:
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            environment[key] = value
    for line in UNIT_ENV_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            environment[key] = value
    settings = Settings()
    environment.update(
        AUTOCODE_DATA_DIR=str(data_dir),
        HOME=str(data_dir),
        AUTOCODE_PORT=str(port),
        AUTOCODE_FRONTEND_DIST=str(PROJECT_ROOT / "frontend" / "dist"),
        AUTOCODE_ADMIN_PASSWORD=PASSWORD,
        AUTOCODE_BCRYPT_ROUNDS="4",
        AUTOCODE_SANDBOX_IMAGE=settings.sandbox_image,
        AUTOCODE_SANDBOX_INSTANCE=f"unit-{tag}",
        AUTOCODE_SANDBOX_NAME_PREFIX=f"unt-{tag}-",
        AUTOCODE_SANDBOX_NETWORK=TEST_NETWORK,
        AUTOCODE_SANDBOX_NETWORK_INTERNAL="true",
        AUTOCODE_SANDBOX_FIREWALL_CHECK="false",  # tests/security/test_sandbox_network.py checks the firewall
        AUTOCODE_SANDBOX_MEMORY="256m",
        PATH="/usr/local/bin:/usr/bin:/bin",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return environment


def installed_command(venv: Path) -> list[str]:
    """The unit's ExecStart for a venv installed elsewhere than /opt/autocode/venv: its scripts' #! lines name that
    path, so the script is given to the venv's interpreter instead."""
    (executable, *arguments) = shlex.split(service_settings()["ExecStart"][0])
    assert executable == INSTALLED_AUTOCODE
    return [str(venv / "bin" / "python3"), str(venv / "bin" / "autocode"), *arguments]


def sandboxed_command(data_dir: Path, environment: dict[str, str], command: list[str]) -> list[str]:
    """The unit's ExecStart under its sandboxing, applied by hand (see the module's docstring)."""
    docker_gid = grp.getgrnam("docker").gr_gid
    script = " && ".join(
        [
            "mount -t tmpfs -o mode=1777 tmpfs /tmp",  # PrivateTmp=yes
            "mount -t tmpfs -o mode=1777 tmpfs /var/tmp",
            "mount -t tmpfs -o mode=0755 tmpfs /home",  # ProtectHome=yes
            "mount -t tmpfs -o mode=0700 tmpfs /root",
            f"mount --bind {shlex.quote(str(data_dir))} {shlex.quote(str(data_dir))}",  # ReadWritePaths=
            "mount -o remount,bind,ro /",  # ProtectSystem=strict
            f"cd {shlex.quote(str(data_dir))}",  # WorkingDirectory=
            "exec setpriv "
            f"--reuid={SERVICE_UID} --regid={SERVICE_UID} --groups={docker_gid} "  # User=, SupplementaryGroups=
            "--no-new-privs --inh-caps=-all --bounding-set=-all "  # NoNewPrivileges=, CapabilityBoundingSet=
            "-- env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in environment.items()) + " "
            + " ".join(shlex.quote(part) for part in command),
        ]
    )  # fmt: skip
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script]


def systemd_run_command(tag: str, environment: dict[str, str], command: list[str]) -> list[str]:
    """The unit's [Service] settings as properties of a transient unit (only where systemd runs)."""
    properties: list[str] = []
    for key, values in service_settings().items():
        if key in ("ExecStart", "Environment", "EnvironmentFile", "User", "Group", "WorkingDirectory"):
            continue
        properties += [f"--property={key}={value}" for value in values]
    properties += [f"--property=ReadWritePaths={environment['AUTOCODE_DATA_DIR']}"]
    properties += [f"--setenv={key}={value}" for key, value in environment.items()]
    return [
        "systemd-run",
        f"--unit=autocode-test-{tag}",
        f"--uid={SERVICE_UID}",
        f"--gid={SERVICE_UID}",
        f"--working-directory={environment['AUTOCODE_DATA_DIR']}",
        "--collect",
        *properties,
        *command,
    ]


@pytest.fixture(scope="module")
def installed_venv(engine_client: docker.DockerClient, deploy_images: dict[str, str]) -> Iterator[Path]:
    """The control plane as the guide installs it (a venv of Debian's python3 with the pinned packages), taken out
    of the image, which holds exactly that at /opt/autocode/venv; outside /root and /home (ProtectHome=)."""
    target = Path("/opt") / f"autocode-unit-test-{secrets.token_hex(4)}"
    container = engine_client.containers.create(deploy_images["controlplane"], command=["true"])
    try:
        stream, _ = container.get_archive("/opt/autocode/venv")
        with tempfile.TemporaryFile() as archive:
            for chunk in stream:
                archive.write(chunk)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as bundle:
                bundle.extractall(target, filter="tar")
    finally:
        container.remove(force=True)
    assert (target / "venv" / "bin" / "python3").resolve() == Path("/usr/bin/python3.11"), "not Debian's python3"
    yield target / "venv"
    shutil.rmtree(target, ignore_errors=True)


@pytest.fixture(params=["systemd-run", "by hand"])
def service(
    request: pytest.FixtureRequest, engine_client: docker.DockerClient, installed_venv: Path, tmp_path: Path
) -> Iterator[Service]:
    if request.param == "systemd-run" and not booted_with_systemd():
        pytest.skip(
            f"systemd-run needs a running systemd manager, and PID 1 here is {pid1()!r} (no /run/systemd/system): "
            "the unit's settings are applied by hand instead (the 'by hand' case)"
        )
    tag = secrets.token_hex(4)
    # Not under /tmp: the unit gets a private /tmp, and the engine must find the data at the same path.
    data_dir = Path("/var/lib") / f"autocode-unit-test-{tag}"
    data_dir.mkdir(mode=0o750)
    os.chown(data_dir, SERVICE_UID, SERVICE_UID)
    port, https_port, http_port, admin_port = free_port(), free_port(), free_port(), free_port()
    environment = unit_environment(data_dir, port, tag)
    executable = installed_command(installed_venv)
    command = (
        systemd_run_command(tag, environment, executable)
        if request.param == "systemd-run"
        else sandboxed_command(data_dir, environment, executable)
    )
    log = tmp_path / "service.log"
    caddy_data = tmp_path / "caddy"
    caddy_env = {
        **os.environ,
        "AUTOCODE_UPSTREAM": f"127.0.0.1:{port}",
        "AUTOCODE_PWA_ROOT": str(PROJECT_ROOT / "frontend" / "dist"),
        "AUTOCODE_HTTPS_PORT": str(https_port),
        "AUTOCODE_HTTP_PORT": str(http_port),
        "AUTOCODE_CADDY_ADMIN_PORT": str(admin_port),
        "XDG_DATA_HOME": str(caddy_data),
        "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        caddy = subprocess.Popen(
            [str(CADDY), "run", "--config", str(PROJECT_ROOT / "deploy" / "Caddyfile.local")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=caddy_env,
        )
    ca = caddy_data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        unit = f"autocode-test-{tag}" if request.param == "systemd-run" else None
        result = Service(process, unit, f"https://localhost:{https_port}", ca, data_dir, log)
        wait_until(lambda: ca.is_file(), DEADLINE, "Caddy's internal CA", 0.2, log.read_text)

        def answering() -> bool:
            assert result.running(), f"the unit's process ended:\n{result.tail()}"
            return healthy(f"{result.base}/api/health", result.tls())

        wait_until(answering, DEADLINE, "the unit behind Caddy", 0.3, result.tail)
        yield result
    finally:
        if request.param == "systemd-run":
            subprocess.run(["systemctl", "stop", f"autocode-test-{tag}"], check=False)
        for running in (caddy, process):
            running.terminate()
            try:
                running.wait(30)
            except subprocess.TimeoutExpired:
                running.kill()
        remove_labelled(engine_client, f"{LABEL_INSTANCE}=unit-{tag}")
        shutil.rmtree(data_dir, ignore_errors=True)


def healthy(url: str, tls: ssl.SSLContext) -> bool:
    try:
        return httpx.get(url, verify=tls, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


@pytest.mark.docker
def test_signing_in_under_the_unit_behind_caddy(service: Service) -> None:
    status = proc_status(service.pid())
    assert status["Uid"].split()[0] == str(SERVICE_UID)  # not root
    assert status["NoNewPrivs"] == "1"
    assert int(status["CapEff"], 16) == 0 and int(status["CapBnd"], 16) == 0  # no capability at all

    with httpx.Client(base_url=service.base, verify=service.tls(), timeout=30) as client:
        login = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        assert login.status_code == 200, login.text
        assert "Secure" in login.headers["set-cookie"]
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert client.get("/api/auth/me", headers=admin).json()["username"] == "admin"

        # A new user's sandbox: their directory is given to their uid through the engine (the unit is not root)...
        created = client.post("/api/users", headers=admin, json={"username": "bob", "password": "bob-password-123"})
        assert created.status_code == 201, created.text
        bob = created.json()["id"]
        started = client.post(f"/api/admin/sandboxes/{bob}/start", headers=admin)
        assert started.status_code == 200, started.text
        home = service.data_dir / "users" / "bob"
        assert home.stat().st_uid == UID_BASE + bob and stat.S_IMODE(home.stat().st_mode) == 0o700
        assert (home / "projects").stat().st_uid == UID_BASE + bob
        client.post(f"/api/admin/sandboxes/{bob}/stop", headers=admin)
        # ...and deleting the user deletes what only their uid may delete, through the engine as well.
        deleted = client.delete(f"/api/users/{bob}", headers=admin)
        assert deleted.status_code == 204, deleted.text
        assert not home.exists()
    assert service.running(), service.tail()
