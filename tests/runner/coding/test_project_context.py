"""The project's context stays true while it runs: an edit of its description or architecture (the file the
control plane writes) and the agent's rules reach CLAUDE.md, the manager's identity and the next task before the
next step; the user's own text in CLAUDE.md is kept."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from pathlib import Path

from autocode_runner.coding.claude.screen import ClaudeState
from autocode_runner.coding.context import (
    BLOCK_END,
    CLAUDE_MD,
    CONTEXT_FILE,
    ProjectContext,
    project_block,
    users_part,
    with_block,
)
from autocode_runner.coding.loop import REREAD_NOTE, ProjectLoop
from autocode_runner.coding.plan import Decision
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.specs import AgentProfile, ClaudeOptions, CodingSpec, ModelAccess, Timing
from autocode_runner.contract.vocab import ProjectStatus
from autocode_runner.instance_io import EventSink

from tests.runner.coding.test_coding_loop import TASK, ScriptedClaude, ScriptedManager, logs, seen

EDITED = ProjectContext(goal="A greeting site", architecture="Plain HTML, no JavaScript", details="English only")


class EditingManager(ScriptedManager):
    """Records every identity it is given; while judging step 1 the user edits the project (the control plane
    writes the context file)."""

    def __init__(self, workspace: Path) -> None:
        super().__init__()
        self.workspace = workspace
        self.identities: list[str] = []

    def set_identity(self, identity: str) -> None:
        self.identities.append(identity)

    async def evaluate(self, step: PlanStep, screen: str, evidence: str) -> Decision:
        if step.title == "Step one":
            (self.workspace / CONTEXT_FILE).write_text(EDITED.to_json(), encoding="utf-8")
        return await super().evaluate(step, screen, evidence)

    async def compose_task(self, steps: Sequence[PlanStep], index: int) -> str:
        return f"{TASK} (step {index + 1}) identity: {self.identities[-1]}"


def test_an_edit_reaches_claude_md_the_identity_and_the_next_task(tmp_path: Path) -> None:
    workspace = tmp_path / "work"
    (workspace / ".claude").mkdir(parents=True)
    (workspace / CLAUDE_MD).write_text("# Mine\n\nUse tabs.\n", encoding="utf-8")  # the user's own file, kept
    rules = tmp_path / "RULES.md"
    rules.write_text("Never push to main.", encoding="utf-8")
    spec = CodingSpec(
        name="p",
        workspace=str(workspace),
        goal="A site",
        architecture="React",
        tmux_session="project-1",
        rules_file=str(rules),
        agent=AgentProfile(id=1, model="openai/gpt-4o"),
        manager=ModelAccess("manager-key"),
        claude=ClaudeOptions(ModelAccess("claude-key")),
        plan=[PlanStep("Step one", "d", "a"), PlanStep("Step two", "d", "a")],
        status=ProjectStatus.RUNNING,
        timing=Timing(poll_seconds=0.0),
    )
    claude = ScriptedClaude([seen(ClaudeState.BUSY), seen(ClaudeState.IDLE)])
    manager = EditingManager(workspace)
    out = io.StringIO()
    loop = ProjectLoop(spec, claude, manager, EventSink(out), workspace, rules)
    assert asyncio.run(asyncio.wait_for(loop.run(), 10)) is ProjectStatus.COMPLETED

    first, second = claude.submitted
    assert "React" in first and "Plain HTML" not in first and REREAD_NOTE not in first
    assert second.startswith(REREAD_NOTE)
    assert "## Requested architecture\nPlain HTML, no JavaScript" in second  # the identity the manager had
    assert "## Goal\nA greeting site" in second and "## Details\nEnglish only" in second
    assert "Never push to main." in second and "Use tabs." in second
    claude_md = (workspace / CLAUDE_MD).read_text(encoding="utf-8")
    assert project_block(EDITED, "Never push to main.") in claude_md
    assert "React" not in claude_md
    assert claude_md.rstrip().endswith("# Mine\n\nUse tabs.")
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (
        logs(events).count(
            "The project's description or architecture was edited: the manager and Claude Code follow it now"
        )
        == 1
    )


def test_the_block_is_replaced_in_place_and_the_users_part_kept() -> None:
    old = with_block("Intro.\n", project_block(ProjectContext("g1"), ""))
    assert old.startswith("<!-- autocode:project") and old.endswith("Intro.\n")
    edited = "Above.\n\n" + old + "\nBelow.\n"
    new = with_block(edited, project_block(ProjectContext("g2", "arch"), "rules"))
    assert new.startswith("Above.\n\n<!-- autocode:project") and new.endswith("Intro.\n\nBelow.\n")
    assert "g1" not in new and "## Goal\ng2" in new and "## Global rules (apply to every project)\nrules" in new
    assert users_part(new) == "Above.\n\nIntro.\n\nBelow."
    assert new.count(BLOCK_END) == 1


def test_an_unreadable_context_file_is_ignored() -> None:
    for text in ("", "[]", '{"goal": 3}', "{not json"):
        assert ProjectContext.from_json(text) is None
    assert ProjectContext.from_json('{"goal": "g", "architecture": null}') == ProjectContext("g")
