// The hand-off from the AI assistant to the composer (docs/social-media.md, "The AI assistant"): "Use in New
// Post" stores the draft for the agent in sessionStorage, and the composer takes it once when it opens, so a
// reload of the composer does not bring it back and another tab never sees it. Storage may be off (private
// mode): the draft then waits in memory for this page.
export interface PostDraft {
  /** The post's words, without its hashtags. */
  text: string;
  /** Its hashtags, without the "#", in the order written. */
  hashtags: string[];
}

const PREFIX = "autocode.social.composerDraft.";
const kept = new Map<number, string>();

function isDraft(value: unknown): value is PostDraft {
  if (typeof value !== "object" || value === null) return false;
  const { text, hashtags } = value as { text?: unknown; hashtags?: unknown };
  return typeof text === "string" && Array.isArray(hashtags) && hashtags.every((tag) => typeof tag === "string");
}

/** Keep `draft` for the agent's composer (replacing one not taken yet). */
export function sendToComposer(agentId: number, draft: PostDraft): void {
  const stored = JSON.stringify({ text: draft.text, hashtags: [...draft.hashtags] });
  kept.set(agentId, stored);
  try {
    sessionStorage.setItem(PREFIX + agentId, stored);
  } catch {
    // kept in memory only
  }
}

/** The draft waiting for the agent's composer, once: taking it removes it. */
export function takeComposerDraft(agentId: number): PostDraft | null {
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(PREFIX + agentId);
    sessionStorage.removeItem(PREFIX + agentId);
  } catch {
    stored = null;
  }
  stored ??= kept.get(agentId) ?? null;
  kept.delete(agentId);
  if (stored === null) return null;
  try {
    const draft: unknown = JSON.parse(stored);
    return isDraft(draft) ? draft : null;
  } catch {
    return null;
  }
}

/** The caption a draft stands for: its words, an empty line, then its hashtags. */
export function captionOf(draft: PostDraft): string {
  const tags = draft.hashtags.map((tag) => `#${tag}`).join(" ");
  return [draft.text.trim(), tags].filter(Boolean).join("\n\n");
}
