// When a review card comes back, in the person's language and in words a family uses: "in 10 minutes",
// "tomorrow", "in 4 days" (Intl.RelativeTimeFormat, so Czech gets "za 10 minut", "zítra", "za 4 dny").
import { i18n } from "../i18n";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `due` relative to `now`: a moment already past is "now", anything sooner than a minute "in 1 minute". */
export function whenDue(due: string | Date, now: Date = new Date(), language: string = i18n.language): string {
  const format = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  const ms = new Date(due).getTime() - now.getTime();
  if (ms <= 0) return format.format(0, "second");
  if (ms < HOUR) return format.format(Math.max(1, Math.round(ms / MINUTE)), "minute");
  if (ms < DAY) return format.format(Math.round(ms / HOUR), "hour");
  const days = Math.round(ms / DAY);
  if (days < 45) return format.format(days, "day");
  if (days < 365) return format.format(Math.round(days / 30), "month");
  return format.format(Math.round(days / 365), "year");
}
