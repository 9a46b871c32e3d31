import { describe, expect, it } from "vitest";
import { plural } from "./plural";

describe("plural", () => {
  it("uses the singular for exactly one", () => {
    expect(plural(1, "tool", "tools")).toBe("1 tool");
  });

  it("uses the plural for zero and for more than one", () => {
    expect(plural(0, "tool", "tools")).toBe("0 tools");
    expect(plural(2, "step", "steps")).toBe("2 steps");
    expect(plural(12, "agent", "agents")).toBe("12 agents");
  });

  it("takes irregular plurals as given", () => {
    expect(plural(3, "person", "people")).toBe("3 people");
  });
});
