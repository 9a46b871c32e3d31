// MCP servers for an agent, under an "Advanced" disclosure named in plain words ("connections to other
// services"): a structured form (one card per server) or the same data as JSON, validated as you type.
// The parent gets the servers and whether they are valid. The disclosure starts open when there are servers.
// Each message sits under its field: the form's own checks, and the server's 422s for a server (by its name)
// until that server's card is edited. Environment variables and headers are secrets: a saved one shows as the
// API's mask with a plain hint, and the mask left as it is keeps it.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { FieldErrors } from "../api/errors";
import { buttonClass, inputClass } from "../components/Form";
import {
  emptyPair,
  emptyRow,
  isKeptSecret,
  mcpJson,
  parseMcpJson,
  rowsFromServers,
  serverErrors,
  serversFromRows,
  type McpRow,
  type McpServers,
  type RowError,
  type SecretPair,
  type ServerError,
} from "./mcp";

interface Props {
  initial: McpServers;
  onChange: (servers: McpServers, valid: boolean) => void;
  /** The form's field errors from the server (keys "mcp_servers.<name>.…" are this editor's). */
  errors?: FieldErrors;
}

const NO_FIELDS: FieldErrors = {};

/** The messages of one card: the form's own check, else the server's about this server. */
function cardErrors(own: RowError | undefined, fromServer: ServerError[], row: McpRow): RowError[] {
  if (own) return [own];
  return fromServer.map(({ field, message, pair }) => {
    const index = pair === undefined ? -1 : row.pairs.findIndex((p) => p.name.trim() === pair);
    return { field, message, ...(index >= 0 ? { pair: index } : {}) };
  });
}

export function McpEditor({ initial, onChange, errors = NO_FIELDS }: Props) {
  const [mode, setMode] = useState<"form" | "json">("form");
  const [rows, setRows] = useState<McpRow[]>(() => rowsFromServers(initial));
  const [text, setText] = useState(() => mcpJson(initial));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const rowErrors = serversFromRows(rows).errors;
  // The server's messages hold until their card is edited (rows edited since these errors arrived).
  const [edited, setEdited] = useState<{ for: FieldErrors; rows: ReadonlySet<number> }>({ for: errors, rows: new Set() });
  const editedRows = edited.for === errors ? edited.rows : new Set<number>();
  const fromServer = serverErrors(errors);
  const placed = new Set<ServerError>();
  const serverErrorsOf = (i: number, row: McpRow) => {
    if (mode !== "form") return [];
    const mine = fromServer.filter((e) => e.server === row.name.trim());
    mine.forEach((e) => placed.add(e)); // a card edited since has them answered: said nowhere
    return editedRows.has(i) ? [] : mine;
  };
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
  const setRow = (i: number, patch: Partial<McpRow>) => {
    setEdited({ for: errors, rows: new Set(editedRows).add(i) });
    updateRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const cards = rows.map((row, i) => ({ row, errors: cardErrors(rowErrors[i], serverErrorsOf(i, row), row) }));
  // What no card shows (JSON mode, a server renamed since): said under the editor, naming its server.
  const unplaced = fromServer.filter((e) => !placed.has(e)).map((e) => t("agents.mcp.serverProblem", { server: e.server, message: e.message }));
  const leftOver = unplaced.length ? unplaced : errors.mcp_servers && fromServer.length === 0 ? [errors.mcp_servers] : [];

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
              {cards.map(({ row, errors: problems }, i) => (
                <McpRowCard key={i} index={i} row={row} errors={problems} onChange={(patch) => setRow(i, patch)}
                  onRemove={() => {
                    setEdited({ for: errors, rows: new Set() });
                    updateRows(rows.filter((_, j) => j !== i));
                  }} />
              ))}
              <button type="button" className={buttonClass.secondary} onClick={() => updateRows([...rows, emptyRow()])}>
                {t("agents.mcp.add")}
              </button>
            </div>
          )}
        </fieldset>
      </details>
      {leftOver.map((message) => <p key={message} className="text-sm text-red-300">{message}</p>)}
    </>
  );
}

interface RowProps {
  index: number;
  row: McpRow;
  errors: RowError[];
  onChange: (patch: Partial<McpRow>) => void;
  onRemove: () => void;
}

/** A message under its field, named by the field's aria-describedby. */
function FieldMessage({ id, message }: { id: string; message?: string }) {
  return message ? <p id={id} className="text-sm text-red-300">{message}</p> : null;
}

function McpRowCard({ index, row, errors, onChange, onRemove }: RowProps) {
  const id = useId();
  const { t } = useTranslation();
  const n = index + 1;
  const messageOf = (field: RowError["field"]) => errors.find((e) => e.field === field && e.pair === undefined)?.message;
  const field = (name: RowError["field"]) => {
    const message = messageOf(name);
    return {
      id: `${id}-${name}`,
      "aria-invalid": Boolean(message),
      "aria-describedby": message ? `${id}-${name}-error` : undefined,
    };
  };
  const labelClass = "block text-xs font-medium text-slate-300";
  return (
    <div className="space-y-2 rounded-lg border border-slate-700 p-3" role="group" aria-label={t("agents.mcp.row", { n })}>
      <div className="grid gap-2 sm:grid-cols-[1fr_auto]">
        <div>
          <label htmlFor={`${id}-name`} className={labelClass}>{t("agents.mcp.serverName")}</label>
          <input {...field("name")} value={row.name} onChange={(e) => onChange({ name: e.target.value })} className={inputClass} />
          <FieldMessage id={`${id}-name-error`} message={messageOf("name")} />
        </div>
        <div>
          <label htmlFor={`${id}-kind`} className={labelClass}>{t("agents.mcp.connection")}</label>
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
            <label htmlFor={`${id}-command`} className={labelClass}>{t("agents.mcp.command")}</label>
            <input {...field("command")} value={row.command} onChange={(e) => onChange({ command: e.target.value })}
              spellCheck={false} className={`${inputClass} font-mono text-sm`} />
            <FieldMessage id={`${id}-command-error`} message={messageOf("command")} />
          </div>
          <div>
            <label htmlFor={`${id}-args`} className={labelClass}>{t("agents.mcp.args")}</label>
            <textarea {...field("args")} rows={2} value={row.args} onChange={(e) => onChange({ args: e.target.value })}
              spellCheck={false} className={`${inputClass} font-mono text-sm`} />
            <FieldMessage id={`${id}-args-error`} message={messageOf("args")} />
          </div>
        </>
      ) : (
        <div>
          <label htmlFor={`${id}-url`} className={labelClass}>{t("agents.mcp.url")}</label>
          <input {...field("url")} type="url" value={row.url} onChange={(e) => onChange({ url: e.target.value })}
            className={`${inputClass} font-mono text-sm`} />
          <FieldMessage id={`${id}-url-error`} message={messageOf("url")} />
        </div>
      )}
      <SecretPairs kind={row.kind} pairs={row.pairs} errors={errors} message={messageOf("pairs")}
        onChange={(pairs) => onChange({ pairs })} />
      <FieldMessage id={`${id}-server-error`} message={messageOf("server")} />
      <div className="flex justify-end">
        <button type="button" className={buttonClass.danger} onClick={onRemove}>{t("agents.mcp.remove", { n })}</button>
      </div>
    </div>
  );
}

interface PairsProps {
  kind: McpRow["kind"];
  pairs: SecretPair[];
  /** The card's messages: those about one pair go under it. */
  errors: RowError[];
  /** A message about the whole list (a name the server refused). */
  message?: string;
  onChange: (pairs: SecretPair[]) => void;
}

/** The environment variables (stdio) or headers (http): a name and a secret value each. */
function SecretPairs({ kind, pairs, errors, message, onChange }: PairsProps) {
  const id = useId();
  const { t } = useTranslation();
  const stdio = kind === "stdio";
  const set = (i: number, patch: Partial<SecretPair>) => onChange(pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const labelClass = "block text-xs font-medium text-slate-300";
  return (
    <fieldset className="space-y-2" aria-describedby={`${id}-hint${message ? ` ${id}-error` : ""}`}>
      <legend className="text-xs font-medium text-slate-300">{stdio ? t("agents.mcp.env") : t("agents.mcp.headers")}</legend>
      <p id={`${id}-hint`} className="text-xs text-slate-400">{t("agents.mcp.secretsHint")}</p>
      {pairs.map((pair, i) => {
        const n = i + 1;
        const problem = errors.find((e) => e.field === "pairs" && e.pair === i)?.message;
        // A mask the server refused was never saved: no "saved" hint beside its message.
        const kept = isKeptSecret(pair.value) && !problem;
        const described = [kept ? `${id}-${i}-kept` : null, problem ? `${id}-${i}-error` : null].filter(Boolean).join(" ");
        return (
          <div key={i} className="grid items-start gap-2 sm:grid-cols-[minmax(0,2fr)_minmax(0,3fr)_auto]">
            <div>
              <label htmlFor={`${id}-${i}-name`} className={labelClass}>
                {stdio ? t("agents.mcp.envName") : t("agents.mcp.headerName")}<span className="sr-only"> {n}</span>
              </label>
              <input id={`${id}-${i}-name`} value={pair.name} onChange={(e) => set(i, { name: e.target.value })}
                spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-sm`} />
            </div>
            <div>
              <label htmlFor={`${id}-${i}-value`} className={labelClass}>
                {t("agents.mcp.value")}<span className="sr-only"> {n}</span>
              </label>
              <input id={`${id}-${i}-value`} value={pair.value} onChange={(e) => set(i, { value: e.target.value })}
                // A saved secret is replaced, never added to: focusing its mask selects it.
                onFocus={(e) => kept && e.currentTarget.select()}
                aria-invalid={Boolean(problem)} aria-describedby={described || undefined}
                spellCheck={false} autoComplete="off" className={`${inputClass} font-mono text-sm`} />
              {kept && <p id={`${id}-${i}-kept`} className="text-xs text-slate-400">{t("agents.mcp.savedSecret")}</p>}
              <FieldMessage id={`${id}-${i}-error`} message={problem} />
            </div>
            <button type="button" className={`${buttonClass.secondary} justify-self-start sm:mt-5`}
              aria-label={t("agents.mcp.removePair", { name: pair.name.trim() || t("agents.mcp.unnamedPair", { n }) })}
              onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
              {t("agents.mcp.removeShort")}
            </button>
          </div>
        );
      })}
      <FieldMessage id={`${id}-error`} message={message} />
      <button type="button" className={buttonClass.secondary} onClick={() => onChange([...pairs, emptyPair()])}>
        {stdio ? t("agents.mcp.addEnv") : t("agents.mcp.addHeader")}
      </button>
    </fieldset>
  );
}
