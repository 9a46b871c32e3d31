// The shared half of the app's JSON sockets (/ws/events, /ws/project/{id}/logs): a fresh ticket per
// connection, capped exponential backoff, no retry when the server says it will not help (4403, 4404,
// a normal close) or when the user is signed out, and a stop that cancels everything pending.
import { ApiError } from "../api/auth";
import { backoffDelay, defaultWsBase, fetchTicket, NO_RETRY } from "../api/sockets";

export interface SocketOptions {
  WebSocketImpl?: typeof WebSocket;
  getTicket?: () => Promise<string>;
  baseUrl?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export abstract class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  protected stopped = false;

  constructor(private readonly socketOptions: SocketOptions, private readonly defaultDelays: [number, number]) {}

  /** The path and query (without the ticket) to connect to now. */
  protected abstract path(): { path: string; query: Record<string, string> };
  /** A text frame from the server. */
  protected abstract onText(text: string): void;
  /** The socket opened (a reconnection included). */
  protected onOpen(): void {}

  async start(): Promise<void> {
    if (this.stopped) return;
    this.timer = null;
    let ticket: string;
    try {
      ticket = await (this.socketOptions.getTicket ?? fetchTicket)();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return; // signed out: nothing to follow
      this.retry();
      return;
    }
    if (this.stopped) return;
    const { path, query } = this.path();
    const params = new URLSearchParams({ ticket, ...query });
    const Impl = this.socketOptions.WebSocketImpl ?? WebSocket;
    const ws = new Impl(`${this.socketOptions.baseUrl ?? defaultWsBase()}${path}?${params}`);
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.attempt = 0;
      this.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.socket === ws && typeof ev.data === "string") this.onText(ev.data);
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
  }

  private retry(): void {
    const [initial, max] = this.defaultDelays;
    const delay = backoffDelay(
      this.attempt,
      this.socketOptions.initialDelayMs ?? initial,
      this.socketOptions.maxDelayMs ?? max,
    );
    this.attempt += 1;
    this.timer = setTimeout(() => void this.start(), delay);
  }
}
