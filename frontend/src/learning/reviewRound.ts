// A round of Review mode, as a pure state machine: the cards due when it began, asked one at a time. Each
// is answered for the tutor to grade (its feedback streams into the chat's reply to that message) or rated by
// the student ("I knew it" / "I didn't"); then its rating and when it comes back are shown, and Next moves
// on. The round keeps its cards while the due list refreshes underneath, so a graded card does not vanish
// from under the person, and a card graded "Again" is not asked twice in one round.

export interface RoundCard {
  id: number;
  kind: string;
  front: string;
  back: string;
}

export type Rating = 1 | 2 | 3 | 4;

export const KNEW_IT: Rating = 3; // Good
export const DIDNT_KNOW: Rating = 1; // Again

export type Step =
  | { kind: "asking" }
  /** The answer was sent: the tutor's reply to message `turn` is being written. */
  | { kind: "grading"; turn: number }
  /** Rated, by the tutor or by the student; `due`: when the card comes back (null if not known). */
  | { kind: "rated"; rating: Rating | null; due: string | null; by: "tutor" | "self"; turn: number | null }
  /** The tutor's turn failed (the message can be sent again). */
  | { kind: "failed"; turn: number; error: string };

export interface Round<C extends RoundCard = RoundCard> {
  cards: C[];
  index: number;
  step: Step;
}

export type RoundEvent =
  | { type: "answered"; turn: number }
  | { type: "graded"; rating: Rating | null; due: string | null }
  | { type: "selfRated"; rating: Rating; due: string | null }
  | { type: "failed"; error: string }
  | { type: "retried" }
  | { type: "next" };

export function startRound<C extends RoundCard>(cards: readonly C[]): Round<C> {
  return { cards: [...cards], index: 0, step: { kind: "asking" } };
}

/** The card being asked, or null when the round is over. */
export function currentCard<C extends RoundCard>(round: Round<C>): C | null {
  return round.cards[round.index] ?? null;
}

export function roundOver(round: Round): boolean {
  return round.index >= round.cards.length;
}

export function advance<C extends RoundCard>(round: Round<C>, event: RoundEvent): Round<C> {
  const step = round.step;
  switch (event.type) {
    case "answered":
      return step.kind === "asking" ? { ...round, step: { kind: "grading", turn: event.turn } } : round;
    case "graded":
      return step.kind === "grading"
        ? { ...round, step: { kind: "rated", rating: event.rating, due: event.due, by: "tutor", turn: step.turn } }
        : round;
    case "selfRated":
      // Also after the tutor's reply gave no grade: the student says how it went.
      return step.kind === "asking" || step.kind === "failed" || (step.kind === "rated" && step.rating === null)
        ? { ...round, step: { kind: "rated", rating: event.rating, due: event.due, by: "self", turn: null } }
        : round;
    case "failed":
      return step.kind === "grading" ? { ...round, step: { kind: "failed", turn: step.turn, error: event.error } } : round;
    case "retried":
      return step.kind === "failed" ? { ...round, step: { kind: "grading", turn: step.turn } } : round;
    case "next":
      return step.kind === "rated" && step.rating !== null ? { ...round, index: round.index + 1, step: { kind: "asking" } } : round;
  }
}

export function isRating(value: unknown): value is Rating {
  return value === 1 || value === 2 || value === 3 || value === 4;
}
