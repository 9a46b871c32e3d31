// The social media manager on its agent's page: sections addressed as ?tab=…, the set-up steps instead of an
// error, a feed problem's Reconnect, the composer (rules under their fields, an upload, both targets' states live,
// Retry), the assistant's "Use in New Post" filling the composer, the inbox (read on opening, replies, the 24-hour
// window and Advanced Access in plain words), and the page Meta's login comes back to.
import { act } from "react";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { fakeServer, type Call } from "../learning/testServer";
import { AgentPage } from "../pages/AgentPage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { button, describedBy, render, unmountAll } from "../testing/render";
import { ConnectPage } from "./ConnectPage";
import { sendToComposer } from "./draft";

const AGENT = {
  id: 9, name: "Bakery posts", type: "social_media", model: "anthropic/claude-sonnet-4-5", claude_model: "", identity: "",
  global_rules: "", tools: [], mcp_servers: {}, created_at: "", updated_at: "",
};

function account(id: number, platform: "instagram" | "facebook", name: string, extra: Record<string, unknown> = {}) {
  return {
    id, agent_id: 9, platform, login: "facebook", name, username: platform === "instagram" ? name : null, picture_url: null,
    status: "connected", status_note: null, token_expires_at: null, data_access_expires_at: null, checked_at: null,
    created_at: "2025-06-01T00:00:00Z", ...extra,
  };
}

const ACCOUNTS = [account(3, "instagram", "anna.bakes"), account(4, "facebook", "Anna Bakes")];
const READY = { ready: true, missing: [], redirect_uri: "https://family.example/api/social/oauth/callback", media_url_prefix: null, graph_version: "v24.0" };

function target(id: number, accountId: number, platform: string, name: string, state: string, extra: Record<string, unknown> = {}) {
  return {
    id, account_id: accountId, account_name: name, platform, state, permalink: null, error: null, action: null,
    next_attempt_at: null, updated_at: "", ...extra,
  };
}

function post(targets: unknown[], extra: Record<string, unknown> = {}) {
  return {
    id: 50, agent_id: 9, kind: "post", text: "Rye", media: [], status: "publishing", scheduled_at: null, published_at: null,
    targets, created_at: "", updated_at: "", ...extra,
  };
}

let calls: Call[];
let routes: Record<string, unknown>;

function serve(extra: Record<string, unknown> = {}) {
  routes = {
    "GET /api/agents": [AGENT],
    "GET /api/agent-tools": [],
    "GET /api/social/setup": READY,
    "GET /api/social/accounts": ACCOUNTS,
    "GET /api/social/feed": { posts: [], problems: [] },
    "POST /api/ws-ticket": { ticket: "x" },
    ...extra,
  };
  const server = fakeServer(routes);
  calls = server.calls;
  setFetch(server.fetch);
}

beforeEach(() => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  sessionStorage.clear();
  serve();
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
});

function Where() {
  const location = useLocation();
  return <p data-where>{location.pathname + location.search}</p>;
}

const page = (
  <>
    <Routes>
      <Route path="/agents/:id" element={<AgentPage />} />
      <Route path="/social/connect" element={<ConnectPage />} />
    </Routes>
    <Where />
  </>
);

const click = (el: HTMLElement) => act(async () => el.click());
const tab = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLElement>('[role="tab"]')].find((found) => found.textContent?.startsWith(name))!;
const where = (el: HTMLElement) => el.querySelector("[data-where]")?.textContent;

function typeText(area: HTMLTextAreaElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(area, value);
  area.dispatchEvent(new Event("input", { bubbles: true }));
}

function labelled(el: HTMLElement, text: string): HTMLElement {
  const label = [...el.querySelectorAll("label")].find((found) => found.textContent === text);
  const control = label && el.querySelector<HTMLElement>(`#${CSS.escape(label.htmlFor)}`);
  if (!control) throw new Error(`no field ${text}`);
  return control;
}

describe("the sections", () => {
  it("opens the section the URL names and keeps the choice in the URL", async () => {
    serve({ "GET /api/social/setup": { ...READY, ready: false, missing: ["meta_app"] }, "GET /api/social/accounts": [] });
    const el = await render(page, "/agents/9?tab=accounts");
    await vi.waitFor(() => expect(el.textContent).toContain("Connecting accounts is not set up yet"));
    expect(tab(el, "Accounts").getAttribute("aria-selected")).toBe("true");
    expect(el.querySelector("[data-redirect-uri]")?.textContent).toBe(READY.redirect_uri);
    expect(el.textContent).toContain("create an app of the type “Business”");
    expect(el.textContent).toContain("AUTOCODE_META_APP_ID, AUTOCODE_META_APP_SECRET, AUTOCODE_PUBLIC_URL");
    expect(el.querySelector('[role="alert"]')).toBeNull(); // steps, not an error
    expect(el.textContent).not.toContain("Connect with Facebook");
    await click(tab(el, "Feed"));
    expect(where(el)).toBe("/agents/9?tab=feed");
    expect(el.textContent).toContain("Your posts");
  });

  it("puts an account's problem above the feed with Reconnect, which opens Accounts", async () => {
    serve({
      "GET /api/social/feed": {
        posts: [{
          id: "p1", account_id: 3, account_name: "anna.bakes", platform: "instagram", text: "Rye loaf", media_type: "IMAGE",
          media_url: null, thumbnail_url: null, permalink: null, created_at: "2025-06-01T10:00:00Z",
          metrics: { reach: 40, likes: 3, saves: 2, follows: 1 },
        }],
        problems: [{ message: "Meta ended this connection: connect it again.", action: "reconnect", retry_at: null, account_id: 4, account_name: "Anna Bakes" }],
      },
    });
    const el = await render(page, "/agents/9");
    await vi.waitFor(() => expect(el.textContent).toContain("Rye loaf"));
    const metrics = [...el.querySelectorAll("[data-metric]")].map((m) => m.getAttribute("data-metric"));
    expect(metrics).toEqual(["reach", "likes", "saves"]); // only those given, in one order; others left out
    expect(el.querySelector('[role="alert"]')?.textContent).toContain("Anna Bakes: Meta ended this connection");
    await click(button(el, "Reconnect in Accounts"));
    expect(where(el)).toBe("/agents/9?tab=accounts");
    await vi.waitFor(() => expect(el.textContent).toContain("Connect with Facebook"));
  });

  it("asks the server for the feed of one platform when filtered", async () => {
    const el = await render(page, "/agents/9?tab=feed");
    await vi.waitFor(() => expect(el.textContent).toContain("No posts yet"));
    const radio = [...el.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find((r) => r.value === "facebook")!;
    await click(radio);
    await vi.waitFor(() => expect(calls.filter((c) => c.path === "/api/social/feed")).toHaveLength(2));
  });
});

describe("New Post", () => {
  it("checks the rules under their fields, uploads a picture, and shows both targets live with Retry", async () => {
    let polls = 0;
    serve({
      "GET /api/social/accounts/3/quota": { account_id: 3, used: 3, total: 100 },
      "POST /api/social/media": () => new Response(JSON.stringify({
        id: 21, kind: "image", content_type: "image/jpeg", name: "rye.jpg", size: 10, width: 1, height: 1, created_at: "",
      }), { status: 201, headers: { "Content-Type": "application/json" } }),
      "GET /api/social/media/21": () => new Response(new Blob(["jpeg"], { type: "image/jpeg" })),
      "POST /api/social/posts": () => new Response(JSON.stringify(post([
        target(1, 3, "instagram", "anna.bakes", "waiting"), target(2, 4, "facebook", "Anna Bakes", "waiting"),
      ])), { status: 202, headers: { "Content-Type": "application/json" } }),
      "GET /api/social/posts/50": () => {
        polls += 1;
        return polls < 2
          ? post([target(1, 3, "instagram", "anna.bakes", "processing"), target(2, 4, "facebook", "Anna Bakes", "published")])
          : post([
            target(1, 3, "instagram", "anna.bakes", "failed", { error: "Instagram could not fetch the picture.", action: "fix_media" }),
            target(2, 4, "facebook", "Anna Bakes", "published", { permalink: "https://www.facebook.com/p/1" }),
          ], { status: "partly_published" });
      },
      "POST /api/social/posts/50/retry": post([target(1, 3, "instagram", "anna.bakes", "waiting"), target(2, 4, "facebook", "Anna Bakes", "published")]),
    });
    const el = await render(page, "/agents/9?tab=new");
    await vi.waitFor(() => expect(el.querySelector("textarea")).not.toBeNull());
    const caption = el.querySelector("textarea")!;
    expect(describedBy(caption)).toContain("0 / 2,200 characters");
    await vi.waitFor(() => expect(el.textContent).toContain("Instagram anna.bakes: 3 of 100 posts used today"));
    await act(async () => typeText(caption, "Fresh rye #bread #rye"));
    expect(describedBy(caption)).toContain("21 / 2,200 characters");
    expect(describedBy(caption)).toContain("2 / 30 hashtags");
    expect(el.querySelectorAll("[data-preview]")).toHaveLength(2);

    await click(button(el, "Publish now"));
    const media = labelled(el, "Picture or video");
    expect(media.getAttribute("aria-invalid")).toBe("true");
    expect(describedBy(media)).toContain("Instagram needs a picture or a video");
    expect(calls.some((c) => c.path === "/api/social/posts")).toBe(false);

    const file = new File(["1"], "rye.jpg", { type: "image/jpeg" }); // the fake server reads bodies as JSON
    Object.defineProperty(media, "files", { value: [file], configurable: true });
    await act(async () => media.dispatchEvent(new Event("change", { bubbles: true })));
    await vi.waitFor(() => expect(el.querySelector('img[alt="Picture 1: rye.jpg"]')).not.toBeNull());
    expect(calls.find((c) => c.method === "POST" && c.path === "/api/social/media")).toBeTruthy();

    await click(button(el, "Publish now"));
    await vi.waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/social/posts")).toBe(true));
    expect(calls.find((c) => c.method === "POST" && c.path === "/api/social/posts")!.body).toEqual({
      agent_id: 9, kind: "post", text: "Fresh rye #bread #rye", media_ids: [21], account_ids: [3, 4], scheduled_at: null,
    });
    await vi.waitFor(() => expect(el.querySelector('[data-target="Anna Bakes"]')?.getAttribute("data-state")).toBe("published"), { timeout: 5000 });
    await vi.waitFor(() => expect(el.querySelector('[data-target="anna.bakes"]')?.getAttribute("data-state")).toBe("failed"), { timeout: 5000 });
    expect(el.querySelector('[data-target="anna.bakes"]')?.textContent).toContain("Instagram could not fetch the picture.");
    expect(el.textContent).toContain("See it on Facebook");
    await click(button(el, "Retry the failed ones"));
    expect(calls.some((c) => c.method === "POST" && c.path === "/api/social/posts/50/retry")).toBe(true);
  });

  it("puts the server's refusal under its field", async () => {
    serve({
      "GET /api/social/accounts": [account(4, "facebook", "Anna Bakes")],
      "POST /api/social/posts": () => json(422, { detail: [{ loc: ["body", "scheduled_at"], msg: "Value error, Pick a time in the future, or publish now.", type: "value_error" }] }),
    });
    const el = await render(page, "/agents/9?tab=new");
    await vi.waitFor(() => expect(el.querySelector("textarea")).not.toBeNull());
    await act(async () => typeText(el.querySelector("textarea")!, "Open on Sunday"));
    await click([...el.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find((r) => r.value === "later")!);
    const at = labelled(el, "Date and time") as HTMLInputElement;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(at, "2999-01-01T10:00");
      at.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(button(el, "Schedule"));
    await vi.waitFor(() => expect(describedBy(labelled(el, "Date and time"))).toContain("Pick a time in the future, or publish now."));
    const sent = calls.find((c) => c.method === "POST" && c.path === "/api/social/posts")!.body as { scheduled_at: string; account_ids: number[] };
    expect(sent.scheduled_at).toBe(new Date("2999-01-01T10:00").toISOString());
    expect(sent.account_ids).toEqual([4]);
  });

  it("takes the assistant's post when its Use in New Post is pressed", async () => {
    const reply = "```post\nFresh rye bread, baked at dawn.\n\n#bread #rye\n```";
    serve({
      "GET /api/social/ai/chat": {
        id: 11, agent_id: 9, agent: "Bakery posts", title: "AI Assistant", answering: false, running: false, last_activity_at: null,
        created_at: "", messages: [{
          id: 2, role: "assistant", content: reply, status: "done", reply_to: 1, error: "", retryable: false, seq: 3,
          created_at: "", tools: [], attachments: [], context: {},
        }],
      },
    });
    const el = await render(page, "/agents/9?tab=assistant");
    await vi.waitFor(() => expect(el.querySelector("[data-post]")).not.toBeNull());
    await click(button(el.querySelector<HTMLElement>("[data-post]")!, "Use in New Post"));
    expect(where(el)).toBe("/agents/9?tab=new");
    await vi.waitFor(() => expect(el.querySelector("textarea")?.value).toBe("Fresh rye bread, baked at dawn.\n\n#bread #rye"));
    // Editable, and taken once: opening New Post again starts empty.
    await act(async () => typeText(el.querySelector("textarea")!, "Fresh rye bread, baked at dawn. Come early!\n\n#bread #rye"));
    expect(el.querySelector("textarea")?.value).toContain("Come early!");
  });

  it("fills the composer with a draft kept for it", async () => {
    sendToComposer(9, { text: "Rye is back", hashtags: ["rye"] });
    const el = await render(page, "/agents/9?tab=new");
    await vi.waitFor(() => expect(el.querySelector("textarea")?.value).toBe("Rye is back\n\n#rye"));
  });
});

const COMMENT = {
  id: "c1", account_id: 3, account_name: "anna.bakes", platform: "instagram", post_id: "m1", post_text: "Rye loaf", author: "jan",
  text: "When do you open?", created_at: "2025-06-02T10:00:00Z", replies: [], can_reply: true, unread: true, read_key: "comment:c1",
};

function conversation(id: string, participant: string, extra: Record<string, unknown>) {
  return {
    id, account_id: 4, account_name: "Anna Bakes", platform: "messenger", participant, updated_at: "2025-06-02T10:00:00Z",
    messages: [{ id: `${id}-m`, from_me: false, author: participant, text: `Hello from ${participant}`, created_at: "2025-06-02T10:00:00Z" }],
    unread: false, read_key: `dm:${id}`, can_reply: true, reply_problem: null, ...extra,
  };
}

describe("Inbox", () => {
  beforeEach(() => {
    serve({
      "GET /api/social/comments": { comments: [COMMENT], problems: [] },
      "GET /api/social/dms": {
        conversations: [
          conversation("t1", "Petra", {}),
          conversation("t2", "Old friend", {
            can_reply: false,
            reply_problem: { message: "More than 24 hours passed since Old friend's last message: Meta allows no reply now.", action: "window_closed", retry_at: null },
          }),
        ],
        problems: [],
      },
      "POST /api/social/inbox/read": () => new Response(null, { status: 204 }),
      "POST /api/social/comments/c1/reply": { id: "r1" },
      "POST /api/social/dms/t1/reply": () => json(409, {
        detail: "Meta refused: this person has no role on your Meta app.", action: "advanced_access", retry_at: null,
      }),
    });
  });

  it("marks a comment read when opened and replies under it", async () => {
    const el = await render(page, "/agents/9?tab=inbox");
    await vi.waitFor(() => expect(el.querySelector("[data-unread]")).not.toBeNull());
    expect(tab(el, "Comments").textContent).toContain("1");
    await click(el.querySelector<HTMLElement>('[data-comment="c1"] button')!);
    await vi.waitFor(() => expect(calls.find((c) => c.path === "/api/social/inbox/read")?.body).toEqual({ keys: ["comment:c1"] }));
    const box = labelled(el, "Reply to jan") as unknown as HTMLTextAreaElement;
    await act(async () => typeText(box, "At seven!"));
    await click(button(el, "Send reply"));
    await vi.waitFor(() => expect(el.textContent).toContain("Reply sent."));
    expect(calls.find((c) => c.path === "/api/social/comments/c1/reply")?.body).toEqual({ account_id: 3, text: "At seven!" });
  });

  it("puts the server's refusal of a reply's words under its box", async () => {
    serve({
      "GET /api/social/comments": { comments: [COMMENT], problems: [] },
      "GET /api/social/dms": { conversations: [], problems: [] },
      "POST /api/social/inbox/read": () => new Response(null, { status: 204 }),
      "POST /api/social/comments/c1/reply": () =>
        json(422, { detail: [{ loc: ["body", "text"], msg: "Value error, Write at most 8,000 characters.", type: "value_error" }] }),
    });
    const el = await render(page, "/agents/9?tab=inbox");
    await vi.waitFor(() => expect(el.querySelector('[data-comment="c1"] button')).not.toBeNull());
    await click(el.querySelector<HTMLElement>('[data-comment="c1"] button')!);
    const box = labelled(el, "Reply to jan") as unknown as HTMLTextAreaElement;
    await act(async () => typeText(box, "At seven!"));
    await click(button(el, "Send reply"));
    await vi.waitFor(() => expect(box.getAttribute("aria-invalid")).toBe("true"));
    expect(describedBy(box)).toContain("Write at most 8,000 characters.");
  });

  it("explains Advanced Access for a refused DM, and the 24-hour window instead of a reply box", async () => {
    const el = await render(page, "/agents/9?tab=inbox");
    await vi.waitFor(() => expect(tab(el, "Messages")).toBeTruthy());
    await click(tab(el, "Messages"));
    await vi.waitFor(() => expect(el.querySelector('[data-conversation="Petra"]')).not.toBeNull());
    await click(el.querySelector<HTMLElement>('[data-conversation="Petra"] button')!);
    await act(async () => typeText(labelled(el, "Reply to Petra") as unknown as HTMLTextAreaElement, "Hi Petra"));
    await click(button(el, "Send reply"));
    await vi.waitFor(() => expect(el.querySelector('[data-action="advanced_access"]')).not.toBeNull());
    const note = el.querySelector('[data-action="advanced_access"]')!.textContent!;
    expect(note).toContain("no role on your Meta app");
    expect(note).toContain("Advanced Access");
    expect(note).toContain("App Review");
    await click(el.querySelector<HTMLElement>('[data-conversation="Old friend"] button')!);
    const old = el.querySelector('[data-conversation="Old friend"]')!;
    expect(old.textContent).toContain("More than 24 hours passed");
    expect(old.querySelector("textarea")).toBeNull();
  });
});

describe("coming back from Meta's login", () => {
  it("hands the code over once, offers the accounts and goes back to the agent's Accounts", async () => {
    serve({
      "POST /api/social/oauth/callback": {
        id: 7, agent_id: 9, login: "facebook", problem: null, expires_at: "",
        candidates: [
          { key: "page:1", platform: "facebook", name: "Anna Bakes", username: null, picture_url: null, already_connected: true, note: null },
          { key: "ig:2", platform: "instagram", name: "anna.bakes", username: "anna.bakes", picture_url: null, already_connected: false, note: "Through the Page Anna Bakes" },
        ],
      },
      "POST /api/social/connections/7": [ACCOUNTS[0]],
    });
    const el = await render(page, "/social/connect?state=s1&code=c1");
    await vi.waitFor(() => expect(el.textContent).toContain("Choose the accounts to connect"));
    expect(calls.filter((c) => c.path === "/api/social/oauth/callback")).toHaveLength(1);
    expect(calls.find((c) => c.path === "/api/social/oauth/callback")?.body).toEqual({ state: "s1", code: "c1" });
    expect(el.textContent).toContain("Already connected");
    const boxes = [...el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    expect(boxes.map((box) => box.checked)).toEqual([false, true]);
    await click(button(el, "Connect"));
    await vi.waitFor(() => expect(where(el)).toBe("/agents/9?tab=accounts"));
    expect(calls.find((c) => c.path === "/api/social/connections/7")?.body).toEqual({ keys: ["ig:2"] });
  });

  it("says what Meta refused", async () => {
    const el = await render(page, "/social/connect?error=access_denied");
    expect(el.textContent).toContain("Meta did not connect the accounts: access_denied");
    expect(calls.some((c) => c.path === "/api/social/oauth/callback")).toBe(false);
  });
});
