// A coding project: goal, plan with step progress, controls, escalations to answer, a model provider's trouble
// (a state with Retry, never a question), and tabs for the live
// Claude Code terminal, the decision log, and the editable description, architecture and CLAUDE.md.
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { formErrors } from "../api/formErrors";
import { useDeleteProject, useProject, useProjectAction, useReply, useUpdateProject, type Project } from "../api/queries";
import { ConfirmDelete } from "../components/ConfirmDelete";
import { buttonClass, FormError, Saved, TextArea } from "../components/Form";
import { ErrorNote, Loading, PageTitle } from "../components/States";
import { ClaudeMdEditor } from "../projects/ClaudeMdEditor";
import { LogView } from "../projects/LogView";
import { PlanView } from "../projects/PlanView";
import { NeedsYou, ProjectBadge, Progress } from "../projects/ProjectBits";
import { ProviderProblemCard } from "../projects/ProviderProblemCard";
import { actionLabel, projectView, type ProjectView } from "../projects/status";

const TerminalView = lazy(() => import("../terminal/TerminalView").then((m) => ({ default: m.TerminalView })));
// The tabs' names (their ids too); their words are in the catalogue (projects.page.tab).
const TABS = ["Terminal", "Logs", "Description", "Architecture", "ClaudeMd"] as const;
type Tab = (typeof TABS)[number];

export function ProjectPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const projectId = Number(id);
  const project = useProject(projectId);
  if (project.isPending) return <Loading label={t("projects.page.loading")} />;
  if (project.isError) return <ErrorNote error={project.error} onRetry={() => void project.refetch()} />;
  return <ProjectView project={project.data} />;
}

function ProjectView({ project }: { project: Project }) {
  const { t } = useTranslation(); // projectView's words follow the language too
  const [tab, setTab] = useState<Tab>("Logs");
  const view = projectView(project);
  return (
    <div className="space-y-4">
      <div>
        <p className="text-sm"><Link to={`/agents/${project.agent_id}`} className="text-sky-300 hover:underline">{t("projects.page.backToAgent")}</Link></p>
        <PageTitle>{project.name}</PageTitle>
        <div className="-mt-2 flex flex-wrap items-center gap-3">
          <ProjectBadge view={view} />
          <NeedsYou view={view} />
          <Progress done={project.steps_done} total={project.steps_total} empty={view.planShort} />
        </div>
      </div>
      {view.problem !== null && <ProviderProblemCard project={project} problem={view.problem} />}
      {view.escalation !== null && <Escalation project={project} question={view.escalation} />}
      <Controls project={project} view={view} />
      <PlanView project={project} view={view} />
      <div>
        <div role="tablist" aria-label={t("projects.page.views")} className="mb-2 flex flex-wrap gap-1">
          {TABS.map((name) => (
            <button key={name} type="button" role="tab" id={`tab-${name}`} aria-selected={tab === name} aria-controls={`panel-${name}`}
              onClick={() => setTab(name)}
              className={`rounded-md px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-400 ${
                tab === name ? "bg-slate-700 text-slate-50" : "text-slate-300 hover:bg-slate-800"
              }`}>
              {t(`projects.page.tab.${name}`)}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === "Terminal" && view.terminalIdle !== null && (
            <p className="rounded-lg border border-slate-800 bg-slate-950 p-3 text-sm text-slate-400">{view.terminalIdle}</p>
          )}
          {tab === "Terminal" && view.terminalIdle === null && (
            <div className="flex h-[min(28rem,70dvh)] flex-col">
              <Suspense fallback={<Loading label={t("projects.page.loadingTerminal")} />}>
                <TerminalView name={project.tmux_session} path={`/ws/project/${project.id}/terminal`} />
              </Suspense>
            </div>
          )}
          {tab === "Logs" && <LogView projectId={project.id} />}
          {tab === "Description" && <TextEditor project={project} field="description" />}
          {tab === "Architecture" && <TextEditor project={project} field="architecture" />}
          {tab === "ClaudeMd" && <ClaudeMdEditor projectId={project.id} />}
        </div>
      </div>
    </div>
  );
}

function Controls({ project, view }: { project: Project; view: ProjectView }) {
  const { t } = useTranslation();
  const action = useProjectAction(project.id);
  const remove = useDeleteProject();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  return (
    <section aria-label={t("projects.page.controls")} className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {view.actions.map((a) => (
          <button key={a} type="button" disabled={action.isPending}
            className={a === "start" || a === "resume" ? buttonClass.primary : buttonClass.secondary}
            onClick={() => action.mutate(a)}>
            {actionLabel(a)}
          </button>
        ))}
        {!confirming && (
          <button type="button" className={buttonClass.danger} onClick={() => setConfirming(true)}>{t("projects.page.deleteProject")}</button>
        )}
      </div>
      {action.isPending && <p role="status" className="text-sm text-slate-400">{t("projects.page.working")}</p>}
      <FormError message={action.error?.message} />
      {confirming && (
        <ConfirmDelete name={project.name}
          consequence={t("projects.page.deleteConsequence")}
          pending={remove.isPending} error={remove.error} onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate(project.id, { onSuccess: () => void navigate(`/agents/${project.agent_id}`) })} />
      )}
    </section>
  );
}

function Escalation({ project, question }: { project: Project; question: string }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState("");
  const reply = useReply(project.id);
  return (
    <section role="alert" aria-labelledby="esc-h" className="space-y-2 rounded-xl border-2 border-amber-500 bg-amber-950/60 p-4">
      <h2 id="esc-h" className="font-semibold text-amber-200">{t("projects.escalation.heading")}</h2>
      <p className="whitespace-pre-wrap text-amber-100">{question}</p>
      <form noValidate className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          reply.mutate(message, { onSuccess: () => setMessage("") });
        }}>
        <TextArea label={t("projects.escalation.answer")} rows={3} value={message} onChange={(e) => setMessage(e.target.value)}
          error={formErrors(reply.error).fields.message} />
        <FormError message={formErrors(reply.error).message} />
        <button type="submit" className={buttonClass.primary} disabled={reply.isPending || !message.trim()}>{t("projects.escalation.send")}</button>
      </form>
    </section>
  );
}

// The description is the project's goal; each field has its label, its button and its confirmation.
const EDITOR_TEXT = {
  description: { label: "projects.page.goal", save: "projects.page.saveGoal", saved: "projects.page.goalSaved" },
  architecture: {
    label: "projects.page.architecture",
    save: "projects.page.saveArchitecture",
    saved: "projects.page.architectureSaved",
  },
} as const;

function TextEditor({ project, field }: { project: Project; field: "description" | "architecture" }) {
  const { t } = useTranslation();
  const text = EDITOR_TEXT[field];
  const [value, setValue] = useState(project[field]);
  const [saved, setSaved] = useState<string | null>(null);
  const update = useUpdateProject(project.id);
  const errors = formErrors(update.error);
  return (
    <form noValidate className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        update.mutate({ [field]: value }, { onSuccess: () => setSaved(t(text.saved)) });
      }}>
      <TextArea label={t(text.label)} rows={8} value={value} onChange={(e) => setValue(e.target.value)} error={errors.fields[field]} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={update.isPending}>{t(text.save)}</button>
        <Saved message={saved} />
      </div>
    </form>
  );
}
