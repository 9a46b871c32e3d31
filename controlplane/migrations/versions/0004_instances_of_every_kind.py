"""Agent instances of every kind: kind and target_id; projects' desired_state checked

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
KINDS = "kind IN ('coding', 'echo')"
DESIRED_STATES = "desired_state IN ('running', 'stopped')"


def upgrade() -> None:
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="coding")
        )
        batch_op.add_column(sa.Column("target_id", sa.Integer(), nullable=False, server_default="0"))
    # Every instance so far was a coding project's manager: its target is its project.
    op.execute("UPDATE agent_instances SET target_id = project_id WHERE project_id IS NOT NULL")
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("target_id", server_default=None)
        batch_op.create_check_constraint("ck_agent_instances_kind", KINDS)
        batch_op.create_index("ix_agent_instances_kind_target", ["kind", "target_id", "status"], unique=False)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_check_constraint("ck_projects_desired_state", DESIRED_STATES)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint("ck_projects_desired_state", type_="check")
    op.execute("DELETE FROM agent_instances WHERE kind != 'coding'")
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_instances_kind_target")
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.drop_column("target_id")
        batch_op.drop_column("kind")
