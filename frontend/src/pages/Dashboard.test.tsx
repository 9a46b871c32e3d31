// The dashboard's workspace card speaks plain words (the technical term only as a hint), in English and Czech.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { button, render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { Dashboard } from "./Dashboard";

beforeEach(() => {
  setAccessToken("t");
  localStorage.clear();
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/auth/me":
        return json(200, { id: 3, username: "lucie", display_name: "", role: "user", created_at: "" });
      case "/api/sandbox":
        return json(200, { state: "missing" });
      case "/api/settings/api-keys":
      case "/api/agents":
      case "/api/projects":
        return json(200, []);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  localStorage.clear();
  setAccessToken(null);
});

const headings = (el: HTMLElement) => [...el.querySelectorAll("h1, h2")].map((h) => h.textContent);
const workspace = (el: HTMLElement) => el.querySelector<HTMLElement>("section[aria-labelledby=sandbox-h]")!;

describe("the dashboard", () => {
  it("calls the sandbox 'Your workspace', and says what it is, the technical term only as a hint", async () => {
    const el = await render(<Dashboard />);
    await vi.waitFor(() => expect(workspace(el).textContent).toContain("not created"));
    expect(headings(el)).toEqual(["Dashboard", "Getting started", "Your workspace", "Your agents", "Active work"]);
    const card = workspace(el);
    expect(card.textContent).toContain("Your own space on the server, where your files, terminals and agents live.");
    expect(card.querySelector("p.text-xs")?.textContent).toBe("Technically, it is a sandbox container.");
    expect(card.textContent?.replace("Technically, it is a sandbox container.", "")).not.toMatch(/sandbox|container/i);
    expect(button(card, "Start").disabled).toBe(false);
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(<Dashboard />);
    await vi.waitFor(() => expect(workspace(el).textContent).toContain("nevytvořeno"));
    expect(headings(el)).toEqual(["Přehled", "Začínáme", "Váš pracovní prostor", "Vaši agenti", "Rozpracováno"]);
    expect(button(workspace(el), "Spustit").disabled).toBe(false);
    expect(button(workspace(el), "Zastavit").disabled).toBe(true);
    expect(el.textContent).toContain("Zatím tu nemáte žádného agenta.");
    expect(el.textContent).not.toMatch(/Your workspace|Start|Stop|Open terminal|No agents yet/);
  });
});
