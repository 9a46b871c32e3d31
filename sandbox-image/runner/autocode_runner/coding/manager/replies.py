"""Turning the manager model's text into steps, decisions and answers.

Models wrap JSON in Markdown fences, put a sentence before it, or think aloud first; all of that is tolerated.
What is not tolerated is a wrong shape: every problem raises `ReplyFormatError` with a message precise enough
to be quoted back to the model as a correction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, cast

from autocode_runner.coding.manager.errors import ReplyFormatError
from autocode_runner.coding.plan import VERDICTS, Answer, Decision, Verdict
from autocode_runner.contract.convert import ContractError
from autocode_runner.contract.plan import PlanStep

MAX_STEPS = 40
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n(.*?)```", re.DOTALL)
_THINKING = re.compile(r"<think(?:ing)?>.*?</think(?:ing)?>", re.DOTALL | re.IGNORECASE)
_WHOLE_FENCE = re.compile(r"\A```[A-Za-z0-9_-]*[ \t]*\n(.*?)\n?```\Z", re.DOTALL)


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in a reply: the whole reply, a fenced block, or the first object embedded in prose."""
    text = _THINKING.sub("", text or "").strip()
    if not text:
        raise ReplyFormatError("the reply was empty")
    candidates = [text, *(block.strip() for block in _FENCE.findall(text))]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ReplyFormatError("the reply contains no JSON object")


def plain_text(text: str) -> str:
    """A free-text reply without thinking blocks or a fence around the whole of it."""
    text = _THINKING.sub("", text or "").strip()
    whole = _WHOLE_FENCE.match(text)
    text = whole.group(1).strip() if whole else text
    if not text:
        raise ReplyFormatError("the reply was empty")
    return text


def _required_text(data: dict[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ReplyFormatError(f"{where}'{name}' must be a non-empty string, got {value!r}")
    return value.strip()


def _optional_text(data: dict[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ReplyFormatError(f"{where}'{name}' must be a string, got {value!r}")
    return value.strip()


def parse_plan(text: str) -> list[PlanStep]:
    """{"steps": [{"title", "details", "acceptance"}, ...]} -> pending steps."""
    data = json_object(text)
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ReplyFormatError(f"'steps' must be a non-empty list, got {steps!r}")
    if len(steps) > MAX_STEPS:
        raise ReplyFormatError(f"'steps' has {len(steps)} entries; use at most {MAX_STEPS}, each a larger change")
    parsed = []
    for index, raw in enumerate(steps):
        where = f"steps[{index}]."
        if not isinstance(raw, dict):
            raise ReplyFormatError(f"steps[{index}] must be an object, got {raw!r}")
        title = _required_text(raw, "title", where)
        details = _required_text(raw, "details", where)
        acceptance = _required_text(raw, "acceptance", where)
        try:
            parsed.append(PlanStep(title=title, details=details, acceptance=acceptance))
        except ContractError as error:  # within the contract's limits, or the model is asked again
            raise ReplyFormatError(f"steps[{index}].{error}") from error
    return parsed


def parse_decision(text: str) -> Decision:
    """{"verdict": "complete"|"fix"|"retry", "message", "reason"}; fix and retry need a message."""
    data = json_object(text)
    verdict = data.get("verdict")
    verdict = verdict.strip().lower() if isinstance(verdict, str) else verdict
    if verdict not in VERDICTS:
        raise ReplyFormatError(f"'verdict' must be one of {', '.join(VERDICTS)}, got {data.get('verdict')!r}")
    message = _optional_text(data, "message", "")
    if verdict != "complete" and not message:
        raise ReplyFormatError(f"'message' must say what Claude Code should do when the verdict is {verdict!r}")
    return Decision(cast(Verdict, verdict), message, _optional_text(data, "reason", ""))


def parse_answer(text: str, options: Sequence[str]) -> Answer:
    """{"keys", "reason"}: with options, keys must be an option's number (its text is accepted and converted)."""
    data = json_object(text)
    keys = data.get("keys")
    if isinstance(keys, int) and not isinstance(keys, bool):
        keys = str(keys)
    if not isinstance(keys, str) or not keys.strip():
        raise ReplyFormatError(f"'keys' must be a non-empty string, got {keys!r}")
    keys = keys.strip()
    reason = _optional_text(data, "reason", "")
    if not options:
        return Answer(keys, reason)
    number = keys.rstrip(".)")
    if number.isdigit() and 1 <= int(number) <= len(options):
        return Answer(number, reason)
    for index, option in enumerate(options, start=1):
        if keys.casefold() == option.strip().casefold():
            return Answer(str(index), reason)
    raise ReplyFormatError(f"'keys' must be the number of one of the options, 1 to {len(options)}, got {keys!r}")
