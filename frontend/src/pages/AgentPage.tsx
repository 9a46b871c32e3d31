// An agent's page: what it is, what its type will offer here, and editing and deleting it.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useAgents, useDeleteAgent, useTools, useUpdateAgent, type Agent } from "../api/queries";
import { AgentForm, draftFromAgent } from "../agents/AgentForm";
import { typeFeatures, typeLabel } from "../agents/types";
import { CodingAgentPanel } from "../projects/CodingAgentPanel";
import { ResearchPanel } from "../research/ResearchPanel";
import { LearningPanel } from "../learning/LearningPanel";
import { CustomPanel } from "../custom/CustomPanel";
import { SocialPanel } from "../social/SocialPanel";
import { buttonClass, FormError, TextInput } from "../components/Form";
import { Empty, ErrorNote, Loading, PageTitle } from "../components/States";

function useAgentFromRoute(): { agent?: Agent; state: "loading" | "error" | "missing" | "ok"; error?: unknown; retry: () => void } {
  const { id } = useParams();
  const agents = useAgents();
  const retry = () => void agents.refetch();
  if (agents.isPending) return { state: "loading", retry };
  if (agents.isError) return { state: "error", error: agents.error, retry };
  const agent = agents.data.find((a) => String(a.id) === id);
  return agent ? { agent, state: "ok", retry } : { state: "missing", retry };
}

function Missing() {
  const { t } = useTranslation();
  return (
    <div>
      <PageTitle>{t("agents.page.notFound")}</PageTitle>
      <Empty>{t("agents.page.noSuchAgent")} <Link to="/" className="text-sky-300 underline">{t("common.backToDashboard")}</Link></Empty>
    </div>
  );
}

interface ConfirmProps {
  name: string;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Deleting an agent stops and removes all its work, so the user types its name first. */
function TypedConfirmDelete({ name, pending, error, onConfirm, onCancel }: ConfirmProps) {
  const id = useId();
  const [typed, setTyped] = useState("");
  const { t } = useTranslation();
  const matches = typed.trim() === name;
  return (
    <div role="alertdialog" aria-labelledby={id} className="mt-3 space-y-2 rounded-lg border border-red-800 p-3">
      <p id={id}>{t("common.deleteQuestion", { name })} {t("agents.page.deleteConsequence")}</p>
      <TextInput label={t("agents.page.typeName", { name })} value={typed} autoComplete="off" spellCheck={false}
        onChange={(event) => setTyped(event.target.value)} />
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonClass.danger} disabled={pending || !matches} onClick={onConfirm}>
          {t("common.yesDelete", { name })}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("common.keepIt")}</button>
      </div>
      <FormError message={error?.message} />
    </div>
  );
}

export function AgentPage() {
  const found = useAgentFromRoute();
  const remove = useDeleteAgent();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const tools = useTools();
  const { t } = useTranslation();
  if (found.state === "loading") return <Loading />;
  if (found.state === "error") return <ErrorNote error={found.error} onRetry={found.retry} />;
  if (!found.agent) return <Missing />;
  const agent = found.agent;
  const toolLabel = (name: string) => tools.data?.find((tool) => tool.name === name)?.label ?? name;

  return (
    <div className="space-y-4">
      <div>
        <PageTitle>{agent.name}</PageTitle>
        <p className="-mt-3 text-sm text-slate-400">{t("agents.page.typeLine", { type: typeLabel(agent.type), model: agent.model })}</p>
      </div>
      {agent.type === "coding" ? (
        <CodingAgentPanel agent={agent} />
      ) : agent.type === "research" ? (
        <ResearchPanel agent={agent} />
      ) : agent.type === "learning" ? (
        <LearningPanel agent={agent} />
      ) : agent.type === "custom" ? (
        <CustomPanel agent={agent} />
      ) : agent.type === "social_media" ? (
        <SocialPanel agent={agent} />
      ) : (
        <section aria-labelledby="coming-h" className="rounded-xl border border-dashed border-slate-700 p-4">
          <h2 id="coming-h" className="mb-1 font-semibold">{t("agents.page.comingHere")}</h2>
          <p className="text-slate-300">{typeFeatures(agent.type)}</p>
        </section>
      )}
      <section aria-labelledby="setup-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4 text-sm">
        <h2 id="setup-h" className="mb-2 font-semibold">{t("agents.page.setup")}</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
          <dt className="text-slate-400">{t("agents.page.tools")}</dt>
          <dd>{agent.tools.length ? agent.tools.map(toolLabel).join(", ") : t("agents.page.none")}</dd>
          <dt className="text-slate-400">{t("agents.page.connections")}</dt>
          <dd>{Object.keys(agent.mcp_servers).join(", ") || t("agents.page.none")}</dd>
        </dl>
        <div className="mt-4 flex flex-wrap gap-2">
          <Link to={`/agents/${agent.id}/edit`} className={buttonClass.secondary}>{t("agents.page.edit")}</Link>
          {!confirming && (
            <button type="button" className={buttonClass.danger} onClick={() => setConfirming(true)}>{t("agents.page.delete")}</button>
          )}
        </div>
        {confirming && (
          <TypedConfirmDelete name={agent.name}
            pending={remove.isPending} error={remove.error} onCancel={() => setConfirming(false)}
            onConfirm={() => remove.mutate(agent.id, { onSuccess: () => void navigate("/") })} />
        )}
      </section>
    </div>
  );
}

export function AgentEditPage() {
  const found = useAgentFromRoute();
  const navigate = useNavigate();
  const update = useUpdateAgent(found.agent?.id ?? 0);
  const { t } = useTranslation();
  if (found.state === "loading") return <Loading />;
  if (found.state === "error") return <ErrorNote error={found.error} onRetry={found.retry} />;
  if (!found.agent) return <Missing />;
  const agent = found.agent;
  return (
    <div>
      <PageTitle>{t("agents.page.editTitle", { name: agent.name })}</PageTitle>
      <AgentForm key={agent.id} initial={draftFromAgent(agent)} type={agent.type} submitLabel={t("agents.page.saveChanges")} pending={update.isPending}
        error={update.error} onCancel={() => void navigate(`/agents/${agent.id}`)}
        onSubmit={(draft) => update.mutate(draft, { onSuccess: () => void navigate(`/agents/${agent.id}`) })} />
    </div>
  );
}
