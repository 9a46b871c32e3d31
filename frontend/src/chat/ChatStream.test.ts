import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CLOSE_CODES } from "../realtime/closeCodes";
import { FakeSocket } from "../testing/FakeSocket";
import { ChatStream } from "./ChatStream";
import type { ChatFrame } from "./types";

function makeStream(after: number, path = "/ws/research/4/chat") {
  const stream = new ChatStream(path, after, {
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    getTicket: vi.fn(async () => "tkt"),
    baseUrl: "ws://example.test",
    initialDelayMs: 100,
    maxDelayMs: 100,
  });
  const frames: ChatFrame[] = [];
  stream.onFrame((f) => frames.push(f));
  return { stream, frames };
}

const delta = (seq: number, text: string) => JSON.stringify({ seq, type: "delta", turn: 1, text });

describe("ChatStream", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  it("opens after the largest seq the page holds and delivers numbered frames in order", async () => {
    const { stream, frames } = makeStream(12);
    await stream.start();
    const ws = FakeSocket.instances[0];
    expect(ws.url).toBe("ws://example.test/ws/research/4/chat?ticket=tkt&after=12");
    ws.serverOpen();
    ws.serverMessage(delta(13, "Hel"));
    ws.serverMessage("not json");
    ws.serverMessage(JSON.stringify({ seq: 14, type: "unknown" }));
    ws.serverMessage(JSON.stringify({ type: "delta", text: "no seq" }));
    ws.serverMessage(delta(14, "lo"));
    expect(frames.map((f) => f.seq)).toEqual([13, 14]);
    expect(stream.after).toBe(14);
    stream.stop();
  });

  it("keeps a query of the path's own (an agent's chat named by its agent) and resumes after N with it", async () => {
    const { stream } = makeStream(5, "/ws/social/ai/chat?agent_id=3");
    await stream.start();
    const first = FakeSocket.instances[0];
    expect(first.url).toBe("ws://example.test/ws/social/ai/chat?ticket=tkt&agent_id=3&after=5");
    first.serverOpen();
    first.serverMessage(delta(6, "a"));
    first.serverClose(CLOSE_CODES.tooSlow);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeSocket.instances[1].url).toBe("ws://example.test/ws/social/ai/chat?ticket=tkt&agent_id=3&after=6");
    stream.stop();
  });

  it("reconnects after the last seq it received and never delivers a frame twice", async () => {
    const { stream, frames } = makeStream(0);
    await stream.start();
    const first = FakeSocket.instances[0];
    first.serverOpen();
    first.serverMessage(delta(1, "a"));
    first.serverMessage(delta(2, "b"));
    first.serverClose(CLOSE_CODES.tooSlow);
    await vi.advanceTimersByTimeAsync(100);
    const second = FakeSocket.instances[1];
    expect(second.url).toContain("after=2");
    second.serverOpen();
    // A backlog that overlaps what was heard: only the new frames pass.
    second.serverMessage(delta(2, "b"));
    second.serverMessage(delta(3, "c"));
    second.serverMessage(delta(3, "c"));
    expect(frames.map((f) => (f.type === "delta" ? f.text : ""))).toEqual(["a", "b", "c"]);
    stream.stop();
  });

  it("gives up on a chat that is not the person's (4404)", async () => {
    const { stream } = makeStream(0);
    const closes: (number | null)[] = [];
    stream.onClose((c) => closes.push(c.retryInMs));
    await stream.start();
    FakeSocket.instances[0].serverClose(CLOSE_CODES.notFound);
    await vi.advanceTimersByTimeAsync(1000);
    expect(closes).toEqual([null]);
    expect(FakeSocket.instances).toHaveLength(1);
  });
});
