// A framework-free terminal: owns one xterm.js Terminal, its fit addon and the WebSocket to
// /ws/terminal/{name}. React (TerminalView) only mounts it and disposes of it.
// Protocol: docs/websockets.md; message shapes and close codes: ./protocol.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { ApiError } from "../api/auth";
import { backoffDelay, defaultWsBase, fetchTicket, NO_RETRY } from "../api/sockets";
import { CLOSE_CODES, type TerminalClientMessage, type TerminalServerMessage } from "./protocol";

export type TerminalStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface TerminalSessionOptions {
  /** tmux session name, e.g. "shell". */
  name: string;
  /** The socket's path; defaults to /ws/terminal/{name} (a project's Claude Code: /ws/project/{id}/terminal). */
  path?: string;
  /** Injected for tests; defaults to the browser's WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  /** Returns a fresh single-use ticket; defaults to POST /api/ws-ticket. */
  getTicket?: () => Promise<string>;
  /** ws(s)://host base; defaults to the page's location. */
  baseUrl?: string;
  /** Font size in pixels (the user's preference). */
  fontSize?: number;
  pingIntervalMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export class TerminalSession {
  readonly terminal: Terminal;
  private readonly fitAddon: FitAddon;
  private readonly opts: Required<Omit<TerminalSessionOptions, "baseUrl" | "fontSize" | "path">> & { baseUrl: string };
  private socket: WebSocket | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private disposed = false;
  private ctrlArmed = false;
  private status: TerminalStatus = "connecting";
  private statusListeners = new Set<(s: TerminalStatus, detail?: string) => void>();
  private ctrlListeners = new Set<(armed: boolean) => void>();
  private lastSize = { cols: 0, rows: 0 };
  private readonly path: string;

  constructor(options: TerminalSessionOptions) {
    this.opts = {
      WebSocketImpl: options.WebSocketImpl ?? WebSocket,
      getTicket: options.getTicket ?? fetchTicket,
      baseUrl: options.baseUrl ?? defaultWsBase(),
      pingIntervalMs: options.pingIntervalMs ?? 25_000,
      initialDelayMs: options.initialDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      name: options.name,
    };
    this.path = options.path ?? `/ws/terminal/${encodeURIComponent(options.name)}`;
    this.terminal = new Terminal({
      cursorBlink: true,
      fontSize: options.fontSize ?? 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      theme: { background: "#020617" },
    });
    this.fitAddon = new FitAddon();
    this.terminal.loadAddon(this.fitAddon);
    this.terminal.onData((data) => this.sendInput(this.applyCtrl(data)));
    this.terminal.onResize(({ cols, rows }) => this.sendResize(cols, rows));
  }

  /** Render into `container`, size to it and connect. */
  open(container: HTMLElement): void {
    this.terminal.open(container);
    this.fit();
    if (typeof ResizeObserver !== "undefined") {
      this.resizeObserver = new ResizeObserver(() => this.fit());
      this.resizeObserver.observe(container);
    }
    void this.connect();
  }

  /** Start connecting without a DOM (tests, or a reconnect after the session ended). */
  async connect(): Promise<void> {
    if (this.disposed) return;
    this.clearReconnect();
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    let ticket: string;
    try {
      ticket = await this.opts.getTicket();
    } catch (err) {
      // Signed out (refresh failed too): retrying cannot help until the user signs in again.
      if (err instanceof ApiError && err.status === 401) {
        this.setStatus("closed", "signed out");
        return;
      }
      this.scheduleReconnect(err instanceof Error ? err.message : "could not get a ticket");
      return;
    }
    if (this.disposed) return;
    const { cols, rows } = this.terminal;
    const query = new URLSearchParams({ ticket, cols: String(cols), rows: String(rows) });
    const url = `${this.opts.baseUrl}${this.path}?${query}`;
    const ws = new this.opts.WebSocketImpl(url);
    ws.binaryType = "arraybuffer";
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.setStatus("open");
      this.lastSize = { cols: 0, rows: 0 };
      this.sendResize(this.terminal.cols, this.terminal.rows);
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), this.opts.pingIntervalMs);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.socket !== ws) return;
      // Only a socket that delivered something counts as healthy; one that is accepted and then
      // closed at once (4503) keeps backing off.
      this.attempt = 0;
      if (ev.data instanceof ArrayBuffer) {
        this.terminal.write(new Uint8Array(ev.data));
      } else if (typeof ev.data === "string") {
        this.handleText(ev.data);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.stopPing();
      if (this.disposed) return;
      if (NO_RETRY.has(ev.code)) {
        this.setStatus("closed", ev.reason || closeText(ev.code));
        return;
      }
      this.scheduleReconnect(ev.reason || closeText(ev.code));
    };
  }

  /** Resize xterm to its container; xterm's onResize then tells the server. */
  fit(): void {
    try {
      this.fitAddon.fit();
    } catch {
      // Not attached or hidden: nothing to measure yet.
    }
  }

  /** Change the font size; the terminal refits, and the server hears the new size. */
  setFontSize(px: number): void {
    if (this.terminal.options.fontSize === px) return;
    this.terminal.options.fontSize = px;
    this.fit();
  }

  /** Send keystrokes (from xterm or the phone key bar). */
  sendInput(data: string): void {
    if (data) this.send({ type: "input", data });
  }

  /** Arm Ctrl for the next key typed (the phone key bar's toggle). */
  setCtrl(armed: boolean): void {
    this.ctrlArmed = armed;
    this.ctrlListeners.forEach((l) => l(armed));
  }

  get ctrl(): boolean {
    return this.ctrlArmed;
  }

  onCtrlChange(listener: (armed: boolean) => void): () => void {
    this.ctrlListeners.add(listener);
    return () => this.ctrlListeners.delete(listener);
  }

  onStatus(listener: (s: TerminalStatus, detail?: string) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  focus(): void {
    this.terminal.focus();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearReconnect();
    this.stopPing();
    const ws = this.socket;
    this.socket = null;
    if (ws && (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN)) ws.close(CLOSE_CODES.normal);
    this.resizeObserver?.disconnect();
    this.statusListeners.clear();
    this.ctrlListeners.clear();
    this.terminal.dispose();
  }

  private applyCtrl(data: string): string {
    if (!this.ctrlArmed || data.length !== 1) return data;
    this.setCtrl(false);
    const code = data.toUpperCase().charCodeAt(0);
    // Ctrl+@..Ctrl+_ map to 0x00..0x1f; Ctrl+? is DEL.
    if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code - 0x40);
    if (data === "?") return "\x7f";
    return data;
  }

  private sendResize(cols: number, rows: number): void {
    if (cols === this.lastSize.cols && rows === this.lastSize.rows) return;
    if (this.send({ type: "resize", cols, rows })) this.lastSize = { cols, rows };
  }

  private send(message: TerminalClientMessage): boolean {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  private handleText(text: string): void {
    let msg: TerminalServerMessage;
    try {
      msg = JSON.parse(text) as TerminalServerMessage;
    } catch {
      return;
    }
    if (msg.type === "error") this.terminal.write(`\r\n\x1b[31m[error: ${msg.message}]\x1b[0m\r\n`);
    else if (msg.type === "exit") this.terminal.write(`\r\n\x1b[2m[session ended: ${msg.reason}]\x1b[0m\r\n`);
  }

  private scheduleReconnect(detail: string): void {
    if (this.disposed) return;
    const delay = backoffDelay(this.attempt, this.opts.initialDelayMs, this.opts.maxDelayMs);
    this.attempt += 1;
    this.setStatus("reconnecting", detail);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private setStatus(status: TerminalStatus, detail?: string): void {
    this.status = status;
    this.statusListeners.forEach((l) => l(status, detail));
  }
}

function closeText(code: number): string {
  switch (code) {
    case CLOSE_CODES.normal:
      return "session ended";
    case CLOSE_CODES.forbidden:
      return "not allowed";
    case CLOSE_CODES.notFound:
      return "no such session";
    case CLOSE_CODES.unavailable:
      return "the sandbox could not be reached";
    default:
      return `connection lost (${code})`;
  }
}
