"""Upgrading never loses a family's data: every row made under an older schema is still there at head.

A batch migration on SQLite recreates its table (copy, drop, rename); with foreign keys enforced, dropping
`users` cascaded and deleted every agent and project (0005 did, until migrations ran with the references
checked after instead of enforced during).
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select, table, text

from controlplane import migrate
from controlplane.config import Settings
from controlplane.db import make_engine

ROWS_AT_0003 = (
    "INSERT INTO users (username, password_hash, role, created_at) VALUES ('u', 'x', 'user', '2026-01-01')",
    "INSERT INTO user_preferences (user_id, data, updated_at) VALUES (1, '{\"language\": \"cs\"}', '2026-01-01')",
    "INSERT INTO api_keys (user_id, provider, encrypted_key, created_at) VALUES (1, 'openai', 'x', '2026-01-01')",
    "INSERT INTO agents (user_id, name, type, model, identity, tools, mcp_servers, global_rules, created_at,"
    " updated_at) VALUES (1, 'a', 'coding', 'o/m', '', '[]', '{}', '', '2026-01-01', '2026-01-01')",
    "INSERT INTO projects (user_id, agent_id, name, slug, description, architecture, details, implementation_plan,"
    " status, desired_state, current_step, claude_session_id, loop_state, escalation, tmux_session, workspace_path,"
    " created_at, updated_at) VALUES (1, 1, 'p', 'p', 'goal', '', '', '[]', 'paused', 'stopped', 2, '', '{}', '',"
    " '', '', '2026-01-01', '2026-01-01')",
)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return make_engine(settings)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def test_every_row_survives_the_upgrade_to_head(settings: Settings, engine: Engine) -> None:
    config = migrate.alembic_config(settings, engine)
    command.upgrade(config, "0003")
    with engine.begin() as connection:
        for statement in ROWS_AT_0003:
            connection.execute(text(statement))
    before = {name: count for name, count in counts(engine).items() if count}
    assert set(before) == {"users", "user_preferences", "api_keys", "agents", "projects"}

    command.upgrade(config, "head")

    after = counts(engine)
    assert {name: after[name] for name in before} == before
    with engine.connect() as connection:  # the pooled connection enforces references again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
