// The terminal page in Czech: its title and hint, the connection state and the key bar's spoken names. The
// keys keep the names keyboards print (Esc, Tab, Ctrl) in every language.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { en } from "../i18n/en/index";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { TerminalPage } from "../pages/TerminalPage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { render, unmountAll } from "../testing/render";

// xterm needs a real canvas: the shared stand-in (testing/xterm.ts).
vi.mock("@xterm/xterm", () => import("../testing/xterm"));
vi.mock("@xterm/addon-fit", () => import("../testing/xterm"));

beforeEach(async () => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const path = new URL((input as Request).url).pathname;
    return path === "/api/ws-ticket" ? json(200, { ticket: "x" }) : json(404, { detail: "Not Found" });
  }) as typeof fetch);
  await act(async () => applyLanguage("cs"));
});

afterEach(async () => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
  localStorage.clear();
});

describe("the terminal page in Czech", () => {
  it("names the page, its state and its keys in Czech; the keys keep their keyboard names", async () => {
    const el = await render(<TerminalPage />);
    expect(el.querySelector("h1")?.textContent).toBe("Terminál pracovního prostoru");
    await vi.waitFor(() => expect(el.textContent).toContain("Připojování…"));
    await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(1));
    await act(async () => {
      FakeSocket.instances[0].serverOpen();
      FakeSocket.instances[0].serverMessage(new TextEncoder().encode("$ ").buffer);
    });
    expect(el.textContent).toContain("Připojeno");
    expect(el.querySelector("[role=application]")?.getAttribute("aria-label")).toBe("Terminál shell");
    expect(el.querySelector("[role=toolbar]")?.getAttribute("aria-label")).toBe("Klávesy terminálu");
    const keys = [...el.querySelectorAll("[role=toolbar] button")].map((b) => b.getAttribute("aria-label") ?? b.textContent);
    expect(keys).toEqual(["Esc", "Tab", "Ctrl", "Šipka doleva", "Šipka nahoru", "Šipka dolů", "Šipka doprava", "Enter"]);
    for (const english of ["Connecting", "Connected", "Terminal keys", "Sandbox terminal"]) expect(el.innerHTML).not.toContain(english);
  });

  it("says a closed connection in Czech and offers to connect again; the server's words wait under the admin's details", async () => {
    const el = await render(<TerminalPage />);
    await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(1));
    const reason = "no terminal session named shell";
    await act(async () => FakeSocket.instances[0].serverClose(CLOSE_CODES.notFound, reason));
    await vi.waitFor(() => expect(el.textContent).toContain("Tato relace terminálu už neexistuje."));
    expect([...el.querySelectorAll("button")].map((b) => b.textContent)).toContain("Připojit znovu");

    const details = el.querySelector("[aria-live] details") as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent).toBe("Podrobnosti pro správce");
    expect(details.textContent).toContain(reason);

    // Outside the disclosure, only Czech: not the server's words, nor any English sentence of the terminal.
    const page = el.cloneNode(true) as HTMLElement;
    page.querySelector("details")?.remove();
    expect(page.textContent).not.toContain(reason);
    for (const english of [...Object.values(en.terminal.status), en.terminal.closeDetails]) expect(page.textContent).not.toContain(english);
  });
});
