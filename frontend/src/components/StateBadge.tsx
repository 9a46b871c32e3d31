// A sandbox's state as a coloured badge with its name in words (never colour alone).
const STYLE: Record<string, string> = {
  running: "bg-emerald-900 text-emerald-200",
  starting: "bg-amber-900 text-amber-200",
  stopped: "bg-slate-800 text-slate-300",
  missing: "bg-slate-800 text-slate-300",
};

const LABEL: Record<string, string> = { missing: "not created" };

export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`rounded-full px-2.5 py-0.5 text-sm ${STYLE[state] ?? STYLE.stopped}`}>{LABEL[state] ?? state}</span>
  );
}
