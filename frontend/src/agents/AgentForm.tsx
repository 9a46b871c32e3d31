// The Agent Builder's form, for a new agent (from a template or from scratch) and for editing one:
// name, the model that plans, identity, rules, tools from the catalogue (by their plain names), and, under
// "Advanced", connections to other services (MCP servers).
import { useId, useState, type FormEvent } from "react";
import { formErrors } from "../api/formErrors";
import { useTools, type Agent } from "../api/queries";
import { buttonClass, FormError, TextInput } from "../components/Form";
import { ErrorNote, Loading } from "../components/States";
import { MarkdownEditor } from "./MarkdownEditor";
import { McpEditor } from "./McpEditor";
import type { McpServers } from "./mcp";

export interface AgentDraft {
  name: string;
  model: string;
  identity: string;
  global_rules: string;
  tools: string[];
  mcp_servers: McpServers;
}

export function draftFromAgent(agent: Pick<Agent, "name" | "model" | "identity" | "global_rules" | "tools" | "mcp_servers">): AgentDraft {
  return {
    name: agent.name,
    model: agent.model,
    identity: agent.identity,
    global_rules: agent.global_rules,
    tools: [...agent.tools],
    mcp_servers: agent.mcp_servers as McpServers,
  };
}

/** The agent's own model. Its technical name ("manager model") and format are in the hint. */
const MODEL_LABEL = "The model that plans and checks the work";
const MODEL_HINT = 'The "manager model", as provider/model, e.g. "anthropic/claude-opus-4-6".';

interface Props {
  initial: AgentDraft;
  submitLabel: string;
  onSubmit: (draft: AgentDraft) => void;
  pending: boolean;
  error: unknown;
  onCancel?: () => void;
}

export function AgentForm({ initial, submitLabel, onSubmit, pending, error, onCancel }: Props) {
  const [draft, setDraft] = useState<AgentDraft>(initial);
  const [mcpValid, setMcpValid] = useState(true);
  const tools = useTools();
  const toolIds = useId();
  const errors = formErrors(error);
  const set = (patch: Partial<AgentDraft>) => setDraft((d) => ({ ...d, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    if (mcpValid) onSubmit({ ...draft, name: draft.name.trim(), model: draft.model.trim() });
  }

  function toggleTool(name: string, on: boolean) {
    set({ tools: on ? [...draft.tools, name] : draft.tools.filter((t) => t !== name) });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      <div className="grid gap-4 sm:grid-cols-2">
        <TextInput label="Name" value={draft.name} onChange={(e) => set({ name: e.target.value })} required
          error={errors.fields.name} maxLength={100} />
        <TextInput label={MODEL_LABEL} value={draft.model} onChange={(e) => set({ model: e.target.value })} required
          error={errors.fields.model} hint={MODEL_HINT}
          autoCapitalize="none" spellCheck={false} />
      </div>

      <MarkdownEditor label="Identity" value={draft.identity} onChange={(identity) => set({ identity })}
        error={errors.fields.identity} hint="Who the agent is and how it works, in Markdown." rows={10} />
      <MarkdownEditor label="Rules" value={draft.global_rules} onChange={(global_rules) => set({ global_rules })}
        error={errors.fields.global_rules} hint="Rules the agent always follows, in Markdown." rows={4} />

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Tools</legend>
        <p className="text-sm text-slate-400">What the agent may do on its own.</p>
        {tools.isPending && <Loading label="Loading tools…" />}
        {tools.isError && <ErrorNote error={tools.error} onRetry={() => void tools.refetch()} />}
        {tools.data && (
          <div className="grid gap-2 sm:grid-cols-2">
            {tools.data.map((tool) => {
              const id = `${toolIds}-${tool.name}`;
              return (
                <label key={tool.name} className="flex items-start gap-2 rounded-md border border-slate-800 p-2 text-sm hover:bg-slate-900">
                  <input type="checkbox" className="mt-1 size-4 accent-sky-500" checked={draft.tools.includes(tool.name)}
                    aria-labelledby={`${id}-label`} aria-describedby={`${id}-description`}
                    onChange={(e) => toggleTool(tool.name, e.target.checked)} />
                  <span>
                    <span id={`${id}-label`} className="font-medium">{tool.label}</span>
                    <span id={`${id}-description`} className="block text-slate-400">{tool.description}</span>
                    <code className="block text-xs text-slate-400" title="The tool's technical name">{tool.name}</code>
                  </span>
                </label>
              );
            })}
          </div>
        )}
        {errors.fields.tools && <p className="text-sm text-red-300">{errors.fields.tools}</p>}
      </fieldset>

      <McpEditor initial={initial.mcp_servers} error={errors.fields.mcp_servers}
        onChange={(mcp_servers, valid) => {
          set({ mcp_servers });
          setMcpValid(valid);
        }} />

      <FormError message={errors.message} />
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass.primary} disabled={pending || !mcpValid || !draft.name.trim()}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {onCancel && <button type="button" className={buttonClass.secondary} onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
