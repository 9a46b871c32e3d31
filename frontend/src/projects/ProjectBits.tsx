// Small pieces of project UI: the status badge and the step progress bar.
import { STATUS_LABEL, STATUS_STYLE } from "./status";

export function ProjectBadge({ status }: { status: string }) {
  return (
    <span className={`rounded-full px-2.5 py-0.5 text-sm ${STATUS_STYLE[status] ?? "bg-slate-800 text-slate-300"}`}>
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function Progress({ done, total }: { done: number; total: number }) {
  if (total === 0) return <span className="text-sm text-slate-400">no plan yet</span>;
  return (
    <span className="flex items-center gap-2 text-sm text-slate-300">
      <progress value={done} max={total} aria-label={`${done} of ${total} steps done`}
        className="h-2 w-24 overflow-hidden rounded bg-slate-800 [&::-webkit-progress-bar]:bg-slate-800 [&::-webkit-progress-value]:bg-emerald-500" />
      {done}/{total}
    </span>
  );
}
