// The per-user event socket (WS /ws/events): reconnects with backoff (ReconnectingSocket) and hands each
// JSON event to its listeners. React wiring lives in useLiveEvents.
import { ReconnectingSocket, type SocketOptions } from "./ReconnectingSocket";

export type LiveEvent =
  | { type: "sandbox.state"; user_id: number; username: string; state: string }
  | { type: "project.status"; project_id: number; agent_id: number; status: string; steps_done: number; steps_total: number }
  | { type: "escalation"; project_id: number; message: string }
  | { type: string; [field: string]: unknown };

export interface EventStreamOptions extends SocketOptions {
  /** Admins may ask for every user's sandbox events. */
  scope?: "mine" | "all";
}

export class EventStream {
  private readonly socket: ReconnectingSocket;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly connectedListeners = new Set<() => void>();

  constructor(opts: EventStreamOptions = {}) {
    const query: Record<string, string> = opts.scope === "all" ? { scope: "all" } : {};
    this.socket = new ReconnectingSocket({
      ...opts,
      target: () => ({ path: "/ws/events", query }),
      defaultDelays: [1000, 30_000],
    });
    this.socket.onOpen(() => this.connectedListeners.forEach((l) => l()));
    this.socket.onText((text) => this.handleText(text));
  }

  /** Each event as it arrives. */
  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called on every (re)connection: events may have been missed while away, so refetch then. */
  onConnected(listener: () => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  start(): Promise<void> {
    return this.socket.start();
  }

  private handleText(text: string): void {
    let event: LiveEvent;
    try {
      event = JSON.parse(text) as LiveEvent;
    } catch {
      return;
    }
    if (event && typeof event.type === "string") this.listeners.forEach((l) => l(event));
  }

  stop(): void {
    this.socket.stop();
    this.listeners.clear();
    this.connectedListeners.clear();
  }
}
