// What a WebSocket needs from the API: a single-use ticket to open it with. The socket itself (backoff,
// close codes, reconnecting) is realtime/ReconnectingSocket. Protocol: docs/websockets.md.
import { api, unwrap } from "./client";

/** A fresh single-use ticket for opening one socket (POST /api/ws-ticket). */
export async function fetchTicket(): Promise<string> {
  const { ticket } = await unwrap(api.POST("/api/ws-ticket"));
  return ticket;
}
