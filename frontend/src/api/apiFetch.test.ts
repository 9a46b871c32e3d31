import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, onAuthChange, setAccessToken } from "./accessToken";
import { apiFetch, apiFetchRequest } from "./apiFetch";
import { refresh } from "./refresh";
import { setFetch } from "./transport";
import { authOf, json } from "../testing/http";

describe("refresh on 401", () => {
  beforeEach(() => setAccessToken(null));
  afterEach(() => setAccessToken(null));

  it("a refusal that arrives after the person signed in leaves the new sign-in alone", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    setFetch((async () => {
      await gate; // the start-up refresh on the sign-in page, answering late
      return json(401, { detail: "No refresh token; sign in again" });
    }) as typeof fetch);

    const pending = refresh();
    setAccessToken("from-the-sign-in-form");
    release();

    expect(await pending).toBe(true);
    expect(getAccessToken()).toBe("from-the-sign-in-form");
  });

  it("two concurrent 401s share exactly one refresh and both retry with the new token", async () => {
    setAccessToken("old");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: { url: string; auth: string | null }[] = [];
    setFetch((async (url: string | URL | Request, init?: RequestInit) => {
      const u = String(url);
      calls.push({ url: u, auth: authOf(init) });
      if (u === "/api/auth/refresh") {
        await gate; // hold the refresh open so both callers are waiting on it
        return json(200, { access_token: "new", expires_in: 900 });
      }
      return authOf(init) === "Bearer new" ? json(200, { ok: u }) : json(401, { detail: "expired" });
    }) as typeof fetch);

    const a = apiFetch("/api/agents");
    const b = apiFetch("/api/sandbox");
    await vi.waitFor(() => expect(calls.filter((c) => c.url === "/api/auth/refresh")).toHaveLength(1));
    release();
    const [ra, rb] = await Promise.all([a, b]);

    expect(ra.status).toBe(200);
    expect(rb.status).toBe(200);
    expect(calls.filter((c) => c.url === "/api/auth/refresh")).toHaveLength(1);
    const retries = calls.filter((c) => c.url !== "/api/auth/refresh" && c.auth === "Bearer new");
    expect(retries.map((c) => c.url).sort()).toEqual(["/api/agents", "/api/sandbox"]);
    expect(getAccessToken()).toBe("new");
  });

  it("a failed refresh signs the user out and returns the 401", async () => {
    setAccessToken("old");
    const changes: boolean[] = [];
    const off = onAuthChange((s) => changes.push(s));
    const fetchMock = vi.fn(async (url: string | URL | Request) =>
      String(url) === "/api/auth/refresh" ? json(401, { detail: "revoked" }) : json(401, { detail: "expired" }),
    );
    setFetch(fetchMock as typeof fetch);

    const [r1, r2] = await Promise.all([apiFetch("/api/agents"), apiFetch("/api/sandbox")]);
    off();

    expect(r1.status).toBe(401);
    expect(r2.status).toBe(401);
    expect(fetchMock.mock.calls.filter(([u]) => String(u) === "/api/auth/refresh")).toHaveLength(1);
    expect(getAccessToken()).toBeNull();
    expect(changes).toEqual([false]);
  });

  it("a later refresh after the first finished makes a new request", async () => {
    const fetchMock = vi.fn(async () => json(200, { access_token: "t", expires_in: 900 }));
    setFetch(fetchMock as typeof fetch);
    await refresh();
    await refresh();
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});

describe("the generated client's transport", () => {
  beforeEach(() => setAccessToken(null));
  afterEach(() => setAccessToken(null));

  it("re-sends a request's body with the new token after a refresh", async () => {
    setAccessToken("old");
    const seen: { path: string; auth: string | null; body: string }[] = [];
    setFetch((async (input: string | URL | Request, init?: RequestInit) => {
      // The refresh is a plain fetch of a path; the client's calls are Request objects.
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"), init);
      const path = new URL(request.url).pathname;
      seen.push({ path, auth: request.headers.get("Authorization"), body: await request.text() });
      if (path === "/api/auth/refresh") return json(200, { access_token: "new", expires_in: 900 });
      return request.headers.get("Authorization") === "Bearer new" ? json(201, { ok: true }) : json(401, {});
    }) as typeof fetch);

    const request = new Request("http://app.test/api/agents", { method: "POST", body: '{"name":"x"}' });
    const res = await apiFetchRequest(request);

    expect(res.status).toBe(201);
    expect(seen.map((s) => [s.path, s.auth, s.body])).toEqual([
      ["/api/agents", "Bearer old", '{"name":"x"}'],
      ["/api/auth/refresh", null, ""],
      ["/api/agents", "Bearer new", '{"name":"x"}'],
    ]);
  });
});
