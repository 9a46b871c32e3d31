// A project's structured log over WS /ws/project/{id}/logs: the backlog, then live entries. Reconnects
// (ReconnectingSocket) after the last id it saw (after=), so a dropped socket or a 4408 loses nothing.
import { ReconnectingSocket, type SocketOptions } from "./ReconnectingSocket";

export interface LogEntry {
  id: number;
  project_id: number;
  level: "info" | "action" | "error" | "agent_decision" | string;
  message: string;
  timestamp: string;
}

export class LogStream {
  private readonly socket: ReconnectingSocket;
  private lastId = 0;
  private readonly listeners = new Set<(entry: LogEntry) => void>();

  constructor(projectId: number, options: SocketOptions = {}) {
    this.socket = new ReconnectingSocket({
      ...options,
      target: () => ({ path: `/ws/project/${projectId}/logs`, query: { after: String(this.lastId) } }),
      defaultDelays: [500, 10_000],
    });
    this.socket.onText((text) => this.handleText(text));
  }

  /** New entries in id order, never one twice. */
  onEntry(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get after(): number {
    return this.lastId;
  }

  start(): Promise<void> {
    return this.socket.start();
  }

  private handleText(text: string): void {
    let entry: LogEntry;
    try {
      entry = JSON.parse(text) as LogEntry;
    } catch {
      return;
    }
    if (typeof entry.id !== "number" || entry.id <= this.lastId) return;
    this.lastId = entry.id;
    this.listeners.forEach((l) => l(entry));
  }

  stop(): void {
    this.socket.stop();
    this.listeners.clear();
  }
}
