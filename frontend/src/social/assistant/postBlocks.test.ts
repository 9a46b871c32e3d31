// The posts of an assistant's reply: each ```post block's words and hashtags, in order; Markdown between them
// kept; nothing else taken for a post (other code blocks, a block inside another fence, one never closed).
import { describe, expect, it } from "vitest";
import { draftFrom, parsePostBlocks, splitPostBlocks } from "./postBlocks";

const REPLY = [
  "Two ideas for the weekend:",
  "",
  "```post",
  "Fresh rye bread, baked at dawn.",
  "Come early: it goes fast!",
  "",
  "#bread #rye #bakery #Brno #weekend",
  "```",
  "",
  "Or a shorter one:",
  "",
  "~~~~ Post instagram",
  "Rye is back.",
  "",
  "#rye #chléb",
  "~~~~",
  "",
  "Post the first one in the morning.",
].join("\n");

describe("parsePostBlocks", () => {
  it("finds each post block's text and its hashtags, in order", () => {
    expect(parsePostBlocks(REPLY)).toEqual([
      { text: "Fresh rye bread, baked at dawn.\nCome early: it goes fast!", hashtags: ["bread", "rye", "bakery", "Brno", "weekend"] },
      { text: "Rye is back.", hashtags: ["rye", "chléb"] },
    ]);
  });

  it("finds none in a message without post blocks, nor in other code blocks", () => {
    expect(parsePostBlocks("Happy to help! What is the post about?")).toEqual([]);
    expect(parsePostBlocks("```python\nprint('#not a post')\n```")).toEqual([]);
    expect(parsePostBlocks("")).toEqual([]);
  });

  it("takes no post from inside another fence, nor from a block never closed", () => {
    const quoted = "This is how I write them:\n\n````markdown\n```post\nExample\n\n#x\n```\n````";
    expect(parsePostBlocks(quoted)).toEqual([]);
    expect(parsePostBlocks("```post\nHalf a post, cut off")).toEqual([]);
    expect(parsePostBlocks("```post\nShort fence closes nothing\n``\n")).toEqual([]);
  });

  it("reads an indented block and Windows line ends, and skips an empty block", () => {
    expect(parsePostBlocks("  ```post\r\n  Indented\r\n\r\n  #one #two\r\n  ```\r\n")).toEqual([
      { text: "Indented", hashtags: ["one", "two"] },
    ]);
    expect(parsePostBlocks("```post\n\n```")).toEqual([]);
  });
});

describe("draftFrom", () => {
  it("takes the last line as hashtags only when it holds nothing else, once each", () => {
    expect(draftFrom("Words\n\n#a #b #A")).toEqual({ text: "Words", hashtags: ["a", "b"] });
    expect(draftFrom("Words with a #tag inside\nand #more words")).toEqual({
      text: "Words with a #tag inside\nand #more words",
      hashtags: [],
    });
    expect(draftFrom("#only #tags")).toEqual({ text: "", hashtags: ["only", "tags"] });
    expect(draftFrom("Price #1 is not a tag line: #1 #2 # ")).toEqual({ text: "Price #1 is not a tag line: #1 #2 #", hashtags: [] });
  });
});

describe("splitPostBlocks", () => {
  it("keeps the Markdown around the posts in place", () => {
    const parts = splitPostBlocks(REPLY);
    expect(parts.map((p) => p.kind)).toEqual(["markdown", "post", "markdown", "post", "markdown"]);
    expect(parts[0]).toEqual({ kind: "markdown", markdown: "Two ideas for the weekend:\n" });
    expect(parts[4]).toEqual({ kind: "markdown", markdown: "\nPost the first one in the morning." });
  });

  it("is one Markdown part for a reply without posts", () => {
    expect(splitPostBlocks("Just **words**.")).toEqual([{ kind: "markdown", markdown: "Just **words**." }]);
  });
});
