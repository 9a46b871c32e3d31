"""The deployment tests' shared parts: testcontainers without its reaper, and the images built once per session.

testcontainers' reaper (Ryuk) is an image pulled from a registry, which this machine cannot reach: it is disabled,
and every fixture here removes what it started by label (and the sandboxes by their instance label) instead.
"""

from __future__ import annotations

import os

os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"  # before testcontainers reads its configuration

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.deploy.images import CADDY_IMAGE, CONTROLPLANE_IMAGE, build

LABEL_TEST = "autocode.deploy-test"


@pytest.fixture(scope="session")
def deploy_images(
    engine_client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The control plane's and Caddy's images from the Dockerfile (its two targets), built from the local base."""
    log = tmp_path_factory.mktemp("images") / "build.log"
    images = {
        "controlplane": build(engine_client, "controlplane", CONTROLPLANE_IMAGE, log),
        "caddy": build(engine_client, "caddy", CADDY_IMAGE, log),
    }
    yield {"controlplane": CONTROLPLANE_IMAGE, "caddy": CADDY_IMAGE, **{f"{k}_id": v for k, v in images.items()}}


def remove_labelled(client: docker.DockerClient, label: str) -> None:
    """Remove every container and network that carries `label` (key=value): testcontainers' reaper is off."""
    for container in client.containers.list(all=True, filters={"label": label}):
        container.remove(force=True)
    for network in client.networks.list(filters={"label": label}):
        network.remove()


def socket_group() -> int:
    return Path("/var/run/docker.sock").stat().st_gid
