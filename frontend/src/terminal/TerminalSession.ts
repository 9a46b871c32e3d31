// A framework-free terminal: owns one xterm.js Terminal, its fit addon and the socket to /ws/terminal/{name}
// (a ReconnectingSocket: tickets, capped backoff, no retry after 1000/4403/4404). React (TerminalView) only
// mounts it and disposes of it. Protocol: docs/websockets.md; message shapes: ./protocol.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { ReconnectingSocket, type SocketClose, type SocketOptions } from "../realtime/ReconnectingSocket";
import type { TerminalClientMessage, TerminalServerMessage } from "./protocol";
import { TERMINAL_BACKGROUND } from "./theme";

export type TerminalStatus = "connecting" | "open" | "reconnecting" | "closed";

/**
 * The close a status follows: the socket's close code (null when no socket code was had: no ticket, or signed
 * out) and the server's raw reason (or the client's, for a null code), not meant for a family to read. The page
 * picks its own words from the status and the code.
 */
export type TerminalClose = Pick<SocketClose, "code" | "reason">;

export interface TerminalSessionOptions extends SocketOptions {
  /** tmux session name, e.g. "shell". */
  name: string;
  /** The socket's path; defaults to /ws/terminal/{name} (a project's Claude Code: /ws/project/{id}/terminal). */
  path?: string;
  /** Font size in pixels (the user's preference). */
  fontSize?: number;
  pingIntervalMs?: number;
  /** The line written into the terminal when its session ends, in the page's language (the status says why). */
  endedLine?: string;
}

export class TerminalSession {
  readonly terminal: Terminal;
  private readonly fitAddon: FitAddon;
  private readonly socket: ReconnectingSocket;
  private readonly pingIntervalMs: number;
  private readonly endedLine: string;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private disposed = false;
  private ctrlArmed = false;
  private status: TerminalStatus = "connecting";
  /** The last close since the socket was last open: it still explains a reconnecting attempt. */
  private lastClose: TerminalClose | undefined;
  private statusListeners = new Set<(s: TerminalStatus, close?: TerminalClose) => void>();
  private ctrlListeners = new Set<(armed: boolean) => void>();
  private lastSize = { cols: 0, rows: 0 };

  constructor(options: TerminalSessionOptions) {
    const { name, path, fontSize, pingIntervalMs, endedLine, ...socketOptions } = options;
    this.endedLine = endedLine ?? "session ended";
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
    this.socket.onConnecting((reconnecting) =>
      reconnecting ? this.setStatus("reconnecting", this.lastClose) : this.setStatus("connecting"),
    );
    this.socket.onOpen(() => this.handleOpen());
    this.socket.onBinary((data) => {
      this.heard();
      this.terminal.write(new Uint8Array(data));
    });
    this.socket.onText((text) => {
      this.heard();
      this.handleText(text);
    });
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

  /** Each status, with the close it follows (none when connecting afresh or open). */
  onStatus(listener: (s: TerminalStatus, close?: TerminalClose) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status, this.lastClose);
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

  /**
   * "open" once the server has said something (tmux redraws the screen the moment it attaches), not when the
   * socket opens: a workspace that cannot be reached accepts the socket and closes it at once (4503), and
   * each retry would otherwise flash "Connected" between two "not answering".
   */
  private heard(): void {
    if (this.status !== "open") this.setStatus("open");
  }

  private handleOpen(): void {
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
    else if (msg.type === "exit") this.terminal.write(`\r\n\x1b[2m[${this.endedLine}]\x1b[0m\r\n`);
  }

  private handleClose({ code, reason, retryInMs }: SocketClose): void {
    this.stopPing();
    this.setStatus(retryInMs === null ? "closed" : "reconnecting", { code, reason });
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private setStatus(status: TerminalStatus, close?: TerminalClose): void {
    this.status = status;
    this.lastClose = close;
    this.statusListeners.forEach((l) => l(status, close));
  }
}
