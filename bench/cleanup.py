"""Removing every container a benchmark run made, found by its own instance label."""

from __future__ import annotations

import subprocess

from controlplane.config import Settings
from controlplane.sandbox.docker_engine import LABEL_INSTANCE


def remove_sandboxes(settings: Settings) -> None:
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={LABEL_INSTANCE}={settings.sandbox_instance}"],
        capture_output=True,
        text=True,
        check=False,
    )
    ids = listed.stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], check=True, capture_output=True)
