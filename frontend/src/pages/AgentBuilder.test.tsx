// The Agent Builder in plain words: templates count their tools correctly ("1 tool"), tools are shown by
// their plain names and descriptions (the code name only as a small hint), and the model field says what
// the model does while MCP servers sit under "Advanced".
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { render, unmountAll } from "../testing/render";
import { AgentBuilderPage } from "./AgentBuilder";

const template = (key: string, name: string, tools: string[]) => ({
  key, name, type: key, description: `${name}, described.`, model: "anthropic/claude-opus-4-6", tools,
  identity: "You help.", global_rules: "", mcp_servers: {},
});
const TEMPLATES = [template("research", "Research Agent", ["claude_code"]), template("learning", "Tutor", ["web_search", "web_fetch"])];
const TOOLS = [
  { name: "web_search", label: "Web search", description: "Search the web." },
  { name: "web_fetch", label: "Read web pages", description: "Open a web page and read what it says." },
  { name: "claude_code", label: "Claude Code", description: "Let Claude Code work in a session of its own." },
];

beforeEach(() => {
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/agent-templates":
        return json(200, TEMPLATES);
      case "/api/agent-tools":
        return json(200, TOOLS);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

const mount = () => render(<AgentBuilderPage />);

function click(el: HTMLElement, name: string) {
  const button = [...el.querySelectorAll("button")].find((b) => (b.getAttribute("aria-label") ?? b.textContent) === name);
  if (!button) throw new Error(`no button "${name}"`);
  act(() => button.click());
}

/** A checkbox's accessible name, from the element its aria-labelledby points at. */
const nameOf = (box: Element) => document.getElementById(box.getAttribute("aria-labelledby") ?? "")?.textContent;
const descriptionOf = (box: Element) => document.getElementById(box.getAttribute("aria-describedby") ?? "")?.textContent;

describe("Agent Builder", () => {
  it("counts a template's tools in the right number", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Research Agent"));
    expect(el.textContent).toContain("anthropic/claude-opus-4-6 · 1 tool");
    expect(el.textContent).not.toContain("1 tools");
    expect(el.textContent).toContain("anthropic/claude-opus-4-6 · 2 tools");
  });

  it("shows tools by their plain names and descriptions, with the code name only as a hint", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Tutor"));
    click(el, "Use template: Tutor");
    await vi.waitFor(() => expect(el.querySelectorAll("input[type=checkbox]")).toHaveLength(3));

    const boxes = [...el.querySelectorAll("input[type=checkbox]")];
    expect(boxes.map(nameOf)).toEqual(["Web search", "Read web pages", "Claude Code"]);
    expect(boxes.map(descriptionOf)).toEqual(TOOLS.map((t) => t.description));
    expect(boxes.map((b) => (b as HTMLInputElement).checked)).toEqual([true, true, false]);
    expect([...el.querySelectorAll("code")].map((c) => c.textContent)).toEqual(["web_search", "web_fetch", "claude_code"]);
  });

  it("names the model by what it does and keeps MCP servers under Advanced", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Tutor"));
    click(el, "Build from scratch");
    const labels = [...el.querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toContain("The model that plans and checks the work");
    expect(el.textContent).toContain('The "manager model"');
    const details = el.querySelector("details")!;
    expect(details.querySelector("summary")?.textContent).toBe("Advanced: connections to other services (MCP servers)");
    expect(details.open).toBe(false);
    expect(el.textContent).not.toMatch(/sandbox|tmux/i);
  });
});
