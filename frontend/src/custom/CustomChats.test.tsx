// A custom agent's chats: the list on the agent's page (most recent first as the server gives them, last
// activity, answering), "+ New Chat" opening the new chat, renaming and deleting with a question first; the chat
// page on /ws/chat/{id}, words only, the title a new chat takes from its first message, Stop and the way back.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { FakeSocket } from "../testing/FakeSocket";
import { button, fill, render, unmountAll } from "../testing/render";
import { fakeServer, type Call } from "../learning/testServer";
import { AgentPage } from "../pages/AgentPage";
import { CustomChatPage } from "../pages/CustomChatPage";

const AGENT = {
  id: 4, name: "Pantry helper", type: "custom", model: "anthropic/claude-sonnet-4-5", identity: "", global_rules: "",
  tools: [], mcp_servers: {}, created_at: "", updated_at: "",
};

function chat(overrides: Record<string, unknown> = {}) {
  return {
    id: 7, agent_id: 4, agent: "Pantry helper", title: "Soup ideas", answering: false, running: false,
    directory: "/home/agent/agents/pantry-helper/chats/7", last_activity_at: "2026-03-01T10:00:00Z",
    created_at: "2026-03-01T09:00:00Z", updated_at: "2026-03-01T10:00:00Z", ...overrides,
  };
}

const USER_MESSAGE = {
  id: 1, role: "user", content: "What is in the pantry?", status: "done", reply_to: null, error: "", retryable: false,
  seq: 2, created_at: "", tools: [], attachments: [],
};
const REPLY = { ...USER_MESSAGE, id: 2, role: "assistant", content: "Rice and **beans**.", reply_to: 1, seq: 3 };

let calls: Call[];
let chats: ReturnType<typeof chat>[];
let fresh: ReturnType<typeof chat> & { messages: unknown[] };

beforeEach(() => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  chats = [chat({ id: 8, title: "Answering one", answering: true }), chat(), chat({ id: 9, title: "New chat", last_activity_at: null })];
  fresh = { ...chat({ id: 10, title: "New chat", last_activity_at: null }), messages: [] };
  const server = fakeServer({
    "GET /api/agents": [AGENT],
    "GET /api/agent-tools": [],
    "POST /api/ws-ticket": { ticket: "x" },
    "GET /api/agents/4/chats": () => chats,
    "POST /api/agents/4/chats": () => json(201, fresh),
    "GET /api/chats/7": () => ({ ...chat(), messages: [USER_MESSAGE, REPLY] }),
    "GET /api/chats/10": () => fresh,
    "POST /api/chats/10/message": (c: Call) => {
      fresh = { ...fresh, title: (c.body as { text: string }).text, messages: [{ ...USER_MESSAGE, status: "pending", content: (c.body as { text: string }).text }] };
      return fresh;
    },
    "POST /api/chats/7/interrupt": () => ({ ...chat(), messages: [USER_MESSAGE, REPLY] }),
    "PATCH /api/chats/7": (c: Call) => {
      chats = chats.map((one) => (one.id === 7 ? chat(c.body as Record<string, unknown>) : one));
      return chat(c.body as Record<string, unknown>);
    },
    "DELETE /api/chats/7": () => {
      chats = chats.filter((c) => c.id !== 7);
      return new Response(null, { status: 204 });
    },
  });
  calls = server.calls;
  setFetch(server.fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
});

const click = (target: HTMLElement) => act(async () => target.click());

async function open(path: string) {
  const el = await render(
    <Routes>
      <Route path="/agents/:id" element={<AgentPage />} />
      <Route path="/chat/:id" element={<CustomChatPage />} />
    </Routes>,
    path,
  );
  return el;
}

describe("a custom agent's page", () => {
  it("lists its chats in the server's order with when each was last used and which is answering", async () => {
    const el = await open("/agents/4");
    await vi.waitFor(() => expect(el.querySelectorAll('ul[aria-label="Chats"] > li')).toHaveLength(3));
    const rows = [...el.querySelectorAll('ul[aria-label="Chats"] > li')];
    expect(rows.map((r) => r.querySelector("a")?.textContent)).toEqual(["Answering one", "Soup ideas", "New chat"]);
    expect(rows.map((r) => r.querySelector("a")?.getAttribute("href"))).toEqual(["/chat/8", "/chat/7", "/chat/9"]);
    expect(rows[0].textContent).toContain("Answering…");
    expect(rows[1].textContent).toMatch(/Last used .*2026/);
    expect(rows[1].textContent).not.toContain("Answering…");
    expect(rows[2].textContent).toContain("Not used yet");
    expect(el.textContent).not.toContain("Coming here"); // the custom agent's own panel, not the placeholder
  });

  it("says so when there is no chat yet", async () => {
    chats = [];
    const el = await open("/agents/4");
    await vi.waitFor(() => expect(el.textContent).toContain("No chats yet. Start one with “+ New Chat”."));
  });

  it("renames a chat, and deletes it only once asked", async () => {
    const el = await open("/agents/4");
    await vi.waitFor(() => expect(el.querySelector('[aria-label="Rename or delete Soup ideas"]')).not.toBeNull());
    await click(el.querySelector<HTMLButtonElement>('[aria-label="Rename or delete Soup ideas"]')!);
    await fill(el, { Name: "Winter soups" });
    await click(button(el, "Rename"));
    await vi.waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ title: "Winter soups" }));

    await click(button(el, "Delete chat"));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(el.textContent).toContain("Its conversation is removed for good");
    await click(button(el, "Yes, delete Winter soups"));
    await vi.waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/chats/7")).toBe(true));
    await vi.waitFor(() => expect(el.querySelectorAll('ul[aria-label="Chats"] > li')).toHaveLength(2));
  });

  it("starts a new chat and opens it: the first message names it", async () => {
    const el = await open("/agents/4");
    await vi.waitFor(() => expect(button(el, "+ New Chat")).toBeTruthy());
    await click(button(el, "+ New Chat"));
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("New chat"));
    expect(calls.find((c) => c.method === "POST" && c.path === "/api/agents/4/chats")?.body).toEqual({});
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    expect(FakeSocket.instances[0].url).toContain("/ws/chat/10?ticket=x&after=0");
    expect(el.querySelector('input[type="file"]')).toBeNull(); // words only
    expect([...el.querySelectorAll("button")].some((b) => b.textContent === "Attach files")).toBe(false);

    const box = el.querySelector<HTMLTextAreaElement>("textarea")!;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(box, "Soup for four?");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(button(el, "Send"));
    await vi.waitFor(() => expect(calls.find((c) => c.path === "/api/chats/10/message")?.body).toEqual({ text: "Soup for four?" }));
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Soup for four?"));
  });
});

describe("a custom agent's chat page", () => {
  it("shows the conversation on the chat's stream, Stop while answering, and the way back to the agent", async () => {
    const el = await open("/chat/7");
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Soup ideas"));
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const ws = FakeSocket.instances[0];
    expect(ws.url).toContain("/ws/chat/7?ticket=x&after=3");
    expect(el.querySelector("strong")?.textContent).toBe("beans");
    await vi.waitFor(() => expect(el.querySelector('a[href="/agents/4"]')?.textContent).toBe("← Pantry helper"));

    act(() => ws.serverOpen());
    const say = (frame: Record<string, unknown>) => act(() => ws.serverMessage(JSON.stringify(frame)));
    say({ seq: 4, type: "message", turn: 5, message: { ...USER_MESSAGE, id: 5, content: "And lentils?", status: "pending", seq: 4 } });
    say({ seq: 5, type: "tool", turn: 5, tool: { id: "c1", name: "mcp_tiny_lookup", summary: "lentils", status: "running", detail: "" } });
    await vi.waitFor(() => expect(el.querySelector('[data-tool-name="mcp_tiny_lookup"]')).not.toBeNull());
    await click(button(el, "Stop"));
    expect(calls.some((c) => c.method === "POST" && c.path === "/api/chats/7/interrupt")).toBe(true);
  });

  it("deletes the chat from its page after asking, and goes back to the agent", async () => {
    const el = await open("/chat/7");
    await vi.waitFor(() => expect(button(el, "Rename or delete")).toBeTruthy());
    await click(button(el, "Rename or delete"));
    await click(button(el, "Delete chat"));
    await click(button(el, "Yes, delete Soup ideas"));
    await vi.waitFor(() => expect(el.querySelector("h2")?.textContent).toBe("Chats"));
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/chats/7")).toBe(true);
  });
});
