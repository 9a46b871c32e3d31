// The close codes of every socket of the app (the terminal, /ws/events, a project's log), the browser's
// copy. The server's copy is controlplane/realtime/protocol.py; tests/controlplane/realtime/test_protocol_copies.py
// keeps the two in step. Documented in docs/websockets.md.

export const CLOSE_CODES = {
  normal: 1000,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooSlow: 4408,
  unavailable: 4503,
} as const;

/** The server says these will not change by retrying. */
export const NO_RETRY: ReadonlySet<number> = new Set([CLOSE_CODES.normal, CLOSE_CODES.forbidden, CLOSE_CODES.notFound]);
