import { describe, expect, it } from "vitest";
import { en } from "../i18n/en/index";
import { actionsFor, agentActivity, clockTime, projectView } from "./status";

const instance = (status: string) => ({ id: 1, pid: 9, status, started_at: "", stopped_at: null });

describe("project controls", () => {
  it.each([
    ["created", null, ["start"]],
    ["planning", instance("running"), ["pause", "stop", "restart"]],
    ["running", instance("running"), ["pause", "stop", "restart"]],
    ["paused", instance("running"), ["resume", "stop", "restart"]],
    ["paused", instance("crashed"), ["start"]],
    ["stopped", instance("stopped"), ["start"]],
    ["completed", instance("stopped"), ["start"]],
    ["failed", instance("running"), ["stop", "restart"]],
  ])("a %s project offers the right controls", (status, inst, expected) => {
    expect(actionsFor({ status, instance: inst } as never)).toEqual(expected);
  });
});

describe("projectView: one derivation for every badge, card and control", () => {
  const project = (status: string, escalation: string, live: boolean, plan: unknown[] = []) =>
    ({
      status,
      escalation,
      instance: live ? instance("running") : status === "created" ? null : instance("stopped"),
      implementation_plan: plan,
      current_step: 0,
    }) as never;

  const WRITING = "The agent is writing the plan…";
  const ON_START = "The plan is written when the project starts.";
  const NONE = "No plan yet.";

  // status, live, badge label, working, plan text, controls; needs-you is asked with and without an escalation.
  const table: [string, boolean, string, boolean, string, string[]][] = [
    ["created", false, "not started", false, ON_START, ["start"]],
    ["created", true, "not started", false, ON_START, ["stop", "restart"]],
    ["planning", false, "planning", false, NONE, ["pause", "stop", "restart"]],
    ["planning", true, "planning", true, WRITING, ["pause", "stop", "restart"]],
    ["running", false, "running", false, NONE, ["pause", "stop", "restart"]],
    ["running", true, "running", true, WRITING, ["pause", "stop", "restart"]],
    ["paused", false, "paused", false, NONE, ["start"]],
    ["paused", true, "paused", false, NONE, ["resume", "stop", "restart"]],
    ["stopped", false, "stopped", false, NONE, ["start"]],
    ["stopped", true, "stopped", false, NONE, ["stop", "restart"]],
    ["completed", false, "completed", false, NONE, ["start"]],
    ["completed", true, "completed", false, NONE, ["stop", "restart"]],
    ["failed", false, "failed", false, NONE, ["start"]],
    ["failed", true, "failed", false, NONE, ["stop", "restart"]],
  ];
  const cases = table.flatMap(([status, live, label, working, plan, actions]) =>
    [true, false].map((escalated) => [status, escalated, live, label, working, plan, actions] as const),
  );

  it.each(cases)("%s, escalation %s, instance running %s", (status, escalated, live, label, working, plan, actions) => {
    const view = projectView(project(status, escalated ? "Which database?" : "", live));
    expect(view.label).toBe(label);
    expect(view.working).toBe(working);
    // An escalation is open only while paused: after stop, completion or failure the server may keep its
    // text, but nobody waits for an answer any more.
    expect(view.needsYou).toBe(escalated && status === "paused");
    expect(view.escalation).toBe(escalated && status === "paused" ? "Which database?" : null);
    expect(view.planText).toBe(plan);
    expect(view.planEditable).toBe(!working);
    expect(view.actions).toEqual(actions);
    expect(view.active).toBe(["planning", "running", "paused"].includes(status));
    expect(view.terminalIdle).toBe(status === "created" ? "Starts when the project starts." : null);
    expect(view.style).toMatch(/^bg-/);
  });

  it("covers every status", () => {
    expect(new Set(table.map(([s]) => s))).toEqual(new Set(Object.keys(en.projects.status)));
  });

  it("marks the current step only while the manager works on it", () => {
    const steps = [{ title: "a" }, { title: "b" }];
    expect(projectView(project("running", "", true, steps)).currentStep).toBe(0);
    expect(projectView(project("paused", "", true, steps)).currentStep).toBeNull();
    expect(projectView(project("running", "", false, steps)).currentStep).toBeNull();
  });

  it("words an agent by its projects: needs you before working before idle", () => {
    const paused = projectView(project("paused", "Which database?", true));
    const running = projectView(project("running", "", true));
    const stopped = projectView(project("stopped", "Which database?", false));
    expect(agentActivity([running, paused])).toBe("needs you");
    expect(agentActivity([running, stopped])).toBe("working");
    expect(agentActivity([stopped, projectView(project("paused", "", true))])).toBe("idle");
    expect(agentActivity([])).toBe("idle");
  });
});

describe("projectView: a provider's trouble is a state, never a question", () => {
  const RETRY_AT = "2026-11-28T19:42:10Z";
  const retrying = { state: "retrying", provider: "OpenAI", message: "could not be reached (Connection error)", retry_at: RETRY_AT, attempt: 2, attempts: 6 };
  const failed = { state: "failed", provider: "OpenAI", message: "refused the request (HTTP 401)", retry_at: "", attempt: 0, attempts: 0 };
  const project = (status: string, problem: unknown, live = true, escalation = "") =>
    ({
      status,
      escalation,
      provider_problem: problem,
      instance: instance(live ? "running" : "stopped"),
      implementation_plan: [],
      current_step: 0,
    }) as never;

  it("while retrying, says when the next attempt is, keeps working and asks nothing", () => {
    const view = projectView(project("running", retrying));
    expect(view.problem).toEqual({
      kind: "retrying",
      title: `Can't reach OpenAI — retrying at ${clockTime(RETRY_AT)} (attempt 2 of 6)`,
      detail: "OpenAI could not be reached (Connection error)",
    });
    expect(clockTime(RETRY_AT)).toMatch(/\d{2}.\d{2}/);
    expect(view.label).toBe("retrying");
    expect(view.needsYou).toBe(false);
    expect(view.escalation).toBeNull();
    expect(view.retry).toBe(false);
    expect(view.actions).toEqual(["pause", "stop", "restart"]);
  });

  it("once failed, needs you with Retry instead of Resume, and no answer box", () => {
    const view = projectView(project("paused", failed));
    expect(view.problem?.kind).toBe("failed");
    expect(view.problem?.title).toBe("OpenAI: check key/provider");
    expect(view.label).toBe("check key/provider");
    expect(view.needsYou).toBe(true);
    expect(view.escalation).toBeNull();
    expect(view.retry).toBe(true);
    expect(view.actions).toEqual(["stop", "restart"]);
    expect(agentActivity([projectView(project("running", null)), view])).toBe("needs you");
  });

  it("a stopped project, or one whose manager is not running, shows no trouble", () => {
    for (const view of [projectView(project("stopped", failed, false)), projectView(project("paused", failed, false))]) {
      expect(view.problem).toBeNull();
      expect(view.needsYou).toBe(false);
      expect(view.retry).toBe(false);
    }
  });

  it("a project read without the field has no problem", () => {
    const view = projectView({ status: "running", escalation: "", instance: instance("running"), implementation_plan: [], current_step: 0 } as never);
    expect(view.problem).toBeNull();
  });
});
