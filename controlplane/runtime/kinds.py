"""What an agent kind tells the runtime: the one interface between the supervisor and a kind's own tables.

Every method takes an open database session and the sandbox's user id, and touches only that user's rows:
a runner can speak only for its own user, whatever ids it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, runtime_checkable

from autocode_runner.contract.specs import AnySpec
from autocode_runner.contract.wire import InstanceKind
from sqlmodel import Session

LiveEvent = dict[str, Any]


class OwnerColumns(TypedDict, total=False):
    """The agent_instances and logs columns that tie an instance's rows to its owner; a kind fills the
    ones it has (coding: project_id) and none when its rows hang on nothing but the user."""

    project_id: int


@dataclass(frozen=True)
class Launch:
    """What starting one instance takes: its agent, its spec, and files to write in the sandbox first."""

    agent_id: int
    spec: AnySpec
    files: dict[str, str] = field(default_factory=dict)  # path under the sandbox's home -> content


class KindHandler(Protocol):
    kind: InstanceKind
    noun: str  # what the user calls one ("project"), for messages

    def wanted(self, session: Session, user_id: int) -> set[int]:
        """The ids the user wants running (they are started again after any restart)."""
        ...

    def exists(self, session: Session, user_id: int, target_id: int) -> bool: ...

    def owner_columns(self, target_id: int) -> OwnerColumns:
        """Columns that tie this kind's instance and log rows to their owner (e.g. project_id)."""
        ...

    def launch(self, session: Session, user_id: int, target_id: int) -> Launch:
        """Everything a start needs; raises NotFound, or MissingKey when a provider key is absent."""
        ...

    def started(self, session: Session, user_id: int, target_id: int, *, resumed: bool, pid: int | None) -> str:
        """Mark it wanted and running in the kind's own rows; returns the log line that says so."""
        ...

    def ended(self, session: Session, user_id: int, target_id: int, *, wanted: bool) -> None:
        """Its process ended: wanted=True when somebody wanted that (a stop, a finished job)."""
        ...

    def finished(self, session: Session, user_id: int, target_id: int) -> bool:
        """Whether its work is done, so that its process ending is expected."""
        ...

    def apply_state(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> list[LiveEvent]:
        """Store a state report; returns the live events it causes."""
        ...


@runtime_checkable
class ChatKindHandler(KindHandler, Protocol):
    """A chat kind's handler (research, learning, custom agents; controlplane.chat.kind.ChatKind): also told of
    its `instance.chat` events, and asked after every start for the commands its new process must get first."""

    def chat(self, session: Session, user_id: int, target_id: int, data: dict[str, Any]) -> None:
        """One `instance.chat` event (contract.chat.ChatEvent's fields, plus the event's kind and id)."""
        ...

    def after_start(self, session: Session, user_id: int, target_id: int, *, resumed: bool) -> list[dict[str, Any]]:
        """Commands for a process that was just started again (resumed: after a crash, a sandbox or a control
        plane restart), or found running when a channel opens (adopted after a control-plane restart): the
        message whose reply was in flight, so a message is never lost. A fresh start is given its message by
        whoever started it."""
        ...
