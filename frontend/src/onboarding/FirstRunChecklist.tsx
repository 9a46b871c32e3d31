// The dashboard's first-run checklist: add a key, create an agent, start something. Each step is ticked from
// what the server already says (the person's keys, agents and projects), the card disappears once all three
// are done, and it can be put away earlier (remembered per person on this device, since devices are shared).
import { useState } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { useAgents, useAllProjects, useApiKeys, useMe, type Agent, type Project } from "../api/queries";
import { buttonClass } from "../components/Form";

/** A step's words are in the catalogue under dashboard.firstRun.steps.<id> (label, detail). */
export interface Step {
  id: "key" | "agent" | "start";
  to: string;
  done: boolean;
}

/** A project was ever started once it left "created" (planning, running, paused, stopped, finished). */
export const everStarted = (project: Pick<Project, "status">) => project.status !== "created";

/** The three steps, ticked from the person's own keys, agents and projects. */
export function firstRunSteps(keyCount: number, agents: Pick<Agent, "id" | "type">[], projects: Pick<Project, "id" | "status">[]): Step[] {
  const started = projects.some(everStarted);
  const coding = agents.find((a) => a.type === "coding") ?? agents[0];
  const startAt = projects[0] ? `/projects/${projects[0].id}` : coding ? `/agents/${coding.id}` : "/agents/new";
  return [
    { id: "key", to: "/settings", done: keyCount > 0 },
    { id: "agent", to: "/agents/new", done: agents.length > 0 },
    { id: "start", to: startAt, done: started },
  ];
}

const dismissedKey = (userId: number) => `autocode.first-run-dismissed.${userId}`;

function readDismissed(userId: number): boolean {
  try {
    return localStorage.getItem(dismissedKey(userId)) === "1";
  } catch {
    return false; // storage blocked: the card simply stays until its steps are done
  }
}

export function FirstRunChecklist() {
  const { t } = useTranslation();
  const me = useMe();
  const keys = useApiKeys();
  const agents = useAgents();
  const projects = useAllProjects();
  const userId = me.data?.id;
  const [dismissedFor, setDismissedFor] = useState<number | null>(null);

  // Nothing until every answer is in: a card that flashes and vanishes helps nobody.
  if (userId === undefined || !keys.data || !agents.data || !projects.data) return null;
  if (dismissedFor === userId || readDismissed(userId)) return null;
  const steps = firstRunSteps(keys.data.length, agents.data, projects.data);
  if (steps.every((s) => s.done)) return null;

  function dismiss() {
    if (userId === undefined) return;
    try {
      localStorage.setItem(dismissedKey(userId), "1");
    } catch {
      // storage blocked: hidden for this visit only
    }
    setDismissedFor(userId);
  }

  const doneCount = steps.filter((s) => s.done).length;
  return (
    <section aria-labelledby="first-run-h" className="rounded-xl border border-sky-800 bg-slate-900/60 p-4 lg:col-span-2">
      <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <h2 id="first-run-h" className="font-semibold">{t("dashboard.firstRun.title")}</h2>
        <span className="text-sm text-slate-400">{t("dashboard.firstRun.progress", { done: doneCount, total: steps.length })}</span>
      </div>
      <p className="mb-3 text-sm text-slate-300">
        {t("dashboard.firstRun.perPerson")}
      </p>
      <ol aria-label={t("dashboard.firstRun.list")} className="space-y-2">
        {steps.map((step) => {
          const label = t(`dashboard.firstRun.steps.${step.id}.label`);
          return (
            <li key={step.id} className="flex items-start gap-3">
              <span aria-hidden="true"
                className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full border text-xs ${
                  step.done ? "border-emerald-500 bg-emerald-500 text-slate-950" : "border-slate-500"
                }`}>
                {step.done ? "✓" : ""}
              </span>
              <div className="min-w-0">
                {step.done ? (
                  <span className="text-slate-400 line-through decoration-slate-500">{label}</span>
                ) : (
                  <Link to={step.to} className="font-medium text-sky-300 underline-offset-2 hover:underline">{label}</Link>
                )}
                <span className="sr-only">{step.done ? t("dashboard.firstRun.done") : t("dashboard.firstRun.toDo")}</span>
                {!step.done && <p className="text-sm text-slate-400">{t(`dashboard.firstRun.steps.${step.id}.detail`)}</p>}
              </div>
            </li>
          );
        })}
      </ol>
      <button type="button" className={`${buttonClass.secondary} mt-3`} onClick={dismiss}>{t("dashboard.firstRun.hide")}</button>
    </section>
  );
}
