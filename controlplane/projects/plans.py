"""A project's stored plan as typed steps."""

from __future__ import annotations

from autocode_runner.contract.plan import PlanStep

from controlplane.models import Project


def read_plan(project: Project) -> list[PlanStep]:
    """The stored plan as steps, each read forgivingly (see PlanStep.from_stored)."""
    return [PlanStep.from_stored(raw) for raw in project.implementation_plan if isinstance(raw, dict)]
