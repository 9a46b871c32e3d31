// Shared loading / empty / error states, announced to screen readers.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/errors";

export function Loading({ label, fullScreen = false }: { label?: string; fullScreen?: boolean }) {
  const { t } = useTranslation();
  return (
    <div
      role="status"
      aria-live="polite"
      className={`flex items-center gap-3 p-4 text-slate-400 ${fullScreen ? "min-h-full justify-center" : ""}`}
    >
      <span className="size-4 animate-spin rounded-full border-2 border-slate-600 border-t-sky-400" aria-hidden />
      {label ?? t("common.loading")}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-lg border border-dashed border-slate-700 p-4 text-slate-400">{children}</p>;
}

/** The server's message, with Retry; for something that does not exist (404) a way back instead, as retrying cannot help. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : t("common.somethingWentWrong");
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-red-800 bg-red-950/50 p-3 text-red-200">
      <span>{message}</span>
      {notFound && (
        <Link to="/" className="rounded-md border border-red-700 px-3 py-1 hover:bg-red-900">{t("common.backToDashboard")}</Link>
      )}
      {onRetry && !notFound && (
        <button type="button" onClick={onRetry} className="rounded-md border border-red-700 px-3 py-1 hover:bg-red-900">
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="mb-4 text-xl font-semibold tracking-tight text-slate-50">{children}</h1>;
}

/** The main action's button on a whole-screen notice. */
export const NOTICE_BUTTON =
  "rounded-md bg-sky-500 px-4 py-2 font-medium text-slate-950 hover:bg-sky-400 focus-visible:outline-2 " +
  "focus-visible:outline-offset-2 focus-visible:outline-sky-300";

/** A whole screen instead of the app: a title, a sentence and what to do (offline before sign-in, a broken page).
 * `alert` announces it at once (a div with role="alert"); otherwise it is the page's main landmark. */
export function FullScreenNotice({
  title,
  body,
  alert = false,
  children,
}: {
  title: string;
  body: string;
  alert?: boolean;
  children: ReactNode;
}) {
  const Frame = alert ? "div" : "main";
  return (
    <Frame role={alert ? "alert" : undefined} className="flex min-h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="max-w-sm text-slate-400">{body}</p>
      {children}
    </Frame>
  );
}
