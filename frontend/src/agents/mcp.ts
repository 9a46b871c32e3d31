// MCP servers as the Agent Builder edits them: rows for the structured form, or JSON text. Both turn into
// the API's shape, {name: {command, args, env}} or {name: {url, headers}}, with a message per mistake (in the
// person's language, agents.mcp.errors.*, looked up when the check runs).
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

export interface McpRow {
  name: string;
  kind: "stdio" | "http";
  command: string;
  /** One argument per line, so arguments may hold spaces. */
  args: string;
  /** KEY=value per line: environment (stdio) or headers (http). */
  pairs: string;
  url: string;
}

export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function emptyRow(): McpRow {
  return { name: "", kind: "stdio", command: "", args: "", pairs: "", url: "" };
}

/** Nothing typed in it yet (the connection kind alone is no input): such a row is left out, not refused. */
export function isBlankRow(row: McpRow): boolean {
  return [row.name, row.command, row.args, row.pairs, row.url].every((field) => !field.trim());
}

function pairsText(pairs: Record<string, string> | undefined): string {
  return Object.entries(pairs ?? {}).map(([k, v]) => `${k}=${v}`).join("\n");
}

export function rowsFromServers(servers: McpServers): McpRow[] {
  return Object.entries(servers).map(([name, server]) =>
    "url" in server
      ? { ...emptyRow(), name, kind: "http", url: server.url, pairs: pairsText(server.headers) }
      : { ...emptyRow(), name, kind: "stdio", command: server.command, args: (server.args ?? []).join("\n"), pairs: pairsText(server.env) },
  );
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter(Boolean);
}

function parsePairs(text: string): { pairs: Record<string, string>; error?: string } {
  const pairs: Record<string, string> = {};
  for (const line of lines(text)) {
    const eq = line.indexOf("=");
    if (eq <= 0) return { pairs, error: i18n.t("agents.mcp.errors.notPair", { line }) };
    pairs[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { pairs };
}

export interface RowsResult {
  servers: McpServers;
  /** Row index -> message; blank rows have none (see isBlankRow). */
  errors: Record<number, string>;
}

export function serversFromRows(rows: McpRow[]): RowsResult {
  const servers: McpServers = {};
  const errors: Record<number, string> = {};
  rows.forEach((row, i) => {
    if (isBlankRow(row)) return; // no message before anything was typed; saving leaves it out
    const name = row.name.trim();
    if (!NAME_PATTERN.test(name)) {
      errors[i] = i18n.t("agents.mcp.errors.name");
      return;
    }
    if (name in servers) {
      errors[i] = i18n.t("agents.mcp.errors.duplicate", { name });
      return;
    }
    const { pairs, error } = parsePairs(row.pairs);
    if (error) {
      errors[i] = error;
      return;
    }
    if (row.kind === "http") {
      if (!/^https?:\/\/\S+$/.test(row.url.trim())) {
        errors[i] = i18n.t("agents.mcp.errors.url");
        return;
      }
      servers[name] = { url: row.url.trim(), headers: pairs };
    } else {
      if (!row.command.trim()) {
        errors[i] = i18n.t("agents.mcp.errors.command");
        return;
      }
      servers[name] = { command: row.command.trim(), args: lines(row.args), env: pairs };
    }
  });
  return { servers, errors };
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
      if (s.args !== undefined && !(Array.isArray(s.args) && s.args.every((a) => typeof a === "string"))) {
        return { error: i18n.t("agents.mcp.errors.jsonArgs", { name }) };
      }
      if (s.env !== undefined && !isStringMap(s.env)) return { error: i18n.t("agents.mcp.errors.jsonEnv", { name }) };
      servers[name] = { command: s.command, args: (s.args as string[]) ?? [], env: (s.env as Record<string, string>) ?? {} };
    } else if ("url" in s) {
      if (typeof s.url !== "string" || !/^https?:\/\/\S+$/.test(s.url)) {
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
