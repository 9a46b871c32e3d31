"""Research sessions for the routes: CRUD, views, messages (with attachments), interruption, files and export.

Blocking functions take the request's database session; the async ones run their database work in worker
threads with it, and reach the sandbox through the supervisor (the instance) and its manager (files).
"""

from __future__ import annotations

import base64
import binascii
import re

from autocode_runner.contract.chat import ChatAttachment
from autocode_runner.contract.wire import InstanceKey, InstanceKind, Method
from sqlmodel import Session, col, or_, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.hub import ChatHub
from controlplane.chat.service import ChatTarget
from controlplane.db import in_worker
from controlplane.errors import Conflict, InvalidField, Unavailable
from controlplane.models import Agent, ResearchSession
from controlplane.models.base import DesiredState, utcnow
from controlplane.models.chat import ChatMessage, ChatStatus
from controlplane.research import files
from controlplane.research.export import research_markdown
from controlplane.research.kind import SESSION_TYPE, conversation, research_key
from controlplane.research.layout import ATTACHMENTS_DIR, transcripts_dir, workspace_dir, workspace_path
from controlplane.runtime import instance_rows
from controlplane.runtime.supervisor import InstanceSupervisor, require_supervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.sandbox.channel import RunnerError
from controlplane.sandbox.safe_files import remove_folder
from controlplane.schemas.research import (
    AttachmentUpload,
    MessageBody,
    ResearchCreate,
    ResearchDetail,
    ResearchFile,
    ResearchPublic,
    ResearchUpdate,
)
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned
from controlplane.services.slugs import unique_slug

ARCHIVED = "This research is archived: unarchive it to continue the conversation."
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _key(research_id: int) -> InstanceKey:
    return (InstanceKind.RESEARCH, research_id)


# -- views --------------------------------------------------------------------------------------------
def view(session: Session, research: ResearchSession) -> ResearchPublic:
    research_id = research.id or 0
    pending = store.pending_turn(session, conversation(research.user_id, research_id))
    running = instance_rows.running_id(session, research.user_id, _key(research_id)) is not None
    return ResearchPublic(
        **research.model_dump(include=set(ResearchPublic.model_fields) - {"answering", "running", "workspace_path"}),
        answering=pending is not None,
        running=running,
        workspace_path=workspace_path(research.slug),
    )


def detail(session: Session, user_id: int, research_id: int) -> ResearchDetail:
    session.expire_all()  # the supervisor and the hub write through their own sessions
    research = owned(session, ResearchSession, research_id, user_id, "Research")
    rows = store.messages(session, conversation(user_id, research_id))
    return ResearchDetail(**view(session, research).model_dump(), messages=[store.public(row) for row in rows])


def research_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != "research":
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only research agents have researches")
    return agent


def list_of_agent(
    session: Session, user_id: int, agent_id: int, *, archived: bool, search: str = ""
) -> list[ResearchPublic]:
    """The agent's researches, most recently active first; `search` matches names and what was said."""
    research_agent(session, user_id, agent_id)
    status = "archived" if archived else "active"
    query = select(ResearchSession).where(
        ResearchSession.user_id == user_id, ResearchSession.agent_id == agent_id, ResearchSession.status == status
    )
    words = search.strip()
    if words:
        said = select(ChatMessage.session_id).where(
            ChatMessage.user_id == user_id,
            ChatMessage.session_type == SESSION_TYPE,
            col(ChatMessage.content).icontains(words, autoescape=True),
        )
        query = query.where(
            or_(col(ResearchSession.name).icontains(words, autoescape=True), col(ResearchSession.id).in_(said))
        )
    rows = session.exec(query).all()
    latest = sorted(rows, key=lambda row: row.last_activity_at or row.created_at, reverse=True)
    return [view(session, row) for row in latest]


# -- CRUD ---------------------------------------------------------------------------------------------
def create(session: Session, user_id: int, agent_id: int, body: ResearchCreate) -> ResearchPublic:
    research_agent(session, user_id, agent_id)
    slug = unique_slug(session, ResearchSession, body.name, user_id=user_id)
    research = ResearchSession(
        user_id=user_id, agent_id=agent_id, name=body.name, slug=slug, workspace_path=workspace_path(slug)
    )
    session.add(research)
    session.commit()
    session.refresh(research)
    return view(session, research)


def update(session: Session, user_id: int, research_id: int, body: ResearchUpdate) -> ResearchPublic:
    research = owned(session, ResearchSession, research_id, user_id, "Research")
    if body.status == "archived" and store.pending_turn(session, conversation(user_id, research_id)) is not None:
        raise Conflict(chat_service.ANSWERING)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(research, field, value)
    research.updated_at = utcnow()
    session.add(research)
    session.commit()
    session.refresh(research)
    return view(session, research)


def _delete_row(session: Session, user_id: int, research_id: int) -> None:
    session.delete(owned(session, ResearchSession, research_id, user_id, "Research"))  # its messages by trigger
    session.commit()


async def delete(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, research_id: int
) -> None:
    """Stop its process, remove its workspace and its Claude Code transcripts inside the sandbox, then its rows."""
    research = await in_worker(session, lambda s: owned(s, ResearchSession, research_id, user.id, "Research"))
    if supervisor is not None:
        await supervisor.discard(user, _key(research_id))
        for path in (workspace_dir(research.slug), transcripts_dir(research.slug)):
            await remove_folder(supervisor.manager, user, path, "the research's files")
    await in_worker(session, lambda s: _delete_row(s, user.id, research_id))
    hub.forget(conversation(user.id, research_id))


# -- the chat -----------------------------------------------------------------------------------------
def _ready_to_talk(session: Session, box: SecretBox, user_id: int, research_id: int) -> ResearchSession:
    """The research may take a message: not archived, no reply in flight, an Anthropic model and key."""
    research = owned(session, ResearchSession, research_id, user_id, "Research")
    if research.status == "archived":
        raise Conflict(ARCHIVED)
    agent = session.get(Agent, research.agent_id)
    if agent is None:
        raise Conflict("The research's agent is gone")
    research_key(session, box, user_id, agent)
    return research


def _want_running(session: Session, user_id: int, research_id: int) -> None:
    research = owned(session, ResearchSession, research_id, user_id, "Research")
    research.desired_state = DesiredState.RUNNING
    research.last_activity_at = utcnow()
    session.add(research)
    session.commit()


async def resume(
    session: Session, box: SecretBox, supervisor: InstanceSupervisor | None, user: SandboxUser, research_id: int
) -> ResearchPublic:
    """Start its process now (it continues the same Claude Code session); the next message finds it ready."""
    await in_worker(session, lambda s: _ready_to_talk(s, box, user.id, research_id))
    running = require_supervisor(supervisor)
    await in_worker(session, lambda s: _want_running(s, user.id, research_id))
    await running.start(user, _key(research_id), resumed=True)
    return await in_worker(session, lambda s: view(s, owned(s, ResearchSession, research_id, user.id, "Research")))


def _attachment_name(name: str, taken: set[str]) -> str:
    base = SAFE_NAME.sub("-", name).strip(".-") or "file"
    candidate, number = base[:120], 2
    while candidate in taken:
        stem, dot, suffix = base.rpartition(".")
        candidate = f"{stem}-{number}.{suffix}" if dot and stem else f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


async def _save_attachments(
    supervisor: InstanceSupervisor, user: SandboxUser, slug: str, uploads: list[AttachmentUpload]
) -> list[ChatAttachment]:
    """Write each file into the workspace's attachments/ through the runner; images also travel inline."""
    saved: list[ChatAttachment] = []
    if not uploads:
        return saved
    listed = await files.listing(supervisor.manager, user, slug)
    taken = {entry.path.split("/", 1)[1] for entry in listed if entry.path.startswith(f"{ATTACHMENTS_DIR}/")}
    for index, upload in enumerate(uploads):
        try:
            data = base64.b64decode(upload.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidField(
                f"attachments.{index}.content_base64", "The file's content is not valid base64."
            ) from exc
        relative = f"{ATTACHMENTS_DIR}/{_attachment_name(upload.name, taken)}"
        params = {
            "path": f"{workspace_dir(slug)}/{relative}",
            "content": upload.content_base64,
            "encoding": "base64",
            "parents": True,
        }
        try:
            await supervisor.manager.call(user, Method.FS_WRITE, params)
        except RunnerError as exc:
            raise Unavailable(f"'{upload.name}' could not be saved in the research's folder: {exc.message}") from exc
        image = upload.is_model_image
        saved.append(
            ChatAttachment(
                name=upload.name,
                path=relative,
                media_type=upload.media_type,
                image_base64=base64.b64encode(data).decode("ascii") if image else "",
            )
        )
    return saved


def _target(user_id: int, research_id: int) -> ChatTarget:
    return ChatTarget(key=_key(research_id), conversation=conversation(user_id, research_id), noun="research")


async def send_message(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    research_id: int,
    body: MessageBody,
) -> ResearchDetail:
    """Store the message (pending), then deliver it (controlplane.chat.service): its files are saved in the
    workspace's attachments/ first. A failed delivery keeps the message, failed."""
    if body.retry_of is not None and (body.text or body.attachments):
        raise InvalidField("retry_of", "Send a retry on its own, without text or attachments.")

    async def compose(running: InstanceSupervisor, research: ResearchSession) -> chat_service.Outgoing:
        if not body.text.strip() and not body.attachments:
            raise InvalidField("text", "Write a message, or attach a file.")
        attachments = await _save_attachments(running, user, research.slug, body.attachments)
        return chat_service.Outgoing(text=body.text, attachments=attachments)

    await chat_service.send_message(
        session,
        supervisor,
        hub,
        user,
        _target(user.id, research_id),
        ready=lambda s: _ready_to_talk(s, box, user.id, research_id),
        retry_of=body.retry_of,
        compose=compose,
    )
    return await in_worker(session, lambda s: detail(s, user.id, research_id))


async def interrupt(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, research_id: int
) -> ResearchDetail:
    """Stop the reply being written; what it said so far is kept."""
    await in_worker(session, lambda s: owned(s, ResearchSession, research_id, user.id, "Research"))
    await chat_service.interrupt(session, supervisor, hub, user, _target(user.id, research_id))
    return await in_worker(session, lambda s: detail(s, user.id, research_id))


# -- files and export ---------------------------------------------------------------------------------
async def list_files(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, research_id: int
) -> list[ResearchFile]:
    research = await in_worker(session, lambda s: owned(s, ResearchSession, research_id, user.id, "Research"))
    return await files.listing(require_supervisor(supervisor).manager, user, research.slug)


async def download(
    session: Session, supervisor: InstanceSupervisor | None, user: SandboxUser, research_id: int, path: str
) -> files.Download:
    research = await in_worker(session, lambda s: owned(s, ResearchSession, research_id, user.id, "Research"))
    files.relative_parts(path)  # refused before the sandbox is asked anything
    return await files.download(require_supervisor(supervisor).manager, user, research.slug, path)


def export(session: Session, user_id: int, research_id: int) -> tuple[str, str]:
    """(file name, Markdown) of the whole research."""
    research = owned(session, ResearchSession, research_id, user_id, "Research")
    rows = store.messages(session, conversation(user_id, research_id))
    rows = [row for row in rows if row.status != ChatStatus.PENDING or row.role != "user" or row.content]
    return f"{research.slug}.md", research_markdown(research, rows)
