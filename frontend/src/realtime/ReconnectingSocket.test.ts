import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { FakeSocket } from "../testing/FakeSocket";
import { CLOSE_CODES } from "./closeCodes";
import { ReconnectingSocket, type ReconnectingSocketConfig, type SocketClose } from "./ReconnectingSocket";

function makeSocket(config: Partial<ReconnectingSocketConfig> = {}) {
  const getTicket = vi.fn(async () => "tkt");
  const socket = new ReconnectingSocket({
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    getTicket,
    baseUrl: "ws://example.test",
    target: () => ({ path: "/ws/thing", query: { a: "1" } }),
    defaultDelays: [100, 400],
    ...config,
  });
  const closes: SocketClose[] = [];
  socket.onClose((c) => closes.push(c));
  return { socket, closes, getTicket };
}

const last = () => FakeSocket.instances.at(-1)!;

describe("ReconnectingSocket", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  it("a second start replaces the socket and closes the first, whose frames and close are no longer heard", async () => {
    const { socket, closes } = makeSocket();
    const texts: string[] = [];
    socket.onText((t) => texts.push(t));
    await socket.start();
    const first = last();
    first.serverOpen();
    await socket.start();
    const second = last();
    expect(second).not.toBe(first);
    expect(first.readyState).toBe(3);
    first.serverMessage("stale");
    second.serverOpen();
    second.serverMessage("fresh");
    expect(texts).toEqual(["fresh"]);
    expect(closes).toEqual([]);
    socket.stop();
  });

  it("connects to its target with a ticket and delivers text and binary frames apart", async () => {
    const { socket } = makeSocket();
    const texts: string[] = [];
    const binaries: ArrayBuffer[] = [];
    let opened = 0;
    socket.onText((t) => texts.push(t));
    const offBinary = socket.onBinary((b) => binaries.push(b));
    socket.onOpen(() => (opened += 1));
    await socket.start();
    const ws = last();
    expect(ws.url).toBe("ws://example.test/ws/thing?ticket=tkt&a=1");
    expect(ws.binaryType).toBe("arraybuffer"); // binary frames arrive as ArrayBuffers, never Blobs
    expect(socket.send("early")).toBe(false);
    ws.serverOpen();
    expect(opened).toBe(1);
    expect(socket.send("hello")).toBe(true);
    expect(ws.sent).toEqual(["hello"]);

    const bytes = new TextEncoder().encode("\x1b[1mbold").buffer;
    ws.serverMessage("text");
    ws.serverMessage(bytes);
    expect(texts).toEqual(["text"]);
    expect(binaries).toHaveLength(1);
    expect(binaries[0]).toBe(bytes);

    offBinary();
    ws.serverMessage(new ArrayBuffer(2));
    expect(binaries).toHaveLength(1);
    socket.stop();
  });

  it("lets callers hear each close with its code, its reason and the delay before the next attempt", async () => {
    const { socket, closes, getTicket } = makeSocket();
    const connecting: boolean[] = [];
    socket.onConnecting((reconnecting) => connecting.push(reconnecting));
    await socket.start();
    last().serverClose(CLOSE_CODES.tooSlow, "too slow");
    await vi.advanceTimersByTimeAsync(100);
    last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(200);
    last().serverClose(CLOSE_CODES.notFound, "no such thing");
    await vi.advanceTimersByTimeAsync(60_000);

    expect(closes).toEqual([
      { code: CLOSE_CODES.tooSlow, reason: "too slow", retryInMs: 100 },
      { code: 1006, reason: "", retryInMs: 200 },
      { code: CLOSE_CODES.notFound, reason: "no such thing", retryInMs: null }, // for good
    ]);
    expect(connecting).toEqual([false, true, true]);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(getTicket).toHaveBeenCalledTimes(3);
  });

  it("a normal close or 4403 is final too", async () => {
    for (const code of [CLOSE_CODES.normal, CLOSE_CODES.forbidden]) {
      FakeSocket.instances = [];
      const { socket, closes } = makeSocket();
      await socket.start();
      last().serverOpen();
      last().serverClose(code);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(closes).toEqual([{ code, reason: "", retryInMs: null }]);
      expect(FakeSocket.instances).toHaveLength(1);
      socket.stop();
    }
  });

  it("a ticket that could not be had is heard as a close without a code", async () => {
    const getTicket = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error("offline"))
      .mockRejectedValueOnce(new ApiError(401, "Not signed in", null));
    const { socket, closes } = makeSocket({ getTicket });
    await socket.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(closes).toEqual([
      { code: null, reason: "offline", retryInMs: 100 },
      { code: null, reason: "signed out", retryInMs: null },
    ]);
    expect(getTicket).toHaveBeenCalledTimes(2);
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it("stop() closes with 1000, is not heard as a close, and nothing is delivered after it", async () => {
    const { socket, closes } = makeSocket();
    const texts: string[] = [];
    socket.onText((t) => texts.push(t));
    await socket.start();
    const ws = last();
    ws.serverOpen();
    socket.stop();
    expect(ws.closedWith).toBe(CLOSE_CODES.normal);
    ws.serverMessage("late");
    ws.serverClose(CLOSE_CODES.normal);
    await socket.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(texts).toEqual([]);
    expect(closes).toEqual([]);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it("start() while a retry is pending connects once, now", async () => {
    const { socket } = makeSocket();
    await socket.start();
    last().serverClose(1006);
    await socket.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
    socket.stop();
  });

  it("resets the backoff on open, or only once a frame arrived when asked to", async () => {
    const delays = async (resetBackoffOn: "open" | "frame") => {
      FakeSocket.instances = [];
      const { socket, closes } = makeSocket({ resetBackoffOn });
      await socket.start();
      for (const frame of [false, false, true]) {
        last().serverOpen();
        if (frame) last().serverMessage("{}");
        last().serverClose(1006);
        await vi.advanceTimersByTimeAsync(closes.at(-1)!.retryInMs!);
      }
      socket.stop();
      return closes.map((c) => c.retryInMs);
    };
    expect(await delays("open")).toEqual([100, 100, 100]);
    expect(await delays("frame")).toEqual([100, 200, 100]);
  });

  it("back online, a connection waiting out its backoff connects at once, not when the backoff ends", async () => {
    const { socket, closes, getTicket } = makeSocket({ defaultDelays: [100, 60_000], initialDelayMs: 30_000 });
    await socket.start();
    last().serverClose(1006); // the network dropped
    expect(closes.at(-1)!.retryInMs).toBe(30_000);
    expect(FakeSocket.instances).toHaveLength(1);

    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(getTicket).toHaveBeenCalledTimes(2);
    last().serverOpen();
    // The pending retry was cancelled, not added to: no third socket when its time would have come.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
    socket.stop();
  });

  it("back online after a failed ticket (the network was down), it asks for a ticket again at once", async () => {
    const getTicket = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error("offline")).mockResolvedValue("tkt");
    const { socket } = makeSocket({ getTicket, initialDelayMs: 30_000 });
    await socket.start();
    expect(FakeSocket.instances).toHaveLength(0);
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(getTicket).toHaveBeenCalledTimes(2);
    expect(FakeSocket.instances).toHaveLength(1);
    socket.stop();
  });

  it("online replaces an open socket (it may be dead since the network went), and a stopped one hears nothing", async () => {
    const { socket, closes } = makeSocket();
    const texts: string[] = [];
    socket.onText((t) => texts.push(t));
    await socket.start();
    const before = last();
    before.serverOpen();
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(before.closedWith).toBe(CLOSE_CODES.normal);
    before.serverMessage("stale");
    last().serverOpen();
    last().serverMessage("fresh");
    expect(texts).toEqual(["fresh"]);
    expect(closes).toEqual([]); // a replacement, not a close the caller hears

    socket.stop();
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it("a socket closed for good (4404, signed out) stays closed when the network returns", async () => {
    const { socket, closes } = makeSocket();
    await socket.start();
    last().serverOpen();
    last().serverClose(CLOSE_CODES.notFound);
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(closes).toEqual([{ code: CLOSE_CODES.notFound, reason: "", retryInMs: null }]);

    const signedOut = makeSocket({ getTicket: vi.fn(async () => Promise.reject(new ApiError(401, "Not signed in", null))) });
    await signedOut.socket.start();
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(signedOut.closes).toHaveLength(1);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
