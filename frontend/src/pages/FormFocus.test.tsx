// After a failed submit the first invalid field is focused and scrolled into view, its message under it,
// and the form's line says what to do: the Admin Panel's create form and Settings' password form.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { button, describedBy, field, fill, render, unmountAll } from "../testing/render";
import { AdminPage } from "./Admin";
import { SettingsPage } from "./Settings";

const ADMIN = { id: 1, username: "admin", display_name: "", role: "admin", created_at: "", agent_count: 0 };

let createDetail: unknown[] = [];
const scrolled: Element[] = [];

beforeEach(() => {
  setAccessToken("t");
  scrolled.length = 0;
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this);
  };
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && path === "/api/users") return json(422, { detail: createDetail });
    switch (path) {
      case "/api/auth/me":
        return json(200, ADMIN);
      case "/api/users":
        return json(200, [ADMIN]);
      case "/api/admin/sandboxes":
        return json(200, []);
      case "/api/settings/api-keys":
        return json(200, []);
      case "/api/settings/preferences":
        return json(200, { terminal_font_size: 14 });
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView;
});

describe("a failed submit takes the person to the first invalid field", () => {
  it("Admin Panel, create user: focuses the first field the server refused, in the form's order", async () => {
    // The server lists the password first; the username comes first on the page.
    createDetail = [
      { loc: ["body", "password"], msg: "Value error, Use 8 to 72 characters." },
      { loc: ["body", "username"], msg: "Value error, Use 2 to 32 characters: a lowercase letter first" },
    ];
    const el = await render(<AdminPage />);
    await vi.waitFor(() => expect(el.textContent).toContain("Create user"));
    await fill(el, { "New username": "Not Valid!", "New password": "short" });
    await act(async () => button(el, "Create user").click());

    const username = field(el, "New username");
    await vi.waitFor(() => expect(document.activeElement).toBe(username));
    expect(scrolled).toEqual([username]);
    expect(username.getAttribute("aria-invalid")).toBe("true");
    expect(describedBy(username)).toContain("Use 2 to 32 characters: a lowercase letter first");
    // The password's rule turned error: said once, as the error.
    expect(describedBy(field(el, "New password"))).toBe("Use 8 to 72 characters.");
    expect(el.querySelector('[role="alert"]')?.textContent).toBe("Please correct the highlighted fields.");
  });

  it("Admin Panel, create user: a refusal naming no field is the form's line, and nothing is focused", async () => {
    createDetail = [{ loc: ["body"], msg: "Invalid JSON" }];
    const el = await render(<AdminPage />);
    await vi.waitFor(() => expect(el.textContent).toContain("Create user"));
    await fill(el, { "New username": "petr", "New password": "petr-password" });
    const submit = button(el, "Create user");
    submit.focus();
    await act(async () => submit.click());

    await vi.waitFor(() => expect(el.querySelector('[role="alert"]')?.textContent).toBe("Invalid JSON"));
    expect(document.activeElement).toBe(submit);
    expect(scrolled).toEqual([]);
  });

  it("Settings, change password: two different new passwords focus the repeat field, every time", async () => {
    const el = await render(<SettingsPage />);
    await fill(el, { "Current password": "old-password", "New password": "new-password", "Repeat the new password": "other" });
    const repeat = field(el, "Repeat the new password");

    await act(async () => button(el, "Change password").click());
    expect(document.activeElement).toBe(repeat);
    expect(describedBy(repeat)).toBe("The two new passwords are not the same.");

    await act(async () => field(el, "Current password").focus());
    await act(async () => button(el, "Change password").click());
    expect(document.activeElement).toBe(repeat);
    expect(scrolled).toEqual([repeat, repeat]);
  });
});
