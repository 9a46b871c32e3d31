// A socket closed with 4401 because its sign-in ended (signed out elsewhere, a password reset, a demotion): the
// real ticket, refresh and access-token code under the socket, with only fetch and the WebSocket played by hand.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, onAuthChange, setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { FakeSocket } from "../testing/FakeSocket";
import { CLOSE_CODES } from "./closeCodes";
import { ReconnectingSocket, type SocketClose } from "./ReconnectingSocket";

const ENDED = "this sign-in has ended (signed out, new password or role); sign in again";

interface Call {
  path: string;
  auth: string | null;
}

/** The server's side of fetch: `refreshTo` is the access token a refresh hands out (null: it is refused); a ticket
 * is given only for one of `live` tokens. */
function server(live: Set<string>, refreshTo: string | null) {
  const calls: Call[] = [];
  let tickets = 0;
  setFetch((async (input: string | URL | Request, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://pwa.test"), init);
    const path = new URL(request.url).pathname;
    const auth = request.headers.get("Authorization");
    calls.push({ path, auth });
    if (path === "/api/auth/refresh") {
      if (refreshTo === null) return json(401, { detail: "Session ended; sign in again" });
      live.add(refreshTo);
      return json(200, { access_token: refreshTo, expires_in: 900 });
    }
    if (path === "/api/ws-ticket") {
      if (!auth || !live.has(auth.replace("Bearer ", ""))) return json(401, { detail: "This sign-in has ended" });
      tickets += 1;
      return json(200, { ticket: `t${tickets}`, expires_in: 30 });
    }
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
  return calls;
}

function makeSocket() {
  const socket = new ReconnectingSocket({
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    baseUrl: "ws://pwa.test",
    target: () => ({ path: "/ws/events", query: {} }),
    defaultDelays: [1000, 30_000],
  });
  const closes: SocketClose[] = [];
  socket.onClose((c) => closes.push(c));
  return { socket, closes };
}

const last = () => FakeSocket.instances.at(-1)!;
const tickets = (calls: Call[]) => calls.filter((c) => c.path === "/api/ws-ticket");

describe("a socket whose sign-in ended (4401)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
    setAccessToken(null);
  });
  afterEach(() => {
    vi.useRealTimers();
    setAccessToken(null);
  });

  it("tries one refresh and one ticket, then signs the person out (the sign-in page) and stays closed", async () => {
    setAccessToken("phone");
    const live = new Set(["phone"]);
    const calls = server(live, null);
    const signedIn: boolean[] = [];
    const off = onAuthChange((s) => signedIn.push(s));
    const { socket, closes } = makeSocket();
    await socket.start();
    last().serverOpen();
    last().serverMessage('{"type": "sandbox.state"}');

    live.delete("phone"); // signed out on another tab: the server ends the sign-in and closes its sockets
    last().serverClose(CLOSE_CODES.unauthorized, ENDED);
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(closes).toEqual([
      { code: CLOSE_CODES.unauthorized, reason: ENDED, retryInMs: 1000 },
      { code: null, reason: "signed out", retryInMs: null },
    ]);
    expect(calls.map((c) => c.path)).toEqual(["/api/ws-ticket", "/api/ws-ticket", "/api/auth/refresh"]);
    expect(FakeSocket.instances).toHaveLength(1); // no socket opened after the end, in ten minutes
    expect(getAccessToken()).toBeNull();
    expect(signedIn).toEqual([false]); // what makes App show the sign-in page
    off();
    socket.stop();
  });

  it("reconnects with a new ticket when the sign-in stands (a demotion, a password changed on this device)", async () => {
    setAccessToken("before");
    const live = new Set(["before"]);
    const calls = server(live, "after");
    const { socket, closes } = makeSocket();
    await socket.start();
    last().serverOpen();

    live.delete("before"); // this access token's sign-in ended; the refresh cookie's (a new one) stands
    last().serverClose(CLOSE_CODES.unauthorized, ENDED);
    await vi.advanceTimersByTimeAsync(1000);

    expect(FakeSocket.instances).toHaveLength(2);
    expect(last().url).toBe("ws://pwa.test/ws/events?ticket=t2");
    expect(tickets(calls).map((c) => c.auth)).toEqual(["Bearer before", "Bearer before", "Bearer after"]);
    expect(getAccessToken()).toBe("after");
    expect(closes).toEqual([{ code: CLOSE_CODES.unauthorized, reason: ENDED, retryInMs: 1000 }]);
    socket.stop();
  });

  it("a 4401 that keeps coming right after each open backs off instead of looping", async () => {
    setAccessToken("token");
    server(new Set(["token"]), null);
    const { socket, closes } = makeSocket();
    await socket.start();
    for (let i = 0; i < 6; i += 1) {
      last().serverOpen(); // the server accepts before it checks the ticket ...
      last().serverClose(CLOSE_CODES.unauthorized, "missing, expired or already used ticket; get a new one");
      await vi.advanceTimersByTimeAsync(closes.at(-1)!.retryInMs!);
    }
    expect(closes.map((c) => c.retryInMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
    socket.stop();
  });
});
