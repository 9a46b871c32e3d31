// fetch for /api: adds the bearer token, and on a 401 refreshes once (shared with concurrent callers) and
// sends the request again, body included.
import { getAccessToken } from "./accessToken";
import { refresh } from "./refresh";
import { rawFetch, rawFetchRequest } from "./transport";

function withBearer(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * Send with the bearer token; on a 401 refresh once (shared with concurrent callers) and send again.
 * `send` is called at most twice, with the token to use.
 */
async function withRefresh(send: (token: string | null) => Promise<Response>): Promise<Response> {
  const sent = getAccessToken();
  const res = await send(sent);
  if (res.status !== 401) return res;
  // Another caller may already have refreshed while this request was in flight: reuse its token.
  const current = getAccessToken();
  const ok = current !== null && current !== sent ? true : await refresh();
  if (!ok) return res;
  return send(getAccessToken());
}

/** fetch for /api: adds the bearer token; on a 401 refreshes once (shared) and retries once. */
export function apiFetch(input: string, init?: RequestInit): Promise<Response> {
  return withRefresh((token) => rawFetch(input, withBearer(init, token)));
}

/** apiFetch for a Request object (the generated client's transport). A body is readable once: keep a copy. */
export function apiFetchRequest(request: Request): Promise<Response> {
  const spare = request.clone();
  let first = true;
  return withRefresh((token) => {
    const original = first ? request : spare;
    first = false;
    const headers = new Headers(original.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return rawFetchRequest(new Request(original, { headers }));
  });
}
