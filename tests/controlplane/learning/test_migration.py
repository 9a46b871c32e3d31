"""Migration 0008 keeps a family's data: a database at 0007 with a subject, a course, its chat and a research
upgrades to head with every row, the course gets its defaults (free scale, no level, stopped), messages an empty
context, and the triggers that delete a course's chat with it still work."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from controlplane import migrate
from controlplane.config import Settings
from controlplane.db import make_engine
from tests.controlplane.models.test_migrations_keep_data import counts

ROWS_AT_0007 = (
    "INSERT INTO users (username, password_hash, role, display_name, created_at) VALUES ('u', 'x', 'user', 'U',"
    " '2026-01-01')",
    "INSERT INTO agents (user_id, name, type, model, identity, tools, mcp_servers, global_rules, created_at,"
    " updated_at) VALUES (1, 'Tutor', 'learning', 'openai/gpt-5', '', '[]', '{}', '', '2026-01-01', '2026-01-01')",
    "INSERT INTO learning_subjects (user_id, agent_id, name, slug, created_at) VALUES (1, 1, 'Angličtina',"
    " 'anglictina', '2026-01-01')",
    "INSERT INTO learning_courses (user_id, subject_id, name, slug, instructions, chat_history_path,"
    " student_notes_path, created_at, updated_at) VALUES (1, 1, 'Konverzace', 'konverzace', 'B1 talk', '', '',"
    " '2026-01-01', '2026-01-01')",
    "INSERT INTO research_sessions (user_id, agent_id, name, slug, status, tmux_session, workspace_path, created_at,"
    " updated_at, claude_session_id, desired_state) VALUES (1, 1, 'r', 'r', 'active', '', '', '2026-01-01',"
    " '2026-01-01', '', 'stopped')",
    "INSERT INTO chat_messages (user_id, session_type, session_id, role, content, created_at, status, error,"
    " retryable, tools, attachments, seq, seq_reserved) VALUES (1, 'learning', 1, 'user', 'Hello', '2026-01-01',"
    " 'done', '', 0, '[]', '[]', 1, 0)",
    "INSERT INTO chat_messages (user_id, session_type, session_id, role, content, created_at, status, error,"
    " retryable, tools, attachments, seq, seq_reserved) VALUES (1, 'research', 1, 'user', 'Hi', '2026-01-01',"
    " 'done', '', 0, '[]', '[]', 1, 0)",
    "INSERT INTO agent_instances (user_id, agent_id, status, started_at, kind, target_id) VALUES (1, 1, 'stopped',"
    " '2026-01-01', 'research', 1)",
)


def test_a_database_at_0007_keeps_its_rows_and_gets_the_courses_defaults(settings: Settings) -> None:
    engine = make_engine(settings)
    config = migrate.alembic_config(settings, engine)
    command.upgrade(config, "0007")
    with engine.begin() as connection:
        for statement in ROWS_AT_0007:
            connection.execute(text(statement))
    before = {name: count for name, count in counts(engine).items() if count}

    command.upgrade(config, "head")

    after = counts(engine)
    assert {name: after[name] for name in before} == before
    assert after["review_cards"] == 0
    with engine.begin() as connection:
        course = connection.execute(
            text("SELECT name, instructions, level_scale, level, desired_state, last_activity_at FROM learning_courses")
        ).one()
        assert tuple(course) == ("Konverzace", "B1 talk", "free", "", "stopped", None)
        contexts = connection.execute(text("SELECT context FROM chat_messages")).scalars().all()
        assert contexts == ["{}", "{}"]
        connection.execute(
            text(
                "INSERT INTO agent_instances (user_id, agent_id, status, started_at, kind, target_id)"
                " VALUES (1, 1, 'running', '2026-01-02', 'learning', 1)"
            )
        )
        connection.execute(text("DELETE FROM learning_courses"))
        left = connection.execute(text("SELECT session_type FROM chat_messages")).scalars().all()
    assert left == ["research"], "the course's chat went with it, by the trigger 0008 re-created"
