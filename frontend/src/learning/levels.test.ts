import { act } from "react";
import { describe, expect, it } from "vitest";
import { applyLanguage } from "../i18n";
import { levelView } from "./levels";

describe("a course's level in words", () => {
  it("explains a CEFR step of a language course", () => {
    const view = levelView("cefr", "B1");
    expect(view.label).toBe("Level B1");
    expect(view.hint).toContain("Intermediate");
    expect(view.unset).toBe(false);
  });

  it("says the tutor's own text is the tutor's estimate on a free scale, even when it looks like CEFR", () => {
    expect(levelView("free", "beginner")).toMatchObject({ label: "Level beginner", hint: expect.stringContaining("own short description") });
    expect(levelView("free", "B1").hint).not.toContain("Intermediate");
  });

  it("says a missing level is not assessed yet, on either scale", () => {
    expect(levelView("cefr", "")).toMatchObject({ label: "Level not assessed yet", unset: true });
    expect(levelView("free", "  ").unset).toBe(true);
  });

  it("speaks Czech", async () => {
    await act(async () => applyLanguage("cs"));
    expect(levelView("cefr", "A1")).toMatchObject({ label: "Úroveň A1", hint: expect.stringContaining("Začátečník") });
  });
});
