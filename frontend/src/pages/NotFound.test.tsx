// A wrong address offers the way back (never Retry), in English and Czech.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { render, unmountAll } from "../testing/render";
import { applyLanguage } from "../i18n";
import { NotFoundPage } from "./NotFound";

afterEach(async () => {
  unmountAll();
  localStorage.clear();
});

describe("a page that does not exist", () => {
  it("says so and leads back to the dashboard", async () => {
    const el = await render(<NotFoundPage />);
    expect(el.querySelector("h1")?.textContent).toBe("Page not found");
    expect(el.querySelector("a")?.textContent).toBe("Back to the dashboard");
    expect(el.querySelector("button")).toBeNull();
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(<NotFoundPage />);
    expect(el.querySelector("h1")?.textContent).toBe("Stránka nenalezena");
    expect(el.textContent).toBe("Stránka nenalezenaNa této adrese nic není. Zpět na přehled");
    expect(el.querySelector("a")?.getAttribute("href")).toBe("/");
  });
});
