"""The screen classifier against real Claude Code 2.1.330 captures (recorded by
tests/support/fakes/record_claude_screens.py).

Each fixture's name starts with the state it shows; the details the manager loop acts on are checked by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from autocode_runner.coding.claude.screen import ClaudeState, activity_fingerprint, classify

FIXTURES = Path(__file__).parent / "fixtures" / "claude-code-2.1.330"
ALL = sorted(FIXTURES.glob("*.txt"))


def screen(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def test_every_state_has_a_recorded_screen() -> None:
    recorded = {path.name.split("-")[0] for path in ALL}
    assert recorded >= {state.value for state in ClaudeState} - {"unknown"}


@pytest.mark.parametrize("path", ALL, ids=[path.stem for path in ALL])
def test_fixture_classifies_as_its_name_says(path: Path) -> None:
    expected = ClaudeState(path.name.split("-")[0])
    assert classify(path.read_text(encoding="utf-8")).state is expected


def test_idle_reads_the_last_reply_not_a_tool_call() -> None:
    assert classify(screen("idle-reply-after-write")).last_reply == "Created hello.txt with a greeting."
    assert classify(screen("idle-after-answer")).last_reply == "Blue it is."
    fresh = classify(screen("idle-fresh"))
    assert fresh.last_reply is None
    assert fresh.input_text is None


def test_input_line_shows_text_waiting_to_be_sent() -> None:
    assert classify(screen("idle-interrupted-prompt-restored")).input_text == "now wait forever"
    waiting = classify(screen("idle-multiline-typed-not-submitted")).input_text or ""
    assert waiting.splitlines()[0] == "hello there"
    assert "third line" in waiting
    assert classify(screen("api_error-server-500")).input_text is None  # a dim placeholder, not typed text


def test_permission_prompt_details() -> None:
    create = classify(screen("permission-create-file"))
    assert create.title == "Create file"
    assert create.question == "Do you want to create notes.txt?"
    assert [option.number for option in create.options] == [1, 2, 3]
    assert create.options[0].label == "Yes" and create.options[0].selected
    assert create.option("no") is not None and create.option("no").number == 3
    bash = classify(screen("permission-bash"))
    assert bash.title == "Bash command"
    assert bash.question == "Do you want to proceed?"
    assert "echo made > /home/agent/work/bash.txt" in (bash.details or "")
    assert [option.number for option in bash.options] == [1, 2, 3, 4]
    assert bash.option("No").number == 4


def test_multiple_choice_question_details() -> None:
    reading = classify(screen("question-colour"))
    assert reading.title == "Colour"
    assert reading.question == "Which colour should the button be?"
    labels = [(option.number, option.label) for option in reading.options]
    assert labels[:2] == [(1, "Red"), (2, "Blue")]
    assert reading.options[0].description == "Warm and loud"
    assert reading.options[1].description == "Calm and cool"
    assert reading.option("Chat about this") is not None


def test_errors_and_limits_carry_their_text() -> None:
    assert classify(screen("api_error-overloaded-529")).error.startswith("API Error: 529 Overloaded.")
    server = classify(screen("api_error-server-500")).error
    assert server.startswith("API Error: 500 Internal server error.") and "focus-events" not in server
    assert "Request rejected (429)" in classify(screen("rate_limited-rejected-429")).error
    assert classify(screen("rate_limited-credit-balance")).error.startswith("Credit balance too low")
    assert "Prompt is too long" in classify(screen("context_full-compaction-failed")).error


def test_retries_carry_attempt_and_countdown() -> None:
    limited = classify(screen("rate_limited-retrying"))
    assert limited.retry is not None and (limited.retry.attempt, limited.retry.max_attempts) == (3, 10)
    assert "429" in limited.retry.message
    generic = classify(screen("busy-retrying-429-unnamed"))
    assert generic.retry is not None and generic.retry.attempt == 2
    server = classify(screen("busy-retrying-500"))
    assert server.retry is not None and server.retry.message.startswith("500 Internal server error")


def test_busy_reads_the_spinner_and_compaction() -> None:
    assert re.fullmatch(r"\w+… \(\d+s\)", classify(screen("busy-waiting-1")).spinner)
    assert re.fullmatch(r"\w+…", classify(screen("busy-waiting-early")).spinner)
    assert classify(screen("compacting-auto")).spinner.startswith("Compacting conversation")


def test_an_old_error_above_a_newer_turn_does_not_count() -> None:
    text = screen("api_error-server-500")
    assert "API Error: 529" in text  # the turn before failed with a 529, still on screen …
    assert classify(text).error.startswith("API Error: 500")  # … only the newest turn counts
    assert "API Error: 500" in screen("rate_limited-rejected-429")
    assert classify(screen("rate_limited-rejected-429")).state is ClaudeState.RATE_LIMITED


def test_exited_and_empty_panes() -> None:
    assert classify(screen("exited-shell")).extras["prompt"].endswith("$")
    assert classify("").state is ClaudeState.EXITED
    assert classify("\n\n   \n").state is ClaudeState.EXITED


def test_fingerprint_ignores_ticking_spinner_and_counters() -> None:
    first, second = screen("busy-waiting-1"), screen("busy-waiting-2")
    assert first != second  # the captures differ (glyph, seconds) …
    assert activity_fingerprint(first) == activity_fingerprint(second)  # … the activity does not


def test_fingerprint_changes_with_real_output() -> None:
    names = ("busy-waiting-1", "idle-fresh", "idle-reply-after-write")
    assert len({activity_fingerprint(screen(name)) for name in names}) == 3
    busy = screen("busy-waiting-1")
    spinner = classify(busy).spinner or ""
    more_output = busy.replace(spinner, spinner + "\n● A new line")
    assert more_output != busy
    assert activity_fingerprint(busy) != activity_fingerprint(more_output)
