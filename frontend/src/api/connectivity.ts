// Whether the control plane answers. Set by the query client (any NetworkError marks it offline, any
// success online) so one offline screen replaces every page's own error.
import { useSyncExternalStore } from "react";

let offline = false;
const listeners = new Set<() => void>();

export function setOffline(value: boolean): void {
  if (offline === value) return;
  offline = value;
  listeners.forEach((l) => l());
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
