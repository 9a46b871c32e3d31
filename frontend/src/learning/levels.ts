// A course's level in words: the badge's label and its one-line hint. A language course's level is a CEFR
// step (A1–C2), each explained in plain words; any other subject's is the tutor's own short text.
import { i18n } from "../i18n";
import type { en } from "../i18n/en";

type CefrLevel = keyof typeof en.learning.level.cefr;

export interface LevelView {
  label: string;
  hint: string;
  /** No level yet: the tutor has not assessed the student. */
  unset: boolean;
}

function isCefr(level: string): level is CefrLevel {
  return i18n.exists(`learning.level.cefr.${level}`, { lng: "en" });
}

/** The badge's words for `level` on the course's scale ("cefr" or "free"). */
export function levelView(scale: string, level: string): LevelView {
  const shown = level.trim();
  if (!shown) return { label: i18n.t("learning.level.notSet"), hint: i18n.t("learning.level.notSetHint"), unset: true };
  const hint = scale === "cefr" && isCefr(shown) ? i18n.t(`learning.level.cefr.${shown}`) : i18n.t("learning.level.freeHint");
  return { label: i18n.t("learning.level.label", { level: shown }), hint, unset: false };
}
