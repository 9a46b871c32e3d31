// The sidebar names the signed-in person by their display name when they have one, and speaks plain words
// (the workspace's terminal, not the sandbox's) in English and Czech.
import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { Sidebar } from "./Sidebar";

afterEach(async () => {
  unmountAll();
  localStorage.clear();
  setAccessToken(null);
});

async function mountAs(me: object): Promise<HTMLElement> {
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/auth/me":
        return json(200, me);
      case "/api/agents":
        return json(200, []);
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
  return render(<Sidebar />);
}

const signedInAs = (el: HTMLElement) =>
  [...el.querySelectorAll("p")].find((p) => p.textContent?.startsWith("Signed in as"));

describe("Sidebar", () => {
  it("names the signed-in person by their display name, the username below it", async () => {
    const el = await mountAs({ id: 2, username: "lucie", display_name: "Lucie Nováková", role: "user", created_at: "" });

    await vi.waitFor(() => expect(signedInAs(el)).toBeDefined());
    expect(signedInAs(el)!.firstChild?.textContent).toBe("Signed in as Lucie Nováková");
    expect(signedInAs(el)!.textContent).toBe("Signed in as Lucie Nováková" + "lucie");
    expect(signedInAs(el)!.querySelector("span")?.textContent).toBe("lucie");
  });

  it("falls back to the username when there is no display name", async () => {
    const el = await mountAs({ id: 3, username: "ann", display_name: "", role: "user", created_at: "" });

    await vi.waitFor(() => expect(signedInAs(el)?.textContent).toBe("Signed in as ann"));
    expect(signedInAs(el)!.querySelector("span")).toBeNull();
  });
});

const links = (el: HTMLElement) => [...el.querySelectorAll("a")].map((a) => a.textContent);

describe("Sidebar words", () => {
  it("calls the terminal the workspace's, not the sandbox's", async () => {
    const el = await mountAs({ id: 3, username: "ann", display_name: "", role: "user", created_at: "" });
    await vi.waitFor(() => expect(el.textContent).toContain("No agents yet"));
    expect(links(el)).toEqual(["Dashboard", "+ New Agent", "Workspace terminal", "Settings"]);
    expect(el.textContent).not.toMatch(/sandbox/i);
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await mountAs({ id: 2, username: "lucie", display_name: "Lucie Nováková", role: "admin", created_at: "" });
    await vi.waitFor(() => expect(el.textContent).toContain("Zatím žádní agenti"));
    expect(links(el)).toEqual(["Přehled", "+ Nový agent", "Terminál pracovního prostoru", "Nastavení", "Správa"]);
    expect(el.querySelector("nav")?.getAttribute("aria-label")).toBe("Hlavní");
    expect(el.textContent).toContain("Přihlášený účet: Lucie Nováková");
    expect(el.textContent).toContain("Odhlásit se");
  });
});
