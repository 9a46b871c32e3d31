// The "Change your password" form in Settings: the rule shown up front, the repeat checked here, the
// server's field errors under their fields, and the new sign-in kept.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, setAccessToken } from "../api/accessToken";
import { limits } from "../api/limits";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { describedBy, field, fill, render, unmountAll } from "../testing/render";
import { SettingsPage } from "./Settings";

let passwordCalls: unknown[] = [];
let preferenceCalls: unknown[] = [];
let answer: () => Response = () => json(200, { access_token: "fresh-token", token_type: "bearer", expires_in: 900 });

beforeEach(() => {
  passwordCalls = [];
  preferenceCalls = [];
  setAccessToken("old-token");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    switch (new URL(request.url).pathname) {
      case "/api/auth/password":
        passwordCalls.push(await request.json());
        return answer();
      case "/api/settings/api-keys":
        return json(200, []);
      case "/api/settings/preferences":
        if (request.method === "PUT") {
          preferenceCalls.push(await request.json());
          return json(200, preferenceCalls.at(-1)); // the saved preferences, as the server answers
        }
        return json(200, { terminal_font_size: 14 });
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  answer = () => json(200, { access_token: "fresh-token", token_type: "bearer", expires_in: 900 });
});

const mount = () => render(<SettingsPage />);


async function submit(el: HTMLElement) {
  const button = [...el.querySelectorAll("button")].find((b) => b.textContent === "Change password")!;
  await act(async () => button.click());
}

const statusText = (el: HTMLElement) =>
  [...el.querySelectorAll("[role=status]")].map((s) => s.textContent).join(" ");

describe("Change your password", () => {
  it("shows the length rule before anything is typed", async () => {
    const el = await mount();
    expect(el.textContent).toContain("Change your password");
    expect(describedBy(field(el, "New password"))).toBe(limits.PasswordChange.new_password.rule);
    expect(limits.PasswordChange.new_password.rule).toBe("Use 8 to 72 characters.");
  });

  it("checks the repeat here, under its field, and sends nothing", async () => {
    const el = await mount();
    await fill(el, { "Current password": "old-password", "New password": "new-password-1", "Repeat the new password": "new-password-2" });
    await submit(el);

    expect(describedBy(field(el, "Repeat the new password"))).toBe("The two new passwords are not the same.");
    expect(field(el, "Repeat the new password").getAttribute("aria-invalid")).toBe("true");
    expect(passwordCalls).toEqual([]);
  });

  it("shows the server's message under the field it names", async () => {
    answer = () =>
      json(422, { detail: [{ type: "value_error", loc: ["body", "current_password"], msg: "This is not your current password" }] });
    const el = await mount();
    await fill(el, { "Current password": "wrong-one", "New password": "new-password-1", "Repeat the new password": "new-password-1" });
    await submit(el);

    await vi.waitFor(() => expect(describedBy(field(el, "Current password"))).toBe("This is not your current password"));
    expect(statusText(el)).not.toContain("Your password was changed.");
    expect(getAccessToken()).toBe("old-token");
  });

  it("changes the password, says so, and keeps this sign-in with the new token", async () => {
    const el = await mount();
    await fill(el, { "Current password": "old-password", "New password": "new-password-1", "Repeat the new password": "new-password-1" });
    await submit(el);

    await vi.waitFor(() => expect(statusText(el)).toContain("Your password was changed."));
    expect(passwordCalls).toEqual([{ current_password: "old-password", new_password: "new-password-1" }]);
    expect(getAccessToken()).toBe("fresh-token");
    expect(field(el, "Current password").value).toBe("");
    expect(field(el, "New password").value).toBe("");
  });
});

describe("Preferences", () => {
  it("says Saved. once the server has them, though the form is refilled with what it answered", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(field(el, "Terminal font size").value).toBe("14"));
    expect(statusText(el)).not.toContain("Saved.");
    await fill(el, { "Terminal font size": "16" });
    const save = [...el.querySelectorAll("button")].find((b) => b.textContent === "Save preferences")!;
    await act(async () => save.click());

    await vi.waitFor(() => expect(statusText(el)).toContain("Saved."));
    expect(preferenceCalls).toEqual([{ terminal_font_size: 16 }]);
    expect(field(el, "Terminal font size").value).toBe("16");
    const status = [...el.querySelectorAll("[role=status]")].find((s) => s.textContent === "Saved.");
    expect(status).toBeDefined();
  });
});
