// The bare fetch under every API call: same-origin credentials (the refresh cookie), and a NetworkError
// when no response arrived at all. Overridable for tests.
import { NetworkError } from "./errors";

// Defaults to the global fetch at call time.
let fetchImpl: typeof fetch = (...args) => fetch(...args);

export function setFetch(impl: typeof fetch): void {
  fetchImpl = impl;
}

export async function rawFetch(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(input, { credentials: "same-origin", ...init });
  } catch (err) {
    // fetch rejects only when no response arrived at all: the server is down or the network is gone.
    throw new NetworkError(err);
  }
}

export async function rawFetchRequest(request: Request): Promise<Response> {
  try {
    return await fetchImpl(request);
  } catch (err) {
    throw new NetworkError(err);
  }
}
