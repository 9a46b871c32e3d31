// The offline state. Before anyone is signed in (or while signing in is being checked) it is a whole
// screen; in the signed-in app it is a banner above the page, which keeps showing what it had. Both try
// again by themselves (useRetryWhileOffline), so the app recovers without a reload.
import { useCallback } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { probeServer, useOffline, useRetryWhileOffline } from "../api/connectivity";
import { FullScreenNotice, NOTICE_BUTTON } from "../components/States";

/** Shown instead of any page while the control plane cannot be reached and nobody is signed in yet. */
export function Offline({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  // The caller's retry (signing in again) and a plain probe: a server that answers with "not signed in" is
  // reachable too, and the sign-in page is then what to show.
  const retry = useCallback(() => {
    void probeServer();
    onRetry();
  }, [onRetry]);
  useRetryWhileOffline(true, retry);
  return (
    <FullScreenNotice title={t("shell.offline.title")} body={t("shell.offline.body")}>
      <button type="button" onClick={retry} className={NOTICE_BUTTON}>
        {t("shell.offline.tryAgain")}
      </button>
    </FullScreenNotice>
  );
}

/** Above the page in the signed-in app while the server cannot be reached; gone as soon as it answers. */
export function OfflineBanner() {
  const offline = useOffline();
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  // Asking again is refetching what is on screen: the first answer clears the offline state.
  const retry = useCallback(() => void queryClient.refetchQueries({ type: "active" }), [queryClient]);
  useRetryWhileOffline(offline, retry);
  if (!offline) return null;
  return (
    <div role="status" className="flex flex-wrap items-center gap-3 border-b border-amber-700 bg-amber-950 px-4 py-2 text-sm text-amber-100">
      <span>
        <strong className="font-semibold">{t("shell.offline.bannerTitle")}</strong> {t("shell.offline.bannerBody")}
      </span>
      <button type="button" onClick={retry}
        className="rounded-md border border-amber-600 px-3 py-1 hover:bg-amber-900 focus-visible:outline-2 focus-visible:outline-amber-300">
        {t("shell.offline.tryAgain")}
      </button>
    </div>
  );
}
