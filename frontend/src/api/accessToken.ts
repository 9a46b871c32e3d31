// The access token, in memory only (never localStorage, where any script could read it); the refresh token
// is an HttpOnly cookie the server sets at /api/auth. Listeners hear each sign-in and sign-out.

type Listener = (signedIn: boolean) => void;

let accessToken: string | null = null;
const listeners = new Set<Listener>();

export function getAccessToken(): string | null {
  return accessToken;
}

/** Sign-in, refresh and sign-out paths (and tests): replace the in-memory token. */
export function setAccessToken(token: string | null): void {
  const was = accessToken !== null;
  accessToken = token;
  if (was !== (token !== null)) listeners.forEach((l) => l(token !== null));
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
