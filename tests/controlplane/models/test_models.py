"""The data model: migrations match the models, foreign keys cascade, triggers clean up chat messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import Engine, func, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from controlplane import migrate
from controlplane.config import Settings
from controlplane.models import (
    Agent,
    AgentInstance,
    ApiKey,
    AuditEvent,
    ChatMessage,
    LearningCourse,
    LearningSubject,
    Log,
    Project,
    RefreshToken,
    ResearchSession,
    SocialAccount,
    User,
    UserPreferences,
    utcnow,
)

SPEC_COLUMNS = {
    "users": {"id", "username", "display_name", "password_hash", "role", "created_at"},
    "agents": {
        "id",
        "user_id",
        "name",
        "type",
        "model",
        "identity",
        "tools",
        "mcp_servers",
        "global_rules",
        "created_at",
    },
    "projects": {
        "id",
        "user_id",
        "agent_id",
        "name",
        "slug",
        "description",
        "architecture",
        "implementation_plan",
        "status",
        "current_step",
        "tmux_session",
        "workspace_path",
        "created_at",
        "updated_at",
    },
    "research_sessions": {
        "id",
        "user_id",
        "agent_id",
        "name",
        "slug",
        "status",
        "tmux_session",
        "workspace_path",
        "created_at",
        "updated_at",
    },
    "learning_subjects": {"id", "user_id", "agent_id", "name", "created_at"},
    "learning_courses": {
        "id",
        "user_id",
        "subject_id",
        "name",
        "instructions",
        "chat_history_path",
        "student_notes_path",
        "created_at",
        "updated_at",
    },
    "social_accounts": {
        "id",
        "user_id",
        "agent_id",
        "platform",
        "access_token",
        "account_name",
        "created_at",
    },
    "chat_messages": {"id", "user_id", "session_type", "session_id", "role", "content", "created_at"},
    "agent_instances": {
        "id",
        "user_id",
        "agent_id",
        "project_id",
        "pid",
        "status",
        "started_at",
        "stopped_at",
    },
    "logs": {"id", "project_id", "agent_instance_id", "level", "message", "timestamp"},
    "api_keys": {"id", "user_id", "provider", "encrypted_key", "created_at"},
}
USER_OWNED = [
    Agent,
    AgentInstance,
    ApiKey,
    ChatMessage,
    LearningCourse,
    LearningSubject,
    Log,
    Project,
    RefreshToken,
    ResearchSession,
    SocialAccount,
    UserPreferences,
]


@pytest.fixture
def engine(app: FastAPI, client: object) -> Engine:
    return app.state.engine


def _count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _populate(session: Session, username: str) -> dict[str, int]:
    """One row in every table, all hanging off a new user and one agent; returns the ids."""
    user = User(username=username, password_hash="x", role="user")
    session.add(user)
    session.flush()
    agent = Agent(user_id=user.id, name="Agent", type="coding", model="openai/gpt-5.3-codex")
    session.add(agent)
    session.flush()
    project = Project(user_id=user.id, agent_id=agent.id, name="Eshop", slug="eshop")
    research = ResearchSession(user_id=user.id, agent_id=agent.id, name="Hosting", slug="hosting")
    subject = LearningSubject(user_id=user.id, agent_id=agent.id, name="Angličtina", slug="anglictina")
    session.add_all([project, research, subject])
    session.flush()
    course = LearningCourse(user_id=user.id, subject_id=subject.id, name="Konverzace", slug="konverzace")
    instance = AgentInstance(
        user_id=user.id, agent_id=agent.id, kind="coding", target_id=project.id, project_id=project.id, pid=42
    )
    session.add_all([course, instance])
    session.flush()
    session.add_all(
        [
            Log(
                user_id=user.id,
                project_id=project.id,
                agent_instance_id=instance.id,
                level="info",
                message="hi",
            ),
            SocialAccount(
                user_id=user.id,
                agent_id=agent.id,
                platform="instagram",
                access_token="enc",
                account_name="acct",
            ),
            ChatMessage(user_id=user.id, session_type="research", session_id=research.id, role="user", content="q"),
            ChatMessage(user_id=user.id, session_type="learning", session_id=course.id, role="user", content="q"),
            ChatMessage(user_id=user.id, session_type="social_ai", session_id=agent.id, role="user", content="q"),
            ApiKey(user_id=user.id, provider="openai", encrypted_key="enc"),
            RefreshToken(user_id=user.id, family_id="f", token_hash=f"h-{username}", expires_at=utcnow()),
            UserPreferences(user_id=user.id, data={"theme": "dark"}),
            AuditEvent(actor_id=user.id, actor_name=username, action="login"),
        ]
    )
    session.commit()
    return {
        "user": user.id or 0,
        "agent": agent.id or 0,
        "research": research.id or 0,
        "course": course.id or 0,
    }


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_every_specified_column_exists(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, columns in SPEC_COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        assert columns <= present, f"{table} lacks {columns - present}"
    assert {"refresh_tokens", "audit_events"} <= set(inspector.get_table_names())


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
        session.add(Agent(user_id=999, name="orphan", type="custom", model="a/b"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_check_constraints_refuse_unknown_values(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _populate(session, "carol")
        session.add(Project(user_id=ids["user"], agent_id=ids["agent"], name="p", slug="p", status="exploded"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_deleting_a_user_leaves_no_orphans_but_keeps_the_audit_trail(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _populate(session, "carol")
        _populate(session, "dave")
        session.delete(session.get(User, ids["user"]))
        session.commit()
        for model in USER_OWNED:
            remaining = session.exec(select(model).where(model.user_id == ids["user"])).all()  # type: ignore[attr-defined]
            assert remaining == [], model.__name__
            assert _count(session, model) > 0, f"dave's {model.__name__} rows were deleted too"
        events = session.exec(select(AuditEvent).where(AuditEvent.actor_name == "carol")).all()
        assert len(events) == 1 and events[0].actor_id is None


def test_deleting_an_agent_removes_everything_made_from_it_including_chats(engine: Engine) -> None:
    with Session(engine) as session:
        ids = _populate(session, "carol")
        other = _populate(session, "dave")
        session.delete(session.get(Agent, ids["agent"]))
        session.commit()
        for model in (
            Project,
            ResearchSession,
            LearningSubject,
            LearningCourse,
            SocialAccount,
            AgentInstance,
            Log,
        ):
            assert session.exec(select(model).where(model.user_id == ids["user"])).all() == [], model.__name__  # type: ignore[attr-defined]
        assert session.exec(select(ChatMessage).where(ChatMessage.user_id == ids["user"])).all() == []
        assert session.get(User, ids["user"]) is not None
        assert len(session.exec(select(ChatMessage).where(ChatMessage.user_id == other["user"])).all()) == 3


@pytest.mark.parametrize(
    ("model", "key", "session_type"),
    [
        (ResearchSession, "research", "research"),
        (LearningCourse, "course", "learning"),
    ],
)
def test_deleting_a_session_deletes_only_its_messages(
    engine: Engine, model: type[SQLModel], key: str, session_type: str
) -> None:
    with Session(engine) as session:
        ids = _populate(session, "carol")
        session.delete(session.get(model, ids[key]))
        session.commit()
        types = set(session.exec(select(ChatMessage.session_type)).all())
        assert session_type not in types
        assert len(types) == 2


def test_datetimes_come_back_timezone_aware_utc(engine: Engine) -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with Session(engine) as session:
        session.add(User(username="tz", password_hash="x", created_at=moment))
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(User).where(User.username == "tz")).one()
        assert stored.created_at == moment
        assert stored.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(User(username="naive", password_hash="x", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive"):
            session.commit()


def test_migrations_downgrade_and_upgrade_again(settings: Settings, engine: Engine) -> None:
    migrate.upgrade(settings, engine)
    from alembic import command

    command.downgrade(migrate.alembic_config(settings, engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(settings, engine)
    assert "chat_messages" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        triggers = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
    assert len(triggers) == 4


def test_projects_made_before_0003_keep_their_data_and_get_its_defaults(settings: Settings, engine: Engine) -> None:
    from alembic import command

    config = migrate.alembic_config(settings, engine)
    command.downgrade(config, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES ('u', 'x', 'user', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agents (user_id, name, type, model, identity, tools, mcp_servers, global_rules,"
                " created_at, updated_at)"
                " VALUES (1, 'a', 'coding', 'o/m', '', '[]', '{}', '', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO projects (user_id, agent_id, name, slug, description, architecture, implementation_plan,"
                " status, current_step, tmux_session, workspace_path, created_at, updated_at) VALUES (1, 1, 'p', 'p',"
                " 'goal', '', '[]', 'paused', 2, '', '', '2026-01-01', '2026-01-01')"
            )
        )
    command.upgrade(config, "head")  # through 0003, and the later columns the model reads
    with Session(engine) as session:
        project = session.exec(select(Project)).one()
        assert (project.description, project.current_step, project.status) == ("goal", 2, "paused")
        assert (project.details, project.desired_state, project.loop_state, project.escalation) == (
            "",
            "stopped",
            {},
            "",
        )
        project.status = "stopped"
        session.add(project)
        session.commit()
    command.downgrade(config, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM projects")).scalar_one() == "paused"
