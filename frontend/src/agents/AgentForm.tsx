// The Agent Builder's form, for a new agent (from a template or from scratch) and for editing one:
// name, the model that plans (chosen per provider, see ModelPicker), identity, rules, tools from the catalogue
// (by their plain names), and, under "Advanced", connections to other services (MCP servers). Errors, the
// form's own and the server's, sit under their fields; a failed submit focuses the first of them.
import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { FieldErrors } from "../api/errors";
import { fieldErrorsMessage } from "../api/formErrors";
import { limits } from "../api/limits";
import { i18n } from "../i18n/index";
import { useTools, type Agent } from "../api/queries";
import { buttonClass, FormError, TextInput, useFocusFirstError, useFormErrors } from "../components/Form";
import { ErrorNote, Loading } from "../components/States";
import { MarkdownEditor } from "./MarkdownEditor";
import { McpEditor } from "./McpEditor";
import { ClaudeModelPicker, ModelPicker } from "./ModelPicker";
import type { McpServers } from "./mcp";

export interface AgentDraft {
  name: string;
  model: string;
  /** Claude Code's model in a coding agent's projects; "" or absent: Claude Code's default. */
  claude_model?: string;
  identity: string;
  global_rules: string;
  tools: string[];
  mcp_servers: McpServers;
}

type DraftSource = Pick<Agent, "name" | "model" | "identity" | "global_rules" | "tools" | "mcp_servers"> & { claude_model?: string };

export function draftFromAgent(agent: DraftSource): AgentDraft {
  return {
    name: agent.name,
    model: agent.model,
    claude_model: agent.claude_model ?? "",
    identity: agent.identity,
    global_rules: agent.global_rules,
    tools: [...agent.tools],
    mcp_servers: agent.mcp_servers as McpServers,
  };
}

const NO_FIELDS: FieldErrors = {};

/** What the form checks itself before sending: the two fields every agent needs. (A model no provider here
 * serves is said under the field as it is typed: ModelPicker.) */
function checkDraft(draft: AgentDraft): FieldErrors {
  const problems: FieldErrors = {};
  if (!draft.name.trim()) problems.name = i18n.t("agents.form.nameMissing");
  if (!draft.model.trim()) problems.model = i18n.t("agents.form.modelMissing");
  return problems;
}

interface Props {
  initial: AgentDraft;
  /** The agent's type, for the keys it needs whatever its model. */
  type: string;
  submitLabel: string;
  onSubmit: (draft: AgentDraft) => void;
  pending: boolean;
  error: unknown;
  onCancel?: () => void;
}

export function AgentForm({ initial, type, submitLabel, onSubmit, pending, error, onCancel }: Props) {
  const [draft, setDraft] = useState<AgentDraft>(initial);
  const [mcpValid, setMcpValid] = useState(true);
  // A new object for every refused submit, so the first invalid field is focused again each time.
  const [own, setOwn] = useState<FieldErrors>(NO_FIELDS);
  const tools = useTools();
  const toolIds = useId();
  const { t } = useTranslation();
  const { errors: server, formRef } = useFormErrors(error, "name"); // a 409: an agent of theirs has this name
  useFocusFirstError(own, formRef);
  const hasOwn = Object.keys(own).length > 0;
  const fields: FieldErrors = hasOwn ? own : server.fields;
  const message = hasOwn ? fieldErrorsMessage() : server.message;
  const set = (patch: Partial<AgentDraft>) => setDraft((d) => ({ ...d, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const problems = checkDraft(draft);
    setOwn(Object.keys(problems).length > 0 ? problems : NO_FIELDS);
    if (Object.keys(problems).length > 0 || !mcpValid) return;
    onSubmit({ ...draft, name: draft.name.trim(), model: draft.model.trim() });
  }

  function toggleTool(name: string, on: boolean) {
    set({ tools: on ? [...draft.tools, name] : draft.tools.filter((tool) => tool !== name) });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-5">
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <TextInput label={t("agents.form.name")} name="name" value={draft.name} onChange={(e) => set({ name: e.target.value })} required
          error={fields.name} maxLength={limits.AgentCreate.name.maxLength} limit={limits.AgentCreate.name} />
        <ModelPicker value={draft.model} onChange={(model) => set({ model })} type={type} error={fields.model} />
      </div>
      {type === "coding" && (
        <ClaudeModelPicker value={draft.claude_model ?? ""} onChange={(claude_model) => set({ claude_model })} error={fields.claude_model} />
      )}

      <MarkdownEditor label={t("agents.form.identity")} name="identity" value={draft.identity} onChange={(identity) => set({ identity })}
        error={fields.identity} hint={t("agents.form.identityHint")} rows={10} />
      <MarkdownEditor label={t("agents.form.rules")} name="global_rules" value={draft.global_rules} onChange={(global_rules) => set({ global_rules })}
        error={fields.global_rules} hint={t("agents.form.rulesHint")} rows={4} />

      <fieldset className="space-y-2" aria-describedby={fields.tools ? `${toolIds}-error` : undefined}>
        <legend className="text-sm font-medium">{t("agents.form.tools")}</legend>
        <p className="text-sm text-slate-400">{t("agents.form.toolsHint")}</p>
        {tools.isPending && <Loading label={t("agents.form.loadingTools")} />}
        {tools.isError && <ErrorNote error={tools.error} onRetry={() => void tools.refetch()} />}
        {tools.data && (
          <div className="grid gap-2 sm:grid-cols-2">
            {tools.data.filter((tool) => tool.agent_types.includes(type as (typeof tool.agent_types)[number])).map((tool) => {
              const id = `${toolIds}-${tool.name}`;
              return (
                // The box keeps its size and sits on the label's first line (text-sm: a 20 px line, a 16 px box,
                // 2 px above), however many lines the description wraps to.
                <label key={tool.name} className="flex items-start gap-2 rounded-md border border-slate-800 p-2 text-sm leading-5 hover:bg-slate-900">
                  <input type="checkbox" name="tools" className="mt-0.5 size-4 shrink-0 accent-sky-500" checked={draft.tools.includes(tool.name)}
                    aria-labelledby={`${id}-label`} aria-describedby={`${id}-description`} aria-invalid={Boolean(fields.tools)}
                    onChange={(e) => toggleTool(tool.name, e.target.checked)} />
                  <span className="min-w-0">
                    <span id={`${id}-label`} className="font-medium">{tool.label}</span>
                    <span id={`${id}-description`} className="block text-slate-400">{tool.description}</span>
                    <code className="block text-xs text-slate-400" title={t("agents.form.toolCodeName")}>{tool.name}</code>
                  </span>
                </label>
              );
            })}
          </div>
        )}
        {fields.tools && <p id={`${toolIds}-error`} className="text-sm text-red-300">{fields.tools}</p>}
      </fieldset>

      <McpEditor initial={initial.mcp_servers} errors={fields}
        onChange={(mcp_servers, valid) => {
          set({ mcp_servers });
          setMcpValid(valid);
        }} />

      <FormError message={message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={pending || !mcpValid}>
          {pending ? t("agents.form.saving") : submitLabel}
        </button>
        {onCancel && <button type="button" className={buttonClass.secondary} onClick={onCancel}>{t("agents.form.cancel")}</button>}
      </div>
    </form>
  );
}
