// When the tutor has rewritten the student's notes: its update_student_notes tool call finished (a tool card,
// in a stored reply or in the one being written). The page counts them and reloads the notes when the count
// grows, so the notes beside the chat change as the tutor's card says they did.
import type { LiveReply } from "../chat/chatState";
import type { ChatMessage, ToolCard } from "../chat/types";

/** The tutor's tool that replaces student_notes.md (docs/learning.md, "The tutor's tools"). */
export const NOTES_TOOL = "update_student_notes";

const wroteNotes = (tool: ToolCard) => tool.name === NOTES_TOOL && tool.status === "done";

/**
 * How many finished notes updates the conversation holds. A reply's card is counted once: while it is
 * being written (live) and, after `completed`, in the stored reply that replaces it, never both.
 */
export function notesUpdates(messages: readonly ChatMessage[], live: LiveReply | null): number {
  const stored = messages.reduce((sum, m) => sum + (m.tools ?? []).filter(wroteNotes).length, 0);
  return stored + (live ? live.tools.filter(wroteNotes).length : 0);
}
