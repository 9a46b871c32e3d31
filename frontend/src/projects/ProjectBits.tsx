// Small pieces of project UI: the status badge, the step progress bar and a project's row in a list.
import { Link } from "react-router";
import type { Project, ProjectStatus } from "../api/queries";
import { STATUS_LABEL, STATUS_STYLE } from "./status";

export function ProjectBadge({ status }: { status: ProjectStatus }) {
  return (
    <span className={`rounded-full px-2.5 py-0.5 text-sm ${STATUS_STYLE[status] ?? "bg-slate-800 text-slate-300"}`}>
      {STATUS_LABEL[status]}
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

/** A project in a list: its name (a link), whether it needs the user, its progress and its status. */
export function ProjectRow({ project }: { project: Project }) {
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <Link to={`/projects/${project.id}`} className="font-medium hover:underline">{project.name}</Link>
      <span className="flex items-center gap-3">
        {project.escalation && <span className="text-sm font-medium text-amber-300">needs you</span>}
        <Progress done={project.steps_done} total={project.steps_total} />
        <ProjectBadge status={project.status} />
      </span>
    </li>
  );
}
