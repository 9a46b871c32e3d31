// A custom agent's chat: the shared chat view over the chat's stream (/ws/chat/{id}) and its routes. A message
// is words only (the API takes no files): the composer offers none. The answer to a message is the chat as
// stored, which carries the title a new chat takes from its first message: the page shows it at once.
import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { limits } from "../api/limits";
import { ChatView, type ChatActions } from "../chat/ChatView";
import type { LiveChat } from "../chat/useChat";
import { customKeys, interruptChat, sendChatMessage, type AgentChatDetail } from "./api";

export function CustomChat({ chatId, chat }: { chatId: number; chat: LiveChat }) {
  const client = useQueryClient();
  const actions = useMemo<ChatActions>(() => {
    const stored = (detail: AgentChatDetail) => {
      client.setQueryData(customKeys.chat(chatId), detail);
      void client.invalidateQueries({ queryKey: customKeys.chats(detail.agent_id) });
      return detail;
    };
    return {
      send: ({ text }) => sendChatMessage(chatId, { text }).then(stored),
      stop: () => interruptChat(chatId),
      retry: (turn) => sendChatMessage(chatId, { text: "", retry_of: turn }).then(stored),
    };
  }, [chatId, client]);
  return <ChatView chat={chat} actions={actions} maxLength={limits.AgentChatMessageBody.text.maxLength} allowFiles={false} />;
}
