// The first-run checklist: each step ticked from the person's own keys, agents and projects, gone once all
// are done, and put away for this person only.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { button, render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { FirstRunChecklist } from "./FirstRunChecklist";

const KEY = { id: 1, provider: "anthropic", last_four: "7f3a", base_url: null, created_at: "2026-01-01T00:00:00Z" };
const AGENT = { id: 5, name: "Coder", type: "coding" };
const project = (status: string) => ({ id: 9, agent_id: 5, name: "Site", status });

let me = { id: 3, username: "lucie" };
let data: { keys: unknown[]; agents: unknown[]; projects: unknown[] };
let answered: string[] = [];

beforeEach(() => {
  setAccessToken("t");
  localStorage.clear();
  me = { id: 3, username: "lucie" };
  data = { keys: [], agents: [], projects: [] };
  answered = [];
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const path = new URL((input as Request).url).pathname;
    answered.push(path);
    switch (path) {
      case "/api/auth/me":
        return json(200, me);
      case "/api/settings/api-keys":
        return json(200, data.keys);
      case "/api/agents":
        return json(200, data.agents);
      case "/api/projects":
        return json(200, data.projects);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
});

/** Render the card and wait until all four answers it depends on have arrived and been rendered. */
async function settled(): Promise<HTMLElement> {
  answered = [];
  const el = await render(<FirstRunChecklist />);
  const needed = ["/api/auth/me", "/api/settings/api-keys", "/api/agents", "/api/projects"];
  await vi.waitFor(() => expect(new Set(answered)).toEqual(new Set(needed)));
  await act(async () => {}); // let the last answer render
  return el;
}

/** Each step's text and whether it is ticked, once the card has loaded. */
async function steps(): Promise<{ el: HTMLElement; items: [string, boolean][] }> {
  const el = await render(<FirstRunChecklist />);
  await vi.waitFor(() => expect(el.querySelector("ol")).not.toBeNull());
  const items = [...el.querySelectorAll("ol li")].map(
    (li): [string, boolean] => [li.querySelector("a, span:not([aria-hidden])")?.textContent ?? "", /\((done|hotovo)\)/.test(li.textContent!)],
  );
  return { el, items };
}

describe("the first-run checklist", () => {
  it("leads a new family member with no keys through three steps, saying keys are per person", async () => {
    const { el, items } = await steps();
    expect(items).toEqual([
      ["Add a key for your model's provider", false],
      ["Create an agent", false],
      ["Start something", false],
    ]);
    expect(el.textContent).toContain("Each person's keys are their own: a new family member starts with none");
    expect(el.textContent).toContain("0 of 3 done");
    const links = [...el.querySelectorAll("ol a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["/settings", "/agents/new", "/agents/new"]);
  });

  it("ticks the key and the agent from real data, and leads to the agent to start something", async () => {
    data = { keys: [KEY], agents: [AGENT], projects: [] };
    const { el, items } = await steps();
    expect(items.map(([, done]) => done)).toEqual([true, true, false]);
    expect(el.textContent).toContain("2 of 3 done");
    expect([...el.querySelectorAll("ol a")].map((a) => a.getAttribute("href"))).toEqual(["/agents/5"]);
  });

  it("counts a project as started once it has left 'created'", async () => {
    data = { keys: [KEY], agents: [AGENT], projects: [project("created")] };
    const { el, items } = await steps();
    expect(items[2]).toEqual(["Start something", false]);
    expect(el.querySelector("ol a")?.getAttribute("href")).toBe("/projects/9");
  });

  it("is gone once every step is done", async () => {
    data = { keys: [KEY], agents: [AGENT], projects: [project("stopped")] };
    expect((await settled()).textContent).toBe("");
  });

  it("can be hidden, for this person only", async () => {
    const { el } = await steps();
    act(() => button(el, "Hide this list").click());
    expect(el.textContent).toBe("");
    unmountAll();
    expect((await settled()).textContent).toBe("");

    me = { id: 4, username: "petr" }; // the next person on the same device still gets theirs
    const { items } = await steps();
    expect(items).toHaveLength(3);
  });
});

describe("the first-run checklist in Czech", () => {
  it("names its steps and progress in Czech", async () => {
    await act(async () => applyLanguage("cs"));
    data = { keys: [KEY], agents: [], projects: [] };
    const { el, items } = await steps();
    expect(items).toEqual([
      ["Přidejte klíč od poskytovatele modelu", true],
      ["Vytvořte agenta", false],
      ["Něco spusťte", false],
    ]);
    expect(el.querySelector("h2")?.textContent).toBe("Začínáme");
    expect(el.textContent).toContain("Hotovo 1 z 3");
    expect(el.textContent).toContain("Každý má své vlastní klíče");
    expect(button(el, "Skrýt tento seznam")).toBeDefined();
  });
});
