"""Projects' provider problem: a model provider failing (retrying, or waiting for the user's Retry)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
PROBLEM_STATES = "provider_problem IS NULL OR json_extract(provider_problem, '$.state') IN ('retrying', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_problem", sa.JSON(none_as_null=True), nullable=True))
        batch_op.create_check_constraint("ck_projects_provider_problem_state", PROBLEM_STATES)


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint("ck_projects_provider_problem_state", type_="check")
        batch_op.drop_column("provider_problem")
