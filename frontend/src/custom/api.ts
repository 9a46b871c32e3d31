// A custom agent's chats (docs/custom-agents.md, "API"): TanStack Query hooks over the generated client for an
// agent's list of chats, one chat with its messages, "+ New Chat", renaming and deleting, and the chat's message
// and Stop routes; with the keys their mutations invalidate.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../api/client";

export type AgentChat = Schemas["AgentChatPublic"];
export type AgentChatDetail = Schemas["AgentChatDetail"];
export type AgentChatMessageBody = Schemas["AgentChatMessageBody"];

export const customKeys = {
  all: ["custom"] as const,
  chats: (agentId: number) => ["custom", "chats", agentId] as const,
  chat: (chatId: number) => ["custom", "chat", chatId] as const,
};

/** The socket of a chat's stream (the same frames as a research's). */
export function customChatPath(chatId: number): string {
  return `/ws/chat/${chatId}`;
}

/** The agent's chats, the most recently used first (the server's order). */
export function useAgentChats(agentId: number) {
  return useQuery({
    queryKey: customKeys.chats(agentId),
    queryFn: () => unwrap(api.GET("/api/agents/{agent_id}/chats", { params: { path: { agent_id: agentId } } })),
  });
}

/** A new chat: without a title it is named after its first message. */
export function useCreateChat(agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/agents/{agent_id}/chats", { params: { path: { agent_id: agentId } }, body: {} })),
    onSuccess: () => client.invalidateQueries({ queryKey: customKeys.chats(agentId) }),
  });
}

/** The chat with its whole conversation. Not refetched on focus: the chat stream keeps the conversation current. */
export function useAgentChat(chatId: number) {
  return useQuery({
    queryKey: customKeys.chat(chatId),
    queryFn: () => unwrap(api.GET("/api/chats/{chat_id}", { params: { path: { chat_id: chatId } } })),
    refetchOnWindowFocus: false,
  });
}

export function useRenameChat(chatId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (title: string) =>
      unwrap(api.PATCH("/api/chats/{chat_id}", { params: { path: { chat_id: chatId } }, body: { title } })),
    onSuccess: (chat) => {
      // The open chat keeps its messages; the lists show the new title.
      client.setQueryData<AgentChatDetail>(customKeys.chat(chatId), (old) => (old ? { ...old, ...chat } : old));
      void client.invalidateQueries({ queryKey: customKeys.chats(chat.agent_id) });
    },
  });
}

export function useDeleteChat(chatId: number, agentId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/chats/{chat_id}", { params: { path: { chat_id: chatId } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: customKeys.chat(chatId) });
      void client.invalidateQueries({ queryKey: customKeys.chats(agentId) });
    },
  });
}

/** A message (or `retry_of` a failed one); the reply arrives on the chat stream. */
export function sendChatMessage(chatId: number, body: AgentChatMessageBody) {
  return unwrap(api.POST("/api/chats/{chat_id}/message", { params: { path: { chat_id: chatId } }, body }));
}

export function interruptChat(chatId: number) {
  return unwrap(api.POST("/api/chats/{chat_id}/interrupt", { params: { path: { chat_id: chatId } } }));
}
