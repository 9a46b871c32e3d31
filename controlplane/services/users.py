"""Account lifecycle: creating a user with their directory, changing roles and passwords, deleting."""

from __future__ import annotations

import asyncio
import shutil

from sqlalchemy import Connection, Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from controlplane.config import Settings
from controlplane.db import in_worker
from controlplane.errors import Conflict, NotFound, Unavailable
from controlplane.models import Agent, AgentChat, LearningCourse, Project, ResearchSession, SandboxRecord, User
from controlplane.models.base import DesiredState
from controlplane.rules import display_name_problem, password_problem, username_problem
from controlplane.sandbox.backend import EngineUnavailable, SandboxError
from controlplane.sandbox.homes import home_emptier
from controlplane.sandbox.manager import SandboxManager
from controlplane.security.passwords import hash_password
from controlplane.services import audit
from controlplane.services.auth import revoke_all_for_user
from controlplane.services.userdirs import UserHomeExists, create_user_home, remove_user_home


class UserConflict(Conflict):
    """The change would break an invariant (duplicate name, last admin, own account, a leftover directory)."""


def clean_display_name(display_name: str) -> str:
    cleaned = display_name.strip()
    problem = display_name_problem(cleaned)
    if problem:
        raise ValueError(problem)
    return cleaned


def admin_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User).where(User.role == "admin")).one()


def accounts(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())


def agent_counts(session: Session) -> dict[int, int]:
    rows = session.exec(select(Agent.user_id, func.count()).group_by(col(Agent.user_id))).all()
    return dict(rows)


def create_user(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    role: str = "user",
    actor: User | None = None,
    ip: str | None = None,
    display_name: str = "",
) -> User:
    """Insert the account and make DATA_DIR/users/<username>/; neither exists if either step fails."""
    for problem in (username_problem(username), password_problem(password)):
        if problem:
            raise ValueError(problem)
    display_name = clean_display_name(display_name)
    if session.exec(select(User).where(User.username == username)).first():
        raise UserConflict(f"A user named '{username}' already exists")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password, settings.bcrypt_rounds),
        role=role,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise UserConflict(f"A user named '{username}' already exists") from exc
    try:
        create_user_home(settings.users_dir, username)
    except UserHomeExists as exc:
        session.rollback()
        raise UserConflict(
            f"A directory for '{username}' already exists on the server ({exc}); "
            "move or remove it, or choose another username"
        ) from exc
    except Exception:
        session.rollback()
        raise
    details = {"role": role, **({"display_name": display_name} if display_name else {})}
    audit.on_user(session, "user_created", user, actor=actor, ip=ip, **details)
    try:
        session.commit()
    except Exception:
        remove_user_home(settings.users_dir, username)
        raise
    session.refresh(user)
    return user


def update_user(
    session: Session,
    user: User,
    *,
    settings: Settings,
    actor: User,
    password: str | None = None,
    role: str | None = None,
    display_name: str | None = None,
    ip: str | None = None,
) -> User:
    if display_name is not None:
        display_name = clean_display_name(display_name)
    if role is not None and role != user.role:
        if user.role == "admin" and admin_count(session) <= 1:
            raise UserConflict("The last admin cannot be demoted; make another user admin first")
        audit.on_user(session, "user_role_changed", user, actor=actor, ip=ip, old=user.role, new=role)
        user.role = role
    if display_name is not None and display_name != user.display_name:
        audit.on_user(
            session, "user_display_name_changed", user, actor=actor, ip=ip, old=user.display_name, new=display_name
        )
        user.display_name = display_name
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise ValueError(problem)
        user.password_hash = hash_password(password, settings.bcrypt_rounds)
        if user.id is not None:
            revoke_all_for_user(session, user.id)
        audit.on_user(session, "user_password_reset", user, actor=actor, ip=ip)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def check_deletable(session: Session, user: User, actor: User | None) -> None:
    if actor is not None and actor.id == user.id:
        raise UserConflict("You cannot delete your own account")
    if user.role == "admin" and admin_count(session) <= 1:
        raise UserConflict("The last admin cannot be deleted")


def account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User")
    return user


async def remove_account(
    session: Session, settings: Settings, manager: SandboxManager | None, user_id: int, actor: User, ip: str | None
) -> None:
    """Delete the account: its sandbox container first (or nothing at all), then its rows and its directory."""
    user = account(session, user_id)
    check_deletable(session, user, actor)
    if manager is not None:
        await asyncio.to_thread(unwant_everything, session.get_bind(), user_id)
        try:
            await manager.remove(user.username)  # every process of theirs ends with the container
        except (EngineUnavailable, SandboxError) as exc:
            raise Unavailable(
                f"The user's sandbox could not be removed ({exc}); nothing was deleted, and their work was stopped"
            ) from exc
    await in_worker(session, lambda s: delete_user(s, settings, user, actor, ip))


WANTED_TO_RUN = (Project, ResearchSession, LearningCourse, AgentChat, SandboxRecord)


def unwant_everything(bind: Engine | Connection, user_id: int) -> None:
    """Nothing of the user's is to run any more: no reconciler pass or restart may bring their sandbox or any of
    their work (projects, chats, tutors) back while the account is being deleted. In its own session, so that
    the request's objects (the user, the admin) stay loaded."""
    with Session(bind) as session:
        for model in WANTED_TO_RUN:
            stopped = DesiredState.STOPPED.value
            session.execute(update(model).where(col(model.user_id) == user_id).values(desired_state=stopped))
        session.commit()


def delete_user(session: Session, settings: Settings, user: User, actor: User | None, ip: str | None = None) -> None:
    """Delete the rows (the database cascades) and then the user's directory, never following symlinks."""
    check_deletable(session, user, actor)
    username, user_id = user.username, user.id
    audit.on_user(session, "user_deleted", user, actor=actor, ip=ip)
    session.delete(user)
    session.commit()
    remove_user_home(settings.users_dir, username, home_emptier(settings))  # not root: through the engine
    shutil.rmtree(settings.social_media_dir / str(user_id), ignore_errors=True)  # their uploads for posts
