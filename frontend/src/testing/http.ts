// Small helpers for tests that answer fetch calls by hand.

/** A JSON response with this status. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** The Authorization header a request was sent with. */
export function authOf(init?: RequestInit): string | null {
  return new Headers(init?.headers).get("Authorization");
}
