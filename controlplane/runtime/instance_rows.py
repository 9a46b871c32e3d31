"""The `agent_instances` rows of every kind (blocking; the supervisor calls these in worker threads).

Every query is the given user's: ids name rows in each kind's own table, so only the owner makes them unique.
"""

from __future__ import annotations

from autocode_runner.contract.wire import InstanceKey, InstanceKind
from sqlmodel import Session, col, select

from controlplane.models import AgentInstance, utcnow
from controlplane.models.agents import InstanceStatus
from controlplane.runtime.kinds import OwnerColumns

_KINDS = {kind.value for kind in InstanceKind}


def _running(session: Session, user_id: int, key: InstanceKey) -> list[AgentInstance]:
    kind, target_id = key
    query = select(AgentInstance).where(
        AgentInstance.user_id == user_id,
        AgentInstance.kind == kind.value,
        AgentInstance.target_id == target_id,
        AgentInstance.status == InstanceStatus.RUNNING,
    )
    return list(session.exec(query).all())


def close(session: Session, user_id: int, key: InstanceKey, status: InstanceStatus, *, pid: int | None = None) -> None:
    """End the running rows of the key with this status (added to the session, not committed); with `pid`, only
    that process's row, so an old process's late exit cannot close its successor's."""
    for row in _running(session, user_id, key):
        if pid is None or row.pid == pid:
            row.status = status.value
            row.stopped_at = utcnow()
            session.add(row)


def open_row(
    session: Session, user_id: int, agent_id: int, key: InstanceKey, pid: int | None, owner_columns: OwnerColumns
) -> AgentInstance:
    """A new running row for a started instance; any older running row of the key is closed first."""
    close(session, user_id, key, InstanceStatus.STOPPED)
    row = AgentInstance(
        user_id=user_id, agent_id=agent_id, kind=key[0].value, target_id=key[1], pid=pid, **owner_columns
    )
    session.add(row)
    return row


def running_id(session: Session, user_id: int, key: InstanceKey) -> int | None:
    rows = _running(session, user_id, key)
    return rows[0].id if rows else None


def running_keys(session: Session, user_id: int) -> set[InstanceKey]:
    """What the rows say runs for this user (the runner must confirm it after a channel opens)."""
    rows = session.exec(
        select(AgentInstance.kind, AgentInstance.target_id).where(
            AgentInstance.user_id == user_id, AgentInstance.status == InstanceStatus.RUNNING
        )
    ).all()
    return {(InstanceKind(kind), target_id) for kind, target_id in rows if kind in _KINDS}


def latest(session: Session, user_id: int, key: InstanceKey) -> AgentInstance | None:
    kind, target_id = key
    return session.exec(
        select(AgentInstance)
        .where(AgentInstance.user_id == user_id, AgentInstance.kind == kind.value, AgentInstance.target_id == target_id)
        .order_by(col(AgentInstance.started_at).desc(), col(AgentInstance.id).desc())
    ).first()
