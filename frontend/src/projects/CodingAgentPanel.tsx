// A coding agent's page body: its global rules (RULES.md, shared by all its projects), its projects with
// status and progress, and "+ New Project" (a goal; architecture and details optional).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { limits } from "../api/limits";
import { useCreateProject, useProjects, useRules, useSaveRules, type Agent } from "../api/queries";
import { MarkdownEditor } from "../agents/MarkdownEditor";
import { buttonClass, FormError, Saved, TextArea, TextInput, useFormErrors } from "../components/Form";
import { Empty, ErrorNote, Loading } from "../components/States";
import { ProjectRow } from "./ProjectBits";

export function CodingAgentPanel({ agent }: { agent: Agent }) {
  return (
    <>
      <Projects agent={agent} />
      <RulesEditor agentId={agent.id} />
    </>
  );
}

function Projects({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const projects = useProjects(agent.id);
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="projects-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="projects-h" className="font-semibold">{t("projects.panel.heading")}</h2>
        {!creating && (
          <button type="button" className={buttonClass.primary} onClick={() => setCreating(true)}>{t("projects.panel.newProject")}</button>
        )}
      </div>
      {creating && <NewProject agentId={agent.id} onCancel={() => setCreating(false)} />}
      {projects.isPending && <Loading label={t("projects.panel.loading")} />}
      {projects.isError && <ErrorNote error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.data?.length === 0 && !creating && (
        <Empty>{t("projects.panel.empty")}</Empty>
      )}
      {projects.data && projects.data.length > 0 && (
        <ul aria-label={t("projects.panel.list")} className="divide-y divide-slate-800">
          {projects.data.map((p) => <ProjectRow key={p.id} project={p} />)}
        </ul>
      )}
    </section>
  );
}

function NewProject({ agentId, onCancel }: { agentId: number; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [architecture, setArchitecture] = useState("");
  const [details, setDetails] = useState("");
  const create = useCreateProject(agentId);
  const navigate = useNavigate();
  const { errors, formRef } = useFormErrors(create.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), description, architecture, details },
      { onSuccess: (project) => void navigate(`/projects/${project.id}`) },
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="mb-4 space-y-3 rounded-lg border border-slate-700 p-3">
      <h3 className="text-sm font-semibold">{t("projects.newProject.heading")}</h3>
      <TextInput label={t("projects.newProject.name")} name="name" value={name} onChange={(e) => setName(e.target.value)}
        error={errors.fields.name} limit={limits.ProjectCreate.name} />
      <TextArea label={t("projects.newProject.goal")} name="description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)}
        error={errors.fields.description} hint={t("projects.newProject.goalHint")} />
      <TextArea label={t("projects.newProject.architecture")} name="architecture" rows={3} value={architecture}
        onChange={(e) => setArchitecture(e.target.value)} error={errors.fields.architecture}
        hint={t("projects.newProject.architectureHint")} />
      <TextArea label={t("projects.newProject.details")} name="details" rows={3} value={details} onChange={(e) => setDetails(e.target.value)}
        error={errors.fields.details} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || !name.trim() || !description.trim()}>
          {create.isPending ? t("projects.newProject.creating") : t("projects.newProject.create")}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("projects.newProject.cancel")}</button>
      </div>
    </form>
  );
}

function RulesEditor({ agentId }: { agentId: number }) {
  const { t } = useTranslation();
  const rules = useRules(agentId);
  return (
    <section aria-labelledby="rules-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="rules-h" className="mb-1 font-semibold">{t("projects.rules.heading")}</h2>
      <p className="mb-3 text-sm text-slate-400">{t("projects.rules.hint")}</p>
      {rules.isPending && <Loading label={t("projects.rules.loading")} />}
      {rules.isError && <ErrorNote error={rules.error} onRetry={() => void rules.refetch()} />}
      {rules.data && <RulesForm key={rules.data.content} agentId={agentId} initial={rules.data.content} />}
    </section>
  );
}

function RulesForm({ agentId, initial }: { agentId: number; initial: string }) {
  const { t } = useTranslation();
  const [content, setContent] = useState(initial);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useSaveRules(agentId);
  const { errors, formRef } = useFormErrors(save.error);
  return (
    <form ref={formRef} noValidate className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        save.mutate(content, { onSuccess: () => setSaved(t("projects.rules.saved")) });
      }}>
      <MarkdownEditor label={t("projects.rules.label")} value={content} onChange={setContent} rows={6}
        error={errors.fields.content} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>
          {save.isPending ? t("projects.rules.saving") : t("projects.rules.save")}
        </button>
        <Saved message={saved} />
      </div>
    </form>
  );
}
