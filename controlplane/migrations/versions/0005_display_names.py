"""Users' display names

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A batch on users recreates the table: keep AUTOINCREMENT so a deleted user's id is never reused.
USERS_TABLE_KWARGS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None, table_kwargs=USERS_TABLE_KWARGS) as batch_op:
        batch_op.add_column(
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default="")
        )
    with op.batch_alter_table("users", schema=None, table_kwargs=USERS_TABLE_KWARGS) as batch_op:
        batch_op.alter_column("display_name", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None, table_kwargs=USERS_TABLE_KWARGS) as batch_op:
        batch_op.drop_column("display_name")
