// The one reconnecting WebSocket under every socket of the app (the terminal, /ws/events, a project's log):
// a fresh ticket per connection, capped exponential backoff, no retry when the server says it will not help
// (4403, 4404, a normal close) or when the user is signed out, and a stop that cancels everything pending.
// When the browser says the network is back ("online") it connects again at once: a connection waiting out
// its backoff goes now, and an open one is replaced, as it may be dead without knowing (a socket from before
// the network went, or from another network, can stay "open" and never hear another frame). So the terminal,
// the log and the live events return with the network, not a back-off or a TCP timeout later.
// Callers hear each frame (text, or binary as an ArrayBuffer) and each close with its code and reason.
import { ApiError } from "../api/errors";
import { fetchTicket } from "../api/sockets";
import { CLOSE_CODES, NO_RETRY } from "./closeCodes";

/** What callers may inject (tests, mostly); each has a browser default. */
export interface SocketOptions {
  /** Defaults to the browser's WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  /** Returns a fresh single-use ticket; defaults to POST /api/ws-ticket. */
  getTicket?: () => Promise<string>;
  /** ws(s)://host base; defaults to the page's location. */
  baseUrl?: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface SocketTarget {
  path: string;
  /** The query without the ticket. */
  query: Record<string, string>;
}

export interface ReconnectingSocketConfig extends SocketOptions {
  /** Where to connect, asked before every connection (a log resumes after the last entry it saw). */
  target: () => SocketTarget;
  /** Backoff [initial, max] in ms, unless the options set them. */
  defaultDelays: [number, number];
  /**
   * What shows a connection is healthy and resets the backoff: opening (the default), or delivering a first
   * frame, for servers that accept a socket and close it at once when the resource is unavailable (4503).
   */
  resetBackoffOn?: "open" | "frame";
}

/** How a connection ended, and what happens next. */
export interface SocketClose {
  /** The close code; null when no socket was opened because no ticket could be had. */
  code: number | null;
  reason: string;
  /** Milliseconds until the next attempt; null when there is none (retrying cannot help, or signed out). */
  retryInMs: number | null;
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly connectingListeners = new Set<(reconnecting: boolean) => void>();
  private readonly openListeners = new Set<() => void>();
  private readonly textListeners = new Set<(text: string) => void>();
  private readonly binaryListeners = new Set<(data: ArrayBuffer) => void>();
  private readonly closeListeners = new Set<(close: SocketClose) => void>();

  private listeningForOnline = false;

  constructor(private readonly config: ReconnectingSocketConfig) {}

  /** Back online: connect now (start() cancels a waiting retry and replaces a socket that may be dead). */
  private readonly handleOnline = (): void => {
    if (!this.stopped) void this.start();
  };

  /** Each connection attempt, before its ticket is fetched; `reconnecting` once an attempt has failed. */
  onConnecting(listener: (reconnecting: boolean) => void): () => void {
    return subscribe(this.connectingListeners, listener);
  }

  /** The socket opened (a reconnection included). */
  onOpen(listener: () => void): () => void {
    return subscribe(this.openListeners, listener);
  }

  /** A text frame from the server. */
  onText(listener: (text: string) => void): () => void {
    return subscribe(this.textListeners, listener);
  }

  /** A binary frame from the server (binaryType is "arraybuffer", so never a Blob). */
  onBinary(listener: (data: ArrayBuffer) => void): () => void {
    return subscribe(this.binaryListeners, listener);
  }

  /** Each close the server or the network caused (not stop()), and each failure to get a ticket. */
  onClose(listener: (close: SocketClose) => void): () => void {
    return subscribe(this.closeListeners, listener);
  }

  /** Connect now, cancelling a pending retry. Resolves once the socket is created (or the ticket failed). */
  async start(): Promise<void> {
    if (this.stopped) return;
    this.cancelRetry();
    if (!this.listeningForOnline && typeof window !== "undefined") {
      window.addEventListener("online", this.handleOnline);
      this.listeningForOnline = true;
    }
    this.connectingListeners.forEach((l) => l(this.attempt > 0));
    let ticket: string;
    try {
      ticket = await (this.config.getTicket ?? fetchTicket)();
    } catch (err) {
      if (this.stopped) return;
      // Signed out (the refresh failed too): retrying cannot help until the user signs in again.
      if (err instanceof ApiError && err.status === 401) {
        this.giveUp({ code: null, reason: "signed out", retryInMs: null });
        return;
      }
      this.retry(null, err instanceof Error ? err.message : "could not get a ticket");
      return;
    }
    if (this.stopped) return;
    const { path, query } = this.config.target();
    const params = new URLSearchParams({ ticket, ...query });
    const Impl = this.config.WebSocketImpl ?? WebSocket;
    const ws = new Impl(`${this.config.baseUrl ?? defaultWsBase()}${path}?${params}`);
    const attemptBefore = this.attempt;
    let heard = false;
    ws.binaryType = "arraybuffer";
    const previous = this.socket;
    this.socket = ws;
    // A start while connected replaces the socket: the old one is closed, not left open and unheard.
    if (previous && (previous.readyState === previous.CONNECTING || previous.readyState === previous.OPEN)) {
      previous.close(CLOSE_CODES.normal);
    }
    ws.onopen = () => {
      if (this.socket !== ws) return;
      if (this.config.resetBackoffOn !== "frame") this.attempt = 0;
      this.openListeners.forEach((l) => l());
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.socket !== ws) return;
      this.attempt = 0;
      heard = true;
      const data: unknown = ev.data;
      if (typeof data === "string") this.textListeners.forEach((l) => l(data));
      else if (data instanceof ArrayBuffer) this.binaryListeners.forEach((l) => l(data));
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.stopped) return;
      // The server opens a socket before it checks the ticket: a 4401 before any frame was a refusal at the door,
      // and its open proved nothing. The backoff goes on growing instead of starting over, so a refusal that
      // keeps coming cannot make a loop. (A sign-in that ended is no loop: the next ticket's request is refused,
      // its one refresh fails, and the socket gives up as signed out.)
      if (ev.code === CLOSE_CODES.unauthorized && !heard) this.attempt = attemptBefore;
      if (NO_RETRY.has(ev.code)) this.giveUp({ code: ev.code, reason: ev.reason, retryInMs: null });
      else this.retry(ev.code, ev.reason);
    };
  }

  /** Send a text frame; false (and nothing sent) unless the socket is open. */
  send(text: string): boolean {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** Close for good: no retry, no more frames or closes heard. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
    this.stopListeningForOnline();
    const ws = this.socket;
    this.socket = null;
    if (ws && (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN)) ws.close(CLOSE_CODES.normal);
  }

  private retry(code: number | null, reason: string): void {
    const [initial, max] = this.config.defaultDelays;
    const delay = backoffDelay(this.attempt, this.config.initialDelayMs ?? initial, this.config.maxDelayMs ?? max);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.start(), delay);
    this.announceClose({ code, reason, retryInMs: delay });
  }

  /** A close after which retrying cannot help: heard by the callers, and the network's return will not revive it. */
  private giveUp(close: SocketClose): void {
    this.stopListeningForOnline();
    this.announceClose(close);
  }

  private stopListeningForOnline(): void {
    if (this.listeningForOnline) window.removeEventListener("online", this.handleOnline);
    this.listeningForOnline = false;
  }

  private cancelRetry(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private announceClose(close: SocketClose): void {
    this.closeListeners.forEach((l) => l(close));
  }
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from `initialMs`, never above `maxMs`. */
function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** attempt, maxMs);
}

function defaultWsBase(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}`;
}

function subscribe<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
