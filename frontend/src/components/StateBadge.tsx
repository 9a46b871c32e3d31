// A sandbox's state as a coloured badge with its name in words (never colour alone).
import { useTranslation } from "react-i18next";

const STYLE: Record<string, string> = {
  running: "bg-emerald-900 text-emerald-200",
  starting: "bg-amber-900 text-amber-200",
  stopped: "bg-slate-800 text-slate-300",
  missing: "bg-slate-800 text-slate-300",
};

const KNOWN = ["running", "starting", "stopped", "missing"] as const;

export function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  const known = KNOWN.find((k) => k === state);
  return (
    <span className={`rounded-full px-2.5 py-0.5 text-sm ${STYLE[state] ?? STYLE.stopped}`}>
      {known ? t(`common.sandboxState.${known}`) : state}
    </span>
  );
}
