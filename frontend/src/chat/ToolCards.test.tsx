// A tool card says in words what a known tool did; an MCP server's tool and any other keep their own names.
import { afterEach, describe, expect, it } from "vitest";
import { render, unmountAll } from "../testing/render";
import { ToolCards } from "./ToolCards";
import type { ToolCard } from "./types";

const card = (id: string, name: string): ToolCard => ({ id, name, summary: "", status: "done", detail: "" });

afterEach(() => unmountAll());

describe("ToolCards", () => {
  it("names tools in plain words", async () => {
    const el = await render(
      <ToolCards tools={[card("a", "write_file"), card("b", "mcp_tiny_lookup"), card("c", "some_tool")]} />,
    );
    const names = [...el.querySelectorAll("[data-tool-name]")].map((node) => node.textContent);
    expect(names).toEqual(["Wrote a file", "Used the tool tiny_lookup", "some_tool"]);
  });
});
