// The terminal's connection state in plain words, chosen from how the last connection ended; the server's own
// reason (developer words) only under a "Details for the admin" disclosure. The real TerminalSession and
// ReconnectingSocket, with only fetch and the WebSocket played by hand.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { button, render, unmountAll } from "../testing/render";
import { TerminalView } from "./TerminalView";

// xterm needs a real canvas: the shared stand-in (testing/xterm.ts).
vi.mock("@xterm/xterm", () => import("../testing/xterm"));
vi.mock("@xterm/addon-fit", () => import("../testing/xterm"));

/** The server's side of fetch: a ticket for every socket, unless the sign-in has ended (then no refresh either). */
function server({ signedIn }: { signedIn: boolean }) {
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const path = new URL(input instanceof Request ? input.url : String(input), "http://pwa.test").pathname;
    if (path === "/api/ws-ticket") return signedIn ? json(200, { ticket: "x" }) : json(401, { detail: "This sign-in has ended" });
    if (path === "/api/auth/refresh") return json(401, { detail: "Session ended; sign in again" });
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
}

beforeEach(async () => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  server({ signedIn: true });
  await act(async () => applyLanguage("en"));
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
  localStorage.clear();
});

const statusRow = (el: HTMLElement) => el.querySelector("[aria-live]") as HTMLElement;
const words = (el: HTMLElement) => statusRow(el).querySelector("span")?.textContent;
const reconnectShown = (el: HTMLElement) => [...el.querySelectorAll("button")].some((b) => b.textContent === "Reconnect");

const PROMPT = new TextEncoder().encode("$ ").buffer; // tmux's first redraw: the terminal is attached

async function connected(): Promise<HTMLElement> {
  const el = await render(<TerminalView name="shell" />);
  await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
  await act(async () => {
    FakeSocket.instances[0].serverOpen();
    FakeSocket.instances[0].serverMessage(PROMPT);
  });
  expect(words(el)).toBe("Connected");
  return el;
}

describe("the terminal's connection state", () => {
  it("a workspace that does not answer (4503) is said plainly while it tries again, its reason kept for the admin", async () => {
    const el = await connected();
    const reason = "the sandbox is unavailable: the runner in alice's sandbox did not answer within 60 s; see `docker logs act-alice`";
    await act(async () => FakeSocket.instances[0].serverClose(CLOSE_CODES.unavailable, reason));
    expect(words(el)).toBe("Your workspace is not answering. Trying again…");
    expect(reconnectShown(el)).toBe(false);
    const details = statusRow(el).querySelector("details")!;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent).toBe("Details for the admin");
    expect(details.textContent).toContain(reason);
    expect(words(el)).not.toContain("sandbox");

    // The next attempt (after the first backoff, 500 ms) is still about the workspace, until a connection opens.
    await act(() => new Promise((resolve) => setTimeout(resolve, 600)));
    expect(FakeSocket.instances).toHaveLength(2);
    expect(words(el)).toBe("Your workspace is not answering. Trying again…");
    await act(async () => FakeSocket.instances[1].serverOpen());
    expect(words(el)).toBe("Your workspace is not answering. Trying again…"); // accepted, not yet attached
    await act(async () => FakeSocket.instances[1].serverMessage(PROMPT));
    expect(words(el)).toBe("Connected");
    expect(statusRow(el).querySelector("details")).toBeNull();
  });

  it("any other lost connection is said as lost, while reconnecting", async () => {
    const el = await connected();
    await act(async () => FakeSocket.instances[0].serverClose(1006));
    expect(words(el)).toBe("Connection lost. Reconnecting…");
    expect(statusRow(el).querySelector("details")).toBeNull(); // no reason, nothing to disclose
  });

  it("a session that ended (1000) says so and offers to reconnect", async () => {
    const el = await connected();
    await act(async () => FakeSocket.instances[0].serverClose(CLOSE_CODES.normal, "the shell exited"));
    expect(words(el)).toBe("This terminal session ended.");
    expect(reconnectShown(el)).toBe(true);
    expect(statusRow(el).querySelector("details")?.textContent).toContain("the shell exited");

    await act(async () => button(el, "Reconnect").click());
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
    expect(words(el)).toBe("Connecting…");
    expect(reconnectShown(el)).toBe(false);
  });

  it.each([
    [CLOSE_CODES.notFound, "This terminal session no longer exists.", true],
    [CLOSE_CODES.forbidden, "You are not allowed to open this terminal.", false],
  ])("a close with %i that retrying cannot mend says %s", async (code, sentence, offered) => {
    const el = await connected();
    await act(async () => FakeSocket.instances[0].serverClose(code, "raw words"));
    expect(words(el)).toBe(sentence);
    expect(reconnectShown(el)).toBe(offered);
  });

  it("a person whose sign-in ended is told to sign in again, with no details to show", async () => {
    server({ signedIn: false });
    const el = await render(<TerminalView name="shell" />);
    await vi.waitFor(() => expect(words(el)).toBe("You are signed out. Sign in again to use the terminal."));
    expect(FakeSocket.instances).toHaveLength(0);
    expect(statusRow(el).querySelector("details")).toBeNull();
    expect(reconnectShown(el)).toBe(false);
  });
});
