// The dashboard: a first-run checklist until its steps are done, the person's workspace (their sandbox
// container, named in plain words with the technical term as a hint) with start/stop, their agents, active
// work, and the review cards due (learning); the workspace's state changes arrive live over /ws/events (see
// realtime/useLiveEvents).
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { FirstRunChecklist } from "../onboarding/FirstRunChecklist";
import { DueCards } from "../learning/DueCards";
import { useAgents, useAllProjects, useSandbox, useSandboxAction } from "../api/queries";
import { ProjectRow } from "../projects/ProjectBits";
import { agentActivity, projectView, type ProjectView } from "../projects/status";
import { TYPE_LABEL } from "../agents/types";
import { buttonClass } from "../components/Form";
import { StateBadge } from "../components/StateBadge";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

function WorkspaceCard() {
  const { t } = useTranslation();
  const sandbox = useSandbox();
  const action = useSandboxAction();
  const state = sandbox.data?.state;

  return (
    <section aria-labelledby="sandbox-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="sandbox-h" className="mb-1 font-semibold">{t("dashboard.workspace.title")}</h2>
      <p className="text-sm text-slate-300">{t("dashboard.workspace.about")}</p>
      <p className="mb-3 text-xs text-slate-400">{t("dashboard.workspace.technical")}</p>
      {sandbox.isPending && <Loading label={t("dashboard.workspace.loading")} />}
      {sandbox.isError && <ErrorNote error={sandbox.error} onRetry={() => void sandbox.refetch()} />}
      {sandbox.data && (
        <div className="flex flex-wrap items-center gap-3" aria-live="polite">
          <span className="sr-only">{t("dashboard.workspace.state")}</span>
          <StateBadge state={action.isPending && action.variables === "start" ? "starting" : (state ?? "stopped")} />
          <button type="button" className={buttonClass.primary}
            disabled={action.isPending || state === "running" || state === "starting"}
            onClick={() => action.mutate("start")}>
            {t("dashboard.workspace.start")}
          </button>
          <button type="button" className={buttonClass.secondary}
            disabled={action.isPending || state === "stopped" || state === "missing"}
            onClick={() => action.mutate("stop")}>
            {t("dashboard.workspace.stop")}
          </button>
          <Link to="/terminal" className="text-sm text-sky-300 underline-offset-2 hover:underline">{t("dashboard.workspace.openTerminal")}</Link>
        </div>
      )}
      {action.isError && <div className="mt-3"><ErrorNote error={action.error} /></div>}
    </section>
  );
}


function AgentsCard() {
  const { t } = useTranslation();
  const agents = useAgents();
  const projects = useAllProjects();
  const views = new Map<number, ProjectView[]>();
  for (const p of projects.data ?? []) views.set(p.agent_id, [...(views.get(p.agent_id) ?? []), projectView(p)]);
  return (
    <section aria-labelledby="agents-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 id="agents-h" className="font-semibold">{t("dashboard.agents.title")}</h2>
        <Link to="/agents/new" className="text-sm text-sky-300 hover:underline">{t("dashboard.agents.newAgent")}</Link>
      </div>
      {agents.isPending && <Loading label={t("dashboard.agents.loading")} />}
      {agents.isError && <ErrorNote error={agents.error} onRetry={() => void agents.refetch()} />}
      {agents.data?.length === 0 && <Empty>{t("dashboard.agents.empty")}</Empty>}
      {agents.data && agents.data.length > 0 && (
        <ul className="divide-y divide-slate-800">
          {agents.data.map((a) => (
            <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <Link to={`/agents/${a.id}`} className="font-medium hover:underline">{a.name}</Link>
              <span className="text-sm text-slate-400">
                {TYPE_LABEL[a.type] ?? a.type} · {agentActivity(views.get(a.id) ?? [])}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ActiveWorkCard() {
  const { t } = useTranslation();
  const projects = useAllProjects();
  const active = (projects.data ?? []).filter((p) => projectView(p).active);
  return (
    <section aria-labelledby="work-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4 lg:col-span-2">
      <h2 id="work-h" className="mb-3 font-semibold">{t("dashboard.work.title")}</h2>
      {projects.isPending && <Loading label={t("dashboard.work.loading")} />}
      {projects.isError && <ErrorNote error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.data && active.length === 0 && (
        <Empty>{t("dashboard.work.empty")}</Empty>
      )}
      {active.length > 0 && (
        <ul aria-label={t("dashboard.work.list")} className="divide-y divide-slate-800">
          {active.map((p) => <ProjectRow key={p.id} project={p} />)}
        </ul>
      )}
    </section>
  );
}

export function Dashboard() {
  const { t } = useTranslation();
  return (
    <div>
      <PageTitle>{t("dashboard.title")}</PageTitle>
      <div className="grid gap-4 lg:grid-cols-2">
        <FirstRunChecklist />
        <DueCards />
        <WorkspaceCard />
        <AgentsCard />
        <ActiveWorkCard />
      </div>
    </div>
  );
}
