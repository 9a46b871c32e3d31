// React view of the sign-in state. On start-up the app tries one silent refresh: the HttpOnly cookie
// may still hold a valid sign-in even though the in-memory access token died with the last tab.
import { useEffect, useState, useSyncExternalStore } from "react";
import { getAccessToken, onAuthChange } from "./accessToken";
import { NetworkError } from "./errors";
import { refresh } from "./refresh";
import { setOffline } from "./connectivity";

export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (l) => onAuthChange(() => l()),
    () => getAccessToken() !== null,
  );
}

export type Bootstrap = "checking" | "done";

/** Runs the start-up refresh; `attempt` changes re-run it (the offline screen's "Try again"). */
export function useBootstrap(attempt: number): Bootstrap {
  const [state, setState] = useState<Bootstrap>("checking");
  useEffect(() => {
    let live = true;
    setState("checking");
    refresh()
      .then(() => setOffline(false))
      .catch((err: unknown) => {
        if (err instanceof NetworkError) setOffline(true);
      })
      .finally(() => live && setState("done"));
    return () => {
      live = false;
    };
  }, [attempt]);
  return state;
}
