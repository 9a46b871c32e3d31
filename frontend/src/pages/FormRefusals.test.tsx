// Every form shows the server's refusal to the person (issue 17): a 422 naming a field under that field, marked
// invalid; a 409 or 503 with its message, announced. These are the forms no other test held to it; the
// inventory of every form and the test for each is in tests/pwa/test_pwa_axe.py's docstring. The API is
// played by hand (learning/testServer's fakeServer), the pages are the app's own.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import type { Agent } from "../api/queries";
import { setFetch } from "../api/transport";
import { ChatManage } from "../custom/ChatManage";
import { CustomPanel } from "../custom/CustomPanel";
import { CourseNotes } from "../learning/CourseNotes";
import { CourseSettings } from "../learning/CourseSettings";
import { LearningPanel } from "../learning/LearningPanel";
import { AGENT as TUTOR, course, fakeServer, subject, type Call } from "../learning/testServer";
import { ResearchManage } from "../research/ResearchManage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { button, describedBy, field, render, unmountAll } from "../testing/render";
import { AdminPage } from "./Admin";
import { AgentEditPage, AgentPage } from "./AgentPage";
import { ProjectPage } from "./ProjectPage";
import { SettingsPage } from "./Settings";

const UNAVAILABLE = "Sandboxes are disabled on this server";

/** FastAPI's 422 for one field of the body (`path` as "steps.0.title"), with pydantic's prefix. */
function refused(path: string, message: string): Response {
  const loc = ["body", ...path.split(".").map((part) => (/^\d+$/.test(part) ? Number(part) : part))];
  return json(422, { detail: [{ loc, msg: `Value error, ${message}`, type: "value_error" }] });
}

function agent(id: number, type: string, name: string) {
  return {
    id, name, type, model: "anthropic/claude-sonnet-4-5", claude_model: "", identity: "", global_rules: "", tools: [],
    mcp_servers: {}, created_at: "", updated_at: "",
  };
}

const CODER = agent(3, "coding", "Coder");
const RESEARCHER = agent(2, "research", "Researcher");
const HELPER = agent(4, "custom", "Pantry helper");
const CHAT = {
  id: 7, agent_id: 4, agent: "Pantry helper", title: "Soup ideas", answering: false, running: false,
  directory: "/home/agent/agents/pantry-helper/chats/7", last_activity_at: null, created_at: "", updated_at: "",
};
const RESEARCH = {
  id: 9, agent_id: 2, name: "Heat pumps", slug: "heat-pumps", status: "active", answering: false, running: false,
  workspace_path: "/home/agent/research/heat-pumps", last_activity_at: null, created_at: "", updated_at: "",
};
const QUESTION = "Which database should the app use?";
const PROJECT = {
  id: 7, agent_id: 3, name: "Weather CLI", slug: "weather-cli", description: "A weather tool", architecture: "", details: "",
  created_at: "", updated_at: "", desired_state: "running", workspace_path: "", tmux_session: "project-7",
  implementation_plan: [], current_step: 0, steps_done: 0, steps_total: 0, escalation: QUESTION, status: "paused",
  instance: { id: 1, pid: 42, status: "running", started_at: "", stopped_at: null },
};
const ADMIN = { id: 1, username: "admin", display_name: "", role: "admin", created_at: "", agent_count: 0 };
const LUCIE = { id: 2, username: "lucie", display_name: "", role: "user", created_at: "", agent_count: 1 };

let calls: Call[];

function serve(routes: Record<string, unknown>) {
  const server = fakeServer({ "POST /api/ws-ticket": { ticket: "x" }, "GET /api/agent-tools": [], ...routes });
  calls = server.calls;
  setFetch(server.fetch);
}

beforeEach(() => {
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
});

const click = (target: HTMLElement) => act(async () => target.click());

/** Type into a field (an input or a text area) as a person would. */
async function typeInto(control: HTMLElement, value: string) {
  const proto = control instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(control, value);
    control.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

/** The field labelled `label` (waited for) is marked invalid with `message` under it: the error its
aria-describedby names (the rule shown as a hint before anything is typed does not count). */
async function shownUnder(scope: HTMLElement, label: string, message: string) {
  await vi.waitFor(() => {
    const control = field(scope, label);
    expect(control.getAttribute("aria-invalid")).toBe("true");
    const error = (control.getAttribute("aria-describedby") ?? "").split(" ").find((id) => id.endsWith("-error"));
    expect(error && document.getElementById(error)?.textContent).toBe(message);
    expect(describedBy(control)).toContain(message);
  });
}

/** `message` is announced (role="alert") somewhere in `scope`. */
async function announced(scope: HTMLElement, message: string) {
  await vi.waitFor(() =>
    expect([...scope.querySelectorAll('[role="alert"]')].map((el) => el.textContent).join(" | ")).toContain(message));
}

async function waitForText(scope: HTMLElement, text: string) {
  await vi.waitFor(() => expect(scope.textContent).toContain(text));
}

describe("a coding agent's forms", () => {
  it("global rules: a 422 under Rules, a 503 announced", async () => {
    let answer = () => refused("content", "Use at most 100,000 characters.");
    serve({
      "GET /api/agents": [CODER],
      "GET /api/agents/3/projects": [],
      "GET /api/agents/3/rules": { content: "" },
      "PUT /api/agents/3/rules": () => answer(),
    });
    const el = await render(<Routes><Route path="/agents/:id" element={<AgentPage />} /></Routes>, "/agents/3");
    await vi.waitFor(() => field(el, "Rules"));
    await typeInto(field(el, "Rules"), "Always write tests.");
    await click(button(el, "Save rules"));
    await shownUnder(el, "Rules", "Use at most 100,000 characters.");
    answer = () => json(503, { detail: UNAVAILABLE });
    await click(button(el, "Save rules"));
    await announced(el, UNAVAILABLE);
  });

  it("a project's goal, its answer to the agent and its CLAUDE.md", async () => {
    serve({
      "GET /api/agents": [CODER],
      "GET /api/projects/7": PROJECT,
      "GET /api/agents/3/projects": [PROJECT],
      "PUT /api/projects/7": () => refused("description", "Use 1 to 100,000 characters."),
      "POST /api/projects/7/reply": () => json(409, { detail: "The project is not waiting for an answer" }),
      "GET /api/projects/7/claude-md": { content: "# Rules" },
      "PUT /api/projects/7/claude-md": () => json(503, { detail: UNAVAILABLE }),
    });
    const el = await render(<Routes><Route path="/projects/:id" element={<ProjectPage />} /></Routes>, "/projects/7");
    await waitForText(el, QUESTION);
    await typeInto(field(el, "Your answer"), "SQLite");
    await click(button(el, "Send answer"));
    await announced(el, "The project is not waiting for an answer");

    await click(el.querySelector<HTMLElement>("#tab-Description")!);
    await typeInto(field(el, "Goal"), " ");
    await click(button(el, "Save goal"));
    await shownUnder(el, "Goal", "Use 1 to 100,000 characters.");

    await click(el.querySelector<HTMLElement>("#tab-ClaudeMd")!);
    await vi.waitFor(() => field(el, "CLAUDE.md: Claude Code's standing instructions"));
    await click(button(el, "Save CLAUDE.md"));
    await announced(el, UNAVAILABLE);
  });

  it("CLAUDE.md: a 422 under it", async () => {
    serve({
      "GET /api/agents": [CODER],
      "GET /api/projects/7": { ...PROJECT, escalation: "" },
      "GET /api/agents/3/projects": [PROJECT],
      "GET /api/projects/7/claude-md": { content: "# Rules" },
      "PUT /api/projects/7/claude-md": () => refused("content", "Use at most 100,000 characters."),
    });
    const el = await render(<Routes><Route path="/projects/:id" element={<ProjectPage />} /></Routes>, "/projects/7");
    await vi.waitFor(() => expect(el.querySelector("#tab-ClaudeMd")).not.toBeNull());
    await click(el.querySelector<HTMLElement>("#tab-ClaudeMd")!);
    await vi.waitFor(() => field(el, "CLAUDE.md: Claude Code's standing instructions"));
    await click(button(el, "Save CLAUDE.md"));
    await shownUnder(el, "CLAUDE.md: Claude Code's standing instructions", "Use at most 100,000 characters.");
  });
});

describe("a research agent's forms", () => {
  it("a new research: a 422 under its name", async () => {
    serve({
      "GET /api/agents": [RESEARCHER],
      "GET /api/agents/2/research": [],
      "POST /api/agents/2/research": () => refused("name", "Use 1 to 120 characters."),
    });
    const el = await render(<Routes><Route path="/agents/:id" element={<AgentPage />} /></Routes>, "/agents/2");
    await vi.waitFor(() => button(el, "+ New Research"));
    await click(button(el, "+ New Research"));
    await typeInto(field(el, "Name"), "N".repeat(121));
    await click(button(el, "Create research"));
    await shownUnder(el, "Name", "Use 1 to 120 characters.");
  });

  it("renaming a research: a 422 under its name", async () => {
    serve({ "PATCH /api/research/9": () => refused("name", "Use 1 to 120 characters.") });
    const el = await render(<ResearchManage research={RESEARCH as never} />);
    await typeInto(field(el, "Name"), "N".repeat(121));
    await click(button(el, "Rename"));
    await shownUnder(el, "Name", "Use 1 to 120 characters.");
  });
});

describe("a learning agent's forms", () => {
  const routes = <Routes><Route path="/agents/3" element={<LearningPanel agent={TUTOR as Agent} />} /></Routes>;

  it("a new subject: a 409 under its name; a new course and a subject's new name: a 422 under theirs", async () => {
    serve({
      "GET /api/agents/3/subjects": [subject({ id: 4, name: "Python", slug: "python", due: 0, courses: [] })],
      "POST /api/agents/3/subjects": () => json(409, { detail: "You already have a subject named 'Python'" }),
      "POST /api/subjects/4/courses": () => refused("name", "Use 1 to 120 characters."),
      "PATCH /api/subjects/4": () => refused("name", "Use 1 to 120 characters."),
    });
    const el = await render(routes, "/agents/3");
    await vi.waitFor(() => button(el, "+ New Subject"));
    await click(button(el, "+ New Subject"));
    const form = el.querySelector<HTMLElement>("form")!;
    await typeInto(field(form, "Name"), "Python");
    await click(button(el, "Create subject"));
    await shownUnder(form, "Name", "You already have a subject named 'Python'");
    await click(button(form, "Cancel"));

    await click([...el.querySelectorAll<HTMLElement>("button[aria-expanded]")].find((b) => b.textContent?.includes("Python"))!);
    await click(button(el, "+ New Course"));
    const courseForm = el.querySelector<HTMLElement>("form")!;
    await typeInto(field(courseForm, "Name"), "C".repeat(121));
    await click(button(courseForm, "Create course"));
    await shownUnder(courseForm, "Name", "Use 1 to 120 characters.");
    await click(button(courseForm, "Cancel"));

    await click(el.querySelector<HTMLElement>('button[aria-label="Rename or delete Python"]')
      ?? [...el.querySelectorAll<HTMLElement>("button[aria-label]")].find((b) => b.getAttribute("aria-label")?.includes("Python"))!);
    const rename = el.querySelector<HTMLElement>("form")!;
    await typeInto(field(rename, "Name"), "P".repeat(121));
    await click(button(rename, "Rename"));
    await shownUnder(rename, "Name", "Use 1 to 120 characters.");
  });

  it("a course's instructions and its new name: a 422 under each", async () => {
    serve({
      "PATCH /api/courses/5": (c: Call) =>
        "name" in (c.body as object)
          ? refused("name", "Use 1 to 120 characters.")
          : refused("instructions", "Use at most 20000 characters."),
    });
    const el = await render(<CourseSettings course={course() as never} />);
    await typeInto(field(el, "Instructions for the tutor"), "Talk about travel.");
    await click(button(el, "Save"));
    await shownUnder(el, "Instructions for the tutor", "Use at most 20000 characters.");
    await typeInto(field(el, "Name"), "C".repeat(121));
    await click(button(el, "Rename"));
    await shownUnder(el, "Name", "Use 1 to 120 characters.");
  });

  it("the student's notes: a 422 under them, a 503 announced", async () => {
    let answer = () => refused("content", "Keep the notes under 20000 characters.");
    serve({ "GET /api/courses/5/notes": { content: "# Notes" }, "PUT /api/courses/5/notes": () => answer() });
    const el = await render(<CourseNotes courseId={5} updates={0} />);
    await vi.waitFor(() => button(el, "Edit"));
    await click(button(el, "Edit"));
    await click(button(el, "Save notes"));
    await shownUnder(el, "The notes (Markdown)", "Keep the notes under 20000 characters.");
    answer = () => json(503, { detail: UNAVAILABLE });
    await click(button(el, "Save notes"));
    await announced(el, UNAVAILABLE);
  });
});

describe("a custom agent's forms", () => {
  it("renaming a chat: the server's refusal of its title is under Name", async () => {
    serve({ "PATCH /api/chats/7": () => refused("title", "Use 1 to 120 characters.") });
    const el = await render(<ChatManage chat={CHAT as never} onDeleted={() => undefined} />);
    await typeInto(field(el, "Name"), "T".repeat(121));
    await click(button(el, "Rename"));
    await shownUnder(el, "Name", "Use 1 to 120 characters.");
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ title: "T".repeat(121) });
  });

  it("a new chat the server cannot start: its message announced", async () => {
    serve({ "GET /api/agents/4/chats": [], "POST /api/agents/4/chats": () => json(503, { detail: UNAVAILABLE }) });
    const el = await render(<CustomPanel agent={HELPER as Agent} />);
    await vi.waitFor(() => button(el, "+ New Chat"));
    await click(button(el, "+ New Chat"));
    await announced(el, UNAVAILABLE);
  });
});

describe("an agent's own forms", () => {
  it("editing: a name another agent has is under Name", async () => {
    serve({
      "GET /api/agents": [CODER, RESEARCHER],
      "GET /api/models": { providers: [], key_providers: [], needs: [], templates: [] },
      "PUT /api/agents/3": () => json(409, { detail: "You already have an agent named 'Researcher'" }),
    });
    const el = await render(<Routes><Route path="/agents/:id/edit" element={<AgentEditPage />} /></Routes>, "/agents/3/edit");
    await vi.waitFor(() => field(el, "Name"));
    await typeInto(field(el, "Name"), "Researcher");
    await click(button(el, "Save changes"));
    await shownUnder(el, "Name", "You already have an agent named 'Researcher'");
  });

  it("deleting: a 503 announced in the question", async () => {
    serve({ "GET /api/agents": [CODER], "GET /api/agents/3/projects": [], "GET /api/agents/3/rules": { content: "" },
      "DELETE /api/agents/3": () => json(503, { detail: UNAVAILABLE }) });
    const el = await render(<Routes><Route path="/agents/:id" element={<AgentPage />} /></Routes>, "/agents/3");
    await vi.waitFor(() => button(el, "Delete agent"));
    await click(button(el, "Delete agent"));
    await typeInto(field(el, "To confirm, type the agent's name: Coder"), "Coder");
    await click(button(el, "Yes, delete Coder"));
    await announced(el.querySelector<HTMLElement>('[role="alertdialog"]')!, UNAVAILABLE);
  });
});

describe("the admin's and the person's own settings", () => {
  it("deleting a user the server keeps: its message announced", async () => {
    serve({
      "GET /api/auth/me": ADMIN,
      "GET /api/users": [ADMIN, LUCIE],
      "GET /api/admin/sandboxes": [],
      "DELETE /api/users/2": () => json(409, { detail: "The last admin cannot be deleted" }),
    });
    const el = await render(<AdminPage />);
    await vi.waitFor(() => expect(el.querySelector('li[aria-label="lucie"]')).not.toBeNull());
    const lucie = el.querySelector<HTMLElement>('li[aria-label="lucie"]')!;
    await click(button(lucie, "Delete user"));
    await typeInto(field(lucie, "Type lucie to confirm"), "lucie");
    await click(button(lucie, "Delete lucie"));
    await announced(lucie, "The last admin cannot be deleted");
  });

  it("removing an API key the server could not remove: its message announced", async () => {
    serve({
      "GET /api/auth/me": ADMIN,
      "GET /api/settings/api-keys": [{ id: 5, provider: "anthropic", last_four: "abcd", base_url: null, created_at: "" }],
      "GET /api/settings/preferences": { terminal_font_size: 14, language: "en" },
      "DELETE /api/settings/api-keys/5": () => json(503, { detail: "The database is busy: try again" }),
    });
    const el = await render(<SettingsPage />);
    await vi.waitFor(() => expect(el.querySelector('button[aria-label*="anthropic"]')).not.toBeNull());
    await click(el.querySelector<HTMLElement>('button[aria-label*="anthropic"]')!);
    await announced(el, "The database is busy: try again");
  });
});
