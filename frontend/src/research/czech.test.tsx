// The research agent's panel and a research's page speak Czech when the language is Czech: the list, its
// statuses and filters, the tabs, the chat's controls, a tool card's status and a failed message. The
// server's and the agent's own words stay as they come.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import type { Agent } from "../api/queries";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { ResearchPage } from "../pages/ResearchPage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { field, render, unmountAll } from "../testing/render";
import { ResearchPanel } from "./ResearchPanel";

const AGENT = { id: 3, name: "Badatel", type: "research", model: "anthropic/claude-sonnet-4-5", identity: "", global_rules: "", tools: [], mcp_servers: {}, created_at: "", updated_at: "" };
const RESEARCH = {
  id: 9, agent_id: 3, name: "Dovolená v Norsku", slug: "dovolena", status: "active", answering: false, running: false,
  workspace_path: "/home/agent/research/dovolena", last_activity_at: "2026-11-20T10:00:00Z", created_at: "", updated_at: "",
};
const MESSAGES = [
  { id: 1, role: "user", content: "Kdy jet do Norska?", status: "failed", reply_to: null, error: "Overloaded", retryable: true, seq: 3, created_at: "", tools: [], attachments: [] },
  { id: 2, role: "assistant", content: "Nejlépe v létě.", status: "interrupted", reply_to: 1, seq: 2, created_at: "", error: "", retryable: false,
    tools: [{ id: "t", name: "WebSearch", summary: "počasí v Norsku", status: "denied", detail: "" }], attachments: [] },
];

beforeEach(async () => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/research/9":
        return json(200, { ...RESEARCH, messages: MESSAGES });
      case "/api/agents/3/research":
        return json(200, [RESEARCH, { ...RESEARCH, id: 10, name: "Auto", answering: true }]);
      case "/api/agents":
        return json(200, [AGENT]);
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

const buttons = (el: HTMLElement) => [...el.querySelectorAll("button")].map((b) => b.textContent?.trim());

describe("the research agent in Czech", () => {
  it("lists researches with Czech statuses, search and the archived filter", async () => {
    const el = await render(<ResearchPanel agent={AGENT as Agent} />);
    await vi.waitFor(() => expect(el.textContent).toContain("Dovolená v Norsku"));
    expect(el.querySelector("h2")?.textContent).toBe("Výzkumy");
    expect(buttons(el)).toContain("+ Nový výzkum");
    expect(field(el, "Hledat")).toBeTruthy();
    expect(el.textContent).toContain("Zobrazit archivované");
    expect(el.textContent).toContain("aktivní");
    expect(el.textContent).toContain("odpovídá");
    expect(el.textContent).toContain("naposledy");
  });

  it("shows a research's chat, tabs and a failed message in Czech", async () => {
    const el = await render(<Routes><Route path="/research/:id" element={<ResearchPage />} /></Routes>, "/research/9");
    await vi.waitFor(() => expect(el.textContent).toContain("Nejlépe v létě.")); // the agent's own words
    expect(el.querySelector("h1")?.textContent).toBe("Dovolená v Norsku");
    expect([...el.querySelectorAll("[role=tab]")].map((t) => t.textContent)).toEqual(["Chat", "Soubory", "Spravovat"]);
    expect(buttons(el)).toEqual(expect.arrayContaining(["Zkusit znovu", "Přiložit soubory", "Odeslat"]));
    expect(el.textContent).toContain("Zprávu se nepodařilo zpracovat: Overloaded");
    expect(el.textContent).toContain("nepovoleno");
    expect(el.textContent).toContain("Zastaveno před koncem");
    expect(el.querySelector("textarea")?.getAttribute("placeholder")).toBe("Vaše zpráva");
    await vi.waitFor(() => expect(FakeSocket.instances[0]?.url).toContain("/ws/research/9/chat?ticket=x&after=3"));
  });
});
