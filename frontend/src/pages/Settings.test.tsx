// The "Change your password" form in Settings: the rule shown up front, the repeat checked here, the
// server's field errors under their fields, and the new sign-in kept.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, setAccessToken } from "../api/accessToken";
import { limits } from "../api/limits";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { describedBy, field, fill, render, unmountAll } from "../testing/render";
import { applyLanguage, i18n } from "../i18n";
import { LanguageSync } from "../i18n/LanguageSync";
import { SettingsPage } from "./Settings";

let passwordCalls: unknown[] = [];
let preferenceCalls: unknown[] = [];
let savedPreferences: object = { terminal_font_size: 14 };
let answer: () => Response = () => json(200, { access_token: "fresh-token", token_type: "bearer", expires_in: 900 });

beforeEach(() => {
  passwordCalls = [];
  preferenceCalls = [];
  savedPreferences = { terminal_font_size: 14 };
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
        return json(200, savedPreferences);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  localStorage.clear();
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

describe("the language", () => {
  const select = (el: HTMLElement) => el.querySelector<HTMLSelectElement>("select[name=language]")!;

  it("names each language in its own words", async () => {
    const el = await mount();
    await vi.waitFor(() => expect(select(el)).not.toBeNull());
    expect([...select(el).options].map((o) => [o.value, o.textContent, o.lang])).toEqual([
      ["en", "English", "en"],
      ["cs", "Čeština", "cs"],
    ]);
    expect(field(el, "Language")).toBe(select(el));
  });

  it("switches the whole page to Czech as soon as it is saved", async () => {
    const el = await render(<><LanguageSync /><SettingsPage /></>);
    await vi.waitFor(() => expect(select(el).value).toBe("en"));
    await act(async () => {
      select(el).value = "cs";
      select(el).dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(el.querySelector("h1")?.textContent).toBe("Settings"); // nothing changes before it is saved
    const save = [...el.querySelectorAll("button")].find((b) => b.textContent === "Save preferences")!;
    await act(async () => save.click());

    await vi.waitFor(() => expect(i18n.language).toBe("cs"));
    expect(preferenceCalls).toEqual([{ terminal_font_size: 14, language: "cs" }]);
    expect(el.querySelector("h1")?.textContent).toBe("Nastavení");
    expect(statusText(el)).toContain("Uloženo.");
    expect([...el.querySelectorAll("h2")].map((h) => h.textContent)).toEqual(["Klíče API", "Předvolby", "Změna hesla"]);
    expect(field(el, "Jazyk").value).toBe("cs");
    expect(document.documentElement.lang).toBe("cs");
  });

  it("shows Settings in Czech with no English left in its headings, labels and buttons", async () => {
    savedPreferences = { terminal_font_size: 14, language: "cs" };
    await act(async () => applyLanguage("cs"));
    const el = await mount();
    await vi.waitFor(() => expect(el.textContent).toContain("Uložit předvolby"));
    const words = [...el.querySelectorAll("h1, h2, h3, label, button")].map((n) => n.textContent);
    expect(words).toEqual(expect.arrayContaining(["Nastavení", "Přidat klíč API", "Poskytovatel", "Přidat klíč", "Změnit heslo"]));
    for (const english of ["Settings", "API keys", "Preferences", "Change your password", "Add key", "Delete"]) {
      expect(words).not.toContain(english);
    }
    expect(el.textContent).toContain("Zatím nemáte žádný klíč API.");
  });
});
