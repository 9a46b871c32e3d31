// The terminal WebSocket protocol's message types, the browser's copy (the close codes, shared by every
// socket, are in ../realtime/closeCodes). The server's copy is controlplane/realtime/protocol.py;
// tests/controlplane/realtime/test_protocol_copies.py keeps the two in step. Documented in docs/websockets.md.

/** Text frames the browser sends (JSON). Raw terminal output arrives as binary frames. */
export const TERMINAL_CLIENT_MESSAGES = {
  input: { data: "str" },
  resize: { cols: "int", rows: "int" },
  ping: {},
} as const;

/** Text frames the server sends (JSON). */
export const TERMINAL_SERVER_MESSAGES = {
  pong: {},
  error: { message: "str" },
  exit: { reason: "str" },
} as const;

export type TerminalClientMessage =
  | { type: "input"; data: string }
  | { type: "resize"; cols: number; rows: number }
  | { type: "ping" };

export type TerminalServerMessage =
  | { type: "pong" }
  | { type: "error"; message: string }
  | { type: "exit"; reason: string };
