// How a project's status reads and which controls make sense in it. The vocabulary itself comes from the
// generated API types: a status added on the server fails the type check here until it has a label.
import type { Project, ProjectAction, ProjectStatus } from "../api/queries";

export const STATUS_LABEL: Record<ProjectStatus, string> = {
  created: "not started",
  planning: "planning",
  running: "running",
  paused: "paused",
  stopped: "stopped",
  completed: "completed",
  failed: "failed",
};

/** Statuses in which a project is at work or waits for its user (the dashboard's active work). */
export const ACTIVE_STATUSES: ReadonlySet<ProjectStatus> = new Set<ProjectStatus>(["planning", "running", "paused"]);

export const STATUS_STYLE: Partial<Record<ProjectStatus, string>> = {
  running: "bg-emerald-900 text-emerald-200",
  planning: "bg-sky-900 text-sky-200",
  paused: "bg-amber-900 text-amber-200",
  completed: "bg-indigo-900 text-indigo-200",
  failed: "bg-red-900 text-red-200",
};

/** The controls offered for a project, in display order. */
export function actionsFor(project: Pick<Project, "status" | "instance">): ProjectAction[] {
  const live = project.instance?.status === "running";
  switch (project.status) {
    case "planning":
    case "running":
      return ["pause", "stop", "restart"];
    case "paused":
      return live ? ["resume", "stop", "restart"] : ["start"];
    default:
      return live ? ["stop", "restart"] : ["start"];
  }
}

export const ACTION_LABEL: Record<ProjectAction, string> = {
  start: "Start",
  pause: "Pause",
  resume: "Resume",
  stop: "Stop",
  restart: "Restart",
};
