// A project's page, its plan and a coding agent's projects speak Czech when the language is Czech: statuses,
// controls, the escalation card, a provider's trouble, the plan and its editor, the new-project form. The
// server's own words (the question, the provider's message) stay as they come.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import type { Agent } from "../api/queries";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { ProjectPage } from "../pages/ProjectPage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { button, describedBy, field, render, unmountAll } from "../testing/render";
import { CodingAgentPanel } from "./CodingAgentPanel";
import { clockTime } from "./status";

const QUESTION = "Which database should the app use?";
const INSTANCE = { id: 1, pid: 42, status: "running", started_at: "", stopped_at: null };
const AGENT = { id: 3, name: "Builder", type: "coding", model: "openai/gpt-5", identity: "", global_rules: "", tools: [], mcp_servers: {}, created_at: "" };

function project(overrides: Record<string, unknown>) {
  return {
    id: 7, agent_id: 3, name: "Weather CLI", slug: "weather-cli", description: "A weather tool", architecture: "", details: "",
    created_at: "", updated_at: "", desired_state: "running", workspace_path: "", tmux_session: "project-7",
    implementation_plan: [
      { title: "Write weather.py", details: "", acceptance: "", status: "done", attempts: 1 },
      { title: "Add tests", details: "", acceptance: "", status: "pending", attempts: 3 },
    ],
    current_step: 1, steps_done: 1, steps_total: 2, escalation: QUESTION, status: "paused", instance: INSTANCE,
    ...overrides,
  };
}

let current: ReturnType<typeof project> = project({});
beforeEach(async () => {
  current = project({});
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/projects/7":
        return json(200, current);
      case "/api/agents/3/projects":
        return json(200, [current]);
      case "/api/agents/3/rules":
        return json(200, { content: "" });
      case "/api/ws-ticket":
        return json(200, { ticket: "x" });
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
  await act(async () => applyLanguage("cs"));
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
  localStorage.clear();
});

const page = () => render(<Routes><Route path="/projects/:id" element={<ProjectPage />} /></Routes>, "/projects/7");
const buttons = (el: HTMLElement) => [...el.querySelectorAll("button")].map((b) => b.textContent?.trim());
const headings = (el: HTMLElement) => [...el.querySelectorAll("h1, h2, h3, legend")].map((h) => h.textContent?.trim());

describe("a project's page in Czech", () => {
  it("says a paused project with a question needs you, in Czech, with its controls and plan", async () => {
    const el = await page();
    await vi.waitFor(() => expect(el.textContent).toContain("Weather CLI"));
    expect(el.textContent).toContain("pozastaveno");
    expect(el.textContent).toContain("potřebuje vás");
    expect(headings(el)).toEqual(expect.arrayContaining(["Agent vás potřebuje", "Plán práce"]));
    expect(el.textContent).toContain(QUESTION); // the agent's own question stays as it was asked
    expect(field(el, "Vaše odpověď")).toBeTruthy();
    expect(buttons(el)).toEqual(expect.arrayContaining(["Odeslat odpověď", "Pokračovat", "Zastavit", "Spustit znovu", "Smazat projekt", "Upravit plán", "Terminál", "Záznam", "Cíl", "Architektura"]));
    expect(el.textContent).toContain("(hotovo, 1 opakování)");
    expect(el.textContent).toContain("(čeká, 3 opakování)");
    expect(el.querySelector("progress")?.getAttribute("aria-label")).toBe("Hotovo 1 ze 2 kroků");
    expect(el.textContent).toContain("Zatím tu nejsou žádné záznamy.");
    for (const english of ["The agent needs you", "Implementation plan", "Send answer", "Resume", "Delete project", "Edit plan", "paused", "needs you"]) {
      expect(el.textContent).not.toContain(english);
    }
  });

  it("redraws the status and the controls when the language changes back", async () => {
    const el = await page();
    await vi.waitFor(() => expect(el.textContent).toContain("pozastaveno"));
    await act(async () => applyLanguage("en"));
    expect(el.textContent).toContain("paused");
    expect(el.textContent).toContain("needs you");
    expect(buttons(el)).toEqual(expect.arrayContaining(["Resume", "Send answer"]));
  });

  it("puts a provider that keeps failing as a state with a link to Settings and Retry, in Czech", async () => {
    const failed = { state: "failed", provider: "OpenAI", message: "refused the request (HTTP 401)", retry_at: "", attempt: 0, attempts: 0 };
    current = project({ escalation: "", provider_problem: failed });
    const el = await page();
    await vi.waitFor(() => expect(el.textContent).toContain("OpenAI: zkontrolujte klíč a poskytovatele"));
    expect(el.textContent).toContain("OpenAI refused the request (HTTP 401)"); // the server's detail, as it came
    expect(el.querySelector("a[href='/settings']")?.textContent).toBe("Nastavení");
    expect(el.textContent).toContain("a pak to zkuste znovu");
    expect(buttons(el)).toContain("Zkusit znovu");
    expect(buttons(el)).not.toContain("Retry");
  });

  it("says when a provider is tried again, in Czech and at a Czech time", async () => {
    const at = "2026-11-28T19:42:10Z";
    const retrying = { state: "retrying", provider: "OpenAI", message: "could not be reached", retry_at: at, attempt: 2, attempts: 6 };
    current = project({ status: "running", escalation: "", provider_problem: retrying });
    const el = await page();
    await vi.waitFor(() => expect(el.textContent).toContain(`OpenAI neodpovídá — další pokus v ${clockTime(at)} (pokus 2 z 6)`));
    expect(clockTime(at)).toMatch(/^\d{1,2}:\d{2}$/); // Czech writes 19:42, never 7:42 PM
    expect(el.textContent).toContain("zkouší to znovu");
    expect(el.textContent).toContain("Zatím nemusíte nic dělat.");
  });

  it("before the first start, the plan and the terminal tab wait for the start, in Czech", async () => {
    current = project({ status: "created", escalation: "", instance: null, implementation_plan: [], steps_done: 0, steps_total: 0, desired_state: "stopped" });
    const el = await page();
    await vi.waitFor(() => expect(el.textContent).toContain("Plán vznikne, až projekt spustíte."));
    expect(el.textContent).toContain("nespuštěno");
    expect(el.textContent).toContain("zatím bez plánu");
    await act(async () => button(el, "Terminál").click());
    expect(el.textContent).toContain("Spustí se spolu s projektem.");
    await act(async () => button(el, "Cíl").click());
    expect(field(el, "Cíl").value).toBe("A weather tool");
    expect(buttons(el)).toContain("Uložit cíl");
  });

  it("edits the plan in Czech", async () => {
    const el = await page();
    await vi.waitFor(() => expect(buttons(el)).toContain("Upravit plán"));
    await act(async () => button(el, "Upravit plán").click());
    expect(headings(el)).toEqual(expect.arrayContaining(["Úprava plánu", "Krok 1", "Krok 2"]));
    expect(buttons(el)).toEqual(expect.arrayContaining(["Odebrat krok 1", "Přidat krok", "Uložit plán", "Zrušit"]));
    expect(el.querySelector("fieldset")?.textContent).toContain("Hotovo, když");
  });
});

describe("a coding agent's projects in Czech", () => {
  it("lists its projects and offers the new-project form in Czech, with the name's rule shown before typing", async () => {
    const el = await render(<CodingAgentPanel agent={AGENT as unknown as Agent} />);
    await vi.waitFor(() => expect(el.textContent).toContain("Weather CLI"));
    expect(headings(el)).toEqual(expect.arrayContaining(["Projekty", "Společná pravidla"]));
    expect(el.textContent).toContain("pozastaveno");
    expect(el.textContent).toContain("ve vašem pracovním prostoru");
    await act(async () => button(el, "+ Nový projekt").click());
    expect(headings(el)).toContain("Nový projekt");
    // The rule is the server's sentence (generated from its limits), which stays as it comes.
    expect(describedBy(field(el, "Název projektu"))).toContain("Use 1 to 120 characters.");
    expect(describedBy(field(el, "Cíl"))).toContain("Co má existovat, až bude projekt hotový?");
    expect(buttons(el)).toEqual(expect.arrayContaining(["Vytvořit projekt", "Zrušit", "Uložit pravidla"]));
    for (const english of ["New project", "Create project", "Global rules", "Project name"]) expect(el.textContent).not.toContain(english);
  });
});
