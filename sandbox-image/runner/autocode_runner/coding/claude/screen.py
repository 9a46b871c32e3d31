# ruff: noqa: RUF001, RUF002, RUF003 - the glyphs Claude Code draws are the subject of this module
"""What Claude Code is doing, read from a plain-text capture of its tmux pane (no tmux, no I/O here).

Measured on Claude Code 2.1.330 (fixtures in tests/runner/coding/fixtures/claude-code-2.1.330/). The screen is
read bottom-up, because the visible scrollback still shows old turns (an old `● API Error` above a newer
reply must not count):

- While Claude Code waits for text, the bottom is the *input box*: a `────` rule, the input line `❯` + a
  NO-BREAK SPACE + the text (or a dim placeholder), a `────` rule, then the footer. The footer says
  `esc to interrupt` exactly while a turn runs.
- While it asks, the box is replaced by a *dialog* that ends with `Esc to cancel` (permission prompts, with
  numbered options) or `Enter to select` (AskUserQuestion, with a `☐ header` line).
- The *current turn* is what follows the last echoed prompt (`❯ text` with a plain space) above the box:
  replies are `● text` blocks, tool calls `● Name(args)` followed by `⎿` result lines, errors
  `● API Error: …` or `⎿  …` notices, the spinner `✽ Verb… (12s · ↓ 30 tokens)` and, when done,
  `✻ Verb for 3s · done 3:46 AM`.

Hook events are the better signal where they exist; this is the fallback and the only view of retries,
rate limits and errors on screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict

NBSP = "\u00a0"
SPINNER_GLYPHS = "·✢✳✶✻✽*"
_RULE = re.compile(r"^─{20,}$")
_OPTION = re.compile(r"^\s*(❯\s*)?(\d+)\.\s+(.*\S)\s*$")
_PROMPT_ECHO = re.compile(r"^❯ (?!\d+\.\s)(\S.*)$")  # a submitted prompt in the transcript (plain space)
# A running turn's status line: glyph, then "Verb… (12s · ↓ 30 tokens)" or "429 … · retrying in 5s · attempt 4/10".
_SPINNER = re.compile(rf"^([{re.escape(SPINNER_GLYPHS)}]) (\S.*(?:…|retrying in \d+s).*)$")
_RETRY = re.compile(r"retrying in (\d+)s\s*·\s*attempt (\d+)/(\d+)")
_CONTEXT_LOW = re.compile(r"Context low \((\d+)% remaining\)")
_UNTIL_COMPACT = re.compile(r"(\d+)% until auto-compact")
_SHELL_PROMPT = re.compile(r"[$#%>]\s?$")
_RATE_LIMIT_WORDS = re.compile(r"\b429\b|rate.?limit", re.IGNORECASE)
# Usage, spend and billing limits: words from the 2.1.330 binary's strings (only the credit one was produced).
_LIMIT_WORDS = re.compile(
    r"Credit balance (?:is )?too low|usage limit|You've hit your|You’ve hit your|spend limit|"
    r"out of (?:extra usage|usage credits)|limit reached",
    re.IGNORECASE,
)
# Dim hints Claude Code shows in an empty input line; a plain capture cannot tell them from typed text.
# The known ones are dropped from `input_text`; the driver, which knows what it typed, does not depend on this.
INPUT_PLACEHOLDERS = (
    "Once fixed, resend your message",
    "Resend your message to try again",
    "Check your internet connection and try again",
)
# Lines whose changes are not activity: hints that come and go, tips under the spinner.
_VOLATILE_LINE = re.compile(r"/effort$|focus-events|ctrl\+y to paste|^\s*⎿\s+Tip:|^\s*Tip:")


class ClaudeState(StrEnum):
    UNKNOWN = "unknown"  # nothing recognisable yet (starting up), or a screen this module does not know
    IDLE = "idle"  # waiting for a prompt; `last_reply` holds the last `● …` reply of the turn
    BUSY = "busy"  # a turn runs (`esc to interrupt`); `retry` is set while it retries a failed request
    PERMISSION = "permission"  # "Do you want to …?" with numbered options; a digit answers
    QUESTION = "question"  # AskUserQuestion: `☐ header`, question, options, `Enter to select`
    API_ERROR = "api_error"  # the turn ended with `● API Error: …` (not a rate limit)
    RATE_LIMITED = "rate_limited"  # 429 being retried, a final 429, or a usage/spend/credit limit
    COMPACTING = "compacting"  # "Compacting conversation…" is running
    CONTEXT_FULL = "context_full"  # "Prompt is too long" (compaction failed): /compact or /clear needed
    EXITED = "exited"  # no Claude Code on screen: an empty pane or a shell prompt


@dataclass(frozen=True)
class Option:
    number: int  # the digit that selects it
    label: str
    description: str = ""  # the indented lines under it, joined with spaces
    selected: bool = False  # the `❯` cursor is on it


@dataclass(frozen=True)
class Retry:
    attempt: int
    max_attempts: int
    seconds: int  # until the next attempt
    message: str  # the spinner line's text, e.g. "429 Number of request tokens … · retrying in 5s · attempt 4/10"


@dataclass(frozen=True)
class ScreenReading:
    state: ClaudeState
    last_reply: str | None = None
    title: str | None = None  # the dialog's heading: "Bash command", "Create file", the question's header
    question: str | None = None
    options: tuple[Option, ...] = ()
    details: str | None = None  # what a permission dialog shows between its heading and its question
    error: str | None = None
    retry: Retry | None = None
    spinner: str | None = None  # the running turn's status line without its glyph
    input_text: str | None = None  # text waiting in the input line, placeholders removed
    context_left_percent: int | None = None
    extras: dict[str, str] = field(default_factory=dict)

    def option(self, label_start: str) -> Option | None:
        """The first option whose label starts with `label_start` (case-insensitive)."""
        wanted = label_start.lower()
        return next((o for o in self.options if o.label.lower().startswith(wanted)), None)


def _lines(screen: str) -> list[str]:
    lines = [line.rstrip() for line in screen.replace("\r", "").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _input_box(lines: list[str]) -> tuple[int, int] | None:
    """(top rule, bottom rule) of the input box: the last two rules around lines starting with `❯`."""
    rules = [i for i, line in enumerate(lines) if _RULE.match(line)]
    for bottom_index in range(len(rules) - 1, 0, -1):
        top, bottom = rules[bottom_index - 1], rules[bottom_index]
        inside = lines[top + 1 : bottom]
        if inside and inside[0].startswith("❯") and bottom - top <= 12:
            return top, bottom
    return None


def _current_turn(transcript: list[str]) -> list[str]:
    for index in range(len(transcript) - 1, -1, -1):
        if _PROMPT_ECHO.match(transcript[index]):
            return transcript[index + 1 :]
    return transcript


def _blocks(turn: list[str]) -> list[list[str]]:
    """`●`/`⎿`/spinner-led blocks of a turn, each with its indented continuation lines."""
    blocks: list[list[str]] = []
    for line in turn:
        if not line.strip():
            continue
        if line.startswith(("●", "  ⎿", "✻", "✽", "✢", "✳", "✶", "·", "*")) or not line.startswith(" "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def _joined(block: list[str]) -> str:
    first = block[0].lstrip("●⎿ ").strip()
    return " ".join([first, *(line.strip() for line in block[1:])]).strip()


def _is_tool_call(block: list[str], following: list[list[str]]) -> bool:
    text = block[0][2:].strip()
    return bool(re.match(r"^[A-Za-z][\w.:-]*\(.*\)$", text)) or bool(following and following[0][0].startswith("  ⎿"))


def _context_left(text: str) -> int | None:
    found = _CONTEXT_LOW.search(text) or _UNTIL_COMPACT.search(text)
    return int(found.group(1)) if found else None


def _parse_options(region: list[str]) -> tuple[tuple[Option, ...], int | None]:
    """The numbered options of a dialog and the index of the first one in `region`."""
    options: list[Option] = []
    first = None
    label_column = 0
    for index, line in enumerate(region):
        found = _OPTION.match(line)
        if found:
            first = index if first is None else first
            label_column = found.start(3)
            options.append(Option(int(found.group(2)), found.group(3).strip(), "", bool(found.group(1))))
        elif options and line.strip() and not _RULE.match(line) and len(line) - len(line.lstrip()) >= label_column:
            previous = options[-1]
            description = f"{previous.description} {line.strip()}".strip()
            options[-1] = Option(previous.number, previous.label, description, previous.selected)
        elif options and (_RULE.match(line) or not line.strip()):
            continue
        elif options:
            break  # the footer
    return tuple(options), first


def _dialog(lines: list[str]) -> ScreenReading | None:
    footer_index = next(
        (
            i
            for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1)
            if re.search(r"Esc to cancel|Enter to select", lines[i])
        ),
        None,
    )
    if footer_index is None:
        return None
    # The dialog begins at the first rule after the last transcript entry (a `●` block or an echoed prompt).
    last_entry = max(
        (i for i, line in enumerate(lines[:footer_index]) if line.startswith("●") or _PROMPT_ECHO.match(line)),
        default=-1,
    )
    start = next((i for i in range(last_entry + 1, footer_index) if _RULE.match(lines[i])), last_entry)
    region = lines[start + 1 : footer_index]
    options, first_option = _parse_options(region)
    if not options or first_option is None:
        return None
    before = [line for line in region[:first_option] if line.strip() and not set(line.strip()) <= {"╌", "─"}]
    header_index = next((i for i, line in enumerate(before) if re.search(r"[☐☒✔]", line)), None)
    if header_index is not None or "Enter to select" in lines[footer_index]:
        header = re.sub(r"[←→☐☒✔]", " ", before[header_index]).split() if header_index is not None else []
        question_lines = before[header_index + 1 :] if header_index is not None else before
        return ScreenReading(
            ClaudeState.QUESTION,
            title=" ".join(header) or None,
            question=" ".join(line.strip() for line in question_lines) or None,
            options=options,
        )
    question_index = max((i for i, line in enumerate(before) if line.rstrip().endswith("?")), default=None)
    title = before[0].strip() if before else None
    details = [line.strip() for line in before[1:question_index] if not line.strip().startswith("Tip:")]
    return ScreenReading(
        ClaudeState.PERMISSION,
        title=title,
        question=before[question_index].strip() if question_index is not None else None,
        options=options,
        details="\n".join(details) or None,
    )


class _InputBox(TypedDict):
    """What every reading of a screen with an input box carries."""

    input_text: str | None
    context_left_percent: int | None


def classify(screen: str) -> ScreenReading:
    """Read one capture (`tmux capture-pane -p`, no escapes) of a pane running Claude Code."""
    lines = _lines(screen)
    if not any(line.strip() for line in lines):
        return ScreenReading(ClaudeState.EXITED, extras={"why": "empty pane"})
    dialog = _dialog(lines)
    if dialog is not None:
        return dialog
    box = _input_box(lines)
    if box is None:
        if _SHELL_PROMPT.search(lines[-1]) and not any("Claude Code" in line for line in lines[-6:]):
            return ScreenReading(ClaudeState.EXITED, extras={"why": "shell prompt", "prompt": lines[-1].strip()})
        return ScreenReading(ClaudeState.UNKNOWN)
    top, bottom = box
    footer = "\n".join(lines[bottom + 1 :])
    typed = "\n".join(lines[top + 1 : bottom])[1:].lstrip(NBSP + " ").rstrip()
    input_text = None if not typed or typed in INPUT_PLACEHOLDERS else typed
    transcript = [line for line in lines[:top] if not _VOLATILE_LINE.search(line)]
    turn = _current_turn(transcript)
    blocks = _blocks(turn)
    context_left = _context_left("\n".join(lines[max(0, top - 2) :]))
    common = _InputBox(input_text=input_text, context_left_percent=context_left)
    spinner_found = next((found for b in reversed(blocks) if (found := _SPINNER.match(b[0]))), None)
    spinner = spinner_found.group(2) if spinner_found else None
    if "esc to interrupt" in footer.lower():
        retry_found = _RETRY.search(spinner or "")
        retry = (
            Retry(int(retry_found.group(2)), int(retry_found.group(3)), int(retry_found.group(1)), spinner or "")
            if retry_found
            else None
        )
        if retry and _RATE_LIMIT_WORDS.search(spinner or ""):
            return ScreenReading(ClaudeState.RATE_LIMITED, retry=retry, spinner=spinner, error=spinner, **common)
        if spinner and spinner.startswith("Compacting conversation"):
            return ScreenReading(ClaudeState.COMPACTING, spinner=spinner, **common)
        return ScreenReading(ClaudeState.BUSY, retry=retry, spinner=spinner, **common)
    turn_text = [_joined(block) for block in blocks]
    for text in reversed(turn_text):
        if "Prompt is too long" in text:
            return ScreenReading(ClaudeState.CONTEXT_FULL, error=text, **common)
        if _LIMIT_WORDS.search(text) and not text.startswith("API Error"):
            return ScreenReading(ClaudeState.RATE_LIMITED, error=text, **common)
        if text.startswith("API Error"):
            if _RATE_LIMIT_WORDS.search(text.split("·")[0]) or _LIMIT_WORDS.search(text):
                return ScreenReading(ClaudeState.RATE_LIMITED, error=text, **common)
            return ScreenReading(ClaudeState.API_ERROR, error=text, **common)
        if not text.startswith(tuple(SPINNER_GLYPHS)):
            break  # the newest entry of the turn is a reply or a tool call, not an error
    replies = [
        _joined(block)
        for index, block in enumerate(blocks)
        if block[0].startswith("●") and not _is_tool_call(block, blocks[index + 1 :])
    ]
    return ScreenReading(ClaudeState.IDLE, last_reply=replies[-1] if replies else None, **common)


def activity_fingerprint(screen: str) -> str:
    """The screen without what changes while nothing happens: spinner glyph and verb, elapsed time, token
    counters, countdowns, clock times and passing hints. Equal fingerprints across minutes mean no output."""
    kept = []
    for line in _lines(screen):
        if _VOLATILE_LINE.search(line):
            continue
        spinner = _SPINNER.match(line)
        if spinner:
            retry = _RETRY.search(line)
            line = "<spinner>" + (f" attempt {retry.group(2)}/{retry.group(3)}" if retry else "")
        line = line.replace(" · ← for agents", "")  # a hint that comes and goes
        line = re.sub(r"\b\d{1,2}:\d{2}(?:\s?[AP]M)?\b", "<time>", line)
        line = re.sub(r"\bfor (?:\d+[hms] ?)+", "for <elapsed>", line)
        kept.append(line)
    return "\n".join(kept)
