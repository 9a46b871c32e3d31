"""The social media manager's AI assistant: its chat (made on first use), a message, Stop. The work is in
controlplane.social.assistant; the live chat is the WebSocket /ws/social/ai/chat?agent_id= (controlplane.api.ws)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from controlplane.api.deps import CurrentUser, OptionalSupervisorDep, SandboxUserDep, SecretBoxDep, SessionDep
from controlplane.api.errors import Responses
from controlplane.api.ids import Id
from controlplane.api.routes.research import chat_hub
from controlplane.schemas.social_assistant import SocialAssistantChat, SocialAssistantMessageBody
from controlplane.social import assistant

router = APIRouter(prefix="/social/ai", tags=["social"])
# What the route cannot say by itself (the agent's id is in the query or the body); its other errors follow from its
# dependencies (api/documented_errors.py).
REFUSED: Responses = {
    404: {"description": "No such agent of yours"},
    409: {"description": "Not possible now (not a social media manager, a reply in flight, no key for the model)"},
}


@router.get("/chat", response_model=SocialAssistantChat, responses=REFUSED)
def get_assistant_chat(agent_id: Id, session: SessionDep, user: CurrentUser) -> SocialAssistantChat:
    """The agent's AI assistant chat with all its messages (made on first use)."""
    return assistant.view(session, user.id or 0, agent_id)


@router.post("/chat", response_model=SocialAssistantChat, status_code=status.HTTP_202_ACCEPTED, responses=REFUSED)
async def send_assistant_message(
    body: SocialAssistantMessageBody,
    request: Request,
    session: SessionDep,
    box: SecretBoxDep,
    me: SandboxUserDep,
    supervisor: OptionalSupervisorDep,
) -> SocialAssistantChat:
    """Ask the assistant ("Write a post about…"), or send a failed message again (`retry_of`). The message is
    stored first; the reply streams on /ws/social/ai/chat. A delivery that fails leaves it failed, with a retry."""
    return await assistant.send_message(session, box, supervisor, chat_hub(request), me, body)


@router.post("/chat/interrupt", response_model=SocialAssistantChat, responses=REFUSED)
async def interrupt_assistant(
    agent_id: Id, request: Request, session: SessionDep, me: SandboxUserDep, supervisor: OptionalSupervisorDep
) -> SocialAssistantChat:
    """Stop the reply being written; what it said so far is kept."""
    return await assistant.interrupt(session, supervisor, chat_hub(request), me, agent_id)
