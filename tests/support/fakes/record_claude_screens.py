# ruff: noqa: RUF001 - the glyphs Claude Code draws are what the recorder waits for
"""Record real Claude Code screens, one per state, as fixtures for the screen classifier's tests.

    .venv/bin/autocode sandbox build          # the image with the runner under test
    .venv/bin/python tests/support/fakes/record_claude_screens.py [--out DIR]

It starts a real sandbox (the docker test harness of tests/support/engine.py, outside pytest), the scripted
Anthropic server inside it, and the real `claude` in tmux sessions of 200x50 (the driver's size), then drives
each state through the runner protocol only (tmux.send_keys / tmux.capture, never the driver under test) and
writes every capture verbatim to `<state>-<what>.txt` (in DIR, by default
tests/runner/coding/fixtures/claude-code-2.1.330). Waits look for plain words on the screen, not for the
classifier's verdict, so a classifier bug cannot choose its own fixtures. Nothing is ever written by hand:
re-run this after moving the Claude Code version (and name the directory after it).
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from controlplane.config import Settings  # noqa: E402
from controlplane.main import create_app  # noqa: E402
from controlplane.sandbox.docker_engine import LABEL_INSTANCE, connect_engine  # noqa: E402
from tests.support.engine import TEST_NETWORK, TEST_PIDS, Harness  # noqa: E402
from tests.support.fakes.claude_sandbox import FakeApi, seed, start_fake_api, wait_until  # noqa: E402

DEFAULT_OUT = ROOT / "tests/runner/coding/fixtures/claude-code-2.1.330"
NOTES_CONTENT = "notes\n"
WIDTH, HEIGHT = 200, 50


def write(path: str, content: str) -> dict:
    return {"tool_use": {"name": "Write", "input": {"file_path": f"/home/agent/work/{path}", "content": content}}}


def scenario() -> dict:
    rate_limit = {
        "status": 429,
        "type": "rate_limit_error",
        "message": "Number of request tokens has exceeded your per-minute rate limit",
    }
    return {
        "turns": [
            {"match": "create hello", "responses": [
                write("hello.txt", "hi\n"),
                {"text": "Created hello.txt with a greeting."}]},
            {"match": "ask colour", "responses": [
                {"tool_use": {"name": "AskUserQuestion", "input": {"questions": [{
                    "question": "Which colour should the button be?", "header": "Colour", "multiSelect": False,
                    "options": [{"label": "Red", "description": "Warm and loud"},
                                {"label": "Blue", "description": "Calm and cool"}]}]}}},
                {"text": "Blue it is."}]},
            {"match": "wait forever", "responses": [{"hang": 60}]},
            {"match": "rate limit soft", "responses": [{"error": rate_limit, "times": 40}]},
            {"match": "server error soft", "responses": [
                {"error": {"status": 500, "type": "api_error", "message": "Internal server error"}, "times": 40}]},
            {"match": "create notes", "responses": [
                write("notes.txt", NOTES_CONTENT),
                {"text": "Wrote notes.txt."}]},
            {"match": "run bash", "responses": [
                {"tool_use": {"name": "Bash", "input": {"command": "echo made > /home/agent/work/bash.txt",
                                                        "description": "Write bash.txt"}}},
                {"text": "Ran the command."}]},
            {"match": "overloaded hard", "responses": [
                {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}, "times": 5}]},
            {"match": "server error hard", "responses": [
                {"error": {"status": 500, "type": "api_error", "message": "Internal server error"}, "times": 5}]},
            {"match": "rate limit hard", "responses": [{"error": rate_limit, "times": 5}]},
            {"match": "credit", "responses": [{"error": {
                "status": 400, "type": "invalid_request_error",
                "message": "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
                "to upgrade or purchase credits."}, "times": 5}]},
            {"match": "fill context", "responses": [
                {"text": "That was a lot of context.", "usage": {"input_tokens": 985000}}]},
            {"match": "Respond with TEXT ONLY", "responses": [{"hang": 8}]},
        ]
    }  # fmt: skip


class Recorder:
    def __init__(self, harness: Harness, user, out: Path) -> None:
        self.harness = harness
        self.user = user
        self.out = out
        self.written: list[str] = []

    def capture(self, name: str) -> str:
        return self.harness.call(self.user, "tmux.capture", {"name": name})["content"]

    def wait_screen(self, name: str, condition: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        last = [""]

        def check() -> str | None:
            last[0] = self.capture(name)
            return last[0] if condition(last[0]) else None

        try:
            return wait_until(check, timeout, what)
        except AssertionError as error:
            raise AssertionError(f"{error}; the screen:\n{last[0]}") from None

    def save(self, name: str, fixture: str, screen: str | None = None) -> str:
        screen = self.capture(name) if screen is None else screen
        (self.out / f"{fixture}.txt").write_text(screen + "\n", encoding="utf-8")
        self.written.append(fixture)
        print(f"recorded {fixture}", flush=True)
        return screen

    def keys(self, name: str, keys: str) -> None:
        self.harness.call(self.user, "tmux.send_keys", {"name": name, "keys": keys, "literal": False})

    def choose(self, name: str, key: str, dialog_words: str) -> None:
        """Press `key` in a dialog until the dialog is gone: a key pressed the moment a dialog is drawn can be lost."""
        for _ in range(5):
            self.keys(name, key)
            try:
                self.wait_screen(name, lambda s: dialog_words not in s, "the dialog to close", 3)
                return
            except AssertionError:
                continue
        raise AssertionError(f"the dialog {dialog_words!r} did not take {key!r}")

    def type(self, name: str, text: str) -> None:
        self.harness.call(self.user, "tmux.send_keys", {"name": name, "keys": text, "literal": True})
        time.sleep(0.15)
        self.keys(name, "Enter")

    def start_claude(self, name: str, api: FakeApi, mode: str, extra_env: dict[str, str] | None = None) -> None:
        command = f"exec claude --permission-mode {mode} --session-id {_uuid()}"
        env = {**api.env, **(extra_env or {})}
        self.harness.call(
            self.user,
            "tmux.new",
            {"name": name, "command": command, "cwd": "work", "env": env, "width": WIDTH, "height": HEIGHT},
        )
        self.wait_screen(name, _idle, "the idle prompt")


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _idle(screen: str) -> bool:
    return "❯\u00a0" in screen and "esc to interrupt" not in screen and "Esc to cancel" not in screen


def _elapsed(screen: str) -> str | None:
    found = re.search(r"…\s+\((\d+)s", screen)
    return found.group(1) if found else None


def _busy(screen: str) -> bool:
    return "esc to interrupt" in screen


def record(recorder: Recorder, api: FakeApi) -> None:
    r = recorder
    # A: bypass permissions, default retries.
    r.start_claude("a", api, "bypassPermissions")
    r.save("a", "idle-fresh")
    r.type("a", "please create hello")
    r.save(
        "a", "idle-reply-after-write", r.wait_screen("a", lambda s: "Created hello.txt" in s and _idle(s), "the reply")
    )
    r.type("a", "please ask colour")
    r.save("a", "question-colour", r.wait_screen("a", lambda s: "Enter to select" in s, "the question"))
    r.choose("a", "2", "Enter to select")
    r.save(
        "a", "idle-after-answer", r.wait_screen("a", lambda s: "Blue it is." in s and _idle(s), "the answer's reply")
    )
    r.type("a", "now wait forever")
    r.save("a", "busy-waiting-early", r.wait_screen("a", _busy, "the spinner"))
    # The elapsed time shows after some seconds; take two screens whose counters differ.
    first = r.save("a", "busy-waiting-1", r.wait_screen("a", lambda s: _busy(s) and _elapsed(s), "elapsed seconds", 30))
    r.wait_screen("a", lambda s: _busy(s) and _elapsed(s) not in (None, _elapsed(first)), "another second", 10)
    r.save("a", "busy-waiting-2")
    r.keys("a", "Escape")
    # Escape before any output removes the turn and puts the prompt back into the input line.
    restored = r.wait_screen("a", lambda s: _idle(s) and "❯\u00a0now wait forever" in s, "the restored prompt")
    r.save("a", "idle-interrupted-prompt-restored", restored)
    r.keys("a", "C-u")
    r.type("a", "rate limit soft")
    # Measured: the first retries say only "API error · retrying in 2s"; the 429 shows from attempt 3.
    r.save("a", "busy-retrying-429-unnamed", r.wait_screen("a", lambda s: "attempt 2/" in s, "a 429 retry", 40))
    r.save("a", "rate_limited-retrying", r.wait_screen("a", lambda s: "attempt 3/" in s, "a second 429 retry", 40))
    r.keys("a", "Escape")
    r.wait_screen("a", _idle, "idle after the rate-limit interruption")
    r.keys("a", "C-u")
    r.type("a", "server error soft")
    r.save("a", "busy-retrying-500", r.wait_screen("a", lambda s: "retrying in" in s and "500" in s, "a 500 retry", 60))
    r.keys("a", "Escape")
    r.wait_screen("a", _idle, "idle after the 500 interruption")
    r.keys("a", "C-u")
    r.type("a", "hello there\nsecond line\nthird line")
    r.save(
        "a", "idle-multiline-typed-not-submitted", r.wait_screen("a", lambda s: "third line" in s, "the typed lines")
    )
    r.keys("a", "C-c")
    r.harness.call(r.user, "tmux.kill", {"name": "a"})

    # B: manual permissions, no retries: prompts, final errors, compaction.
    r.start_claude("b", api, "default", {"CLAUDE_CODE_MAX_RETRIES": "0"})
    r.type("b", "please create notes")
    r.save(
        "b",
        "permission-create-file",
        r.wait_screen("b", lambda s: "Do you want to create" in s, "the permission prompt"),
    )
    r.choose("b", "1", "Do you want to create")
    r.wait_screen("b", lambda s: "Wrote notes.txt." in s and _idle(s), "the notes reply")
    r.type("b", "please run bash")
    r.save("b", "permission-bash", r.wait_screen("b", lambda s: "Do you want to proceed?" in s, "the Bash permission"))
    r.choose("b", "1", "Do you want to proceed?")
    r.save("b", "idle-after-bash", r.wait_screen("b", lambda s: "Ran the command." in s and _idle(s), "the Bash reply"))
    r.type("b", "overloaded hard")
    r.save("b", "api_error-overloaded-529", r.wait_screen("b", lambda s: "API Error: 529" in s and _idle(s), "the 529"))
    r.type("b", "server error hard")
    r.save("b", "api_error-server-500", r.wait_screen("b", lambda s: "API Error: 500" in s and _idle(s), "the 500"))
    r.type("b", "rate limit hard")
    r.save("b", "rate_limited-rejected-429", r.wait_screen("b", lambda s: "(429)" in s and _idle(s), "the final 429"))
    r.type("b", "credit check")
    r.save(
        "b", "rate_limited-credit-balance", r.wait_screen("b", lambda s: "Credit balance" in s and _idle(s), "credit")
    )
    r.type("b", "fill context")
    r.wait_screen("b", lambda s: "That was a lot of context." in s and _idle(s), "the context reply")
    r.type("b", "one more prompt")
    r.save("b", "compacting-auto", r.wait_screen("b", lambda s: "Compacting conversation" in s, "the compaction"))
    screen = r.wait_screen("b", lambda s: "Prompt is too long" in s and _idle(s), "the failed compaction", 40)
    r.save("b", "context_full-compaction-failed", screen)
    r.harness.call(r.user, "tmux.kill", {"name": "b"})

    # C: Claude Code started from a shell, then left with C-c C-c: the shell comes back.
    r.harness.call(r.user, "tmux.new", {"name": "c", "cwd": "work", "env": api.env, "width": WIDTH, "height": HEIGHT})
    r.type("c", "claude --permission-mode bypassPermissions")
    r.wait_screen("c", _idle, "the idle prompt in a shell")
    r.keys("c", "C-c")
    r.save("c", "idle-press-ctrl-c-again", r.wait_screen("c", lambda s: "again to exit" in s, "the exit hint", 10))
    r.keys("c", "C-c")
    r.save("c", "exited-shell", r.wait_screen("c", lambda s: s.rstrip().endswith("$"), "the shell prompt"))
    r.harness.call(r.user, "tmux.kill", {"name": "c"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(4)
    with tempfile.TemporaryDirectory() as temporary:
        settings = Settings(
            data_dir=Path(temporary) / "data",
            secret_key="record-secret-" + "x" * 40,
            bcrypt_rounds=4,
            frontend_dist=Path(temporary) / "no-frontend",
            sandboxes_enabled=True,
            sandbox_instance=f"record-{tag}",
            sandbox_name_prefix=f"rec-{tag}-",
            sandbox_network=TEST_NETWORK,
            sandbox_network_internal=True,
            sandbox_firewall_check=False,
            sandbox_memory="1g",  # Claude Code alone takes ~250 MB
            sandbox_pids=TEST_PIDS,
            reconcile_interval_seconds=3600,
        )
        app = create_app(settings)
        try:
            with TestClient(app) as client:
                harness = Harness(client, app, settings)
                user = harness.user("recorder")
                harness.run(harness.manager.ensure_ready, user)
                seed(harness, user)
                api = start_fake_api(harness, user, scenario())
                recorder = Recorder(harness, user, args.out)
                record(recorder, api)
        finally:
            engine = connect_engine()
            for container in engine.containers.list(
                all=True, filters={"label": f"{LABEL_INSTANCE}={settings.sandbox_instance}"}
            ):
                container.remove(force=True)
    print(f"{len(recorder.written)} screens in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
