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

  /** Validation messages by field name, for showing next to form fields. */
  get fields(): FieldErrors {
    return fieldErrors(this.body);
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

/** Field name -> message, from FastAPI's 422 shape [{"loc": ["body", "name", ...], "msg": "..."}]. */
export type FieldErrors = Record<string, string>;

function cleanMessage(msg: string): string {
  // Pydantic prefixes messages from custom validators; the reader needs only the sentence.
  return msg.replace(/^Value error, /, "");
}

export function fieldErrors(body: unknown): FieldErrors {
  const detail = (body as { detail?: unknown } | null)?.detail;
  const out: FieldErrors = {};
  if (!Array.isArray(detail)) return out;
  for (const item of detail as { loc?: unknown[]; msg?: unknown }[]) {
    if (!Array.isArray(item.loc) || typeof item.msg !== "string") continue;
    const path = item.loc[0] === "body" ? item.loc.slice(1) : item.loc;
    const field = String(path[0] ?? "");
    if (field && !(field in out)) out[field] = cleanMessage(item.msg);
  }
  return out;
}

/** The server's message from a parsed error body: FastAPI's {"detail": "..."} or the first validation msg. */
export function messageFromBody(body: unknown, fallback: string): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0] as { msg?: string; loc?: unknown[] };
    if (typeof first.msg === "string") {
      const field = Array.isArray(first.loc) && first.loc[0] === "body" ? first.loc[1] : undefined;
      return field !== undefined ? `${String(field)}: ${cleanMessage(first.msg)}` : cleanMessage(first.msg);
    }
  }
  return fallback;
}

/** The server's message: FastAPI's {"detail": "..."} or the first validation error's msg. */
export async function errorMessage(res: Response): Promise<{ message: string; body: unknown }> {
  const fallback = `${res.status} ${res.statusText}`.trim();
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    return { message: fallback, body };
  }
  return { message: messageFromBody(body, fallback), body };
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

/**
 * Send with the bearer token; on a 401 refresh once (shared with concurrent callers) and send again.
 * `send` is called at most twice, with the token to use.
 */
async function withRefresh(send: (token: string | null) => Promise<Response>): Promise<Response> {
  const sent = accessToken;
  const res = await send(sent);
  if (res.status !== 401) return res;
  // Another caller may already have refreshed while this request was in flight: reuse its token.
  const ok = accessToken !== null && accessToken !== sent ? true : await refresh();
  if (!ok) return res;
  return send(accessToken);
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

async function rawFetchRequest(request: Request): Promise<Response> {
  try {
    return await fetchImpl(request);
  } catch (err) {
    throw new NetworkError(err);
  }
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
