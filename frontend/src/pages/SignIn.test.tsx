// Sign-in keeps it simple: no requirement hints, an empty field named under it (and focused, no request
// sent), the server's field errors under their fields and its other refusals under the form.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { button, describedBy, field, fill, render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { missingSignInFields, SignIn } from "./SignIn";

let calls = 0;
let answer: () => Response = () => json(401, { detail: "Wrong username or password" });

beforeEach(() => {
  calls = 0;
  setFetch(vi.fn(async () => {
    calls += 1;
    return answer();
  }) as typeof fetch);
});

afterEach(async () => {
  unmountAll();
  localStorage.clear();
  setAccessToken(null);
});

const submit = async (el: HTMLElement) => act(async () => button(el, "Sign in").click());

describe("Sign in", () => {
  it("shows no requirement hints", async () => {
    const el = await render(<SignIn />);

    expect(field(el, "Username").hasAttribute("aria-describedby")).toBe(false);
    expect(field(el, "Password").hasAttribute("aria-describedby")).toBe(false);
  });

  it("names empty fields under them, focuses the first, and sends nothing", async () => {
    const el = await render(<SignIn />);
    await fill(el, { Password: "secret-password" });
    await submit(el);

    const username = field(el, "Username");
    expect(describedBy(username)).toBe("Enter your username.");
    expect(username.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(username);
    expect(field(el, "Password").getAttribute("aria-invalid")).toBe("false");
    expect(calls).toBe(0);
    expect(missingSignInFields("  ", "")).toEqual({ username: "Enter your username.", password: "Enter your password." });
  });

  it("puts a wrong password under the form, with no field marked", async () => {
    const el = await render(<SignIn />);
    await fill(el, { Username: "mum", Password: "wrong-password" });
    await submit(el);

    await vi.waitFor(() => expect(el.querySelector('[role="alert"]')?.textContent).toBe("Wrong username or password"));
    expect(field(el, "Username").getAttribute("aria-invalid")).toBe("false");
  });

  it("puts the server's field error under its field", async () => {
    answer = () => json(422, { detail: [{ loc: ["body", "username"], msg: "Use 1 to 64 characters.", type: "value_error" }] });
    const el = await render(<SignIn />);
    await fill(el, { Username: "m".repeat(65), Password: "whatever-1" });
    await submit(el);

    const username = field(el, "Username");
    await vi.waitFor(() => expect(describedBy(username)).toBe("Use 1 to 64 characters."));
    expect(document.activeElement).toBe(username);
  });
});

describe("Sign in, in Czech", () => {
  it("speaks Czech, its empty-field messages too", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(<SignIn />);
    expect(el.textContent).toContain("Přihlaste se ke svému účtu.");
    await act(async () => button(el, "Přihlásit se").click());

    expect(describedBy(field(el, "Uživatelské jméno"))).toBe("Zadejte své uživatelské jméno.");
    expect(describedBy(field(el, "Heslo"))).toBe("Zadejte své heslo.");
    expect(el.textContent).not.toMatch(/Sign in|Username|Password|Enter your/);
    expect(calls).toBe(0);
  });
});
