import { describe, expect, it } from "vitest";
import {
  emptyPair,
  emptyRow,
  isBlankRow,
  isKeptSecret,
  mcpJson,
  parseMcpJson,
  rowsFromServers,
  SECRET_MASK,
  serverErrors,
  serversFromRows,
} from "./mcp";

describe("MCP rows", () => {
  it("leave a row alone until something is typed in it, and leave a blank row out", () => {
    const untouched = emptyRow();
    const onlyKind = { ...emptyRow(), kind: "http" as const };
    const spaces = { ...emptyRow(), name: "  ", pairs: [emptyPair(), { name: " ", value: "" }] };
    expect([untouched, onlyKind, spaces].map(isBlankRow)).toEqual([true, true, true]);
    expect(serversFromRows([untouched, onlyKind, spaces])).toEqual({ servers: {}, errors: {} });

    const typed = { ...emptyRow(), name: "f" };
    expect(isBlankRow(typed)).toBe(false);
    expect(isBlankRow({ ...emptyRow(), pairs: [{ name: "", value: "x" }] })).toBe(false);
    expect(serversFromRows([untouched, typed]).errors).toEqual({ 1: { field: "command", message: "Command is required" } });
    expect(serversFromRows([{ ...emptyRow(), command: "npx" }]).errors[0]).toMatchObject({ field: "name", message: expect.stringMatching(/letters, digits/) });
  });

  it("round-trip servers through rows, secrets and their masks as they are", () => {
    const servers = {
      files: { command: "npx", args: ["-y", "@scope/server files", "/home/agent"], env: { TOKEN: "a=b ", KEPT: SECRET_MASK } },
      remote: { url: "https://mcp.example.test/sse", headers: { Authorization: SECRET_MASK } },
    };
    const rows = rowsFromServers(servers);
    expect(rows[0].pairs).toEqual([{ name: "TOKEN", value: "a=b " }, { name: "KEPT", value: SECRET_MASK }]);
    const { servers: back, errors } = serversFromRows(rows);
    expect(errors).toEqual({});
    expect(back).toEqual(servers);
  });

  it("tell a saved secret (the API's mask) from a typed value", () => {
    expect(isKeptSecret(SECRET_MASK)).toBe(true);
    expect(isKeptSecret(`${SECRET_MASK}x`)).toBe(false);
    expect(isKeptSecret("")).toBe(false);
  });

  it("name each row's mistake and the field it is about", () => {
    const rows = [
      { ...emptyRow(), name: "bad name", command: "x" },
      { ...emptyRow(), name: "ok", command: "" },
      { ...emptyRow(), name: "web", kind: "http" as const, url: "ftp://x" },
      { ...emptyRow(), name: "env", command: "x", pairs: [{ name: "", value: "secret" }] },
      { ...emptyRow(), name: "twice", command: "x", pairs: [{ name: "A", value: "1" }, emptyPair(), { name: "A", value: "2" }] },
      { ...emptyRow(), name: "shell", command: "npx -y server" },
      { ...emptyRow(), name: "dup", command: "x" },
      { ...emptyRow(), name: "dup", command: "y" },
    ];
    const { servers, errors } = serversFromRows(rows);
    expect(errors[0]).toMatchObject({ field: "name", message: expect.stringMatching(/letters, digits/) });
    expect(errors[1]).toEqual({ field: "command", message: "Command is required" });
    expect(errors[2]).toMatchObject({ field: "url", message: expect.stringMatching(/http/) });
    expect(errors[3]).toEqual({ field: "pairs", pair: 0, message: "Give this value a name" });
    expect(errors[4]).toEqual({ field: "pairs", pair: 2, message: '"A" is given twice' });
    expect(errors[5]).toMatchObject({ field: "command", message: expect.stringMatching(/^Give one program/) });
    expect(errors[7]).toMatchObject({ field: "name", message: expect.stringMatching(/Another server/) });
    expect(Object.keys(servers)).toEqual(["dup"]);
  });
});

describe("the server's messages about MCP servers", () => {
  it("are placed by server and field, a mask without a secret under its variable", () => {
    const fields = {
      mcp_servers: "first message",
      name: "not ours",
      "mcp_servers.s.stdio.command": "Give one program",
      "mcp_servers.s.stdio.args.1": "Give the arguments as a list",
      "mcp_servers.s.stdio.env": "'1BAD': Name a variable",
      "mcp_servers.t.env.TOKEN": "This value was never saved: type the secret itself.",
      "mcp_servers.h.headers.X.Api.Key": "never saved",
      "mcp_servers.w.http.url": "Use a web address starting with http:// or https://.",
      "mcp_servers.bad name.[key]": "Name an MCP server with 1 to 64 letters",
      "mcp_servers.empty": "An MCP server needs either 'command'",
    };
    expect(serverErrors(fields)).toEqual([
      { server: "s", field: "command", message: "Give one program" },
      { server: "s", field: "args", message: "Give the arguments as a list" },
      { server: "s", field: "pairs", message: "'1BAD': Name a variable" },
      { server: "t", field: "pairs", pair: "TOKEN", message: "This value was never saved: type the secret itself." },
      { server: "h", field: "pairs", pair: "X.Api.Key", message: "never saved" },
      { server: "w", field: "url", message: "Use a web address starting with http:// or https://." },
      { server: "bad name", field: "name", message: "Name an MCP server with 1 to 64 letters" },
      { server: "empty", field: "server", message: "An MCP server needs either 'command'" },
    ]);
    expect(serverErrors({})).toEqual([]);
  });
});

describe("MCP JSON", () => {
  it("accepts both kinds and fills defaults", () => {
    const parsed = parseMcpJson('{"a": {"command": "run"}, "b": {"url": "http://127.0.0.1:9/mcp"}}');
    expect(parsed).toEqual({
      servers: { a: { command: "run", args: [], env: {} }, b: { url: "http://127.0.0.1:9/mcp", headers: {} } },
    });
  });

  it.each([
    ["{", /Not valid JSON/],
    ["[]", /Expected an object/],
    ['{"a": 1}', /must be an object/],
    ['{"a": {}}', /needs either "command"/],
    ['{"a": {"command": "x", "args": "y"}}', /list of strings/],
    ['{"a": {"command": "x; reboot"}}', /^"a": Give one program/],
    ['{"a": {"url": "x"}}', /http/],
    ['{"a b": {"url": "http://x"}}', /letters, digits/],
    ['{"a": {"url": "http://x", "headers": {"h": 1}}}', /map names to strings/],
  ])("explains what is wrong with %s", (text, message) => {
    const parsed = parseMcpJson(text);
    expect("error" in parsed && parsed.error).toMatch(message);
  });

  it("treats empty text as no servers and prints none as empty", () => {
    expect(parseMcpJson("  ")).toEqual({ servers: {} });
    expect(mcpJson({})).toBe("");
  });
});
