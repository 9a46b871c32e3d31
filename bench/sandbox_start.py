"""Sandbox start-up and channel latency, each against its plain-Docker baseline measured in the same run.

    .venv/bin/python bench/sandbox_start.py [--rounds 5] [--pings 200]

cold start  = create + start a sandbox until its runner answers hello   vs  `docker run --rm IMAGE true`
warm start  = start a stopped sandbox until its runner answers hello    vs  `docker run --rm IMAGE true`
round trip  = one `ping` over the open runner channel                   vs  `docker exec C true`
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cleanup import remove_sandboxes
from sqlmodel import Session

from controlplane import migrate
from controlplane.config import Settings
from controlplane.db import make_engine
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.docker_engine import DockerSandboxBackend
from controlplane.sandbox.manager import SandboxManager
from controlplane.services.users import create_user


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _docker(*args: str) -> None:
    subprocess.run(["docker", *args], check=True, capture_output=True)


async def measure(settings: Settings, rounds: int, pings: int) -> dict[str, list[float]]:
    engine = make_engine(settings)
    migrate.upgrade(settings, engine)
    backend = DockerSandboxBackend(settings)
    manager = SandboxManager(settings, backend, engine)
    with Session(engine) as session:
        created = create_user(session, settings, "bench", "password-123")
    user = SandboxUser(created.id or 0, "bench")
    results: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "docker_run", "ping", "docker_exec")}
    for _ in range(rounds):
        await manager.remove(user.username)
        start = time.perf_counter()
        await manager.ensure_ready(user)
        results["cold"].append(time.perf_counter() - start)
        await manager.stop(user)
        start = time.perf_counter()
        await manager.ensure_ready(user)
        results["warm"].append(time.perf_counter() - start)
        results["docker_run"].append(
            await asyncio.to_thread(
                _timed, lambda: _docker("run", "--rm", "--network", "none", settings.sandbox_image, "true")
            )
        )
    channel = await manager.ensure_ready(user)
    name = backend.container_name(user.username)
    for _ in range(pings):
        start = time.perf_counter()
        await channel.call("ping")
        results["ping"].append(time.perf_counter() - start)
    for _ in range(max(10, pings // 10)):
        results["docker_exec"].append(await asyncio.to_thread(_timed, lambda: _docker("exec", name, "true")))
    await manager.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pings", type=int, default=200)
    args = parser.parse_args()
    tag = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="autocode-bench-") as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            sandbox_instance=f"bench-{tag}",
            sandbox_name_prefix=f"bench-{tag}-",
            sandbox_network="none",
            bcrypt_rounds=4,
        )
        try:
            results = asyncio.run(measure(settings, args.rounds, args.pings))
        finally:
            remove_sandboxes(settings)
    median = {key: statistics.median(values) for key, values in results.items()}
    print(f"rounds={args.rounds} pings={args.pings} image={settings.sandbox_image}")
    rows = [
        ("docker run --rm IMAGE true", "docker_run", None),
        ("cold start to runner ready", "cold", "docker_run"),
        ("warm start to runner ready", "warm", "docker_run"),
        ("docker exec C true", "docker_exec", None),
        ("channel ping round trip", "ping", "docker_exec"),
    ]
    for label, key, baseline in rows:
        ratio = f"ratio {median[key] / median[baseline]:.4f}" if baseline else "(baseline)"
        print(f"{label:<28} median {median[key] * 1000:9.3f} ms   {ratio}")


if __name__ == "__main__":
    main()
