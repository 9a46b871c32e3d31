// Small pieces the sections share: the platform filter, a platform's name, an item's metrics (only those Meta
// gave), a section's heading and the list of per-account problems.
import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Platform, PlatformFilter, Problem } from "./api";
import { ProblemNote } from "./problems";

/** The metrics a card shows, in this order; others Meta may add are left out. */
export const METRICS = ["reach", "views", "likes", "comments", "shares", "saves", "replies"] as const;

export function shownMetrics(metrics: Record<string, number>): { name: (typeof METRICS)[number]; value: number }[] {
  return METRICS.filter((name) => typeof metrics[name] === "number").map((name) => ({ name, value: metrics[name] }));
}

export function PlatformName({ platform }: { platform: string }) {
  const { t } = useTranslation();
  return <>{platform === "instagram" ? t("social.platform.instagram") : platform === "facebook" ? t("social.platform.facebook") : platform === "messenger" ? t("social.platform.messenger") : platform}</>;
}

export function Metrics({ metrics }: { metrics: Record<string, number> }) {
  const { t, i18n } = useTranslation();
  const shown = shownMetrics(metrics);
  if (shown.length === 0) return <p className="text-xs text-slate-400">{t("social.metrics.none")}</p>;
  return (
    <dl className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label={t("social.metrics.label")}>
      {shown.map(({ name, value }) => (
        <div key={name} className="flex gap-1" data-metric={name}>
          <dt className="text-slate-400">{t(`social.metrics.${name}`)}</dt>
          <dd className="font-medium">{value.toLocaleString(i18n.language)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PlatformFilterControl({ value, onChange }: { value: PlatformFilter; onChange: (value: PlatformFilter) => void }) {
  const { t } = useTranslation();
  const name = useId();
  const options: PlatformFilter[] = ["all", "instagram", "facebook"];
  return (
    <fieldset className="flex flex-wrap items-center gap-2 text-sm">
      <legend className="sr-only">{t("social.filter.legend")}</legend>
      {options.map((option) => (
        <label key={option} className={`cursor-pointer rounded-full border px-3 py-1 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-400 ${
          value === option ? "border-sky-500 bg-sky-950 text-sky-100" : "border-slate-700 text-slate-300"}`}>
          <input type="radio" name={name} value={option} checked={value === option} className="sr-only"
            onChange={() => onChange(option)} />
          {t(`social.filter.${option}`)}
        </label>
      ))}
    </fieldset>
  );
}

export function Problems({ problems, onRetry }: { problems: Problem[]; onRetry?: () => void }) {
  if (problems.length === 0) return null;
  return (
    <div className="space-y-2">
      {problems.map((problem, index) => (
        <ProblemNote key={`${problem.account_id ?? "x"}-${index}`} onRetry={onRetry}
          problem={{ message: problem.message, action: problem.action, retry_at: problem.retry_at ?? null, account_name: problem.account_name }} />
      ))}
    </div>
  );
}

export function SectionHeading({ children, aside }: { children: ReactNode; aside?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <h2 className="text-lg font-semibold">{children}</h2>
      {aside}
    </div>
  );
}

export function platformOf(value: string): Platform | null {
  return value === "instagram" || value === "facebook" ? value : null;
}

/** A moment in the person's language: "2 Jun 2025, 14:05". */
export function dateTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
