// A research's status in words, the one place it is put so: the server's status (active, archived), or
// "answering" while a reply is being written (the server's `answering`).
import { i18n } from "../i18n";
import type { Research } from "../api/queries";

export interface ResearchView {
  label: string;
  style: string;
}

export function researchView(research: Pick<Research, "status" | "answering">): ResearchView {
  if (research.status === "archived") return { label: i18n.t("research.status.archived"), style: "bg-slate-800 text-slate-300" };
  if (research.answering) return { label: i18n.t("research.status.answering"), style: "bg-sky-900 text-sky-200" };
  return { label: i18n.t("research.status.active"), style: "bg-emerald-900 text-emerald-200" };
}

/** When it was last used, in the person's language; null when never. */
export function lastActivity(research: Pick<Research, "last_activity_at">): string | null {
  if (!research.last_activity_at) return null;
  return new Date(research.last_activity_at).toLocaleString(i18n.language, { dateStyle: "medium", timeStyle: "short" });
}
