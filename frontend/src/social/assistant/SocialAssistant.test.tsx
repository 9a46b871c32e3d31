// The AI Assistant: the agent's one chat on /ws/social/ai/chat?agent_id=, words only; each post block of a reply
// a card whose "Use in New Post" hands that post over; a reply without posts a smaller button taking its text;
// a post streaming in becomes its card when the reply is stored; Stop and messages on the assistant's routes.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../../api/accessToken";
import type { Agent } from "../../api/queries";
import { setFetch } from "../../api/transport";
import { FakeSocket } from "../../testing/FakeSocket";
import { button, render, unmountAll } from "../../testing/render";
import { fakeServer, type Call } from "../../learning/testServer";
import { applyLanguage } from "../../i18n";
import type { PostDraft } from "../draft";
import { SocialAssistant } from "./SocialAssistant";

const AGENT: Agent = {
  id: 4, name: "Bakery posts", type: "social_media", model: "anthropic/claude-sonnet-4-5", claude_model: "", identity: "",
  global_rules: "", tools: ["instagram_graph", "facebook_graph"], mcp_servers: {}, created_at: "", updated_at: "",
};

function message(id: number, role: "user" | "assistant", content: string, extra: Record<string, unknown> = {}) {
  return {
    id, role, content, status: "done", reply_to: role === "assistant" ? id - 1 : null, error: "", retryable: false,
    seq: id + 1, created_at: "", tools: [], attachments: [], context: {}, ...extra,
  };
}

const TWO_POSTS = [
  "Two ideas:",
  "",
  "```post",
  "Fresh rye bread, baked at dawn.",
  "",
  "#bread #rye #bakery",
  "```",
  "",
  "```post",
  "Rye is back!",
  "",
  "#rye",
  "```",
  "",
  "Post the first in the morning.",
].join("\n");
const LONG = `${"x".repeat(2300)}\n\n#long`;

let calls: Call[];
let messages: ReturnType<typeof message>[];
let fetched: Request[];

function assistantChat() {
  return {
    id: 11, agent_id: 4, agent: "Bakery posts", title: "AI Assistant", answering: false, running: false,
    last_activity_at: null, created_at: "", messages,
  };
}

beforeEach(() => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  messages = [
    message(1, "user", "Write a post about rye bread"),
    message(2, "assistant", TWO_POSTS),
    message(3, "user", "Any tips?"),
    message(4, "assistant", "Post before **9 am**."),
    message(5, "user", "A long one"),
    message(6, "assistant", `\`\`\`post\n${LONG}\n\`\`\``),
  ];
  const server = fakeServer({
    "POST /api/ws-ticket": { ticket: "x" },
    "GET /api/social/ai/chat": () => assistantChat(),
    "POST /api/social/ai/chat": (c: Call) => {
      messages = [...messages, message(7, "user", (c.body as { text: string }).text, { status: "pending" })];
      return new Response(JSON.stringify(assistantChat()), { status: 202, headers: { "Content-Type": "application/json" } });
    },
    "POST /api/social/ai/chat/interrupt": () => assistantChat(),
  });
  calls = server.calls;
  fetched = [];
  setFetch(((input: RequestInfo | URL, init?: RequestInit) => {
    if (input instanceof Request) fetched.push(input.clone());
    return server.fetch(input, init);
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
  await act(async () => applyLanguage("en"));
});

const click = (target: HTMLElement) => act(async () => target.click());

async function open(onUse: (draft: PostDraft) => void = () => {}) {
  const el = await render(<div className="flex h-96 flex-col"><SocialAssistant agent={AGENT} onUseInComposer={onUse} /></div>);
  await vi.waitFor(() => expect(el.querySelectorAll("[data-post]")).toHaveLength(3));
  return el;
}

describe("the AI Assistant", () => {
  it("opens the agent's assistant chat and its stream after the largest seq it holds", async () => {
    await open();
    expect(fetched.some((r) => r.method === "GET" && r.url.endsWith("/api/social/ai/chat?agent_id=4"))).toBe(true);
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    expect(FakeSocket.instances[0].url).toContain("/ws/social/ai/chat?ticket=x&agent_id=4&after=7");
  });

  it("shows each post of a reply as a card that hands that post to the composer", async () => {
    const used: PostDraft[] = [];
    const el = await open((draft) => used.push(draft));
    const [first, second] = [...el.querySelectorAll<HTMLElement>("[data-post]")];
    expect(first.getAttribute("aria-label")).toBe("Suggested post 1");
    expect(first.textContent).toContain("Fresh rye bread, baked at dawn.");
    expect(first.textContent).toContain("#bread #rye #bakery");
    expect(second.getAttribute("aria-label")).toBe("Suggested post 2");
    expect(el.textContent).toContain("Post the first in the morning."); // the words around the posts stay
    expect(el.querySelectorAll("pre")).toHaveLength(0); // a post is a card, not a code block

    await click(button(second, "Use in New Post"));
    await click(button(first, "Use in New Post"));
    expect(used).toEqual([
      { text: "Rye is back!", hashtags: ["rye"] },
      { text: "Fresh rye bread, baked at dawn.", hashtags: ["bread", "rye", "bakery"] },
    ]);
  });

  it("gives a reply without posts a smaller button taking its whole text, and none to the person's messages", async () => {
    const used: PostDraft[] = [];
    const el = await open((draft) => used.push(draft));
    const tips = [...el.querySelectorAll('li[data-role="assistant"]')].find((li) => li.textContent?.includes("9 am"))!;
    expect(tips.querySelector("strong")?.textContent).toBe("9 am"); // still Markdown
    expect(tips.querySelector("[data-post]")).toBeNull();
    await click(button(tips as HTMLElement, "Use in New Post"));
    expect(used).toEqual([{ text: "Post before **9 am**.", hashtags: [] }]);
    const mine = [...el.querySelectorAll('li[data-role="user"]')];
    expect(mine.every((li) => li.querySelector("button") === null)).toBe(true);
  });

  it("says when a post is over Instagram's limit", async () => {
    const el = await open();
    const long = el.querySelectorAll<HTMLElement>("[data-post]")[2];
    expect(long.textContent).toContain("2,307 characters: Instagram takes at most 2,200.");
    expect(el.querySelectorAll("[data-post]")[0].textContent).not.toContain("Instagram takes at most");
  });

  it("turns a post streaming in into its card once the reply is stored", async () => {
    const el = await open();
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    const ws = FakeSocket.instances[0];
    act(() => ws.serverOpen());
    const say = (frame: Record<string, unknown>) => act(() => ws.serverMessage(JSON.stringify(frame)));
    say({ seq: 8, type: "message", turn: 7, message: message(7, "user", "One for Facebook", { status: "pending", seq: 8 }) });
    say({ seq: 9, type: "delta", turn: 7, text: "```post\nSunday opening: 8 to 12." });
    await vi.waitFor(() => expect(el.querySelector('li[data-status="writing"]')?.textContent).toContain("Sunday opening"));
    expect(el.querySelectorAll("[data-post]")).toHaveLength(3);
    say({ seq: 10, type: "completed", turn: 7, message: message(8, "assistant", "```post\nSunday opening: 8 to 12.\n\n#sunday\n```", { seq: 10 }) });
    await vi.waitFor(() => expect(el.querySelectorAll("[data-post]")).toHaveLength(4));
    expect(el.querySelectorAll("[data-post]")[3].textContent).toContain("#sunday");
  });

  it("sends words only on the assistant's route, and stops a reply", async () => {
    messages = [message(1, "user", "Write a post", { status: "pending" })];
    const el = await render(<SocialAssistant agent={AGENT} onUseInComposer={() => {}} />);
    await vi.waitFor(() => expect(button(el, "Stop")).toBeTruthy());
    expect(el.querySelector('input[type="file"]')).toBeNull();
    await click(button(el, "Stop"));
    expect(fetched.some((r) => r.method === "POST" && r.url.endsWith("/api/social/ai/chat/interrupt?agent_id=4"))).toBe(true);

    messages = [];
    unmountAll();
    const fresh = await render(<SocialAssistant agent={AGENT} onUseInComposer={() => {}} />);
    await vi.waitFor(() => expect(fresh.querySelector("textarea")).not.toBeNull());
    const box = fresh.querySelector<HTMLTextAreaElement>("textarea")!;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(box, "A post about buns");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(button(fresh, "Send"));
    await vi.waitFor(() =>
      expect(calls.find((c) => c.method === "POST" && c.path === "/api/social/ai/chat")?.body).toEqual({ agent_id: 4, text: "A post about buns" }),
    );
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await open();
    expect(button(el.querySelector<HTMLElement>("[data-post]")!, "Použít v novém příspěvku")).toBeTruthy();
    expect(el.textContent).toContain("Požádejte o příspěvek");
  });
});
