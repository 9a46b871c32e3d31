// The per-user event socket (WS /ws/events): a framework-free client that reconnects with backoff and
// hands each JSON event to its listeners. React wiring lives in useLiveEvents.
import { ApiError } from "../api/auth";
import { backoffDelay, defaultWsBase, fetchTicket, NO_RETRY } from "../api/sockets";

export type LiveEvent =
  | { type: "sandbox.state"; user_id: number; username: string; state: string }
  | { type: string; [field: string]: unknown };

export interface EventStreamOptions {
  /** Admins may ask for every user's sandbox events. */
  scope?: "mine" | "all";
  WebSocketImpl?: typeof WebSocket;
  getTicket?: () => Promise<string>;
  baseUrl?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export class EventStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly connectedListeners = new Set<() => void>();

  constructor(private readonly opts: EventStreamOptions = {}) {}

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

  async start(): Promise<void> {
    if (this.stopped) return;
    this.timer = null;
    let ticket: string;
    try {
      ticket = await (this.opts.getTicket ?? fetchTicket)();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return; // signed out: nothing to follow
      this.retry();
      return;
    }
    if (this.stopped) return;
    const query = new URLSearchParams({ ticket });
    if (this.opts.scope === "all") query.set("scope", "all");
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    const ws = new Impl(`${this.opts.baseUrl ?? defaultWsBase()}/ws/events?${query}`);
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.attempt = 0;
      this.connectedListeners.forEach((l) => l());
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.socket !== ws || typeof ev.data !== "string") return;
      let event: LiveEvent;
      try {
        event = JSON.parse(ev.data) as LiveEvent;
      } catch {
        return;
      }
      if (event && typeof event.type === "string") this.listeners.forEach((l) => l(event));
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (!this.stopped && !NO_RETRY.has(ev.code)) this.retry();
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    const ws = this.socket;
    this.socket = null;
    if (ws && (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN)) ws.close(1000);
    this.listeners.clear();
    this.connectedListeners.clear();
  }

  private retry(): void {
    const delay = backoffDelay(this.attempt, this.opts.initialDelayMs ?? 1000, this.opts.maxDelayMs ?? 30_000);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.start(), delay);
  }
}
