"""Research chats: the research instance kind; research sessions' Claude Code session, desired state and last
activity; chat messages' status, error, usage, cost, tool cards, attachments and stream numbers; notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import controlplane.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
KINDS = "kind IN ('coding', 'echo', 'research')"
OLD_KINDS = "kind IN ('coding', 'echo')"
DESIRED_STATES = "desired_state IN ('running', 'stopped')"
ROLES = "role IN ('user', 'assistant', 'notice')"
OLD_ROLES = "role IN ('user', 'assistant')"
STATUSES = "status IN ('pending', 'done', 'failed', 'interrupted')"
# 0001's triggers that delete a session's messages with it. They name chat_messages, so SQLite refuses to
# rename the rebuilt table while they exist: dropped before the rebuild and created again after it.
CHAT_CASCADE_TRIGGERS = {
    "trg_research_sessions_delete_chat": ("research_sessions", "research"),
    "trg_learning_courses_delete_chat": ("learning_courses", "learning"),
    "trg_agents_delete_social_ai_chat": ("agents", "social_ai"),
}


def _drop_chat_triggers() -> None:
    for name in CHAT_CASCADE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_chat_triggers() -> None:
    for name, (table, session_type) in CHAT_CASCADE_TRIGGERS.items():
        op.execute(  # the names are the constants above, not input
            f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW BEGIN "
            f"DELETE FROM chat_messages WHERE session_type = '{session_type}' AND session_id = OLD.id; END"
        )


def upgrade() -> None:
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", KINDS)
    with op.batch_alter_table("research_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "claude_session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "desired_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="stopped"
            )
        )
        batch_op.add_column(sa.Column("last_activity_at", controlplane.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("research_sessions", schema=None) as batch_op:
        batch_op.alter_column("claude_session_id", server_default=None)
        batch_op.alter_column("desired_state", server_default=None)
        batch_op.create_check_constraint("ck_research_sessions_desired_state", DESIRED_STATES)
    _drop_chat_triggers()
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("reply_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("retryable", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("usage", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("cost_usd", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("tools", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("seq_reserved", sa.Integer(), nullable=False, server_default="0"))
    # Stored messages so far get stream numbers in their order, so a reconnecting client can resume after them.
    op.execute("UPDATE chat_messages SET seq = id")
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        for column in ("status", "error", "retryable", "tools", "attachments", "seq", "seq_reserved"):
            batch_op.alter_column(column, server_default=None)
        batch_op.drop_constraint("ck_chat_messages_role", type_="check")
        batch_op.create_check_constraint("ck_chat_messages_role", ROLES)
        batch_op.create_check_constraint("ck_chat_messages_status", STATUSES)
    _create_chat_triggers()


def downgrade() -> None:
    op.execute("DELETE FROM chat_messages WHERE role = 'notice'")
    _drop_chat_triggers()
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_constraint("ck_chat_messages_status", type_="check")
        batch_op.drop_constraint("ck_chat_messages_role", type_="check")
        batch_op.create_check_constraint("ck_chat_messages_role", OLD_ROLES)
        for column in (
            "seq_reserved",
            "seq",
            "attachments",
            "tools",
            "cost_usd",
            "usage",
            "retryable",
            "error",
            "reply_to",
            "status",
        ):
            batch_op.drop_column(column)
    _create_chat_triggers()
    with op.batch_alter_table("research_sessions", schema=None) as batch_op:
        batch_op.drop_constraint("ck_research_sessions_desired_state", type_="check")
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("desired_state")
        batch_op.drop_column("claude_session_id")
    op.execute("DELETE FROM agent_instances WHERE kind = 'research'")
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", OLD_KINDS)
