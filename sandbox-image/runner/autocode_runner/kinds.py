"""Where each instance kind's process lives: the one place a new agent kind registers with the runner.

The runner's core (instances.py, methods.py) knows nothing of any kind beyond this table.
"""

from __future__ import annotations

import sys

from autocode_runner.contract.wire import InstanceKind

# Each entry is a module run as `python -m MODULE`; its main() reads the spec line and serves the pipes
# (autocode_runner.instance_io).
ENTRIES: dict[InstanceKind, str] = {
    InstanceKind.CODING: "autocode_runner.coding.instance",
    InstanceKind.ECHO: "autocode_runner.echo",
    InstanceKind.RESEARCH: "autocode_runner.research.instance",
    InstanceKind.LEARNING: "autocode_runner.learning.instance",
    InstanceKind.CUSTOM: "autocode_runner.custom.instance",
}


def process_command(kind: InstanceKind) -> list[str]:
    return [sys.executable, "-m", ENTRIES[kind]]
