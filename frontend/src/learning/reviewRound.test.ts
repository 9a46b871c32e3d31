import { describe, expect, it } from "vitest";
import { advance, currentCard, DIDNT_KNOW, isRating, KNEW_IT, roundOver, startRound } from "./reviewRound";

const CARDS = [
  { id: 1, kind: "word", front: "the cat", back: "kočka" },
  { id: 2, kind: "mistake", front: "I have went", back: "I have gone" },
];

describe("a round of Review mode", () => {
  it("asks each card, waits for the tutor's grade, shows it, then moves on", () => {
    let round = startRound(CARDS);
    expect(currentCard(round)?.id).toBe(1);
    round = advance(round, { type: "answered", turn: 40 });
    expect(round.step).toEqual({ kind: "grading", turn: 40 });
    round = advance(round, { type: "graded", rating: 3, due: "2026-03-14T10:00:00Z" });
    expect(round.step).toEqual({ kind: "rated", rating: 3, due: "2026-03-14T10:00:00Z", by: "tutor", turn: 40 });
    round = advance(round, { type: "next" });
    expect(currentCard(round)?.id).toBe(2);
    expect(round.step.kind).toBe("asking");
  });

  it("takes the student's own rating without the tutor", () => {
    let round = advance(startRound(CARDS), { type: "selfRated", rating: DIDNT_KNOW, due: null });
    expect(round.step).toMatchObject({ kind: "rated", rating: 1, by: "self" });
    round = advance(advance(round, { type: "next" }), { type: "selfRated", rating: KNEW_IT, due: null });
    round = advance(round, { type: "next" });
    expect(roundOver(round)).toBe(true);
    expect(currentCard(round)).toBeNull();
  });

  it("keeps a failed grading with a way to send it again, or to rate it oneself", () => {
    let round = advance(startRound(CARDS), { type: "answered", turn: 7 });
    round = advance(round, { type: "failed", error: "Overloaded" });
    expect(round.step).toEqual({ kind: "failed", turn: 7, error: "Overloaded" });
    expect(advance(round, { type: "retried" }).step).toEqual({ kind: "grading", turn: 7 });
    expect(advance(round, { type: "selfRated", rating: 1, due: null }).step.kind).toBe("rated");
  });

  it("ignores an event that does not fit the step (a late grade, Next before a rating)", () => {
    const asking = startRound(CARDS);
    expect(advance(asking, { type: "graded", rating: 4, due: null })).toBe(asking);
    expect(advance(asking, { type: "next" })).toBe(asking);
    const grading = advance(asking, { type: "answered", turn: 3 });
    expect(advance(grading, { type: "answered", turn: 4 })).toBe(grading);
    expect(advance(grading, { type: "selfRated", rating: 3, due: null })).toBe(grading);
  });

  it("lets the student rate a card the tutor's reply did not grade, and only then moves on", () => {
    const ungraded = advance(advance(startRound(CARDS), { type: "answered", turn: 9 }), { type: "graded", rating: null, due: null });
    expect(advance(ungraded, { type: "next" })).toBe(ungraded);
    const rated = advance(ungraded, { type: "selfRated", rating: 2, due: "2026-03-11T10:00:00Z" });
    expect(rated.step).toMatchObject({ kind: "rated", rating: 2, by: "self" });
    expect(currentCard(advance(rated, { type: "next" }))?.id).toBe(2);
  });

  it("knows a rating", () => {
    expect([0, 1, 4, 5, "3"].map(isRating)).toEqual([false, true, true, false, false]);
  });
});
