// The plan editor shows the server's 422 on a step under that step's title (steps.0.title, or steps.0 for
// the whole step) and takes the person there.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import type { Project } from "../api/queries";
import { setFetch } from "../api/transport";
import { json } from "../testing/http";
import { button, describedBy, render, unmountAll } from "../testing/render";
import { PlanView } from "./PlanView";
import { projectView } from "./status";

const step = (title: string) => ({ title, details: "", acceptance: "", status: "pending", attempts: 0 });
const PROJECT = {
  id: 7, agent_id: 3, name: "Weather CLI", slug: "weather-cli", description: "A weather tool", architecture: "", details: "",
  created_at: "", updated_at: "", desired_state: "stopped", workspace_path: "", tmux_session: "project-7",
  implementation_plan: [step("Write weather.py"), step("Add tests")],
  current_step: 0, steps_done: 0, steps_total: 2, escalation: "", status: "paused", instance: null,
} as unknown as Project;

let detail: unknown[] = [];
const scrolled: Element[] = [];

beforeEach(() => {
  setAccessToken("t");
  scrolled.length = 0;
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this);
  };
  setFetch(vi.fn(async (input: string | URL | Request) => {
    const request = input as Request;
    if (request.method === "PUT" && new URL(request.url).pathname === "/api/projects/7/plan") return json(422, { detail });
    return json(404, { detail: "Not Found" });
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  delete (Element.prototype as { scrollIntoView?: unknown }).scrollIntoView;
});

async function editor(): Promise<HTMLElement> {
  const el = await render(<PlanView project={PROJECT} view={projectView(PROJECT)} />);
  await act(async () => button(el, "Edit plan").click());
  return el;
}

/** The step's control labelled `label` (step 1 is the first fieldset). */
function control(el: HTMLElement, stepNo: number, label: string): HTMLInputElement | HTMLTextAreaElement {
  const fieldset = el.querySelectorAll("fieldset")[stepNo - 1];
  const found = [...fieldset.querySelectorAll("label")].find((l) => l.textContent === label);
  const input = found && fieldset.querySelector<HTMLInputElement>(`#${CSS.escape(found.htmlFor)}`);
  if (!input) throw new Error(`no field "${label}" in step ${stepNo}`);
  return input;
}

async function save(el: HTMLElement) {
  await act(async () => button(el, "Save plan").click());
}

describe("plan editor errors", () => {
  it("shows a 422 on steps.0.title under the first step's title and focuses it", async () => {
    detail = [{ loc: ["body", "steps", 0, "title"], msg: "String should have at least 1 character" }];
    const el = await editor();
    await save(el);

    const title = control(el, 1, "Title");
    await vi.waitFor(() => expect(title.getAttribute("aria-invalid")).toBe("true"));
    expect(describedBy(title)).toBe("String should have at least 1 character");
    expect(document.activeElement).toBe(title);
    expect(scrolled).toEqual([title]);
    expect(control(el, 2, "Title").getAttribute("aria-invalid")).toBe("false");
    expect(el.querySelector('[role="alert"]')?.textContent).toBe("Please correct the highlighted fields.");
  });

  it("shows an error on the whole step (steps.0) under that step's title and focuses it", async () => {
    detail = [{ loc: ["body", "steps", 0], msg: "Value error, A step needs a title" }];
    const el = await editor();
    await save(el);

    const title = control(el, 1, "Title");
    await vi.waitFor(() => expect(describedBy(title)).toBe("A step needs a title"));
    expect(title.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(title);
  });

  it("focuses the first invalid field in the page's order, here the second step's details", async () => {
    detail = [
      { loc: ["body", "steps", 1, "details"], msg: "Too long" },
      { loc: ["body", "steps", 1, "acceptance"], msg: "Too long as well" },
    ];
    const el = await editor();
    await save(el);

    const details = control(el, 2, "Details");
    await vi.waitFor(() => expect(document.activeElement).toBe(details));
    expect(describedBy(details)).toBe("Too long");
    expect(describedBy(control(el, 2, "Done when"))).toBe("Too long as well");
    expect(control(el, 1, "Title").getAttribute("aria-invalid")).toBe("false");
  });

  it("gives an error on the list itself as the form's line", async () => {
    detail = [{ loc: ["body", "steps"], msg: "List should have at most 1 item after validation, not 2" }];
    const el = await editor();
    await save(el);

    await vi.waitFor(() =>
      expect(el.querySelector('[role="alert"]')?.textContent).toBe("List should have at most 1 item after validation, not 2"));
    expect(el.querySelector('[aria-invalid="true"]')).toBeNull();
  });
});
