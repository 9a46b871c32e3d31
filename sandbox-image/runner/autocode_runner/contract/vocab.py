"""Vocabularies that both sides write: what an instance reports, and what a log line is."""

from __future__ import annotations

from enum import StrEnum


class LogLevel(StrEnum):
    INFO = "info"  # what happens
    ACTION = "action"  # what was sent to Claude Code
    ERROR = "error"
    AGENT_DECISION = "agent_decision"  # what the manager decided and why


class ProjectStatus(StrEnum):
    """A coding project's status. "stopped": its instance was stopped by the user (start resumes it);
    "paused": the instance waits at a safe point, by the user's wish or because it asked the user."""

    CREATED = "created"
    PLANNING = "planning"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"
    FAILED = "failed"


ACTIVE_PROJECT_STATUSES = frozenset({ProjectStatus.PLANNING, ProjectStatus.RUNNING, ProjectStatus.PAUSED})
FINAL_PROJECT_STATUSES = frozenset({ProjectStatus.COMPLETED, ProjectStatus.FAILED})
# What a coding instance may report; "created" and "stopped" are the control plane's to set.
REPORTED_PROJECT_STATUSES = ACTIVE_PROJECT_STATUSES | FINAL_PROJECT_STATUSES


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ProviderProblemState(StrEnum):
    """A model provider failing a coding project: "retrying" while the loop waits to try again by itself,
    "failed" once it stopped trying (retries exhausted, a bad key, quota) and waits for the user's Retry."""

    RETRYING = "retrying"
    FAILED = "failed"


def values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """The vocabulary's words in declaration order (for CHECK constraints and Literal types)."""
    return tuple(member.value for member in vocabulary)
