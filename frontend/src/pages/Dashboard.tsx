// A first dashboard: the user's agents and the sandbox with start/stop. Live updates from /ws/events come later.
import { Link } from "react-router";
import { useAgents, useSandbox, useSandboxAction } from "../api/queries";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

const STATE_STYLE: Record<string, string> = {
  running: "bg-emerald-900 text-emerald-200",
  starting: "bg-amber-900 text-amber-200",
  stopped: "bg-slate-800 text-slate-300",
};

function SandboxCard() {
  const sandbox = useSandbox();
  const action = useSandboxAction();
  const state = sandbox.data?.state;
  const button =
    "rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-300";

  return (
    <section aria-labelledby="sandbox-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="sandbox-h" className="mb-3 font-semibold">Sandbox</h2>
      {sandbox.isPending && <Loading label="Loading sandbox…" />}
      {sandbox.isError && <ErrorNote error={sandbox.error} onRetry={() => void sandbox.refetch()} />}
      {sandbox.data && (
        <div className="flex flex-wrap items-center gap-3">
          <span className={`rounded-full px-2.5 py-0.5 text-sm ${STATE_STYLE[state ?? ""] ?? STATE_STYLE.stopped}`}>
            {state}
          </span>
          <button type="button" className={`${button} bg-sky-500 text-slate-950 hover:bg-sky-400`}
            disabled={action.isPending || state === "running" || state === "starting"}
            onClick={() => action.mutate("start")}>
            Start
          </button>
          <button type="button" className={`${button} border border-slate-600 hover:bg-slate-800`}
            disabled={action.isPending || state === "stopped"}
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
              <span className="text-sm text-slate-400">{a.type} · {a.model}</span>
            </li>
          ))}
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
        <SandboxCard />
        <AgentsCard />
      </div>
    </div>
  );
}
