// A framework-free terminal: owns one xterm.js Terminal, its fit addon and the socket to /ws/terminal/{name}
// (a ReconnectingSocket: tickets, capped backoff, no retry after 4403/4404). React (TerminalView) only
// mounts it and disposes of it. Protocol: docs/websockets.md; message shapes: ./protocol.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { ReconnectingSocket, type SocketClose, type SocketOptions } from "../realtime/ReconnectingSocket";
import type { TerminalClientMessage, TerminalServerMessage } from "./protocol";
import { TERMINAL_BACKGROUND } from "./theme";

export type TerminalStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface TerminalSessionOptions extends SocketOptions {
  /** tmux session name, e.g. "shell". */
  name: string;
  /** The socket's path; defaults to /ws/terminal/{name} (a project's Claude Code: /ws/project/{id}/terminal). */
  path?: string;
  /** Font size in pixels (the user's preference). */
  fontSize?: number;
  pingIntervalMs?: number;
}

export class TerminalSession {
  readonly terminal: Terminal;
  private readonly fitAddon: FitAddon;
  private readonly socket: ReconnectingSocket;
  private readonly pingIntervalMs: number;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private disposed = false;
  private ctrlArmed = false;
  private status: TerminalStatus = "connecting";
  private statusListeners = new Set<(s: TerminalStatus, detail?: string) => void>();
  private ctrlListeners = new Set<(armed: boolean) => void>();
  private lastSize = { cols: 0, rows: 0 };

  constructor(options: TerminalSessionOptions) {
    const { name, path, fontSize, pingIntervalMs, ...socketOptions } = options;
    this.pingIntervalMs = pingIntervalMs ?? 25_000;
    this.terminal = new Terminal({
      cursorBlink: true,
      fontSize: fontSize ?? 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      theme: { background: TERMINAL_BACKGROUND },
      // Every session is tmux, which draws on the alternate screen and keeps its own history: xterm's
      // scrollback would stay empty, yet its scrollbar took 14 px on the right (the fit addon reserves
      // them) and showed as a grey bar on a touch.
      scrollback: 0,
    });
    this.fitAddon = new FitAddon();
    this.terminal.loadAddon(this.fitAddon);
    this.terminal.onData((data) => this.sendInput(this.applyCtrl(data)));
    this.terminal.onResize(({ cols, rows }) => this.sendResize(cols, rows));
    this.socket = new ReconnectingSocket({
      ...socketOptions,
      target: () => ({
        path: path ?? `/ws/terminal/${encodeURIComponent(name)}`,
        query: { cols: String(this.terminal.cols), rows: String(this.terminal.rows) },
      }),
      defaultDelays: [500, 10_000],
      // A terminal socket that is accepted and then closed at once (4503) has not recovered: keep backing off.
      resetBackoffOn: "frame",
    });
    this.socket.onConnecting((reconnecting) => this.setStatus(reconnecting ? "reconnecting" : "connecting"));
    this.socket.onOpen(() => this.handleOpen());
    this.socket.onBinary((data) => this.terminal.write(new Uint8Array(data)));
    this.socket.onText((text) => this.handleText(text));
    this.socket.onClose((close) => this.handleClose(close));
  }

  /**
   * Render into `container`, size to it and connect. The fit addon measures the container's computed
   * height and width as the space for xterm, so `container` must have no padding or border of its own
   * (put them on a parent); it refits whenever the container's size changes (a rotation, the keyboard).
   */
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
  connect(): Promise<void> {
    return this.socket.start();
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
    this.socket.stop();
    this.stopPing();
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
    return this.socket.send(JSON.stringify(message));
  }

  private handleOpen(): void {
    this.setStatus("open");
    // Every (re)connection hears the size, even if unchanged: lastSize described a socket that is gone.
    this.lastSize = { cols: 0, rows: 0 };
    this.sendResize(this.terminal.cols, this.terminal.rows);
    this.pingTimer = setInterval(() => this.send({ type: "ping" }), this.pingIntervalMs);
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

  private handleClose(close: SocketClose): void {
    this.stopPing();
    // No code: the ticket could not be had, and the reason says why.
    const detail = close.code === null ? close.reason : close.reason || closeText(close.code);
    this.setStatus(close.retryInMs === null ? "closed" : "reconnecting", detail);
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
