// The social media manager's AI assistant (docs/social-media.md, "The AI assistant"): its one chat, made on first
// use, a message (or a failed one again) and Stop, over the generated client; the chat's stream is
// /ws/social/ai/chat?agent_id=.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";

export type AssistantChat = Schemas["SocialAssistantChat"];

export const assistantKeys = {
  chat: (agentId: number) => ["social", "assistant", agentId] as const,
};

/** The socket of the assistant chat's stream (the same frames as every chat's). */
export function assistantChatPath(agentId: number): string {
  return `/ws/social/ai/chat?agent_id=${agentId}`;
}

/** The assistant chat with its whole conversation. Not refetched on focus: the stream keeps it current. */
export function useAssistantChat(agentId: number) {
  return useQuery({
    queryKey: assistantKeys.chat(agentId),
    queryFn: () => unwrap(api.GET("/api/social/ai/chat", { params: { query: { agent_id: agentId } } })),
    refetchOnWindowFocus: false,
  });
}

/** A message (or `retry_of` a failed one); the reply arrives on the stream. */
export function sendAssistantMessage(agentId: number, message: { text: string; retry_of?: number }) {
  return unwrap(api.POST("/api/social/ai/chat", { body: { agent_id: agentId, ...message } }));
}

export function interruptAssistant(agentId: number) {
  return unwrap(api.POST("/api/social/ai/chat/interrupt", { params: { query: { agent_id: agentId } } }));
}
