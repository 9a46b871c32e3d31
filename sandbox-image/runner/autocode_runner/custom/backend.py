"""The chat backend of a custom agent's chat (autocode_runner.chat.ChatBackend): a `NanobotChat` with the agent's
catalogue tools (file tools confined to the agent's folder, never writing its chats) and its MCP servers."""

from __future__ import annotations

from pathlib import Path

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.contract.chat import ChatMessageCommand
from autocode_runner.contract.specs import CustomSpec
from autocode_runner.custom.conversation import HISTORY_FILE, ChatFiles, Conversation
from autocode_runner.nanochat.backend import NanobotChat
from autocode_runner.nanochat.config import ChatConfig

CHATS_DIR = "chats"  # under the agent's folder: one folder per chat, never written by the agent's file tools
REBUILT_NOTICE = (
    f"This chat's {HISTORY_FILE} was missing, so it was rebuilt from the conversation saved on the server; "
    "the agent still knows everything said here."
)


class CustomBackend:
    def __init__(self, spec: CustomSpec) -> None:
        files = ChatFiles(Path(spec.directory))
        self.conversation = Conversation(spec, files)
        self.chat = NanobotChat(
            ChatConfig(root=files.nanobot, workspace=Path(spec.workspace)),
            spec.model,
            spec.access.api_key,
            spec.access.base_url,
            self.conversation,
            built_in_tools=spec.tools,
            protected=(CHATS_DIR,),
            mcp_servers=spec.mcp_servers,
        )

    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        if self.conversation.rebuilt:
            events.notice(REBUILT_NOTICE)
            self.conversation.rebuilt = False
        await self.chat.reply(message, events)

    async def interrupt(self) -> None:
        await self.chat.interrupt()

    async def close(self) -> None:
        await self.chat.close()
