// Deleting an agent removes all its work, so the page asks for its name typed before the button works.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n/index";
import { json } from "../testing/http";
import { button, field, render, type, unmountAll } from "../testing/render";
import { AgentPage } from "./AgentPage";

const AGENT = {
  id: 4, name: "Builder", type: "coding", model: "openai/gpt-5.3-codex", identity: "", global_rules: "",
  tools: [], mcp_servers: {}, created_at: "", updated_at: "",
};
const deleted: string[] = [];

beforeEach(async () => {
  deleted.length = 0;
  await act(async () => applyLanguage("en"));
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    if (request.method === "DELETE") {
      deleted.push(path);
      return new Response(null, { status: 204 });
    }
    if (path === "/api/agents") return json(200, [AGENT]);
    if (path === "/api/agents/4/projects") return json(200, []);
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

describe("deleting an agent", () => {
  it("needs the agent's name typed before it deletes", async () => {
    const el = await render(<Routes><Route path="/agents/:id" element={<AgentPage />} /><Route path="/" element={<p>home</p>} /></Routes>, "/agents/4");
    await vi.waitFor(() => expect(el.querySelector("h1")?.textContent).toBe("Builder"));
    await act(async () => button(el, "Delete agent").click());
    expect(el.textContent).toContain("Everything made with it stops and is deleted for good");
    const yes = button(el, "Yes, delete Builder");
    expect(yes.disabled).toBe(true);
    const name = field(el, "To confirm, type the agent's name: Builder");
    await act(async () => type(name, "builder"));
    expect(yes.disabled).toBe(true); // the exact name, not something like it
    await act(async () => type(name, "Builder"));
    expect(yes.disabled).toBe(false);
    await act(async () => yes.click());
    await vi.waitFor(() => expect(deleted).toEqual(["/api/agents/4"]));
    await vi.waitFor(() => expect(el.textContent).toContain("home"));
  });
});
