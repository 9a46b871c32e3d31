"""Fixtures for tests against the real container engine and the real sandbox image (a pytest plugin, see
tests/conftest.py, so any folder can use them; a test that uses them must be marked `docker`).

Each test gets its own label namespace (sandbox_instance) and container-name prefix, so tests run in
parallel without seeing each other's containers, and everything a test made is removed by label after it.
Test sandboxes sit on an internal network: no route out of the machine.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from controlplane.config import Settings
from controlplane.main import create_app
from controlplane.sandbox.backend import EngineUnavailable, SandboxUser
from controlplane.sandbox.docker_engine import LABEL_INSTANCE, DockerSandboxBackend, connect_engine
from controlplane.sandbox.docker_exec import DockerExecStream
from controlplane.sandbox.manager import SandboxManager
from controlplane.services.users import create_user
from tests.support.live_server import serving
from tests.support.pwa import DIST

TEST_NETWORK = "autocode-test-sandboxes"
TEST_MEMORY = "256m"
TEST_PIDS = 128


@contextmanager
def serving_pwa(settings: Settings, admin_password: str, **env: str) -> Iterator[str]:
    """A real `autocode serve` with the built PWA and this test's sandboxes (its labels, name prefix and internal
    network); `env` adds or overrides settings. Yields the base URL."""
    if not (DIST / "index.html").is_file():
        pytest.fail("the PWA is not built: run `make frontend` (make test builds it before the tests)")
    sandboxes = {
        "AUTOCODE_SANDBOXES_ENABLED": "true",
        "AUTOCODE_SANDBOX_INSTANCE": settings.sandbox_instance,
        "AUTOCODE_SANDBOX_NAME_PREFIX": settings.sandbox_name_prefix,
        "AUTOCODE_SANDBOX_NETWORK": settings.sandbox_network,
        "AUTOCODE_SANDBOX_NETWORK_INTERNAL": "true",
        "AUTOCODE_SANDBOX_MEMORY": settings.sandbox_memory,
    }
    with serving(
        settings.data_dir,
        capture=False,
        AUTOCODE_ADMIN_PASSWORD=admin_password,
        AUTOCODE_FRONTEND_DIST=str(DIST),
        **{**sandboxes, **env},
    ) as (base, _):
        yield base


@pytest.fixture(scope="session")
def engine_client() -> docker.DockerClient:
    try:
        client = connect_engine()
    except EngineUnavailable as exc:
        pytest.fail(f"these tests need a container engine: {exc}")
    image = Settings().sandbox_image
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        pytest.fail(f"the sandbox image {image} is missing: run `make test` (it builds it) or `autocode sandbox build`")
    return client


@pytest.fixture
def sandbox_settings(tmp_path: Path, engine_client: docker.DockerClient) -> Iterator[Settings]:
    tag = secrets.token_hex(4)
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "x" * 40,
        bcrypt_rounds=4,
        frontend_dist=tmp_path / "no-frontend",
        sandboxes_enabled=True,
        sandbox_instance=f"test-{tag}",
        sandbox_name_prefix=f"act-{tag}-",
        sandbox_network=TEST_NETWORK,
        sandbox_network_internal=True,
        sandbox_firewall_check=False,  # the shared test network has no firewall: tests/security/test_sandbox_network.py
        sandbox_memory=TEST_MEMORY,
        sandbox_pids=TEST_PIDS,
        sandbox_cpus=1.0,
        reconcile_interval_seconds=3600,  # tests drive reconcile passes themselves
    )
    yield settings
    for container in engine_client.containers.list(
        all=True, filters={"label": f"{LABEL_INSTANCE}={settings.sandbox_instance}"}
    ):
        container.remove(force=True)


@pytest.fixture
def sandbox_app(sandbox_settings: Settings) -> FastAPI:
    return create_app(sandbox_settings)


@pytest.fixture
def sandbox_client(sandbox_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(sandbox_app) as client:
        yield client


@dataclass
class Harness:
    """Runs the manager's coroutines on the app's event loop, as the server would."""

    client: TestClient
    app: FastAPI
    settings: Settings

    @property
    def manager(self) -> SandboxManager:
        return self.app.state.sandboxes

    @property
    def backend(self) -> DockerSandboxBackend:
        return self.manager.backend  # type: ignore[return-value]

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        return self.client.portal.call(function, *args)  # type: ignore[union-attr]

    def user(self, username: str) -> SandboxUser:
        with Session(self.app.state.engine) as session:
            user = create_user(session, self.settings, username, "password-123")
            return SandboxUser(user.id or 0, username)

    def call(self, user: SandboxUser, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.run(self.manager.call, user, method, params)

    def sh(self, user: SandboxUser, script: str, timeout: float = 60) -> tuple[int | None, str]:
        """Run a shell script in the sandbox as its user; returns (exit code, stdout+stderr)."""

        async def execute() -> tuple[int | None, str]:
            # Nothing is ever written to the exec's stdin: the script reads /dev/null instead.
            stream = await self.backend.exec_stream(user, ["sh", "-c", f"exec </dev/null\n{script}"])
            assert isinstance(stream, DockerExecStream)
            output = bytearray()

            async def drain() -> None:
                while True:
                    _, data = await stream.read()
                    if not data:
                        return
                    output.extend(data)

            await asyncio.wait_for(drain(), timeout)
            info = await asyncio.to_thread(self.backend.client.api.exec_inspect, stream.exec_id)
            await stream.close()
            return info.get("ExitCode"), output.decode(errors="replace")

        return self.run(execute)

    def container(self, user: SandboxUser) -> Any:
        return self.backend.client.containers.get(self.backend.container_name(user.username))


@pytest.fixture
def harness(sandbox_client: TestClient, sandbox_app: FastAPI, sandbox_settings: Settings) -> Harness:
    return Harness(sandbox_client, sandbox_app, sandbox_settings)
