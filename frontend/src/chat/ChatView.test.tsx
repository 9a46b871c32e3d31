// The chat view over a live stream (FakeSocket plays the server): deltas build the reply, a tool card is
// updated in place, the stored reply replaces the preview, an error keeps the message with Retry, and Stop
// shows while a reply is written. Kind-neutral: the actions are the harness's own.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeSocket } from "../testing/FakeSocket";
import { button, render, unmountAll } from "../testing/render";
import { ChatView, type ChatActions } from "./ChatView";
import type { ChatMessage } from "./types";
import { useChat } from "./useChat";

const OPTIONS = { WebSocketImpl: FakeSocket as unknown as typeof WebSocket, getTicket: async () => "tkt", baseUrl: "ws://t" };

function message(overrides: Partial<ChatMessage>): ChatMessage {
  return {
    id: 1, role: "user", content: "What is the capital of Norway?", status: "done", reply_to: null, error: "",
    retryable: false, seq: 1, created_at: "2026-11-28T10:00:00Z", tools: [], attachments: [], ...overrides,
  };
}

function Harness({ initial, actions }: { initial: ChatMessage[]; actions: ChatActions }) {
  const chat = useChat("/ws/chat-under-test", initial, OPTIONS);
  return <ChatView chat={chat} actions={actions} />;
}

function makeActions() {
  return { send: vi.fn(async () => undefined), stop: vi.fn(async () => undefined), retry: vi.fn(async () => undefined) };
}

async function open(initial: ChatMessage[], actions = makeActions()) {
  const el = await render(<Harness initial={initial} actions={actions} />);
  await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
  const ws = FakeSocket.instances[0];
  act(() => ws.serverOpen());
  const say = (frame: Record<string, unknown>) => act(() => ws.serverMessage(JSON.stringify(frame)));
  return { el, ws, say, actions };
}

beforeEach(() => {
  FakeSocket.instances.length = 0;
});
afterEach(() => unmountAll());

describe("ChatView", () => {
  it("builds the reply from deltas, updates a tool card in place, then shows the stored reply with its usage", async () => {
    const pending = message({ id: 5, status: "pending", seq: 7 });
    const { el, ws, say } = await open([pending]);
    expect(ws.url).toContain("after=7");
    expect(button(el, "Stop")).toBeTruthy();
    say({ seq: 8, type: "delta", turn: 5, text: "The capital " });
    say({ seq: 9, type: "tool", turn: 5, tool: { id: "t1", name: "WebSearch", summary: "capital of Norway", status: "running", detail: "" } });
    say({ seq: 10, type: "delta", turn: 5, text: "is **Oslo**." });
    expect(el.querySelector("strong")?.textContent).toBe("Oslo");
    expect(el.textContent).toContain("Writing a reply…");
    say({ seq: 11, type: "tool", turn: 5, tool: { id: "t1", name: "WebSearch", summary: "capital of Norway", status: "done", detail: "" } });
    const cards = el.querySelectorAll("[data-tool-id]");
    expect(cards).toHaveLength(1);
    expect(cards[0].getAttribute("data-status")).toBe("done");
    expect(cards[0].textContent).toContain("done");
    expect(cards[0].textContent).toContain("Searched the web"); // a tool's name said in words

    const reply = message({
      id: 6, role: "assistant", content: "The capital is **Oslo**.", reply_to: 5, seq: 12, cost_usd: 0.0123,
      usage: { input_tokens: 1200, output_tokens: 30, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      tools: [{ id: "t1", name: "WebSearch", summary: "capital of Norway", status: "done", detail: "" }],
    });
    say({ seq: 12, type: "completed", turn: 5, message: reply });
    expect(el.textContent).not.toContain("Writing a reply…");
    expect(el.querySelectorAll("[data-tool-id]")).toHaveLength(1);
    expect(el.querySelector("[data-usage]")?.textContent).toBe("1,200 tokens in, 30 out · about $0.0123");
    expect(el.querySelector('[data-role="user"]')?.getAttribute("data-status")).toBe("done");
    expect(() => button(el, "Stop")).toThrow();
  });

  it("shows a denied tool call in words", async () => {
    const { el, say } = await open([message({ id: 5, status: "pending", seq: 2 })]);
    say({ seq: 3, type: "tool", turn: 5, tool: { id: "w", name: "Write", summary: "/etc/passwd", status: "denied", detail: "outside the folder" } });
    expect(el.querySelector("[data-tool-id=w]")?.textContent).toContain("not allowed");
  });

  it("keeps a failed message with its error, what was said, and a Retry that sends it again", async () => {
    const { el, say, actions } = await open([message({ id: 5, status: "pending", seq: 2 })]);
    say({ seq: 3, type: "delta", turn: 5, text: "Partial answer" });
    const partial = message({ id: 6, role: "assistant", content: "Partial answer", status: "interrupted", reply_to: 5, seq: 4 });
    say({ seq: 4, type: "completed", turn: 5, message: partial });
    const failed = message({ id: 5, status: "failed", error: "Overloaded (529)", retryable: true, seq: 5 });
    say({ seq: 5, type: "error", turn: 5, error: "Overloaded (529)", retryable: true, message: failed });
    expect(el.textContent).toContain("This message failed: Overloaded (529)");
    expect(el.textContent).toContain("What is the capital of Norway?");
    expect(el.textContent).toContain("Partial answer");
    expect(el.textContent).toContain("Stopped before the end");
    await act(async () => button(el, "Retry").click());
    expect(actions.retry).toHaveBeenCalledWith(5);
    // The server says the message is pending again: the error goes, a new reply is awaited.
    say({ seq: 6, type: "message", turn: 5, message: message({ id: 5, status: "pending", seq: 6 }) });
    expect(el.textContent).not.toContain("This message failed");
    expect(el.textContent).toContain("Writing a reply…");
  });

  it("stops a reply with Stop, and sends what is typed", async () => {
    const { el, actions, say } = await open([message({ id: 5, status: "pending", seq: 2 })]);
    await act(async () => button(el, "Stop").click());
    expect(actions.stop).toHaveBeenCalledOnce();
    say({ seq: 3, type: "completed", turn: 5, message: message({ id: 6, role: "assistant", content: "Half", status: "interrupted", reply_to: 5, seq: 3 }) });
    say({ seq: 4, type: "notice", turn: 5, message: message({ id: 7, role: "notice", content: "Stopped.", reply_to: 5, seq: 4 }) });
    expect(el.querySelector('[data-role="notice"]')?.textContent).toContain("Stopped.");
    const input = el.querySelector("textarea")!;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(input, "And Sweden?");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(async () => button(el, "Send").click());
    expect(actions.send).toHaveBeenCalledWith({ text: "And Sweden?", attachments: [] });
    expect(input.value).toBe("");
  });

  it("sends attached files as base64 and shows a stored picture inline", async () => {
    const picture = message({ id: 8, content: "Here is the map", seq: 3, attachments: [
      { name: "map.png", media_type: "image/png", path: "attachments/map.png", image_base64: "iVBORw0KGgo=" },
      { name: "notes.txt", media_type: "text/plain", path: "attachments/notes.txt", image_base64: "" },
    ] });
    const { el, actions } = await open([picture]);
    const img = el.querySelector("img");
    expect(img?.getAttribute("alt")).toBe("map.png");
    expect(img?.getAttribute("src")).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(el.textContent).toContain("Attached: notes.txt");

    const input = el.querySelector<HTMLInputElement>("input[type=file]")!;
    const file = new File(["hello"], "hello.txt", { type: "text/plain" });
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    await act(async () => input.dispatchEvent(new Event("change", { bubbles: true })));
    await vi.waitFor(() => expect(el.querySelector('[aria-label="Files to send"]')?.textContent).toContain("hello.txt"));
    await act(async () => button(el, "Send").click());
    expect(actions.send).toHaveBeenCalledWith({
      text: "",
      attachments: [{ name: "hello.txt", media_type: "text/plain", content_base64: btoa("hello"), size: 5 }],
    });
  });
});
