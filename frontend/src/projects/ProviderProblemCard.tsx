// A model provider's trouble on a project's page: a state, not a question. While the manager retries by itself
// it says when; once it waits for the user, it points to Settings (where keys live) and offers Retry.
import { Trans, useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useProjectAction, type Project } from "../api/queries";
import { buttonClass, FormError } from "../components/Form";
import type { ProblemView } from "./status";

export function ProviderProblemCard({ project, problem }: { project: Project; problem: ProblemView }) {
  const { t } = useTranslation();
  const action = useProjectAction(project.id);
  if (problem.kind === "retrying") {
    return (
      <section role="status" aria-labelledby="problem-h" className="space-y-1 rounded-xl border border-amber-700 bg-amber-950/40 p-4">
        <h2 id="problem-h" className="font-semibold text-amber-200">{problem.title}</h2>
        <p className="text-sm text-amber-100/90">{problem.detail}</p>
        <p className="text-sm text-slate-300">{t("projects.problem.waitNote")}</p>
      </section>
    );
  }
  return (
    <section role="alert" aria-labelledby="problem-h" className="space-y-2 rounded-xl border-2 border-red-500 bg-red-950/50 p-4">
      <h2 id="problem-h" className="font-semibold text-red-200">{problem.title}</h2>
      <p className="whitespace-pre-wrap text-red-100">{problem.detail}</p>
      <p className="text-sm text-slate-200">
        <Trans i18nKey="projects.problem.checkHint"
          components={{ settings: <Link to="/settings" className="text-sky-300 underline" /> }} />
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className={buttonClass.primary} disabled={action.isPending} onClick={() => action.mutate("resume")}>
          {action.isPending ? t("projects.problem.retryingNow") : t("common.retry")}
        </button>
      </div>
      <FormError message={action.error?.message} />
    </section>
  );
}
