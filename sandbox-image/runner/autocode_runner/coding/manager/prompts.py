"""The manager's prompts: its standing role (system prompt) and one message per kind of request.

Every request starts with a `TASK: <kind>` line, so transcripts read clearly and scripted test servers can
match on it. JSON requests end with the exact shape required; text requests say "the message text only".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from autocode_runner.contract.plan import PlanStep

SCREEN_LIMIT = 6_000  # characters of Claude Code's screen kept (the end: where the outcome is)
EVIDENCE_LIMIT = 8_000  # characters kept per piece of evidence (head and tail: commands fail at either end)
ERROR_LIMIT = 2_000  # characters kept per earlier error

ROLE = """\
You are the manager of an autonomous software project. You do not write code yourself: Claude Code, a coding \
agent working in a terminal in the project's directory, does the work. You plan the project, write Claude \
Code's instructions one step at a time, judge its results from the evidence, answer its questions, and change \
course when it is stuck.

How you work:
- Judge only from evidence (the terminal screen, the diff, test output, files). Claude Code saying it is done \
proves nothing; passing checks do.
- Messages to Claude Code are self-contained, concrete and brief: what to do, where, and how to verify it. \
Never paste large code; name files, functions and commands.
- Keep each step small enough to finish and verify in one session, and the project working after every step.
- The project's rules, architecture and plan below override your own preferences.
- Never approve actions that delete data outside the project, expose secrets, or push anywhere not asked for.
- When a request asks for JSON, reply with exactly one JSON object and nothing else: no prose, no Markdown \
fences."""

PLAN_SHAPE = (
    '{"steps": [{"title": "short imperative title", "details": "what to build, where, and with which interfaces",'
    ' "acceptance": "the concrete check that proves the step is done"}]}'
)
DECISION_SHAPE = (
    '{"verdict": "complete" | "fix" | "retry", "message": "what to send Claude Code (empty when complete)",'
    ' "reason": "one or two sentences citing the evidence"}'
)
ANSWER_SHAPE = (
    '{"keys": "the chosen option\'s number, e.g. \\"1\\" (free text when there are no options)",'
    ' "reason": "one sentence"}'
)


TOOL_WORDS = {
    "web_search": "search the web (web_search) for current best practices, versions and known problems",
    "web_fetch": "read a web page (web_fetch), such as documentation",
    "read_file": "read the project's files (read_file) to check Claude Code's work yourself",
}


def tools_note(tools: Sequence[str]) -> str:
    """What the manager's tools are for, appended to its identity; nothing without tools."""
    known = [TOOL_WORDS[name] for name in tools if name in TOOL_WORDS]
    if not known:
        return ""
    return (
        "\n\n## Your tools\nYou may " + "; ".join(known) + ". Use them when they change a decision, then answer in the "
        "shape the request asks for."
    )


def system_prompt(identity: str, memory: str = "", archived_summary: str = "") -> str:
    """The whole system prompt: the manager's role, the project identity, and what it has kept in memory."""
    parts = [ROLE, "# Project\n\n" + (identity.strip() or "(no project description was given)")]
    if memory.strip():
        parts.append("# Memory\n\n" + memory.strip())
    if archived_summary.strip():
        parts.append("# Earlier in this project (summary of archived conversation)\n\n" + archived_summary.strip())
    return "\n\n---\n\n".join(parts)


def _block(text: str) -> str:
    return f"<<<\n{text.rstrip()}\n>>>"


def clip_tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"[... {len(text) - limit} earlier characters omitted ...]\n" + text[-limit:]


def clip_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head
    return f"{text[:head]}\n[... {len(text) - limit} characters omitted ...]\n{text[-tail:]}"


def describe_step(step: PlanStep) -> str:
    return f"Title: {step.title}\nDetails: {step.details}\nAcceptance: {step.acceptance}"


def plan_outline(steps: Sequence[PlanStep], current: int | None = None) -> str:
    lines = []
    for number, step in enumerate(steps, start=1):
        status = "current" if current is not None and number - 1 == current else step.status
        lines.append(f"{number}. [{status}] {step.title}")
    return "\n".join(lines)


def plan_request(goal: str, architecture: str, details: str) -> str:
    return f"""TASK: plan

Write the implementation plan for this goal as an ordered list of steps for Claude Code.

Goal:
{goal.strip()}

Architecture:
{architecture.strip() or "(none given: choose a simple, conventional one and state it in the first step)"}

Details:
{details.strip() or "(none)"}

Each step is one coherent change Claude Code can finish in a single session, leaves the project working, and \
ends with a check that proves it (tests to run and pass, a command and its expected output, files that must \
exist). Order the steps so each builds on the ones before: start with the skeleton or the smallest working \
slice, end with an end-to-end check of the whole goal. Use as few steps as the goal needs, usually 3 to 12.

Reply with exactly this JSON object and nothing else:
{PLAN_SHAPE}"""


def compose_request(steps: Sequence[PlanStep], index: int) -> str:
    step = steps[index]
    return f"""TASK: compose_task

Write the message that starts step {index + 1} of {len(steps)} for Claude Code.

The plan:
{plan_outline(steps, index)}

Step {index + 1}:
{describe_step(step)}

The message must: say what to build in this step only (not later steps); name the files, modules and \
interfaces the plan or the project rules fix; state the acceptance check Claude Code must run before it \
reports done; and ask it to end with a short summary of what it changed and the check's result. Keep it under \
300 words.

Reply with the message text only: no preamble, no quotes, no fences."""


def evaluate_request(step: PlanStep, screen: str, evidence: Mapping[str, str] | str | None) -> str:
    if isinstance(evidence, str):
        evidence = {"evidence": evidence}
    pieces = [f"## {name}\n{_block(clip_middle(text, EVIDENCE_LIMIT))}" for name, text in (evidence or {}).items()]
    return f"""TASK: evaluate

Judge whether Claude Code has completed the current step.

Step (attempt {max(step.attempts, 1)}):
{describe_step(step)}

Claude Code's screen (the end of its terminal):
{_block(clip_tail(screen, SCREEN_LIMIT))}

Evidence gathered from the project:
{chr(10).join(pieces) if pieces else "(none)"}

Verdicts:
- "complete": the evidence shows the acceptance check is met. Leave "message" empty.
- "fix": the work is largely there but something is wrong or missing. "message" tells Claude Code exactly \
what to fix and which check to run.
- "retry": the attempt went nowhere or in the wrong direction (no relevant changes, crashed, misunderstood). \
"message" restates the step with what to do differently.
When in doubt between "complete" and "fix", choose "fix" and ask for the missing proof.

Reply with exactly this JSON object and nothing else:
{DECISION_SHAPE}"""


def answer_request(step: PlanStep, question: str, options: Sequence[str]) -> str:
    if options:
        listed = "\n".join(f"{number}. {option}" for number, option in enumerate(options, start=1))
        choice = f"Options:\n{listed}\n\nChoose one option by its number."
    else:
        choice = "There are no options: answer in free text, as you would type it into Claude Code's prompt."
    return f"""TASK: answer

Claude Code stopped to ask a question while working on the current step.

Step:
{describe_step(step)}

The question, as shown on its screen:
{_block(clip_tail(question, SCREEN_LIMIT))}

{choice} Pick what serves the step and the project's rules; allow ordinary work inside the project (edits, \
tests, installing the project's dependencies) and refuse anything destructive or outside it.

Reply with exactly this JSON object and nothing else:
{ANSWER_SHAPE}"""


def alternative_request(step: PlanStep, errors: Sequence[str]) -> str:
    listed = "\n\n".join(
        f"Attempt {number}:\n{_block(clip_middle(error, ERROR_LIMIT))}" for number, error in enumerate(errors, start=1)
    )
    return f"""TASK: alternative

Claude Code has failed the current step {len(errors)} times; repeating the same approach will not work.

Step:
{describe_step(step)}

What went wrong, oldest first:
{listed or "(no details recorded)"}

Find the cause these failures share, then write a new message for Claude Code that takes a different \
approach: another design, library or order of work, or a smaller sub-step that unblocks progress. Say \
explicitly what not to repeat, and keep the step's acceptance check. Keep it under 300 words.

Reply with the message text only: no preamble, no quotes, no fences."""


def summarize_request(steps: Sequence[PlanStep], index: int) -> str:
    return f"""TASK: summarize

Claude Code's context was just compacted: it has lost the details of this session. Write the message that \
brings it back up to date so it can carry on with step {index + 1} of {len(steps)}.

The plan:
{plan_outline(steps, index)}

Step {index + 1}:
{describe_step(steps[index])}

Include: the project's goal in one sentence; which steps are done and what they produced, as far as you know; \
the current step's task and acceptance check; and any decisions or constraints from this session it must keep. \
Under 300 words.

Reply with the message text only: no preamble, no quotes, no fences."""


def json_correction(problem: str, shape: str) -> str:
    return f"""TASK: correction

Your last reply could not be used: {problem}.

Reply again with exactly one JSON object in this shape, and nothing else (no prose, no fences):
{shape}"""


def text_correction(problem: str) -> str:
    return f"""TASK: correction

Your last reply could not be used: {problem}. Reply again with the message text only."""
