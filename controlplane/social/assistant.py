"""The social media manager's AI assistant (docs/social-media.md, "The AI assistant"): the social agent's chat on
the custom agents' chat kind. Each social media manager has one continuous assistant chat, an `AgentChat` row of
the agent made on first use; `CustomKind` runs it as a nanobot with the agent's model and identity, no tools, and
`POST_RULES` after its prompt (custom/spec.py), so every post it proposes is a fenced `post` block the PWA can hand
to the composer. A message, a retry and Stop go through the shared chat service, as a custom agent's do.

Blocking functions take the request's database session; the async ones run their database work in worker threads
with it, and reach the sandbox through the supervisor."""

from __future__ import annotations

import threading

from sqlmodel import Session, col, select

from controlplane.chat import service as chat_service
from controlplane.chat import store
from controlplane.chat.agent import model_key
from controlplane.chat.agent import system_prompt as agent_prompt
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import ChatHub
from controlplane.custom.kind import chat_key, chat_target, conversation
from controlplane.custom.layout import agent_folder
from controlplane.db import in_worker
from controlplane.errors import Conflict
from controlplane.models import Agent, AgentChat
from controlplane.models.base import utcnow
from controlplane.runtime import instance_rows
from controlplane.runtime.supervisor import InstanceSupervisor
from controlplane.sandbox.backend import SandboxUser
from controlplane.schemas.social_assistant import SocialAssistantChat, SocialAssistantMessageBody
from controlplane.security.secretbox import SecretBox
from controlplane.services.ownership import owned

SOCIAL_MEDIA = "social_media"  # agents.type of a social media manager
TITLE = "AI Assistant"
POST_INFO_STRING = "post"  # the fence's info string of a proposed post (frontend/src/social/assistant/postBlocks.ts)
CAPTION_MAX_CHARS = 2_200  # Instagram's caption limit, hashtags included
HASHTAGS_MAX = 30  # Instagram refuses a caption with more

# What the assistant is told after the agent's identity and rules: how to write a post so the PWA finds it.
POST_RULES = f"""\
## How you write posts

You help write posts for the user's own Instagram and Facebook accounts. Every post you propose is a fenced block \
with the info string `{POST_INFO_STRING}`: the post's text first, then an empty line, then one line of hashtags. \
For example:

```{POST_INFO_STRING}
Our new autumn soup is here: pumpkin, ginger and a little chili. Come and taste it this weekend!

#soup #autumn #pumpkin #homemade #weekend
```

- One block per post; when you offer several versions, one block for each.
- Inside a block, only what is to be published: no title, no label like "Caption:", no Markdown formatting.
- Anything else (ideas, questions, advice on when to post) goes outside the blocks.
- Hashtags: 5 to 10 for Instagram, at most 3 for Facebook; each starts with # and has no spaces.
- A caption is at most {CAPTION_MAX_CHARS:,} characters, hashtags included, with at most {HASHTAGS_MAX} hashtags.
- Write in the language the user writes in, unless asked for another."""

_making = threading.Lock()  # two first requests at once make one chat, not two


def social_agent(session: Session, user_id: int, agent_id: int) -> Agent:
    """The user's social media manager (another user's agent is NotFound; another kind of agent a Conflict)."""
    agent = owned(session, Agent, agent_id, user_id, "Agent")
    if agent.type != SOCIAL_MEDIA:
        raise Conflict(f"'{agent.name}' is a {agent.type} agent; only a social media manager has the AI assistant")
    return agent


def is_assistant(agent: Agent) -> bool:
    """Whether the agent's chat is the AI assistant (custom/spec.py: no tools, and `system_prompt` below)."""
    return agent.type == SOCIAL_MEDIA


def system_prompt(agent: Agent) -> str:
    """The agent's identity and rules (or who it is, when it has none), then POST_RULES."""
    own = agent_prompt(agent) or f"You are {agent.name}, who helps a family write posts for their social media."
    return f"{own}\n\n{POST_RULES}"


def assistant_chat(session: Session, user_id: int, agent_id: int) -> tuple[AgentChat, Agent]:
    """The agent's assistant chat, made on first use (its first chat, should there ever be more)."""
    agent = social_agent(session, user_id, agent_id)
    query = select(AgentChat).where(AgentChat.user_id == user_id, AgentChat.agent_id == agent_id)
    with _making:
        chat = session.exec(query.order_by(col(AgentChat.id))).first()
        if chat is None:
            chat = AgentChat(
                user_id=user_id, agent_id=agent_id, title=TITLE, agent_folder=agent_folder(session, user_id, agent)
            )
            session.add(chat)
            session.commit()
            session.refresh(chat)
    return chat, agent


def view(session: Session, user_id: int, agent_id: int) -> SocialAssistantChat:
    """The assistant chat with all its messages, and whether a reply is being written."""
    session.expire_all()  # the supervisor and the hub write through their own sessions
    chat, agent = assistant_chat(session, user_id, agent_id)
    chat_id = chat.id or 0
    talk = conversation(user_id, chat_id)
    return SocialAssistantChat(
        id=chat_id,
        agent_id=agent_id,
        agent=agent.name,
        title=chat.title,
        answering=store.pending_turn(session, talk) is not None,
        running=instance_rows.running_id(session, user_id, chat_key(chat_id)) is not None,
        last_activity_at=chat.last_activity_at,
        created_at=chat.created_at,
        messages=[store.public(row) for row in store.messages(session, talk)],
    )


def _ready(session: Session, box: SecretBox, user_id: int, agent_id: int) -> None:
    """The assistant may take a message: the agent is a social media manager with a key for its model."""
    model_key(session, box, user_id, social_agent(session, user_id, agent_id))


def _used(session: Session, user_id: int, chat_id: int) -> None:
    chat = owned(session, AgentChat, chat_id, user_id, "Chat")
    chat.last_activity_at = utcnow()
    session.add(chat)
    session.commit()


async def send_message(
    session: Session,
    box: SecretBox,
    supervisor: InstanceSupervisor | None,
    hub: ChatHub,
    user: SandboxUser,
    body: SocialAssistantMessageBody,
) -> SocialAssistantChat:
    """Store the message (pending), then deliver it; the reply streams on /ws/social/ai/chat."""
    chat, _ = await in_worker(session, lambda s: assistant_chat(s, user.id, body.agent_id))
    chat_id = chat.id or 0
    chat_service.check_words_only(body.text, body.retry_of)
    await chat_service.send_message(
        session,
        supervisor,
        hub,
        user,
        chat_target(user.id, chat_id),
        ready=lambda s: _ready(s, box, user.id, body.agent_id),
        retry_of=body.retry_of,
        compose=None if body.retry_of is not None else chat_service.fixed(chat_service.Outgoing(text=body.text)),
    )
    await in_worker(session, lambda s: _used(s, user.id, chat_id))
    return await in_worker(session, lambda s: view(s, user.id, body.agent_id))


async def interrupt(
    session: Session, supervisor: InstanceSupervisor | None, hub: ChatHub, user: SandboxUser, agent_id: int
) -> SocialAssistantChat:
    """Stop the reply being written; what it said so far is kept."""
    chat, _ = await in_worker(session, lambda s: assistant_chat(s, user.id, agent_id))
    await chat_service.interrupt(session, supervisor, hub, user, chat_target(user.id, chat.id or 0))
    return await in_worker(session, lambda s: view(s, user.id, agent_id))


def assistant_conversation(session: Session, user_id: int, agent_id: int) -> Conversation:
    """The assistant chat's conversation, for its stream (NotFound or Conflict as for the routes)."""
    chat, _ = assistant_chat(session, user_id, agent_id)
    return conversation(user_id, chat.id or 0)
