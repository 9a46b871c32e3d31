// The Agent Builder in plain words: templates count their tools correctly ("1 tool"), tools are shown by
// their plain names and descriptions (the code name only as a small hint), and the model field says what
// the model does while MCP servers sit under "Advanced". The model field offers the models per provider and
// "Other…", a template starts with the model the server picked for the person's keys, a missing key is said
// plainly with the way to Settings, and errors sit under their fields with the first one focused.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { limits } from "../api/limits";
import { setFetch } from "../api/transport";
import { applyLanguage, i18n } from "../i18n/index";
import { json } from "../testing/http";
import { describedBy, fill, render, unmountAll } from "../testing/render";
import { AgentBuilderPage } from "./AgentBuilder";

const template = (key: string, name: string, tools: string[]) => ({
  key, name, type: key, description: `${name}, described.`, model: "anthropic/claude-opus-4-6", tools,
  identity: "You help.", global_rules: "", mcp_servers: {},
});
const TEMPLATES = [
  template("research", "Research Agent", ["claude_code"]),
  template("learning", "Tutor", ["web_search", "web_fetch"]),
  { ...template("coding", "Coding Agent", ["web_search"]), model: "openai/gpt-5.3-codex" },
];
const CLAUDE_CODE_REASON = "Claude Code, which writes the code in coding projects, always uses an Anthropic key.";

/** GET /api/models as the server answers it for a person with keys for `keys`. */
function catalogue(keys: string[], codingModel = "openai/gpt-5.3-codex") {
  const provider = (name: string, label: string, models: [string, string][]) => ({
    name, label, purpose: `For ${label}.`, has_key: keys.includes(name),
    models: models.map(([model, modelLabel]) => ({ name: model, label: modelLabel })),
  });
  return {
    providers: [
      provider("openai", "OpenAI", [["openai/gpt-5.3-codex", "GPT-5.3 Codex"], ["openai/gpt-5", "GPT-5"]]),
      provider("anthropic", "Anthropic", [["anthropic/claude-opus-4-6", "Claude Opus 4.6"], ["anthropic/claude-sonnet-4-5", "Claude Sonnet 4.5"]]),
    ],
    key_providers: keys,
    needs: [{ type: "coding", provider: "anthropic", reason: CLAUDE_CODE_REASON }],
    templates: [
      { template: "research", model: "anthropic/claude-opus-4-6" },
      { template: "learning", model: "anthropic/claude-opus-4-6" },
      { template: "coding", model: codingModel },
    ],
  };
}

let models: unknown = catalogue([]);
let createAnswer: Response | null = null;
const created: unknown[] = [];
const EVERY_KIND = ["coding", "research", "learning", "social_media", "custom"];
const TOOLS = [
  { name: "web_search", label: "Web search", description: "Search the web.", agent_types: EVERY_KIND },
  { name: "web_fetch", label: "Read web pages", description: "Open a web page and read what it says.", agent_types: EVERY_KIND },
  { name: "claude_code", label: "Claude Code", description: "Let Claude Code work in a session of its own.", agent_types: ["research"] },
];

beforeEach(() => {
  setAccessToken("t");
  models = catalogue([]);
  createAnswer = null;
  created.length = 0;
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    switch (new URL(request.url).pathname) {
      case "/api/agent-templates":
        return json(200, TEMPLATES);
      case "/api/agent-tools":
        return json(200, TOOLS);
      case "/api/models":
        return json(200, models);
      case "/api/agents":
        created.push(await request.json());
        return createAnswer ?? json(201, { id: 7 });
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
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

  it("shows the tools its kind can use by their plain names and descriptions, with the code name only as a hint", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Tutor"));
    click(el, "Use template: Tutor");
    await vi.waitFor(() => expect(el.querySelectorAll("input[type=checkbox]")).toHaveLength(2));

    const boxes = [...el.querySelectorAll("input[type=checkbox]")];
    expect(boxes.map(nameOf)).toEqual(["Web search", "Read web pages"]); // a tutor cannot run Claude Code
    expect(boxes.map(descriptionOf)).toEqual(TOOLS.slice(0, 2).map((t) => t.description));
    expect(boxes.map((b) => (b as HTMLInputElement).checked)).toEqual([true, true]);
    expect([...el.querySelectorAll("code")].map((c) => c.textContent)).toEqual(["web_search", "web_fetch"]);
  });

  it("names the model by what it does and keeps MCP servers under Advanced", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Tutor"));
    click(el, "Build from scratch");
    await vi.waitFor(() => expect(el.querySelector("form")).not.toBeNull());
    const labels = [...el.querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toContain("The model that plans and checks the work");
    expect(el.textContent).toContain('The "manager model"');
    const details = el.querySelector("details")!;
    expect(details.querySelector("summary")?.textContent).toBe("Advanced: connections to other services (MCP servers)");
    expect(details.open).toBe(false);
    expect(el.textContent).not.toMatch(/sandbox|tmux/i);
  });
});

const MODEL = "The model that plans and checks the work";

/** The <select> or <input> a label with exactly this text points at. */
function control<T extends HTMLElement>(label: string): T {
  const found = [...document.querySelectorAll("label")].find((l) => l.textContent === label);
  const el = found && document.getElementById(found.htmlFor);
  if (!el) throw new Error(`no control "${label}"`);
  return el as T;
}

function choose(select: HTMLSelectElement, value: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value")!.set!.call(select, value);
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

const warnings = (el: HTMLElement) =>
  [...el.querySelectorAll('[aria-label="Missing API keys"] li')].map((li) => li.textContent);

async function startFrom(el: HTMLElement, name: string) {
  await vi.waitFor(() => expect(el.textContent).toContain(name));
  click(el, `Use template: ${name}`);
  await vi.waitFor(() => expect(el.querySelector("form")).not.toBeNull());
}

describe("the model field", () => {
  it("offers the suggested models grouped by provider, then Other…", async () => {
    const el = await mount();
    await startFrom(el, "Tutor");
    const select = control<HTMLSelectElement>(MODEL);
    expect(select.tagName).toBe("SELECT");
    const groups = [...select.querySelectorAll("optgroup")];
    expect(groups.map((g) => g.label)).toEqual(["OpenAI", "Anthropic"]);
    expect([...groups[1].querySelectorAll("option")].map((o) => o.value)).toEqual([
      "anthropic/claude-opus-4-6", "anthropic/claude-sonnet-4-5",
    ]);
    expect(groups[1].querySelector("option")?.textContent).toBe("Claude Opus 4.6 (anthropic/claude-opus-4-6)");
    expect([...select.options].at(-1)?.textContent).toBe("Other…");
    expect(select.value).toBe("anthropic/claude-opus-4-6");
    expect(describedBy(select)).toContain('"Other…" to type any model');
  });

  it("takes any model under Other…, with the format in its hint", async () => {
    const el = await mount();
    await startFrom(el, "Tutor");
    expect(el.textContent).not.toContain("Model name");
    choose(control<HTMLSelectElement>(MODEL), "__other__");
    const input = control<HTMLInputElement>("Model name");
    expect(describedBy(input)).toContain("As provider/model");
    await fill(el, { "Model name": "openrouter/meta-llama/llama-4" });
    click(el, "Create agent");
    await vi.waitFor(() => expect(created).toHaveLength(1));
    expect(created[0]).toMatchObject({ template: "learning", model: "openrouter/meta-llama/llama-4" });
  });

  it("warns plainly, with the way to Settings, when the model's provider has no key", async () => {
    models = catalogue(["anthropic"]);
    const el = await mount();
    await startFrom(el, "Tutor");
    expect(warnings(el)).toEqual([]);
    choose(control<HTMLSelectElement>(MODEL), "openai/gpt-5");
    expect(warnings(el)).toEqual([
      "You have no OpenAI key yet: add it in Settings. Each person's keys are their own.",
    ]);
    expect(el.querySelector('[aria-label="Missing API keys"] a')?.getAttribute("href")).toBe("/settings");
    choose(control<HTMLSelectElement>(MODEL), "__other__");
    await fill(el, { "Model name": "groq/llama-4" });
    expect(warnings(el)).toEqual(["You have no groq key yet: add it in Settings. Each person's keys are their own."]);
  });
});

describe("a template's model", () => {
  it("is the server's pick for the person's keys, and the form says why", async () => {
    models = catalogue(["anthropic"], "anthropic/claude-opus-4-6");
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("anthropic/claude-opus-4-6 · 1 tool"));
    await startFrom(el, "Coding Agent");
    expect(control<HTMLSelectElement>(MODEL).value).toBe("anthropic/claude-opus-4-6");
    expect(el.textContent).toContain(
      "Set to Claude Opus 4.6, since you have an Anthropic key and no OpenAI key for the template's GPT-5.3 Codex.",
    );
    expect(warnings(el)).toEqual([]);
  });

  it("stays the template's when no key fits, and names every missing key (Claude Code's too)", async () => {
    const el = await mount();
    await startFrom(el, "Coding Agent");
    expect(control<HTMLSelectElement>(MODEL).value).toBe("openai/gpt-5.3-codex");
    expect(el.textContent).not.toContain("Set to");
    expect(warnings(el)).toEqual([
      "You have no OpenAI key yet: add it in Settings. Each person's keys are their own.",
      `${CLAUDE_CODE_REASON} You have no Anthropic key yet: add it in Settings. Each person's keys are their own.`,
    ]);
  });

  it("is kept when the person has its provider's key", async () => {
    models = catalogue(["openai", "anthropic"]);
    const el = await mount();
    await startFrom(el, "Coding Agent");
    expect(control<HTMLSelectElement>(MODEL).value).toBe("openai/gpt-5.3-codex");
    expect(warnings(el)).toEqual([]);
  });
});

describe("the form's errors", () => {
  it("are under their fields, the first invalid one focused, before anything is sent", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Tutor"));
    click(el, "Build from scratch");
    await vi.waitFor(() => expect(el.querySelector("form")).not.toBeNull());
    click(el, "Create agent");
    const name = control<HTMLInputElement>("Name");
    expect(describedBy(name)).toBe(`${limits.AgentCreate.name.rule} | Give the agent a name.`);
    expect(describedBy(control(MODEL))).toContain("Choose the model that plans and checks the work.");
    expect(document.activeElement).toBe(name);
    expect(el.textContent).toContain("Please correct the highlighted fields.");
    expect(created).toEqual([]);
  });

  it("show the name's rule before anything is typed", async () => {
    const el = await mount();
    await startFrom(el, "Tutor");
    expect(describedBy(control<HTMLInputElement>("Name"))).toBe(limits.AgentCreate.name.rule);
  });

  it("show the server's message under the model typed under Other…, and focus it", async () => {
    createAnswer = json(422, { detail: [{ loc: ["body", "model"], msg: 'Model must look like "provider/model"', type: "value_error" }] });
    const el = await mount();
    await startFrom(el, "Tutor");
    choose(control<HTMLSelectElement>(MODEL), "__other__");
    await fill(el, { "Model name": "gpt" });
    click(el, "Create agent");
    const input = control<HTMLInputElement>("Model name");
    await vi.waitFor(() => expect(describedBy(input)).toContain('Model must look like "provider/model"'));
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input);
  });

  it("keep each tool's box on its label's first line, at its full size", async () => {
    const el = await mount();
    await startFrom(el, "Tutor");
    await vi.waitFor(() => expect(el.querySelectorAll("input[type=checkbox]")).toHaveLength(2));
    for (const box of el.querySelectorAll("input[type=checkbox]")) {
      expect(box.className.split(" ")).toEqual(expect.arrayContaining(["shrink-0", "mt-0.5", "size-4"]));
      expect(box.closest("label")?.className.split(" ")).toEqual(expect.arrayContaining(["items-start", "leading-5"]));
    }
  });
});

describe("the Agent Builder in Czech", () => {
  it("counts tools the Czech way (1 nástroj, 2–4 nástroje, 5 nástrojů)", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Research Agent"));
    expect(el.textContent).toContain("anthropic/claude-opus-4-6 · 1 nástroj");
    expect(el.textContent).toContain("anthropic/claude-opus-4-6 · 2 nástroje");
    expect(i18n.t("agents.builder.toolCount", { count: 5 })).toBe("5 nástrojů");
    const headings = [...el.querySelectorAll("h1, h2")].map((h) => h.textContent);
    expect(headings).toEqual(["Nový agent", "Začněte od šablony", "Nebo si agenta postavte sami"]);
    expect([...el.querySelectorAll("button")].map((b) => b.textContent)).toEqual([
      "Použít šablonu", "Použít šablonu", "Použít šablonu", "Postavit od začátku",
    ]);
    expect([...el.querySelectorAll("option")].map((o) => o.textContent)).toContain("Programování");
  });

  it("asks for the agent in Czech, the model's choice and errors included, with no English in its labels", async () => {
    models = catalogue(["anthropic"], "anthropic/claude-opus-4-6");
    await act(async () => applyLanguage("cs"));
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Coding Agent"));
    click(el, "Použít šablonu: Coding Agent");
    await vi.waitFor(() => expect(el.querySelector("form")).not.toBeNull());

    expect(el.querySelector("h1")?.textContent).toBe("Nový agent ze šablony „Coding Agent“");
    expect(el.textContent).toContain(
      "Nastaveno na Claude Opus 4.6: máte klíč pro Anthropic, ale model šablony GPT-5.3 Codex by potřeboval klíč pro OpenAI, který nemáte.",
    );
    const labels = [...el.querySelectorAll("form label")].map((l) => l.textContent);
    expect(labels).toEqual(expect.arrayContaining(["Jméno", "Model, který plánuje a kontroluje práci", "Osobnost", "Pravidla"]));
    expect(el.querySelector("summary")?.textContent).toBe("Pokročilé: propojení s jinými službami (servery MCP)");
    expect(el.querySelector("legend")?.textContent).toBe("Nástroje");

    await fill(el, { "Jméno": "" });
    click(el, "Vytvořit agenta");
    expect(describedBy(control<HTMLInputElement>("Jméno"))).toBe(`${limits.AgentCreate.name.rule} | Dejte agentovi jméno.`);
    const buttons = [...el.querySelectorAll("button")].map((b) => b.textContent ?? "");
    expect(buttons).toEqual(expect.arrayContaining(["Začít jinak", "Psát", "Náhled", "Vytvořit agenta", "Zrušit"]));
    expect(buttons.filter((b) => /create|cancel|write|preview|choose/i.test(b))).toEqual([]);
    expect(created).toEqual([]);
  });
});
