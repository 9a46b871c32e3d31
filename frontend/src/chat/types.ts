// What every chat kind's conversation is made of (docs/websockets.md, "Chat"): the stored messages of the
// REST detail and the numbered frames of the chat stream. The shapes are the generated client's.
import type { Schemas } from "../api/client";

export type ChatMessage = Schemas["ChatMessagePublic"];
export type ToolCard = Schemas["ToolActivity"];
export type ChatUsage = Schemas["ChatUsage"];
export type StoredAttachment = Schemas["ChatAttachment"];

interface Numbered {
  seq: number;
  /** The id of the user's message the frame belongs to. */
  turn: number;
}

/** One frame of a chat stream. */
export type ChatFrame =
  | (Numbered & { type: "message"; message: ChatMessage })
  | (Numbered & { type: "delta"; text: string })
  | (Numbered & { type: "tool"; tool: ToolCard })
  | (Numbered & { type: "completed"; message: ChatMessage })
  | (Numbered & { type: "error"; error: string; retryable: boolean; message: ChatMessage })
  | (Numbered & { type: "notice"; message: ChatMessage });

/** A file attached to a message before it is sent (the API takes its bytes as base64). */
export interface OutgoingAttachment {
  name: string;
  media_type: string;
  content_base64: string;
  size: number;
}

/** What the person sends: words, files, or both. */
export interface OutgoingMessage {
  text: string;
  attachments: OutgoingAttachment[];
}
