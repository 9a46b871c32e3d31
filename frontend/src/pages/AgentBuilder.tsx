// "+ New Agent": pick a pre-built template (one click, then customise) or build from scratch. A template
// starts with the model the server picked for this person's keys (GET /api/models), and says why.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useCreateAgent, useModels, useTemplates, type AgentTemplate, type ModelCatalogue } from "../api/queries";
import { AgentForm, draftFromAgent, type AgentDraft } from "../agents/AgentForm";
import { modelLabel, providerLabel, providerOf, templateModel } from "../agents/models";
import { AGENT_TYPES, typeLabel, type AgentType } from "../agents/types";
import { buttonClass, inputClass } from "../components/Form";
import { ErrorNote, Loading, PageTitle } from "../components/States";
import { i18n } from "../i18n/index";

type Start = { kind: "template"; template: AgentTemplate } | { kind: "scratch"; type: AgentType };

const BLANK: AgentDraft = { name: "", model: "", identity: "", global_rules: "", tools: [], mcp_servers: {} };

/** Why the form starts with another model than the template's own, in plain words; null when it does not. */
function modelNote(catalogue: ModelCatalogue | undefined, template: AgentTemplate): string | null {
  if (!catalogue) return null;
  const chosen = templateModel(catalogue, template);
  if (chosen === template.model) return null;
  const name = (model: string) => modelLabel(catalogue, model) ?? model;
  return i18n.t("agents.builder.modelNote", {
    chosen: name(chosen),
    chosenProvider: providerLabel(catalogue, providerOf(chosen)),
    templateProvider: providerLabel(catalogue, providerOf(template.model)),
    templateModel: name(template.model),
  });
}

export function AgentBuilderPage() {
  const [start, setStart] = useState<Start | null>(null);
  const [scratchType, setScratchType] = useState<AgentType>("custom");
  const templates = useTemplates();
  const models = useModels();
  const create = useCreateAgent();
  const navigate = useNavigate();
  const { t } = useTranslation();

  function save(draft: AgentDraft) {
    if (!start) return;
    const origin = start.kind === "template" ? { template: start.template.key } : { type: start.type };
    create.mutate({ ...origin, ...draft }, { onSuccess: (agent) => void navigate(`/agents/${agent.id}`) });
  }

  if (start) {
    const title = start.kind === "template"
      ? t("agents.builder.newFromTemplate", { name: start.template.name })
      : t("agents.builder.newOfType", { type: typeLabel(start.type) });
    const initial = start.kind === "template"
      ? { ...draftFromAgent(start.template), model: templateModel(models.data, start.template) }
      : BLANK;
    const note = start.kind === "template" ? modelNote(models.data, start.template) : null;
    const type = start.kind === "template" ? start.template.type : start.type;
    return (
      <div>
        <PageTitle>{title}</PageTitle>
        <button type="button" className={`${buttonClass.secondary} mb-4`} onClick={() => { setStart(null); create.reset(); }}>
          {t("agents.builder.chooseAnother")}
        </button>
        {note && <p className="mb-4 rounded-md border border-sky-800 bg-sky-950/40 p-2 text-sm text-sky-100">{note}</p>}
        {/* The server's model choice first, so the form starts with it (a failed answer leaves the template's). */}
        {models.isPending ? <Loading label={t("agents.builder.loadingModels")} /> : (
          <AgentForm key={`${start.kind}:${start.kind === "template" ? start.template.key : start.type}`} initial={initial} type={type}
            submitLabel={t("agents.builder.create")} onSubmit={save}
            pending={create.isPending} error={create.error} onCancel={() => void navigate("/")} />
        )}
      </div>
    );
  }

  return (
    <div>
      <PageTitle>{t("agents.builder.title")}</PageTitle>
      <h2 className="mb-2 font-semibold">{t("agents.builder.fromTemplate")}</h2>
      {templates.isPending && <Loading label={t("agents.builder.loadingTemplates")} />}
      {templates.isError && <ErrorNote error={templates.error} onRetry={() => void templates.refetch()} />}
      {templates.data && (
        <ul className="grid gap-3 sm:grid-cols-2">
          {templates.data.map((template) => (
            <li key={template.key} className="flex flex-col gap-2 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
              <h3 className="font-medium">{template.name}</h3>
              <p className="flex-1 text-sm text-slate-300">{template.description}</p>
              <p className="text-xs text-slate-400">
                {templateModel(models.data, template)} · {t("agents.builder.toolCount", { count: template.tools.length })}
              </p>
              <button type="button" className={buttonClass.primary} aria-label={t("agents.builder.useTemplateNamed", { name: template.name })}
                onClick={() => setStart({ kind: "template", template })}>
                {t("agents.builder.useTemplate")}
              </button>
            </li>
          ))}
        </ul>
      )}

      <h2 className="mb-2 mt-6 font-semibold">{t("agents.builder.fromScratch")}</h2>
      <div className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-800 bg-slate-900/60 p-4">
        <div className="space-y-1">
          <label htmlFor="scratch-type" className="block text-sm font-medium">{t("agents.builder.agentType")}</label>
          <select id="scratch-type" value={scratchType} onChange={(e) => setScratchType(e.target.value as AgentType)}
            className={inputClass}>
            {AGENT_TYPES.map((type) => <option key={type} value={type}>{typeLabel(type)}</option>)}
          </select>
        </div>
        <button type="button" className={buttonClass.primary} onClick={() => setStart({ kind: "scratch", type: scratchType })}>
          {t("agents.builder.buildFromScratch")}
        </button>
      </div>
    </div>
  );
}
