// What the agent did while answering: one card per tool call (its name, what it did, its status in words),
// updated in place as later frames for the same call arrive.
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { ToolCard } from "./types";

// Tools whose names the PWA says in words (Claude Code's, nanobot's, the tutor's). An MCP server's tool arrives
// as mcp_<server>_<tool> (server names may hold '_' too, so it is not split) and is said as "Used mcp tool …";
// any other tool shows its own name.
const NAMED_TOOLS = [
  "WebSearch", "WebFetch", "Read", "Write", "Edit", "Glob", "Grep", "Bash",
  "web_search", "web_fetch", "read_file", "write_file",
  "update_student_notes", "add_review_card", "grade_answer", "set_level",
] as const;
type NamedTool = (typeof NAMED_TOOLS)[number];

function isNamed(name: string): name is NamedTool {
  return (NAMED_TOOLS as readonly string[]).includes(name);
}

const MCP_PREFIX = "mcp_";

function toolLabel(name: string, t: TFunction): string {
  if (isNamed(name)) return t(`chat.toolName.${name}`);
  if (name.startsWith(MCP_PREFIX) && name.length > MCP_PREFIX.length) {
    return t("chat.toolMcp", { name: name.slice(MCP_PREFIX.length) });
  }
  return name;
}

const STATUS_STYLE: Record<ToolCard["status"], string> = {
  running: "bg-sky-950 text-sky-200",
  done: "bg-emerald-950 text-emerald-200",
  failed: "bg-red-950 text-red-200",
  denied: "bg-amber-950 text-amber-200",
};

export function ToolCards({ tools }: { tools: readonly ToolCard[] }) {
  const { t } = useTranslation();
  if (tools.length === 0) return null;
  return (
    <ul aria-label={t("chat.toolsHeading")} className="my-2 space-y-1.5">
      {tools.map((tool) => (
        <li key={tool.id} data-tool-id={tool.id} data-status={tool.status}
          className="rounded-lg border border-slate-700 bg-slate-900 px-3 py-2 text-sm">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            {tool.status === "running" && (
              <span className="size-3 animate-spin rounded-full border-2 border-slate-600 border-t-sky-400" aria-hidden />
            )}
            <span className="font-medium" data-tool-name={tool.name}>{toolLabel(tool.name, t)}</span>
            <span className={`rounded-full px-2 py-0.5 text-xs ${STATUS_STYLE[tool.status]}`}>{t(`chat.tool.${tool.status}`)}</span>
          </div>
          {tool.summary && <p className="mt-1 break-words text-slate-300">{tool.summary}</p>}
          {tool.detail && (
            <details className="mt-1">
              <summary className="cursor-pointer text-xs text-slate-400">{t("chat.toolDetail")}</summary>
              <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words text-xs text-slate-300">{tool.detail}</pre>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
