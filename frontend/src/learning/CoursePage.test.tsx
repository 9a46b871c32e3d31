// A course's page: its level with what it means, the chat over /ws/course/{id}/chat, the notes (refreshed when
// the tutor's tool card says it rewrote them, edited and saved), and Review mode: an answer graded by the tutor
// with its feedback streamed in and the rating in words, a card rated by the student, and the empty state.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { CoursePage } from "../pages/CoursePage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { button, describedBy, render, unmountAll } from "../testing/render";
import { AGENT, card, course, fakeServer, type Call } from "./testServer";

const NOW = Date.now();
const inDays = (days: number) => new Date(NOW + days * 86_400_000 + 60_000).toISOString();
const USER_MESSAGE = {
  id: 1, role: "user", content: "Hello!", status: "done", reply_to: null, error: "", retryable: false, seq: 2,
  created_at: "", tools: [], attachments: [],
};
const REPLY = { ...USER_MESSAGE, id: 2, role: "assistant", content: "Hi! Shall we **practise**?", reply_to: 1, seq: 3 };

let calls: Call[];
let notes: string;
let queue: { cards: ReturnType<typeof card>[]; due: number; total: number; next_due?: string | null };
let graded: ReturnType<typeof card> | null;
let wide: boolean;
let refuseAnswer: (() => Response) | null;

function serve() {
  const server = fakeServer({
    "GET /api/courses/5": () => ({ ...course(), messages: [USER_MESSAGE, REPLY] }),
    "GET /api/agents": [AGENT],
    "POST /api/ws-ticket": { ticket: "x" },
    "GET /api/courses/5/notes": () => ({ content: notes, saved: true }),
    "PUT /api/courses/5/notes": (c: Call) => {
      notes = (c.body as { content: string }).content;
      return { content: notes, saved: true };
    },
    "GET /api/courses/5/review": () => queue,
    "POST /api/courses/5/review/31": () => refuseAnswer?.() ?? { card: card(31), turn: 40 },
    "GET /api/courses/5/review/31": () => graded,
    "POST /api/courses/5/message": () => ({ ...course(), messages: [USER_MESSAGE, REPLY] }),
    "PATCH /api/courses/5": (c: Call) => course(c.body as Record<string, unknown>),
    "DELETE /api/courses/5": () => new Response(null, { status: 204 }),
    "POST /api/courses/5/review/32": (c: Call) => ({
      card: card(32, { due: new Date(Date.now() + 50_000).toISOString(), reviews: 1, last_rating: (c.body as { rating: number }).rating }), turn: null,
    }),
  });
  calls = server.calls;
  setFetch(server.fetch);
}

beforeEach(() => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  wide = false; // a phone, unless a test says otherwise
  vi.stubGlobal("matchMedia", (query: string) => ({
    matches: wide && query.includes("min-width"), media: query, addEventListener: () => undefined, removeEventListener: () => undefined,
  }));
  notes = "# Student notes\n\nLevel: B1\n";
  queue = { cards: [card(31, { front: "the cat" }), card(32, { kind: "mistake", front: "I have went" })], due: 2, total: 5 };
  graded = null;
  refuseAnswer = null;
  serve();
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
});

async function openCourse() {
  const el = await render(
    <Routes>
      <Route path="/course/:id" element={<CoursePage />} />
      <Route path="/agents/3" element={<p>the agent's page</p>} />
    </Routes>,
    "/course/5",
  );
  await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Conversation"));
  await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
  const ws = FakeSocket.instances[0];
  act(() => ws.serverOpen());
  const say = (frame: Record<string, unknown>) => act(() => ws.serverMessage(JSON.stringify(frame)));
  return { el, ws, say };
}

const tab = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLButtonElement>("[role=tab]")].find((t) => t.textContent === name)!;
const click = (target: HTMLElement) => act(async () => target.click());

async function typeAnswer(el: HTMLElement, text: string) {
  const box = el.querySelector<HTMLTextAreaElement>('textarea[name="answer"]')!;
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(box, text);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

describe("a course's page", () => {
  it("shows the level with its meaning, the chat on the course's stream, and the way back", async () => {
    const { el, ws } = await openCourse();
    expect(ws.url).toContain("/ws/course/5/chat?ticket=x&after=3");
    expect(el.textContent).toContain("Level B1");
    expect(el.textContent).toContain("Intermediate: you get by in most everyday situations");
    expect(el.querySelector("strong")?.textContent).toBe("practise");
    await vi.waitFor(() => expect(el.textContent).toContain("Back to Tutor"));
    expect(el.textContent).toContain("Subject: English");
    await vi.waitFor(() => expect(tab(el, "Review (2)")).toBeTruthy());
    // A phone: the notes are a tab of their own.
    expect([...el.querySelectorAll("[role=tab]")].map((t) => t.textContent)).toEqual(["Chat", "Notes", "Review (2)", "Course"]);
    expect(el.querySelector("aside")).toBeNull();
  });

  it("puts the notes beside the chat on a wide screen", async () => {
    wide = true;
    const { el } = await openCourse();
    await vi.waitFor(() => expect(el.querySelector('aside[aria-label="Notes about you"] [data-notes]')?.textContent).toContain("Level: B1"));
    expect(el.querySelector('[role=region][aria-label="Conversation"]')).not.toBeNull();
    expect([...el.querySelectorAll("[role=tab]")].map((t) => t.textContent)).toEqual(["Chat", "Review (2)", "Course"]);
  });

  it("reloads the notes when the tutor's tool card says it rewrote them, and saves the student's edit", async () => {
    const { el, say } = await openCourse();
    await click(tab(el, "Notes"));
    await vi.waitFor(() => expect(el.querySelector("[data-notes]")?.textContent).toContain("Level: B1"));
    notes = "# Student notes\n\nLevel: B2\n";
    say({ seq: 4, type: "message", turn: 5, message: { ...USER_MESSAGE, id: 5, status: "pending", seq: 4 } });
    say({ seq: 5, type: "tool", turn: 5, tool: { id: "n1", name: "update_student_notes", summary: "", status: "running", detail: "" } });
    expect(el.querySelector("[data-notes]")?.textContent).toContain("Level: B1");
    say({ seq: 6, type: "tool", turn: 5, tool: { id: "n1", name: "update_student_notes", summary: "", status: "done", detail: "" } });
    await vi.waitFor(() => expect(el.querySelector("[data-notes]")?.textContent).toContain("Level: B2"));
    expect(el.textContent).toContain("Your tutor has just updated the notes.");

    await click(button(el, "Edit"));
    const editor = el.querySelector<HTMLTextAreaElement>('textarea[name="content"]')!;
    expect(editor.value).toBe(notes);
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(editor, "# Mine\n\nI want verbs.\n");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(button(el, "Save notes"));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ content: "# Mine\n\nI want verbs.\n" });
    await vi.waitFor(() => expect(el.querySelector("[data-notes] h1")?.textContent).toBe("Mine"));
    expect(el.textContent).toContain("Saved. The tutor sees them with your next message.");
  });

  it("reviews a card graded by the tutor, then one rated by the student, then says it is done", async () => {
    const { el, say } = await openCourse();
    await vi.waitFor(() => expect(tab(el, "Review (2)")).toBeTruthy());
    await click(tab(el, "Review (2)"));
    expect(el.textContent).toContain("Review cards are short questions your tutor writes");
    await vi.waitFor(() => expect(el.querySelector("[data-card-front]")?.textContent).toBe("the cat"));
    expect(el.textContent).toContain("Card 1 of 2");
    expect(el.textContent).toContain("Word");
    expect(button(el, "Check").disabled).toBe(true);
    await typeAnswer(el, "kočka");
    await click(button(el, "Check"));
    expect(calls.find((c) => c.path === "/api/courses/5/review/31")?.body).toEqual({ answer: "kočka" });

    // The tutor's feedback streams in; its stored reply brings the card's new schedule.
    say({ seq: 4, type: "message", turn: 40, message: { ...USER_MESSAGE, id: 40, content: "kočka", status: "pending", seq: 4 } });
    say({ seq: 5, type: "delta", turn: 40, text: "Right: *kočka* " });
    expect(el.querySelector("em")?.textContent).toBe("kočka");
    expect(el.textContent).toContain("The tutor is checking your answer…");
    say({ seq: 6, type: "tool", turn: 40, tool: { id: "g", name: "grade_answer", summary: "", status: "done", detail: "" } });
    graded = card(31, { reviews: 1, last_rating: 3, due: inDays(4) });
    say({ seq: 7, type: "completed", turn: 40, message: { ...REPLY, id: 41, reply_to: 40, content: "Right: *kočka* is the cat.", seq: 7 } });
    await vi.waitFor(() => expect(el.querySelector("[data-rating]")?.textContent).toBe("Good (right) — this card comes back in 4 days."));
    expect(el.textContent).toContain("is the cat.");
    await click(button(el, "Next card"));

    // The second card: rated by the student, without the tutor.
    expect(el.querySelector("[data-card-front]")?.textContent).toBe("I have went");
    expect(el.textContent).toContain("Mistake to fix");
    queue = { cards: [], due: 0, total: 5, next_due: inDays(1) };
    await click(button(el, "I didn't"));
    expect(calls.find((c) => c.path === "/api/courses/5/review/32")?.body).toEqual({ rating: 1 });
    expect(el.textContent).toContain("The answer: back 32");
    expect(el.querySelector("[data-rating]")?.textContent).toBe("Again (not remembered yet) — this card comes back in 1 minute.");
    await click(button(el, "Finish"));
    expect(el.textContent).toContain("All done for now. Well done!");
    await vi.waitFor(() => expect(el.textContent).toContain("Nothing to review — next card due tomorrow."));
  });

  it("keeps a review answer the tutor could not check, with Try again, and waits for the grade again", async () => {
    const { el, say } = await openCourse();
    await vi.waitFor(() => expect(tab(el, "Review (2)")).toBeTruthy());
    await click(tab(el, "Review (2)"));
    await vi.waitFor(() => expect(el.querySelector("[data-card-front]")).not.toBeNull());
    await typeAnswer(el, "kočka");
    await click(button(el, "Check"));
    const pending = { ...USER_MESSAGE, id: 40, content: "kočka", status: "pending", seq: 4 };
    say({ seq: 4, type: "message", turn: 40, message: pending });
    say({ seq: 5, type: "error", turn: 40, error: "Overloaded", retryable: true, message: { ...pending, status: "failed", error: "Overloaded", seq: 5 } });
    await vi.waitFor(() => expect(el.textContent).toContain("The tutor could not check this answer: Overloaded"));
    expect(button(el, "I knew it")).toBeTruthy(); // or rate it oneself
    await click(button(el, "Try again"));
    expect(calls.find((c) => c.path === "/api/courses/5/message")?.body).toEqual({ text: "", retry_of: 40 });
    say({ seq: 6, type: "message", turn: 40, message: { ...pending, seq: 6 } });
    await vi.waitFor(() => expect(el.textContent).toContain("The tutor is checking your answer…"));
    expect(el.textContent).not.toContain("could not check");
  });

  it("puts the server's refusal of an answer under it, and any other refusal under the card", async () => {
    refuseAnswer = () => json(422, { detail: [{ loc: ["body", "answer"], msg: "Value error, Use at most 2,000 characters.", type: "value_error" }] });
    const { el } = await openCourse();
    await vi.waitFor(() => expect(tab(el, "Review (2)")).toBeTruthy());
    await click(tab(el, "Review (2)"));
    await vi.waitFor(() => expect(el.querySelector("[data-card-front]")).not.toBeNull());
    await typeAnswer(el, "kočka ".repeat(400));
    await click(button(el, "Check"));
    const box = el.querySelector<HTMLTextAreaElement>('textarea[name="answer"]')!;
    await vi.waitFor(() => expect(box.getAttribute("aria-invalid")).toBe("true"));
    expect(describedBy(box)).toContain("Use at most 2,000 characters.");

    refuseAnswer = () => json(503, { detail: "Sandboxes are disabled on this server" });
    await click(button(el, "Check"));
    await vi.waitFor(() => expect(el.querySelector('article [role="alert"]')?.textContent).toBe("Sandboxes are disabled on this server"));
    expect(box.getAttribute("aria-invalid")).toBe("false");
  });

  it("says when the next card is due when nothing is due, and that review cards come from the tutor when there are none", async () => {
    queue = { cards: [], due: 0, total: 3, next_due: inDays(2) };
    const { el } = await openCourse();
    await click(tab(el, "Review"));
    await vi.waitFor(() => expect(el.textContent).toContain("Nothing to review — next card due in 2 days."));
    unmountAll();
    FakeSocket.instances.length = 0;
    queue = { cards: [], due: 0, total: 0, next_due: null };
    const again = await openCourse();
    await click(tab(again.el, "Review"));
    await vi.waitFor(() => expect(again.el.textContent).toContain("Nothing to review yet. Your tutor adds cards"));
  });

  it("changes the tutor's instructions, and deletes the course after asking, back to the agent", async () => {
    const { el } = await openCourse();
    await click(tab(el, "Course"));
    const box = el.querySelector<HTMLTextAreaElement>('textarea[name="instructions"]')!;
    expect(box.value).toBe("Talk with me.");
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(box, "Only grammar, please.");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await click(button(el, "Save"));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ instructions: "Only grammar, please." });
    await vi.waitFor(() => expect(el.textContent).toContain("Saved."));
    await click(button(el, "Delete course"));
    expect(el.textContent).toContain("Its conversation, the notes and the review cards are removed for good.");
    await click(button(el, "Yes, delete Conversation"));
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/courses/5")).toBe(true);
    await vi.waitFor(() => expect(el.textContent).toBe("the agent's page"));
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const { el } = await openCourse();
    expect(el.textContent).toContain("Úroveň B1");
    await vi.waitFor(() => expect(tab(el, "Opakování (2)")).toBeTruthy());
    expect([...el.querySelectorAll("[role=tab]")].map((t) => t.textContent)).toEqual(["Chat", "Poznámky", "Opakování (2)", "Kurz"]);
    await click(tab(el, "Opakování (2)"));
    await vi.waitFor(() => expect(el.textContent).toContain("Kartička 1 z 2"));
    expect(button(el, "Věděl/a jsem")).toBeTruthy();
    expect(button(el, "Zkontrolovat")).toBeTruthy();
  });
});
