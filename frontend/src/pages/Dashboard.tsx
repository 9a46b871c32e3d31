// The dashboard: a first-run checklist until its steps are done, the sandbox with start/stop, the user's
// agents, and active work; sandbox state changes arrive live over /ws/events (see realtime/useLiveEvents).
import { Link } from "react-router";
import { FirstRunChecklist } from "../onboarding/FirstRunChecklist";
import { useAgents, useAllProjects, useSandbox, useSandboxAction } from "../api/queries";
import { ProjectRow } from "../projects/ProjectBits";
import { agentActivity, projectView, type ProjectView } from "../projects/status";
import { TYPE_LABEL } from "../agents/types";
import { buttonClass } from "../components/Form";
import { StateBadge } from "../components/StateBadge";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

function SandboxCard() {
  const sandbox = useSandbox();
  const action = useSandboxAction();
  const state = sandbox.data?.state;

  return (
    <section aria-labelledby="sandbox-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="sandbox-h" className="mb-1 font-semibold">Sandbox</h2>
      <p className="mb-3 text-sm text-slate-400">Your own container: your files, terminals and agents run here.</p>
      {sandbox.isPending && <Loading label="Loading sandbox…" />}
      {sandbox.isError && <ErrorNote error={sandbox.error} onRetry={() => void sandbox.refetch()} />}
      {sandbox.data && (
        <div className="flex flex-wrap items-center gap-3" aria-live="polite">
          <span className="sr-only">Sandbox state:</span>
          <StateBadge state={action.isPending && action.variables === "start" ? "starting" : (state ?? "stopped")} />
          <button type="button" className={buttonClass.primary}
            disabled={action.isPending || state === "running" || state === "starting"}
            onClick={() => action.mutate("start")}>
            Start
          </button>
          <button type="button" className={buttonClass.secondary}
            disabled={action.isPending || state === "stopped" || state === "missing"}
            onClick={() => action.mutate("stop")}>
            Stop
          </button>
          <Link to="/terminal" className="text-sm text-sky-300 underline-offset-2 hover:underline">Open terminal</Link>
        </div>
      )}
      {action.isError && <div className="mt-3"><ErrorNote error={action.error} /></div>}
    </section>
  );
}


function AgentsCard() {
  const agents = useAgents();
  const projects = useAllProjects();
  const views = new Map<number, ProjectView[]>();
  for (const p of projects.data ?? []) views.set(p.agent_id, [...(views.get(p.agent_id) ?? []), projectView(p)]);
  return (
    <section aria-labelledby="agents-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 id="agents-h" className="font-semibold">Your agents</h2>
        <Link to="/agents/new" className="text-sm text-sky-300 hover:underline">+ New Agent</Link>
      </div>
      {agents.isPending && <Loading label="Loading agents…" />}
      {agents.isError && <ErrorNote error={agents.error} onRetry={() => void agents.refetch()} />}
      {agents.data?.length === 0 && <Empty>No agents yet. Create one from a template to get started.</Empty>}
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
  const projects = useAllProjects();
  const active = (projects.data ?? []).filter((p) => projectView(p).active);
  return (
    <section aria-labelledby="work-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4 lg:col-span-2">
      <h2 id="work-h" className="mb-3 font-semibold">Active work</h2>
      {projects.isPending && <Loading label="Loading projects…" />}
      {projects.isError && <ErrorNote error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.data && active.length === 0 && (
        <Empty>Nothing is running. Projects your coding agents work on show here with their progress.</Empty>
      )}
      {active.length > 0 && (
        <ul aria-label="Active projects" className="divide-y divide-slate-800">
          {active.map((p) => <ProjectRow key={p.id} project={p} />)}
        </ul>
      )}
    </section>
  );
}

export function Dashboard() {
  return (
    <div className="mx-auto max-w-4xl">
      <PageTitle>Dashboard</PageTitle>
      <div className="grid gap-4 lg:grid-cols-2">
        <FirstRunChecklist />
        <SandboxCard />
        <AgentsCard />
        <ActiveWorkCard />
      </div>
    </div>
  );
}
