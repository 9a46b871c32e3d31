// The app's QueryClient: no retries on 4xx (the server's answer will not change), and connectivity
// tracking for the offline state.
import { MutationCache, onlineManager, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError, NetworkError } from "./errors";
import { setOffline } from "./connectivity";

function onError(error: unknown): void {
  if (error instanceof NetworkError) setOffline(true);
}

export function makeQueryClient(): QueryClient {
  // The browser saying the network is gone shows the offline state at once: queries pause rather than fail
  // while it is gone, so no NetworkError would say so. The first answer after it returns clears it.
  onlineManager.subscribe((online) => {
    if (!online) setOffline(true);
  });
  return new QueryClient({
    queryCache: new QueryCache({ onError, onSuccess: () => setOffline(false) }),
    mutationCache: new MutationCache({ onError, onSuccess: () => setOffline(false) }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        // Back online, every query on screen refetches, fresh or not: what changed while away is unknown.
        refetchOnReconnect: "always",
      },
    },
  });
}
