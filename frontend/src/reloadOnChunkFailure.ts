// A lazily loaded part of the PWA (a page, the terminal, Markdown) that fails to download — a phone switching
// networks mid-fetch (Chromium's ERR_NETWORK_CHANGED), a server restarted into a new version — would otherwise
// take the whole page down. Vite announces such a failure with a cancelable `vite:preloadError` event on the
// window; we answer it with one reload, which fetches the chunk again (or the new version's index.html).
// A chunk that is really gone would fail again after that reload: a second failure within RELOAD_GUARD_MS is
// left to reach the error boundary, so it can never become a reload loop.

const STORAGE_KEY = "autocode.chunkReloadAt";

/** How long after a chunk reload a failing chunk is taken as really missing rather than a passing blip. */
export const RELOAD_GUARD_MS = 30_000;

interface Options {
  /** Where the event is heard; the window. */
  target?: Pick<Window, "addEventListener" | "removeEventListener">;
  /** The storage that survives the reload; a getter, because merely reading window.sessionStorage may throw. */
  storage?: () => Pick<Storage, "getItem" | "setItem">;
  reload?: () => void;
  now?: () => number;
}

/** Reload once when a lazily loaded chunk fails to load; returns the function that stops listening. */
export function reloadOnChunkFailure({
  target = window,
  storage = () => window.sessionStorage,
  reload = () => window.location.reload(),
  now = Date.now,
}: Options = {}): () => void {
  const onPreloadError = (event: Event) => {
    try {
      const store = storage();
      const last = Number(store.getItem(STORAGE_KEY));
      if (last && now() - last < RELOAD_GUARD_MS) return; // reloaded just now, and it failed again: really gone
      store.setItem(STORAGE_KEY, String(now()));
    } catch {
      return; // storage off (private mode): no way to remember the reload, so no reload that could loop
    }
    event.preventDefault(); // Vite would rethrow the failure into React; the reload replaces the page anyway
    reload();
  };
  target.addEventListener("vite:preloadError", onPreloadError);
  return () => target.removeEventListener("vite:preloadError", onPreloadError);
}
