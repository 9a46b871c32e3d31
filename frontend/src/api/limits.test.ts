// The generated limits (scripts/form_limits.py, from openapi.json) hold what the account forms show: the
// server's rule sentences and its numbers, and a pattern a browser can use as the server does.
import { describe, expect, it } from "vitest";
import { limits, type FieldLimit } from "./limits";

describe("generated form limits", () => {
  it("carries the account forms' rules", () => {
    expect(limits.UserCreate.username.rule).toBe(
      "Use 2 to 32 characters: a lowercase letter first, then lowercase letters, digits, _ or -.",
    );
    expect(limits.UserCreate.password).toEqual({ minLength: 8, maxLength: 72, rule: "Use 8 to 72 characters." });
    expect(limits.UserUpdate.password).toEqual(limits.UserCreate.password);
    expect(limits.PasswordChange.new_password).toEqual(limits.UserCreate.password);
    expect(limits.UserCreate.display_name.maxLength).toBe(80);
    expect(limits.AgentCreate.name.rule).toBe("Use 1 to 80 characters.");
    expect(limits.ProjectCreate.name.rule).toBe("Use 1 to 120 characters.");
    expect(limits.Preferences.terminal_font_size).toMatchObject({ minimum: 8, maximum: 32 });
  });

  it("has patterns that mean in JavaScript what they mean on the server", () => {
    const username = new RegExp(limits.UserCreate.username.pattern);
    for (const ok of ["lucie", "ab", "a".repeat(32), "petr_novak-2"]) expect(username.test(ok)).toBe(true);
    for (const bad of ["a", "a".repeat(33), "Lucie", "2pac", "lucie novak", "lucie!"]) expect(username.test(bad)).toBe(false);
    expect(new RegExp(limits.ApiKeyCreate.key.pattern).test("sk-ant with space")).toBe(false);
  });

  it("gives every field it lists something to check or say, in words without validator vocabulary", () => {
    const all: FieldLimit[] = Object.values(limits).flatMap((fields) => Object.values(fields) as FieldLimit[]);
    expect(all.length).toBeGreaterThan(10);
    for (const limit of all) {
      expect(Object.keys(limit).length).toBeGreaterThan(0);
      if (limit.rule) expect(limit.rule).not.toMatch(/should|String|Input|pattern|\^/);
    }
  });
});
