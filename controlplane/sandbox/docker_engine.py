"""The Docker implementation of SandboxBackend: naming, labels, limits and hardening.

Every sandbox is `<prefix><username>` (default `autocode-<username>`), labelled so the reconciler can find
it, and runs hardened: its own non-root uid, all capabilities dropped, no-new-privileges, memory/CPU/pids
limits, a read-only root filesystem with tmpfs for /tmp and /run, no engine socket, and a network with
inter-container traffic disabled (or none at all).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
from autocode_runner.contract.wire import SANDBOX_STOP_SECONDS
from docker.errors import APIError, DockerException, ImageNotFound, NotFound
from docker.types import Mount

from controlplane.config import Settings
from controlplane.sandbox.accounts import HOME_IN_SANDBOX, sandbox_uid, write_identity_files
from controlplane.sandbox.backend import (
    EngineUnavailable,
    ExecStream,
    SandboxBackend,
    SandboxError,
    SandboxState,
    SandboxStatus,
    SandboxUsage,
    SandboxUser,
)
from controlplane.sandbox.docker_exec import start_exec
from controlplane.sandbox.engine_policy import LABEL_ROLE, EnginePolicy, GuardedDockerClient
from controlplane.sandbox.firewall import (
    PROBE_CONNECT_SECONDS,
    PROBE_SCRIPT,
    NetworkFacts,
    isolation_problem,
    probe_targets,
)
from controlplane.sandbox.homes import give_home
from controlplane.sandbox.image import LABEL_VERSION
from controlplane.services.userdirs import prepare_user_home

LABEL_MANAGED = "autocode.managed"
LABEL_INSTANCE = "autocode.instance"
LABEL_USER_ID = "autocode.user-id"
LABEL_USERNAME = "autocode.username"
RUNNER_COMMAND = ["autocode-runner", "serve"]
DEFAULT_SOCKET = "/var/run/docker.sock"
CREATE_RACE_SECONDS = 10.0
ROLE_NETCHECK = "netcheck"  # the firewall probe (firewall.py)
PROBE_SECONDS = 60
UNCHECKED = "the sandbox network has not been checked yet"
log = logging.getLogger(__name__)


def engine_socket_path() -> str:
    host = os.environ.get("DOCKER_HOST", f"unix://{DEFAULT_SOCKET}")
    if not host.startswith("unix://"):
        raise EngineUnavailable(f"only a unix-socket engine is supported (DOCKER_HOST={host})")
    return host.removeprefix("unix://")


def connect_engine(policy: EnginePolicy | None = None) -> docker.DockerClient:
    """A client of the engine; with a policy, every container it creates is checked first (engine_policy.py)."""
    options: dict[str, Any] = {"base_url": f"unix://{engine_socket_path()}", "version": "auto", "timeout": 60}
    try:
        client = GuardedDockerClient(policy, **options) if policy else docker.DockerClient(**options)
        client.ping()
    except DockerException as exc:
        raise EngineUnavailable(
            f"no container engine answers at {engine_socket_path()} ({exc}); start dockerd, or run "
            "`make up`, which installs and starts it on Debian"
        ) from exc
    return client


@contextlib.contextmanager
def _host_lock(name: str) -> Iterator[None]:
    """An exclusive lock shared by every process on this machine (control planes, test workers)."""
    path = Path(tempfile.gettempdir()) / f"autocode-{name}.lock"
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _parse_time(value: str | None) -> datetime | None:
    """Docker's timestamps have nanoseconds and a Z; the zero time means never."""
    if not value or value.startswith("0001-"):
        return None
    whole, _, fraction = value.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{whole}.{(fraction or '0')[:6]:0<6}+00:00")


def sandbox_environment(settings: Settings, user: SandboxUser) -> dict[str, str]:
    """The environment every process in the user's sandbox starts with."""
    environment = {"HOME": HOME_IN_SANDBOX, "USER": user.username, "AUTOCODE_USERNAME": user.username}
    if settings.web_search_url:
        environment["SEARXNG_BASE_URL"] = settings.web_search_url  # nanobot's web_search (the manager, the tutor...)
    return environment


class DockerSandboxBackend(SandboxBackend):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: docker.DockerClient | None = None
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._network_id: str | None = None
        self._isolation: str | None = UNCHECKED  # None: a probe found the host blocked
        self._isolation_lock = threading.Lock()
        self._isolated_since: float | None = None  # monotonic time of the last probe that found the host blocked

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = connect_engine(EnginePolicy.from_settings(self.settings))
        return self._client

    def container_name(self, username: str) -> str:
        return f"{self.settings.sandbox_name_prefix}{username}"

    def _lock(self, username: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(username, threading.Lock())

    def _find(self, username: str) -> Any | None:
        try:
            container = self.client.containers.get(self.container_name(username))
        except NotFound:
            return None
        if container.labels.get(LABEL_INSTANCE) != self.settings.sandbox_instance:
            raise SandboxError(
                f"a container named {container.name} exists but is not one of this control plane's sandboxes; "
                "remove or rename it"
            )
        return container

    def _status_of(self, container: Any | None, username: str) -> SandboxStatus:
        if container is None:
            return SandboxStatus(username=username, user_id=None, state=SandboxState.MISSING)
        state_info = container.attrs.get("State", {})
        running = state_info.get("Running", False)
        return SandboxStatus(
            username=username,
            user_id=int(container.labels.get(LABEL_USER_ID, 0)) or None,
            state=SandboxState.RUNNING if running else SandboxState.STOPPED,
            container_id=container.id,
            started_at=_parse_time(state_info.get("StartedAt")) if running else None,
            exit_code=None if running else state_info.get("ExitCode"),
            oom_killed=not running and bool(state_info.get("OOMKilled")),
            image_id=container.attrs.get("Image"),
            image_version=container.labels.get(LABEL_VERSION),  # the engine copies the image's labels
        )

    def _ensure_network(self) -> dict[str, Any]:
        """The sandbox network's id, creating the network once.

        The engine does not reliably refuse two networks of one name when two processes create it at the
        same moment, so creation is serialised with a host-wide file lock, and containers join the network
        by id (the oldest, should duplicates exist anyway), never by an ambiguous name.
        """
        name = self.settings.sandbox_network
        if name == "none":
            return {"network_mode": "none"}
        if self._network_id is None:
            with _host_lock(f"network-{name}"):
                existing = sorted(
                    (n for n in self.client.networks.list(names=[name]) if n.name == name),
                    key=lambda n: (n.attrs.get("Created", ""), n.id),
                )
                if existing:
                    self._network_id = existing[0].id
                else:
                    self._network_id = self.client.networks.create(
                        name,
                        driver="bridge",
                        internal=self.settings.sandbox_network_internal,
                        options={"com.docker.network.bridge.enable_icc": "false"},
                        labels={LABEL_MANAGED: "true"},
                    ).id
        return {"network": self._network_id}

    # -- the network's isolation (firewall.py) ------------------------------------------------------------------
    def network_facts(self) -> NetworkFacts:
        """The sandbox network's bridge, gateways and subnets (the network made first if it is missing)."""
        network = self.client.networks.get(self._ensure_network()["network"])
        attrs = network.attrs
        bridge = (attrs.get("Options") or {}).get("com.docker.network.bridge.name") or f"br-{str(network.id)[:12]}"
        gateways, subnets = [], []
        for config in (attrs.get("IPAM") or {}).get("Config") or []:
            if subnet := config.get("Subnet"):
                subnets.append(subnet)
                gateway = config.get("Gateway") or str(next(ipaddress.ip_network(subnet, strict=False).hosts()))
                gateways.append(gateway.split("/")[0])
        return NetworkFacts(self.settings.sandbox_network, bridge, tuple(gateways), tuple(subnets))

    def probe(self, targets: list[tuple[str, int]], timeout: float = PROBE_CONNECT_SECONDS) -> list[str]:
        """Connect to each target from a short-lived container shaped like a sandbox, on the sandbox network;
        each outcome is "open", "refused", "blocked" (the firewall's answer), "timeout", "no-route" or an errno."""
        settings = self.settings
        uid = settings.sandbox_uid_base - 1  # nobody's: below every user's uid
        container: Any = self.client.containers.create(
            settings.sandbox_image,
            entrypoint=[],
            command=["python3", "-I", "-c", PROBE_SCRIPT, json.dumps(targets), str(timeout)],
            name=f"{settings.sandbox_name_prefix}netcheck.{secrets.token_hex(4)}",  # a dot: never a sandbox's name
            user=f"{uid}:{uid}",
            labels={LABEL_INSTANCE: settings.sandbox_instance, LABEL_ROLE: ROLE_NETCHECK},
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit="64m",
            pids_limit=16,
            **self._ensure_network(),
        )
        try:
            container.start()
            result = container.wait(timeout=PROBE_SECONDS + timeout * len(targets))
            output = container.logs(stdout=True, stderr=True).decode(errors="replace").strip()
            if result.get("StatusCode") != 0:
                raise SandboxError(f"the network probe failed ({result.get('StatusCode')}): {output[-500:]}")
            outcomes = json.loads(output.splitlines()[-1])
        except (DockerException, OSError, ValueError) as exc:  # OSError: the wait's read timeout
            raise SandboxError(f"the network probe failed: {exc}") from exc
        finally:
            container.remove(force=True)
        return [str(outcome) for outcome in outcomes]

    def check_isolation(self) -> str | None:
        """Probe the host from the sandbox network (firewall.py); remembered until the next check."""
        settings = self.settings
        if not settings.sandbox_firewall_check or settings.sandbox_network == "none":
            self._isolation = None
            return None
        with self._isolation_lock:
            recent = self._isolated_since is not None and (
                time.monotonic() - self._isolated_since < settings.sandbox_firewall_check_seconds
            )
            if self._isolation is None and recent:
                return None  # found blocked a moment ago: a probe container every pass would cost a family's VPS
            try:
                targets = probe_targets(settings, self.network_facts())
                problem = isolation_problem(settings, targets, self.probe(targets))
            except (SandboxError, DockerException) as exc:
                problem = f"could not check that sandboxes cannot reach the host: {exc}"
            if problem and problem != self._isolation:
                log.error("%s", problem)
            elif problem is None and self._isolation is not None:
                log.info("sandboxes on %s cannot reach the host: the firewall is in place", settings.sandbox_network)
            self._isolation = problem
            self._isolated_since = time.monotonic() if problem is None else None
        return problem

    def _require_isolation(self) -> None:
        """Before a sandbox is created or started: the last check's verdict, checking first if there was none."""
        problem = self._isolation
        if problem == UNCHECKED:
            problem = self.check_isolation()
        if problem is not None and self.settings.sandbox_firewall_check:
            raise SandboxError(problem)

    def _create(self, user: SandboxUser) -> Any:
        settings = self.settings
        uid = sandbox_uid(settings, user)
        home = prepare_user_home(
            settings.users_dir, user.username, uid, lambda path, owner: give_home(self.client, settings, path, owner)
        )
        passwd, group = write_identity_files(settings, user)
        try:
            self.client.images.get(settings.sandbox_image)
        except ImageNotFound as exc:
            raise SandboxError(
                f"the sandbox image {settings.sandbox_image} is missing; build it with `autocode sandbox build`"
            ) from exc
        return self.client.containers.create(
            settings.sandbox_image,
            command=RUNNER_COMMAND,
            name=self.container_name(user.username),
            hostname=user.username,
            user=f"{uid}:{uid}",
            labels={
                LABEL_MANAGED: "true",
                LABEL_INSTANCE: settings.sandbox_instance,
                LABEL_USER_ID: str(user.id),
                LABEL_USERNAME: user.username,
            },
            environment=sandbox_environment(settings, user),
            working_dir=HOME_IN_SANDBOX,
            mounts=[
                Mount(HOME_IN_SANDBOX, str(home.resolve()), type="bind"),
                Mount("/etc/passwd", str(passwd.resolve()), type="bind", read_only=True),
                Mount("/etc/group", str(group.resolve()), type="bind", read_only=True),
            ],
            read_only=True,
            tmpfs={
                "/tmp": "rw,nosuid,nodev,size=1g,mode=1777",  # noqa: S108 (inside the container)
                "/run": f"rw,nosuid,nodev,size=16m,mode=0755,uid={uid},gid={uid}",
            },
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            mem_limit=settings.sandbox_memory,
            memswap_limit=settings.sandbox_memory,
            nano_cpus=int(settings.sandbox_cpus * 1e9),
            pids_limit=settings.sandbox_pids,
            **self._ensure_network(),
        )

    def _await_created_elsewhere(self, username: str) -> Any:
        """Another process won the name; the engine reserves it a moment before the container is visible."""
        deadline = time.monotonic() + CREATE_RACE_SECONDS
        while (container := self._find(username)) is None:
            if time.monotonic() > deadline:
                raise SandboxError(f"the name {self.container_name(username)} is taken but no container appeared")
            time.sleep(0.05)
        return container

    # -- the contract -------------------------------------------------------------------------------
    def ensure_running(self, user: SandboxUser) -> SandboxStatus:
        with self._lock(user.username):
            container = self._find(user.username)
            if container is not None and container.status != "running" and self._outdated(container):
                container.remove(force=True)  # stopped, so nothing runs in it; the files are the bind mount
                container = None  # made again below from the wanted image
            if container is None or container.status != "running":
                self._require_isolation()
            if container is None:
                try:
                    container = self._create(user)
                except APIError as exc:
                    if exc.status_code != 409:
                        raise SandboxError(f"could not create the sandbox: {exc.explanation}") from exc
                    container = self._await_created_elsewhere(user.username)
            if container.labels.get(LABEL_USER_ID) != str(user.id):
                raise SandboxError(f"{container.name} belongs to another user id; the reconciler will remove it")
            if container.status != "running":
                try:
                    container.start()
                except APIError as exc:
                    raise SandboxError(f"could not start the sandbox: {exc.explanation}") from exc
            container.reload()
            return self._status_of(container, user.username)

    def stop(self, username: str) -> None:
        with self._lock(username):
            container = self._find(username)
            if container is not None and container.status == "running":
                container.stop(timeout=SANDBOX_STOP_SECONDS)  # the runner's own shutdown fits inside

    def restart(self, user: SandboxUser) -> SandboxStatus:
        self.stop(user.username)
        return self.ensure_running(user)

    def remove(self, username: str) -> None:
        with self._lock(username):
            container = self._find(username)
            if container is not None:
                container.remove(force=True)

    def status(self, username: str) -> SandboxStatus:
        return self._status_of(self._find(username), username)

    def wanted_image(self) -> str | None:
        try:
            return str(self.client.images.get(self.settings.sandbox_image).id)
        except ImageNotFound:
            return None

    def _outdated(self, container: Any) -> bool:
        wanted = self.wanted_image()
        return wanted is not None and container.attrs.get("Image") != wanted

    def list_sandboxes(self) -> list[SandboxStatus]:
        containers = self.client.containers.list(
            all=True,
            filters={"label": [f"{LABEL_MANAGED}=true", f"{LABEL_INSTANCE}={self.settings.sandbox_instance}"]},
        )
        return [self._status_of(c, c.labels.get(LABEL_USERNAME, "")) for c in containers]

    def usage(self, username: str) -> SandboxUsage | None:
        container = self._find(username)
        if container is None or container.status != "running":
            return None
        stats = container.stats(stream=False)
        memory = stats.get("memory_stats", {})
        cpu, precpu = stats.get("cpu_stats", {}), stats.get("precpu_stats", {})
        cpu_delta = cpu.get("cpu_usage", {}).get("total_usage", 0) - precpu.get("cpu_usage", {}).get("total_usage", 0)
        system_delta = cpu.get("system_cpu_usage", 0) - precpu.get("system_cpu_usage", 0)
        cpus = cpu.get("online_cpus") or 1
        percent = (cpu_delta / system_delta) * cpus * 100 if system_delta > 0 else 0.0
        return SandboxUsage(memory.get("usage", 0), memory.get("limit", 0), round(percent, 2))

    def engine_info(self) -> dict[str, str]:
        try:
            version = self.client.version()
        except DockerException as exc:
            raise EngineUnavailable(f"the container engine stopped answering: {exc}") from exc
        return {
            "engine": "docker",
            "version": version.get("Version", "?"),
            "api": version.get("ApiVersion", "?"),
        }

    async def exec_stream(
        self, user: SandboxUser, command: list[str], *, tty: bool = False, env: dict[str, str] | None = None
    ) -> ExecStream:
        uid = sandbox_uid(self.settings, user)
        try:
            created = self.client.api.exec_create(
                self.container_name(user.username),
                command,
                stdin=True,
                stdout=True,
                stderr=True,
                tty=tty,
                user=f"{uid}:{uid}",
                environment=env,
                workdir=HOME_IN_SANDBOX,
            )
        except APIError as exc:
            raise SandboxError(f"could not run {command[0]} in the sandbox: {exc.explanation}") from exc
        return await start_exec(
            engine_socket_path(), self.client.api.api_version, self.client.api, created["Id"], tty=tty
        )
