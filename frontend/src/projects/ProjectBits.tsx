// Small pieces of project UI: the status badge, the step progress bar and a project's row in a list. What
// they say comes from projectView (./status), the one place a project's state is put into words.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Project } from "../api/queries";
import { needsYouText, projectView, type ProjectView } from "./status";

export function ProjectBadge({ view }: { view: ProjectView }) {
  return <span className={`rounded-full px-2.5 py-0.5 text-sm ${view.style}`}>{view.label}</span>;
}

/** "needs you", when an open escalation waits for the user's answer. */
export function NeedsYou({ view }: { view: ProjectView }) {
  useTranslation(); // the words follow the language
  if (!view.needsYou) return null;
  return <span className="text-sm font-medium text-amber-300">{needsYouText()}</span>;
}

export function Progress({ done, total, empty }: { done: number; total: number; empty: string }) {
  const { t } = useTranslation();
  if (total === 0) return <span className="text-sm text-slate-400">{empty}</span>;
  return (
    <span className="flex items-center gap-2 text-sm text-slate-300">
      <progress value={done} max={total} aria-label={t("projects.progress", { done, count: total })}
        className="h-2 w-24 overflow-hidden rounded bg-slate-800 [&::-webkit-progress-bar]:bg-slate-800 [&::-webkit-progress-value]:bg-emerald-500" />
      {done}/{total}
    </span>
  );
}

/** A project in a list: its name (a link), whether it needs the user, its progress and its status. */
export function ProjectRow({ project }: { project: Project }) {
  useTranslation(); // projectView's words follow the language
  const view = projectView(project);
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <Link to={`/projects/${project.id}`} className="font-medium hover:underline">{project.name}</Link>
      <span className="flex items-center gap-3">
        <NeedsYou view={view} />
        <Progress done={project.steps_done} total={project.steps_total} empty={view.planShort} />
        <ProjectBadge view={view} />
      </span>
    </li>
  );
}
