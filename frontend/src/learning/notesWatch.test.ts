import { describe, expect, it } from "vitest";
import type { ChatMessage, ToolCard } from "../chat/types";
import { NOTES_TOOL, notesUpdates } from "./notesWatch";

const tool = (id: string, name: string, status: ToolCard["status"]): ToolCard => ({ id, name, status, summary: "", detail: "" });
const reply = (id: number, tools: ToolCard[]): ChatMessage => ({
  id, role: "assistant", content: "", status: "done", reply_to: id - 1, error: "", retryable: false, tools, attachments: [],
  seq: id, created_at: "",
});

describe("counting the tutor's notes updates", () => {
  it("counts finished update_student_notes cards in stored replies and the live one", () => {
    const messages = [reply(2, [tool("a", NOTES_TOOL, "done"), tool("b", "add_review_card", "done")]), reply(4, [])];
    expect(notesUpdates(messages, null)).toBe(1);
    expect(notesUpdates(messages, { turn: 5, text: "", tools: [tool("c", NOTES_TOOL, "done")] })).toBe(2);
  });

  it("does not count a call still running, or one that failed", () => {
    const live = { turn: 5, text: "", tools: [tool("c", NOTES_TOOL, "running")] };
    expect(notesUpdates([reply(2, [tool("a", NOTES_TOOL, "failed")])], live)).toBe(0);
  });
});
