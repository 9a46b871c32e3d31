// The implementation plan with each step's status, and an editor for it while the manager is not working.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSavePlan, type PlanStep, type Project, type StepStatus } from "../api/queries";
import { buttonClass, FormError, inputClass, TextArea, TextInput, useFormErrors } from "../components/Form";
import { Empty } from "../components/States";
import type { ProjectView } from "./status";

const STEP_MARK: Record<StepStatus, string> = { done: "✓", running: "▶", failed: "✗", pending: "·" };

export function PlanView({ project, view }: { project: Project; view: ProjectView }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const steps = project.implementation_plan;
  const busy = !view.planEditable;
  if (editing) return <PlanEditor project={project} initial={steps} onDone={() => setEditing(false)} />;
  return (
    <section aria-labelledby="plan-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h2 id="plan-h" className="font-semibold">{t("projects.planView.heading")}</h2>
        <button type="button" className={buttonClass.secondary} disabled={busy} onClick={() => setEditing(true)}
          title={busy ? t("projects.planView.pauseToEdit") : undefined}>
          {t("projects.planView.edit")}
        </button>
      </div>
      {steps.length === 0 ? (
        <Empty>{view.planText}</Empty>
      ) : (
        <ol aria-label={t("projects.planView.steps")} className="space-y-2">
          {steps.map((s, i) => (
            <li key={i} aria-current={i === view.currentStep ? "step" : undefined}
              className={`rounded-md border p-2 text-sm ${i === view.currentStep ? "border-sky-600" : "border-slate-800"}`}>
              <span aria-hidden className="mr-2 font-mono">{STEP_MARK[s.status ?? "pending"]}</span>
              <span className="font-medium">{i + 1}. {s.title}</span>{" "}
              <span className="text-slate-400">
                ({t(`projects.planView.stepStatus.${s.status ?? "pending"}`)}
                {s.attempts ? `, ${t("projects.planView.retries", { count: s.attempts })}` : ""})
              </span>
              {s.details && <p className="mt-1 whitespace-pre-wrap text-slate-300">{s.details}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function PlanEditor({ project, initial, onDone }: { project: Project; initial: PlanStep[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [steps, setSteps] = useState<PlanStep[]>(initial);
  const save = useSavePlan(project.id);
  const { errors, formRef } = useFormErrors(save.error);
  const fields = errors.fields;
  // An error on the list itself ("steps", e.g. too many) has no field of its own: it is the form's line.
  const stepErrorShown = Object.keys(fields).some((key) => /^steps\.\d+/.test(key));
  const message = fields.steps && !stepErrorShown ? fields.steps : errors.message;
  const set = (i: number, patch: Partial<PlanStep>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  return (
    <form ref={formRef} noValidate className="space-y-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(steps, { onSuccess: onDone });
      }}>
      <h2 className="font-semibold">{t("projects.planView.editHeading")}</h2>
      {steps.map((s, i) => (
        <fieldset key={i} className="space-y-2 rounded-lg border border-slate-700 p-3">
          <legend className="px-1 text-sm font-medium">{t("projects.planView.step", { number: i + 1 })}</legend>
          {/* An error on the whole step (steps.N) is shown under its title. */}
          <TextInput label={t("projects.planView.title")} name={`steps.${i}.title`} value={s.title}
            error={fields[`steps.${i}.title`] ?? fields[`steps.${i}`]}
            onChange={(e) => set(i, { title: e.target.value })} />
          <TextArea label={t("projects.planView.details")} name={`steps.${i}.details`} rows={2} className={inputClass} value={s.details ?? ""}
            error={fields[`steps.${i}.details`]} onChange={(e) => set(i, { details: e.target.value })} />
          <TextArea label={t("projects.planView.doneWhen")} name={`steps.${i}.acceptance`} rows={2} className={inputClass} value={s.acceptance ?? ""}
            error={fields[`steps.${i}.acceptance`]} onChange={(e) => set(i, { acceptance: e.target.value })} />
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <label className="flex items-center gap-2">
              <input type="checkbox" className="size-4 accent-sky-500" checked={s.status === "done"}
                onChange={(e) => set(i, { status: e.target.checked ? "done" : "pending" })} />
              {t("projects.planView.done")}
            </label>
            <button type="button" className={buttonClass.danger} onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
              {t("projects.planView.removeStep", { number: i + 1 })}
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" className={buttonClass.secondary}
        onClick={() => setSteps([...steps, { title: "", details: "", acceptance: "", status: "pending", attempts: 0 }])}>
        {t("projects.planView.addStep")}
      </button>
      <FormError message={message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>{t("projects.planView.save")}</button>
        <button type="button" className={buttonClass.secondary} onClick={onDone}>{t("projects.planView.cancel")}</button>
      </div>
    </form>
  );
}
