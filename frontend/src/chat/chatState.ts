// A conversation as the page holds it: the stored messages (from the REST detail, then from the stream's
// frames) and the reply being written (its deltas and tool cards, until `completed` stores it). Pure, so the
// stream's rules (docs/websockets.md, "Chat") are tested without a page.
import type { ChatFrame, ChatMessage, ToolCard } from "./types";

/** The reply in flight: a preview built from deltas; its `completed` message replaces it. */
export interface LiveReply {
  turn: number;
  text: string;
  tools: ToolCard[];
}

export interface ChatState {
  /** Oldest first (by id). */
  messages: ChatMessage[];
  live: LiveReply | null;
}

/** Where to open the stream: the largest seq the page holds. */
export function largestSeq(messages: readonly ChatMessage[]): number {
  return messages.reduce((top, m) => Math.max(top, m.seq), 0);
}

/** A reply is being written: some message of the person's waits for it. */
export function isAnswering(state: ChatState): boolean {
  return state.live !== null || state.messages.some((m) => m.role === "user" && m.status === "pending");
}

function pendingTurn(messages: readonly ChatMessage[]): number | null {
  const pending = messages.findLast((m) => m.role === "user" && m.status === "pending");
  return pending ? pending.id : null;
}

/** The state a detail's messages stand for (a pending message's reply is in flight: the stream adds it). */
export function chatFromMessages(messages: readonly ChatMessage[]): ChatState {
  const sorted = [...messages].sort((a, b) => a.id - b.id);
  const turn = pendingTurn(sorted);
  return { messages: sorted, live: turn === null ? null : { turn, text: "", tools: [] } };
}

function upsert(messages: readonly ChatMessage[], message: ChatMessage): ChatMessage[] {
  const rest = messages.filter((m) => m.id !== message.id);
  return [...rest, message].sort((a, b) => a.id - b.id);
}

function withTool(tools: readonly ToolCard[], card: ToolCard): ToolCard[] {
  // A later frame for the same tool replaces its card in place.
  return tools.some((t) => t.id === card.id) ? tools.map((t) => (t.id === card.id ? card : t)) : [...tools, card];
}

function liveFor(state: ChatState, turn: number): LiveReply {
  return state.live?.turn === turn ? state.live : { turn, text: "", tools: [] };
}

/** The state after one frame of the stream. */
export function applyFrame(state: ChatState, frame: ChatFrame): ChatState {
  switch (frame.type) {
    case "message": {
      const messages = upsert(state.messages, frame.message);
      // Pending (again): its reply starts over (a retry, or a resend after the process died).
      const live = frame.message.status === "pending" ? { turn: frame.message.id, text: "", tools: [] } : state.live;
      return { messages, live };
    }
    case "delta": {
      const live = liveFor(state, frame.turn);
      return { ...state, live: { ...live, text: live.text + frame.text } };
    }
    case "tool": {
      const live = liveFor(state, frame.turn);
      return { ...state, live: { ...live, tools: withTool(live.tools, frame.tool) } };
    }
    case "completed": {
      // The reply is stored, so the person's message is answered (the server sends no frame for that).
      const answered = state.messages.map((m) =>
        m.id === frame.turn && m.status === "pending" ? { ...m, status: "done" as const } : m,
      );
      return { messages: upsert(answered, frame.message), live: state.live?.turn === frame.turn ? null : state.live };
    }
    case "error":
      return { messages: upsert(state.messages, frame.message), live: state.live?.turn === frame.turn ? null : state.live };
    case "notice":
      return { ...state, messages: upsert(state.messages, frame.message) };
  }
}
