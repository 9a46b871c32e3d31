// The dashboard and the project page say the same about a project's state: a paused project with an open
// escalation "needs you" on both; the same project after Stop (the server keeps the escalation's text)
// neither needs you nor is working. Rendered with a fake server, as in App.test.tsx.
import { act } from "react";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setAccessToken } from "../api/accessToken";
import { setFetch } from "../api/transport";
import { Dashboard } from "../pages/Dashboard";
import { ProjectPage } from "../pages/ProjectPage";
import { FakeSocket } from "../testing/FakeSocket";
import { json } from "../testing/http";
import { render, unmountAll } from "../testing/render";

const QUESTION = "Which database should the app use?";
const AGENT = { id: 3, name: "Builder", type: "coding", model: "openai/gpt-5", identity: "", global_rules: "", tools: [], mcp_servers: {}, created_at: "" };
const INSTANCE = { id: 1, pid: 42, status: "running", started_at: "", stopped_at: null };

function project(overrides: Record<string, unknown>) {
  return {
    id: 7, agent_id: 3, name: "Weather CLI", slug: "weather-cli", description: "A weather tool", architecture: "", details: "",
    created_at: "", updated_at: "", desired_state: "running", workspace_path: "", tmux_session: "project-7",
    implementation_plan: [{ title: "Write weather.py", details: "", acceptance: "", status: "running", attempts: 0 }],
    current_step: 0, steps_done: 0, steps_total: 1, escalation: QUESTION, status: "paused", instance: INSTANCE,
    ...overrides,
  };
}

const PAUSED = project({});
const STOPPED = project({ status: "stopped", desired_state: "stopped", instance: { ...INSTANCE, status: "stopped", stopped_at: "" } });

let current: ReturnType<typeof project> = PAUSED;
let posted: string[] = [];
let afterPost: ReturnType<typeof project> | null = null;
beforeEach(() => {
  posted = [];
  afterPost = null;
  setAccessToken("t");
  vi.stubGlobal("WebSocket", FakeSocket);
  setFetch(vi.fn(async (input: string | URL | Request) => {
    switch (new URL((input as Request).url).pathname) {
      case "/api/sandbox":
        return json(200, { user_id: 1, username: "ann", state: "running", desired_state: "running", started_at: null, uptime_seconds: null, restarts: 0 });
      case "/api/agents":
        return json(200, [AGENT]);
      case "/api/projects":
        return json(200, [current]);
      case "/api/projects/7":
        return json(200, current);
      case "/api/projects/7/resume":
      case "/api/projects/7/reply":
        posted.push(new URL((input as Request).url).pathname);
        current = afterPost ?? current;
        return json(200, current);
      case "/api/ws-ticket":
        return json(200, { ticket: "x" });
      default:
        return json(404, { detail: "Not Found" });
    }
  }) as typeof fetch);
});

afterEach(() => {
  unmountAll();
  setAccessToken(null);
  vi.unstubAllGlobals();
  FakeSocket.instances.length = 0;
});

const mount = (path: string) =>
  render(
    <Routes>
      <Route path="/" element={<Dashboard />} />
      <Route path="/projects/:id" element={<ProjectPage />} />
    </Routes>,
    path,
  );

const region = (el: HTMLElement, heading: string) =>
  [...el.querySelectorAll("section")].find((s) => s.querySelector("h2")?.textContent === heading)!;

describe("statuses agree", () => {
  it("a paused project with an open escalation needs you on the dashboard and its page alike", async () => {
    current = PAUSED;
    const dash = await mount("/");
    await vi.waitFor(() => expect(region(dash, "Active work").textContent).toContain("Weather CLI"));
    expect(region(dash, "Active work").textContent).toContain("needs you");
    expect(region(dash, "Active work").textContent).toContain("paused");
    await vi.waitFor(() => expect(region(dash, "Your agents").textContent).toContain("Builder"));
    expect(region(dash, "Your agents").textContent).toContain("needs you");
    expect(dash.textContent).not.toContain("working");
    unmountAll();

    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain("Weather CLI"));
    expect(page.textContent).toContain("needs you");
    expect(page.textContent).toContain("The agent needs you");
    expect(page.textContent).toContain(QUESTION);
    expect(page.textContent).toContain("paused");
    expect(page.querySelector("[aria-current=step]")).toBeNull();
  });

  it("the same project after Stop shows neither needs you nor working, though the server kept the question", async () => {
    current = STOPPED;
    const dash = await mount("/");
    await vi.waitFor(() => expect(region(dash, "Your agents").textContent).toContain("Builder"));
    await vi.waitFor(() => expect(region(dash, "Active work").textContent).toContain("Nothing is running"));
    expect(region(dash, "Your agents").textContent).toContain("idle");
    expect(dash.textContent).not.toContain("needs you");
    expect(dash.textContent).not.toContain("working");
    unmountAll();

    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain("Weather CLI"));
    expect(page.textContent).toContain("stopped");
    expect(page.textContent).not.toContain("needs you");
    expect(page.textContent).not.toContain(QUESTION);
    expect(page.textContent).not.toContain("working");
    expect(page.querySelector("[role=alert]")).toBeNull();
  });

  it("a running project is working on the dashboard, and its page marks the current step", async () => {
    current = project({ status: "running", escalation: "" });
    const dash = await mount("/");
    await vi.waitFor(() => expect(region(dash, "Your agents").textContent).toContain("working"));
    expect(dash.textContent).not.toContain("needs you");
    unmountAll();

    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.querySelector("[aria-current=step]")?.textContent).toContain("Write weather.py"));
  });

  it("before its first start a project's terminal tab waits for the start instead of connecting", async () => {
    current = project({ status: "created", escalation: "", instance: null, implementation_plan: [], steps_total: 0, desired_state: "stopped" });
    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain("The plan is written when the project starts."));
    const tab = [...page.querySelectorAll("button")].find((b) => b.textContent === "Terminal")!;
    await act(async () => tab.click());
    expect(page.textContent).toContain("Starts when the project starts.");
    expect(page.textContent).not.toContain("Disconnected");
    expect(page.querySelector("[role=application]")).toBeNull();
  });

  it("a provider that cannot be reached is a state on the dashboard and the page, with no answer box", async () => {
    const retrying = { state: "retrying", provider: "OpenAI", message: "could not be reached (Connection error)", retry_at: "2026-11-28T19:42:10Z", attempt: 2, attempts: 6 };
    current = project({ status: "running", escalation: "", provider_problem: retrying });
    const dash = await mount("/");
    await vi.waitFor(() => expect(region(dash, "Active work").textContent).toContain("Weather CLI"));
    expect(region(dash, "Active work").textContent).toContain("retrying");
    expect(dash.textContent).not.toContain("needs you");
    unmountAll();

    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain("Can't reach OpenAI — retrying at"));
    expect(page.textContent).toContain("(attempt 2 of 6)");
    expect(page.textContent).not.toContain("The agent needs you");
    expect(page.querySelector("textarea")).toBeNull();
    expect([...page.querySelectorAll("button")].map((b) => b.textContent)).not.toContain("Retry");
  });

  it("a failed provider needs you: Check key/provider, a link to Settings and Retry, which resumes", async () => {
    const failed = { state: "failed", provider: "OpenAI", message: "refused the request (HTTP 401) (Incorrect API key provided)", retry_at: "", attempt: 0, attempts: 0 };
    current = project({ status: "paused", escalation: "", provider_problem: failed });
    const dash = await mount("/");
    await vi.waitFor(() => expect(region(dash, "Your agents").textContent).toContain("needs you"));
    unmountAll();

    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain("OpenAI: check key/provider"));
    expect(page.textContent).toContain("Incorrect API key provided");
    expect(page.textContent).toContain("needs you");
    expect(page.querySelector("a[href='/settings']")?.textContent).toBe("Settings");
    expect(page.querySelector("textarea")).toBeNull();
    const buttons = [...page.querySelectorAll("button")];
    expect(buttons.map((b) => b.textContent)).not.toContain("Resume");
    afterPost = project({ status: "running", escalation: "", provider_problem: null });
    await act(async () => buttons.find((b) => b.textContent === "Retry")!.click());
    expect(posted).toEqual(["/api/projects/7/resume"]);
    await vi.waitFor(() => expect(page.textContent).not.toContain("check key/provider"));
    expect(page.textContent).not.toContain("needs you");
  });

  it("the escalation card goes as soon as the answer is sent", async () => {
    current = PAUSED;
    const page = await mount("/projects/7");
    await vi.waitFor(() => expect(page.textContent).toContain(QUESTION));
    const answer = page.querySelector("textarea")!;
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!;
      setter.call(answer, "Use SQLite.");
      answer.dispatchEvent(new Event("input", { bubbles: true }));
    });
    afterPost = project({ escalation: "" });
    const send = [...page.querySelectorAll("button")].find((b) => b.textContent === "Send answer")!;
    await act(async () => send.click());
    expect(posted).toEqual(["/api/projects/7/reply"]);
    await vi.waitFor(() => expect(page.textContent).not.toContain(QUESTION));
    expect(page.textContent).not.toContain("The agent needs you");
  });
});
