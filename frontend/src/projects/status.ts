// How a project's status reads and which controls make sense in it: projectView() derives everything a page
// shows about a project's state (badge, "needs you", "working", the plan's and the terminal's idle texts,
// the controls), so every badge, card and control agrees. The vocabulary itself comes from the generated
// API types: a status added on the server fails the type check here until it has a label. The words live in the
// catalogue (i18n projects.*) and are looked up at call time, so a page that derives its view while rendering
// (and uses useTranslation) speaks the current language.
import type { Project, ProjectAction, ProjectStatus, ProviderProblem } from "../api/queries";
import { i18n } from "../i18n";

/** A status's word on its badge ("not started", "paused"…). */
export function statusLabel(status: ProjectStatus): string {
  return i18n.t(`projects.status.${status}`);
}

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

/** A control's words ("Start", "Pause"…). */
export function actionLabel(action: ProjectAction): string {
  return i18n.t(`projects.action.${action}`);
}

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
function problemLabel(kind: ProviderProblem["state"]): string {
  return kind === "retrying" ? i18n.t("projects.problem.retryingLabel") : i18n.t("projects.problem.failedLabel");
}

const PROBLEM_STYLE: Record<ProviderProblem["state"], string> = {
  retrying: "bg-amber-900 text-amber-200",
  failed: "bg-red-900 text-red-200",
};

/** "19:42", an ISO-8601 instant in the user's time zone as the PWA's language writes times; the text itself
 * when it is not one. */
export function clockTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString(i18n.language, { hour: "2-digit", minute: "2-digit" });
}

/** The problem in words, or null when the project has none to show (a stopped project never does). */
export function problemView(project: ProjectState): ProblemView | null {
  const problem = project.provider_problem ?? null;
  if (problem === null || !ACTIVE_STATUSES.has(project.status) || project.instance?.status !== "running") return null;
  const detail = `${problem.provider} ${problem.message}`;
  const { provider } = problem;
  if (problem.state === "retrying") {
    const when = problem.retry_at
      ? i18n.t("projects.problem.retryingAt", { provider, time: clockTime(problem.retry_at) })
      : i18n.t("projects.problem.retrying", { provider });
    const attempt =
      problem.attempts > 0 ? ` ${i18n.t("projects.problem.attempt", { attempt: problem.attempt, attempts: problem.attempts })}` : "";
    return { kind: "retrying", title: `${when}${attempt}`, detail };
  }
  return { kind: "failed", title: i18n.t("projects.problem.checkKey", { provider }), detail };
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
  const planText = i18n.t(working ? "projects.plan.writing" : status === "created" ? "projects.plan.onStart" : "projects.plan.none");
  return {
    label: problem ? problemLabel(problem.kind) : statusLabel(status),
    style: problem ? PROBLEM_STYLE[problem.kind] : (STATUS_STYLE[status] ?? NEUTRAL_STYLE),
    live,
    working,
    needsYou,
    escalation: asked ? project.escalation : null,
    problem,
    retry,
    active: ACTIVE_STATUSES.has(status),
    planText,
    planShort: i18n.t(working ? "projects.plan.writingShort" : "projects.plan.noneShort"),
    planEditable: !working,
    currentStep: working && project.current_step < project.implementation_plan.length ? project.current_step : null,
    actions: retry ? actionsFor(project).filter((a) => a !== "resume") : actionsFor(project),
    terminalIdle: status === "created" ? i18n.t("projects.terminalIdle") : null,
  };
}

/** "needs you": the words for a project or agent that waits for its user. */
export function needsYouText(): string {
  return i18n.t("projects.needsYou");
}

/** An agent's word on the dashboard, from its projects' views: it needs you, it works, or it is idle. */
export function agentActivity(views: readonly ProjectView[]): string {
  if (views.some((v) => v.needsYou)) return needsYouText();
  return i18n.t(views.some((v) => v.working) ? "projects.activity.working" : "projects.activity.idle");
}
