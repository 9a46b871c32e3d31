// A course's level as a badge, with what it means in one line beside it (or as the badge's title where
// there is no room for the line: the course lists).
import { useTranslation } from "react-i18next";
import { levelView } from "./levels";

export function LevelBadge({ scale, level, withHint = false }: { scale: string; level: string; withHint?: boolean }) {
  useTranslation(); // the words follow the language
  const view = levelView(scale, level);
  const style = view.unset ? "bg-slate-800 text-slate-300" : "bg-violet-900 text-violet-100";
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-0.5">
      <span className={`rounded-full px-2.5 py-0.5 text-sm ${style}`} title={withHint ? undefined : view.hint}>{view.label}</span>
      {withHint && <span className="text-xs text-slate-400">{view.hint}</span>}
    </span>
  );
}

/** "3 cards to review", or nothing due, as a quiet pill. */
export function DueBadge({ due }: { due: number }) {
  const { t } = useTranslation();
  if (due === 0) return <span className="text-sm text-slate-400">{t("learning.panel.noneDue")}</span>;
  return <span className="rounded-full bg-amber-900 px-2.5 py-0.5 text-sm text-amber-100">{t("learning.panel.due", { count: due })}</span>;
}
