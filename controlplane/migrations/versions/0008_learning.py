"""Learning: the learning instance kind; courses' level (and its scale), desired state and last activity;
review cards scheduled by FSRS; chat messages' context (what a kind added to a message for the model)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import controlplane.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
KINDS = "kind IN ('coding', 'echo', 'research', 'learning')"
OLD_KINDS = "kind IN ('coding', 'echo', 'research')"
DESIRED_STATES = "desired_state IN ('running', 'stopped')"
LEVEL_SCALES = "level_scale IN ('cefr', 'free')"
CARD_KINDS = "kind IN ('word', 'mistake', 'concept')"
# 0001's triggers that delete a session's messages with it. A batch rebuild of chat_messages or of
# learning_courses drops them (SQLite drops a table's triggers with it, and refuses to rename a table that a
# trigger names): dropped before the rebuilds and created again after them, as 0007 does.
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
    _drop_chat_triggers()
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", KINDS)
    with op.batch_alter_table("learning_courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("level_scale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="free")
        )
        batch_op.add_column(
            sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "desired_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="stopped"
            )
        )
        batch_op.add_column(sa.Column("last_activity_at", controlplane.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("learning_courses", schema=None) as batch_op:
        for column in ("level_scale", "level", "desired_state"):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_check_constraint("ck_learning_courses_level_scale", LEVEL_SCALES)
        batch_op.create_check_constraint("ck_learning_courses_desired_state", DESIRED_STATES)
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.alter_column("context", server_default=None)
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("front", sa.Text(), nullable=False),
        sa.Column("back", sa.Text(), nullable=False),
        sa.Column("fsrs", sa.JSON(), nullable=False),
        sa.Column("due", controlplane.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_rating", sa.Integer(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("created_at", controlplane.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(CARD_KINDS, name="ck_review_cards_kind"),
        sa.ForeignKeyConstraint(["course_id"], ["learning_courses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "uid", name="uq_review_cards_course_uid"),
    )
    with op.batch_alter_table("review_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_cards_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_cards_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_cards_user_id"), ["user_id"], unique=False)
    _create_chat_triggers()


def downgrade() -> None:
    op.drop_table("review_cards")
    _drop_chat_triggers()
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_column("context")
    with op.batch_alter_table("learning_courses", schema=None) as batch_op:
        batch_op.drop_constraint("ck_learning_courses_desired_state", type_="check")
        batch_op.drop_constraint("ck_learning_courses_level_scale", type_="check")
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("desired_state")
        batch_op.drop_column("level")
        batch_op.drop_column("level_scale")
    op.execute("DELETE FROM agent_instances WHERE kind = 'learning'")
    with op.batch_alter_table("agent_instances", schema=None) as batch_op:
        batch_op.drop_constraint("ck_agent_instances_kind", type_="check")
        batch_op.create_check_constraint("ck_agent_instances_kind", OLD_KINDS)
    _create_chat_triggers()
