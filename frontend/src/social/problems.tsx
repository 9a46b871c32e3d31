// What Meta refused, and the one thing to do about it. The API says it as {detail, action, retry_at} (a 409 or a
// 503), a feed or inbox as a SocialProblem per account: both are shown here in plain words with, by action, a
// button: reconnect → the Accounts section, wait → "Try again after <time>", retry → Retry; Advanced Access and
// the 24-hour window get their explanation.
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/errors";
import { buttonClass } from "../components/Form";
import type { Problem } from "./api";
import { useGoTo } from "./nav";

export type Action = Problem["action"];

export interface MetaProblem {
  message: string;
  action: Action | null;
  retry_at: string | null;
  account_name?: string | null;
}

const ACTIONS: readonly string[] = [
  "reconnect", "wait", "fix_media", "ask_admin", "retry", "fix_input", "window_closed", "advanced_access", "not_ready", "quota",
];

/** Meta's refusal in an API error's body ({detail, action, retry_at}); null for any other error. */
export function problemOf(error: unknown): MetaProblem | null {
  if (!(error instanceof ApiError)) return null;
  const body = error.body as { detail?: unknown; action?: unknown; retry_at?: unknown } | null;
  if (!body || typeof body.detail !== "string" || typeof body.action !== "string" || !ACTIONS.includes(body.action)) return null;
  return {
    message: body.detail,
    action: body.action as Action,
    retry_at: typeof body.retry_at === "string" ? body.retry_at : null,
  };
}

/** A moment as the person's clock shows it: "14:05" today, else with its day. */
export function shortTime(iso: string, language: string, now: Date = new Date()): string {
  const moment = new Date(iso);
  const sameDay = moment.toDateString() === now.toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(language, options).format(moment);
}

interface Props {
  problem: MetaProblem;
  /** Retry for action "retry" (and after a wait, once its time came). */
  onRetry?: () => void;
  className?: string;
}

export function ProblemNote({ problem, onRetry, className = "" }: Props) {
  const { t, i18n } = useTranslation();
  const goTo = useGoTo();
  const extra =
    problem.action === "advanced_access" ? t("social.problem.advancedAccess")
      : problem.action === "ask_admin" ? t("social.problem.askAdmin")
        : null;
  return (
    <div role="alert" data-action={problem.action ?? undefined}
      className={`space-y-2 rounded-lg border border-amber-700 bg-amber-950/40 p-3 text-sm text-amber-100 ${className}`}>
      <p>
        {problem.account_name && <strong className="font-semibold">{problem.account_name}: </strong>}
        {problem.message}
      </p>
      {extra && <p className="text-amber-200/90">{extra}</p>}
      {problem.action === "reconnect" && (
        <button type="button" className={buttonClass.secondary} onClick={() => goTo("accounts")}>
          {t("social.problem.reconnect")}
        </button>
      )}
      {problem.action === "wait" && problem.retry_at && (
        <p className="text-amber-200">{t("social.problem.waitUntil", { time: shortTime(problem.retry_at, i18n.language) })}</p>
      )}
      {(problem.action === "retry" || problem.action === "wait" || problem.action === "not_ready") && onRetry && (
        <button type="button" className={buttonClass.secondary} onClick={onRetry}>{t("common.retry")}</button>
      )}
    </div>
  );
}

/** Any error of a social call: Meta's refusal with its action, else the server's message. */
export function SocialError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const problem = problemOf(error);
  if (problem) return <ProblemNote problem={problem} onRetry={onRetry} />;
  const message = error instanceof Error ? error.message : t("common.somethingWentWrong");
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-red-800 bg-red-950/50 p-3 text-sm text-red-200">
      <span>{message}</span>
      {onRetry && <button type="button" className="rounded-md border border-red-700 px-3 py-1 hover:bg-red-900" onClick={onRetry}>{t("common.retry")}</button>}
    </div>
  );
}
