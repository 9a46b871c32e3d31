// The Agent Builder's model checks: a manager model no provider here serves is said before saving, and a coding
// agent chooses Claude Code's own model ("Opus for Claude Code, Codex for the manager").
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n/index";
import { json } from "../testing/http";
import { button, fill, render, unmountAll } from "../testing/render";
import { AgentForm, type AgentDraft } from "./AgentForm";
import { modelProblem } from "./models";

const CATALOGUE = {
  providers: [
    { name: "openai", label: "OpenAI", purpose: "", has_key: true, models: [{ name: "openai/gpt-5.3-codex", label: "GPT-5.3 Codex" }] },
    { name: "anthropic", label: "Anthropic", purpose: "", has_key: true, models: [{ name: "anthropic/claude-opus-4-6", label: "Claude Opus 4.6" }] },
  ],
  key_providers: ["openai", "anthropic"],
  needs: [],
  templates: [],
};
const DRAFT: AgentDraft = { name: "Builder", model: "openai/gpt-5.3-codex", identity: "", global_rules: "", tools: [], mcp_servers: {} };

beforeEach(async () => {
  await act(async () => applyLanguage("en"));
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const path = new URL((input as Request).url).pathname;
    if (path === "/api/models") return json(200, CATALOGUE);
    if (path === "/api/agent-tools") return json(200, []);
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

describe("the manager's model", () => {
  it("is checked against the providers that can serve it", () => {
    expect(modelProblem(CATALOGUE, "openai/gpt-5.3-codex")).toBeNull();
    expect(modelProblem(CATALOGUE, "anthropic/claude-opus-4-6")).toBeNull();
    expect(modelProblem(CATALOGUE, "")).toBeNull(); // the form's own "required" says that
    expect(modelProblem(CATALOGUE, "groq/llama-4")).toBe(
      "No provider here serves \"groq\" models: agents talk to OpenAI / Anthropic. Use openai/…, anthropic/….",
    );
    expect(modelProblem(CATALOGUE, "gpt-5")).toBe("Write the model as provider/model, e.g. openai/…, anthropic/….");
    expect(modelProblem(CATALOGUE, "openai/")).toBe("Write the model as provider/model, e.g. openai/…, anthropic/….");
  });

  it("says so under the field as it is typed, before saving", async () => {
    const el = await render(<AgentForm initial={{ ...DRAFT, model: "mistral/large" }} type="custom" submitLabel="Save" pending={false} error={null} onSubmit={() => {}} />);
    await vi.waitFor(() => expect(el.textContent).toContain("No provider here serves \"mistral\" models"));
    await fill(el, { "Model name": "openai/gpt-5" });
    expect(el.textContent).not.toContain("No provider here serves");
  });
});

describe("Claude Code's model", () => {
  it("is offered to a coding agent only, and saved with the agent", async () => {
    const saved: AgentDraft[] = [];
    const el = await render(<AgentForm initial={DRAFT} type="coding" submitLabel="Save" pending={false} error={null} onSubmit={(d) => saved.push(d)} />);
    const select = await vi.waitFor(() => {
      const found = [...el.querySelectorAll("label")].find((l) => l.textContent === "The model Claude Code writes the code with");
      const control = found && el.querySelector<HTMLSelectElement>(`#${CSS.escape(found.htmlFor)}`);
      if (!control) throw new Error("no Claude Code model field");
      return control;
    });
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Claude Code's default", "Opus (most capable)", "Sonnet (balanced)", "Haiku (fastest)",
    ]);
    await act(async () => {
      select.value = "opus";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await act(async () => button(el, "Save").click());
    expect(saved[0]).toMatchObject({ model: "openai/gpt-5.3-codex", claude_model: "opus" });
    unmountAll();
    const other = await render(<AgentForm initial={DRAFT} type="research" submitLabel="Save" pending={false} error={null} onSubmit={() => {}} />);
    await vi.waitFor(() => expect(other.textContent).toContain("The model that plans and checks the work"));
    expect(other.textContent).not.toContain("The model Claude Code writes the code with");
  });
});
