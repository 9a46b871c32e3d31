// The app-wide error boundary: a page that throws while rendering becomes a plain "reload" screen instead of
// a blank page; a page that does not is shown as it is.
import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { applyLanguage } from "../i18n";
import { button, render, unmountAll } from "../testing/render";
import { AppErrorBoundary } from "./AppErrorBoundary";

afterEach(() => {
  unmountAll();
  vi.restoreAllMocks();
});

function Broken(): never {
  throw new Error("boom");
}

/** React and the boundary log what they catch; keep the test output clean, but let the test see it. */
const quietConsole = () => vi.spyOn(console, "error").mockImplementation(() => undefined);

describe("AppErrorBoundary", () => {
  it("shows its children when nothing throws", async () => {
    const el = await render(<AppErrorBoundary><p>The dashboard</p></AppErrorBoundary>);
    expect(el.textContent).toBe("The dashboard");
    expect(el.querySelector("[role=alert]")).toBeNull();
  });

  it("shows the reload screen when a child throws, and logs the error", async () => {
    const logged = quietConsole();
    const el = await render(<AppErrorBoundary><Broken /></AppErrorBoundary>);

    const alert = el.querySelector("[role=alert]");
    expect(alert?.querySelector("h1")?.textContent).toBe("Something went wrong on this page");
    expect(alert?.textContent).toContain("Reloading usually fixes it. Nothing you saved is lost.");
    const back = alert?.querySelector("a");
    expect(back?.textContent).toBe("Back to the dashboard");
    expect(back?.getAttribute("href")).toBe("/");
    expect(logged).toHaveBeenCalledWith("A page failed to render:", expect.objectContaining({ message: "boom" }), expect.any(String));

    const reload = vi.spyOn(window.location, "reload").mockImplementation(() => undefined);
    await act(async () => button(el, "Reload").click());
    expect(reload).toHaveBeenCalledOnce();
  });

  it("says it in Czech too", async () => {
    quietConsole();
    await act(async () => applyLanguage("cs"));
    const el = await render(<AppErrorBoundary><Broken /></AppErrorBoundary>);
    expect(el.querySelector("h1")?.textContent).toBe("Na této stránce se něco pokazilo");
    expect(button(el, "Načíst znovu")).toBeTruthy();
    expect(el.querySelector("a")?.textContent).toBe("Zpět na přehled");
  });
});
