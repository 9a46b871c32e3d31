// A coding agent's page body: its global rules (RULES.md, shared by all its projects), its projects with
// status and progress, and "+ New Project" (a goal; architecture and details optional).
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
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
  const projects = useProjects(agent.id);
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="projects-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="projects-h" className="font-semibold">Projects</h2>
        {!creating && (
          <button type="button" className={buttonClass.primary} onClick={() => setCreating(true)}>+ New Project</button>
        )}
      </div>
      {creating && <NewProject agentId={agent.id} onCancel={() => setCreating(false)} />}
      {projects.isPending && <Loading label="Loading projects…" />}
      {projects.isError && <ErrorNote error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.data?.length === 0 && !creating && (
        <Empty>No projects yet. Give the agent a goal and it plans and builds it with Claude Code.</Empty>
      )}
      {projects.data && projects.data.length > 0 && (
        <ul aria-label="Projects" className="divide-y divide-slate-800">
          {projects.data.map((p) => <ProjectRow key={p.id} project={p} />)}
        </ul>
      )}
    </section>
  );
}

function NewProject({ agentId, onCancel }: { agentId: number; onCancel: () => void }) {
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
      <h3 className="text-sm font-semibold">New project</h3>
      <TextInput label="Project name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.fields.name} />
      <TextArea label="Goal" name="description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)}
        error={errors.fields.description} hint="What should exist when the project is done?" />
      <TextArea label="Architecture (optional)" name="architecture" rows={3} value={architecture}
        onChange={(e) => setArchitecture(e.target.value)} error={errors.fields.architecture}
        hint="Languages, frameworks, structure you want." />
      <TextArea label="Details (optional)" name="details" rows={3} value={details} onChange={(e) => setDetails(e.target.value)}
        error={errors.fields.details} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={create.isPending || !name.trim() || !description.trim()}>
          {create.isPending ? "Creating…" : "Create project"}
        </button>
        <button type="button" className={buttonClass.secondary} onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function RulesEditor({ agentId }: { agentId: number }) {
  const rules = useRules(agentId);
  return (
    <section aria-labelledby="rules-h" className="rounded-xl border border-slate-800 bg-slate-900/60 p-4">
      <h2 id="rules-h" className="mb-1 font-semibold">Global rules</h2>
      <p className="mb-3 text-sm text-slate-400">Followed in every project of this agent (kept as RULES.md in your sandbox).</p>
      {rules.isPending && <Loading label="Loading rules…" />}
      {rules.isError && <ErrorNote error={rules.error} onRetry={() => void rules.refetch()} />}
      {rules.data && <RulesForm key={rules.data.content} agentId={agentId} initial={rules.data.content} />}
    </section>
  );
}

function RulesForm({ agentId, initial }: { agentId: number; initial: string }) {
  const [content, setContent] = useState(initial);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useSaveRules(agentId);
  const { errors, formRef } = useFormErrors(save.error);
  return (
    <form ref={formRef} noValidate className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(null);
        save.mutate(content, { onSuccess: () => setSaved("Rules saved.") });
      }}>
      <MarkdownEditor label="Rules" value={content} onChange={setContent} rows={6}
        error={errors.fields.content} />
      <FormError message={errors.message} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonClass.primary} disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save rules"}
        </button>
        <Saved message={saved} />
      </div>
    </form>
  );
}
