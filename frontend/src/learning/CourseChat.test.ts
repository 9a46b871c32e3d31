// A review answer in the course's chat says which card it answered (from the message's context).
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../chat/types";
import { reviewLabel } from "./CourseChat";

function message(context: Record<string, unknown>): ChatMessage {
  return {
    id: 1, role: "user", content: "pes", status: "done", reply_to: null, error: "", retryable: false, usage: null,
    cost_usd: null, tools: [], attachments: [], context, seq: 1, created_at: "2026-11-28T10:00:00Z",
  };
}

describe("reviewLabel", () => {
  it("names the card a review answer was for, and nothing for a plain message", () => {
    expect(reviewLabel(message({ review: { card_id: 7, kind: "word", front: "dog", back: "pes" } }))).toBe(
      "Review card: dog",
    );
    expect(reviewLabel(message({}))).toBeNull();
  });
});
