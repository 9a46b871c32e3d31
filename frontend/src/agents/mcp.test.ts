import { describe, expect, it } from "vitest";
import { emptyRow, isBlankRow, mcpJson, parseMcpJson, rowsFromServers, serversFromRows } from "./mcp";

describe("MCP rows", () => {
  it("leave a row alone until something is typed in it, and leave a blank row out", () => {
    const untouched = emptyRow();
    const onlyKind = { ...emptyRow(), kind: "http" as const };
    const spaces = { ...emptyRow(), name: "  ", pairs: "\n" };
    expect([untouched, onlyKind, spaces].map(isBlankRow)).toEqual([true, true, true]);
    expect(serversFromRows([untouched, onlyKind, spaces])).toEqual({ servers: {}, errors: {} });

    const typed = { ...emptyRow(), name: "f" };
    expect(isBlankRow(typed)).toBe(false);
    expect(serversFromRows([untouched, typed]).errors).toEqual({ 1: "Command is required" });
    expect(serversFromRows([{ ...emptyRow(), command: "npx" }]).errors[0]).toMatch(/letters, digits/);
  });

  it("round-trip servers through rows", () => {
    const servers = {
      files: { command: "npx", args: ["-y", "@scope/server files", "/home/agent"], env: { TOKEN: "a=b" } },
      remote: { url: "https://mcp.example.test/sse", headers: { Authorization: "Bearer x" } },
    };
    const { servers: back, errors } = serversFromRows(rowsFromServers(servers));
    expect(errors).toEqual({});
    expect(back).toEqual(servers);
  });

  it("name each row's mistake", () => {
    const rows = [
      { ...emptyRow(), name: "bad name", command: "x" },
      { ...emptyRow(), name: "ok", command: "" },
      { ...emptyRow(), name: "web", kind: "http" as const, url: "ftp://x" },
      { ...emptyRow(), name: "env", command: "x", pairs: "NOEQUALS" },
      { ...emptyRow(), name: "dup", command: "x" },
      { ...emptyRow(), name: "dup", command: "y" },
    ];
    const { servers, errors } = serversFromRows(rows);
    expect(errors[0]).toMatch(/letters, digits/);
    expect(errors[1]).toBe("Command is required");
    expect(errors[2]).toMatch(/http/);
    expect(errors[3]).toMatch(/KEY=value/);
    expect(errors[5]).toMatch(/Another server/);
    expect(Object.keys(servers)).toEqual(["dup"]);
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
