import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { CLOSE_CODES } from "./closeCodes";
import { FakeSocket } from "../testing/FakeSocket";
import { EventStream, type LiveEvent } from "./EventStream";
import { LogStream } from "./LogStream";

function makeStream(scope: "mine" | "all" = "mine", getTicket = vi.fn(async () => "tkt")) {
  const stream = new EventStream({
    scope,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    getTicket,
    baseUrl: "ws://example.test",
    initialDelayMs: 1000,
    maxDelayMs: 4000,
  });
  const events: LiveEvent[] = [];
  let connections = 0;
  stream.onEvent((e) => events.push(e));
  stream.onConnected(() => (connections += 1));
  return { stream, events, getTicket, connections: () => connections };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("EventStream", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  it("opens /ws/events with a ticket (and scope=all for admins) and delivers JSON events", async () => {
    const { stream, events, connections } = makeStream("all");
    await stream.start();
    const ws = FakeSocket.instances[0];
    expect(ws.url).toBe("ws://example.test/ws/events?ticket=tkt&scope=all");
    ws.serverOpen();
    expect(connections()).toBe(1);
    ws.serverMessage('{"type": "sandbox.state", "user_id": 2, "username": "mum", "state": "running"}');
    ws.serverMessage("not json");
    ws.serverMessage('{"no": "type"}');
    expect(events).toEqual([{ type: "sandbox.state", user_id: 2, username: "mum", state: "running" }]);
    stream.stop();
    expect(ws.closedWith).toBe(1000);
  });

  it("reconnects with doubling delays up to the cap, with a new ticket each time", async () => {
    const { stream, getTicket, connections } = makeStream();
    await stream.start();
    FakeSocket.instances[0].serverOpen();
    for (const delay of [1000, 2000, 4000, 4000]) {
      const before = FakeSocket.instances.length;
      FakeSocket.instances.at(-1)!.serverClose(CLOSE_CODES.tooSlow);
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(FakeSocket.instances).toHaveLength(before);
      await vi.advanceTimersByTimeAsync(1);
      await flush();
      expect(FakeSocket.instances).toHaveLength(before + 1);
    }
    expect(getTicket).toHaveBeenCalledTimes(5);
    FakeSocket.instances.at(-1)!.serverOpen();
    expect(connections()).toBe(2); // each (re)connection is announced so callers can refetch
    stream.stop();
  });

  it("does not retry after 4403 or 4404, nor when signed out", async () => {
    for (const code of [CLOSE_CODES.forbidden, CLOSE_CODES.notFound]) {
      FakeSocket.instances = [];
      const { stream } = makeStream("all");
      await stream.start();
      FakeSocket.instances[0].serverClose(code);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(FakeSocket.instances).toHaveLength(1);
      stream.stop();
    }
    const signedOut = makeStream("mine", vi.fn(async () => Promise.reject(new ApiError(401, "Not signed in", null))));
    await signedOut.stream.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(signedOut.getTicket).toHaveBeenCalledTimes(1);
  });

  it("stopping cancels a pending reconnect", async () => {
    const { stream, getTicket } = makeStream();
    await stream.start();
    FakeSocket.instances[0].serverClose(CLOSE_CODES.unavailable);
    stream.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getTicket).toHaveBeenCalledTimes(1);
  });
});

describe("LogStream", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  it("delivers entries once, in order, and reconnects after the last id it saw", async () => {
    const stream = new LogStream(7, {
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      getTicket: vi.fn(async () => "tkt"),
      baseUrl: "ws://example.test",
      initialDelayMs: 100,
    });
    const seen: number[] = [];
    stream.onEntry((e) => seen.push(e.id));
    await stream.start();
    const first = FakeSocket.instances[0];
    expect(first.url).toBe("ws://example.test/ws/project/7/logs?ticket=tkt&after=0");
    first.serverOpen();
    for (const id of [1, 2, 2, 3]) first.serverMessage(JSON.stringify({ id, project_id: 7, level: "info", message: "m" }));
    first.serverClose(CLOSE_CODES.tooSlow);
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    const second = FakeSocket.instances[1];
    expect(second.url).toBe("ws://example.test/ws/project/7/logs?ticket=tkt&after=3");
    second.serverOpen();
    second.serverMessage(JSON.stringify({ id: 3, project_id: 7, level: "info", message: "again" }));
    second.serverMessage(JSON.stringify({ id: 4, project_id: 7, level: "error", message: "new" }));
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(stream.after).toBe(4);
    stream.stop();
  });
});
