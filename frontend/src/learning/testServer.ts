// A learning agent's API played by hand for the learning tests: an agent, its subjects and courses, the
// notes and the review queue, as the server would answer; every request is recorded.
import { vi } from "vitest";
import { json } from "../testing/http";

export const AGENT = {
  id: 3, name: "Tutor", type: "learning", model: "anthropic/claude-opus-4-6", identity: "", global_rules: "", tools: [],
  mcp_servers: {}, created_at: "", updated_at: "",
};

export function course(overrides: Record<string, unknown> = {}) {
  return {
    id: 5, subject_id: 2, subject: "English", agent_id: 3, name: "Conversation", slug: "conversation", instructions: "Talk with me.", level_scale: "cefr",
    level: "B1", answering: false, running: false, due: 2, directory: "/home/agent/learning/english/conversation",
    last_activity_at: null, created_at: "2026-03-01T10:00:00Z", updated_at: "2026-03-01T10:00:00Z", ...overrides,
  };
}

export function subject(overrides: Record<string, unknown> = {}) {
  return { id: 2, agent_id: 3, name: "English", slug: "english", due: 2, courses: [course()], created_at: "", ...overrides };
}

export function card(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id, course_id: 5, kind: "word", front: `front ${id}`, back: `back ${id}`, due: "2026-03-01T10:00:00Z", reviews: 0,
    last_rating: null, created_at: "", ...overrides,
  };
}

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Handler = (call: Call) => Response | undefined;

/** A fetch answering from `routes` ("GET /api/x" → a body, or a function of the call); others 404. */
export function fakeServer(routes: Record<string, unknown>, extra?: Handler) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    // The generated client sends a Request; apiFetch a path and its init.
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://t"), init);
    const path = new URL(request.url).pathname;
    const text = request.method === "GET" ? "" : await request.text();
    const call = { method: request.method, path, body: text ? JSON.parse(text) : null };
    calls.push(call);
    const handled = extra?.(call);
    if (handled) return handled;
    const route = routes[`${request.method} ${path}`];
    if (route === undefined) return json(404, { detail: "Not Found" });
    const body = typeof route === "function" ? (route as (c: Call) => unknown)(call) : route;
    return body instanceof Response ? body : json(200, body);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}
