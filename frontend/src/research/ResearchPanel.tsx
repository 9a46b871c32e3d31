// A research agent's page body: its researches (status, last activity), a search box, a switch to the
// archived ones, and "+ New Research" (a name; the chat opens empty).
import { useDeferredValue, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { limits } from "../api/limits";
import { useCreateResearch, useResearchList, type Agent, type Research } from "../api/queries";
import { buttonClass, FormError, TextInput, useFormErrors } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { lastActivity, researchView } from "./status";

export function ResearchBadge({ research }: { research: Pick<Research, "status" | "answering"> }) {
  useTranslation(); // the words follow the language
  const view = researchView(research);
  return <span className={`rounded-full px-2.5 py-0.5 text-sm ${view.style}`}>{view.label}</span>;
}

function ResearchRow({ research }: { research: Research }) {
  const { t } = useTranslation();
  const when = lastActivity(research);
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <Link to={`/research/${research.id}`} className="min-w-0 break-words font-medium hover:underline">{research.name}</Link>
      <span className="flex items-center gap-3 text-sm text-slate-400">
        {when ? t("research.panel.lastActivity", { when }) : t("research.panel.neverUsed")}
        <ResearchBadge research={research} />
      </span>
    </li>
  );
}

export function ResearchPanel({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState("");
  const [archived, setArchived] = useState(false);
  const q = useDeferredValue(search.trim());
  const list = useResearchList(agent.id, archived, q);
  const empty = q ? t("research.panel.noMatch", { q }) : archived ? t("research.panel.emptyArchived") : t("research.panel.empty");
  return (
    <section aria-labelledby="research-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="research-h" className="font-semibold">{t("research.panel.heading")}</h2>
        {!creating && (
          <button type="button" className={buttonClass.primary} onClick={() => setCreating(true)}>{t("research.panel.newResearch")}</button>
        )}
      </div>
      {creating && <NewResearch agentId={agent.id} onCancel={() => setCreating(false)} />}
      <div className="mb-3 space-y-2">
        <TextInput label={t("research.panel.search")} type="search" value={search} hint={t("research.panel.searchHint")}
          onChange={(e) => setSearch(e.target.value)} />
        <label className="flex w-fit items-center gap-2 text-sm">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)}
            className="size-4 accent-sky-500" />
          {t("research.panel.showArchived")}
        </label>
      </div>
      {list.isPending && <Loading label={t("research.panel.loading")} />}
      {list.isError && <ErrorNote error={list.error} onRetry={() => void list.refetch()} />}
      {list.data?.length === 0 && !creating && <Empty>{empty}</Empty>}
      {list.data && list.data.length > 0 && (
        <ul aria-label={t("research.panel.list")} className="divide-y divide-slate-800">
          {list.data.map((r) => <ResearchRow key={r.id} research={r} />)}
        </ul>
      )}
    </section>
  );
}

function NewResearch({ agentId, onCancel }: { agentId: number; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const create = useCreateResearch(agentId);
  const navigate = useNavigate();
  const { errors, formRef } = useFormErrors(create.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(name.trim(), { onSuccess: (research) => void navigate(`/research/${research.id}`) });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="mb-4 space-y-3 rounded-lg border border-slate-700 p-3">
      <h3 className="text-sm font-semibold">{t("research.newResearch.heading")}</h3>
      <TextInput label={t("research.newResearch.name")} name="name" value={name} autoFocus
        onChange={(e) => setName(e.target.value)} error={errors.fields.name} hint={t("research.newResearch.nameHint")}
        limit={limits.ResearchCreate.name} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || !name.trim()}>
          {create.isPending ? t("research.newResearch.creating") : t("research.newResearch.create")}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("research.newResearch.cancel")}</button>
      </div>
    </form>
  );
}
