// An agent's page and its edit page, in Czech: the set-up, the buttons and the type's words follow the
// language (English stays the default, checked by the browser tests).
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n/index";
import { json } from "../testing/http";
import { button, render, unmountAll } from "../testing/render";
import { AgentEditPage, AgentPage } from "./AgentPage";

const AGENT = {
  id: 4, name: "Pomocník", type: "custom", model: "anthropic/claude-opus-4-6", identity: "You help.", global_rules: "",
  tools: ["web_search"], mcp_servers: {}, created_at: "", updated_at: "",
};

beforeEach(() => {
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/agents":
        return json(200, [AGENT]);
      case "/api/agent-tools":
        return json(200, [{ name: "web_search", label: "Web search", description: "Search the web.", agent_types: ["custom"] }]);
      case "/api/models":
        return json(503, { detail: "Unavailable" });
      case "/api/agents/4/chats":
        return json(200, []);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
});

const routes = (
  <Routes>
    <Route path="/agents/:id" element={<AgentPage />} />
    <Route path="/agents/:id/edit" element={<AgentEditPage />} />
  </Routes>
);

describe("an agent's page in Czech", () => {
  it("describes the agent and offers its buttons in Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(routes, "/agents/4");
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Pomocník"));

    expect(el.textContent).toContain("Agent: Vlastní · anthropic/claude-opus-4-6");
    expect([...el.querySelectorAll("h2")].map((h) => h.textContent)).toEqual(["Chaty", "Vybavení"]);
    await vi.waitFor(() => expect(el.textContent).toContain("Zatím žádné chaty. Začněte tlačítkem „+ Nový chat“."));
    await vi.waitFor(() => expect(el.querySelector("dd")?.textContent).toBe("Web search")); // the API's label, as it comes
    expect(el.textContent).toContain("Propojení (servery MCP)žádné");
    expect(el.querySelector("a")?.textContent).toBe("Upravit agenta");
    await act(async () => button(el, "Smazat agenta").click());
    expect(el.textContent).toContain("Smazat „Pomocník“? Smaže se jeho nastavení i všechno, co s ním vzniklo");
  });

  it("says in Czech that an agent is missing", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(routes, "/agents/99");
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Agent nenalezen"));
    expect(el.textContent).toContain("Takový agent tu není. Zpět na přehled");
  });

  it("edits the agent in Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(routes, "/agents/4/edit");
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Upravit: Pomocník"));
    expect(button(el, "Uložit změny")).toBeTruthy();
    expect(button(el, "Zrušit")).toBeTruthy();
  });
});
