"""Custom agents run: the custom instance kind; agent_chats (a custom agent's conversations); chat messages of
session type "custom", deleted with their chat by a trigger

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import controlplane.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
KINDS = "kind IN ('coding', 'echo', 'research', 'learning', 'custom')"
OLD_KINDS = "kind IN ('coding', 'echo', 'research', 'learning')"
SESSION_TYPES = "session_type IN ('research', 'learning', 'social_ai', 'custom')"
OLD_SESSION_TYPES = "session_type IN ('research', 'learning', 'social_ai')"
DESIRED_STATES = "desired_state IN ('running', 'stopped')"
# The triggers that delete a session's messages with it. A batch rebuild of chat_messages drops them (SQLite drops
# a table's triggers with it): dropped before the rebuild and created again after it, as 0007 and 0008 do.
CHAT_CASCADE_TRIGGERS = {
    "trg_research_sessions_delete_chat": ("research_sessions", "research"),
    "trg_learning_courses_delete_chat": ("learning_courses", "learning"),
    "trg_agents_delete_social_ai_chat": ("agents", "social_ai"),
}
CUSTOM_TRIGGER = {"trg_agent_chats_delete_chat": ("agent_chats", "custom")}


def _drop_triggers(triggers: dict[str, tuple[str, str]]) -> None:
    for name in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_triggers(triggers: dict[str, tuple[str, str]]) -> None:
    for name, (table, session_type) in triggers.items():
        op.execute(  # the names are the constants above, not input
            f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW BEGIN "
            f"DELETE FROM chat_messages WHERE session_type = '{session_type}' AND session_id = OLD.id; END"
        )


def upgrade() -> None:
    _drop_triggers(CHAT_CASCADE_TRIGGERS)
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", KINDS)
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_constraint("ck_chat_messages_session_type", type_="check")
        batch_op.create_check_constraint("ck_chat_messages_session_type", SESSION_TYPES)
    op.create_table(
        "agent_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("agent_folder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("desired_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("last_activity_at", controlplane.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", controlplane.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", controlplane.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(DESIRED_STATES, name="ck_agent_chats_desired_state"),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agent_chats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_chats_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_chats_user_id"), ["user_id"], unique=False)
    _create_triggers({**CHAT_CASCADE_TRIGGERS, **CUSTOM_TRIGGER})


def downgrade() -> None:
    _drop_triggers({**CHAT_CASCADE_TRIGGERS, **CUSTOM_TRIGGER})
    op.drop_table("agent_chats")
    op.execute("DELETE FROM chat_messages WHERE session_type = 'custom'")
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_constraint("ck_chat_messages_session_type", type_="check")
        batch_op.create_check_constraint("ck_chat_messages_session_type", OLD_SESSION_TYPES)
    op.execute("DELETE FROM agent_instances WHERE kind = 'custom'")
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", OLD_KINDS)
    _create_triggers(CHAT_CASCADE_TRIGGERS)
