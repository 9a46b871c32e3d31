"""Helpers for running the real Claude Code in a real test sandbox against the scripted Anthropic server.

Test sandboxes have no route to the host, so the scripted server runs inside the sandbox (Debian's
/usr/bin/python3, stdlib only) in its own tmux session, on 127.0.0.1. Used by
tests/runner/coding/test_claude_driver.py and the fixture recorder (tests/support/fakes/record_claude_screens.py),
both with the harness of tests/support/engine.py.
"""

from __future__ import annotations

import functools
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlplane.sandbox.backend import SandboxUser
from tests.support import waiting

SERVER_SOURCE = Path(__file__).with_name("anthropic_server.py")
HOME = "/home/agent"
FAKE_DIR = ".fake-anthropic"
WORKDIR = "work"


# Its probes are docker execs: poll them less often than the default.
wait_until = functools.partial(waiting.wait_until, interval=0.25)


@dataclass
class FakeApi:
    harness: Any
    user: SandboxUser
    port: int
    session: str

    @property
    def env(self) -> dict[str, str]:
        """What Claude Code needs to talk to this server (the image sets the no-traffic variables)."""
        return {"ANTHROPIC_BASE_URL": f"http://127.0.0.1:{self.port}", "ANTHROPIC_AUTH_TOKEN": "scripted-token"}

    def requests(self) -> list[dict[str, Any]]:
        """Every request recorded so far, oldest first."""
        try:
            content = self.harness.call(self.user, "fs.read", {"path": f"{FAKE_DIR}/requests-{self.port}.jsonl"})
        except Exception:  # no request yet means no file yet
            return []
        return [json.loads(line) for line in content["content"].splitlines() if line.strip()]

    def prompts(self) -> list[str]:
        return [entry["prompt"] for entry in self.requests() if entry.get("prompt")]


def start_fake_api(harness: Any, user: SandboxUser, scenario: dict[str, Any], port: int = 8765) -> FakeApi:
    """Install the scripted server and its scenario in the sandbox, start it, and wait until it answers."""
    harness.call(
        user,
        "fs.write",
        {"path": f"{FAKE_DIR}/anthropic_server.py", "content": SERVER_SOURCE.read_text(), "parents": True},
    )
    script = f"{FAKE_DIR}/scenario-{port}.json"
    harness.call(user, "fs.write", {"path": script, "content": json.dumps(scenario)})
    session = f"fake-api-{port}"
    command = (
        f"/usr/bin/python3 {HOME}/{FAKE_DIR}/anthropic_server.py --port {port} "
        f"--script {HOME}/{script} --record {HOME}/{FAKE_DIR}/requests-{port}.jsonl"
    )
    harness.call(user, "tmux.new", {"name": session, "command": command})
    probe = f"python3 -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:{port}/\", timeout=2)'"
    wait_until(lambda: harness.sh(user, probe)[0] == 0, 20, "the scripted server to answer")
    return FakeApi(harness, user, port, session)


def run_python(harness: Any, user: SandboxUser, code: str, timeout: float = 120) -> Any:
    """Run async Python `code` (the body of `async def main()`) with the sandbox's venv, which holds the
    runner package; `main` returns something JSON-able, which comes back here. Errors fail with the output."""
    program = (
        "import asyncio, json, sys\n"
        "from pathlib import Path\n"
        "from autocode_runner.tmux import Tmux\n"
        "from autocode_runner.coding.claude.driver import ClaudeSession, ClaudeError, seed_home\n"
        "from autocode_runner.coding.claude.screen import ClaudeState, classify, activity_fingerprint\n"
        "async def main():\n"
        + textwrap.indent(textwrap.dedent(code), "    ")
        + "\nresult = asyncio.run(main())\nprint('RESULT:' + json.dumps(result))\n"
    )
    harness.call(user, "fs.write", {"path": f"{FAKE_DIR}/snippet.py", "content": program, "parents": True})
    code_, output = harness.sh(user, f"cd {HOME} && /opt/autocode/venv/bin/python {FAKE_DIR}/snippet.py", timeout)
    marker = output.rfind("RESULT:")
    if code_ != 0 or marker < 0:
        raise AssertionError(f"sandbox snippet failed (exit {code_}):\n{output}")
    return json.loads(output[marker + len("RESULT:") :])


def seed(harness: Any, user: SandboxUser, workdir: str = WORKDIR) -> None:
    """Create the work directory and seed the home with the runner's own `seed_home`, inside the sandbox."""
    harness.call(user, "fs.mkdir", {"path": workdir, "parents": True, "exist_ok": True})
    run_python(harness, user, f"seed_home(Path({HOME!r}), Path({HOME!r}) / {workdir!r})\nreturn True")
