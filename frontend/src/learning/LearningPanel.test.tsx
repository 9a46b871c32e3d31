// The learning agent's page section: subjects open onto their courses (level, cards due), a new subject opens
// ready for its first course, a new course is created with its kind and its page opens, and a subject is
// renamed and deleted after asking. In Czech too.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import type { Agent } from "../api/queries";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { json } from "../testing/http";
import { button, field, fill, render, unmountAll } from "../testing/render";
import { LearningPanel } from "./LearningPanel";
import { AGENT, course, fakeServer, subject, type Call } from "./testServer";

let calls: Call[];
let subjects: ReturnType<typeof subject>[];

beforeEach(() => {
  setAccessToken("t");
  subjects = [subject(), subject({ id: 4, name: "Python", slug: "python", due: 0, courses: [] })];
  const server = fakeServer({
    "GET /api/agents/3/subjects": () => subjects,
    "POST /api/agents/3/subjects": (c: Call) => {
      const made = subject({ id: 7, name: (c.body as { name: string }).name, due: 0, courses: [] });
      subjects = [...subjects, made];
      return json(201, made);
    },
    "POST /api/subjects/4/courses": (c: Call) => json(201, course({ id: 9, subject_id: 4, ...(c.body as object), level: "", due: 0 })),
    "PATCH /api/subjects/4": (c: Call) => subject({ id: 4, ...(c.body as object), courses: [] }),
    "DELETE /api/subjects/4": () => {
      subjects = subjects.filter((s) => s.id !== 4);
      return new Response(null, { status: 204 });
    },
  });
  calls = server.calls;
  setFetch(server.fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

const routes = (
  <Routes>
    <Route path="/agents/3" element={<LearningPanel agent={AGENT as Agent} />} />
    <Route path="/course/:id" element={<p>course page</p>} />
  </Routes>
);

const click = (el: HTMLElement) => act(async () => el.click());
/** The panel once its subjects are there. */
async function openPanel() {
  const el = await render(routes, "/agents/3");
  await vi.waitFor(() => expect(el.querySelector('ul[aria-label="Subjects"], ul[aria-label="Předměty"]')).not.toBeNull());
  return el;
}
const subjectButton = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll<HTMLButtonElement>("button[aria-expanded]")].find((b) => b.textContent?.includes(name))!;

describe("the learning agent's subjects and courses", () => {
  it("opens a subject onto its courses with their level and the cards due", async () => {
    const el = await openPanel();
    expect(el.querySelector("h2")?.textContent).toBe("Subjects");
    expect(el.textContent).toContain("2 cards to review"); // the subject's count
    expect(el.textContent).toContain("nothing to review");
    expect(el.textContent).toContain("0 courses");
    const english = subjectButton(el, "English");
    expect(english.getAttribute("aria-expanded")).toBe("false");
    expect(el.querySelector('ul[aria-label="Courses in English"]')).toBeNull();
    await click(english);
    expect(english.getAttribute("aria-expanded")).toBe("true");
    const list = el.querySelector('ul[aria-label="Courses in English"]')!;
    expect(list.querySelector("a")?.getAttribute("href")).toBe("/course/5");
    expect(list.textContent).toContain("Level B1");
    expect(list.querySelector("[title]")?.getAttribute("title")).toContain("Intermediate");
    expect(list.textContent).toContain("2 cards to review");
  });

  it("creates a subject that opens ready for a course, then a language course whose page opens", async () => {
    const el = await openPanel();
    await click(button(el, "+ New Subject"));
    await fill(el, { Name: "German" });
    await click(button(el, "Create subject"));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ name: "German" });
    await act(async () => undefined);
    expect(subjectButton(el, "German").getAttribute("aria-expanded")).toBe("true");
    expect(el.textContent).toContain("No courses in this subject yet.");

    await click(subjectButton(el, "Python"));
    const python = subjectButton(el, "Python").closest("li")!;
    await click(button(python, "+ New Course"));
    expect(python.textContent).toContain("New course in Python");
    await fill(python, { Name: "Basics" });
    const instructions = field(python, "Instructions for the tutor") as unknown as HTMLTextAreaElement;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(instructions, "Teach me slowly.");
      instructions.dispatchEvent(new Event("input", { bubbles: true }));
    });
    const cefr = [...python.querySelectorAll<HTMLLabelElement>("label")].find((l) => l.textContent === "Language course (levels A1–C2)")!;
    const other = [...python.querySelectorAll<HTMLLabelElement>("label")].find((l) => l.textContent === "Another subject")!;
    expect(cefr.querySelector("input")?.checked).toBe(true);
    await click(other.querySelector("input")!);
    await click(button(python, "Create course"));
    expect(calls.find((c) => c.path === "/api/subjects/4/courses")?.body).toEqual({
      name: "Basics", instructions: "Teach me slowly.", level_scale: "free",
    });
    await act(async () => undefined);
    expect(el.textContent).toBe("course page");
  });

  it("renames a subject, and deletes it only after asking", async () => {
    const el = await openPanel();
    await click(el.querySelector<HTMLButtonElement>('button[aria-label="Rename or delete Python"]')!);
    const python = subjectButton(el, "Python").closest("li")!;
    await fill(python, { Name: "Python 3" });
    await click(button(python, "Rename"));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ name: "Python 3" });
    expect(python.textContent).toContain("Renamed.");
    await click(button(python, "Delete subject"));
    expect(python.textContent).toContain("Delete “Python”?");
    expect(python.textContent).toContain("Its courses, with their conversations, notes and review cards, are removed for good.");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await click(button(python, "Yes, delete Python"));
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/subjects/4")).toBe(true);
    await act(async () => undefined);
    expect(subjectButton(el, "Python")).toBeUndefined();
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await openPanel();
    expect(el.querySelector("h2")?.textContent).toBe("Předměty");
    expect(el.textContent).toContain("2 kartičky k opakování");
    expect(el.textContent).toContain("0 kurzů");
    await click(subjectButton(el, "English"));
    expect(el.textContent).toContain("Úroveň B1");
    expect(button(el, "+ Nový kurz")).toBeTruthy();
    expect(button(el, "+ Nový předmět")).toBeTruthy();
  });
});
