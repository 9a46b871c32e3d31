// React view of the sign-in state. On start-up the app tries one silent refresh: the HttpOnly cookie
// may still hold a valid sign-in even though the in-memory access token died with the last tab.
// Signing out forgets the user's page and cached data, so the next person on a shared device starts clean.
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getAccessToken, onAuthChange } from "./accessToken";
import { signOut } from "./auth";
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

/**
 * Sign out: the sign-in page appears at "/" with nothing of this user's cached, so whoever signs in next
 * lands on their own dashboard, not on this user's page.
 */
export function useSignOut(): () => Promise<void> {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      signOut(() => {
        void navigate("/", { replace: true });
        queryClient.clear();
      }),
    [navigate, queryClient],
  );
}
