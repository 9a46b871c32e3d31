// Routes whose pages come in later work; each says what will be there.
import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { useAgents, useMe } from "../api/queries";
import { ErrorNote, Loading, PageTitle } from "../components/States";

function Placeholder({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-3xl">
      <PageTitle>{title}</PageTitle>
      <div className="rounded-xl border border-dashed border-slate-700 p-4 text-slate-300">{children}</div>
    </div>
  );
}

export function AgentBuilderPage() {
  return (
    <Placeholder title="New Agent">
      The Agent Builder will be here: pick a pre-built template or start from scratch, then set the name,
      model, identity and rules, tools and MCP servers.
    </Placeholder>
  );
}

export function AgentPage() {
  const { id } = useParams();
  const agents = useAgents();
  if (agents.isPending) return <Loading />;
  if (agents.isError) return <ErrorNote error={agents.error} onRetry={() => void agents.refetch()} />;
  const agent = agents.data.find((a) => String(a.id) === id);
  if (!agent) return <Placeholder title="Agent not found">There is no such agent. <Link to="/" className="text-sky-300 underline">Back to the dashboard</Link></Placeholder>;
  return (
    <Placeholder title={agent.name}>
      This {agent.type} agent ({agent.model}) will get its own page here: its work, its logs and its
      settings, with editing and deleting.
    </Placeholder>
  );
}

export function SettingsPage() {
  return (
    <Placeholder title="Settings">
      Your API keys (added with a provider and an optional base URL, listed masked) and your preferences will be here.
    </Placeholder>
  );
}

export function AdminPage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorNote error={me.error} />;
  if (me.data.role !== "admin") {
    return <Placeholder title="Not allowed">Only administrators can open the Admin Panel.</Placeholder>;
  }
  return (
    <Placeholder title="Admin Panel">
      Users with their role, agent count and sandbox state will be here: create users, reset passwords,
      delete users and start, stop or restart their sandboxes.
    </Placeholder>
  );
}

export function NotFoundPage() {
  return (
    <Placeholder title="Page not found">
      Nothing lives at this address. <Link to="/" className="text-sky-300 underline">Back to the dashboard</Link>
    </Placeholder>
  );
}
