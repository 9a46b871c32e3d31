// The Admin Panel: display names shown (the username as secondary text) and edited, a name given at
// creation, and sandbox controls that make sense for the sandbox's state.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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

afterEach(() => {
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

  it("offers only Start for an account with no sandbox; a running one can be stopped and restarted", async () => {
    const el = await loaded();

    const lucie = card(el, "lucie");
    expect(button(lucie, "Start sandbox").disabled).toBe(false);
    expect(button(lucie, "Stop sandbox").disabled).toBe(true);
    expect(button(lucie, "Restart sandbox").disabled).toBe(true);
    const admin = card(el, "admin");
    expect(button(admin, "Start sandbox").disabled).toBe(true);
    expect(button(admin, "Stop sandbox").disabled).toBe(false);
    expect(button(admin, "Restart sandbox").disabled).toBe(false);
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
