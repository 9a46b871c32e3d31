import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getAccessToken, setAccessToken } from "./accessToken";
import { apiFetch } from "./apiFetch";
import { signIn } from "./auth";
import { setFetch } from "./transport";
import { authOf, json } from "../testing/http";

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
