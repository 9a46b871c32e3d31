// The typed API client, generated from the control plane's OpenAPI document (frontend/openapi.json ->
// schema.d.ts by `make api-client`; a test fails when it is stale). Requests go through apiFetchRequest,
// which adds the access token and refreshes it once on a 401.
import createClient from "openapi-fetch";
import { apiFetchRequest } from "./apiFetch";
import { ApiError, messageFromBody } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

export const api = createClient<paths>({
  baseUrl: typeof location !== "undefined" && location.origin !== "null" ? location.origin : "",
  fetch: (request) => apiFetchRequest(request),
});

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; otherwise an ApiError carrying the server's message and field errors. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const fallback = `${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, messageFromBody(error ?? null, fallback), error ?? null);
  }
  return data as T;
}
