// Signing in and out. The access token this yields lives in memory only (./accessToken); the refresh token
// is an HttpOnly cookie the server sets at /api/auth (traded for new access tokens by ./refresh).
import { setAccessToken } from "./accessToken";
import { apiErrorOf } from "./errors";
import { rawFetch } from "./transport";

export async function signIn(username: string, password: string): Promise<void> {
  const res = await rawFetch("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await apiErrorOf(res);
  const data = (await res.json()) as { access_token: string };
  setAccessToken(data.access_token);
}

/**
 * End this sign-in on the server and here. `forget` runs in the same tick as the sign-in page appears: the
 * place to drop what belonged to this user (cached data, the page they were on), so no render shows it.
 */
export async function signOut(forget?: () => void): Promise<void> {
  try {
    await rawFetch("/api/auth/logout", { method: "POST" });
  } catch {
    // Signing out locally still matters when the server is unreachable.
  } finally {
    forget?.();
    setAccessToken(null);
  }
}
