import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// xterm needs a real canvas: the shared stand-in (testing/xterm.ts).
vi.mock("@xterm/xterm", () => import("../testing/xterm"));
vi.mock("@xterm/addon-fit", () => import("../testing/xterm"));

import { ApiError } from "../api/errors";
import { TerminalSession, type TerminalClose } from "./TerminalSession";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { FakeSocket } from "../testing/FakeSocket";
import type { Terminal as FakeTerminal } from "../testing/xterm";


function makeSession(getTicket = vi.fn(async () => "tkt")) {
  const session = new TerminalSession({
    name: "shell",
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    getTicket,
    baseUrl: "ws://example.test",
    pingIntervalMs: 1000,
    initialDelayMs: 500,
    maxDelayMs: 10_000,
  });
  return { session, term: session.terminal as unknown as FakeTerminal, getTicket };
}

// Let the awaited ticket promise settle under fake timers.
const flush = () => vi.advanceTimersByTimeAsync(0);

describe("TerminalSession", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  it("opens the socket with a ticket and the size, and speaks the protocol", async () => {
    const { session, term } = makeSession();
    await session.connect();
    const ws = FakeSocket.instances[0];
    expect(ws.url).toBe("ws://example.test/ws/terminal/shell?ticket=tkt&cols=80&rows=24");
    expect(ws.binaryType).toBe("arraybuffer");
    ws.serverOpen();
    expect(ws.messages()).toEqual([{ type: "resize", cols: 80, rows: 24 }]);

    term.type("ls\r");
    term.resize(100, 30);
    expect(ws.messages().slice(1)).toEqual([
      { type: "input", data: "ls\r" },
      { type: "resize", cols: 100, rows: 30 },
    ]);

    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.messages().at(-1)).toEqual({ type: "ping" });

    const bytes = new TextEncoder().encode("hello").buffer;
    ws.serverMessage(bytes);
    expect(term.written.at(-1)).toEqual(new Uint8Array(bytes));
    session.dispose();
  });

  it("the Ctrl toggle turns the next key into a control character", async () => {
    const { session, term } = makeSession();
    await session.connect();
    const ws = FakeSocket.instances[0];
    ws.serverOpen();
    session.setCtrl(true);
    term.type("c");
    term.type("c");
    expect(ws.messages().slice(1)).toEqual([
      { type: "input", data: "\x03" },
      { type: "input", data: "c" },
    ]);
    session.dispose();
  });

  it("reconnects with growing delays, capped, after abnormal closes", async () => {
    const { session, getTicket } = makeSession();
    await session.connect();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const ws = FakeSocket.instances.at(-1)!;
      ws.serverOpen();
      ws.serverClose(1006);
      const before = FakeSocket.instances.length;
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect(getTicket).toHaveBeenCalledTimes(8); // a fresh ticket for every connection
    session.dispose();
  });

  it("output on a connection resets the backoff", async () => {
    const { session } = makeSession();
    await session.connect();
    FakeSocket.instances[0].serverClose(4503);
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.instances[1].serverClose(4503);
    await vi.advanceTimersByTimeAsync(1000);
    const ws = FakeSocket.instances[2];
    ws.serverOpen();
    ws.serverMessage(new ArrayBuffer(1));
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.instances).toHaveLength(4);
    session.dispose();
  });

  it("every reconnection sends the size again and pings on the new socket only", async () => {
    const { session } = makeSession();
    await session.connect();
    const first = FakeSocket.instances[0];
    first.serverOpen();
    first.serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    const second = FakeSocket.instances[1];
    expect(second.url).toBe("ws://example.test/ws/terminal/shell?ticket=tkt&cols=80&rows=24");
    second.serverOpen();
    expect(second.messages()).toEqual([{ type: "resize", cols: 80, rows: 24 }]);
    const sentBefore = first.sent.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(first.sent).toHaveLength(sentBefore);
    expect(second.messages().at(-1)).toEqual({ type: "ping" });
    session.dispose();
  });

  it("reports each close's code and raw reason while reconnecting, and signed out (no code) for good", async () => {
    const getTicket = vi
      .fn<() => Promise<string>>()
      .mockResolvedValueOnce("tkt")
      .mockRejectedValueOnce(new ApiError(401, "Not signed in", null));
    const { session } = makeSession(getTicket);
    const statuses: [string, TerminalClose | undefined][] = [];
    session.onStatus((s, close) => statuses.push([s, close]));
    await session.connect();
    FakeSocket.instances[0].serverOpen();
    FakeSocket.instances[0].serverMessage(new TextEncoder().encode("$ ").buffer);
    const reason = "the sandbox is unavailable: the runner did not answer within 60 s";
    FakeSocket.instances[0].serverClose(CLOSE_CODES.unavailable, reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(statuses).toEqual([
      ["connecting", undefined],
      ["connecting", undefined],
      ["open", undefined],
      ["reconnecting", { code: CLOSE_CODES.unavailable, reason }],
      // The next attempt is still explained by the close before it.
      ["reconnecting", { code: CLOSE_CODES.unavailable, reason }],
      ["closed", { code: null, reason: "signed out" }],
    ]);
    expect(getTicket).toHaveBeenCalledTimes(2);
    session.dispose();
  });

  it("is open once the server has said something, not when a socket that is then closed at once (4503) opens", async () => {
    const { session } = makeSession();
    const statuses: string[] = [];
    session.onStatus((s) => statuses.push(s));
    await session.connect();
    for (let attempt = 0; attempt < 3; attempt++) {
      const ws = FakeSocket.instances[attempt];
      ws.serverOpen();
      ws.serverClose(CLOSE_CODES.unavailable, "Sandboxes are disabled on this server");
      await vi.advanceTimersByTimeAsync(15_000);
    }
    expect(statuses).not.toContain("open");
    expect(statuses.at(-1)).toBe("reconnecting");
    const ws = FakeSocket.instances[3];
    ws.serverOpen();
    expect(statuses.at(-1)).toBe("reconnecting");
    ws.serverMessage(new TextEncoder().encode("$ ").buffer);
    expect(statuses.at(-1)).toBe("open");
    session.dispose();
  });

  it.each([CLOSE_CODES.normal, CLOSE_CODES.notFound, CLOSE_CODES.forbidden])("does not reconnect after %i", async (code) => {
    const { session } = makeSession();
    const statuses: [string, TerminalClose | undefined][] = [];
    session.onStatus((s, close) => statuses.push([s, close]));
    await session.connect();
    FakeSocket.instances[0].serverOpen();
    FakeSocket.instances[0].serverClose(code, "why");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(statuses.at(-1)).toEqual(["closed", { code, reason: "why" }]);
    session.dispose();
  });

  it("a new listener hears the current status with the close it follows", async () => {
    const { session } = makeSession();
    await session.connect();
    FakeSocket.instances[0].serverClose(CLOSE_CODES.notFound, "no terminal session named x");
    const heard: [string, TerminalClose | undefined][] = [];
    session.onStatus((s, close) => heard.push([s, close]));
    expect(heard).toEqual([["closed", { code: CLOSE_CODES.notFound, reason: "no terminal session named x" }]]);
    session.dispose();
  });

  it("dispose() closes the socket, stops pinging and cancels reconnects", async () => {
    const { session, term } = makeSession();
    await session.connect();
    const ws = FakeSocket.instances[0];
    ws.serverOpen();
    session.dispose();
    expect(ws.closedWith).toBe(1000);
    expect(term.disposed).toBe(true);
    const sent = ws.sent.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ws.sent.length).toBe(sent);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("dispose() during a pending reconnect stops it", async () => {
    const { session } = makeSession();
    await session.connect();
    FakeSocket.instances[0].serverClose(1006);
    session.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("dispose() while the ticket is being fetched opens no socket", async () => {
    let resolve!: (t: string) => void;
    const { session } = makeSession(vi.fn(() => new Promise<string>((r) => (resolve = r))));
    const pending = session.connect();
    session.dispose();
    resolve("late");
    await pending;
    await flush();
    expect(FakeSocket.instances).toHaveLength(0);
  });
});
