import { describe, expect, it } from "vitest";
import { whenDue } from "./when";

const NOW = new Date("2026-03-10T12:00:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe("when a review card comes back", () => {
  it("says a moment already past is now, and one under a minute away is in a minute", () => {
    expect(whenDue(later(-5 * 60_000), NOW, "en")).toBe("now");
    expect(whenDue(NOW, NOW, "en")).toBe("now");
    expect(whenDue(later(30_000), NOW, "en")).toBe("in 1 minute");
    expect(whenDue(later(59_500), NOW, "en")).toBe("in 1 minute");
  });

  it("picks minutes, hours, days, months and years as a person would", () => {
    expect(whenDue(later(10 * 60_000), NOW, "en")).toBe("in 10 minutes");
    expect(whenDue(later(3 * 3_600_000), NOW, "en")).toBe("in 3 hours");
    expect(whenDue(later(24 * 3_600_000), NOW, "en")).toBe("tomorrow");
    expect(whenDue(later(4 * 86_400_000), NOW, "en")).toBe("in 4 days");
    expect(whenDue(later(90 * 86_400_000), NOW, "en")).toBe("in 3 months");
    expect(whenDue(later(800 * 86_400_000), NOW, "en")).toBe("in 2 years");
  });

  it("speaks Czech", () => {
    expect(whenDue(later(24 * 3_600_000), NOW, "cs")).toBe("zítra");
    expect(whenDue(later(4 * 86_400_000), NOW, "cs")).toBe("za 4 dny");
    expect(whenDue(later(10 * 60_000), NOW, "cs")).toBe("za 10 minut");
  });

  it("takes the server's ISO text as well as a Date", () => {
    expect(whenDue("2026-03-12T12:00:00Z", NOW, "en")).toBe("in 2 days");
  });
});
