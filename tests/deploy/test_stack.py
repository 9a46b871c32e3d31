"""The whole stack on loopback, as docker-compose.yml runs it: Caddy from the Dockerfile's caddy target (the loopback
Caddyfile, its internal CA, on a high port) in front of the control plane from its image, which runs as its own
unprivileged user, reaches the host's engine through the socket's group and keeps its data directory at the same
path as on the host. Started with testcontainers (no reaper here: removed by label afterwards).

Through Caddy: signing in, a terminal WebSocket into a real sandbox that survives `caddy reload`, the security
headers, the caching rules, /robots.txt and Meta's media path reaching the control plane, the CSP in a real
browser; and the control plane refusing to start when the data directory is not at the same path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network
from websockets.sync.client import ClientConnection, connect

from controlplane.config import Settings
from controlplane.sandbox.docker_engine import LABEL_INSTANCE
from tests.deploy.conftest import LABEL_TEST, remove_labelled, socket_group
from tests.support.engine import TEST_NETWORK
from tests.support.terminal_client import read_until, type_line
from tests.support.waiting import wait_until

pytestmark = pytest.mark.docker
PASSWORD = "stack-password-123"
CONTROLPLANE_UID = 10001  # the image's user (Dockerfile)
UID_BASE = 100_000
DEADLINE = 120.0
CADDYFILE_LOCAL = "/etc/caddy/deploy/Caddyfile.local"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    https_port: int
    http_port: int
    ca: Path
    data_dir: Path
    caddy: DockerContainer
    controlplane: DockerContainer

    @property
    def https(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def tls(self) -> ssl.SSLContext:
        """Trusting Caddy's internal CA only: the certificate must really be Caddy's, for localhost."""
        return ssl.create_default_context(cafile=str(self.ca))

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.https, verify=self.tls(), timeout=30)

    def sign_in(self, client: httpx.Client) -> dict[str, str]:
        response = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def terminal(self, client: httpx.Client, headers: dict[str, str]) -> ClientConnection:
        ticket = client.post("/api/ws-ticket", headers=headers).json()["ticket"]
        url = f"wss://localhost:{self.https_port}/ws/terminal/shell?ticket={ticket}"
        return connect(url, ssl=self.tls(), open_timeout=DEADLINE)

    def logs(self) -> str:
        out = []
        for name, container in (("controlplane", self.controlplane), ("caddy", self.caddy)):
            stdout, stderr = container.get_logs()
            out.append(f"--- {name}\n{(stdout + stderr).decode(errors='replace')[-3000:]}")
        return "\n".join(out)


def answers(url: str, **options: object) -> bool:
    try:
        return httpx.get(url, timeout=5, **options).status_code == 200  # type: ignore[arg-type]
    except httpx.HTTPError:
        return False


def controlplane_container(image: str, data_dir: Path, tag: str, **env: str) -> DockerContainer:
    settings = Settings()
    container = (
        DockerContainer(image)
        .with_envs(
            AUTOCODE_DATA_DIR=str(data_dir),
            AUTOCODE_ADMIN_PASSWORD=PASSWORD,
            AUTOCODE_COOKIE_SECURE="true",
            AUTOCODE_BCRYPT_ROUNDS="4",
            AUTOCODE_SANDBOX_IMAGE=settings.sandbox_image,
            AUTOCODE_SANDBOX_INSTANCE=f"stack-{tag}",
            AUTOCODE_SANDBOX_NAME_PREFIX=f"stk-{tag}-",
            AUTOCODE_SANDBOX_NETWORK=TEST_NETWORK,
            AUTOCODE_SANDBOX_NETWORK_INTERNAL="true",
            AUTOCODE_SANDBOX_FIREWALL_CHECK="false",  # tests/security/test_sandbox_network.py checks the firewall
            AUTOCODE_SANDBOX_MEMORY="256m",
            FORWARDED_ALLOW_IPS="*",
            **env,
        )
        .with_volume_mapping("/var/run/docker.sock", "/var/run/docker.sock", "rw")
        .with_kwargs(labels={LABEL_TEST: tag}, group_add=[str(socket_group())])
    )
    return container


def owned_data_dir(parent: Path) -> Path:
    data_dir = parent / "data"
    data_dir.mkdir()
    os.chown(data_dir, CONTROLPLANE_UID, CONTROLPLANE_UID)
    return data_dir


@pytest.fixture(scope="module")
def stack(
    deploy_images: dict[str, str], engine_client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    tag = secrets.token_hex(4)
    data_dir = owned_data_dir(tmp_path_factory.mktemp("stack"))
    ca = data_dir.parent / "caddy-root.crt"
    network = Network(docker_network_kw={"labels": {LABEL_TEST: tag}}).create()
    controlplane = (
        controlplane_container(deploy_images["controlplane"], data_dir, tag)
        .with_volume_mapping(str(data_dir), str(data_dir), "rw")
        .with_network(network)
        .with_network_aliases("controlplane")
    )
    https_port, http_port = free_port(), free_port()
    caddy = (
        DockerContainer(deploy_images["caddy"])
        .with_command(["caddy", "run", "--config", CADDYFILE_LOCAL, "--adapter", "caddyfile"])
        .with_envs(AUTOCODE_UPSTREAM="controlplane:8000")
        .with_network(network)
        .with_kwargs(labels={LABEL_TEST: tag}, cap_drop=["ALL"], cap_add=["NET_BIND_SERVICE"])
    )
    # Published on loopback only (testcontainers' with_bind_ports would publish on every interface).
    caddy.ports["8443/tcp"] = ("127.0.0.1", https_port)  # type: ignore[assignment]
    caddy.ports["8080/tcp"] = ("127.0.0.1", http_port)  # type: ignore[assignment]
    try:
        controlplane.start()
        caddy.start()
        result = Stack(https_port, http_port, ca, data_dir, caddy, controlplane)
        wait_until(
            lambda: answers(f"{result.http}/api/health"), DEADLINE, "the control plane behind Caddy", 0.5, result.logs
        )
        root = wait_until(
            lambda: caddy.exec(["cat", "/data/caddy/pki/authorities/local/root.crt"]).output.startswith(b"-----BEGIN"),
            DEADLINE,
            "Caddy's internal CA",
            0.5,
        )
        assert root
        ca.write_bytes(caddy.exec(["cat", "/data/caddy/pki/authorities/local/root.crt"]).output)
        wait_until(
            lambda: answers(f"{result.https}/api/health", verify=result.tls()), DEADLINE, "HTTPS", 0.5, result.logs
        )
        yield result
    finally:
        for container in (caddy, controlplane):
            if container._container is not None:
                container.stop()
        remove_labelled(engine_client, f"{LABEL_INSTANCE}=stack-{tag}")  # the sandboxes it started
        remove_labelled(engine_client, f"{LABEL_TEST}={tag}")


def test_signing_in_through_caddy_over_https(stack: Stack) -> None:
    with stack.client() as client:
        response = client.post("/api/auth/login", json={"username": "admin", "password": PASSWORD})
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie  # AUTOCODE_COOKIE_SECURE behind HTTPS
        token = response.json()["access_token"]
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["username"] == "admin"
        assert client.post("/api/auth/login", json={"username": "admin", "password": "wrong"}).status_code == 401


def test_a_terminal_websocket_survives_a_caddy_reload(stack: Stack) -> None:
    with stack.client() as client:
        headers = stack.sign_in(client)
        with stack.terminal(client, headers) as ws:
            type_line(ws, "echo before-$((6*7)) && touch ~/made-in-the-terminal")
            read_until(ws, "before-42", deadline=DEADLINE)
            reload = stack.caddy.exec(
                ["caddy", "reload", "--config", CADDYFILE_LOCAL, "--adapter", "caddyfile", "--force"]
            )
            assert reload.exit_code == 0, reload.output.decode(errors="replace")
            assert b"config is unchanged" not in reload.output
            type_line(ws, "echo after-$((6*7))")
            read_until(ws, "after-42", deadline=DEADLINE)
    # The sandbox mounted the host's directory (same path), given to the user's uid without the control plane
    # being root: through the engine's home helper.
    home = stack.data_dir / "users" / "admin"
    admin_uid = UID_BASE + 1
    assert (home / "made-in-the-terminal").stat().st_uid == admin_uid
    assert home.stat().st_uid == admin_uid
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / "projects").stat().st_uid == admin_uid
    process_user = stack.controlplane.exec(["id", "-u"]).output.strip()
    assert process_user == str(CONTROLPLANE_UID).encode()


def test_security_headers_and_caching(stack: Stack) -> None:
    with stack.client() as client:
        index = client.get("/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        headers = index.headers
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-frame-options"] == "DENY"
        csp = headers["content-security-policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
            assert directive in csp
        assert f"wss://localhost:{stack.https_port}" in csp
        assert "server" not in headers
        assert headers["cache-control"] == "no-cache"

        asset = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
        assert asset, index.text
        hashed = client.get(asset.group(1), headers={"Accept-Encoding": "gzip"})
        assert hashed.status_code == 200
        assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert hashed.headers["content-encoding"] == "gzip"
        assert "javascript" in hashed.headers["content-type"]
        missing = client.get("/assets/index-0000000.js")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")

        for path in ("/index.html", "/sw.js", "/registerSW.js", "/manifest.webmanifest", "/agents/7/projects"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["cache-control"] == "no-cache", path
        assert client.get("/agents/7/projects").text == index.text  # a client-side route: the PWA's index.html

        robots = client.get("/robots.txt")  # the control plane's, allowing Meta's crawler
        assert robots.status_code == 200 and "User-agent: facebookexternalhit" in robots.text
        media = client.get("/api/social/public-media/not-a-signed-token")  # reaches the control plane unsigned-in
        assert 400 <= media.status_code < 500 and media.headers["content-type"].startswith("application/json")
        assert "max-age=31536000" in client.get("/api/health").headers["strict-transport-security"]

    plain = httpx.get(f"{stack.http}/", timeout=30)  # the plain-HTTP loopback variant: no HSTS
    assert plain.status_code == 200 and "strict-transport-security" not in plain.headers
    assert plain.headers["content-security-policy"] == csp.replace(
        f"wss://localhost:{stack.https_port} ws://localhost:{stack.https_port}",
        f"wss://127.0.0.1:{stack.http_port} ws://127.0.0.1:{stack.http_port}",
    )


@pytest.mark.browser
def test_the_pwa_works_under_the_csp_in_a_browser(stack: Stack) -> None:
    """Chromium reports every CSP violation on the console: signing in, opening a terminal and the service worker
    taking control make none.

    Chromium trusts the certificate Caddy's internal CA issued by its key (it cannot be given a root here without a
    profile's trust store), but still lets no service worker control a page whose certificate needed that: the
    service worker is checked on the plain-HTTP loopback variant, which sends the same CSP."""
    from playwright.sync_api import expect, sync_playwright

    from tests.support.pwa import CHROMIUM, CHROMIUM_FLAGS, browser_evidence, goto, sign_in

    leaf = x509.load_pem_x509_certificate(ssl.get_server_certificate(("localhost", stack.https_port)).encode())
    spki = leaf.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    trust = f"--ignore-certificate-errors-spki-list={base64.b64encode(hashlib.sha256(spki).digest()).decode()}"
    violations: list[str] = []

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, trust])
        try:
            # Without a service worker here: it would reload the page once it takes control (autoUpdate).
            page = browser.new_context(service_workers="block").new_page()
            page.on("console", watch)
            sign_in(page, stack.https, "admin", PASSWORD)
            expect(page.get_by_role("navigation", name="Main")).to_be_visible(timeout=60_000)  # signed in
            goto(page, f"{stack.https}/terminal")
            expect(page.locator(".xterm")).to_be_visible(timeout=60_000)
            expect(page.locator(".xterm-rows")).to_contain_text("$", timeout=60_000)

            plain = browser.new_context().new_page()
            plain.on("console", watch)
            goto(plain, stack.http)
            active = "async () => !!(await navigator.serviceWorker.getRegistration())?.active"
            plain.wait_for_function(active, timeout=60_000)  # registered, fetched and run under the CSP

            def controlled() -> bool:  # a navigation after it took control is the service worker's
                goto(plain, stack.http)
                return bool(plain.evaluate("() => navigator.serviceWorker.controller !== null"))

            wait_until(controlled, 60, "the service worker controlling the page", interval=1)
            expect(plain.get_by_role("button", name="Sign in")).to_be_visible()
        except Exception as error:
            error.add_note(browser_evidence(browser, "stack-csp"))
            raise
        finally:
            browser.close()
    assert violations == []


def test_the_control_plane_refuses_a_data_directory_at_another_path(
    deploy_images: dict[str, str], engine_client: docker.DockerClient, tmp_path: Path
) -> None:
    """Mounted at /srv/autocode/data but living elsewhere on the host: it says what to fix and does not start."""
    tag = secrets.token_hex(4)
    data_dir = owned_data_dir(tmp_path)
    container = (
        controlplane_container(deploy_images["controlplane"], Path("/srv/autocode/data"), tag)
        .with_volume_mapping(str(data_dir), "/srv/autocode/data", "rw")
        .with_kwargs(labels={LABEL_TEST: tag}, group_add=[str(socket_group())], network_mode="none")
    )
    try:
        container.start()
        assert container.wait() == 1
        stdout, stderr = container.get_logs()
        output = (stdout + stderr).decode()
        assert f"but {data_dir} on the host" in output
        assert f"- {data_dir}:{data_dir}" in output  # what to write in docker-compose.yml
        assert not (data_dir / "autocode.db").exists()  # refused before touching anything
    finally:
        container.stop()
        remove_labelled(engine_client, f"{LABEL_TEST}={tag}")


def test_the_control_plane_says_which_group_reaches_the_engine(
    deploy_images: dict[str, str], engine_client: docker.DockerClient, tmp_path: Path
) -> None:
    """Started without the socket's group (DOCKER_GID missing from .env): it names the group and does not start."""
    tag = secrets.token_hex(4)
    data_dir = owned_data_dir(tmp_path)
    container = (
        controlplane_container(deploy_images["controlplane"], data_dir, tag)
        .with_volume_mapping(str(data_dir), str(data_dir), "rw")
        .with_kwargs(labels={LABEL_TEST: tag}, network_mode="none")
    )
    try:
        container.start()
        assert container.wait() == 1
        stdout, stderr = container.get_logs()
        assert f"set DOCKER_GID={socket_group()} in .env" in (stdout + stderr).decode()
    finally:
        container.stop()
        remove_labelled(engine_client, f"{LABEL_TEST}={tag}")
