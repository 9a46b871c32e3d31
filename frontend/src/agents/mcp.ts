// MCP servers as the Agent Builder edits them: rows for the structured form, or JSON text. Both turn into
// the API's shape, {name: {command, args, env}} or {name: {url, headers}}, with a message per mistake (in the
// person's language, agents.mcp.errors.*, looked up when the check runs) under the field it is about. The
// server's own 422s for a server are put under the same fields (serverErrors). Every env and headers value is
// a secret: the API answers it as SECRET_MASK, and the mask sent back unchanged keeps the stored value.
import type { FieldErrors } from "../api/errors";
import { limits } from "../api/limits";
import { i18n } from "../i18n/index";

export interface StdioServer {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}
export interface HttpServer {
  url: string;
  headers?: Record<string, string>;
}
export type McpServer = StdioServer | HttpServer;
export type McpServers = Record<string, McpServer>;

/** What the API shows for every stored secret (controlplane/security/mcp_secrets.py, SECRET_MASK). */
export const SECRET_MASK = "••••••••";

/** One environment variable (stdio) or header (http): its value is a secret. */
export interface SecretPair {
  name: string;
  value: string;
}

export interface McpRow {
  name: string;
  kind: "stdio" | "http";
  command: string;
  /** One argument per line, so arguments may hold spaces. */
  args: string;
  /** The environment (stdio) or the headers (http). */
  pairs: SecretPair[];
  url: string;
}

/** The part of a row a message is about; `pair` names the variable or header for "pairs". */
export type RowField = "name" | "command" | "args" | "url" | "pairs" | "server";
export interface RowError {
  field: RowField;
  message: string;
  /** For "pairs": the index of the variable or header in the row, when the message is about one. */
  pair?: number;
}

export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const COMMAND_PATTERN = new RegExp(limits.StdioMcpServer.command.pattern);
const URL_PATTERN = /^https?:\/\/\S+$/;

export function emptyRow(): McpRow {
  return { name: "", kind: "stdio", command: "", args: "", pairs: [], url: "" };
}

export function emptyPair(): SecretPair {
  return { name: "", value: "" };
}

/** A value the API keeps as it is stored: the mask it answered with, sent back unchanged. */
export function isKeptSecret(value: string): boolean {
  return value === SECRET_MASK;
}

function isBlankPair(pair: SecretPair): boolean {
  return !pair.name.trim() && !pair.value.trim();
}

/** Nothing typed in it yet (the connection kind alone is no input): such a row is left out, not refused. */
export function isBlankRow(row: McpRow): boolean {
  return [row.name, row.command, row.args, row.url].every((field) => !field.trim()) && row.pairs.every(isBlankPair);
}

function pairsOf(values: Record<string, string> | undefined): SecretPair[] {
  return Object.entries(values ?? {}).map(([name, value]) => ({ name, value }));
}

export function rowsFromServers(servers: McpServers): McpRow[] {
  return Object.entries(servers).map(([name, server]) =>
    "url" in server
      ? { ...emptyRow(), name, kind: "http", url: server.url, pairs: pairsOf(server.headers) }
      : { ...emptyRow(), name, kind: "stdio", command: server.command, args: (server.args ?? []).join("\n"), pairs: pairsOf(server.env) },
  );
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter(Boolean);
}

/** The pairs as the API takes them (blank ones left out), or the first one that is wrong. */
function checkPairs(pairs: SecretPair[]): { values: Record<string, string> } | { error: RowError } {
  const values: Record<string, string> = {};
  for (const [index, pair] of pairs.entries()) {
    if (isBlankPair(pair)) continue;
    const name = pair.name.trim();
    if (!name) return { error: { field: "pairs", pair: index, message: i18n.t("agents.mcp.errors.pairName") } };
    if (name in values) return { error: { field: "pairs", pair: index, message: i18n.t("agents.mcp.errors.pairDuplicate", { name }) } };
    values[name] = pair.value; // a secret is kept as typed: spaces may belong to it
  }
  return { values };
}

export interface RowsResult {
  servers: McpServers;
  /** Row index -> what is wrong with it; blank rows have none (see isBlankRow). */
  errors: Record<number, RowError>;
}

export function serversFromRows(rows: McpRow[]): RowsResult {
  const servers: McpServers = {};
  const errors: Record<number, RowError> = {};
  rows.forEach((row, i) => {
    if (isBlankRow(row)) return; // no message before anything was typed; saving leaves it out
    const name = row.name.trim();
    if (!NAME_PATTERN.test(name)) {
      errors[i] = { field: "name", message: i18n.t("agents.mcp.errors.name") };
      return;
    }
    if (name in servers) {
      errors[i] = { field: "name", message: i18n.t("agents.mcp.errors.duplicate", { name }) };
      return;
    }
    if (row.kind === "http") {
      if (!URL_PATTERN.test(row.url.trim())) {
        errors[i] = { field: "url", message: i18n.t("agents.mcp.errors.url") };
        return;
      }
    } else {
      const command = row.command.trim();
      if (!command) {
        errors[i] = { field: "command", message: i18n.t("agents.mcp.errors.command") };
        return;
      }
      if (!COMMAND_PATTERN.test(command)) {
        errors[i] = { field: "command", message: i18n.t("agents.mcp.errors.commandRule") };
        return;
      }
    }
    const pairs = checkPairs(row.pairs);
    if ("error" in pairs) {
      errors[i] = pairs.error;
      return;
    }
    servers[name] =
      row.kind === "http"
        ? { url: row.url.trim(), headers: pairs.values }
        : { command: row.command.trim(), args: lines(row.args), env: pairs.values };
  });
  return { servers, errors };
}

/** A server's 422 message placed in the form: the server it is about (by name) and the field under which it goes. */
export interface ServerError extends Omit<RowError, "pair"> {
  server: string;
  /** For "pairs": the variable or header's name, when the message is about one value. */
  pair?: string;
}

const PREFIX = "mcp_servers.";
const FIELD_OF: Record<string, RowField> = {
  "[key]": "name", command: "command", args: "args", url: "url", env: "pairs", headers: "pairs",
};

/**
 * The server's messages about MCP servers, from a form's field errors (keys are request paths joined with dots:
 * "mcp_servers.files.stdio.command", "mcp_servers.files.env.TOKEN" for a mask sent where nothing is stored,
 * "mcp_servers.bad name.[key]" for a name). Server, variable and header names hold no dot but a header's may.
 */
export function serverErrors(fields: FieldErrors): ServerError[] {
  const found: ServerError[] = [];
  for (const [key, message] of Object.entries(fields)) {
    if (!key.startsWith(PREFIX)) continue;
    const [server = "", ...rest] = key.slice(PREFIX.length).split(".");
    if (rest[0] === "stdio" || rest[0] === "http") rest.shift(); // the kind pydantic tried
    const field = rest.length ? FIELD_OF[rest[0]] ?? "server" : "server";
    const pair = field === "pairs" && rest.length > 1 ? rest.slice(1).join(".") : undefined;
    found.push({ server, field, message, ...(pair !== undefined ? { pair } : {}) });
  }
  return found;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    && Object.values(value).every((v) => typeof v === "string");
}

/** JSON text -> servers, or the first problem found (the same rules the server applies). */
export function parseMcpJson(text: string): { servers: McpServers } | { error: string } {
  if (!text.trim()) return { servers: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: i18n.t("agents.mcp.errors.notJson", { reason: err instanceof Error ? err.message : String(err) }) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: i18n.t("agents.mcp.errors.notObject") };
  }
  const servers: McpServers = {};
  for (const [name, server] of Object.entries(value)) {
    if (!NAME_PATTERN.test(name)) return { error: i18n.t("agents.mcp.errors.jsonName", { name }) };
    if (typeof server !== "object" || server === null || Array.isArray(server)) {
      return { error: i18n.t("agents.mcp.errors.serverNotObject", { name }) };
    }
    const s = server as Record<string, unknown>;
    if ("command" in s) {
      if (typeof s.command !== "string" || !s.command) return { error: i18n.t("agents.mcp.errors.jsonCommand", { name }) };
      if (!COMMAND_PATTERN.test(s.command)) return { error: `"${name}": ${i18n.t("agents.mcp.errors.commandRule")}` };
      if (s.args !== undefined && !(Array.isArray(s.args) && s.args.every((a) => typeof a === "string"))) {
        return { error: i18n.t("agents.mcp.errors.jsonArgs", { name }) };
      }
      if (s.env !== undefined && !isStringMap(s.env)) return { error: i18n.t("agents.mcp.errors.jsonEnv", { name }) };
      servers[name] = { command: s.command, args: (s.args as string[]) ?? [], env: (s.env as Record<string, string>) ?? {} };
    } else if ("url" in s) {
      if (typeof s.url !== "string" || !URL_PATTERN.test(s.url)) {
        return { error: i18n.t("agents.mcp.errors.jsonUrl", { name }) };
      }
      if (s.headers !== undefined && !isStringMap(s.headers)) {
        return { error: i18n.t("agents.mcp.errors.jsonHeaders", { name }) };
      }
      servers[name] = { url: s.url, headers: (s.headers as Record<string, string>) ?? {} };
    } else {
      return { error: i18n.t("agents.mcp.errors.jsonKind", { name }) };
    }
  }
  return { servers };
}

export function mcpJson(servers: McpServers): string {
  return Object.keys(servers).length ? JSON.stringify(servers, null, 2) : "";
}
