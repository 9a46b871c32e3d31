// Whether the control plane answers. Set by the query client (any NetworkError marks it offline, any
// success online, and the browser saying it lost the network marks it offline at once) so one offline
// state replaces every page's own error. Recovery needs no reload: useRetryWhileOffline tries again as soon
// as the browser says the network is back, and every little while meanwhile (a server that was down says
// nothing when it returns).
import { useEffect, useSyncExternalStore } from "react";

/** How often an offline app asks the server again. */
export const OFFLINE_RETRY_MS = 5_000;

let offline = false;
const listeners = new Set<() => void>();

export function setOffline(value: boolean): void {
  if (offline === value) return;
  offline = value;
  listeners.forEach((l) => l());
}

export function isOffline(): boolean {
  return offline;
}

export function useOffline(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => offline,
  );
}

/** Ask the server whether it answers (any HTTP answer will do, a 401 included) and clear the offline state if so. */
export async function probeServer(): Promise<void> {
  try {
    await fetch("/api/health", { cache: "no-store" });
    setOffline(false);
  } catch {
    // Still unreachable: the offline state stays, and the next retry asks again.
  }
}

/** While `active`: `retry` on the browser's "online" event and every OFFLINE_RETRY_MS. */
export function useRetryWhileOffline(active: boolean, retry: () => void): void {
  useEffect(() => {
    if (!active) return;
    window.addEventListener("online", retry);
    const timer = setInterval(retry, OFFLINE_RETRY_MS);
    return () => {
      window.removeEventListener("online", retry);
      clearInterval(timer);
    };
  }, [active, retry]);
}
