"""A coding agent chooses Claude Code's model: agents.claude_model ("" is Claude Code's default)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(
            sa.Column("claude_model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("claude_model")
