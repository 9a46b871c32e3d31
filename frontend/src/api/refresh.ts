// Trading the refresh cookie for a new access token, one request at a time.
import { getAccessToken, setAccessToken } from "./accessToken";
import { rawFetch } from "./transport";

let refreshing: Promise<boolean> | null = null;

/**
 * Trade the refresh cookie for a new access token. Single-flight: concurrent callers share one request,
 * because the server rotates the refresh token and treats a second use of the old one as theft,
 * revoking the whole sign-in.
 */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function doRefresh(): Promise<boolean> {
  const before = getAccessToken();
  const res = await rawFetch("/api/auth/refresh", { method: "POST" });
  if (!res.ok) {
    // A refusal ends the sign-in this refresh was for, not one made while it was on its way (the start-up
    // refresh on the sign-in page can answer after the person has signed in).
    if (getAccessToken() === before) setAccessToken(null);
    return getAccessToken() !== null;
  }
  const data = (await res.json()) as { access_token: string };
  setAccessToken(data.access_token);
  return true;
}
