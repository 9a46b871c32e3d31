// What every WebSocket of the app shares: single-use tickets, the ws:// base, the close codes that say
// "do not retry", and capped exponential backoff. Protocol: docs/websockets.md.
import { CLOSE_CODES } from "../terminal/protocol";
import { api, unwrap } from "./client";

/** A fresh single-use ticket for opening one socket (POST /api/ws-ticket). */
export async function fetchTicket(): Promise<string> {
  const { ticket } = await unwrap(api.POST("/api/ws-ticket"));
  return ticket;
}

export function defaultWsBase(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}`;
}

/** The server says these will not change by retrying. */
export const NO_RETRY: ReadonlySet<number> = new Set([CLOSE_CODES.normal, CLOSE_CODES.forbidden, CLOSE_CODES.notFound]);

/** Delay before reconnect attempt `attempt` (0-based): doubling from `initialMs`, never above `maxMs`. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** attempt, maxMs);
}
