import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, setAccessToken } from "./accessToken";
import { apiFetch } from "./apiFetch";
import { signIn } from "./auth";
import { setFetch } from "./transport";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function authOf(init?: RequestInit): string | null {
  return new Headers(init?.headers).get("Authorization");
}

describe("auth", () => {
  beforeEach(() => setAccessToken(null));
  afterEach(() => setAccessToken(null));

  it("signIn keeps the access token in memory and apiFetch sends it", async () => {
    const fetchMock = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      if (url === "/api/auth/login") return json(200, { access_token: "a1", expires_in: 900 });
      return json(200, { seen: authOf(init) });
    });
    setFetch(fetchMock as typeof fetch);
    await signIn("ann", "pw");
    expect(getAccessToken()).toBe("a1");
    const res = await apiFetch("/api/auth/me");
    expect(await res.json()).toEqual({ seen: "Bearer a1" });
  });

  it("surfaces the server's sign-in error", async () => {
    setFetch((async () => json(401, { detail: "Wrong username or password" })) as typeof fetch);
    await expect(signIn("ann", "bad")).rejects.toThrow("Wrong username or password");
    expect(getAccessToken()).toBeNull();
  });
});
