// The app's QueryClient: no retries on 4xx (the server's answer will not change), and connectivity
// tracking for the offline screen.
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError, NetworkError } from "./errors";
import { setOffline } from "./connectivity";

function onError(error: unknown): void {
  if (error instanceof NetworkError) setOffline(true);
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError, onSuccess: () => setOffline(false) }),
    mutationCache: new MutationCache({ onError, onSuccess: () => setOffline(false) }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}
