"""The runner protocol is written once: autocode_runner.contract.wire. Neither side may spell a method, event,
command or error code as a string literal anywhere else, so a renamed name cannot leave a stale copy behind.

Plain words that are also ordinary data keys ("status", "plan", "state") are checked where they act as protocol
names: a request's method, a compared error code, a command's type. Every other name is checked everywhere.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from autocode_runner.contract import wire

from controlplane.config import PROJECT_ROOT

SOURCES = [PROJECT_ROOT / "controlplane", PROJECT_ROOT / "sandbox-image" / "runner" / "autocode_runner"]
CONTRACT = PROJECT_ROOT / "sandbox-image" / "runner" / "autocode_runner" / "contract"
METHODS = {str(m) for m in wire.Method}
EVENTS = {str(e) for e in wire.Event}
CODES = {str(c) for c in wire.ErrorCode}
COMMANDS = {str(c) for c in wire.Command}
# Names no ordinary code would write for another reason.
DISTINCTIVE = {name for name in METHODS | EVENTS | CODES if "." in name or "_" in name} | {"hello"}


def python_files() -> Iterator[Path]:
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if CONTRACT not in path.parents and "migrations" not in path.parts:
                yield path


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def violations(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        text = _text(node)
        if text in DISTINCTIVE:
            yield node.lineno, f"{text!r} is a protocol name: import it from autocode_runner.contract.wire"  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call":
            for argument in node.args[:2]:
                if _text(argument) in METHODS:
                    yield node.lineno, f"method {_text(argument)!r} called by its literal name: use wire.Method"
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "code":
            for right in node.comparators:
                if _text(right) in CODES:
                    yield node.lineno, f"error code {_text(right)!r} compared as a literal: use wire.ErrorCode"
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if _text(key) == "type" and _text(value) in COMMANDS:
                    yield node.lineno, f"command {_text(value)!r} written as a literal: use wire.Command"
        if isinstance(node, ast.Compare) and any(_text(c) in COMMANDS for c in node.comparators):
            left = node.left
            reads_type = isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and left.func.attr == "get"
            if reads_type and _text(left.args[0] if left.args else None) == "type":  # type: ignore[union-attr]
                yield node.lineno, "a command's type compared with a literal: use wire.Command"


def test_no_protocol_name_is_written_outside_the_contract() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {why}"
        for path in python_files()
        for line, why in violations(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "\n".join(found)


def test_the_check_finds_what_it_looks_for() -> None:
    """Each rule fires on an example, so a broken rule cannot pass silently."""
    sample = """
channel.call("fs.read", {})
manager.call(user, "status")
if exc.code == "not_found": pass
send({"type": "pause"})
if command.get("type") == "reply": pass
EVENT = "instance.exited"
"""
    assert sorted(line for line, _ in violations(ast.parse(sample))) == [2, 2, 3, 4, 4, 5, 6, 7]
