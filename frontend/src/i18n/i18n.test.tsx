import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorNote, Loading } from "../components/States";
import { render, unmountAll } from "../testing/render";
import { cs } from "./cs/index";
import { en } from "./en/index";
import { applyLanguage, i18n, initialLanguage } from "./index";

/** Every key path of a catalogue, "common.loading" style. */
function paths(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : paths(value as object, `${prefix}${key}.`),
  );
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
}

afterEach(async () => {
  unmountAll();
  localStorage.clear();
});

describe("the Czech catalogue", () => {
  it("has every English text, and no other", () => {
    expect(paths(cs).sort()).toEqual(paths(en).sort());
  });

  it("keeps each text's placeholders, and leaves none empty", () => {
    const lookup = (tree: object, path: string) =>
      path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree) as string;
    for (const path of paths(en)) {
      const czech = lookup(cs, path);
      expect(czech.trim(), path).not.toBe("");
      expect(placeholders(czech), path).toEqual(placeholders(lookup(en, path)));
    }
  });
});

describe("switching the language", () => {
  it("redraws the texts on the page and sets the document's language", async () => {
    const el = await render(<Loading />);
    expect(el.textContent).toContain("Loading…");
    await act(async () => applyLanguage("cs"));
    expect(el.textContent).toContain("Načítání…");
    expect(document.documentElement.lang).toBe("cs");
  });

  it("is remembered on this device for the next start, before anyone signs in", async () => {
    await act(async () => applyLanguage("cs"));
    expect(initialLanguage()).toBe("cs");
  });

  it("ignores a language the PWA does not have", async () => {
    await act(async () => applyLanguage("de"));
    expect(i18n.language).toBe("en");
  });

  it("translates the shared error note's way back", async () => {
    await act(async () => applyLanguage("cs"));
    const el = await render(<ErrorNote error={new Error("Boom")} onRetry={() => undefined} />);
    expect(el.textContent).toContain("Zkusit znovu");
  });
});
