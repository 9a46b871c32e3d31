// The CLAUDE.md tab: the file as the server has it, edited and saved back whole.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { applyLanguage } from "../i18n/index";
import { json } from "../testing/http";
import { button, field, render, unmountAll } from "../testing/render";
import { ClaudeMdEditor } from "./ClaudeMdEditor";

/** A text area takes typing through its own prototype's setter (render.type is for inputs). */
function typeInto(area: HTMLTextAreaElement, value: string): void {
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(area, value);
  area.dispatchEvent(new Event("input", { bubbles: true }));
}

const FILE = "<!-- autocode:project -->\n## Goal\nA site\n<!-- /autocode:project -->\n\n# Mine\n";
const sent: unknown[] = [];

beforeEach(async () => {
  sent.length = 0;
  await act(async () => applyLanguage("en"));
  setAccessToken("t");
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    if (new URL(request.url).pathname !== "/api/projects/7/claude-md") return json(404, { detail: "Not Found" });
    if (request.method === "PUT") {
      const body: unknown = await request.json();
      sent.push(body);
      return json(200, body);
    }
    return json(200, { content: FILE });
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
});

describe("the CLAUDE.md tab", () => {
  it("shows the file, explains AutoCode's part and saves the edit", async () => {
    const el = await render(<ClaudeMdEditor projectId={7} />);
    const area = await vi.waitFor(() => field(el, "CLAUDE.md: Claude Code's standing instructions"));
    expect(area.value).toBe(FILE);
    expect(el.textContent).toContain("AutoCode keeps the part between the autocode:project marks");
    await act(async () => typeInto(area as unknown as HTMLTextAreaElement, `${FILE}Use tabs.\n`));
    await act(async () => button(el, "Save CLAUDE.md").click());
    await vi.waitFor(() => expect(sent).toEqual([{ content: `${FILE}Use tabs.\n` }]));
    await vi.waitFor(() => expect(el.textContent).toContain("CLAUDE.md saved."));
  });
});
