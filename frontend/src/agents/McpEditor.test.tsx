// The Agent Builder's MCP servers on an agent's edit page: a saved secret shows as the API's mask with a plain
// hint and goes back unchanged (the server keeps it), a new value replaces it, and the server's 422s sit under
// the field they are about (a command, a mask where nothing was saved), until that server's card is edited.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n/index";
import { json } from "../testing/http";
import { button, describedBy, field, render, type, unmountAll } from "../testing/render";
import { AgentEditPage } from "../pages/AgentPage";
import { SECRET_MASK } from "./mcp";

const AGENT = {
  id: 4, name: "Pantry helper", type: "custom", model: "anthropic/claude-sonnet-4-5", identity: "", global_rules: "",
  tools: [], mcp_servers: { tiny: { command: "python3", args: ["tiny.py"], env: { TINY_TOKEN: SECRET_MASK } } },
  created_at: "", updated_at: "",
};

let sent: unknown[];
let answer: () => Response;

beforeEach(() => {
  setAccessToken("t");
  sent = [];
  answer = () => json(200, AGENT);
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    if (request.method === "PUT" && path === "/api/agents/4") {
      sent.push(await request.json());
      return answer();
    }
    if (path === "/api/agents") return json(200, [AGENT]);
    if (path === "/api/agent-tools") return json(200, []);
    if (path === "/api/models") return json(503, { detail: "Unavailable" });
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
  await act(async () => applyLanguage("en"));
});

async function openEdit() {
  const el = await render(<Routes><Route path="/agents/:id/edit" element={<AgentEditPage />} /></Routes>, "/agents/4/edit");
  await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toMatch(/Pantry helper$/));
  return el;
}

const save = (el: HTMLElement) => act(async () => button(el, "Save changes").click());
const sentServers = () => (sent.at(-1) as { mcp_servers: unknown }).mcp_servers;

describe("MCP secrets in the Agent Builder", () => {
  it("shows a saved secret masked with a plain hint and sends the mask back to keep it", async () => {
    const el = await openEdit();
    const value = field(el, "Value 1");
    expect(field(el, "Variable name 1").value).toBe("TINY_TOKEN");
    expect(value.value).toBe(SECRET_MASK);
    expect(describedBy(value)).toBe("Saved; type a new value to change it.");
    await save(el);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sentServers()).toEqual({ tiny: { command: "python3", args: ["tiny.py"], env: { TINY_TOKEN: SECRET_MASK } } });
  });

  it("replaces a secret with a new value, and adds another", async () => {
    const el = await openEdit();
    await act(async () => type(field(el, "Value 1"), "new-token"));
    expect(describedBy(field(el, "Value 1"))).toBe("");
    await act(async () => button(el, "Add variable").click());
    await act(async () => {
      type(field(el, "Variable name 2"), "REGION");
      type(field(el, "Value 2"), "eu");
    });
    await save(el);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sentServers()).toEqual({ tiny: { command: "python3", args: ["tiny.py"], env: { TINY_TOKEN: "new-token", REGION: "eu" } } });
  });

  it("puts the server's messages under their fields until the server's card is edited", async () => {
    answer = () => json(422, {
      detail: [
        { type: "string_pattern_mismatch", loc: ["body", "mcp_servers", "tiny", "stdio", "command"], msg: "Give one program, such as npx." },
        { type: "value_error", loc: ["body", "mcp_servers.tiny.env.TINY_TOKEN"], msg: "This value was never saved: type the secret itself." },
      ],
    });
    const el = await openEdit();
    await save(el);
    await vi.waitFor(() => expect(describedBy(field(el, "Command"))).toBe("Give one program, such as npx."));
    expect(field(el, "Command").getAttribute("aria-invalid")).toBe("true");
    expect(describedBy(field(el, "Value 1"))).toContain("This value was never saved: type the secret itself.");
    expect(el.textContent).toContain("Please correct the highlighted fields.");

    await act(async () => type(field(el, "Command"), "/usr/bin/python3"));
    expect(describedBy(field(el, "Command"))).toBe("");
    expect(el.textContent).not.toContain("This value was never saved");
  });

  it("checks a command as the server does, in Czech too", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await openEdit();
    await act(async () => type(field(el, "Příkaz"), "npx -y server"));
    expect(describedBy(field(el, "Příkaz"))).toMatch(/^Zadejte jeden program/);
    expect(button(el, "Uložit změny").disabled).toBe(true);
    expect(describedBy(field(el, "Hodnota 1"))).toBe("Uloženo; pro změnu napište novou hodnotu.");
  });
});
