// The posts in an assistant's reply. The assistant writes each post it proposes as a fenced block with the info
// string `post` (controlplane/social/assistant.py, POST_RULES): the post's words, then an empty line, then one
// line of hashtags. Fences follow CommonMark: ``` or ~~~ (three or more), indented at most three spaces, closed by
// the same character at least as many times; a block inside another fence is that fence's text, and a block
// never closed (a reply cut short) is no post.
import type { PostDraft } from "../draft";

export type { PostDraft } from "../draft";

/** A reply in order: Markdown between the posts, and the posts. */
export type ReplyPart = { kind: "markdown"; markdown: string } | { kind: "post"; draft: PostDraft };

const OPENING = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const HASHTAG = /^#([\p{L}\p{M}\p{N}_]+)$/u;
const INFO_STRING = "post";

/** The words and the hashtags of a post's text: hashtags are its last line when that line holds nothing else. */
export function draftFrom(content: string): PostDraft {
  const lines = content.replace(/\r\n?/g, "\n").trim().split("\n");
  const tokens = lines[lines.length - 1].trim().split(/\s+/);
  const tags = tokens.map((token) => HASHTAG.exec(token)?.[1]);
  if (tags.length === 0 || tags.some((tag) => tag === undefined)) return { text: lines.join("\n").trim(), hashtags: [] };
  const seen = new Set<string>();
  const unique = (tags as string[]).filter((tag) => !seen.has(tag.toLowerCase()) && seen.add(tag.toLowerCase()));
  return { text: lines.slice(0, -1).join("\n").trim(), hashtags: unique };
}

interface Fence {
  char: string;
  length: number;
  indent: number;
  post: boolean;
  start: number; // the opening line's index
}

function opening(line: string, start: number): Fence | null {
  const found = OPENING.exec(line);
  if (!found) return null;
  const [, indent, marker, info] = found;
  if (marker[0] === "`" && info.includes("`")) return null; // not a fence: an inline code span
  const word = info.trim().split(/\s+/)[0].toLowerCase();
  return { char: marker[0], length: marker.length, indent: indent.length, post: word === INFO_STRING, start };
}

function closes(line: string, fence: Fence): boolean {
  const found = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
  return found !== null && found[1][0] === fence.char && found[1].length >= fence.length;
}

function unindent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && line[cut] === " ") cut += 1;
  return line.slice(cut);
}

/** The reply as Markdown and posts, in order; a reply without post blocks is one Markdown part. */
export function splitPostBlocks(markdown: string): ReplyPart[] {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const parts: ReplyPart[] = [];
  let from = 0; // the first line not yet in a part
  let fence: Fence | null = null;
  const flush = (to: number) => {
    const text = lines.slice(from, to).join("\n");
    if (text.trim()) parts.push({ kind: "markdown", markdown: text });
  };
  for (const [index, line] of lines.entries()) {
    if (fence === null) {
      fence = opening(line, index);
    } else if (closes(line, fence)) {
      if (fence.post) {
        const indent = fence.indent;
        const draft = draftFrom(lines.slice(fence.start + 1, index).map((l) => unindent(l, indent)).join("\n"));
        flush(fence.start);
        if (draft.text || draft.hashtags.length > 0) parts.push({ kind: "post", draft });
        from = index + 1;
      }
      fence = null;
    }
  }
  flush(lines.length);
  return parts;
}

/** The posts the reply proposes, in order; none when it has no post block. */
export function parsePostBlocks(markdown: string): PostDraft[] {
  return splitPostBlocks(markdown).flatMap((part) => (part.kind === "post" ? [part.draft] : []));
}
