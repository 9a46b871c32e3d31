// The Admin Panel: display names shown (the username as secondary text) and edited, a name given at
// creation, workspace (sandbox) controls that make sense for its state, and the whole panel in Czech.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyLanguage } from "../i18n/index";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { limits } from "../api/limits";
import { button, describedBy, field, fill, render, unmountAll } from "../testing/render";
import { AdminPage } from "./Admin";

let sent: { method: string; path: string; body: unknown }[] = [];

const ADMIN = { id: 1, username: "admin", display_name: "", role: "admin", created_at: "", agent_count: 0 };
const LUCIE = { id: 2, username: "lucie", display_name: "Lucie Nováková", role: "user", created_at: "", agent_count: 1 };
const sandbox = (user: { id: number; username: string }, state: string) => ({
  user_id: user.id, username: user.username, state, desired_state: "stopped", started_at: null, uptime_seconds: null, restarts: 0,
});

beforeEach(() => {
  sent = [];
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    if (request.method !== "GET") {
      const body: unknown = await request.json();
      sent.push({ method: request.method, path, body });
      if (path === "/api/users") return json(201, { ...ADMIN, id: 3, agent_count: 0, role: "user", ...(body as object) });
      if (path === "/api/users/2") return json(200, { ...LUCIE, ...(body as object) });
    }
    switch (path) {
      case "/api/auth/me":
        return json(200, ADMIN);
      case "/api/users":
        return json(200, [ADMIN, LUCIE]);
      case "/api/admin/sandboxes":
        return json(200, [sandbox(ADMIN, "running"), sandbox(LUCIE, "missing")]);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
});

const mount = () => render(<AdminPage />);

const card = (el: HTMLElement, username: string) => el.querySelector<HTMLElement>(`li[aria-label="${username}"]`)!;

async function loaded(): Promise<HTMLElement> {
  const el = await mount();
  await vi.waitFor(() => expect(card(el, "lucie")?.textContent).toContain("not created"));
  return el;
}

describe("Admin Panel", () => {
  it("names each account by its display name, with the username as secondary text", async () => {
    const el = await loaded();

    const lucie = card(el, "lucie");
    expect(lucie.querySelector("p.font-medium")?.textContent?.trim()).toBe("Lucie Nováková");
    expect(lucie.textContent).toContain("Username: lucie");
    expect(card(el, "admin").querySelector("p.font-medium")?.textContent).toContain("admin");
    expect(card(el, "admin").textContent).not.toContain("Username:");
  });

  it("offers only Start for an account with no workspace; a running one can be stopped and restarted", async () => {
    const el = await loaded();

    const lucie = card(el, "lucie");
    expect(button(lucie, "Start workspace").disabled).toBe(false);
    expect(button(lucie, "Stop workspace").disabled).toBe(true);
    expect(button(lucie, "Restart workspace").disabled).toBe(true);
    expect(button(lucie, "Restart workspace").title).toBe("There is no workspace yet: start it");
    const admin = card(el, "admin");
    expect(button(admin, "Start workspace").disabled).toBe(true);
    expect(button(admin, "Stop workspace").disabled).toBe(false);
    expect(button(admin, "Restart workspace").disabled).toBe(false);
  });

  it("calls each sandbox a workspace, with the technical name once in the section's hint", async () => {
    const el = await loaded();

    expect(card(el, "lucie").textContent).toContain("Workspace");
    expect([...el.querySelectorAll("li[aria-label]")].map((li) => li.textContent).join(" ")).not.toMatch(/sandbox/i);
    expect(el.textContent).toContain("Each person's workspace is their own sandbox: a Docker container");
    expect(el.textContent).toContain("User · 1 agent");
    expect(el.textContent).toContain("Administrator · 0 agents");
  });

  it("creates an account with an optional name, trimmed", async () => {
    const el = await loaded();
    await fill(el, { "New username": "petr", "Name (optional)": "  Petr Novák ", "New password": "petr-password" });
    await act(async () => button(el, "Create user").click());

    await vi.waitFor(() => expect(el.textContent).toContain("Created petr (Petr Novák)."));
    expect(sent).toEqual([
      { method: "POST", path: "/api/users", body: { username: "petr", password: "petr-password", role: "user", display_name: "Petr Novák" } },
    ]);
  });

  it("shows each field's rule before anything is typed, in the server's words", async () => {
    const el = await loaded();

    expect(describedBy(field(el, "New username"))).toBe(`What they sign in with. ${limits.UserCreate.username.rule}`);
    expect(describedBy(field(el, "New password"))).toBe("Use 8 to 72 characters.");
    expect(describedBy(field(el, "Name (optional)"))).toBe("How they are named here. Use at most 80 characters, on one line.");
    await act(async () => button(card(el, "lucie"), "Reset password").click());
    expect(describedBy(field(el, "New password for lucie"))).toBe(limits.UserUpdate.password.rule);
    await act(async () => button(card(el, "lucie"), "Edit name").click());
    expect(describedBy(field(el, "Name for lucie"))).toContain(limits.UserUpdate.display_name.rule);
  });

  it("edits and clears a display name", async () => {
    const el = await loaded();
    await act(async () => button(card(el, "lucie"), "Edit name").click());
    expect(field(el, "Name for lucie").value).toBe("Lucie Nováková");

    await fill(el, { "Name for lucie": " Lucie N. " });
    await act(async () => button(card(el, "lucie"), "Save name").click());
    await vi.waitFor(() => expect(card(el, "lucie").textContent).toContain("Saved: Lucie N.."));

    await fill(el, { "Name for lucie": "" });
    await act(async () => button(card(el, "lucie"), "Save name").click());
    await vi.waitFor(() => expect(card(el, "lucie").textContent).toContain("Name cleared; lucie is shown."));
    expect(sent).toEqual([
      { method: "PATCH", path: "/api/users/2", body: { display_name: "Lucie N." } },
      { method: "PATCH", path: "/api/users/2", body: { display_name: "" } },
    ]);
  });
});

describe("Admin Panel in Czech", () => {
  it("speaks Czech in its headings, cards, buttons and forms, and counts agents the Czech way", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await mount();
    await vi.waitFor(() => expect(card(el, "lucie")?.textContent).toContain("nevytvořeno"));

    const headings = [...el.querySelectorAll("h1, h2")].map((h) => h.textContent);
    expect(headings).toEqual(["Správa", "Uživatelé", "Nový uživatel"]);
    const lucie = card(el, "lucie");
    expect(lucie.textContent).toContain("Uživatelské jméno: lucie");
    expect(lucie.textContent).toContain("Uživatel · 1 agent");
    expect(card(el, "admin").textContent).toContain("Správce · 0 agentů");
    expect(button(lucie, "Spustit prostor").disabled).toBe(false);
    expect(button(lucie, "Restartovat prostor").disabled).toBe(true);
    expect(describedBy(field(el, "Uživatelské jméno"))).toBe(`Tímhle se bude přihlašovat. ${limits.UserCreate.username.rule}`);

    await act(async () => button(lucie, "Smazat uživatele").click());
    expect(lucie.querySelector("[role=alertdialog] p")?.innerHTML).toBe(
      "Smazáním účtu <strong>lucie</strong> navždy zmizí jeho pracovní prostor, agenti, projekty i soubory.",
    );
    const buttons = [...el.querySelectorAll("button")].map((b) => b.textContent ?? "");
    expect(buttons.filter((b) => /workspace|user|name|password|delete|cancel/i.test(b))).toEqual([]);
  });
});
