import { describe, expect, it } from "vitest";
import { actionsFor } from "./status";

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
