// The social media manager's pure logic: the one status vocabulary, the composer's rules, the calendar's days.
import { describe, expect, it } from "vitest";
import { accountStatusView, isActiveTarget, postStatusView, targetStateView } from "./status";
import { composerErrors, hashtagCount, postBody, scheduledIso, type ComposerState } from "./composerRules";
import { groupByDay } from "./schedule";
import { problemOf } from "./problems";
import { ApiError } from "../api/errors";
import type { Post } from "./api";

describe("the status vocabulary", () => {
  it("says every account, post and target status in words with a tone", () => {
    expect(accountStatusView("connected")).toMatchObject({ label: "Connected", tone: "good" });
    expect(accountStatusView("expiring")).toMatchObject({ label: "Expiring soon", tone: "warn" });
    expect(accountStatusView("reconnect").hint).toContain("press Reconnect");
    expect(postStatusView("partly_published")).toMatchObject({ label: "Partly published", tone: "warn" });
    expect(targetStateView("processing")).toMatchObject({ label: "Processing", tone: "busy" });
    expect(targetStateView("processing").hint).toContain("Instagram is getting");
    expect(targetStateView("published")).toMatchObject({ label: "Published", tone: "good" });
    expect(targetStateView("failed").tone).toBe("bad");
  });

  it("shows an unknown word as it came", () => {
    expect(targetStateView("teleporting")).toEqual({ label: "teleporting", hint: "", tone: "quiet" });
  });

  it("knows which target states are still on their way", () => {
    expect(["waiting", "preparing", "processing", "publishing"].every((s) => isActiveTarget(s as never))).toBe(true);
    expect(["published", "failed", "cancelled"].some((s) => isActiveTarget(s as never))).toBe(false);
  });
});

const base: ComposerState = {
  text: "Fresh rye bread #bread",
  kind: "post",
  media: [{ id: 1, kind: "image" }],
  platforms: ["instagram", "facebook"],
  accountIds: [3, 4],
  when: "now",
  at: "",
};

describe("the composer's rules", () => {
  it("passes a post with a picture for both platforms", () => {
    expect(composerErrors(base)).toEqual({});
    expect(postBody(7, base)).toEqual({ agent_id: 7, kind: "post", text: base.text, media_ids: [1], account_ids: [3, 4], scheduled_at: null });
  });

  it("counts characters as Instagram does and refuses more than 2,200", () => {
    expect(composerErrors({ ...base, text: "😀".repeat(2200) })).toEqual({});
    expect(composerErrors({ ...base, text: "a".repeat(2201) }).text).toBe("At most 2,200 characters: Instagram's limit.");
  });

  it("counts hashtags as the server does, for Instagram only", () => {
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(" ");
    expect(hashtagCount(tags)).toBe(31);
    expect(composerErrors({ ...base, text: tags }).text).toBe("At most 30 hashtags: Instagram's limit.");
    expect(composerErrors({ ...base, text: tags, platforms: ["facebook"] }).text).toBeUndefined();
  });

  it("asks for a picture for Instagram, one for a story, and an account", () => {
    expect(composerErrors({ ...base, media: [] }).media_ids).toContain("Instagram needs a picture or a video");
    expect(composerErrors({ ...base, media: [], platforms: ["facebook"] })).toEqual({});
    expect(composerErrors({ ...base, kind: "story", media: [{ id: 1, kind: "image" }, { id: 2, kind: "image" }] }).media_ids)
      .toBe("A story is one picture or one video.");
    expect(composerErrors({ ...base, accountIds: [], platforms: [] }).account_ids).toBe("Choose at least one account to post to.");
    expect(composerErrors({ ...base, text: " ", media: [], platforms: ["facebook"] }).text).toBe("Write something or add a picture.");
    expect(composerErrors({ ...base, media: [{ id: 1, kind: "image" }, { id: 2, kind: "video" }] }).media_ids)
      .toBe("Facebook takes several pictures or one video in a post, not both.");
  });

  it("needs a future time to schedule, and sends it as an aware ISO time", () => {
    const now = new Date(2025, 5, 2, 12, 0);
    expect(composerErrors({ ...base, when: "later", at: "" }, now).scheduled_at).toBe("Pick the date and time to publish.");
    expect(composerErrors({ ...base, when: "later", at: "2025-06-02T11:00" }, now).scheduled_at).toBe("Pick a time in the future, or publish now.");
    expect(composerErrors({ ...base, when: "later", at: "2025-06-02T14:30" }, now)).toEqual({});
    const iso = scheduledIso("2025-06-02T14:30")!;
    expect(iso).toMatch(/Z$/);
    expect(new Date(iso).getTime()).toBe(new Date(2025, 5, 2, 14, 30).getTime());
    expect(postBody(7, { ...base, when: "later", at: "2025-06-02T14:30" }).scheduled_at).toBe(iso);
  });
});

function post(id: number, scheduled: Date | null): Post {
  return {
    id, agent_id: 7, kind: "post", text: `post ${id}`, media: [], status: "scheduled",
    scheduled_at: scheduled ? scheduled.toISOString() : null, published_at: null, targets: [],
    created_at: "2025-06-01T00:00:00Z", updated_at: "2025-06-01T00:00:00Z",
  };
}

describe("the calendar", () => {
  it("groups scheduled posts by their day, in order, with Today and Tomorrow", () => {
    const now = new Date(2025, 5, 2, 9, 0);
    const days = groupByDay([
      post(1, new Date(2025, 5, 3, 8, 0)),
      post(2, new Date(2025, 5, 2, 18, 0)),
      post(3, new Date(2025, 5, 2, 10, 0)),
      post(4, new Date(2025, 5, 9, 7, 0)),
      post(5, null),
    ], now, "en");
    expect(days.map((day) => day.label)).toEqual(["Today", "Tomorrow", "Monday, June 9", "No time set"]);
    expect(days.map((day) => day.posts.map((p) => p.id))).toEqual([[3, 2], [1], [4], [5]]);
  });
});

describe("Meta's problems", () => {
  it("reads {detail, action, retry_at} out of an API error, and nothing else", () => {
    const error = new ApiError(503, "Meta asks to wait", { detail: "Meta asks to wait", action: "wait", retry_at: "2025-06-02T12:30:00Z" });
    expect(problemOf(error)).toEqual({ message: "Meta asks to wait", action: "wait", retry_at: "2025-06-02T12:30:00Z" });
    expect(problemOf(new ApiError(409, "x", { detail: "x" }))).toBeNull();
    expect(problemOf(new Error("x"))).toBeNull();
  });
});
