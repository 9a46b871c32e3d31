"""The custom kind's parts that need no nanobot: the window of recent messages a request carries, history.json
kept and rebuilt, and the MCP entries of nanobot's config (every secret a placeholder; the user's URL servers'
addresses exempted from the SSRF block)."""

from __future__ import annotations

import json
from pathlib import Path

from autocode_runner.contract.chat import ChatMessageCommand, ChatTurn
from autocode_runner.contract.specs import CustomSpec, McpServer, ModelAccess
from autocode_runner.custom.conversation import ChatFiles, Conversation, recent
from autocode_runner.nanochat.config import ChatConfig, write_chat_config
from autocode_runner.nanochat.mcp import SECRET_PLACEHOLDER


def said(*texts: str) -> list[dict[str, str]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "text": text} for i, text in enumerate(texts)]


def test_the_window_keeps_the_newest_messages_that_fit_and_starts_with_a_question() -> None:
    messages = said("a" * 10, "b" * 10, "c" * 10, "d" * 10, "e" * 10, "f" * 10)
    assert [m["text"][0] for m in recent(messages, 40)] == ["c", "d", "e", "f"]
    assert [m["text"][0] for m in recent(messages, 35)] == ["e", "f"], "never a reply without its question"
    assert [m["text"][0] for m in recent(messages, 5)] == ["e", "f"], "the last exchange always"
    assert recent([], 10) == []


def spec(tmp_path: Path, history: list[ChatTurn] | None = None) -> CustomSpec:
    return CustomSpec(
        directory=str(tmp_path / "agents/helper/chats/1"),
        workspace=str(tmp_path / "agents/helper"),
        agent="Helper",
        model="anthropic/claude-sonnet-4-5",
        system_prompt="",
        access=ModelAccess("key"),
        history=history or [],
    )


def test_history_is_kept_in_the_chats_folder_and_rebuilt_from_the_stored_conversation(tmp_path: Path) -> None:
    files = ChatFiles(tmp_path / "agents/helper/chats/1")
    rebuilt = Conversation(spec(tmp_path, [ChatTurn("user", "hi"), ChatTurn("assistant", "hello")]), files)
    assert rebuilt.rebuilt and rebuilt.system_prompt() == "You are Helper, a helpful assistant."
    rebuilt.record(ChatMessageCommand(turn=7, text="and now?"), "now this")
    again = Conversation(spec(tmp_path), files)
    assert not again.rebuilt
    assert again.history() == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "and now?"},
        {"role": "assistant", "content": "now this"},
    ]


def test_the_config_names_the_mcp_servers_but_holds_none_of_their_secrets(tmp_path: Path) -> None:
    files = ChatConfig(root=tmp_path / "chat/.nanobot", workspace=tmp_path / "agent")
    servers = [
        McpServer(name="tiny", command="/usr/bin/python3", args=["s.py"], env={"TOKEN": "s3cret-env"}),
        McpServer(name="web", url="http://127.0.0.1:8931/mcp", headers={"Authorization": "Bearer s3cret-hdr"}),
    ]
    write_chat_config(files, "anthropic/claude-sonnet-4-5", None, frozenset({"read_file"}), servers)
    text = files.path.read_text()
    assert "s3cret" not in text
    tools = json.loads(text)["tools"]
    assert tools["mcpServers"] == {
        "tiny": {
            "command": "/usr/bin/python3",
            "args": ["s.py"],
            "env": {"TOKEN": SECRET_PLACEHOLDER},
            "cwd": str(tmp_path / "agent"),
        },
        "web": {"url": "http://127.0.0.1:8931/mcp", "headers": {"Authorization": SECRET_PLACEHOLDER}},
    }
    assert tools["ssrfWhitelist"] == ["127.0.0.1/32"]
