// How a project's status reads and which controls make sense in it: projectView() derives everything a page
// shows about a project's state (badge, "needs you", "working", the plan's and the terminal's idle texts,
// the controls), so every badge, card and control agrees. The vocabulary itself comes from the generated
// API types: a status added on the server fails the type check here until it has a label.
import type { Project, ProjectAction, ProjectStatus, ProviderProblem } from "../api/queries";

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

const NEUTRAL_STYLE = "bg-slate-800 text-slate-300";

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

/** What the plan card says while the project has no plan. */
export const PLAN_TEXT = {
  writing: "The manager is writing the plan…",
  onStart: "The plan is written when the project starts.",
  none: "No plan yet.",
} as const;

/** What the terminal tab says instead of connecting, before the project's first start. */
export const TERMINAL_IDLE_TEXT = "Starts when the project starts.";

/** The parts of a project its view is derived from (a project read before provider problems existed has none). */
export type ProjectState = Pick<Project, "status" | "escalation" | "instance" | "implementation_plan" | "current_step"> &
  Partial<Pick<Project, "provider_problem">>;

/** A model provider's trouble as a page shows it: a state with its own words, never a question. */
export interface ProblemView {
  /** "retrying": the manager tries again by itself; "failed": it waits for the user's Retry. */
  kind: ProviderProblem["state"];
  /** One line: "Can't reach OpenAI — retrying at 19:42 (attempt 2 of 6)" or "OpenAI: check key/provider". */
  title: string;
  /** What went wrong, in the provider's own words where it gave some: "OpenAI refused the request (HTTP 401): …". */
  detail: string;
}

/** The badge's word while a provider is in trouble. */
export const PROBLEM_LABEL: Record<ProviderProblem["state"], string> = {
  retrying: "retrying",
  failed: "check key/provider",
};

const PROBLEM_STYLE: Record<ProviderProblem["state"], string> = {
  retrying: "bg-amber-900 text-amber-200",
  failed: "bg-red-900 text-red-200",
};

/** "19:42", the user's local time of an ISO-8601 instant; the text itself when it is not one. */
export function clockTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** The problem in words, or null when the project has none to show (a stopped project never does). */
export function problemView(project: ProjectState): ProblemView | null {
  const problem = project.provider_problem ?? null;
  if (problem === null || !ACTIVE_STATUSES.has(project.status) || project.instance?.status !== "running") return null;
  const detail = `${problem.provider} ${problem.message}`;
  if (problem.state === "retrying") {
    const when = problem.retry_at ? ` — retrying at ${clockTime(problem.retry_at)}` : " — retrying";
    const attempt = problem.attempts > 0 ? ` (attempt ${problem.attempt} of ${problem.attempts})` : "";
    return { kind: "retrying", title: `Can't reach ${problem.provider}${when}${attempt}`, detail };
  }
  return { kind: "failed", title: `${problem.provider}: check key/provider`, detail };
}

export interface ProjectView {
  /** The badge's word and its colours. */
  label: string;
  style: string;
  /** Its manager's instance is running. */
  live: boolean;
  /** The manager is at work: planning or running, with a live instance. */
  working: boolean;
  /** The user is needed: an open escalation to answer, or a provider's trouble to fix and retry; only while
   * paused (never once stopped, completed or failed). */
  needsYou: boolean;
  /** The open escalation's question, or null when there is none to answer. */
  escalation: string | null;
  /** A model provider's trouble (retrying by itself, or waiting for Retry), or null when there is none. */
  problem: ProblemView | null;
  /** The project waits for the user's Retry after a provider's trouble (the problem's card offers it, sending
   * "resume"; the controls then leave "resume" out). */
  retry: boolean;
  /** Shown in the dashboard's active work. */
  active: boolean;
  /** The plan card's text while there are no steps, and the short form for a project's row. */
  planText: string;
  planShort: string;
  /** The plan can be edited (the server refuses while the manager works on it). */
  planEditable: boolean;
  /** The step being worked on, or null when none is. */
  currentStep: number | null;
  /** The controls offered, in display order. */
  actions: ProjectAction[];
  /** The terminal tab's text instead of a terminal, or null when it connects. */
  terminalIdle: string | null;
}

/** Everything a page shows about a project's state, from one place. */
export function projectView(project: ProjectState): ProjectView {
  const { status } = project;
  const live = project.instance?.status === "running";
  const working = (status === "planning" || status === "running") && live;
  const problem = problemView(project);
  const asked = status === "paused" && project.escalation.trim() !== "";
  const needsYou = asked || (status === "paused" && problem?.kind === "failed");
  const retry = status === "paused" && problem?.kind === "failed";
  const planText = working ? PLAN_TEXT.writing : status === "created" ? PLAN_TEXT.onStart : PLAN_TEXT.none;
  return {
    label: problem ? PROBLEM_LABEL[problem.kind] : STATUS_LABEL[status],
    style: problem ? PROBLEM_STYLE[problem.kind] : (STATUS_STYLE[status] ?? NEUTRAL_STYLE),
    live,
    working,
    needsYou,
    escalation: asked ? project.escalation : null,
    problem,
    retry,
    active: ACTIVE_STATUSES.has(status),
    planText,
    planShort: working ? "writing the plan" : "no plan yet",
    planEditable: !working,
    currentStep: working && project.current_step < project.implementation_plan.length ? project.current_step : null,
    actions: retry ? actionsFor(project).filter((a) => a !== "resume") : actionsFor(project),
    terminalIdle: status === "created" ? TERMINAL_IDLE_TEXT : null,
  };
}

export const NEEDS_YOU_TEXT = "needs you";

/** An agent's word on the dashboard, from its projects' views: it needs you, it works, or it is idle. */
export function agentActivity(views: readonly ProjectView[]): "needs you" | "working" | "idle" {
  if (views.some((v) => v.needsYou)) return NEEDS_YOU_TEXT;
  return views.some((v) => v.working) ? "working" : "idle";
}
