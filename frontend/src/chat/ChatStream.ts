// A chat's live frames over its WebSocket (/ws/research/{id}/chat, and every later chat kind's): opened
// after the largest seq the page already holds, and reopened after the last seq it received, so a dropped
// socket or a 4408 loses nothing and no frame is heard twice. The server's frames: docs/websockets.md.
import { ReconnectingSocket, type SocketClose, type SocketOptions } from "../realtime/ReconnectingSocket";
import type { ChatFrame } from "./types";

const TYPES = new Set(["message", "delta", "tool", "completed", "error", "notice"]);

function parseFrame(text: string): ChatFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame !== "object" || frame === null) return null;
  const { seq, type } = frame as { seq?: unknown; type?: unknown };
  if (typeof seq !== "number" || typeof type !== "string" || !TYPES.has(type)) return null;
  return frame as ChatFrame;
}

export class ChatStream {
  private readonly socket: ReconnectingSocket;
  private lastSeq: number;
  private readonly listeners = new Set<(frame: ChatFrame) => void>();

  /**
   * `path`: the chat's socket path, which may carry a query of its own (`/ws/social/ai/chat?agent_id=3`);
   * `after`: the largest seq among the messages already shown.
   */
  constructor(path: string, after: number, options: SocketOptions = {}) {
    this.lastSeq = after;
    const [bare, own = ""] = path.split("?", 2);
    const fixed = Object.fromEntries(new URLSearchParams(own));
    this.socket = new ReconnectingSocket({
      ...options,
      target: () => ({ path: bare, query: { ...fixed, after: String(this.lastSeq) } }),
      defaultDelays: [500, 10_000],
    });
    this.socket.onText((text) => this.handleText(text));
  }

  /** Frames in seq order, never one twice. */
  onFrame(listener: (frame: ChatFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each close; `retryInMs` null means the stream has given up (an unknown chat, signed out). */
  onClose(listener: (close: SocketClose) => void): () => void {
    return this.socket.onClose(listener);
  }

  onOpen(listener: () => void): () => void {
    return this.socket.onOpen(listener);
  }

  /** The largest seq received (where a reconnection resumes). */
  get after(): number {
    return this.lastSeq;
  }

  start(): Promise<void> {
    return this.socket.start();
  }

  stop(): void {
    this.socket.stop();
    this.listeners.clear();
  }

  private handleText(text: string): void {
    const frame = parseFrame(text);
    if (!frame || frame.seq <= this.lastSeq) return;
    this.lastSeq = frame.seq;
    this.listeners.forEach((l) => l(frame));
  }
}
