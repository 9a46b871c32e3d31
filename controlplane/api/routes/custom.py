"""Custom agents' chats: an agent's list of chats ("+ New Chat"), one chat with its messages, a message, Stop. The
work is in controlplane.custom; the live chat is the WebSocket /ws/chat/{id} (controlplane.api.ws)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SecretBoxDep, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.api.routes.research import chat_hub
from controlplane.custom import service
from controlplane.schemas.custom import (
    AgentChatCreate,
    AgentChatDetail,
    AgentChatMessageBody,
    AgentChatPublic,
    AgentChatUpdate,
)

router = APIRouter(tags=["custom"])
# What the route cannot say by itself; its other errors follow from its dependencies (api/documented_errors.py).
REFUSED: Responses = {
    409: {"description": "Not possible now (not a custom agent, a reply in flight, no key for the model)"},
}


@router.get("/agents/{agent_id}/chats", response_model=list[AgentChatPublic], responses=REFUSED)
def list_chats(agent_id: Id, session: SessionDep, user: CurrentUser) -> list[AgentChatPublic]:
    """The custom agent's chats, the most recently used first."""
    return service.chats_of_agent(session, user.id or 0, agent_id)


@router.post(
    "/agents/{agent_id}/chats", response_model=AgentChatPublic, status_code=status.HTTP_201_CREATED, responses=REFUSED
)
def create_chat(agent_id: Id, body: AgentChatCreate, session: SessionDep, user: CurrentUser) -> AgentChatPublic:
    """A new chat with the agent; its first message starts the agent (and names the chat when it has no title)."""
    return service.create_chat(session, user.id or 0, agent_id, body)


@router.get("/chats/{chat_id}", response_model=AgentChatDetail)
def get_chat(chat_id: Id, session: SessionDep, user: CurrentUser) -> AgentChatDetail:
    """The chat with all its messages (tool calls as cards on the replies)."""
    return service.detail(session, user.id or 0, chat_id)


@router.patch("/chats/{chat_id}", response_model=AgentChatPublic, responses=REFUSED)
def rename_chat(chat_id: Id, body: AgentChatUpdate, session: SessionDep, user: CurrentUser) -> AgentChatPublic:
    """Rename it."""
    return service.rename_chat(session, user.id or 0, chat_id, body)


@router.delete("/chats/{chat_id}", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSED)
async def delete_chat(
    chat_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> Response:
    """Stop its process, remove its folder, then its messages."""
    await service.delete_chat(session, supervisor, chat_hub(request), me, chat_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/chats/{chat_id}/message", response_model=AgentChatDetail, responses=REFUSED)
async def send_message(
    chat_id: Id,
    body: AgentChatMessageBody,
    request: Request,
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
) -> AgentChatDetail:
    """Send a message, or a failed one again (`retry_of`). The message is stored first; the reply streams on
    /ws/chat/{id}. A delivery that fails leaves it failed, with a retry."""
    return await service.send_message(session, box, supervisor, chat_hub(request), me, chat_id, body)


@router.post("/chats/{chat_id}/interrupt", response_model=AgentChatDetail, responses=REFUSED)
async def interrupt_chat(
    chat_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> AgentChatDetail:
    """Stop the reply being written; what it said so far is kept."""
    return await service.interrupt(session, supervisor, chat_hub(request), me, chat_id)
