// The calendar of scheduled posts: grouped by the day they go out, in the person's time zone and words ("Today",
// "Tomorrow", else the date), days in order and posts by time within a day.
import { i18n } from "../i18n";
import type { Post } from "./api";

export interface Day {
  /** yyyy-mm-dd in the browser's time zone. */
  key: string;
  label: string;
  posts: Post[];
}

function dayKey(moment: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
}

export function dayLabel(moment: Date, now: Date = new Date(), language: string = i18n.language): string {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const that = new Date(moment.getFullYear(), moment.getMonth(), moment.getDate());
  const days = Math.round((that.getTime() - today.getTime()) / 86_400_000);
  if (days === 0 || days === 1) return new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(days, "day").replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  return new Intl.DateTimeFormat(language, { weekday: "long", day: "numeric", month: "long" }).format(moment);
}

/** Scheduled posts by day; a post without a time (none should be) goes last under "No time set". */
export function groupByDay(posts: Post[], now: Date = new Date(), language: string = i18n.language): Day[] {
  const timed = posts
    .filter((post) => post.scheduled_at)
    .sort((a, b) => new Date(a.scheduled_at!).getTime() - new Date(b.scheduled_at!).getTime());
  const days: Day[] = [];
  for (const post of timed) {
    const moment = new Date(post.scheduled_at!);
    const key = dayKey(moment);
    let day = days.find((found) => found.key === key);
    if (!day) {
      day = { key, label: dayLabel(moment, now, language), posts: [] };
      days.push(day);
    }
    day.posts.push(post);
  }
  const untimed = posts.filter((post) => !post.scheduled_at);
  if (untimed.length) days.push({ key: "none", label: i18n.t("social.scheduled.noTime"), posts: untimed });
  return days;
}
