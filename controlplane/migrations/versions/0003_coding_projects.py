"""Coding projects: details, desired state, Claude session, loop state, escalation; the "stopped" status

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:42:15.243212
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('created', 'planning', 'running', 'paused', 'completed', 'failed')"
NEW_STATUSES = "status IN ('created', 'planning', 'running', 'paused', 'stopped', 'completed', 'failed')"


def upgrade() -> None:
    # Existing rows get the defaults the models give new ones (server defaults fill them during the copy).
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "desired_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="stopped"
            )
        )
        batch_op.add_column(
            sa.Column(
                "claude_session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("loop_state", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("escalation", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_constraint("ck_projects_status", type_="check")
        batch_op.create_check_constraint("ck_projects_status", NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE projects SET status = 'paused' WHERE status = 'stopped'")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint("ck_projects_status", type_="check")
        batch_op.create_check_constraint("ck_projects_status", OLD_STATUSES)
        batch_op.drop_column("escalation")
        batch_op.drop_column("loop_state")
        batch_op.drop_column("claude_session_id")
        batch_op.drop_column("desired_state")
        batch_op.drop_column("details")
