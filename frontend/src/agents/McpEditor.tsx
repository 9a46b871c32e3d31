// MCP servers for an agent, under an "Advanced" disclosure named in plain words ("connections to other
// services"): a structured form (one card per server) or the same data as JSON, validated as you type.
// The parent gets the servers and whether they are valid. The disclosure starts open when there are servers.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { buttonClass, inputClass } from "../components/Form";
import { emptyRow, mcpJson, parseMcpJson, rowsFromServers, serversFromRows, type McpRow, type McpServers } from "./mcp";

interface Props {
  initial: McpServers;
  onChange: (servers: McpServers, valid: boolean) => void;
  /** The server's message for the whole field, if it refused it. */
  error?: string;
}

export function McpEditor({ initial, onChange, error }: Props) {
  const [mode, setMode] = useState<"form" | "json">("form");
  const [rows, setRows] = useState<McpRow[]>(() => rowsFromServers(initial));
  const [text, setText] = useState(() => mcpJson(initial));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const rowErrors = serversFromRows(rows).errors;
  const headingId = useId();
  const [open, setOpen] = useState(() => Object.keys(initial).length > 0);
  const { t } = useTranslation();

  function updateRows(next: McpRow[]) {
    setRows(next);
    const result = serversFromRows(next);
    onChange(result.servers, Object.keys(result.errors).length === 0);
  }

  function updateText(next: string) {
    setText(next);
    const parsed = parseMcpJson(next);
    setJsonError("error" in parsed ? parsed.error : null);
    onChange("servers" in parsed ? parsed.servers : {}, !("error" in parsed));
  }

  function switchTo(next: "form" | "json") {
    if (next === mode) return;
    if (next === "json") {
      const result = serversFromRows(rows);
      if (Object.keys(result.errors).length > 0) return; // fix the form first; its messages say how
      updateText(mcpJson(result.servers));
    } else {
      const parsed = parseMcpJson(text);
      if ("error" in parsed) return;
      updateRows(rowsFromServers(parsed.servers));
    }
    setMode(next);
  }

  const tab = (active: boolean) =>
    `rounded-md px-2.5 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-sky-400 ${
      active ? "bg-slate-700 text-slate-50" : "text-slate-400 hover:bg-slate-800"
    }`;
  const setRow = (i: number, patch: Partial<McpRow>) => updateRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <>
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}
        className="rounded-lg border border-slate-800 p-3 [&[open]>summary]:mb-2">
        <summary className="cursor-pointer text-sm font-medium">{t("agents.mcp.summary")}</summary>
        <fieldset className="space-y-2" aria-labelledby={headingId}>
          <div className="flex items-center justify-between gap-2">
            <legend id={headingId} className="text-sm font-medium">{t("agents.mcp.legend")}</legend>
            <div className="flex gap-1" role="group" aria-label={t("agents.mcp.editor")}>
              <button type="button" className={tab(mode === "form")} aria-pressed={mode === "form"} onClick={() => switchTo("form")}>{t("agents.mcp.form")}</button>
              <button type="button" className={tab(mode === "json")} aria-pressed={mode === "json"} onClick={() => switchTo("json")}>{t("agents.mcp.json")}</button>
            </div>
          </div>
          <p className="text-sm text-slate-400">{t("agents.mcp.explain")}</p>

          {mode === "json" ? (
            <div className="space-y-1">
              <label htmlFor={`${headingId}-json`} className="sr-only">{t("agents.mcp.jsonLabel")}</label>
              <textarea id={`${headingId}-json`} rows={8} value={text} onChange={(e) => updateText(e.target.value)}
                spellCheck={false} aria-invalid={Boolean(jsonError)} aria-describedby={`${headingId}-json-help`}
                placeholder='{"files": {"command": "npx", "args": ["-y", "server"]}}' className={`${inputClass} font-mono text-sm`} />
              <p id={`${headingId}-json-help`} className={`text-sm ${jsonError ? "text-red-300" : "text-slate-400"}`}>
                {jsonError ?? t("agents.mcp.jsonHelp")}
              </p>
            </div>
          ) : (
            <div className="space-y-3">
              {rows.length === 0 && <p className="text-sm text-slate-400">{t("agents.mcp.none")}</p>}
              {rows.map((row, i) => (
                <McpRowCard key={i} index={i} row={row} error={rowErrors[i]} onChange={(patch) => setRow(i, patch)}
                  onRemove={() => updateRows(rows.filter((_, j) => j !== i))} />
              ))}
              <button type="button" className={buttonClass.secondary} onClick={() => updateRows([...rows, emptyRow()])}>
                {t("agents.mcp.add")}
              </button>
            </div>
          )}
        </fieldset>
      </details>
      {error && <p className="text-sm text-red-300">{error}</p>}
    </>
  );
}

interface RowProps {
  index: number;
  row: McpRow;
  error?: string;
  onChange: (patch: Partial<McpRow>) => void;
  onRemove: () => void;
}

function McpRowCard({ index, row, error, onChange, onRemove }: RowProps) {
  const id = useId();
  const { t } = useTranslation();
  const n = index + 1;
  return (
    <div className="space-y-2 rounded-lg border border-slate-700 p-3" role="group" aria-label={t("agents.mcp.row", { n })}>
      <div className="grid gap-2 sm:grid-cols-[1fr_auto]">
        <div>
          <label htmlFor={`${id}-name`} className="block text-xs font-medium text-slate-300">{t("agents.mcp.serverName")}</label>
          <input id={`${id}-name`} value={row.name} onChange={(e) => onChange({ name: e.target.value })} className={inputClass} />
        </div>
        <div>
          <label htmlFor={`${id}-kind`} className="block text-xs font-medium text-slate-300">{t("agents.mcp.connection")}</label>
          <select id={`${id}-kind`} value={row.kind} onChange={(e) => onChange({ kind: e.target.value as McpRow["kind"] })}
            className={inputClass}>
            <option value="stdio">{t("agents.mcp.stdio")}</option>
            <option value="http">{t("agents.mcp.http")}</option>
          </select>
        </div>
      </div>
      {row.kind === "stdio" ? (
        <>
          <div>
            <label htmlFor={`${id}-command`} className="block text-xs font-medium text-slate-300">{t("agents.mcp.command")}</label>
            <input id={`${id}-command`} value={row.command} onChange={(e) => onChange({ command: e.target.value })}
              className={`${inputClass} font-mono text-sm`} />
          </div>
          <div>
            <label htmlFor={`${id}-args`} className="block text-xs font-medium text-slate-300">{t("agents.mcp.args")}</label>
            <textarea id={`${id}-args`} rows={2} value={row.args} onChange={(e) => onChange({ args: e.target.value })}
              className={`${inputClass} font-mono text-sm`} />
          </div>
        </>
      ) : (
        <div>
          <label htmlFor={`${id}-url`} className="block text-xs font-medium text-slate-300">{t("agents.mcp.url")}</label>
          <input id={`${id}-url`} type="url" value={row.url} onChange={(e) => onChange({ url: e.target.value })}
            className={`${inputClass} font-mono text-sm`} />
        </div>
      )}
      <div>
        <label htmlFor={`${id}-pairs`} className="block text-xs font-medium text-slate-300">
          {row.kind === "stdio" ? t("agents.mcp.env") : t("agents.mcp.headers")}
        </label>
        <textarea id={`${id}-pairs`} rows={2} value={row.pairs} onChange={(e) => onChange({ pairs: e.target.value })}
          className={`${inputClass} font-mono text-sm`} />
      </div>
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-red-300" aria-live="polite">{error ?? ""}</p>
        <button type="button" className={buttonClass.danger} onClick={onRemove}>{t("agents.mcp.remove", { n })}</button>
      </div>
    </div>
  );
}
