"""Research sessions: CRUD under their agent, the chat (messages with attachments, interrupt, resume), the
workspace's files and the Markdown export. The work is in controlplane.research.service; the live chat is
the WebSocket /ws/research/{id}/chat (controlplane.api.ws)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status

from controlplane.api.deps import (
    CurrentUser,
    OptionalSupervisorDep,
    SandboxUserDep,
    SecretBoxDep,
    SessionDep,
    SettingsDep,
)
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.chat.hub import ChatHub
from controlplane.research import service
from controlplane.schemas.research import (
    ChatLimits,
    MessageBody,
    ResearchCreate,
    ResearchDetail,
    ResearchFile,
    ResearchPublic,
    ResearchUpdate,
)

router = APIRouter(tags=["research"])
# What the route cannot say by itself; its other errors follow from its dependencies (api/documented_errors.py).
REFUSED: Responses = {
    409: {
        "description": "Not possible now (not a research agent, archived, a reply in flight, no Anthropic model or key)"
    },
}


def chat_hub(request: Request) -> ChatHub:
    hub: ChatHub = request.app.state.chat  # set by main.create_app
    return hub


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


# -- CRUD -------------------------------------------------------------------------------------------------
@router.get("/agents/{agent_id}/research", response_model=list[ResearchPublic], responses=REFUSED)
def list_research(
    agent_id: Id,
    session: SessionDep,
    user: CurrentUser,
    archived: Annotated[bool, Query(description="List the archived ones instead")] = False,
    q: Annotated[str, Query(max_length=200, description="Words in the name or the conversation")] = "",
) -> list[ResearchPublic]:
    """The agent's researches, most recently active first."""
    return service.list_of_agent(session, user.id or 0, agent_id, archived=archived, search=q)


@router.post(
    "/agents/{agent_id}/research",
    response_model=ResearchPublic,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED,
)
def create_research(agent_id: Id, body: ResearchCreate, session: SessionDep, user: CurrentUser) -> ResearchPublic:
    """A new, empty research: its first message starts its Claude Code session."""
    return service.create(session, user.id or 0, agent_id, body)


@router.get("/research/limits", response_model=ChatLimits)
def research_limits(settings: SettingsDep, user: CurrentUser) -> ChatLimits:
    """What one message may carry, so the PWA refuses a file before uploading it (declared before
    /research/{research_id}, which would read "limits" as an id)."""
    return ChatLimits.of(settings.max_chat_message_bytes)


@router.get("/research/{research_id}", response_model=ResearchDetail)
def get_research(research_id: Id, session: SessionDep, user: CurrentUser) -> ResearchDetail:
    """The research with its whole chat."""
    return service.detail(session, user.id or 0, research_id)


@router.patch("/research/{research_id}", response_model=ResearchPublic, responses=REFUSED)
def update_research(research_id: Id, body: ResearchUpdate, session: SessionDep, user: CurrentUser) -> ResearchPublic:
    """Rename it, archive it, or unarchive it."""
    return service.update(session, user.id or 0, research_id, body)


@router.delete("/research/{research_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_research(
    research_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Stop its process, remove its folder and its Claude Code session, then its chat."""
    await service.delete(session, supervisor, chat_hub(request), me, research_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- the chat -------------------------------------------------------------------------------------------
@router.post("/research/{research_id}/resume", response_model=ResearchPublic, responses=REFUSED)
async def resume_research(
    research_id: Id, session: SessionDep, box: SecretBoxDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ResearchPublic:
    """Start its process now, continuing the same Claude Code session (a message does this by itself too)."""
    return await service.resume(session, box, supervisor, me, research_id)


# The one route whose body may carry files: the body limit lets it be larger (controlplane/main.py).
CHAT_MESSAGE_PATH = r"/api/research/\d+/message"


@router.post("/research/{research_id}/message", response_model=ResearchDetail, responses=REFUSED)
async def send_message(
    research_id: Id,
    body: MessageBody,
    request: Request,
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
) -> ResearchDetail:
    """Send a message (with attachments, base64), or a failed one again (`retry_of`). The message is stored
    first; the reply streams on /ws/research/{id}/chat. A delivery that fails leaves it failed, with a retry."""
    return await service.send_message(session, box, supervisor, chat_hub(request), me, research_id, body)


@router.post("/research/{research_id}/interrupt", response_model=ResearchDetail, responses=REFUSED)
async def interrupt_research(
    research_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> ResearchDetail:
    """Stop the reply being written; what it said so far is kept."""
    return await service.interrupt(session, supervisor, chat_hub(request), me, research_id)


# -- files and export -------------------------------------------------------------------------------------
@router.get("/research/{research_id}/files", response_model=list[ResearchFile])
async def list_files(
    research_id: Id, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> list[ResearchFile]:
    """Everything in the research's folder (links are listed, never followed)."""
    return await service.list_files(session, supervisor, me, research_id)


@router.get(
    "/research/{research_id}/files/{path:path}",
    response_class=Response,
    responses={200: {"description": "The file's bytes", "content": {"application/octet-stream": {}}}},
)
async def download_file(
    research_id: Id, path: str, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """One file of the research's folder, as a download (Markdown as text/markdown)."""
    found = await service.download(session, supervisor, me, research_id, path)
    headers = {"Content-Disposition": _attachment(found.name), "X-Content-Type-Options": "nosniff"}
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.get(
    "/research/{research_id}/export",
    response_class=Response,
    responses={200: {"description": "The whole research", "content": {"text/markdown": {}}}},
)
def export_research(research_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """The whole research as one Markdown file."""
    name, markdown = service.export(session, user.id or 0, research_id)
    return Response(
        markdown, media_type="text/markdown; charset=utf-8", headers={"Content-Disposition": _attachment(name)}
    )
