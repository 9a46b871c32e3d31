// Authentication for the browser. The access token lives in memory only (never localStorage, where any
// script could read it); the refresh token is an HttpOnly cookie the server sets at /api/auth.

export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("The AutoCode server is unreachable");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Listener = (signedIn: boolean) => void;

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<Listener>();

// Overridable for tests; defaults to the global fetch at call time.
let fetchImpl: typeof fetch = (...args) => fetch(...args);
export function setFetch(impl: typeof fetch): void {
  fetchImpl = impl;
}

export function getAccessToken(): string | null {
  return accessToken;
}

/** Test helper and sign-out path: forget the in-memory token. */
export function setAccessToken(token: string | null): void {
  const was = accessToken !== null;
  accessToken = token;
  if (was !== (token !== null)) listeners.forEach((l) => l(token !== null));
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function rawFetch(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(input, { credentials: "same-origin", ...init });
  } catch (err) {
    // fetch rejects only when no response arrived at all: the server is down or the network is gone.
    throw new NetworkError(err);
  }
}

/** The server's message: FastAPI's {"detail": "..."} or the first validation error's msg. */
export async function errorMessage(res: Response): Promise<{ message: string; body: unknown }> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    return { message: `${res.status} ${res.statusText}`.trim(), body };
  }
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") return { message: detail, body };
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0] as { msg?: string };
    if (typeof first.msg === "string") return { message: first.msg, body };
  }
  return { message: `${res.status} ${res.statusText}`.trim(), body };
}

export async function signIn(username: string, password: string): Promise<void> {
  const res = await rawFetch("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) {
    const { message, body } = await errorMessage(res);
    throw new ApiError(res.status, message, body);
  }
  const data = (await res.json()) as { access_token: string };
  setAccessToken(data.access_token);
}

export async function signOut(): Promise<void> {
  try {
    await rawFetch("/api/auth/logout", { method: "POST" });
  } catch {
    // Signing out locally still matters when the server is unreachable.
  } finally {
    setAccessToken(null);
  }
}

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
  const res = await rawFetch("/api/auth/refresh", { method: "POST" });
  if (!res.ok) {
    setAccessToken(null);
    return false;
  }
  const data = (await res.json()) as { access_token: string };
  setAccessToken(data.access_token);
  return true;
}

function withBearer(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return { ...init, headers };
}

/** fetch for /api: adds the bearer token; on a 401 refreshes once (shared) and retries once. */
export async function apiFetch(input: string, init?: RequestInit): Promise<Response> {
  const sent = accessToken;
  const res = await rawFetch(input, withBearer(init, sent));
  if (res.status !== 401) return res;
  // Another caller may already have refreshed while this request was in flight: reuse its token.
  const ok = accessToken !== null && accessToken !== sent ? true : await refresh();
  if (!ok) return res;
  return rawFetch(input, withBearer(init, accessToken));
}

/** apiFetch that parses JSON and turns error statuses into ApiError with the server's message. */
export async function apiJson<T>(input: string, init?: RequestInit): Promise<T> {
  const res = await apiFetch(input, init);
  if (!res.ok) {
    const { message, body } = await errorMessage(res);
    throw new ApiError(res.status, message, body);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
