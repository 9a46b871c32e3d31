// The hand-off to the composer: a draft kept per agent, taken once; what is not a draft is never handed over.
import { afterEach, describe, expect, it, vi } from "vitest";
import { captionOf, sendToComposer, takeComposerDraft } from "./draft";

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("the composer's draft", () => {
  it("is taken once, for its own agent only", () => {
    sendToComposer(4, { text: "Fresh rye bread", hashtags: ["bread", "rye"] });
    expect(takeComposerDraft(5)).toBeNull();
    expect(takeComposerDraft(4)).toEqual({ text: "Fresh rye bread", hashtags: ["bread", "rye"] });
    expect(takeComposerDraft(4)).toBeNull();
  });

  it("replaces one not taken yet, and survives a reload of the page (sessionStorage)", () => {
    sendToComposer(4, { text: "First", hashtags: [] });
    sendToComposer(4, { text: "Second", hashtags: ["two"] });
    expect(JSON.parse(sessionStorage.getItem("autocode.social.composerDraft.4")!)).toEqual({ text: "Second", hashtags: ["two"] });
    expect(takeComposerDraft(4)?.text).toBe("Second");
  });

  it("hands over nothing that is not a draft", () => {
    sessionStorage.setItem("autocode.social.composerDraft.4", "{not json");
    expect(takeComposerDraft(4)).toBeNull();
    sessionStorage.setItem("autocode.social.composerDraft.4", JSON.stringify({ text: 3, hashtags: [] }));
    expect(takeComposerDraft(4)).toBeNull();
  });

  it("waits in memory when the browser keeps no storage", () => {
    const refuse = () => {
      throw new DOMException("no storage", "SecurityError");
    };
    vi.stubGlobal("sessionStorage", { getItem: refuse, setItem: refuse, removeItem: refuse });
    sendToComposer(4, { text: "Kept anyway", hashtags: [] });
    expect(takeComposerDraft(4)).toEqual({ text: "Kept anyway", hashtags: [] });
    expect(takeComposerDraft(4)).toBeNull();
  });
});

describe("captionOf", () => {
  it("is the words, an empty line, then the hashtags", () => {
    expect(captionOf({ text: "Fresh rye bread", hashtags: ["bread", "rye"] })).toBe("Fresh rye bread\n\n#bread #rye");
    expect(captionOf({ text: "No tags", hashtags: [] })).toBe("No tags");
    expect(captionOf({ text: "", hashtags: ["only"] })).toBe("#only");
  });
});
